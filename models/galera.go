package models

import (
	"context"
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// detectWsrep asks the server whether it is a Galera node with
// replication on. Plain MySQL and TiDB have no such variable; a MariaDB
// without a provider says OFF.
func detectWsrep(ctx context.Context, db *gorm.DB) (bool, error) {
	var rows []struct {
		VariableName string `gorm:"column:Variable_name"`
		Value        string `gorm:"column:Value"`
	}
	if err := db.WithContext(ctx).Raw("SHOW VARIABLES LIKE 'wsrep_on'").Scan(&rows).Error; err != nil {
		return false, fmt.Errorf("open database: detect galera: %w", err)
	}
	return len(rows) == 1 && strings.EqualFold(rows[0].Value, "ON"), nil
}

// Galera reports whether the database is a Galera cluster node.
func (s *Store) Galera() bool { return s.wsrep }

// syncRead runs fn with reads that see every transaction committed
// anywhere in the cluster before it started. On a Galera node it pins one
// connection and sets wsrep_sync_wait for fn's statements (the node first
// applies what it has received), then restores the session default; on
// one server, or on SQLite, a read sees the latest commit anyway and fn
// simply runs.
//
// Use it where a read must find what another server has just written: a
// replay arriving on a node right after the first request committed on
// another one, a duplicate key whose winner must be read back.
func (s *Store) syncRead(ctx context.Context, fn func(db *gorm.DB) error) error {
	if !s.wsrep {
		return fn(s.ctx(ctx))
	}
	// a read is safe to run again: a connection lost under it (a node
	// going away behind the proxy) costs another connection, not an error
	return s.retry(ctx, "read", true, func() error {
		return s.ctx(ctx).Connection(func(conn *gorm.DB) error {
			// 1: causality checks on reads (SELECT, SHOW, BEGIN)
			if err := conn.Exec("SET SESSION wsrep_sync_wait = 1").Error; err != nil {
				return fmt.Errorf("wsrep_sync_wait: %w", err)
			}
			defer conn.Exec("SET SESSION wsrep_sync_wait = DEFAULT")
			return fn(conn.Session(&gorm.Session{NewDB: true}))
		})
	})
}
