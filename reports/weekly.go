package reports

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/mail"
	"sort"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

const weeklyKey = "reports.weekly"

// WeeklySettings is when the weekly report goes and to whom; admins edit
// it on the reports page. No recipients means every active manager and
// admin plus each department head.
type WeeklySettings struct {
	Enabled    bool         `json:"enabled"`
	Weekday    time.Weekday `json:"weekday"`
	Hour       int          `json:"hour"`
	Recipients []string     `json:"recipients"`
}

// DefaultWeekly is Monday 08:00, to the managers and department heads.
func DefaultWeekly() WeeklySettings {
	return WeeklySettings{Enabled: true, Weekday: time.Monday, Hour: 8}
}

// Validate checks the settings an admin typed; the error is for them.
func (w WeeklySettings) Validate() error {
	if w.Weekday < time.Sunday || w.Weekday > time.Saturday {
		return fmt.Errorf("choose a day of the week")
	}
	if w.Hour < 0 || w.Hour > 23 {
		return fmt.Errorf("the hour must be 0 to 23")
	}
	for _, r := range w.Recipients {
		if a, err := mail.ParseAddress(r); err != nil || a.Address != r {
			return fmt.Errorf("%q is not an email address", r)
		}
	}
	return nil
}

// Weekly loads the weekly report settings.
func (s *Service) Weekly(ctx context.Context) (WeeklySettings, error) {
	v, ok, err := s.store.Setting(ctx, weeklyKey)
	if err != nil || !ok {
		return DefaultWeekly(), err
	}
	w := DefaultWeekly()
	if err := json.Unmarshal([]byte(v), &w); err != nil {
		return DefaultWeekly(), fmt.Errorf("read weekly report settings: %w", err)
	}
	return w, nil
}

// SaveWeekly stores validated settings.
func (s *Service) SaveWeekly(ctx context.Context, w WeeklySettings) error {
	if err := w.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(w)
	return s.store.SetSetting(ctx, weeklyKey, string(b))
}

// lastSlot is the latest scheduled send time at or before now.
func (w WeeklySettings) lastSlot(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	d := time.Date(l.Year(), l.Month(), l.Day(), w.Hour, 0, 0, 0, loc)
	for d.Weekday() != w.Weekday || d.After(l) {
		d = d.AddDate(0, 0, -1)
		d = time.Date(d.Year(), d.Month(), d.Day(), w.Hour, 0, 0, 0, loc)
	}
	return d
}

// weekBefore is the seven full local days before t's day.
func weekBefore(t time.Time, loc *time.Location) Range {
	l := t.In(loc)
	end := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, -1)
	r, _ := ParseRange(end.AddDate(0, 0, -6).Format(dayLayout), end.Format(dayLayout), loc)
	return r
}

// WeeklyTick sends the weekly report when its slot has come, once per
// period however many servers tick: the first to claim the period sends.
// A slot missed by more than a day (the server was down) is skipped
// rather than sent late. It reports whether this call sent.
func (s *Service) WeeklyTick(ctx context.Context) (bool, error) {
	w, err := s.Weekly(ctx)
	if err != nil || !w.Enabled {
		return false, err
	}
	now := s.now()
	slot := w.lastSlot(now, s.cfg.Location)
	if now.Sub(slot) > 24*time.Hour {
		return false, nil
	}
	ok, err := s.store.Claim(ctx, "weekly-report:"+slot.Format("2006-01-02T15"))
	if err != nil || !ok {
		return false, err
	}
	_, err = s.sendWeekly(ctx, w, weekBefore(slot, s.cfg.Location), "weekly-"+slot.Format("2006-01-02T15"))
	return err == nil, err
}

