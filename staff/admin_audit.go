package staff

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

type auditData struct {
	Rows                  []models.AuditLog
	Actor, Action, Record string
	From, To              string
	Actions               []string
}

var auditActions = []string{"login", "login.failed", "logout", "identity.reveal", "case.change", "case.create",
	"letter.generate", "export", "user.create", "user.disable", "user.enable", "user.reset-mfa", "user.role",
	"mfa.enrolled", "rules.change", "survey.change", "kiosk.change", "token.create", "kiosk.create"}

// Audit answers GET /staff/admin/audit: search the append-only audit log.
func (h *Handler) Audit(c *fiber.Ctx) error {
	d := auditData{Actor: c.Query("actor"), Action: c.Query("action"), Record: c.Query("record"), From: c.Query("from"), To: c.Query("to"), Actions: auditActions}
	f := models.AuditFilter{Actor: d.Actor, Action: d.Action, Record: d.Record, Limit: 500}
	if t, err := time.ParseInLocation("2006-01-02", d.From, h.cfg.Location); err == nil {
		f.From = t
	}
	if t, err := time.ParseInLocation("2006-01-02", d.To, h.cfg.Location); err == nil {
		f.To = t.AddDate(0, 0, 1)
	}
	rows, err := h.store.AuditSearch(c.UserContext(), f)
	if err != nil {
		return err
	}
	d.Rows = rows
	return h.render(c, "staff/audit", "Audit log", "admin", d)
}
