package models

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// readRetryPool is the connection pool GORM uses outside transactions. It
// runs a read (SELECT, SHOW) again, on another connection, when its
// connection died under it: behind a proxy in front of a Galera cluster a
// node killed mid-query costs the request nothing, the next connection
// reaching a live node. Writes and transactions pass through untouched
// (their retries are decided by write, writeOnce and exec, which know
// whether running again is safe).
type readRetryPool struct {
	db    *sql.DB
	stats *RetryStats
}

// PrepareContext implements gorm.ConnPool.
func (p *readRetryPool) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return p.db.PrepareContext(ctx, query)
}

// ExecContext implements gorm.ConnPool.
func (p *readRetryPool) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.db.ExecContext(ctx, query, args...)
}

// QueryContext implements gorm.ConnPool, retrying reads on a lost
// connection.
func (p *readRetryPool) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := p.db.QueryContext(ctx, query, args...)
	for n := 1; err != nil && n < retryAttempts && isRead(query) && isConnLost(err) && ctx.Err() == nil; n++ {
		p.stats.ConnLost.Add(1)
		select {
		case <-ctx.Done():
			return rows, err
		case <-time.After(backoff(n)):
		}
		rows, err = p.db.QueryContext(ctx, query, args...)
	}
	return rows, err
}

// QueryRowContext implements gorm.ConnPool (its error surfaces at Scan,
// too late to retry; GORM reads through QueryContext).
func (p *readRetryPool) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.db.QueryRowContext(ctx, query, args...)
}

// BeginTx implements gorm.TxBeginner.
func (p *readRetryPool) BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error) {
	return p.db.BeginTx(ctx, opts)
}

// GetDBConn implements gorm.GetDBConnector, so Store.db.DB() still finds
// the pool (Ping, Close, pinned connections).
func (p *readRetryPool) GetDBConn() (*sql.DB, error) { return p.db, nil }

func isRead(query string) bool {
	q := strings.TrimLeft(query, " \t\r\n(")
	if len(q) < 6 {
		return false
	}
	head := strings.ToUpper(q[:6])
	return head == "SELECT" || strings.HasPrefix(head, "SHOW")
}
