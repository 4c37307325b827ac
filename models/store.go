// Package models is the only package that talks to the database: GORM
// models, versioned migrations, seed data and store methods, plus the field
// encryption that keeps PHI unreadable in a dump.
package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/patientvoice/patientvoice/password"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Domain errors the HTTP layer maps to status codes.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)

// Store wraps the database connection, the PHI cipher and the clock.
type Store struct {
	db     *gorm.DB
	Crypto *Crypto
	driver string
	now    func() time.Time
	// wsrep is true on a Galera node (wsrep_on=ON): reads that must see
	// the latest commit of another node then ask for wsrep_sync_wait.
	wsrep   bool
	retries *RetryStats
	policy  *password.Policy
}

// Options configures Open.
type Options struct {
	Driver string // sqlite or mysql
	DSN    string
	Crypto *Crypto
	// Now is the clock; time.Now when nil. Tests inject a fixed clock.
	Now func() time.Time
	// MaxOpenConns bounds the pool (MySQL); 0 picks a default.
	MaxOpenConns int
}

// Open connects, configures the pool and checks the database answers.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Crypto == nil {
		return nil, errors.New("open database: no crypto configured")
	}
	gcfg := &gorm.Config{
		Logger:                                   logger.Discard,
		NowFunc:                                  func() time.Time { return o.Now().UTC().Truncate(time.Millisecond) },
		DisableForeignKeyConstraintWhenMigrating: true,
		// a single statement is atomic on its own; GORM's default wraps
		// each write in BEGIN/COMMIT, tripling its round trips. Writes
		// that must go together use explicit transactions.
		SkipDefaultTransaction: true,
		TranslateError:         true,
	}
	var dial gorm.Dialector
	switch o.Driver {
	case "sqlite":
		dsn, err := sqliteDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		dial = sqlite.Open(dsn)
	case "mysql":
		dsn, err := mysqlDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		dial = mysql.New(mysql.Config{DSN: dsn, DefaultStringSize: 255})
	default:
		return nil, fmt.Errorf("open database: unknown driver %q", o.Driver)
	}
	db, err := gorm.Open(dial, gcfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if o.Driver == "mysql" {
		n := o.MaxOpenConns
		if n == 0 {
			n = 32
		}
		sqlDB.SetMaxOpenConns(n)
		sqlDB.SetMaxIdleConns(n)
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
		sqlDB.SetConnMaxIdleTime(time.Minute)
	} else {
		sqlDB.SetMaxOpenConns(8)
		sqlDB.SetMaxIdleConns(8)
	}
	s := &Store{db: db, Crypto: o.Crypto, driver: o.Driver, now: o.Now, retries: &RetryStats{}, policy: password.New()}
	if o.Driver == "mysql" {
		pool := &readRetryPool{db: sqlDB, stats: s.retries}
		db.Config.ConnPool, db.Statement.ConnPool = pool, pool
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if o.Driver == "mysql" {
		if s.wsrep, err = detectWsrep(pctx, db); err != nil {
			_ = sqlDB.Close()
			return nil, err
		}
	}
	return s, nil
}

func sqliteDSN(path string) (string, error) {
	file, query, _ := strings.Cut(path, "?")
	if dir := filepath.Dir(file); dir != "" && !strings.HasPrefix(file, ":memory:") && !strings.HasPrefix(file, "file:") {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", fmt.Errorf("open database: create %s: %w", dir, err)
		}
	}
	params := "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if query != "" {
		params = query + "&" + params
	}
	return file + "?" + params, nil
}

func mysqlDSN(dsn string) (string, error) {
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("PV_DB: %w", err)
	}
	cfg.ParseTime = true
	cfg.ClientFoundRows = true // RowsAffected counts matched rows, as on SQLite
	cfg.Loc = time.UTC
	// parameters are interpolated client-side (safe with utf8mb4): one
	// round trip a statement instead of prepare, execute and close
	cfg.InterpolateParams = true
	cfg.Collation = "utf8mb4_unicode_ci"
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["charset"] = "utf8mb4"
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 { // a backstop for dead connections; longer than the migration lock wait
		cfg.ReadTimeout = 180 * time.Second
		cfg.WriteTimeout = 60 * time.Second
	}
	return cfg.FormatDSN(), nil
}

// Driver names the backend: "sqlite" or "mysql".
func (s *Store) Driver() string { return s.driver }

// Now is the store's clock, exposed so callers share one notion of time.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Ping checks the database answers; /healthz uses it.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close releases the pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// wrap turns GORM's errors into domain errors so callers never see SQL.
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", op, ErrConflict)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// isDuplicate reports a unique-index violation on either backend.
func isDuplicate(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "Duplicate entry")
}

func (s *Store) ctx(ctx context.Context) *gorm.DB { return s.db.WithContext(ctx) }

// Setting reads a key from the settings table; "" with ok=false when unset.
func (s *Store) Setting(ctx context.Context, key string) (string, bool, error) {
	var row Setting
	err := s.ctx(ctx).Where("`key` = ?", key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, wrap("read setting", err)
	}
	return row.Value, true, nil
}

// SetSetting writes a key (the last writer wins). Two servers creating
// the same new key at once both succeed: the loser of the insert race
// updates the winner's row.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	upd := map[string]any{"value": value, "updated_at": s.Now()}
	return s.write(ctx, "write setting", func(tx *gorm.DB) error {
		res := tx.Model(&Setting{}).Where("`key` = ?", key).Updates(upd)
		if res.Error != nil || res.RowsAffected > 0 {
			return res.Error
		}
		err := tx.Create(&Setting{Key: key, Value: value}).Error
		if err != nil && isDuplicate(err) {
			return tx.Model(&Setting{}).Where("`key` = ?", key).Updates(upd).Error
		}
		return err
	})
}

// Claim inserts a marker setting and reports whether this call inserted it:
// the first of several servers to claim a one-time job wins. The row
// carries a token of this call, so a claim whose INSERT was retried after
// a conflict or a lost connection (it may have committed) still knows it
// won when the retry meets its own row.
func (s *Store) Claim(ctx context.Context, key string) (bool, error) {
	mine := s.Now().Format(time.RFC3339) + " " + markerToken()
	err := s.retry(ctx, "claim "+key, true, func() error {
		return s.ctx(ctx).Create(&Setting{Key: key, Value: mine}).Error
	})
	if err == nil {
		return true, nil
	}
	if !isDuplicate(err) {
		return false, wrap("claim "+key, err)
	}
	var row Setting
	err = s.syncRead(ctx, func(db *gorm.DB) error { return db.Where("`key` = ?", key).Take(&row).Error })
	if err != nil {
		return false, wrap("claim "+key, err)
	}
	return row.Value == mine, nil
}

// RawDB opens a plain database/sql pool on the same database with the same
// settings as Open, for the benchmark's raw INSERT ceiling.
func RawDB(o Options) (*sql.DB, error) {
	switch o.Driver {
	case "mysql":
		dsn, err := mysqlDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		db, err := sql.Open("mysql", dsn)
		if err != nil {
			return nil, err
		}
		n := o.MaxOpenConns
		if n == 0 {
			n = 32
		}
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		return db, nil
	case "sqlite":
		dsn, err := sqliteDSN(o.DSN)
		if err != nil {
			return nil, err
		}
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(8)
		return db, nil
	}
	return nil, fmt.Errorf("raw db: unknown driver %q", o.Driver)
}
