package models

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/patientvoice/patientvoice/survey"
	"gorm.io/gorm"
)

func (s *Store) surveyRow(ctx context.Context, key string) (Survey, error) {
	var sv Survey
	err := s.ctx(ctx).Where("`key` = ?", key).Take(&sv).Error
	return sv, wrap("find survey", err)
}

// SurveyByKey loads a survey's current definition (archived questions left
// out).
func (s *Store) SurveyByKey(ctx context.Context, key string) (survey.Definition, uint, error) {
	sv, err := s.surveyRow(ctx, key)
	if err != nil {
		return survey.Definition{}, 0, err
	}
	def, err := s.definition(ctx, sv)
	return def, sv.ID, err
}

// SurveyByID loads a survey's current definition by id.
func (s *Store) SurveyByID(ctx context.Context, id uint) (survey.Definition, error) {
	var sv Survey
	if err := s.ctx(ctx).Take(&sv, id).Error; err != nil {
		return survey.Definition{}, wrap("find survey", err)
	}
	return s.definition(ctx, sv)
}

// Surveys lists every survey's key and name.
func (s *Store) Surveys(ctx context.Context) ([]Survey, error) {
	var out []Survey
	err := s.ctx(ctx).Order("`key`").Find(&out).Error
	return out, wrap("list surveys", err)
}

func (s *Store) definition(ctx context.Context, sv Survey) (survey.Definition, error) {
	var rows []SurveyQuestion
	if err := s.ctx(ctx).Where("survey_id = ? AND archived = ?", sv.ID, false).Order("position").Find(&rows).Error; err != nil {
		return survey.Definition{}, wrap("load questions", err)
	}
	def := survey.Definition{Key: sv.Key, Name: sv.Name, Version: sv.Version,
		Languages: splitList(sv.Languages), Channels: splitList(sv.Channels)}
	for _, r := range rows {
		q := survey.Question{Key: r.Key, Kind: survey.Kind(r.Kind), Required: r.Required}
		if err := json.Unmarshal([]byte(r.Prompt), &q.Prompt); err != nil {
			return def, fmt.Errorf("question %s prompt: %w", r.Key, err)
		}
		if r.Kind == string(survey.Choice) {
			if err := json.Unmarshal([]byte(r.Options), &q.Options); err != nil {
				return def, fmt.Errorf("question %s options: %w", r.Key, err)
			}
		}
		if r.ShowIf != "" {
			q.ShowIf = &survey.Condition{}
			if err := json.Unmarshal([]byte(r.ShowIf), q.ShowIf); err != nil {
				return def, fmt.Errorf("question %s show_if: %w", r.Key, err)
			}
		}
		def.Questions = append(def.Questions, q)
	}
	return def, nil
}

// SaveSurvey replaces a survey's questions with def's, creating the survey
// when its key is new. Question keys are frozen: a question that disappears
// is archived, not deleted, and a key that comes back must keep its kind,
// so answers already stored stay interpretable. The version goes up.
func (s *Store) SaveSurvey(ctx context.Context, def survey.Definition) error {
	if err := def.Check(); err != nil {
		return fmt.Errorf("save survey: %w", err)
	}
	return s.writeOnce(ctx, "save survey", func(tx *gorm.DB) error { // the version goes up once
		var sv Survey
		err := tx.Where("`key` = ?", def.Key).Take(&sv).Error
		switch {
		case err == gorm.ErrRecordNotFound:
			sv = Survey{Key: def.Key, Version: 0}
		case err != nil:
			return wrap("save survey", err)
		}
		sv.Name, sv.Languages, sv.Channels = def.Name, strings.Join(def.Languages, ","), strings.Join(def.Channels, ",")
		sv.Version++
		if err := tx.Save(&sv).Error; err != nil {
			return wrap("save survey", err)
		}
		var old []SurveyQuestion
		if err := tx.Where("survey_id = ?", sv.ID).Find(&old).Error; err != nil {
			return wrap("save survey", err)
		}
		byKey := map[string]SurveyQuestion{}
		for _, o := range old {
			byKey[o.Key] = o
		}
		keep := map[string]bool{}
		for i, q := range def.Questions {
			row, err := questionRow(q)
			if err != nil {
				return err
			}
			row.SurveyID, row.Position = sv.ID, i+1
			if prev, ok := byKey[q.Key]; ok {
				if prev.Kind != row.Kind {
					return fmt.Errorf("save survey: question %q was %s and has answers; give the new question a new key", q.Key, prev.Kind)
				}
				row.ID = prev.ID
			}
			if err := tx.Save(&row).Error; err != nil {
				return wrap("save question", err)
			}
			keep[q.Key] = true
		}
		for _, o := range old {
			if !keep[o.Key] {
				if err := tx.Model(&SurveyQuestion{}).Where("id = ?", o.ID).Update("archived", true).Error; err != nil {
					return wrap("archive question", err)
				}
			}
		}
		return nil
	})
}

func questionRow(q survey.Question) (SurveyQuestion, error) {
	prompt, _ := json.Marshal(q.Prompt)
	options := []byte("[]")
	if len(q.Options) > 0 {
		options, _ = json.Marshal(q.Options)
	}
	row := SurveyQuestion{Key: q.Key, Kind: string(q.Kind), Required: q.Required, Prompt: string(prompt), Options: string(options)}
	if q.ShowIf != nil {
		b, _ := json.Marshal(q.ShowIf)
		row.ShowIf = string(b)
	}
	return row, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FlagRules loads the enabled flag rules as survey.Rules.
func (s *Store) FlagRules(ctx context.Context) (survey.Rules, error) {
	var rows []FlagRule
	if err := s.ctx(ctx).Where("enabled = ?", true).Order("id").Find(&rows).Error; err != nil {
		return survey.Rules{}, wrap("load flag rules", err)
	}
	r := survey.Rules{LowNPS: -1}
	for _, row := range rows {
		switch row.Kind {
		case "low_rating":
			r.LowRating = row.Threshold
		case "low_nps":
			r.LowNPS = row.Threshold
		case "safety":
			for _, w := range lines(row.Words) {
				r.Safety = append(r.Safety, survey.Keyword{Word: w, Category: "safety"})
			}
		case "keyword":
			for _, w := range lines(row.Words) {
				r.Concerns = append(r.Concerns, survey.Keyword{Word: w, Category: row.Category})
			}
		}
	}
	return r, nil
}

// FlagRuleRows lists every flag rule for the admin page.
func (s *Store) FlagRuleRows(ctx context.Context) ([]FlagRule, error) {
	var rows []FlagRule
	err := s.ctx(ctx).Order("id").Find(&rows).Error
	return rows, wrap("list flag rules", err)
}

// SaveFlagRule updates one flag rule.
func (s *Store) SaveFlagRule(ctx context.Context, r FlagRule) error {
	return wrap("save flag rule", s.ctx(ctx).Save(&r).Error)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
