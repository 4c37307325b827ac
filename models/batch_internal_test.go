package models

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// (testdb imports models, so this internal test opens its own databases
// the way testdb does.)
func internalStores(t *testing.T) map[string]*Store {
	t.Helper()
	out := map[string]*Store{}
	crypto, err := NewCrypto(strings.Repeat("k", 40))
	if err != nil {
		t.Fatal(err)
	}
	open := func(name, driver, dsn string) {
		s, err := Open(context.Background(), Options{Driver: driver, DSN: dsn, Crypto: crypto})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		out[name] = s
	}
	open("sqlite", "sqlite", filepath.Join(t.TempDir(), "pv.db"))
	if dsn := strings.TrimPrefix(os.Getenv("PV_TEST_MYSQL_DSN"), "mysql://"); dsn != "" {
		cfg, err := mysqldriver.ParseDSN(dsn)
		if err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 6)
		_, _ = rand.Read(b)
		cfg.DBName = ""
		admin, err := sql.Open("mysql", cfg.FormatDSN())
		if err != nil {
			t.Fatal(err)
		}
		name := "pvt_" + hex.EncodeToString(b)
		if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE " + name); admin.Close() })
		cfg.DBName = name
		open("mysql", "mysql", cfg.FormatDSN())
	}
	return out
}

// rowCounter counts the rows each transaction (or autocommit statement)
// writes, through GORM callbacks on the store's own connection.
type rowCounter struct {
	mu    sync.Mutex
	perTx map[any]int64
	max   int64
}

func countRows(t *testing.T, s *Store) *rowCounter {
	rc := &rowCounter{perTx: map[any]int64{}}
	hook := func(db *gorm.DB) {
		if db.Error != nil {
			return
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		var key any = new(int) // an autocommit statement is its own transaction
		if tx, ok := db.Statement.ConnPool.(*sql.Tx); ok {
			key = tx
		}
		rc.perTx[key] += db.RowsAffected
		rc.max = max(rc.max, rc.perTx[key])
	}
	cb := s.db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("test:rows_create", hook),
		cb.Update().After("gorm:update").Register("test:rows_update", hook),
		cb.Delete().After("gorm:delete").Register("test:rows_delete", hook),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return rc
}

// Bulk seeding, batched updates and purges never write more than
// MaxBatchRows rows in one transaction, while doing all the work.
func TestBulkWorkStaysWithinBatchRows(t *testing.T) {
	for name, s := range internalStores(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			rc := countRows(t, s)
			err := s.BulkSeed(ctx, BulkOptions{Responses: 2500, Cases: 700, Days: 20, Now: time.Now().UTC(), Loc: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			s.db.Model(&Response{}).Count(&n)
			if n != 2500 {
				t.Fatalf("%d responses seeded; want 2500", n)
			}
			s.db.Model(&Case{}).Count(&n)
			if n != 700 {
				t.Fatalf("%d cases seeded; want 700", n)
			}
			got, err := s.updateInBatches(ctx, &Response{}, "rolled_up = ?", []any{true}, map[string]any{"rolled_up": false})
			if err != nil || got != 2500 {
				t.Fatalf("update in batches: %d, %v", got, err)
			}
			old := s.Now().Add(-2 * time.Hour)
			markers := make([]CommitMarker, 2300)
			for i := range markers {
				markers[i] = CommitMarker{Token: markerToken(), CreatedAt: old}
			}
			if err := s.db.CreateInBatches(markers, 500).Error; err != nil {
				t.Fatal(err)
			}
			if del, err := s.PurgeCommitMarkers(ctx, time.Hour); err != nil || del != 2300 {
				t.Fatalf("purge: %d, %v", del, err)
			}
			if rc.max > MaxBatchRows {
				t.Fatalf("a transaction wrote %d rows; the bound is %d", rc.max, MaxBatchRows)
			}
			if rc.max < MaxBatchRows/2 {
				t.Fatalf("largest transaction %d rows: the counter sees nothing", rc.max)
			}
			t.Logf("largest transaction: %d rows", rc.max)
		})
	}
}
