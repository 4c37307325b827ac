package models_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

// 25 takers at once, each with its own pool as separate servers would
// have: exactly one gets the lock.
func TestLockOneHolder(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			testdb.Open(t, b, nil)
			stores := make([]*models.Store, 5)
			for i := range stores {
				stores[i] = testdb.Open(t, b, nil)
			}
			var won atomic.Int32
			var wg sync.WaitGroup
			for i := 0; i < 25; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, ok, err := stores[i%len(stores)].TryLock(context.Background(), "test.one", time.Minute)
					if err != nil {
						t.Error(err)
					}
					if ok {
						won.Add(1)
					}
				}()
			}
			wg.Wait()
			if won.Load() != 1 {
				t.Fatalf("%d takers got the lock; want 1", won.Load())
			}
		})
	}
}

// A lease that is not renewed is taken over after it expires; the old
// holder then cannot renew, hold it in a transaction, or release the new
// holder's lease.
func TestLockStolenAfterLease(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			clock := testdb.NewClock(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
			s := testdb.Open(t, b, clock.Now)
			ctx := context.Background()
			old, ok, err := s.TryLock(ctx, "test.lease", time.Minute)
			if err != nil || !ok {
				t.Fatalf("first take: %v %v", ok, err)
			}
			if _, ok, _ := s.TryLock(ctx, "test.lease", time.Minute); ok {
				t.Fatal("a held lease was taken")
			}
			clock.Advance(50 * time.Second)
			if err := old.Renew(ctx); err != nil {
				t.Fatalf("renew: %v", err)
			}
			clock.Advance(50 * time.Second) // renewed: 10 s left
			if _, ok, _ := s.TryLock(ctx, "test.lease", time.Minute); ok {
				t.Fatal("a renewed lease was taken")
			}
			clock.Advance(11 * time.Second)
			thief, ok, err := s.TryLock(ctx, "test.lease", time.Minute)
			if err != nil || !ok {
				t.Fatalf("take after expiry: %v %v", ok, err)
			}
			if err := old.Renew(ctx); !errors.Is(err, models.ErrLockLost) {
				t.Fatalf("old holder renewed a stolen lease: %v", err)
			}
			if err := old.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.TryLock(ctx, "test.lease", time.Minute); ok {
				t.Fatal("the old holder's release freed the new holder's lease")
			}
			if err := thief.Release(ctx); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.TryLock(ctx, "test.lease", time.Minute); !ok {
				t.Fatal("a released lock could not be taken")
			}
		})
	}
}

// WithLock renews the lease while the work runs longer than it, so no
// one else gets in, and releases it at the end.
func TestWithLockRenewsAndReleases(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		inside := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			// the work lasts twice the lease: only renewals keep it
			done <- s.WithLock(ctx, "test.long", 1500*time.Millisecond, time.Second, func(ctx context.Context, _ *models.Lease) error {
				close(inside)
				time.Sleep(3 * time.Second)
				return ctx.Err()
			})
		}()
		<-inside
		for i := 0; i < 10; i++ {
			if _, ok, err := s.TryLock(ctx, "test.long", time.Second); ok || err != nil {
				t.Fatalf("taken while held and renewed (%v)", err)
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		err := s.WithLock(ctx, "test.long", time.Second, time.Second, func(context.Context, *models.Lease) error { return nil })
		if err != nil {
			t.Fatalf("not released: %v", err)
		}
	})
}

// Waiters queue: ten workers incrementing a counter under the lock never
// overlap.
func TestWithLockExcludes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		var inside, overlaps, runs atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.WithLock(context.Background(), "test.queue", time.Minute, 30*time.Second, func(context.Context, *models.Lease) error {
					if inside.Add(1) > 1 {
						overlaps.Add(1)
					}
					time.Sleep(20 * time.Millisecond)
					inside.Add(-1)
					runs.Add(1)
					return nil
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if overlaps.Load() != 0 || runs.Load() != 10 {
			t.Fatalf("%d runs, %d overlapping", runs.Load(), overlaps.Load())
		}
	})
}

// One-time claims: of 25 claimers exactly one wins.
func TestClaimOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		var won atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 25; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.Claim(context.Background(), "weekly-report:test")
				if err != nil {
					t.Error(err)
				}
				if ok {
					won.Add(1)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d claims won; want 1", won.Load())
		}
	})
}
