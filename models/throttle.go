package models

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CountRequest adds one request to bucket's count for the minute starting
// at window and returns the count so far, this request included. The
// upsert and the read are one transaction that holds the row, so the
// count holds across servers and under parallel requests: of N requests
// exactly min(N, limit) see a count <= limit.
func (s *Store) CountRequest(ctx context.Context, class, bucket, address string, window time.Time, limit int) (int, error) {
	var n int
	err := s.write(ctx, "count request", func(tx *gorm.DB) error {
		row := ThrottleCount{Bucket: bucket, WindowStart: window, Class: class, Address: truncate(address, 64), N: 1, Limit: limit}
		err := tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "bucket"}, {Name: "window_start"}},
			DoUpdates: clause.Assignments(map[string]any{"n": clause.Expr{SQL: "n + 1"}}),
		}).Create(&row).Error
		if err != nil {
			return err
		}
		return tx.Model(&ThrottleCount{}).Where("bucket = ? AND window_start = ?", bucket, window).Pluck("n", &n).Error
	})
	return n, wrap("count request", err)
}

// ThrottleSummary is what one class of routes refused in one minute.
type ThrottleSummary struct {
	Class   string
	Window  time.Time
	Refused int
	// Top lists the addresses refused most ("1.2.3.4 x3000"), and "all"
	// for refusals of the overall limit.
	Top []string
}

// SummarizeThrottles claims, for every class and minute before before
// that refused requests, the one audit summary of that minute: a
// conditional update marks the minute's rows, so with several servers
// each summary is written once.
func (s *Store) SummarizeThrottles(ctx context.Context, before time.Time) ([]ThrottleSummary, error) {
	type key struct {
		Class       string
		WindowStart time.Time
	}
	var due []key
	err := s.ctx(ctx).Model(&ThrottleCount{}).Select("class, window_start").
		Where("window_start < ? AND summarized = ? AND n > lim", before, false).Group("class, window_start").Scan(&due).Error
	if err != nil {
		return nil, wrap("throttle summary", err)
	}
	var out []ThrottleSummary
	for _, k := range due {
		res := s.ctx(ctx).Model(&ThrottleCount{}).Where("class = ? AND window_start = ? AND summarized = ? AND n > lim", k.Class, k.WindowStart, false).
			Update("summarized", true)
		if res.Error != nil {
			return out, wrap("throttle summary", res.Error)
		}
		if res.RowsAffected == 0 {
			continue // another server wrote it
		}
		var rows []ThrottleCount
		if err := s.ctx(ctx).Where("class = ? AND window_start = ? AND n > lim", k.Class, k.WindowStart).Find(&rows).Error; err != nil {
			return out, wrap("throttle summary", err)
		}
		sort.Slice(rows, func(i, j int) bool { return rows[i].N-rows[i].Limit > rows[j].N-rows[j].Limit })
		sum := ThrottleSummary{Class: k.Class, Window: k.WindowStart}
		for i, r := range rows {
			sum.Refused += r.N - r.Limit
			if i < 5 {
				who := r.Address
				if who == "" {
					who = "all"
				}
				sum.Top = append(sum.Top, fmt.Sprintf("%s x%d", who, r.N-r.Limit))
			}
		}
		out = append(out, sum)
	}
	return out, nil
}

// String is the summary's audit detail.
func (t ThrottleSummary) String() string {
	return fmt.Sprintf("%d %s requests refused in the minute from %s UTC (%s)", t.Refused, t.Class,
		t.Window.UTC().Format("2006-01-02 15:04"), strings.Join(t.Top, ", "))
}

// PurgeThrottles deletes counts older than before that need no summary.
func (s *Store) PurgeThrottles(ctx context.Context, before time.Time) error {
	err := s.ctx(ctx).Where("window_start < ? AND (summarized = ? OR n <= lim)", before, true).Delete(&ThrottleCount{}).Error
	return wrap("purge throttles", err)
}
