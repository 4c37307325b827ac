package models

import (
	"context"
	"fmt"
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

var reportGroups = map[string]bool{"day": true, "department_id": true, "source": true, "survey_id": true, "kiosk_id": true, "question_key": true, "kind": true}

func (f ReportFilter) apply(q *gorm.DB) *gorm.DB {
	q = q.Where("day >= ? AND day <= ?", f.FromDay, f.ToDay)
	if len(f.DepartmentIDs) > 0 {
		q = q.Where("department_id IN ?", f.DepartmentIDs)
	} else if f.Scoped {
		q = q.Where("1 = 0")
	}
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

// ExampleComments returns up to limit recent comments with the theme in
// [from, to), decrypted: comments only, never who wrote them.
func (s *Store) ExampleComments(ctx context.Context, f ReportFilter, from, to time.Time, theme string, limit int) ([]string, error) {
	var rows []struct{ TextEnc, Tags string }
	q := s.ctx(ctx).Table("answers AS a").Joins("JOIN responses AS r ON r.id = a.response_id").
		Select("a.text_enc, a.tags").
		Where("r.submitted_at >= ? AND r.submitted_at < ? AND r.completed = ? AND r.suspicious = ? AND a.kind = ? AND a.text_enc <> '' AND a.tags LIKE ?",
			from, to, true, false, "text", "%"+theme+"%")
	if len(f.DepartmentIDs) > 0 || f.Scoped {
		q = q.Where("r.department_id IN ?", append([]uint{0}, f.DepartmentIDs...))
	}
	if f.Source != "" {
		q = q.Where("r.source = ?", f.Source)
	}
	if f.SurveyID != 0 {
		q = q.Where("r.survey_id = ?", f.SurveyID)
	}
	if err := q.Order("r.submitted_at DESC").Limit(limit * 4).Scan(&rows).Error; err != nil {
		return nil, wrap("example comments", err)
	}
	var out []string
	for _, r := range rows {
		if !hasTag(r.Tags, theme) {
			continue
		}
		if t, err := s.Crypto.Open(r.TextEnc); err == nil && t != "" {
			out = append(out, t)
		}
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

func hasTag(tags, t string) bool {
	for len(tags) > 0 {
		var cur string
		cur, tags, _ = cutComma(tags)
		if cur == t {
			return true
		}
	}
	return false
}

func cutComma(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// CaseFact is what the handling and complaint reports need of one case.
type CaseFact struct {
	ID             uint
	Category       string
	DepartmentID   uint
	Priority       string
	Status         string
	Source         string
	Grievance      bool
	CreatedAt      time.Time
	AcknowledgeBy  time.Time
	ResolveBy      time.Time
	AcknowledgedAt *time.Time
	ResolvedAt     *time.Time
	FollowupAnswer string
}

// CaseFacts lists the cases opened in [from, to) in the departments
// (empty and not scoped = all), oldest first.
func (s *Store) CaseFacts(ctx context.Context, from, to time.Time, depts []uint, scoped bool, source string) ([]CaseFact, error) {
	q := s.ctx(ctx).Model(&Case{}).Select("id, category, department_id, priority, status, source, grievance, created_at, acknowledge_by, resolve_by, acknowledged_at, resolved_at, followup_answer").
		Where("created_at >= ? AND created_at < ?", from, to)
	if len(depts) > 0 || scoped {
		q = q.Where("department_id IN ?", append([]uint{0}, depts...))
	}
	if source != "" {
		q = q.Where("source = ?", source)
	}
	var out []CaseFact
	return out, wrap("case facts", q.Order("created_at").Scan(&out).Error)
}

// GrievancesResolved counts grievances resolved in [from, to).
func (s *Store) GrievancesResolved(ctx context.Context, from, to time.Time, depts []uint, scoped bool) (int64, error) {
	q := s.ctx(ctx).Model(&Case{}).Where("grievance = ? AND resolved_at >= ? AND resolved_at < ?", true, from, to)
	if len(depts) > 0 || scoped {
		q = q.Where("department_id IN ?", append([]uint{0}, depts...))
	}
	var n int64
	return n, wrap("count resolved grievances", q.Count(&n).Error)
}

// OpenCaseCount is the open and overdue cases of one department now.
type OpenCaseCount struct {
	DepartmentID uint
	Open         int64
	Overdue      int64
}

// OpenCaseCounts counts open cases per department, and those past a
// deadline at now.
func (s *Store) OpenCaseCounts(ctx context.Context, now time.Time, depts []uint, scoped bool) ([]OpenCaseCount, error) {
	q := s.ctx(ctx).Model(&Case{}).
		Select("department_id, COUNT(*) AS open, SUM(CASE WHEN resolve_by < ? OR (acknowledged_at IS NULL AND acknowledge_by < ?) THEN 1 ELSE 0 END) AS overdue", now, now).
		Where("status IN ?", []string{StatusNew, StatusAcknowledged, StatusInProgress, StatusEscalated})
	if len(depts) > 0 || scoped {
		q = q.Where("department_id IN ?", append([]uint{0}, depts...))
	}
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

// Funnel counts the survey invitations first sent in [from, to) per
// channel: sent, delivered (Twilio's delivery receipt for SMS; accepted by
// the mail server for email, which has no receipts), started (an SMS
// answer or the email page opened) and completed.
func (s *Store) Funnel(ctx context.Context, from, to time.Time, depts []uint, scoped bool, surveyID uint) ([]FunnelStep, error) {
	q := s.ctx(ctx).Table("invitations AS i").
		Select(`i.channel, COUNT(*) AS sent,
			SUM(CASE WHEN i.started_at IS NOT NULL OR i.status = ? THEN 1 ELSE 0 END) AS started,
			SUM(CASE WHEN i.status = ? THEN 1 ELSE 0 END) AS completed,
			SUM(CASE WHEN EXISTS (SELECT 1 FROM outbound_messages o WHERE o.invitation_id = i.id AND o.kind = 'invitation'
				AND (o.status = ? OR (o.channel = 'email' AND o.status = ?))) THEN 1 ELSE 0 END) AS delivered`,
			InvCompleted, InvCompleted, OutDelivered, OutSent).
		Where("i.first_sent_at >= ? AND i.first_sent_at < ? AND i.channel IN ?", from, to, []string{"sms", "email"})
	if len(depts) > 0 || scoped {
		q = q.Where("i.department_id IN ?", append([]uint{0}, depts...))
	}
	if surveyID != 0 {
		q = q.Where("i.survey_id = ?", surveyID)
	}
	var out []FunnelStep
	return out, wrap("funnel", q.Group("i.channel").Order("i.channel").Scan(&out).Error)
}

// MarkInvitationStarted records the funnel's "started" step once.
func (s *Store) MarkInvitationStarted(ctx context.Context, id uint) error {
	return wrap("mark invitation started", s.ctx(ctx).Model(&Invitation{}).Where("id = ? AND started_at IS NULL", id).
		Update("started_at", s.Now()).Error)
}
