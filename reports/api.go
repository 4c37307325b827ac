package reports

import (
	"errors"

	"github.com/gofiber/fiber/v2"
)

// SummaryAPI answers GET /api/reports/summary?from=DATE&to=DATE[&channel=].
func (s *Service) SummaryAPI(c *fiber.Ctx) error {
	r, err := ParseRange(c.Query("from"), c.Query("to"), s.cfg.Location)
	if errors.Is(err, ErrBadRange) {
		return fiber.NewError(fiber.StatusBadRequest, err.Error())
	}
	ch := c.Query("channel")
	if ch != "" && ch != "kiosk" && ch != "sms" && ch != "email" {
		return fiber.NewError(fiber.StatusBadRequest, "channel: must be kiosk, sms or email")
	}
	out, err := s.Summary(c.UserContext(), r, ch)
	if err != nil {
		return err
	}
	return c.JSON(out)
}
