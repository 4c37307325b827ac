package triage

import (
	"context"

	"github.com/patientvoice/patientvoice/models"
)

// CaseEvent says what just happened to a case.
type CaseEvent string

// What a Notifier hears about.
const (
	// CaseOpened: a patient's response (kiosk, SMS, email) opened a case.
	CaseOpened CaseEvent = "opened"
	// CaseChanged: staff recorded a case by hand or changed one (web, API).
	CaseChanged CaseEvent = "changed"
	// CaseEscalated: the SLA clock escalated a case that missed its
	// acknowledge deadline.
	CaseEscalated CaseEvent = "escalated"
)

// Notifier hears about cases once they are committed, so people see them
// at once: staff.Live refreshes open queue pages, alerts.Alerts pages the
// on-call staff for urgent cases and tells managers about escalations.
// Declared here, where cases are made and changed; passed to NewIntake,
// NewCases and NewEscalator. A notifier cannot fail the change: it logs
// its own errors.
type Notifier interface {
	CaseEvent(ctx context.Context, ev CaseEvent, c models.Case)
}

// Notifiers tells each of several notifiers, in order.
type Notifiers []Notifier

// CaseEvent tells every notifier.
func (ns Notifiers) CaseEvent(ctx context.Context, ev CaseEvent, c models.Case) {
	for _, n := range ns {
		n.CaseEvent(ctx, ev, c)
	}
}

// NotifierFunc lets a function be a Notifier.
type NotifierFunc func(ctx context.Context, ev CaseEvent, c models.Case)

// CaseEvent calls f.
func (f NotifierFunc) CaseEvent(ctx context.Context, ev CaseEvent, c models.Case) { f(ctx, ev, c) }
