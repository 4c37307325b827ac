package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"gorm.io/gorm"
)

// Lock is one named lease in the locks table. It replaces MySQL's
// GET_LOCK, which is local to one node of a Galera cluster (two servers on
// two nodes both get the "same" lock): a row is the same row on every
// node, every server and every backend (MySQL, MariaDB, Galera, TiDB,
// SQLite). A lease is taken and renewed by a conditional UPDATE whose
// RowsAffected says who won, released by clearing its owner, and may be
// stolen once it has expired, so a server killed while holding one stops
// nobody for longer than the lease.
type Lock struct {
	Name       string    `gorm:"primaryKey;size:100"`
	Owner      string    `gorm:"size:100;not null;default:''"`
	ExpiresAt  time.Time `gorm:"not null"`
	AcquiredAt time.Time `gorm:"not null"`
}

// Lock names in use. Each guards work that must run on one server at a
// time across the whole deployment.
const (
	LockMigrate = "schema.migrate"
	LockRollup  = "reports.rollup"
	LockDemo    = "demo.seed"
)

// ErrLocked means another server holds the lock and did not release it
// within the wait.
var ErrLocked = errors.New("held by another server")

// ErrLockLost means a lease expired and another server took it over: the
// work done under it must not be committed.
var ErrLockLost = errors.New("lock lost: the lease expired and another server took it")

// Lease is a lock row this process holds until Release.
type Lease struct {
	s     *Store
	name  string
	owner string
	ttl   time.Duration
}

// Name is the lock's name.
func (l *Lease) Name() string { return l.name }

// Owner is the unique owner string written in the row while held.
func (l *Lease) Owner() string { return l.owner }

// ensureLockTable creates the locks table when it is missing. It runs
// before any lock is taken (the migrations need one), so two servers may
// both try: "table already exists" (MySQL 1050) from the loser is success.
func (s *Store) ensureLockTable(ctx context.Context) error {
	m := s.ctx(ctx).Migrator()
	if m.HasTable(&Lock{}) {
		return nil
	}
	if err := m.CreateTable(&Lock{}); err != nil && !isTableExists(err) {
		return fmt.Errorf("create locks table: %w", err)
	}
	return nil
}

// leaseOwner makes an owner string unique to this acquisition: host and
// pid say which server holds it (shown to operators), the random part
// keeps two acquisitions in one process apart.
func leaseOwner() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return truncate(fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b)), 100)
}

// TryLock takes the named lock for ttl if it is free or its lease has
// expired; ok is false when another holder has it. It never waits.
func (s *Store) TryLock(ctx context.Context, name string, ttl time.Duration) (*Lease, bool, error) {
	owner := leaseOwner()
	now := s.Now()
	res := s.ctx(ctx).Model(&Lock{}).Where("name = ? AND (owner = '' OR expires_at < ?)", name, now).
		Updates(map[string]any{"owner": owner, "expires_at": now.Add(ttl), "acquired_at": now})
	if res.Error != nil {
		if isRetryable(res.Error) { // a concurrent taker on another node won certification
			return nil, false, nil
		}
		return nil, false, wrap("take lock "+name, res.Error)
	}
	l := &Lease{s: s, name: name, owner: owner, ttl: ttl}
	if res.RowsAffected == 1 {
		return l, true, nil
	}
	// no row matched: held by someone, or the row does not exist yet
	err := s.ctx(ctx).Create(&Lock{Name: name, Owner: owner, ExpiresAt: now.Add(ttl), AcquiredAt: now}).Error
	switch {
	case err == nil:
		return l, true, nil
	case isDuplicate(err) || isRetryable(err):
		return nil, false, nil
	}
	return nil, false, wrap("take lock "+name, err)
}

// Lock waits up to wait for the named lock, polling; ErrLocked when the
// wait ends first.
func (s *Store) Lock(ctx context.Context, name string, ttl, wait time.Duration) (*Lease, error) {
	deadline := time.Now().Add(wait)
	pause := 50 * time.Millisecond
	for {
		l, ok, err := s.TryLock(ctx, name, ttl)
		if err != nil || ok {
			return l, err
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("lock %s: %w (waited %v)", name, ErrLocked, wait)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("lock %s: %w", name, ctx.Err())
		case <-time.After(jitter(pause)):
		}
		pause = min(2*pause, time.Second)
	}
}

// Renew extends the lease by its ttl from now; ErrLockLost when another
// server took it over after it expired.
func (l *Lease) Renew(ctx context.Context) error {
	return l.hold(l.s.ctx(ctx))
}

// Hold renews the lease inside tx, so tx commits only while the lease is
// still this holder's: work that a stalled holder finishes after its
// lease was taken over rolls back with ErrLockLost instead of racing the
// new holder (on Galera the two updates of the row also conflict at
// certification, and only one commits).
func (l *Lease) Hold(tx *gorm.DB) error { return l.hold(tx) }

func (l *Lease) hold(db *gorm.DB) error {
	now := l.s.Now()
	res := db.Model(&Lock{}).Where("name = ? AND owner = ?", l.name, l.owner).Update("expires_at", now.Add(l.ttl))
	if res.Error != nil {
		return fmt.Errorf("renew lock %s: %w", l.name, res.Error)
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("renew lock %s: %w", l.name, ErrLockLost)
	}
	return nil
}

// Release frees the lock for the next taker; a lease already lost is not
// an error (the new holder keeps it).
func (l *Lease) Release(ctx context.Context) error {
	err := l.s.retry(ctx, "release lock "+l.name, true, func() error {
		return l.s.ctx(ctx).Model(&Lock{}).Where("name = ? AND owner = ?", l.name, l.owner).
			Updates(map[string]any{"owner": "", "expires_at": l.s.Now()}).Error
	})
	return wrap("release lock "+l.name, err)
}

// WithLock runs fn while holding the named lock: it waits up to wait to
// take it, renews the lease every third of ttl while fn runs (so work
// longer than ttl keeps it), and releases it afterwards. fn's context is
// cancelled if the lease is lost, and the error is then ErrLockLost.
func (s *Store) WithLock(ctx context.Context, name string, ttl, wait time.Duration, fn func(ctx context.Context, l *Lease) error) error {
	l, err := s.Lock(ctx, name, ttl, wait)
	if err != nil {
		return err
	}
	// release with a context of its own: fn's may be cancelled
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = l.Release(rctx)
	}()
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				err := s.retry(wctx, "renew lock "+name, true, func() error { return l.Renew(wctx) })
				if errors.Is(err, ErrLockLost) {
					cancel(err)
					return
				}
			}
		}
	}()
	err = fn(wctx, l)
	close(stop)
	<-done
	if cause := context.Cause(wctx); errors.Is(cause, ErrLockLost) {
		return cause
	}
	return err
}

// LockHolders lists the locks currently held, for operators.
func (s *Store) LockHolders(ctx context.Context) ([]Lock, error) {
	var out []Lock
	err := s.ctx(ctx).Where("owner <> '' AND expires_at >= ?", s.Now()).Order("name").Find(&out).Error
	return out, wrap("list locks", err)
}
