package models

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ReportFilter narrows every report: local days FromDay..ToDay inclusive
// (YYYY-MM-DD), and optionally departments, one channel and one survey.
type ReportFilter struct {
	FromDay, ToDay string
	DepartmentIDs  []uint // empty = all (an agent's scope is never empty)
	Source         string
	SurveyID       uint
	// Scoped says DepartmentIDs is an agent's scope: empty then means none.
	Scoped bool
}

// ReportSum is summed rollup rows for one group; only the grouped columns
// are set.
type ReportSum struct {
	Day          string
	DepartmentID uint
	Source       string
	SurveyID     uint
	KioskID      uint
	QuestionKey  string
	Kind         string
	N            int64
	Top          int64
	Promoters    int64
	Detractors   int64
	Yes          int64
	Sum          int64
}

// inDepartments narrows q to the departments when a list or a scope is
// given; an empty scope matches nothing (id 0 never exists).
func inDepartments(q *gorm.DB, col string, ids []uint, scoped bool) *gorm.DB {
	if len(ids) == 0 && !scoped {
		return q
	}
	return q.Where(col+" IN ?", append([]uint{0}, ids...))
}

var reportGroups = map[string]bool{"day": true, "department_id": true, "source": true, "survey_id": true, "kiosk_id": true, "question_key": true, "kind": true}

func (f ReportFilter) apply(q *gorm.DB) *gorm.DB {
	q = q.Where("day >= ? AND day <= ?", f.FromDay, f.ToDay)
	q = inDepartments(q, "department_id", f.DepartmentIDs, f.Scoped)
	if f.Source != "" {
		q = q.Where("source = ?", f.Source)
	}
	if f.SurveyID != 0 {
		q = q.Where("survey_id = ?", f.SurveyID)
	}
	return q
}

// ReportSums sums the daily rollups in the filter, grouped by the given
// columns (day, department_id, source, survey_id, kiosk_id, question_key,
// kind). Kind "" rows are response counts.
func (s *Store) ReportSums(ctx context.Context, f ReportFilter, groupBy ...string) ([]ReportSum, error) {
	for _, g := range groupBy {
		if !reportGroups[g] {
			return nil, fmt.Errorf("report sums: cannot group by %q", g)
		}
	}
	cols := "SUM(n) AS n, SUM(top) AS top, SUM(promoters) AS promoters, SUM(detractors) AS detractors, SUM(yes) AS yes, SUM(sum) AS sum"
	q := f.apply(s.ctx(ctx).Model(&ReportDaily{}))
	if len(groupBy) > 0 {
		g := ""
		for i, c := range groupBy {
			if i > 0 {
				g += ", "
			}
			g += c
		}
		q = q.Select(g + ", " + cols).Group(g).Order(g)
	} else {
		q = q.Select(cols)
	}
	var out []ReportSum
	return out, wrap("report sums", q.Scan(&out).Error)
}

// ThemeCount is how often a theme was found in comments.
type ThemeCount struct {
	Theme string
	N     int64
}

// ReportThemes lists the most frequent comment themes in the filter.
func (s *Store) ReportThemes(ctx context.Context, f ReportFilter, limit int) ([]ThemeCount, error) {
	var out []ThemeCount
	err := f.apply(s.ctx(ctx).Model(&ReportTheme{})).Select("theme, SUM(n) AS n").Group("theme").
		Order("n DESC, theme").Limit(limit).Scan(&out).Error
	return out, wrap("report themes", err)
}