// SendWeeklyNow sends the report for the last seven full days at once
// (the "send now" button); it returns the recipients.
func (s *Service) SendWeeklyNow(ctx context.Context) ([]string, error) {
	w, err := s.Weekly(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return s.sendWeekly(ctx, w, weekBefore(now, s.cfg.Location), "weekly-now-"+now.UTC().Format("20060102T150405.000"))
}

// RunWeekly checks the schedule every interval until ctx ends.
func (s *Service) RunWeekly(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.WeeklyTick(ctx); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) recipients(ctx context.Context, w WeeklySettings) ([]string, error) {
	if len(w.Recipients) > 0 {
		return w.Recipients, nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(e string) {
		e = strings.ToLower(strings.TrimSpace(e))
		if e != "" && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if !u.Disabled && (u.Role == models.RoleManager || u.Role == models.RoleAdmin) {
			add(u.Email)
		}
	}
	depts, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range depts {
		add(d.HeadEmail)
	}
	sort.Strings(out)
	return out, nil
}

func (s *Service) sendWeekly(ctx context.Context, w WeeklySettings, r Range, key string) ([]string, error) {
	to, err := s.recipients(ctx, w)
	if err != nil {
		return nil, err
	}
	if len(to) == 0 {
		return nil, fmt.Errorf("weekly report: no recipients (add managers, department heads or recipients)")
	}
	d, err := s.Dashboard(ctx, Query{Range: r})
	if err != nil {
		return nil, err
	}
	subject, text, htmlBody := s.WeeklyEmail(d)
	for _, rcpt := range to {
		if _, _, err := s.store.Send(ctx, models.Draft{Channel: "email", Kind: "report", To: rcpt, Subject: subject,
			Body: text, HTML: htmlBody, Priority: models.PriorityBulk, IdempotencyKey: key + "-" + rcpt}); err != nil {
			return nil, err
		}
	}
	return to, nil
}

func signed(v *float64, unit string, scale float64) string {
	if v == nil {
		return "no change figure"
	}
	return fmt.Sprintf("%+.1f%s", *v*scale, unit)
}

func num(v *float64, unit string, scale float64) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.1f%s", *v*scale, unit)
}

// WeeklyEmail renders the weekly report: headline numbers with the change
// against the previous week, the worst questions and departments, open
// and overdue work, and the dashboard link. Counts and scores only: no
// comment, name or contact detail, so nothing in it is PHI.
func (s *Service) WeeklyEmail(d *Dashboard) (subject, text, htmlBody string) {
	r := d.Query.Range
	subject = fmt.Sprintf("%s: patient feedback, week of %s to %s", s.cfg.OrgName, r.From, r.To)
	nps := func(sc Score) *float64 { return sc.NPS() }
	var lines []string
	add := func(format string, a ...any) { lines = append(lines, fmt.Sprintf(format, a...)) }
	add("Patient feedback for %s, %s to %s", s.cfg.OrgName, r.From, r.To)
	add("")
	add("Responses: %d (previous week %d)", d.Now.Responses, d.Prev.Responses)
	add("CSAT top-box: %s (%s)", num(d.Now.TopBox(), "%", 100), signed(Change(d.Now.TopBox(), d.Prev.TopBox()), " points", 100))
	add("NPS: %s (%s)", num(nps(d.Now), "", 1), signed(Change(nps(d.Now), nps(d.Prev)), "", 1))
	add("Yes answers: %s (%s)", num(d.Now.YesShare(), "%", 100), signed(Change(d.Now.YesShare(), d.Prev.YesShare()), " points", 100))
	add("Cases opened: %d; grievances opened: %d, resolved: %d", d.Handling.Cases, d.GrievancesOpened, d.GrievancesResolved)
	var open, overdue int64
	for _, o := range d.Open {
		open += o.Open
		overdue += o.Overdue
	}
	add("Open cases now: %d, of which overdue: %d", open, overdue)
	add("Overdue grievances now: %d", d.OverdueGrievances)
	if p, ok := d.Handling.AckP50, d.Handling.Acked > 0; ok {
		add("Median time to acknowledge: %s; to resolve: %s", Dur(p), Dur(d.Handling.ResolveP50))
	}
	add("")
	add("Lowest-scoring questions:")
	for _, q := range worstQuestions(d.Questions, 3) {
		add("  %s: %s (%d answers)", q.Prompt, num(q.Value(q.Now), unitOf(q.Kind), scaleOf(q.Kind)), q.N(q.Now))
	}
	add("Lowest-scoring departments (CSAT top-box):")
	for _, dep := range worstDepartments(d.Departments, 3) {
		add("  %s %s: %s (%d responses)", dep.Code, dep.Name, num(dep.Now.TopBox(), "%", 100), dep.Now.Responses)
	}
	link := fmt.Sprintf("%s/staff/reports?from=%s&to=%s", s.cfg.BaseURL, r.From, r.To)
	add("")
	add("Dashboard: %s", link)
	text = strings.Join(lines, "\n")
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><body style="font-family:sans-serif;line-height:1.5;color:#14202e">`)
	for _, l := range lines {
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "Dashboard: ") {
			fmt.Fprintf(&b, `<p><a href="%s">Open the dashboard</a></p>`, html.EscapeString(link))
			continue
		}
		fmt.Fprintf(&b, "<p style=\"margin:4px 0\">%s</p>", strings.ReplaceAll(html.EscapeString(l), "  ", "&nbsp;&nbsp;"))
	}
	b.WriteString(`</body></html>`)
	return subject, text, b.String()
}

func unitOf(kind string) string {
	if kind == "nps" {
		return ""
	}
	return "%"
}

func scaleOf(kind string) float64 {
	if kind == "nps" {
		return 1
	}
	return 100
}

func worstQuestions(qs []QuestionRow, n int) []QuestionRow {
	var out []QuestionRow
	for _, q := range qs {
		if q.Kind == "rating5" && q.Now.TopBox() != nil {
			out = append(out, q)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].Now.TopBox() < *out[j].Now.TopBox() })
	return out[:min(n, len(out))]
}

func worstDepartments(ds []DeptRow, n int) []DeptRow {
	var out []DeptRow
	for _, d := range ds {
		if d.Now.TopBox() != nil {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return *out[i].Now.TopBox() < *out[j].Now.TopBox() })
	return out[:min(n, len(out))]
}

// Dur prints a duration for people: "3 h 20 min", "2 d 4 h".
func Dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "–"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()+0.5))
	case d < 48*time.Hour:
		h := int(d.Hours())
		m := int(d.Minutes()) - 60*h
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	default:
		days := int(d.Hours()) / 24
		h := int(d.Hours()) - 24*days
		if h == 0 {
			return fmt.Sprintf("%d d", days)
		}
		return fmt.Sprintf("%d d %d h", days, h)
	}
}
