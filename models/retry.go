package models

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// MySQL error numbers the store acts on.
const (
	errLockWaitTimeout = 1205 // ER_LOCK_WAIT_TIMEOUT
	errDeadlock        = 1213 // ER_LOCK_DEADLOCK; also a Galera certification failure
	errTableExists     = 1050 // ER_TABLE_EXISTS_ERROR
)

// Retry bounds: a conflicting write is tried up to retryAttempts times,
// sleeping retryBase, 2x, 4x ... (capped at retryMaxPause) with full
// jitter between tries, so two servers that collided do not collide again
// in step.
const (
	retryAttempts = 6
	retryBase     = 15 * time.Millisecond
	retryMaxPause = 400 * time.Millisecond
)

func mysqlErrno(err error) uint16 {
	var me *mysqldriver.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}

// isRetryable reports a conflict that rolled the transaction back and is
// worth running again: a deadlock or Galera certification failure (1213),
// a lock wait timeout (1205), or SQLite's busy writer lock.
func isRetryable(err error) bool {
	if err == nil {
		return false
	}
	switch mysqlErrno(err) {
	case errDeadlock, errLockWaitTimeout:
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_BUSY")
}

// isConnLost reports a connection that died under a statement: the
// database node went away (SIGKILL, failover behind a proxy). Whether the
// statement took effect is unknown.
func isConnLost(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysqldriver.ErrInvalidConn) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	switch mysqlErrno(err) {
	case 1053, 2006, 2013: // server shutdown, gone away, lost during query
		return true
	case 1047: // WSREP has not yet prepared node for application use (node leaving the cluster)
		return true
	}
	return false
}

// isTableExists reports CREATE TABLE losing a race to another server.
func isTableExists(err error) bool {
	if mysqlErrno(err) == errTableExists {
		return true
	}
	return err != nil && strings.Contains(err.Error(), "already exists")
}

// jitter returns a random duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}

// backoff is the pause before retry n (1-based).
func backoff(n int) time.Duration {
	d := retryBase << (n - 1)
	return rand.N(min(d, retryMaxPause) + 1)
}

// ErrUnavailable means the database kept refusing a write (conflicts or
// lost connections through every retry) or is not answering: the client
// should try again shortly (503), nothing was stored half-way.
var ErrUnavailable = errors.New("database unavailable")

// RetryStats counts writes that were run again, by cause; /metrics shows
// them so operators see how often servers collide on the cluster.
type RetryStats struct {
	Conflicts atomic.Uint64 // 1213 deadlock or certification failure
	LockWaits atomic.Uint64 // 1205 lock wait timeout
	ConnLost  atomic.Uint64 // connection lost mid-transaction or during commit
	GaveUp    atomic.Uint64 // still failing after the last attempt
}

func (r *RetryStats) count(err error) {
	switch {
	case mysqlErrno(err) == errLockWaitTimeout:
		r.LockWaits.Add(1)
	case isConnLost(err):
		r.ConnLost.Add(1)
	default:
		r.Conflicts.Add(1)
	}
}

// Retries exposes the store's retry counters.
func (s *Store) Retries() *RetryStats { return s.retries }

// retry runs fn, one autocommit statement (or a few), again while it
// fails with a conflict (which guarantees it did not apply), with
// jittered backoff. When idempotent is true it is also run again after a
// lost connection, which may have applied it: only for statements that
// do nothing the second time (an insert guarded by a unique key whose
// duplicate the caller reads back, setting a value, renewing a lease). A
// conditional claim is not idempotent in that sense: its second run
// matches nothing and would report the claim lost.
func (s *Store) retry(ctx context.Context, op string, idempotent bool, fn func() error) error {
	var err error
	for n := 1; ; n++ {
		err = fn()
		if err == nil || !(isRetryable(err) || idempotent && isConnLost(err)) {
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

// exec runs one autocommit write through retry and returns the rows it
// matched: the hot single statements (claims, marks, heartbeats) go
// through it so a certification conflict with another node is run again
// rather than answered 500.
func (s *Store) exec(ctx context.Context, op string, idempotent bool, fn func(db *gorm.DB) *gorm.DB) (int64, error) {
	var n int64
	err := s.retry(ctx, op, idempotent, func() error {
		res := fn(s.ctx(ctx))
		n = res.RowsAffected
		return res.Error
	})
	return n, wrap(op, err)
}
