package triage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// transitions is the contract's case state machine.
var transitions = map[string][]string{
	models.StatusNew:          {models.StatusAcknowledged, models.StatusEscalated, models.StatusResolved},
	models.StatusAcknowledged: {models.StatusInProgress, models.StatusEscalated, models.StatusResolved},
	models.StatusInProgress:   {models.StatusEscalated, models.StatusResolved},
	models.StatusEscalated:    {models.StatusInProgress, models.StatusResolved},
	models.StatusResolved:     {models.StatusClosed, models.StatusInProgress},
	models.StatusClosed:       {models.StatusInProgress},
}

// Statuses lists every case status in workflow order.
var Statuses = []string{models.StatusNew, models.StatusAcknowledged, models.StatusInProgress,
	models.StatusEscalated, models.StatusResolved, models.StatusClosed}

// Priorities lists priorities from most to least urgent.
var Priorities = []string{PriorityUrgent, PriorityHigh, PriorityNormal, PriorityLow}

// CanTransition reports whether a case may move from one status to another.
func CanTransition(from, to string) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// NextStatuses lists where a case can go from status.
func NextStatuses(status string) []string { return transitions[status] }

// ErrTransition is a status change the state machine forbids (409).
var ErrTransition = errors.New("status change not allowed")

// TransitionError says which change was refused and what is allowed.
type TransitionError struct{ From, To string }

func (e *TransitionError) Error() string {
	allowed := NextStatuses(e.From)
	return fmt.Sprintf("a %s case cannot become %s; it can become %s", e.From, e.To, strings.Join(allowed, ", "))
}

// Unwrap lets errors.Is find ErrTransition.
func (e *TransitionError) Unwrap() error { return ErrTransition }

// Change is one staff action on a case; empty fields change nothing.
type Change struct {
	Status        string
	AssigneeEmail *string // "" unassigns
	Note          string
	Grievance     *bool
	Priority      string
	Department    string // code
	Category      string
	Escalate      bool
	Reason        string // why (escalation), shown on the timeline
	// Via names who acted in the audit log when the timeline actor is
	// "system" (an API token).
	Via string
}

// ErrUnknownAssignee is an assignee that is not an active staff member.
var ErrUnknownAssignee = errors.New("not an active staff member")

// Cases applies staff actions to cases with the rules of the workflow.
type Cases struct {
	store  CaseStore
	sla    SLA
	notify Notifier
	now    func() time.Time
}

// NewCases builds the case workflow; notify hears about every committed
// change.
func NewCases(store CaseStore, sla SLA, notify Notifier, now func() time.Time) *Cases {
	return &Cases{store: store, sla: sla, notify: notify, now: now}
}

