package models

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/survey"
	"gorm.io/gorm"
)

// NewResponse is a validated submission ready to store.
type NewResponse struct {
	ClientID      string
	SurveyID      uint
	SurveyVersion int
	Source        string
	KioskID       *uint
	InvitationID  *uint
	DepartmentID  uint
	Language      string
	Answers       []survey.Answer
	// Tags are the themes found in text answers, stored in clear.
	Tags        map[string][]string
	Flagged     bool
	AnswerHash  string
	SubmittedAt time.Time
	// PressWindow > 0 marks a contact-less submission suspicious when the
	// same kiosk sent the same answers less than this long before.
	PressWindow    time.Duration
	Contact        *ContactInput
	ContactMessage string
	// ContactID links a known contact when Contact is nil.
	ContactID *uint
	// Case, when not nil, is opened with the response unless it turns out
	// suspicious. ResponseID and ContactID are filled in here.
	Case *NewCase
}

// Ingested is what the store did with a submission.
type Ingested struct {
	Response Response
	// Case is the case opened with the response; nil when none was (no
	// case asked for, suspicious, or a replay).
	Case *Case
	// Created is false when the client id was already stored (a replay).
	Created bool
}

// IngestResponse stores response, answers, contact and case in one
// transaction. It is idempotent on ClientID across servers and cluster
// nodes: the unique index decides, and a replay (or a concurrent
// duplicate that loses the race, here or at Galera's certification)
// returns the row already stored with Created false. The transaction is
// retried on conflicts and on a connection lost during COMMIT, which is
// safe because a second run of a committed submission meets its own row
// as a duplicate.
func (s *Store) IngestResponse(ctx context.Context, in NewResponse) (Ingested, error) {
	var r Response
	var c *Case
	var info txInfo
	err := s.writeInfo(ctx, "store response", &info, func(tx *gorm.DB) error {
		var err error
		r, c, err = s.ingest(tx, in)
		return err
	})
	if err != nil && isDuplicate(err) {
		prev, perr := s.storedResponse(ctx, in.ClientID)
		if perr != nil {
			return Ingested{}, wrap("store response: read back the stored submission", perr)
		}
		if !info.commitUnknown || prev.CaseID == nil {
			return Ingested{Response: prev}, nil
		}
		// the row may be this call's own, committed as the connection
		// died: report its case so the notifications (idempotent) go out
		var pc Case
		if err := s.ctx(ctx).Take(&pc, *prev.CaseID).Error; err != nil {
			return Ingested{}, wrap("store response: read back the case", err)
		}
		return Ingested{Response: prev, Case: &pc, Created: true}, nil
	}
	if err != nil {
		return Ingested{}, wrap("store response", err)
	}
	return Ingested{Response: r, Case: c, Created: true}, nil
}

// storedResponse reads a response another request (on any server or
// node) has just committed: on Galera the read waits until this node has
// applied every commit the cluster made before it.
func (s *Store) storedResponse(ctx context.Context, clientID string) (Response, error) {
	var r Response
	err := s.syncRead(ctx, func(db *gorm.DB) error { return db.Where("client_id = ?", clientID).Take(&r).Error })
	return r, err
}

func (s *Store) ingest(tx *gorm.DB, in NewResponse) (Response, *Case, error) {
	now := s.Now()
	r := Response{
		ClientID: in.ClientID, SurveyID: in.SurveyID, SurveyVersion: in.SurveyVersion, Source: in.Source,
		KioskID: in.KioskID, InvitationID: in.InvitationID, DepartmentID: in.DepartmentID, Language: in.Language,
		Flagged: in.Flagged, Completed: true, AnswerHash: in.AnswerHash, SubmittedAt: in.SubmittedAt.UTC(), ReceivedAt: now,
	}
	if r.SubmittedAt.IsZero() {
		r.SubmittedAt = now
	}
	if in.PressWindow > 0 && in.Contact == nil && in.KioskID != nil {
		var n int64
		err := tx.Model(&Response{}).Where("kiosk_id = ? AND answer_hash = ? AND submitted_at > ? AND submitted_at <= ?",
			*in.KioskID, in.AnswerHash, r.SubmittedAt.Add(-in.PressWindow), r.SubmittedAt).Count(&n).Error
		if err != nil {
			return r, nil, fmt.Errorf("press filter: %w", err)
		}
		r.Suspicious = n > 0
	}
	r.ContactID = in.ContactID
	if in.Contact != nil {
		c, err := s.upsertContact(tx, *in.Contact)
		if err != nil {
			return r, nil, err
		}
		r.ContactID = &c.ID
	}
	if err := tx.Create(&r).Error; err != nil {
		return r, nil, err
	}
	if err := s.insertAnswers(tx, r.ID, in.Answers, in.Tags); err != nil {
		return r, nil, err
	}
	if in.Case == nil || r.Suspicious {
		return r, nil, nil
	}
	nc := *in.Case
	nc.ResponseID, nc.ContactID = &r.ID, r.ContactID
	if nc.Summary == "" {
		nc.Summary = in.ContactMessage
	}
	c, err := s.insertCase(tx, nc)
	if err != nil {
		return r, nil, err
	}
	r.CaseID = &c.ID
	return r, &c, tx.Model(&Response{}).Where("id = ?", r.ID).Update("case_id", c.ID).Error
}

