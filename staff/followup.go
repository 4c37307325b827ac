package staff

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// FollowupSender asks a resolved case's patient whether they are satisfied
// with how the concern was handled; conversations implements it.
type FollowupSender interface {
	SendFollowup(ctx context.Context, caseID uint, channel, actor string) error
}

// Followup answers POST /staff/cases/:id/followup: the satisfaction
// question goes to the patient once, after resolution.
func (h *Handler) Followup(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	p := principal(c)
	channel := c.FormValue("channel")
	// a refusal (not resolved, asked already, unreachable) is a 409 whose
	// text is for staff
	if err := h.followup.SendFollowup(c.UserContext(), row.ID, channel, p.User.Email); err != nil {
		return err
	}
	_ = h.store.Audit(c.UserContext(), p.User.Email, "case.change", fmt.Sprintf("case:%d", row.ID), ip(c), "satisfaction follow-up by "+channel)
	h.live.Notify()
	return c.Redirect(fmt.Sprintf("/staff/cases/%d?flash=%s", row.ID, urlQuery("followup-"+channel)), fiber.StatusSeeOther)
}