// Apply makes a change as actor (a staff email or "system") from ip, in
// one transaction with its timeline events, and audits it.
func (w *Cases) Apply(ctx context.Context, id uint, actor, ip string, ch Change) (models.Case, error) {
	var summary []string
	c, err := w.store.UpdateCase(ctx, id, func(c *models.Case, tx *models.CaseTx) error {
		summary = nil // a retried transaction starts over
		now := w.now().UTC()
		ev := func(kind, detail string) {
			tx.Event(kind, actor, detail, now)
			summary = append(summary, kind)
		}
		if ch.Escalate && ch.Status == "" {
			ch.Status = models.StatusEscalated
		}
		if ch.Grievance != nil && *ch.Grievance != c.Grievance {
			c.Grievance = *ch.Grievance
			c.AcknowledgeBy, c.ResolveBy = w.sla.Deadlines(c.Priority, c.Grievance, c.CreatedAt)
			ev("classified", map[bool]string{true: "grievance", false: "complaint"}[c.Grievance])
		}
		if ch.Priority != "" && ch.Priority != c.Priority {
			if !ValidPriority(ch.Priority) {
				return fmt.Errorf("priority %q: %w", ch.Priority, models.ErrConflict)
			}
			c.Priority = ch.Priority
			c.AcknowledgeBy, c.ResolveBy = w.sla.Deadlines(c.Priority, c.Grievance, c.CreatedAt)
			ev("classified", "priority "+c.Priority)
		}
		if ch.Category != "" && ch.Category != c.Category {
			c.Category = ch.Category
			ev("classified", "category "+c.Category)
		}
		if ch.Department != "" {
			d, err := tx.DepartmentByCode(ch.Department)
			if err != nil {
				return err
			}
			if d.ID != c.DepartmentID {
				c.DepartmentID = d.ID
				ev("assigned", "department "+d.Code)
			}
		}
		if ch.AssigneeEmail != nil {
			if err := assign(c, tx, *ch.AssigneeEmail, ev); err != nil {
				return err
			}
		}
		if ch.Status != "" && ch.Status != c.Status {
			if !CanTransition(c.Status, ch.Status) {
				return &TransitionError{From: c.Status, To: ch.Status}
			}
			setStatus(c, ch.Status, now)
			kind := "status_changed"
			switch ch.Status {
			case models.StatusAcknowledged:
				kind = "acknowledged"
			case models.StatusEscalated:
				kind = "escalated"
			}
			ev(kind, strings.TrimSpace(ch.Status+" "+ch.Reason))
		}
		if strings.TrimSpace(ch.Note) != "" {
			ev("note", ch.Note)
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	if len(summary) > 0 {
		who := actor
		if ch.Via != "" {
			who = ch.Via
		}
		_ = w.store.Audit(ctx, who, "case.change", fmt.Sprintf("case:%d", id), ip, strings.Join(summary, ","))
		w.notify.CaseEvent(ctx, CaseChanged, c)
	}
	return c, nil
}

func assign(c *models.Case, tx *models.CaseTx, email string, ev func(kind, detail string)) error {
	if email == "" {
		if c.AssigneeID != nil {
			c.AssigneeID = nil
			ev("assigned", "unassigned")
		}
		return nil
	}
	u, err := tx.UserByEmail(email)
	if err != nil || u.Disabled {
		return fmt.Errorf("assignee %s: %w", email, ErrUnknownAssignee)
	}
	if c.AssigneeID == nil || *c.AssigneeID != u.ID {
		c.AssigneeID = &u.ID
		ev("assigned", u.Email)
	}
	return nil
}

func setStatus(c *models.Case, status string, now time.Time) {
	c.Status = status
	switch status {
	case models.StatusAcknowledged, models.StatusInProgress, models.StatusEscalated:
		if c.AcknowledgedAt == nil && status != models.StatusEscalated {
			c.AcknowledgedAt = &now
		}
		if status == models.StatusInProgress {
			c.ResolvedAt, c.ClosedAt = nil, nil
		}
	case models.StatusResolved:
		c.ResolvedAt = &now
		if c.AcknowledgedAt == nil {
			c.AcknowledgedAt = &now
		}
	case models.StatusClosed:
		c.ClosedAt = &now
	}
}

// Overdue reports whether a case has missed a deadline at now.
func Overdue(c models.Case, now time.Time) bool {
	if c.Status == models.StatusResolved || c.Status == models.StatusClosed {
		return false
	}
	if c.AcknowledgedAt == nil && now.After(c.AcknowledgeBy) {
		return true
	}
	return now.After(c.ResolveBy)
}

// NextDeadline is the deadline that matters now: acknowledge until done,
// then resolve.
func NextDeadline(c models.Case) time.Time {
	if c.AcknowledgedAt == nil {
		return c.AcknowledgeBy
	}
	return c.ResolveBy
}

// StaffIntake is a concern staff record by hand (phone call, letter,
// walk-in).
type StaffIntake struct {
	Department models.Department
	Category   string
	Priority   string
	Channel    string
	Summary    string
	Grievance  bool
	Contact    models.ContactInput
	Actor, IP  string
}

// Open opens a staff-entered case (source staff) with its deadlines.
func (w *Cases) Open(ctx context.Context, in StaffIntake) (models.Case, error) {
	ack, res := w.sla.Deadlines(in.Priority, in.Grievance, w.now())
	var contact *models.ContactInput
	if in.Contact.Name != "" || in.Contact.Phone != "" || in.Contact.Email != "" {
		contact = &in.Contact
	}
	c, err := w.store.OpenCase(ctx, models.NewCase{Priority: in.Priority, Category: in.Category, DepartmentID: in.Department.ID,
		Source: "staff", Channel: in.Channel, Reasons: []string{"staff_intake:" + in.Channel}, Grievance: in.Grievance,
		Summary: in.Summary, AcknowledgeBy: ack, ResolveBy: res, Actor: in.Actor}, contact)
	if err != nil {
		return c, err
	}
	_ = w.store.Audit(ctx, in.Actor, "case.create", fmt.Sprintf("case:%d", c.ID), in.IP, in.Channel)
	w.notify.CaseEvent(ctx, CaseChanged, c)
	return c, nil
}