func (s *Store) insertAnswers(tx *gorm.DB, responseID uint, answers []survey.Answer, tags map[string][]string) error {
	if len(answers) == 0 {
		return nil
	}
	rows := make([]Answer, 0, len(answers))
	for _, a := range answers {
		rows = append(rows, Answer{
			ResponseID: responseID, QuestionKey: a.Question, Kind: string(a.Kind),
			IntValue: a.Int, BoolValue: a.Bool, ChoiceValue: a.Choice, TextEnc: s.Crypto.Seal(a.Text),
			Tags: truncate(strings.Join(tags[a.Question], ","), 500),
		})
	}
	return tx.Create(&rows).Error
}

// ResponseByClientID finds a response by the id its client made.
func (s *Store) ResponseByClientID(ctx context.Context, clientID string) (Response, error) {
	var r Response
	err := s.ctx(ctx).Where("client_id = ?", clientID).Take(&r).Error
	return r, wrap("find response", err)
}

// ResponseByID loads a response.
func (s *Store) ResponseByID(ctx context.Context, id uint) (Response, error) {
	var r Response
	err := s.ctx(ctx).Take(&r, id).Error
	return r, wrap("find response", err)
}

// AnswerView is an answer decrypted for staff.
type AnswerView struct {
	Question string
	Kind     string
	Value    string
	Tags     []string
}

// ResponseAnswers decrypts a response's answers for the case page.
func (s *Store) ResponseAnswers(ctx context.Context, responseID uint) ([]AnswerView, error) {
	var rows []Answer
	if err := s.ctx(ctx).Where("response_id = ?", responseID).Order("id").Find(&rows).Error; err != nil {
		return nil, wrap("load answers", err)
	}
	out := make([]AnswerView, 0, len(rows))
	for _, a := range rows {
		v := AnswerView{Question: a.QuestionKey, Kind: a.Kind, Tags: splitList(a.Tags)}
		switch {
		case a.IntValue != nil:
			v.Value = fmt.Sprint(*a.IntValue)
		case a.BoolValue != nil:
			v.Value = map[bool]string{true: "yes", false: "no"}[*a.BoolValue]
		case a.ChoiceValue != "":
			v.Value = a.ChoiceValue
		default:
			v.Value = s.Crypto.MustOpen(a.TextEnc)
		}
		out = append(out, v)
	}
	return out, nil
}

// CountKioskSubmissions counts what a kiosk sent since t, for its rate
// limit; counted in the database so the limit holds across servers.
func (s *Store) CountKioskSubmissions(ctx context.Context, kioskID uint, since time.Time) (int64, error) {
	var n int64
	err := s.ctx(ctx).Model(&Response{}).Where("kiosk_id = ? AND received_at > ?", kioskID, since).Count(&n).Error
	return n, wrap("count kiosk submissions", err)
}

// CountResponses counts stored responses (all channels).
func (s *Store) CountResponses(ctx context.Context) (int64, error) {
	var n int64
	err := s.ctx(ctx).Model(&Response{}).Count(&n).Error
	return n, wrap("count responses", err)
}

// ContactIDValue is the contact id or 0 for an anonymous response.
func (r Response) ContactIDValue() uint {
	if r.ContactID == nil {
		return 0
	}
	return *r.ContactID
}
