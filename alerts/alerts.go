// Package alerts tells people about cases that cannot wait: urgent cases
// page the on-call addresses at once, escalated cases reach the department
// head or the managers. Alerts carry no PHI: a case number and a link.
package alerts

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/triage"
)

// Channels of an alert.
const sms, email = "sms", "email"

// Alerts queues alert messages in the outbox.
type Alerts struct {
	cfg   *config.Config
	store Store
	log   *slog.Logger
}

// New builds the alert sender.
func New(cfg *config.Config, store Store, log *slog.Logger) Alerts {
	return Alerts{cfg: cfg, store: store, log: log}
}

// CaseEvent makes Alerts a triage.Notifier: an urgent case a patient
// opened pages on-call, an escalation tells the department.
func (a Alerts) CaseEvent(ctx context.Context, ev triage.CaseEvent, c models.Case) {
	switch ev {
	case triage.CaseOpened:
		a.urgent(ctx, c)
	case triage.CaseEscalated:
		a.escalated(ctx, c)
	}
}

// urgent pages PV_ONCALL_EMAILS and PV_ONCALL_PHONES for an urgent case.
func (a Alerts) urgent(ctx context.Context, c models.Case) {
	if c.Priority != triage.PriorityUrgent {
		return
	}
	d, _ := a.store.DepartmentByID(ctx, c.DepartmentID)
	link := fmt.Sprintf("%s/staff/cases/%d", a.cfg.BaseURL, c.ID)
	subject := fmt.Sprintf("URGENT patient concern: case #%d (%s) in %s", c.ID, c.Category, d.Code)
	body := fmt.Sprintf("%s\n\nA patient concern was flagged as urgent. Acknowledge within 1 hour:\n%s\n", subject, link)
	for i, to := range a.cfg.OncallEmails {
		a.enqueue(ctx, models.Draft{Channel: email, Kind: "alert", To: to, Subject: subject, Body: body, CaseID: &c.ID,
			Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-oncall-email-%d", c.ID, i)})
	}
	for i, p := range a.cfg.OncallPhones {
		to, err := contact.NormalizePhone(p, a.cfg.DefaultRegion)
		if err != nil {
			a.log.Warn("PV_ONCALL_PHONES has an invalid number", "index", i)
			continue
		}
		a.enqueue(ctx, models.Draft{Channel: sms, Kind: "alert", To: to, Body: a.cfg.OrgName + ": " + subject + " " + link,
			CaseID: &c.ID, Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-oncall-sms-%d", c.ID, i)})
	}
}

// escalated tells the department head (or, without one, every manager)
// that a case missed its acknowledge deadline.
func (a Alerts) escalated(ctx context.Context, c models.Case) {
	d, _ := a.store.DepartmentByID(ctx, c.DepartmentID)
	var to []string
	if d.HeadEmail != "" {
		to = append(to, d.HeadEmail)
	} else if users, err := a.store.Users(ctx); err == nil {
		for _, u := range users {
			if u.Role == models.RoleManager && !u.Disabled {
				to = append(to, u.Email)
			}
		}
	}
	subject := fmt.Sprintf("Escalated: case #%d in %s was not acknowledged in time", c.ID, d.Code)
	body := fmt.Sprintf("%s\n\n%s/staff/cases/%d\n", subject, a.cfg.BaseURL, c.ID)
	for i, addr := range to {
		a.enqueue(ctx, models.Draft{Channel: email, Kind: "alert", To: addr, Subject: subject, Body: body, CaseID: &c.ID,
			Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-escalated-%d", c.ID, i)})
	}
}

func (a Alerts) enqueue(ctx context.Context, m models.Draft) {
	if _, _, err := a.store.Send(ctx, m); err != nil {
		a.log.Error("queue alert", "case", m.CaseID, "err", err.Error())
	}
}
