package models

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Case statuses of the contract.
const (
	StatusNew          = "new"
	StatusAcknowledged = "acknowledged"
	StatusInProgress   = "in_progress"
	StatusEscalated    = "escalated"
	StatusResolved     = "resolved"
	StatusClosed       = "closed"
)

// ActorSystem is the actor of events nobody on staff caused.
const ActorSystem = "system"

// ActorPatient is the actor of events the patient caused (a reply).
const ActorPatient = "patient"

// NewCase is a case to open; triage fills it from routing rules and SLA.
type NewCase struct {
	Priority      string
	Category      string
	DepartmentID  uint
	Source        string
	Channel       string
	Reasons       []string
	Grievance     bool
	Summary       string // free text, encrypted
	AssigneeEmail string
	AcknowledgeBy time.Time
	ResolveBy     time.Time
	ContactID     *uint
	ResponseID    *uint
	Actor         string
}

func (s *Store) insertCase(tx *gorm.DB, nc NewCase) (Case, error) {
	c := Case{
		Status: StatusNew, Priority: nc.Priority, Category: nc.Category, DepartmentID: nc.DepartmentID,
		Source: nc.Source, Channel: nc.Channel, Reasons: strings.Join(nc.Reasons, ","), Grievance: nc.Grievance,
		SummaryEnc: s.Crypto.Seal(nc.Summary), AcknowledgeBy: nc.AcknowledgeBy.UTC(), ResolveBy: nc.ResolveBy.UTC(),
		ContactID: nc.ContactID, ResponseID: nc.ResponseID,
	}
	if nc.AssigneeEmail != "" {
		var u StaffUser
		if err := tx.Where("email = ? AND disabled = ?", nc.AssigneeEmail, false).Take(&u).Error; err == nil {
			c.AssigneeID = &u.ID
		}
	}
	if err := tx.Create(&c).Error; err != nil {
		return c, wrap("open case", err)
	}
	actor := nc.Actor
	if actor == "" {
		actor = ActorSystem
	}
	ev := CaseEvent{CaseID: c.ID, Kind: "created", Actor: actor, At: c.CreatedAt, DetailEnc: s.Crypto.Seal(strings.Join(nc.Reasons, ", "))}
	if err := tx.Create(&ev).Error; err != nil {
		return c, wrap("record case event", err)
	}
	return c, nil
}

// OpenCase opens a case outside a response (staff intake for calls,
// letters and walk-ins), with the patient's contact when given.
func (s *Store) OpenCase(ctx context.Context, nc NewCase, contact *ContactInput) (Case, error) {
	var c Case
	err := s.writeOnce(ctx, "open case", func(tx *gorm.DB) error { // staff intake has no natural key: opened once
		if contact != nil {
			ct, err := s.upsertContact(tx, *contact)
			if err != nil {
				return err
			}
			nc.ContactID = &ct.ID
		}
		var err error
		c, err = s.insertCase(tx, nc)
		return err
	})
	return c, err
}

// CaseByID loads one case.
func (s *Store) CaseByID(ctx context.Context, id uint) (Case, error) {
	var c Case
	err := s.ctx(ctx).Take(&c, id).Error
	return c, wrap("find case", err)
}

// CaseEvents lists a case's timeline, oldest first.
func (s *Store) CaseEvents(ctx context.Context, caseID uint) ([]CaseEvent, error) {
	var out []CaseEvent
	err := s.ctx(ctx).Where("case_id = ?", caseID).Order("id").Find(&out).Error
	return out, wrap("list case events", err)
}

// ReasonList splits the stored reasons.
func (c Case) ReasonList() []string { return splitList(c.Reasons) }

// LatestCaseForContact finds the newest open case of a contact, so an SMS
// reply outside a survey lands on its timeline.
func (s *Store) LatestCaseForContact(ctx context.Context, contactID uint) (Case, error) {
	var c Case
	err := s.ctx(ctx).Where("contact_id = ? AND status <> ?", contactID, StatusClosed).Order("id DESC").Take(&c).Error
	return c, wrap("find case for contact", err)
}
