package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// FeedQuery selects stored responses by the time the server stored them
// (received_at), oldest first, for integrations that poll for what is new
// (the FHIR QuestionnaireResponse search). Paging is by cursor, never by
// offset: After is the last row of the previous page.
type FeedQuery struct {
	// From is inclusive, To exclusive; a zero time leaves that side open.
	From, To time.Time
	// SurveyID limits the feed to one survey; 0 means every survey.
	SurveyID uint
	// SurveyVersion limits it to answers to one version; 0 means any.
	SurveyVersion int
	After         *FeedCursor
	Limit         int
	// WithText decrypts free-text answers; without it they are left out
	// and only counted (FeedResponse.TextWithheld).
	WithText bool
}

// FeedCursor is the position after which the next page starts.
type FeedCursor struct {
	ReceivedAt time.Time
	ID         uint
}

// FeedResponse is one response with its answers.
type FeedResponse struct {
	Response
	Answers []FeedAnswer
	// TextWithheld counts the non-empty free-text answers left out
	// because the query did not ask for text.
	TextWithheld int
}

// FeedAnswer is one answer; exactly one of the value fields is set.
type FeedAnswer struct {
	Question string
	Kind     string
	Int      *int
	Bool     *bool
	Choice   string
	Text     string
}

func (s *Store) feedScope(ctx context.Context, q FeedQuery) *gorm.DB {
	db := s.ctx(ctx).Model(&Response{})
	if !q.From.IsZero() {
		db = db.Where("received_at >= ?", q.From.UTC())
	}
	if !q.To.IsZero() {
		db = db.Where("received_at < ?", q.To.UTC())
	}
	if q.SurveyID != 0 {
		db = db.Where("survey_id = ?", q.SurveyID)
	}
	if q.SurveyVersion != 0 {
		db = db.Where("survey_version = ?", q.SurveyVersion)
	}
	return db
}

// ResponseFeed lists one page of responses in (received_at, id) order,
// which ix_responses_received serves, with their answers in question
// order of storage.
func (s *Store) ResponseFeed(ctx context.Context, q FeedQuery) ([]FeedResponse, error) {
	db := s.feedScope(ctx, q)
	if q.After != nil {
		t := q.After.ReceivedAt.UTC()
		db = db.Where("received_at > ? OR (received_at = ? AND id > ?)", t, t, q.After.ID)
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	var rows []Response
	if err := db.Order("received_at, id").Limit(q.Limit).Find(&rows).Error; err != nil {
		return nil, wrap("response feed", err)
	}
	return s.withAnswers(ctx, rows, q.WithText)
}

// CountResponseFeed counts every response the query's range holds (the
// cursor and limit aside): a search's total.
func (s *Store) CountResponseFeed(ctx context.Context, q FeedQuery) (int64, error) {
	var n int64
	err := s.feedScope(ctx, q).Count(&n).Error
	return n, wrap("count response feed", err)
}

// FeedResponseByID loads one response with its answers.
func (s *Store) FeedResponseByID(ctx context.Context, id uint, withText bool) (FeedResponse, error) {
	r, err := s.ResponseByID(ctx, id)
	if err != nil {
		return FeedResponse{}, err
	}
	out, err := s.withAnswers(ctx, []Response{r}, withText)
	if err != nil {
		return FeedResponse{}, err
	}
	return out[0], nil
}

func (s *Store) withAnswers(ctx context.Context, rows []Response, withText bool) ([]FeedResponse, error) {
	out := make([]FeedResponse, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	ids := make([]uint, len(rows))
	at := make(map[uint]int, len(rows))
	for i, r := range rows {
		out[i].Response = r
		ids[i] = r.ID
		at[r.ID] = i
	}
	var answers []Answer
	if err := s.ctx(ctx).Where("response_id IN ?", ids).Order("response_id, id").Find(&answers).Error; err != nil {
		return nil, wrap("response feed answers", err)
	}
	for _, a := range answers {
		fr := &out[at[a.ResponseID]]
		fa := FeedAnswer{Question: a.QuestionKey, Kind: a.Kind, Int: a.IntValue, Bool: a.BoolValue, Choice: a.ChoiceValue}
		if a.IntValue == nil && a.BoolValue == nil && a.ChoiceValue == "" {
			if a.TextEnc == "" {
				continue
			}
			if !withText {
				fr.TextWithheld++
				continue
			}
			text, err := s.Crypto.Open(a.TextEnc)
			if err != nil {
				return nil, fmt.Errorf("response %d answer %s: %w", a.ResponseID, a.QuestionKey, err)
			}
			if text == "" {
				continue
			}
			fa.Text = text
		}
		fr.Answers = append(fr.Answers, fa)
	}
	return out, nil
}
