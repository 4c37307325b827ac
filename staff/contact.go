package staff

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	d := models.Draft{Channel: channel, Kind: "staff", ContactID: row.ContactID, CaseID: &row.ID, Body: body,
		Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-contact-%s", row.ID, n)}
	unreachable := ""
	switch channel {
	case "sms":
		unreachable = "No SMS: the patient gave no phone number or opted out of texts."
		d.Body = h.cfg.OrgName + " Patient Relations: " + body
		d.Quiet = &models.Quiet{Window: h.cfg.QuietHours, Zone: h.cfg.Location}
	case "email":
		unreachable = "No email: the patient gave no address or unsubscribed."
		d.Subject = h.cfg.OrgName + " Patient Relations"
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Choose SMS or email.")
	}
	m, created, err := h.store.Send(ctx, d)
	if errors.Is(err, models.ErrUnreachable) {
		return fiber.NewError(fiber.StatusConflict, unreachable)
	}
	if err != nil {
		return err
	}
	if created {
		detail := channel + ": " + body
		if m.NextAttemptAt.After(h.now()) {
			detail += " (held for quiet hours until " + m.NextAttemptAt.In(h.cfg.Location).Format("Jan 2 15:04") + ")"
		}
		if err := h.store.AddCaseEvent(ctx, row.ID, "contacted", p.User.Email, detail); err != nil {
			return err
		}
		_ = h.store.Audit(ctx, p.User.Email, "case.change", fmt.Sprintf("case:%d", row.ID), ip(c), "contacted by "+channel)
		h.live.Notify()
	}
	return c.Redirect(fmt.Sprintf("/staff/cases/%d?flash=%s", row.ID, urlQuery("contact-"+channel)), fiber.StatusSeeOther)
}
