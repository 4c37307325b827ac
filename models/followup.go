package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Follow-up answers a patient can give.
const (
	FollowupSatisfied    = "yes"
	FollowupNotSatisfied = "no"
)

// MarkFollowupSent records that the satisfaction question went out, once
// per case and only after resolution: false when it was sent already or
// the case is not resolved or closed.
func (s *Store) MarkFollowupSent(ctx context.Context, caseID uint, at time.Time) (bool, error) {
	n, err := s.exec(ctx, "mark follow-up sent", false, func(db *gorm.DB) *gorm.DB {
		return db.Model(&Case{}).Where("id = ? AND followup_sent_at IS NULL AND status IN ?", caseID, []string{StatusResolved, StatusClosed}).
			Update("followup_sent_at", at)
	})
	return n == 1, err
}

// UnmarkFollowup clears the sent mark when the message could not be
// queued, so staff can try again.
func (s *Store) UnmarkFollowup(ctx context.Context, caseID uint) error {
	return wrap("unmark follow-up", s.ctx(ctx).Model(&Case{}).Where("id = ? AND followup_answer = ''", caseID).
		Update("followup_sent_at", nil).Error)
}

// PendingFollowup finds the newest case of a contact whose follow-up
// question is still unanswered, so a "yes" or "no" by SMS lands there.
func (s *Store) PendingFollowup(ctx context.Context, contactID uint) (Case, error) {
	var c Case
	err := s.ctx(ctx).Where("contact_id = ? AND followup_sent_at IS NOT NULL AND followup_answer = ''", contactID).
		Order("followup_sent_at DESC").Order("id DESC").Take(&c).Error
	return c, wrap("find pending follow-up", err)
}

// AnswerFollowup stores the patient's answer, once: false when the case
// was answered already (a second click or a replayed SMS), so the first
// answer stands.
func (s *Store) AnswerFollowup(ctx context.Context, caseID uint, answer string, at time.Time) (bool, error) {
	ok := false
	err := s.writeOnce(ctx, "answer follow-up", func(tx *gorm.DB) error {
		ok = false
		res := tx.Model(&Case{}).Where("id = ? AND followup_sent_at IS NOT NULL AND followup_answer = ''", caseID).
			Updates(map[string]any{"followup_answer": answer, "followup_answered_at": at, "updated_at": at})
		if res.Error != nil || res.RowsAffected != 1 {
			return res.Error
		}
		ok = true
		detail := "The patient is satisfied with how the concern was handled."
		if answer != FollowupSatisfied {
			detail = "The patient is NOT satisfied with how the concern was handled."
		}
		return tx.Create(&CaseEvent{CaseID: caseID, Kind: "followup_answered", Actor: ActorPatient, DetailEnc: s.Crypto.Seal(detail), At: at}).Error
	})
	return ok, wrap("answer follow-up", err)
}
