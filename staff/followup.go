package staff

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// FollowupSender asks a resolved case's patient whether they are satisfied
// with how the concern was handled; the gateway implements it.
type FollowupSender interface {
	SendFollowup(ctx context.Context, caseID uint, channel, actor string) error
}

// SetFollowup connects the case page's follow-up action to the gateway.
func (h *Handler) SetFollowup(f FollowupSender) { h.followup = f }

// SetFollowupRefusal names the sentinel the gateway wraps its refusals in
// (its text is meant for staff), since staff does not import the gateway.
func (h *Handler) SetFollowupRefusal(err error) { h.followupRefused = err }

// Followup answers POST /staff/cases/:id/followup: the satisfaction
// question goes to the patient once, after resolution.
func (h *Handler) Followup(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	if h.followup == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "Follow-up is not available.")
	}
	p := principal(c)
	channel := c.FormValue("channel")
	err = h.followup.SendFollowup(c.UserContext(), row.ID, channel, p.User.Email)
	if h.followupRefused != nil && errors.Is(err, h.followupRefused) {
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, ": "); ok {
			msg = after
		}
		return fiber.NewError(fiber.StatusConflict, "No follow-up: "+msg+".")
	}
	if err != nil {
		return err
	}
	_ = h.store.Audit(c.UserContext(), p.User.Email, "case.change", fmt.Sprintf("case:%d", row.ID), ip(c), "satisfaction follow-up by "+channel)
	h.live.Notify()
	return c.Redirect(fmt.Sprintf("/staff/cases/%d?flash=%s", row.ID, urlQuery("Follow-up question queued to the patient by "+channel+".")), fiber.StatusSeeOther)
}
