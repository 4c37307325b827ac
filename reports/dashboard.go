package reports

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Query is what the dashboard, the exports and the weekly email report
// on: a range, optional department (code), channel and survey, and the
// viewer's department scope (agents).
type Query struct {
	Range      Range
	Department string
	Channel    string
	SurveyID   uint
	Scope      []string // department codes an agent may see
	// Scoped makes Scope a limit even when empty (an agent with no
	// department sees nothing); false with an empty Scope means all.
	Scoped bool
	// Bucketing groups the trends; empty picks one from the range length.
	Bucketing Bucketing
}

// Dashboard is every figure of the reports page.
type Dashboard struct {
	Query     Query
	Bucketing Bucketing
	Buckets   []string

	Now, Prev Score
	// Volume is responses per bucket and channel.
	Volume map[string]map[string]int64
	Funnel []FunnelRow
	// Trend is the scores per bucket.
	Trend       map[string]*Score
	Questions   []QuestionRow
	Departments []DeptRow
	Channels    []ChannelRow

	CasesByCategory                      []Count
	CasesByDept                          []Count
	CaseTrend                            map[string]int64
	Themes                               []ThemeRow
	GrievancesOpened, GrievancesResolved int64
	// OverdueGrievances is open grievances past a deadline now.
	OverdueGrievances int64

	kioskRows []models.ReportSum // the period's rollup rows, for kiosk activity

	Handling Handling
	Open     []OpenRow
	Kiosks   []KioskRow
	Followup FollowupRow
}

// FunnelRow is one channel's invitation funnel with its step rates.
type FunnelRow struct {
	models.FunnelStep
	DeliveredRate, StartedRate, CompletedRate, ResponseRate *float64
}

// QuestionRow scores one question now and in the previous period.
type QuestionRow struct {
	SurveyID uint
	Key      string
	Prompt   string
	Kind     string
	Now      Score
	Prev     Score
}

// Value is the question's headline: top-box for rating5, yes share for
// yes/no, NPS for nps.
func (q QuestionRow) Value(s Score) *float64 {
	switch q.Kind {
	case "rating5":
		return s.TopBox()
	case "yesno":
		return s.YesShare()
	case "nps":
		return s.NPS()
	}
	return nil
}

// N is how many answers the headline rests on.
func (q QuestionRow) N(s Score) int64 {
	switch q.Kind {
	case "rating5":
		return s.Rating5
	case "yesno":
		return s.YesNoN
	}
	return s.NPSN
}

// DeptRow is one department's scores.
type DeptRow struct {
	Code, Name string
	Now, Prev  Score
}

// ChannelRow is one channel's scores.
type ChannelRow struct {
	Channel   string
	Now, Prev Score
}

// Count is a labelled number.
type Count struct {
	Label string
	N     int64
}

// ThemeRow is a comment theme with a few example comments.
type ThemeRow struct {
	Theme    string
	N        int64
	Examples []string
}

// Handling is how fast cases opened in the range were handled.
type Handling struct {
	Cases                    int
	AckP50, AckP90           time.Duration
	ResolveP50, ResolveP90   time.Duration
	Acked, Resolved          int
	AckWithin, ResolveWithin *float64 // share of acknowledged (resolved) cases that met the deadline
}

// OpenRow is one department's open and overdue cases now.
type OpenRow struct {
	Code, Name    string
	Open, Overdue int64
}

// KioskRow is one kiosk's responses in the range.
type KioskRow struct {
	Name, Location, Department string
	Responses                  int64
	LastSeen                   *time.Time
	Revoked                    bool
}

// FollowupRow is the satisfaction follow-up of cases opened in the range.
type FollowupRow struct {
	Answered, Satisfied int64
}

// Share is the satisfied share of answered follow-ups.
func (f FollowupRow) Share() *float64 { return ratio(f.Satisfied, f.Answered) }

// scope turns the query's department and the viewer's scope into ids.
func (s *Service) scope(ctx context.Context, q Query) (ids []uint, scoped bool, depts []models.Department, err error) {
	depts, err = s.store.Departments(ctx)
	if err != nil {
		return nil, false, nil, err
	}
	allowed := map[string]bool{}
	limited := q.Scoped || len(q.Scope) > 0
	for _, c := range q.Scope {
		allowed[c] = true
	}
	for _, d := range depts {
		if (!limited || allowed[d.Code]) && (q.Department == "" || q.Department == d.Code) {
			ids = append(ids, d.ID)
		}
	}
	return ids, limited || q.Department != "", depts, nil
}

func (s *Service) filter(q Query, r Range, ids []uint, scoped bool) models.ReportFilter {
	return models.ReportFilter{FromDay: r.From, ToDay: r.To, DepartmentIDs: ids, Scoped: scoped, Source: q.Channel, SurveyID: q.SurveyID}
}

