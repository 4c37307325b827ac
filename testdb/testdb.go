// Package testdb gives tests real databases: a fresh SQLite file always,
// and a fresh MySQL database on the PV_TEST_MYSQL_DSN server when that is
// set (CI sets it). Each database is created for the test and dropped
// after, so packages running in parallel never share one.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/patientvoice/patientvoice/models"
)

// Secret is the PV_SECRET tests use.
const Secret = "test-secret-test-secret-test-secret-0123456789"

// Backend is one database a test can run against.
type Backend struct {
	Name   string // "sqlite" or "mysql"
	Driver string
	DSN    string
}

// MySQLDSN returns PV_TEST_MYSQL_DSN (go-sql-driver form), or "".
func MySQLDSN() string { return strings.TrimPrefix(os.Getenv("PV_TEST_MYSQL_DSN"), "mysql://") }

// Backends makes one fresh, empty database per available backend.
func Backends(t testing.TB) []Backend {
	t.Helper()
	out := []Backend{{Name: "sqlite", Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "pv.db")}}
	if MySQLDSN() != "" {
		out = append(out, Backend{Name: "mysql", Driver: "mysql", DSN: NewMySQL(t)})
	}
	return out
}

// NewMySQL creates a utf8mb4 database on the test server, drops it when
// the test ends, and returns a DSN for it.
func NewMySQL(t testing.TB) string {
	t.Helper()
	cfg, err := mysqldriver.ParseDSN(MySQLDSN())
	if err != nil {
		t.Fatalf("PV_TEST_MYSQL_DSN: %v", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "pvt_" + hex.EncodeToString(b)
	admin := *cfg
	admin.DBName = ""
	db, err := sql.Open("mysql", admin.FormatDSN())
	if err != nil {
		t.Fatalf("mysql: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("mysql unreachable or refused CREATE DATABASE (PV_TEST_MYSQL_DSN=%s): %v", admin.Addr, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("mysql", admin.FormatDSN())
		if err == nil {
			_, _ = db.Exec("DROP DATABASE IF EXISTS " + name)
			db.Close()
		}
	})
	cfg.DBName = name
	cfg.ParseTime = true
	return cfg.FormatDSN()
}

// Clock is a settable clock for tests.
// It is safe to read from a running server while a test moves it.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Open opens and migrates a store on b.
func Open(t testing.TB, b Backend, now func() time.Time) *models.Store {
	t.Helper()
	crypto, err := models.NewCrypto(Secret)
	if err != nil {
		t.Fatal(err)
	}
	if now == nil {
		now = time.Now
	}
	s, err := models.Open(context.Background(), models.Options{Driver: b.Driver, DSN: b.DSN, Crypto: crypto, Now: now})
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", b.Name, err)
	}
	return s
}

// Each runs fn once per backend as a subtest with a fresh migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *models.Store)) {
	for _, b := range Backends(t) {
		b := b
		t.Run(b.Name, func(t *testing.T) { fn(t, Open(t, b, nil)) })
	}
}

// URL renders a backend as a PV_DB value.
func (b Backend) URL() string { return fmt.Sprintf("%s://%s", b.Driver, b.DSN) }
