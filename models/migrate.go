package models

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// migration is one schema step. Steps are append-only: never edit one that
// has shipped, add the next.
type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB, s *Store) error
}

func migrations() []migration {
	return []migration{
		{1, "initial schema", func(tx *gorm.DB, _ *Store) error {
			for _, t := range allTables() {
				if tx.Migrator().HasTable(t) {
					continue
				}
				if err := tx.Migrator().CreateTable(t); err != nil {
					return err
				}
			}
			return nil
		}},
		{2, "seed departments, surveys and rules", func(tx *gorm.DB, s *Store) error {
			return seed(tx, s.Now())
		}},
		{3, "invitation answers in progress", func(tx *gorm.DB, _ *Store) error {
			if tx.Migrator().HasColumn(&Invitation{}, "AnswersEnc") {
				return nil
			}
			return tx.Migrator().AddColumn(&Invitation{}, "AnswersEnc")
		}},
		{4, "case satisfaction follow-up", func(tx *gorm.DB, _ *Store) error {
			for _, col := range []string{"FollowupSentAt", "FollowupAnswer", "FollowupAnsweredAt"} {
				if tx.Migrator().HasColumn(&Case{}, col) {
					continue
				}
				if err := tx.Migrator().AddColumn(&Case{}, col); err != nil {
					return fmt.Errorf("add cases.%s: %w", col, err)
				}
			}
			return nil
		}},
		{5, "report rollups and the funnel's started step", func(tx *gorm.DB, _ *Store) error {
			for _, t := range []any{&ReportDaily{}, &ReportTheme{}, &ReportFunnel{}} {
				if !tx.Migrator().HasTable(t) {
					if err := tx.Migrator().CreateTable(t); err != nil {
						return err
					}
				}
			}
			if !tx.Migrator().HasIndex(&OutboundMessage{}, "ix_outbound_invitation") {
				if err := tx.Migrator().CreateIndex(&OutboundMessage{}, "ix_outbound_invitation"); err != nil {
					return err
				}
			}
			for _, col := range []string{"StartedAt", "DeliveredAt"} {
				if !tx.Migrator().HasColumn(&Invitation{}, col) {
					if err := tx.Migrator().AddColumn(&Invitation{}, col); err != nil {
						return err
					}
				}
			}
			if !tx.Migrator().HasIndex(&Invitation{}, "ix_invitations_sent") {
				if err := tx.Migrator().CreateIndex(&Invitation{}, "ix_invitations_sent"); err != nil {
					return err
				}
			}
			// ix_cases_report covers the reports' scans of a date range
			if !tx.Migrator().HasIndex(&Case{}, "ix_cases_report") {
				if err := tx.Migrator().CreateIndex(&Case{}, "ix_cases_report"); err != nil {
					return err
				}
			}
			if !tx.Migrator().HasIndex(&Case{}, "ix_cases_resolved") {
				if err := tx.Migrator().CreateIndex(&Case{}, "ix_cases_resolved"); err != nil {
					return err
				}
			}
			if !tx.Migrator().HasColumn(&Response{}, "RolledUp") {
				if err := tx.Migrator().AddColumn(&Response{}, "RolledUp"); err != nil {
					return err
				}
				return tx.Migrator().CreateIndex(&Response{}, "ix_responses_rollup")
			}
			return nil
		}},
	}
}

// MigrationLock names the MySQL advisory lock servers take before migrating.
const migrationLock = "patientvoice_migrate"

// Migrate applies pending migrations once, even when several servers start
// together: on MySQL under GET_LOCK on one pinned connection, on SQLite in
// one immediate transaction.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	if s.driver == "mysql" {
		err = s.ctx(ctx).Connection(func(conn *gorm.DB) error {
			var got *int
			if err := conn.Raw("SELECT GET_LOCK(?, 120)", migrationLock).Scan(&got).Error; err != nil {
				return fmt.Errorf("take migration lock: %w", err)
			}
			if got == nil || *got != 1 {
				return errors.New("take migration lock: timed out after 120s (another server is migrating)")
			}
			defer conn.Exec("SELECT RELEASE_LOCK(?)", migrationLock)
			applied, err = s.applyMigrations(conn)
			return err
		})
		return applied, err
	}
	err = s.ctx(ctx).Transaction(func(tx *gorm.DB) error {
		applied, err = s.applyMigrations(tx)
		return err
	})
	return applied, err
}

func (s *Store) applyMigrations(tx *gorm.DB) (int, error) {
	tx = tx.Session(&gorm.Session{NewDB: true}) // every statement starts clean on the pinned connection
	if !tx.Migrator().HasTable(&SchemaMigration{}) {
		if err := tx.Migrator().CreateTable(&SchemaMigration{}); err != nil {
			return 0, fmt.Errorf("create schema_migrations: %w", err)
		}
	}
	var done []int
	if err := tx.Model(&SchemaMigration{}).Pluck("version", &done).Error; err != nil {
		return 0, fmt.Errorf("read schema_migrations: %w", err)
	}
	have := map[int]bool{}
	for _, v := range done {
		have[v] = true
	}
	n := 0
	for _, m := range migrations() {
		if have[m.version] {
			continue
		}
		if err := m.up(tx, s); err != nil {
			return n, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		row := SchemaMigration{Version: m.version, Name: m.name, AppliedAt: s.Now()}
		if err := tx.Create(&row).Error; err != nil {
			return n, fmt.Errorf("record migration %d: %w", m.version, err)
		}
		n++
	}
	return n, nil
}

// SchemaVersion returns the highest applied migration (0 on an empty DB).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if !s.db.Migrator().HasTable(&SchemaMigration{}) {
		return 0, nil
	}
	var v *int
	err := s.ctx(ctx).Model(&SchemaMigration{}).Select("MAX(version)").Scan(&v).Error
	if err != nil || v == nil {
		return 0, wrap("schema version", err)
	}
	return *v, nil
}

// LatestSchemaVersion is the version this binary migrates to.
func LatestSchemaVersion() int {
	m := migrations()
	return m[len(m)-1].version
}
