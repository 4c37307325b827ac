package staff

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/models"
)

// SMSReceiver takes an inbound SMS as Twilio's webhook would; the SMS
// simulator uses it so training runs the production conversation code.
type SMSReceiver interface {
	Receive(ctx context.Context, sid, from, body string) error
}

type outboxRow struct {
	models.OutboundMessage
	To, Subject, Body string
}

type outboxData struct {
	Rows      []outboxRow
	Counts    map[string]int64
	Status    string
	Statuses  []string
	DevSMS    bool
	DevEmail  bool
	Simulator bool
}

// mask hides most of an address: staff see which message, not whom.
func mask(to string) string {
	if at := strings.LastIndex(to, "@"); at > 0 {
		return to[:1] + "***" + to[at:]
	}
	if len(to) > 4 {
		return strings.Repeat("•", len(to)-4) + to[len(to)-4:]
	}
	return to
}

// Outbox answers GET /staff/outbox: every message with its state; unknown
// outcomes stand out for a person to check.
func (h *Handler) Outbox(c *fiber.Ctx) error {
	ctx := c.UserContext()
	st := c.Query("status")
	rows, err := h.store.Outbox(ctx, models.OutboxFilter{Status: st, Limit: 200})
	if err != nil {
		return err
	}
	counts, err := h.store.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	d := outboxData{Counts: counts, Status: st, DevSMS: !h.cfg.Twilio.Enabled(), DevEmail: !h.cfg.SMTP.Enabled(), Simulator: !h.cfg.Twilio.Enabled(),
		Statuses: []string{models.OutQueued, models.OutSending, models.OutSent, models.OutDelivered, models.OutFailed, models.OutUnknown}}
	for _, m := range rows {
		o := h.store.OpenMessage(m)
		d.Rows = append(d.Rows, outboxRow{OutboundMessage: m, To: mask(o.To), Subject: o.Subject, Body: o.Body})
	}
	return h.render(c, "staff/outbox", "Outbox", "outbox", d)
}

type simData struct {
	Phone    string
	Messages []simMessage
	Error    string
}

type simMessage struct {
	In   bool
	Body string
	At   string
}

// Simulator answers GET /staff/simulator: play the patient of a phone
// number in development (no real SMS is ever sent from here).
func (h *Handler) Simulator(c *fiber.Ctx) error {
	if h.cfg.Twilio.Enabled() {
		return fiber.NewError(fiber.StatusNotFound, "The SMS simulator is only available while SMS go to the development outbox.")
	}
	phone, _ := contact.NormalizePhone(c.Query("phone"), h.cfg.DefaultRegion)
	d := simData{Phone: phone}
	if phone != "" {
		msgs, err := h.store.Conversation(c.UserContext(), phone)
		if err != nil {
			return err
		}
		for _, m := range msgs {
			d.Messages = append(d.Messages, simMessage{In: m.Inbound, Body: m.Body, At: m.At.In(h.cfg.Location).Format("15:04:05")})
		}
	}
	return h.render(c, "staff/simulator", "SMS simulator", "outbox", d)
}

// SimulatorSend answers POST /staff/simulator: the text goes through the
// same path as a Twilio webhook.
func (h *Handler) SimulatorSend(c *fiber.Ctx) error {
	if h.cfg.Twilio.Enabled() {
		return fiber.NewError(fiber.StatusNotFound, "The SMS simulator is only available while SMS go to the development outbox.")
	}
	phone, err := contact.NormalizePhone(c.FormValue("phone"), h.cfg.DefaultRegion)
	if err != nil || phone == "" {
		return fiber.NewError(fiber.StatusBadRequest, "Enter the phone number of the patient you are playing.")
	}
	body := strings.TrimSpace(c.FormValue("body"))
	if body == "" {
		return c.Redirect("/staff/simulator?phone="+urlQuery(phone), fiber.StatusSeeOther)
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	if err := h.sim.Receive(c.UserContext(), "SM"+hex.EncodeToString(b), phone, body); err != nil {
		return err
	}
	return c.Redirect("/staff/simulator?phone="+urlQuery(phone), fiber.StatusSeeOther)
}
