package models

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
)

// Invitation statuses.
const (
	InvScheduled  = "scheduled"
	InvSuppressed = "suppressed"
	InvSent       = "sent"
	InvInProgress = "in_progress"
	InvCompleted  = "completed"
	InvExpired    = "expired"
	InvFailed     = "failed"
)

// Discharge is one discharge from the hospital feed, in clear.
type Discharge struct {
	ExternalID   string
	DepartmentID uint
	DischargedAt time.Time
	Disposition  string
	Sensitive    bool
	BirthDate    string
	Contact      ContactInput
}

// Decision is what scheduling decided for a discharge.
type Decision struct {
	Status       string // scheduled or suppressed
	Reason       string
	Channel      string
	Language     string
	SurveyID     uint
	ScheduledFor *time.Time
	ExpiresAt    *time.Time
}

// DischargeResult is the stored invitation and whether it is new.
type DischargeResult struct {
	Invitation Invitation
	Contact    Contact
	Created    bool
}

// RecordDischarge stores a discharge once per external id: contact
// (created or updated through the blind index), encounter and invitation
// as dec says, in one transaction. The first message is queued after it
// (Send); the invitation clock queues it for a scheduled invitation that
// has none (InvitationsAwaitingMessage). A repeated external id returns
// the stored invitation with Created false, also when the first one was
// committed a moment ago on another cluster node (the duplicate, met here
// or at certification, is read back as the cluster has it); the
// transaction is retried on conflicts and lost connections.
func (s *Store) RecordDischarge(ctx context.Context, d Discharge, dec Decision) (DischargeResult, error) {
	if prev, err := s.invitationForEncounter(ctx, d.ExternalID); err == nil {
		return prev, nil
	} else if !errors.Is(err, ErrNotFound) {
		return DischargeResult{}, err
	}
	birth := s.Crypto.Seal(d.BirthDate)
	var out DischargeResult
	err := s.write(ctx, "record discharge", func(tx *gorm.DB) error {
		c, err := s.upsertContact(tx, d.Contact)
		if err != nil {
			return err
		}
		enc := Encounter{ExternalID: d.ExternalID, ContactID: c.ID, DepartmentID: d.DepartmentID, DischargedAt: d.DischargedAt.UTC(),
			Disposition: d.Disposition, Sensitive: d.Sensitive, BirthDate: birth}
		if err := tx.Create(&enc).Error; err != nil {
			return err
		}
		inv := Invitation{EncounterID: enc.ID, ContactID: c.ID, SurveyID: dec.SurveyID, DepartmentID: d.DepartmentID,
			Channel: dec.Channel, Status: dec.Status, Reason: dec.Reason, Language: dec.Language,
			ScheduledFor: dec.ScheduledFor, ExpiresAt: dec.ExpiresAt}
		if err := tx.Create(&inv).Error; err != nil {
			return err
		}
		if dec.Status == InvScheduled {
			if err := tx.Model(&Contact{}).Where("id = ?", c.ID).Update("last_surveyed_at", dec.ScheduledFor).Error; err != nil {
				return err
			}
		}
		out = DischargeResult{Invitation: inv, Contact: c, Created: true}
		return nil
	})
	if err != nil && isDuplicate(err) {
		var prev DischargeResult
		err := s.syncRead(ctx, func(db *gorm.DB) error {
			var err error
			prev, err = invitationForEncounter(db, d.ExternalID)
			return err
		})
		return prev, err
	}
	return out, wrap("record discharge", err)
}

// InvitationsAwaitingMessage lists scheduled invitations recorded before
// cutoff whose first message is not in the outbox: their server stopped
// between recording the discharge and queueing the message.
func (s *Store) InvitationsAwaitingMessage(ctx context.Context, cutoff time.Time) ([]Invitation, error) {
	var out []Invitation
	err := s.ctx(ctx).Where("status = ? AND created_at < ? AND NOT EXISTS (SELECT 1 FROM outbound_messages m WHERE m.invitation_id = invitations.id AND m.kind = ?)",
		InvScheduled, cutoff, "invitation").Order("id").Limit(500).Find(&out).Error
	return out, wrap("invitations awaiting a message", err)
}

func (s *Store) invitationForEncounter(ctx context.Context, externalID string) (DischargeResult, error) {
	return invitationForEncounter(s.ctx(ctx), externalID)
}

func invitationForEncounter(db *gorm.DB, externalID string) (DischargeResult, error) {
	var enc Encounter
	if err := db.Where("external_id = ?", externalID).Take(&enc).Error; err != nil {
		return DischargeResult{}, wrap("find encounter", err)
	}
	var inv Invitation
	if err := db.Where("encounter_id = ?", enc.ID).Take(&inv).Error; err != nil {
		return DischargeResult{}, wrap("find invitation", err)
	}
	var c Contact
	err := db.Take(&c, inv.ContactID).Error
	return DischargeResult{Invitation: inv, Contact: c}, wrap("find contact", err)
}

// InvitationByID loads an invitation.
func (s *Store) InvitationByID(ctx context.Context, id uint) (Invitation, error) {
	var inv Invitation
	err := s.ctx(ctx).Take(&inv, id).Error
	return inv, wrap("find invitation", err)
}

