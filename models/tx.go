package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CommitMarker is a row written inside a transaction whose effect must not
// be applied twice (a case event, a conversation step), so that after a
// connection lost during COMMIT the store can ask the database whether
// that commit happened before running the work again. Markers are only
// read for a moment after their commit; housekeeping deletes old ones.
type CommitMarker struct {
	ID        uint      `gorm:"primaryKey"`
	Token     string    `gorm:"size:32;not null;uniqueIndex:ux_commit_markers_token"`
	CreatedAt time.Time `gorm:"index:ix_commit_markers_created"`
}

// errCommitUnknown marks a connection lost while COMMIT was in flight.
var errCommitUnknown = errors.New("connection lost during commit: outcome unknown")

// write runs fn in a transaction and commits it, running the whole
// transaction again (up to retryAttempts times, with jittered exponential
// backoff) when it fails with a deadlock or Galera certification failure
// (1213), a lock wait timeout (1205), SQLite's busy lock, or a connection
// lost before or during COMMIT (a node killed, a failover behind the
// proxy). fn may therefore run more than once: it must only read and
// write through tx, and leave sending, notifying and other side effects
// to the caller after write returns.
//
// A connection lost during COMMIT may have committed. write runs fn again
// anyway, so fn must be idempotent in the database: an insert guarded by
// a unique key (the caller reads the stored row back on the duplicate), a
// conditional update. Work that is not idempotent uses writeOnce.
func (s *Store) write(ctx context.Context, op string, fn func(tx *gorm.DB) error) error {
	return s.runTx(ctx, op, false, nil, fn)
}

// txInfo tells a caller of writeInfo what happened on the way.
type txInfo struct {
	// commitUnknown: an attempt lost its connection during COMMIT, so a
	// duplicate met by a later attempt may be this call's own row.
	commitUnknown bool
}

// writeInfo is write reporting what happened to the attempts.
func (s *Store) writeInfo(ctx context.Context, op string, info *txInfo, fn func(tx *gorm.DB) error) error {
	return s.runTx(ctx, op, false, info, fn)
}

// writeOnce is write for transactions whose effect must not be applied
// twice (appending case events, advancing a conversation): it adds a
// commit marker row to the transaction, and when the connection is lost
// during COMMIT it looks the marker up (on another connection, with
// wsrep_sync_wait on Galera) and runs fn again only if the commit did
// not happen.
func (s *Store) writeOnce(ctx context.Context, op string, fn func(tx *gorm.DB) error) error {
	return s.runTx(ctx, op, true, nil, fn)
}

func (s *Store) runTx(ctx context.Context, op string, marked bool, info *txInfo, fn func(tx *gorm.DB) error) error {
	var err error
	for n := 1; ; n++ {
		token := ""
		if marked {
			token = markerToken()
		}
		err = s.attempt(ctx, token, fn)
		if errors.Is(err, errCommitUnknown) && info != nil {
			info.commitUnknown = true
		}
		if errors.Is(err, errCommitUnknown) && marked {
			done, cerr := s.committed(ctx, token)
			if cerr == nil && done {
				return nil
			}
			if cerr != nil {
				err = fmt.Errorf("%w (and the check failed: %v)", err, cerr)
			}
		}
		if err == nil || !(isRetryable(err) || isConnLost(err) || errors.Is(err, errCommitUnknown)) {
			return err
		}
		if n == retryAttempts || ctx.Err() != nil {
			s.retries.GaveUp.Add(1)
			return fmt.Errorf("%s: gave up after %d attempts: %w: %w", op, n, ErrUnavailable, err)
		}
		s.retries.count(err)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff(n)):
		}
	}
}

// attempt runs fn once in a transaction. An error of COMMIT that may
// hide a commit is wrapped with errCommitUnknown.
func (s *Store) attempt(ctx context.Context, token string, fn func(tx *gorm.DB) error) (err error) {
	tx := s.ctx(ctx).Begin()
	if tx.Error != nil {
		return tx.Error
	}
	defer func() {
		if r := recover(); r != nil {
			tx.Rollback()
			panic(r)
		}
	}()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if token != "" {
		if err := tx.Create(&CommitMarker{Token: token, CreatedAt: s.Now()}).Error; err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit().Error; err != nil {
		if isConnLost(err) {
			return fmt.Errorf("%w: %w", errCommitUnknown, err)
		}
		return err
	}
	return nil
}

// committed reports whether the transaction with this marker committed,
// asking a fresh connection a few times while the database is away.
func (s *Store) committed(ctx context.Context, token string) (bool, error) {
	var err error
	for n := 1; n <= retryAttempts; n++ {
		var found []uint
		// a locking read: if the COMMIT is still being processed (or the
		// server is rolling the orphaned transaction back), it waits for
		// the marker row's lock instead of missing an in-flight commit
		err = s.syncRead(ctx, func(db *gorm.DB) error {
			return db.Model(&CommitMarker{}).Clauses(clause.Locking{Strength: "UPDATE"}).
				Where("token = ?", token).Limit(1).Pluck("id", &found).Error
		})
		if err == nil {
			return len(found) == 1, nil
		}
		select {
		case <-ctx.Done():
			return false, err
		case <-time.After(backoff(n)):
		}
	}
	return false, err
}

func markerToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// PurgeCommitMarkers deletes markers older than age, in batches; they
// are only needed for the moment after their commit.
func (s *Store) PurgeCommitMarkers(ctx context.Context, age time.Duration) (int64, error) {
	return s.deleteInBatches(ctx, &CommitMarker{}, "created_at < ?", s.Now().Add(-age))
}
