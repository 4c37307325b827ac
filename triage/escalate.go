package triage

import (
	"context"
	"log/slog"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// Escalator is the SLA clock: every tick it escalates new cases past their
// acknowledge deadline. The database decides what is due and a conditional
// update claims each case, so it runs safely on every server.
type Escalator struct {
	store  EscalatorStore
	notify Notifier
	log    *slog.Logger
	now    func() time.Time
	every  time.Duration
}

// NewEscalator builds the SLA clock; notify hears about each escalated
// case (the department head or managers are told, queues refresh).
func NewEscalator(store EscalatorStore, notify Notifier, log *slog.Logger, now func() time.Time, every time.Duration) *Escalator {
	return &Escalator{store: store, notify: notify, log: log, now: now, every: every}
}

// Tick escalates what is due now and returns how many cases it moved.
func (e *Escalator) Tick(ctx context.Context) (int, error) {
	done, err := e.store.EscalateOverdue(ctx, e.now().UTC())
	for _, c := range done {
		_ = e.store.Audit(ctx, models.ActorSystem, "case.change", "case:"+itoa(c.ID), "", "escalated: acknowledge deadline passed")
		e.notify.CaseEvent(ctx, CaseEscalated, c)
	}
	return len(done), err
}

// Run ticks until ctx ends.
func (e *Escalator) Run(ctx context.Context) {
	t := time.NewTicker(e.every)
	defer t.Stop()
	for {
		if n, err := e.Tick(ctx); err != nil && ctx.Err() == nil {
			e.log.Warn("sla escalation failed", "err", err.Error())
		} else if n > 0 {
			e.log.Info("escalated overdue cases", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
