package models

import (
	"context"
	"errors"
	"fmt"
	"time"

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
		{6, "lock rows and commit markers (clusters)", func(tx *gorm.DB, _ *Store) error {
			for _, t := range []any{&Lock{}, &CommitMarker{}} {
				if !tx.Migrator().HasTable(t) {
					if err := tx.Migrator().CreateTable(t); err != nil {
						return err
					}
				}
			}
			return nil
		}},
		{7, "seeded surveys and information screens in Chinese and Vietnamese", func(tx *gorm.DB, _ *Store) error {
			return addSeedLanguages(tx)
		}},
		{8, "responses by time stored, for the FHIR feed", func(tx *gorm.DB, _ *Store) error {
			if tx.Migrator().HasIndex(&Response{}, "ix_responses_received") {
				return nil
			}
			return tx.Migrator().CreateIndex(&Response{}, "ix_responses_received")
		}},
		{9, "staff account lifecycle, second-factor replay, stream leases, throttles", migrateStaffSecurity},
		{10, "drop invitations.token_hash: links are signed, never looked up", func(tx *gorm.DB, _ *Store) error {
			m := tx.Migrator()
			if m.HasIndex(&Invitation{}, "ix_invitations_token") {
				if err := m.DropIndex(&Invitation{}, "ix_invitations_token"); err != nil {
					return fmt.Errorf("drop ix_invitations_token: %w", err)
				}
			}
			if m.HasColumn(&Invitation{}, "token_hash") {
				// plain SQL: both databases drop a column in place (SQLite
				// since 3.35), where GORM's SQLite migrator copies the table
				if err := tx.Exec("ALTER TABLE invitations DROP COLUMN token_hash").Error; err != nil {
					return fmt.Errorf("drop invitations.token_hash: %w", err)
				}
			}
			return nil
		}},
	}
}

// Migration lock lease: renewed every third while migrations run, so only
// a server that stopped (killed, partitioned) loses it; the others wait up
// to migrationWait for the one migrating.
const (
	migrationLease = 2 * time.Minute
	migrationWait  = 10 * time.Minute
)

// Migrate applies pending migrations once, even when several servers start
// together on one database or on different nodes of a Galera cluster: the
// locks table is created first (losing a CREATE race is fine), then the
// servers queue for the schema.migrate lock row, and the holder reads
// schema_migrations as the whole cluster has it before applying what is
// missing. On MySQL the steps run on one pinned connection (DDL commits on
// its own); on SQLite in one transaction.
func (s *Store) Migrate(ctx context.Context) (applied int, err error) {
	if err := s.ensureLockTable(ctx); err != nil {
		return 0, err
	}
	err = s.WithLock(ctx, LockMigrate, migrationLease, migrationWait, func(ctx context.Context, _ *Lease) error {
		if s.driver == "mysql" {
			return s.syncRead(ctx, func(conn *gorm.DB) error {
				applied, err = s.applyMigrations(conn)
				return err
			})
		}
		return s.ctx(ctx).Transaction(func(tx *gorm.DB) error {
			applied, err = s.applyMigrations(tx)
			return err
		})
	})
	if errors.Is(err, ErrLocked) {
		return 0, fmt.Errorf("take migration lock: %w: another server has been migrating for over %v", err, migrationWait)
	}
	return applied, err
}

func (s *Store) applyMigrations(tx *gorm.DB) (int, error) {
	tx = tx.Session(&gorm.Session{NewDB: true}) // every statement starts clean on the pinned connection
	if !tx.Migrator().HasTable(&SchemaMigration{}) {
		// a server of an older release may still be migrating under GET_LOCK
		if err := tx.Migrator().CreateTable(&SchemaMigration{}); err != nil && !isTableExists(err) {
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
