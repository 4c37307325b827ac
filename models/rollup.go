package models

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

const (
	rollupZoneKey = "reports.timezone"
	// rollupBatch is how many pending responses one pass reads; their
	// days are recomputed one transaction per day and the responses
	// marked MaxBatchRows at a time.
	rollupBatch = 5000
	rollupLease = time.Minute
	rollupWait  = 30 * time.Second
)

// DayBounds is the UTC instants a local date covers in loc: [start, end).
// Days are 23 or 25 hours long at a DST change.
func DayBounds(day string, loc *time.Location) (time.Time, time.Time, error) {
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	return d.UTC(), d.AddDate(0, 0, 1).UTC(), nil
}

// RefreshReports counts the responses not yet in the report rollups: it
// recomputes every local day (in loc) such a response falls on, then marks
// them. It is cheap when nothing is pending, runs on one server at a time
// (the reports.rollup lock row, so also across Galera nodes), and a
// response committed late is simply picked up next time. It returns how
// many responses it folded in.
func (s *Store) RefreshReports(ctx context.Context, loc *time.Location) (int, error) {
	zone, _, err := s.Setting(ctx, rollupZoneKey)
	if err != nil {
		return 0, err
	}
	if zone == loc.String() {
		pending, err := s.rollupPending(ctx)
		if err != nil || !pending {
			return 0, err
		}
	}
	total := 0
	err = s.WithLock(ctx, LockRollup, rollupLease, rollupWait, func(ctx context.Context, l *Lease) error {
		if err := s.checkRollupZone(ctx, loc); err != nil {
			return err
		}
		for {
			n, err := s.refreshBatch(ctx, loc, l)
			total += n
			if err != nil || n == 0 {
				return err
			}
		}
	})
	return total, wrap("refresh reports", err)
}

func (s *Store) rollupPending(ctx context.Context) (bool, error) {
	var probe []uint
	err := s.ctx(ctx).Model(&Response{}).Where("rolled_up = ?", false).Limit(1).Pluck("id", &probe).Error
	return len(probe) > 0, wrap("reports pending", err)
}

// refreshBatch folds up to rollupBatch pending responses in. Each day is
// recomputed from scratch in its own transaction, fenced by the lease (a
// holder whose lease was taken over cannot commit), and only then are the
// responses marked: a crash in between recomputes the days again, which
// changes nothing.
func (s *Store) refreshBatch(ctx context.Context, loc *time.Location, l *Lease) (int, error) {
	var rows []struct {
		ID          uint
		SubmittedAt time.Time
	}
	// any order would do; id order walks ix_responses_rollup
	if err := s.ctx(ctx).Model(&Response{}).Select("id, submitted_at").Where("rolled_up = ?", false).
		Order("id").Limit(rollupBatch).Scan(&rows).Error; err != nil {
		return 0, err
	}
	if len(rows) == 0 {
		return 0, nil
	}
	days := map[string]bool{}
	ids := make([]uint, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
		days[r.SubmittedAt.In(loc).Format("2006-01-02")] = true
	}
	list := make([]string, 0, len(days))
	for d := range days {
		list = append(list, d)
	}
	sort.Strings(list)
	for _, d := range list {
		err := s.write(ctx, "roll up "+d, func(tx *gorm.DB) error {
			if err := l.Hold(tx); err != nil {
				return err
			}
			return rollupDay(tx, d, loc)
		})
		if err != nil {
			return 0, err
		}
	}
	for i := 0; i < len(ids); i += MaxBatchRows {
		chunk := ids[i:min(i+MaxBatchRows, len(ids))]
		err := s.retry(ctx, "mark rolled up", true, func() error {
			return s.ctx(ctx).Model(&Response{}).Where("id IN ?", chunk).Update("rolled_up", true).Error
		})
		if err != nil {
			return i, err
		}
	}
	return len(ids), nil
}

// RebuildReportDays recomputes the rollups of the given local days (the
// bulk seeder uses it after writing responses already marked rolled up).
func (s *Store) RebuildReportDays(ctx context.Context, loc *time.Location, days []string) error {
	for _, d := range days {
		if err := s.write(ctx, "rebuild report day", func(tx *gorm.DB) error { return rollupDay(tx, d, loc) }); err != nil {
			return wrap("rebuild report day "+d, err)
		}
	}
	return nil
}

