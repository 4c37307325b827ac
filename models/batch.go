package models

import (
	"context"
	"fmt"

	"gorm.io/gorm"
)

// MaxBatchRows bounds the rows one transaction writes in bulk work
// (seeding, purges, rollup resets, re-keying). A Galera cluster certifies
// and replicates a transaction as one write set: a big one stalls every
// node while it applies, fails certification against any concurrent
// write it touches, and may exceed wsrep_max_ws_rows; on one server it
// holds locks and undo for as long. Bulk work loops over batches of at
// most this many rows, each in its own short transaction.
const MaxBatchRows = 1000

// batchIDs walks the ids of the rows of model matching where in id order,
// MaxBatchRows at a time, and calls fn with each batch. It pages by id
// (id > last), so fn may change or delete the rows without the walk
// skipping or repeating any. The table must have an integer id column.
func (s *Store) batchIDs(ctx context.Context, model any, where string, args []any, fn func(ids []uint) error) error {
	var last uint
	for {
		var ids []uint
		q := s.ctx(ctx).Model(model).Where("id > ?", last)
		if where != "" {
			q = q.Where(where, args...)
		}
		if err := q.Order("id").Limit(MaxBatchRows).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := fn(ids); err != nil {
			return err
		}
		last = ids[len(ids)-1]
		if len(ids) < MaxBatchRows {
			return nil
		}
	}
}

// deleteInBatches deletes the rows of model matching where, at most
// MaxBatchRows per transaction (each retried on a conflict), and returns
// how many it deleted. This is the helper for purge jobs (identities past
// PV_RETAIN_IDENTITIES, old sessions, old markers): a purge of a year of
// rows must never be one transaction. The table needs an integer id.
func (s *Store) deleteInBatches(ctx context.Context, model any, where string, args ...any) (int64, error) {
	var n int64
	err := s.batchIDs(ctx, model, where, args, func(ids []uint) error {
		var got int64
		err := s.write(ctx, "delete batch", func(tx *gorm.DB) error {
			res := tx.Where("id IN ?", ids).Delete(model)
			got = res.RowsAffected
			return res.Error
		})
		n += got
		return err
	})
	if err != nil {
		return n, fmt.Errorf("delete in batches: %w", err)
	}
	return n, nil
}

// updateInBatches sets values on the rows of model matching where, at
// most MaxBatchRows per transaction, and returns how many rows matched.
// The table needs an integer id.
func (s *Store) updateInBatches(ctx context.Context, model any, where string, args []any, values map[string]any) (int64, error) {
	var n int64
	err := s.batchIDs(ctx, model, where, args, func(ids []uint) error {
		var got int64
		err := s.write(ctx, "update batch", func(tx *gorm.DB) error {
			res := tx.Model(model).Where("id IN ?", ids).Updates(values)
			got = res.RowsAffected
			return res.Error
		})
		n += got
		return err
	})
	if err != nil {
		return n, fmt.Errorf("update in batches: %w", err)
	}
	return n, nil
}
