package models

import (
	"context"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// Two transactions taking two rows in opposite order deadlock on MySQL
// (1213, as a Galera certification failure does): write runs the loser
// again, so both changes land and the retry is counted.
func TestWriteRetriesDeadlock(t *testing.T) {
	s, ok := internalStores(t)["mysql"]
	if !ok {
		t.Skip("needs MySQL (PV_TEST_MYSQL_DSN): SQLite has one writer and no deadlocks")
	}
	ctx := context.Background()
	for _, k := range []string{"a", "b"} {
		if err := s.SetSetting(ctx, "deadlock."+k, "0"); err != nil {
			t.Fatal(err)
		}
	}
	bump := func(tx *gorm.DB, k string) error {
		return tx.Model(&Setting{}).Where("`key` = ?", "deadlock."+k).Update("value", gorm.Expr("value + 1")).Error
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.write(ctx, "deadlock", func(tx *gorm.DB) error {
				if err := bump(tx, order[0]); err != nil {
					return err
				}
				time.Sleep(300 * time.Millisecond) // both hold their first row
				return bump(tx, order[1])
			})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("a deadlocked write was not retried: %v", err)
		}
	}
	for _, k := range []string{"a", "b"} {
		if v, _, _ := s.Setting(ctx, "deadlock."+k); v != "2" {
			t.Fatalf("deadlock.%s = %s; want 2 (both transactions applied once)", k, v)
		}
	}
	if s.Retries().Conflicts.Load() == 0 {
		t.Fatalf("no conflict counted: the transactions did not deadlock, the test proves nothing")
	}
}