// checkRollupZone starts the rollups over when PV_TIMEZONE changed, since
// every day boundary moved. It runs under the rollup lock, deletes one
// day at a time and unmarks responses MaxBatchRows at a time (no
// transaction as big as the table), and records the new zone last, so an
// interrupted reset starts again.
func (s *Store) checkRollupZone(ctx context.Context, loc *time.Location) error {
	name := loc.String()
	cur, ok, err := s.Setting(ctx, rollupZoneKey)
	if err != nil || ok && cur == name {
		return err
	}
	if ok { // the zone changed: recount everything
		for _, t := range []any{&ReportDaily{}, &ReportTheme{}, &ReportFunnel{}} {
			var days []string
			if err := s.ctx(ctx).Model(t).Distinct("day").Pluck("day", &days).Error; err != nil {
				return wrap("reset rollups", err)
			}
			for _, d := range days {
				if err := s.retry(ctx, "reset rollups", true, func() error { return s.ctx(ctx).Where("day = ?", d).Delete(t).Error }); err != nil {
					return wrap("reset rollups", err)
				}
			}
		}
		if err := s.ctx(ctx).Where("`key` = ?", funnelFrozenKey).Delete(&Setting{}).Error; err != nil {
			return wrap("reset rollups", err)
		}
		if _, err := s.updateInBatches(ctx, &Response{}, "rolled_up = ?", []any{true}, map[string]any{"rolled_up": false}); err != nil {
			return wrap("reset rollups", err)
		}
	}
	return s.SetSetting(ctx, rollupZoneKey, name)
}

// rollupDay recomputes one local day from the responses and answers.
func rollupDay(tx *gorm.DB, day string, loc *time.Location) error {
	start, end, err := DayBounds(day, loc)
	if err != nil {
		return err
	}
	if err := tx.Where("day = ?", day).Delete(&ReportDaily{}).Error; err != nil {
		return err
	}
	if err := tx.Where("day = ?", day).Delete(&ReportTheme{}).Error; err != nil {
		return err
	}
	var out []ReportDaily
	if err := tx.Model(&Response{}).
		Select("department_id, source, survey_id, COALESCE(kiosk_id, 0) AS kiosk_id, COUNT(*) AS n").
		Where("submitted_at >= ? AND submitted_at < ? AND completed = ? AND suspicious = ?", start, end, true, false).
		Group("department_id, source, survey_id, COALESCE(kiosk_id, 0)").Scan(&out).Error; err != nil {
		return err
	}
	var ans []ReportDaily
	if err := tx.Table("answers AS a").Joins("JOIN responses AS r ON r.id = a.response_id").
		Select(`r.department_id, r.source, r.survey_id, COALESCE(r.kiosk_id, 0) AS kiosk_id, a.question_key, a.kind,
			COUNT(*) AS n,
			SUM(CASE WHEN a.int_value = 5 THEN 1 ELSE 0 END) AS top,
			SUM(CASE WHEN a.int_value >= 9 THEN 1 ELSE 0 END) AS promoters,
			SUM(CASE WHEN a.int_value <= 6 THEN 1 ELSE 0 END) AS detractors,
			SUM(CASE WHEN a.bool_value = ? THEN 1 ELSE 0 END) AS yes,
			COALESCE(SUM(a.int_value), 0) AS sum`, true).
		Where("r.submitted_at >= ? AND r.submitted_at < ? AND r.completed = ? AND r.suspicious = ? AND a.kind IN ?",
			start, end, true, false, []string{"rating5", "nps", "yesno"}).
		Group("r.department_id, r.source, r.survey_id, COALESCE(r.kiosk_id, 0), a.question_key, a.kind").Scan(&ans).Error; err != nil {
		return err
	}
	out = append(out, ans...)
	for i := range out {
		out[i].Day = day
	}
	if len(out) > 0 {
		if err := tx.CreateInBatches(out, 500).Error; err != nil {
			return err
		}
	}
	var tagged []struct {
		ID           uint
		DepartmentID uint
		Source       string
		SurveyID     uint
		Tags         string
	}
	if err := tx.Table("answers AS a").Joins("JOIN responses AS r ON r.id = a.response_id").
		Select("a.id, r.department_id, r.source, r.survey_id, a.tags").
		Where("r.submitted_at >= ? AND r.submitted_at < ? AND r.completed = ? AND r.suspicious = ? AND a.tags <> ''", start, end, true, false).
		Scan(&tagged).Error; err != nil {
		return err
	}
	// newest first, sorted here: an ORDER BY on the answers' key would
	// make MySQL walk the whole answers table
	sort.Slice(tagged, func(i, j int) bool { return tagged[i].ID > tagged[j].ID })
	type key struct {
		dept   uint
		source string
		survey uint
		theme  string
	}
	type agg struct {
		n   int64
		ids []string
	}
	counts := map[key]*agg{}
	for _, t := range tagged {
		for _, th := range strings.Split(t.Tags, ",") {
			if th = strings.TrimSpace(th); th == "" || len(th) > 64 {
				continue
			}
			k := key{t.DepartmentID, t.Source, t.SurveyID, th}
			if counts[k] == nil {
				counts[k] = &agg{}
			}
			a := counts[k]
			a.n++
			if len(a.ids) < 3 {
				a.ids = append(a.ids, strconv.FormatUint(uint64(t.ID), 10))
			}
		}
	}
	themes := make([]ReportTheme, 0, len(counts))
	for k, a := range counts {
		themes = append(themes, ReportTheme{Day: day, DepartmentID: k.dept, Source: k.source, SurveyID: k.survey, Theme: k.theme, N: a.n,
			Examples: strings.Join(a.ids, ",")})
	}
	if len(themes) > 0 {
		return tx.CreateInBatches(themes, 500).Error
	}
	return nil
}