// OpenSMSInvitation is the contact's running SMS survey, if any: the
// newest sent or in-progress SMS invitation.
func (s *Store) OpenSMSInvitation(ctx context.Context, contactID uint) (Invitation, error) {
	var inv Invitation
	err := s.ctx(ctx).Where("contact_id = ? AND channel = ? AND status IN ?", contactID, "sms", []string{InvSent, InvInProgress}).
		Order("id DESC").Take(&inv).Error
	return inv, wrap("find open invitation", err)
}

// SurveyStep is one step of an SMS survey conversation, worked out from
// the invitation as read (From).
type SurveyStep struct {
	From            Invitation
	CurrentQuestion int
	Reprompted      bool
	Status          string
	CompletedAt     *time.Time
	// Answers are the answers so far as JSON, in clear; the store seals it.
	Answers string
}

// AdvanceInvitation applies a step and queues its reply in one
// transaction, provided the invitation is still where the step began
// (question, re-prompt, status): false when another reply moved it first,
// so simultaneous replies are taken one at a time; read it again and work
// the step out anew. The step is committed once: retried on a conflict
// (two nodes of a cluster), and after a connection lost during COMMIT its
// commit marker says whether it happened, so a reply is never applied to
// the next question too.
func (s *Store) AdvanceInvitation(ctx context.Context, st SurveyStep, reply Composed) (bool, error) {
	answers := s.Crypto.Seal(st.Answers)
	moved := false
	err := s.writeOnce(ctx, "advance invitation", func(tx *gorm.DB) error {
		moved = false
		f := st.From
		res := tx.Model(&Invitation{}).Where("id = ? AND current_question = ? AND reprompted = ? AND status = ?", f.ID, f.CurrentQuestion, f.Reprompted, f.Status).
			Updates(map[string]any{"current_question": st.CurrentQuestion, "reprompted": st.Reprompted, "status": st.Status,
				"completed_at": st.CompletedAt, "answers_enc": answers})
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		moved = true
		_, _, err := s.enqueue(tx, reply.row)
		return err
	})
	return moved, wrap("advance invitation", err)
}

// InvitationAnswers decrypts the answers an SMS survey has so far (JSON).
func (s *Store) InvitationAnswers(inv Invitation) (string, error) {
	return s.Crypto.Open(inv.AnswersEnc)
}

// MarkInvitationSent records the first message going out;
// accepted says the provider's acceptance is all the delivery news there
// will be (email has no receipts), so it counts as the funnel's
// "delivered"; SMS waits for Twilio's receipt (ApplyProviderStatus).
func (s *Store) MarkInvitationSent(ctx context.Context, id uint, at time.Time, accepted bool) error {
	upd := map[string]any{"status": InvSent, "first_sent_at": at}
	if accepted {
		upd["delivered_at"] = at
	}
	_, err := s.exec(ctx, "mark invitation sent", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&Invitation{}).Where("id = ? AND status = ?", id, InvScheduled).Updates(upd)
	})
	return err
}

// ExpireInvitations ends invitations past their expiry.
func (s *Store) ExpireInvitations(ctx context.Context) (int64, error) {
	res := s.ctx(ctx).Model(&Invitation{}).Where("status IN ? AND expires_at < ?", []string{InvScheduled, InvSent, InvInProgress}, s.Now()).
		Update("status", InvExpired)
	return res.RowsAffected, wrap("expire invitations", res.Error)
}

// DueReminders lists email invitations sent before cutoff that have no
// reminder yet and are still open.
func (s *Store) DueReminders(ctx context.Context, cutoff time.Time) ([]Invitation, error) {
	var out []Invitation
	err := s.ctx(ctx).Where("channel = ? AND status = ? AND reminder_at IS NULL AND first_sent_at < ? AND expires_at > ?",
		"email", InvSent, cutoff, s.Now()).Limit(500).Find(&out).Error
	return out, wrap("due reminders", err)
}

// MarkReminder records that a reminder was queued (once).
func (s *Store) MarkReminder(ctx context.Context, id uint) (bool, error) {
	n, err := s.exec(ctx, "mark reminder", false, func(db *gorm.DB) *gorm.DB {
		return db.Model(&Invitation{}).Where("id = ? AND reminder_at IS NULL", id).Update("reminder_at", s.Now())
	})
	return n == 1, err
}

// Invitations lists recent invitations for the staff page.
func (s *Store) Invitations(ctx context.Context, limit int) ([]Invitation, error) {
	var out []Invitation
	err := s.ctx(ctx).Order("id DESC").Limit(limit).Find(&out).Error
	return out, wrap("list invitations", err)
}

// CompleteInvitation marks an invitation answered, once: false when it was
// completed already (a second submit).
func (s *Store) CompleteInvitation(ctx context.Context, id uint) (bool, error) {
	now := s.Now()
	n, err := s.exec(ctx, "complete invitation", false, func(db *gorm.DB) *gorm.DB {
		return db.Model(&Invitation{}).Where("id = ? AND status <> ?", id, InvCompleted).
			Updates(map[string]any{"status": InvCompleted, "completed_at": now})
	})
	return n == 1, err
}

// MarkInvitationStarted records the funnel's "started" step once.
func (s *Store) MarkInvitationStarted(ctx context.Context, id uint) error {
	_, err := s.exec(ctx, "mark invitation started", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&Invitation{}).Where("id = ? AND started_at IS NULL", id).Update("started_at", s.Now())
	})
	return err
}
