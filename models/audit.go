package models

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Audit appends one audit row. Audit rows are never updated or deleted; the
// store has no method that could.
func (s *Store) Audit(ctx context.Context, actor, action, record, ip, detail string) error {
	_, err := s.exec(ctx, "write audit", false, func(db *gorm.DB) *gorm.DB {
		row := AuditLog{At: s.Now(), Actor: actor, Action: action, Record: record, IP: ip, Detail: truncate(detail, 2000)}
		return db.Create(&row)
	})
	return err
}

// AuditFilter narrows an audit search.
type AuditFilter struct {
	Actor, Action, Record string
	From, To              time.Time
	Limit                 int
}

// AuditSearch lists audit rows, newest first.
func (s *Store) AuditSearch(ctx context.Context, f AuditFilter) ([]AuditLog, error) {
	q := s.ctx(ctx).Model(&AuditLog{})
	if f.Actor != "" {
		q = q.Where("actor = ?", f.Actor)
	}
	if f.Action != "" {
		q = q.Where("action = ?", f.Action)
	}
	if f.Record != "" {
		q = q.Where("record = ?", f.Record)
	}
	if !f.From.IsZero() {
		q = q.Where("at >= ?", f.From)
	}
	if !f.To.IsZero() {
		q = q.Where("at < ?", f.To)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	var out []AuditLog
	err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error
	return out, wrap("search audit", err)
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