// Dashboard computes the reports page.
func (s *Service) Dashboard(ctx context.Context, q Query) (*Dashboard, error) {
	if err := s.Refresh(ctx); err != nil {
		return nil, err
	}
	ids, scoped, depts, err := s.scope(ctx, q)
	if err != nil {
		return nil, err
	}
	names := map[uint]models.Department{}
	for _, d := range depts {
		names[d.ID] = d
	}
	r, prev := q.Range, q.Range.Previous()
	b := q.Bucketing
	if b != Daily && b != Weekly && b != Monthly {
		b = BucketingFor(r)
	}
	d := &Dashboard{Query: q, Bucketing: b, Volume: map[string]map[string]int64{}, Trend: map[string]*Score{}, CaseTrend: map[string]int64{}}
	d.Buckets = d.Bucketing.Buckets(r)
	f, pf := s.filter(q, r, ids, scoped), s.filter(q, prev, ids, scoped)

	// the four parts read different tables and fill different fields:
	// they run at once, each on its own connection
	err = parallel(
		func() error {
			if err := s.satisfaction(ctx, d, f, pf, names); err != nil {
				return err
			}
			return s.kiosks(ctx, d, f, names)
		},
		func() error { return s.funnel(ctx, d, q, f) },
		func() error { return s.complaints(ctx, d, q, f, ids, scoped, names) },
	)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// parallel runs fns at once and returns the first error.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// satisfaction fills the scores: per day for the trends (one narrow read)
// and per question, department and channel for now and the previous
// period.
func (s *Service) satisfaction(ctx context.Context, d *Dashboard, f, pf models.ReportFilter, names map[uint]models.Department) error {
	// one read of both periods' rollup rows, grouped here every way the
	// page needs
	both := f
	both.FromDay = pf.FromDay
	rows, err := s.store.ReportRows(ctx, both)
	if err != nil {
		return err
	}
	qs := map[qk]*QuestionRow{}
	ds := map[uint]*DeptRow{}
	cs := map[string]*ChannelRow{}
	question := func(row models.ReportSum) *QuestionRow {
		k := qk{row.SurveyID, row.QuestionKey}
		if qs[k] == nil {
			qs[k] = &QuestionRow{SurveyID: row.SurveyID, Key: row.QuestionKey, Kind: row.Kind}
		}
		return qs[k]
	}
	dept := func(id uint) *DeptRow {
		if ds[id] == nil {
			ds[id] = &DeptRow{Code: names[id].Code, Name: names[id].Name}
		}
		return ds[id]
	}
	channel := func(c string) *ChannelRow {
		if cs[c] == nil {
			cs[c] = &ChannelRow{Channel: c}
		}
		return cs[c]
	}
	for _, row := range rows {
		now := row.Day >= f.FromDay
		if !now && (row.Day < pf.FromDay || row.Day > pf.ToDay) {
			continue
		}
		// pick is the current or the previous period's score
		pick := func(cur, prev *Score) *Score {
			if now {
				return cur
			}
			return prev
		}
		if now {
			d.kioskRows = append(d.kioskRows, row)
			b := d.Bucketing.Bucket(row.Day)
			if d.Trend[b] == nil {
				d.Trend[b] = &Score{}
			}
			d.Trend[b].Add(row)
			if row.Kind == "" {
				if d.Volume[b] == nil {
					d.Volume[b] = map[string]int64{}
				}
				d.Volume[b][row.Source] += row.N
			}
		}
		pick(&d.Now, &d.Prev).Add(row)
		if row.Kind != "" {
			q := question(row)
			pick(&q.Now, &q.Prev).Add(row)
		}
		dp, ch := dept(row.DepartmentID), channel(row.Source)
		pick(&dp.Now, &dp.Prev).Add(row)
		pick(&ch.Now, &ch.Prev).Add(row)
	}
	if err := s.questionRows(ctx, d, qs); err != nil {
		return err
	}
	for _, v := range ds {
		d.Departments = append(d.Departments, *v)
	}
	sort.Slice(d.Departments, func(i, j int) bool { return d.Departments[i].Code < d.Departments[j].Code })
	for _, c := range []string{"kiosk", "sms", "email"} {
		if v := cs[c]; v != nil {
			d.Channels = append(d.Channels, *v)
		}
	}
	return nil
}

// funnel fills the SMS and email invitation funnel.
func (s *Service) funnel(ctx context.Context, d *Dashboard, q Query, f models.ReportFilter) error {
	if q.Channel == "kiosk" {
		return nil
	}
	steps, err := s.store.Funnel(ctx, f, s.cfg.Location)
	if err != nil {
		return err
	}
	for _, st := range steps {
		if q.Channel != "" && st.Channel != q.Channel {
			continue
		}
		d.Funnel = append(d.Funnel, FunnelRow{FunnelStep: st, DeliveredRate: ratio(st.Delivered, st.Sent),
			StartedRate: ratio(st.Started, st.Delivered), CompletedRate: ratio(st.Completed, st.Started), ResponseRate: ratio(st.Completed, st.Sent)})
	}
	return nil
}

type qk struct {
	survey uint
	key    string
}

func (s *Service) questionRows(ctx context.Context, d *Dashboard, qs map[qk]*QuestionRow) error {
	defs := map[uint]survey.Definition{}
	for _, v := range qs {
		def, ok := defs[v.SurveyID]
		if !ok {
			var err error
			if def, err = s.store.SurveyByID(ctx, v.SurveyID); err != nil {
				return err
			}
			defs[v.SurveyID] = def
		}
		v.Prompt = v.Key
		if qq, ok := def.Question(v.Key); ok {
			v.Prompt = qq.Text("en")
		}
		if len(defs) > 1 || def.Name != "" {
			v.Prompt = def.Name + ": " + v.Prompt
		}
		d.Questions = append(d.Questions, *v)
	}
	sort.Slice(d.Questions, func(i, j int) bool {
		a, b := d.Questions[i], d.Questions[j]
		if a.SurveyID != b.SurveyID {
			return a.SurveyID < b.SurveyID
		}
		return a.Key < b.Key
	})
	return nil
}

func (s *Service) complaints(ctx context.Context, d *Dashboard, q Query, f models.ReportFilter, ids []uint, scoped bool, names map[uint]models.Department) error {
	r := q.Range
	var facts []models.CaseFact
	var open []models.OpenCaseCount
	var themes []models.ThemeCount
	err := parallel(
		func() (err error) {
			facts, err = s.store.CaseFacts(ctx, r.Start, r.End, ids, scoped, q.Channel)
			return err
		},
		func() (err error) {
			d.GrievancesResolved, err = s.store.GrievancesResolved(ctx, r.Start, r.End, ids, scoped)
			return err
		},
		func() (err error) { open, err = s.store.OpenCaseCounts(ctx, s.now(), ids, scoped); return err },
		func() (err error) { themes, err = s.store.ReportThemes(ctx, f, 8); return err },
	)
	if err != nil {
		return err
	}
	byCat, byDept := map[string]int64{}, map[string]int64{}
	var acked, ackIn, resolved, resIn int64
	for _, c := range facts {
		byCat[c.Category]++
		byDept[names[c.DepartmentID].Code]++
		if c.Grievance {
			d.GrievancesOpened++
		}
		if c.AcknowledgedAt != nil {
			acked++
			if c.AckInTime {
				ackIn++
			}
		}
		if c.ResolvedAt != nil {
			resolved++
			if c.ResolvedInTime {
				resIn++
			}
		}
		switch c.FollowupAnswer {
		case models.FollowupSatisfied:
			d.Followup.Answered++
			d.Followup.Satisfied++
		case models.FollowupNotSatisfied:
			d.Followup.Answered++
		}
	}
	cases := int64(len(facts))
	var ack, res []time.Duration
	for _, c := range facts {
		d.CaseTrend[d.Bucketing.Bucket(c.CreatedAt.In(s.cfg.Location).Format(dayLayout))]++
		if c.AcknowledgedAt != nil {
			ack = append(ack, c.AcknowledgedAt.Sub(c.CreatedAt))
		}
		if c.ResolvedAt != nil {
			res = append(res, c.ResolvedAt.Sub(c.CreatedAt))
		}
	}
	d.CasesByCategory, d.CasesByDept = counts(byCat), counts(byDept)
	h := Handling{Cases: int(cases), Acked: int(acked), Resolved: int(resolved), AckWithin: ratio(ackIn, acked), ResolveWithin: ratio(resIn, resolved)}
	h.AckP50, _ = Percentile(ack, 50)
	h.AckP90, _ = Percentile(ack, 90)
	h.ResolveP50, _ = Percentile(res, 50)
	h.ResolveP90, _ = Percentile(res, 90)
	d.Handling = h
	for _, o := range open {
		d.OverdueGrievances += o.OverdueGrievances
		dep := names[o.DepartmentID]
		d.Open = append(d.Open, OpenRow{Code: dep.Code, Name: dep.Name, Open: o.Open, Overdue: o.Overdue})
	}
	for i, t := range themes {
		row := ThemeRow{Theme: t.Theme, N: t.N}
		if i < 5 {
			if row.Examples, err = s.store.ExampleComments(ctx, f, t.Theme, 2); err != nil {
				return err
			}
		}
		d.Themes = append(d.Themes, row)
	}
	return nil
}

func (s *Service) kiosks(ctx context.Context, d *Dashboard, f models.ReportFilter, names map[uint]models.Department) error {
	if f.Source != "" && f.Source != "kiosk" {
		return nil
	}
	n := map[uint]int64{}
	for _, r := range d.kioskRows {
		if r.Kind == "" && r.Source == "kiosk" {
			n[r.KioskID] += r.N
		}
	}
	ks, err := s.store.Kiosks(ctx)
	if err != nil {
		return err
	}
	for _, k := range ks {
		if len(f.DepartmentIDs) > 0 || f.Scoped {
			in := false
			for _, id := range f.DepartmentIDs {
				in = in || id == k.DepartmentID
			}
			if !in {
				continue
			}
		}
		d.Kiosks = append(d.Kiosks, KioskRow{Name: k.Name, Location: k.Location, Department: names[k.DepartmentID].Code,
			Responses: n[k.ID], LastSeen: k.LastSeenAt, Revoked: k.RevokedAt != nil})
	}
	return nil
}

func counts(m map[string]int64) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// Pct formats a share as a percentage with one decimal, or "–".
func Pct(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v*100, 'f', 1, 64) + "%"
}
