package staff

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

var nonceRe = regexp.MustCompile(`^[0-9a-f]{16,32}$`)

func nonce() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ContactPatient answers POST /staff/cases/:id/contact: a message to the
// patient by SMS or email through the outbox (opt-outs and quiet hours
// respected), logged on the case. The form's nonce makes a double submit
// send once.
func (h *Handler) ContactPatient(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	if row.ContactID == nil {
		return fiber.NewError(fiber.StatusConflict, "This case has no patient contact details.")
	}
	ctx := c.UserContext()
	p := principal(c)
	channel, body, n := c.FormValue("channel"), strings.TrimSpace(c.FormValue("message")), c.FormValue("nonce")
	if body == "" || len([]rune(body)) > 1000 || !nonceRe.MatchString(n) {
		return fiber.NewError(fiber.StatusBadRequest, "Write a message of up to 1000 characters.")
	}
	ct, err := h.store.ContactRow(ctx, *row.ContactID)
	if err != nil {
		return err
	}
	m := models.OutMessage{Channel: channel, Kind: "staff", ContactID: &ct.ID, CaseID: &row.ID, Body: body,
		Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-contact-%s", row.ID, n)}
	switch channel {
	case "sms":
		if ct.PhoneEnc == "" || ct.SMSOptOut {
			return fiber.NewError(fiber.StatusConflict, "No SMS: the patient gave no phone number or opted out of texts.")
		}
		m.To = h.store.Crypto.MustOpen(ct.PhoneEnc)
		m.Body = h.cfg.OrgName + " Patient Relations: " + body
		loc := h.cfg.Location
		if tz, err := loadZone(ct.Timezone); err == nil {
			loc = tz
		}
		m.NotBefore = h.cfg.QuietHours.Next(h.now(), loc)
	case "email":
		if ct.EmailEnc == "" || ct.EmailOptOut {
			return fiber.NewError(fiber.StatusConflict, "No email: the patient gave no address or unsubscribed.")
		}
		m.To = h.store.Crypto.MustOpen(ct.EmailEnc)
		m.Subject = h.cfg.OrgName + " Patient Relations"
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Choose SMS or email.")
	}
	_, created, err := h.store.Enqueue(ctx, m)
	if err != nil {
		return err
	}
	if created {
		detail := channel + ": " + body
		if m.NotBefore.After(h.now()) {
			detail += " (held for quiet hours until " + m.NotBefore.In(h.cfg.Location).Format("Jan 2 15:04") + ")"
		}
		if err := h.store.AddCaseEvent(ctx, row.ID, "contacted", p.User.Email, detail); err != nil {
			return err
		}
		_ = h.store.Audit(ctx, p.User.Email, "case.change", fmt.Sprintf("case:%d", row.ID), ip(c), "contacted by "+channel)
		h.live.Notify()
	}
	return c.Redirect(fmt.Sprintf("/staff/cases/%d?flash=%s", row.ID, urlQuery("Message queued to the patient by "+channel+".")), fiber.StatusSeeOther)
}
