package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// RestoreSeedSurvey puts a seeded survey back as the first seed wrote it
// (English, Spanish, Arabic; version 1), as a database from before the
// Chinese and Vietnamese migration has it.
func (s *Store) RestoreSeedSurvey(ctx context.Context, key string) error {
	for _, ss := range seedSurveys() {
		if ss.survey.Key != key {
			continue
		}
		return s.ctx(ctx).Transaction(func(tx *gorm.DB) error {
			var sv Survey
			if err := tx.Where("`key` = ?", key).Take(&sv).Error; err != nil {
				return err
			}
			if err := tx.Model(&sv).Updates(map[string]any{"languages": ss.survey.Languages, "version": ss.survey.Version}).Error; err != nil {
				return err
			}
			for _, q := range ss.questions {
				if err := tx.Model(&SurveyQuestion{}).Where("survey_id = ? AND `key` = ?", sv.ID, q.Key).
					Updates(map[string]any{"prompt": q.Prompt, "options": q.Options}).Error; err != nil {
					return err
				}
			}
			return nil
		})
	}
	return fmt.Errorf("no seeded survey %q", key)
}

// SeedInfoScreen is an information screen as the first seed wrote it.
func SeedInfoScreen(key string) string { return defaultInfoScreens()[key] }

// AddSeedLanguages runs the Chinese and Vietnamese migration's step again.
func (s *Store) AddSeedLanguages(ctx context.Context) error {
	return s.ctx(ctx).Transaction(func(tx *gorm.DB) error { return addSeedLanguages(tx) })
}

// UndoMigrationForTest forgets that a migration ran, so a test can run it
// again on data shaped like an older release's.
func (s *Store) UndoMigrationForTest(ctx context.Context, version int) error {
	return s.ctx(ctx).Where("version = ?", version).Delete(&SchemaMigration{}).Error
}

// StaffSecurityVersion is the version of the staff sign-in migration.
func StaffSecurityVersion() int {
	for _, m := range migrations() {
		if m.name == "staff account lifecycle, second-factor replay, stream leases, throttles" {
			return m.version
		}
	}
	return 0
}