// ExampleComments returns up to limit of the newest comments with the
// theme in the filter, decrypted: comments only, never who wrote them. It
// reads the example ids the rollup kept, so it costs a few primary-key
// lookups whatever the range.
func (s *Store) ExampleComments(ctx context.Context, f ReportFilter, theme string, limit int) ([]string, error) {
	var rows []string
	if err := f.apply(s.ctx(ctx).Model(&ReportTheme{})).Where("theme = ? AND examples <> ''", theme).
		Order("day DESC").Limit(limit*4).Pluck("examples", &rows).Error; err != nil {
		return nil, wrap("example comments", err)
	}
	var ids []uint64
	for _, r := range rows {
		for _, p := range strings.Split(r, ",") {
			if n, err := strconv.ParseUint(p, 10, 64); err == nil {
				ids = append(ids, n)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var texts []struct{ TextEnc string }
	if err := s.ctx(ctx).Model(&Answer{}).Select("text_enc").Where("id IN ? AND text_enc <> ''", ids).
		Order("id DESC").Limit(limit * 3).Scan(&texts).Error; err != nil {
		return nil, wrap("example comments", err)
	}
	var out []string
	seen := map[string]bool{}
	for _, t := range texts {
		if v, err := s.Crypto.Open(t.TextEnc); err == nil && v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func caseRange(q *gorm.DB, from, to time.Time, depts []uint, scoped bool, source string) *gorm.DB {
	q = q.Where("created_at >= ? AND created_at < ?", from, to)
	q = inDepartments(q, "department_id", depts, scoped)
	if source != "" {
		q = q.Where("source = ?", source)
	}
	return q
}

// CaseFact is what the complaint and handling reports need of one case;
// AckInTime and ResolvedInTime say the deadline was met.
type CaseFact struct {
	CreatedAt                 time.Time
	AcknowledgedAt            *time.Time
	ResolvedAt                *time.Time
	Category                  string
	DepartmentID              uint
	Grievance                 bool
	FollowupAnswer            string
	AckInTime, ResolvedInTime bool
}

// CaseFacts lists the cases opened in [from, to): one scan of the
// covering index ix_cases_report, scanned by hand (a quarter is tens of
// thousands of rows, and reflection cost more than the query).
func (s *Store) CaseFacts(ctx context.Context, from, to time.Time, depts []uint, scoped bool, source string) ([]CaseFact, error) {
	rows, err := caseRange(s.ctx(ctx).Model(&Case{}), from, to, depts, scoped, source).
		Select(`created_at, acknowledged_at, resolved_at, category, department_id, grievance, followup_answer,
			CASE WHEN acknowledged_at IS NOT NULL AND acknowledged_at <= acknowledge_by THEN 1 ELSE 0 END,
			CASE WHEN resolved_at IS NOT NULL AND resolved_at <= resolve_by THEN 1 ELSE 0 END`).Rows()
	if err != nil {
		return nil, wrap("case facts", err)
	}
	defer rows.Close()
	var out []CaseFact
	for rows.Next() {
		var c CaseFact
		var ack, res nullTime
		var ackIn, resIn int
		if err := rows.Scan((*anyTime)(&c.CreatedAt), &ack, &res, &c.Category, &c.DepartmentID, &c.Grievance, &c.FollowupAnswer, &ackIn, &resIn); err != nil {
			return nil, wrap("case facts", err)
		}
		c.AcknowledgedAt, c.ResolvedAt = ack.ptr(), res.ptr()
		c.AckInTime, c.ResolvedInTime = ackIn == 1, resIn == 1
		out = append(out, c)
	}
	return out, wrap("case facts", rows.Err())
}

// anyTime scans a time from either driver: MySQL gives time.Time
// (parseTime=true), SQLite may give the stored text.
type anyTime time.Time

func (t *anyTime) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*t = anyTime(x)
	case string:
		return t.parse(x)
	case []byte:
		return t.parse(string(x))
	case nil:
		*t = anyTime(time.Time{})
	default:
		return fmt.Errorf("scan time: unexpected %T", v)
	}
	return nil
}

func (t *anyTime) parse(s string) error {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999"} {
		if v, err := time.Parse(layout, s); err == nil {
			*t = anyTime(v)
			return nil
		}
	}
	return fmt.Errorf("scan time: cannot parse %q", s)
}

// nullTime is an anyTime that may be NULL.
type nullTime struct {
	t     anyTime
	valid bool
}

func (n *nullTime) Scan(v any) error {
	if v == nil {
		n.valid = false
		return nil
	}
	n.valid = true
	return n.t.Scan(v)
}

func (n nullTime) ptr() *time.Time {
	if !n.valid {
		return nil
	}
	t := time.Time(n.t)
	return &t
}

// GrievancesResolved counts grievances resolved in [from, to).
func (s *Store) GrievancesResolved(ctx context.Context, from, to time.Time, depts []uint, scoped bool) (int64, error) {
	q := s.ctx(ctx).Model(&Case{}).Where("grievance = ? AND resolved_at >= ? AND resolved_at < ?", true, from, to)
	q = inDepartments(q, "department_id", depts, scoped)
	var n int64
	return n, wrap("count resolved grievances", q.Count(&n).Error)
}

// OpenCaseCount is the open and overdue cases of one department now.
type OpenCaseCount struct {
	DepartmentID      uint
	Open              int64
	Overdue           int64
	OverdueGrievances int64
}

// OpenCaseCounts counts open cases per department, and those past a
// deadline at now.
func (s *Store) OpenCaseCounts(ctx context.Context, now time.Time, depts []uint, scoped bool) ([]OpenCaseCount, error) {
	q := s.ctx(ctx).Model(&Case{}).
		Select(`department_id, COUNT(*) AS open,
			SUM(CASE WHEN resolve_by < ? OR (acknowledged_at IS NULL AND acknowledge_by < ?) THEN 1 ELSE 0 END) AS overdue,
			SUM(CASE WHEN grievance = ? AND (resolve_by < ? OR (acknowledged_at IS NULL AND acknowledge_by < ?)) THEN 1 ELSE 0 END) AS overdue_grievances`,
			now, now, true, now, now).
		Where("status IN ?", []string{StatusNew, StatusAcknowledged, StatusInProgress, StatusEscalated})
	q = inDepartments(q, "department_id", depts, scoped)
	var out []OpenCaseCount
	return out, wrap("open case counts", q.Group("department_id").Order("department_id").Scan(&out).Error)
}

// FunnelStep counts invitations of one channel first sent in the range.
type FunnelStep struct {
	Channel   string
	Sent      int64
	Delivered int64
	Started   int64
	Completed int64
}

const funnelFrozenKey = "reports.funnel_frozen"

// Funnel counts the survey invitations first sent in the filter's days
// (local, in loc) per channel: sent, delivered (Twilio's delivery receipt
// for SMS; accepted by the mail server for email, which has no receipts),
// started (an SMS answer or the email page opened) and completed. Frozen
// days come from report_funnels, the rest from the invitations.
func (s *Store) Funnel(ctx context.Context, f ReportFilter, loc *time.Location) ([]FunnelStep, error) {
	start, _, err := DayBounds(f.FromDay, loc)
	if err != nil {
		return nil, err
	}
	_, end, err := DayBounds(f.ToDay, loc)
	if err != nil {
		return nil, err
	}
	frozen, _, err := s.Setting(ctx, funnelFrozenKey)
	if err != nil {
		return nil, err
	}
	by := map[string]*FunnelStep{}
	if frozen != "" && frozen >= f.FromDay {
		ff := f
		ff.Source = ""
		if ff.ToDay > frozen {
			ff.ToDay = frozen
		}
		var rows []FunnelStep
		q := ff.apply(s.ctx(ctx).Model(&ReportFunnel{})).
			Select("channel, SUM(sent) AS sent, SUM(delivered) AS delivered, SUM(started) AS started, SUM(completed) AS completed").Group("channel")
		if err := q.Scan(&rows).Error; err != nil {
			return nil, wrap("funnel", err)
		}
		for i := range rows {
			by[rows[i].Channel] = &rows[i]
		}
		if _, fe, err := DayBounds(frozen, loc); err == nil && fe.After(start) {
			start = fe
		}
	}
	if start.Before(end) {
		live, err := s.funnelLive(ctx, start, end, f, "i.channel")
		if err != nil {
			return nil, err
		}
		for _, r := range live {
			if by[r.Channel] == nil {
				by[r.Channel] = &FunnelStep{Channel: r.Channel}
			}
			b := by[r.Channel]
			b.Sent, b.Delivered, b.Started, b.Completed = b.Sent+r.Sent, b.Delivered+r.Delivered, b.Started+r.Started, b.Completed+r.Completed
		}
	}
	var out []FunnelStep
	for _, ch := range []string{"email", "sms"} {
		if by[ch] != nil {
			out = append(out, *by[ch])
		}
	}
	return out, nil
}

type funnelRow struct {
	FunnelStep
	DepartmentID uint
	SurveyID     uint
}

func (s *Store) funnelLive(ctx context.Context, from, to time.Time, f ReportFilter, group string) ([]funnelRow, error) {
	q := s.ctx(ctx).Table("invitations AS i").
		Select(group+`, COUNT(*) AS sent,
			SUM(CASE WHEN i.started_at IS NOT NULL OR i.status = ? THEN 1 ELSE 0 END) AS started,
			SUM(CASE WHEN i.status = ? THEN 1 ELSE 0 END) AS completed,
			SUM(CASE WHEN i.delivered_at IS NOT NULL THEN 1 ELSE 0 END) AS delivered`,
			InvCompleted, InvCompleted).
		Where("i.first_sent_at >= ? AND i.first_sent_at < ? AND i.channel IN ?", from, to, []string{"sms", "email"})
	q = inDepartments(q, "i.department_id", f.DepartmentIDs, f.Scoped)
	if f.SurveyID != 0 {
		q = q.Where("i.survey_id = ?", f.SurveyID)
	}
	var out []funnelRow
	return out, wrap("funnel", q.Group(group).Scan(&out).Error)
}

// FreezeFunnel stores the funnel of every local day up to through (a day
// old enough that its invitations have expired) in report_funnels, at
// most maxDays days a call, so the dashboard reads a year of funnel from a
// few hundred rows. It returns the days it froze.
func (s *Store) FreezeFunnel(ctx context.Context, loc *time.Location, through string, maxDays int) (int, error) {
	frozen, _, err := s.Setting(ctx, funnelFrozenKey)
	if err != nil {
		return 0, err
	}
	var day time.Time
	if frozen == "" {
		var first Invitation
		err := s.ctx(ctx).Select("id, first_sent_at").Where("first_sent_at IS NOT NULL").Order("first_sent_at").Take(&first).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, wrap("freeze funnel", err)
		}
		l := first.FirstSentAt.In(loc)
		day = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	} else {
		d, err := time.ParseInLocation("2006-01-02", frozen, loc)
		if err != nil {
			return 0, err
		}
		day = d.AddDate(0, 0, 1)
	}
	n := 0
	for ; n < maxDays && day.Format("2006-01-02") <= through; day = day.AddDate(0, 0, 1) {
		d := day.Format("2006-01-02")
		start, end, _ := DayBounds(d, loc)
		rows, err := s.funnelLive(ctx, start, end, ReportFilter{}, "i.channel, i.department_id, i.survey_id")
		if err != nil {
			return n, err
		}
		err = s.write(ctx, "freeze funnel", func(tx *gorm.DB) error { // a day recomputed whole: idempotent
			if err := tx.Where("day = ?", d).Delete(&ReportFunnel{}).Error; err != nil {
				return err
			}
			for _, r := range rows {
				if err := tx.Create(&ReportFunnel{Day: d, DepartmentID: r.DepartmentID, SurveyID: r.SurveyID, Channel: r.Channel,
					Sent: r.Sent, Delivered: r.Delivered, Started: r.Started, Completed: r.Completed}).Error; err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return n, wrap("freeze funnel", err)
		}
		if err := s.SetSetting(ctx, funnelFrozenKey, d); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ReportRows returns the daily rollup rows in the filter as they are
// stored, without grouping: a plain range scan of the primary key (a
// quarter and its predecessor are a few thousand rows), scanned by hand,
// so the dashboard groups them every way it needs in one read.
func (s *Store) ReportRows(ctx context.Context, f ReportFilter) ([]ReportSum, error) {
	rows, err := f.apply(s.ctx(ctx).Model(&ReportDaily{})).
		Select("day, department_id, source, survey_id, kiosk_id, question_key, kind, n, top, promoters, detractors, yes, sum").Rows()
	if err != nil {
		return nil, wrap("report rows", err)
	}
	defer rows.Close()
	var out []ReportSum
	for rows.Next() {
		var r ReportSum
		if err := rows.Scan(&r.Day, &r.DepartmentID, &r.Source, &r.SurveyID, &r.KioskID, &r.QuestionKey, &r.Kind,
			&r.N, &r.Top, &r.Promoters, &r.Detractors, &r.Yes, &r.Sum); err != nil {
			return nil, wrap("report rows", err)
		}
		out = append(out, r)
	}
	return out, wrap("report rows", rows.Err())
}
