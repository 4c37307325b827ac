package staff

import (
	"bufio"
	"context"
	"fmt"
	"html/template"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/chart"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/reports"
)

type headline struct {
	Label, Value, Change, Note string
}

type scoreRow struct {
	Label, Sub                 string
	N                          int64
	CSAT, CSATChange, NPS, Yes string
}

type funnelView struct {
	Channel                             string
	Sent, Delivered, Started, Completed int64
	DR, SR, CR, RR                      string
}

type bucketRow struct {
	Bucket                   string
	Kiosk, SMS, Email, Cases int64
	CSAT, NPS, Yes           string
}

type reportsView struct {
	Q                reports.Query
	Preset           string
	Presets          []reports.Preset
	Departments      []models.Department
	Surveys          []models.Survey
	Bucketing        string
	Headlines        []headline
	VolumeChart      template.HTML
	TrendChart       template.HTML
	NPSChart         template.HTML
	CaseChart        template.HTML
	CategoryChart    template.HTML
	Buckets          []bucketRow
	Questions        []scoreRow
	Depts            []scoreRow
	Channels         []scoreRow
	Funnel           []funnelView
	Categories       []reports.Count
	CaseDepts        []reports.Count
	Themes           []reports.ThemeRow
	D                *reports.Dashboard
	Handling         []headline
	CanIdentities    bool
	IsAdmin          bool
	Weekly           reports.WeeklySettings
	WeeklyRecipients string
	Weekdays         []string
	WeekdayN         int
	ExportHidden     url.Values
}

func pct(v *float64) string { return reports.Pct(v) }

func npsStr(v *float64) string {
	if v == nil {
		return "–"
	}
	return strconv.FormatFloat(*v, 'f', 1, 64)
}

func change(v *float64, scale float64, unit string) string {
	if v == nil {
		return ""
	}
	x := *v * scale
	if math.Abs(x) < 0.05 {
		return "no change"
	}
	return fmt.Sprintf("%+.1f%s", x, unit)
}

// reportQuery reads the dashboard filters; the agent's scope always
// applies.
func (h *Handler) reportQuery(c *fiber.Ctx, get func(string) string) (reports.Query, string, error) {
	loc := h.cfg.Location
	preset := get("preset")
	var r reports.Range
	var err error
	switch {
	case get("from") != "" || get("to") != "":
		preset = ""
		r, err = reports.ParseRange(get("from"), get("to"), loc)
		if err != nil {
			return reports.Query{}, "", fiber.NewError(fiber.StatusBadRequest, strings.TrimPrefix(err.Error(), "bad date range: "))
		}
	default:
		if preset == "" {
			preset = "30d"
		}
		var ok bool
		if r, ok = reports.PresetRange(preset, h.now(), loc); !ok {
			return reports.Query{}, "", fiber.NewError(fiber.StatusBadRequest, "Unknown date preset.")
		}
	}
	codes, limited := scope(principal(c).User)
	q := reports.Query{Range: r, Department: get("department"), Channel: get("channel"), Scope: codes, Scoped: limited,
		Bucketing: reports.Bucketing(get("by"))}
	if b := get("by"); b != "" && b != "day" && b != "week" && b != "month" {
		return q, preset, fiber.NewError(fiber.StatusBadRequest, "Trends go by day, week or month.")
	}
	if q.Channel != "" && q.Channel != "kiosk" && q.Channel != "sms" && q.Channel != "email" {
		return q, preset, fiber.NewError(fiber.StatusBadRequest, "Unknown channel.")
	}
	if sv := get("survey"); sv != "" {
		n, err := strconv.ParseUint(sv, 10, 64)
		if err != nil {
			return q, preset, fiber.NewError(fiber.StatusBadRequest, "Unknown survey.")
		}
		q.SurveyID = uint(n)
	}
	return q, preset, nil
}

// Reports answers GET /staff/reports: the management dashboard. Agents see
// their departments only.
func (h *Handler) Reports(c *fiber.Ctx) error {
	q, preset, err := h.reportQuery(c, func(k string) string { return c.Query(k) })
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	d, err := h.reports.Dashboard(ctx, q)
	if err != nil {
		return err
	}
	v := reportsView{Q: q, Preset: preset, Presets: reports.Presets, D: d, Bucketing: string(d.Bucketing),
		Weekdays: []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}}
	u := principal(c).User
	v.IsAdmin = u.Role == models.RoleAdmin
	v.CanIdentities = u.Role != models.RoleAgent
	if v.Departments, err = h.store.Departments(ctx); err != nil {
		return err
	}
	if _, limited := scope(u); limited {
		var keep []models.Department
		for _, dep := range v.Departments {
			if inScope(u, dep.Code) {
				keep = append(keep, dep)
			}
		}
		v.Departments = keep
	}
	if v.Surveys, err = h.store.Surveys(ctx); err != nil {
		return err
	}
	if v.Weekly, err = h.reports.Weekly(ctx); err != nil {
		return err
	}
	v.WeeklyRecipients = strings.Join(v.Weekly.Recipients, ", ")
	v.WeekdayN = int(v.Weekly.Weekday)
	v.ExportHidden = url.Values{"from": {q.Range.From}, "to": {q.Range.To}, "department": {q.Department}, "channel": {q.Channel}}
	if q.SurveyID != 0 {
		v.ExportHidden.Set("survey", strconv.FormatUint(uint64(q.SurveyID), 10))
	}
	buildReportView(&v, d)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.render(c, "staff/reports", "Reports", "reports", v)
}

func buildReportView(v *reportsView, d *reports.Dashboard) {
	n, p := d.Now, d.Prev
	v.Headlines = []headline{
		{"Responses", strconv.FormatInt(n.Responses, 10), changeInt(n.Responses, p.Responses), "completed, not suspicious"},
		{"CSAT top-box", pct(n.TopBox()), change(reports.Change(n.TopBox(), p.TopBox()), 100, " pts"), fmt.Sprintf("%d rating answers", n.Rating5)},
		{"NPS", npsStr(n.NPS()), change(reports.Change(n.NPS(), p.NPS()), 1, ""), fmt.Sprintf("%d answers", n.NPSN)},
		{"Yes answers", pct(n.YesShare()), change(reports.Change(n.YesShare(), p.YesShare()), 100, " pts"), fmt.Sprintf("%d yes/no answers", n.YesNoN)},
		{"Cases opened", strconv.Itoa(d.Handling.Cases), "", fmt.Sprintf("%d grievances opened, %d resolved", d.GrievancesOpened, d.GrievancesResolved)},
	}
	hd := d.Handling
	v.Handling = []headline{
		{"Acknowledge: median", reports.Dur(hd.AckP50), "", fmt.Sprintf("90th percentile %s", reports.Dur(hd.AckP90))},
		{"Resolve: median", reports.Dur(hd.ResolveP50), "", fmt.Sprintf("90th percentile %s", reports.Dur(hd.ResolveP90))},
		{"Acknowledged within SLA", pct(hd.AckWithin), "", fmt.Sprintf("of %d acknowledged", hd.Acked)},
		{"Resolved within SLA", pct(hd.ResolveWithin), "", fmt.Sprintf("of %d resolved", hd.Resolved)},
		{"Follow-up: satisfied", pct(d.Followup.Share()), "", fmt.Sprintf("of %d answered", d.Followup.Answered)},
	}
	var kiosk, sms, email, csat, nps, cases []float64
	for _, b := range d.Buckets {
		vol := d.Volume[b]
		row := bucketRow{Bucket: b, Kiosk: vol["kiosk"], SMS: vol["sms"], Email: vol["email"], Cases: d.CaseTrend[b], CSAT: "–", NPS: "–", Yes: "–"}
		kiosk, sms, email = append(kiosk, float64(row.Kiosk)), append(sms, float64(row.SMS)), append(email, float64(row.Email))
		cases = append(cases, float64(row.Cases))
		cv, nv := math.NaN(), math.NaN()
		if sc := d.Trend[b]; sc != nil {
			row.CSAT, row.NPS, row.Yes = pct(sc.TopBox()), npsStr(sc.NPS()), pct(sc.YesShare())
			if t := sc.TopBox(); t != nil {
				cv = *t * 100
			}
			if x := sc.NPS(); x != nil {
				nv = *x
			}
		}
		csat, nps = append(csat, cv), append(nps, nv)
		v.Buckets = append(v.Buckets, row)
	}
	v.VolumeChart = chart.StackedBars(chart.Spec{ID: "ch-volume", Title: "Responses by " + string(d.Bucketing) + " and channel", Labels: d.Buckets,
		Series: []chart.Series{{Name: "Kiosk", Class: "s1", Values: kiosk}, {Name: "SMS", Class: "s2", Values: sms}, {Name: "Email", Class: "s3", Values: email}}})
	v.TrendChart = chart.Lines(chart.Spec{ID: "ch-csat", Title: "CSAT top-box by " + string(d.Bucketing), Labels: d.Buckets, Min: 0, Max: 100, Unit: "%",
		Series: []chart.Series{{Name: "CSAT top-box", Class: "s1", Values: csat}}})
	hasNPS := false
	for _, x := range nps {
		hasNPS = hasNPS || !math.IsNaN(x)
	}
	if hasNPS {
		v.NPSChart = chart.Lines(chart.Spec{ID: "ch-nps", Title: "NPS by " + string(d.Bucketing), Labels: d.Buckets, Min: -100, Max: 100,
			Series: []chart.Series{{Name: "NPS", Class: "s2", Values: nps}}})
	}
	v.CaseChart = chart.StackedBars(chart.Spec{ID: "ch-cases", Title: "Cases opened by " + string(d.Bucketing), Labels: d.Buckets,
		Series: []chart.Series{{Name: "Cases", Class: "s4", Values: cases}}})
	var labels []string
	var vals []float64
	for _, c := range d.CasesByCategory {
		labels, vals = append(labels, strings.ReplaceAll(c.Label, "_", " ")), append(vals, float64(c.N))
	}
	if len(labels) > 0 {
		v.CategoryChart = chart.HBars("ch-categories", "Cases by category", labels, vals)
	}
	for _, q := range d.Questions {
		row := scoreRow{Label: q.Prompt, Sub: q.Kind, N: q.N(q.Now)}
		switch q.Kind {
		case "rating5":
			row.CSAT, row.CSATChange = pct(q.Now.TopBox()), change(reports.Change(q.Now.TopBox(), q.Prev.TopBox()), 100, " pts")
		case "yesno":
			row.Yes, row.CSATChange = pct(q.Now.YesShare()), change(reports.Change(q.Now.YesShare(), q.Prev.YesShare()), 100, " pts")
		case "nps":
			row.NPS, row.CSATChange = npsStr(q.Now.NPS()), change(reports.Change(q.Now.NPS(), q.Prev.NPS()), 1, "")
		}
		v.Questions = append(v.Questions, row)
	}
	for _, dep := range d.Departments {
		if dep.Now.Responses == 0 && dep.Prev.Responses == 0 {
			continue
		}
		v.Depts = append(v.Depts, scoreRow{Label: dep.Code, Sub: dep.Name, N: dep.Now.Responses, CSAT: pct(dep.Now.TopBox()),
			CSATChange: change(reports.Change(dep.Now.TopBox(), dep.Prev.TopBox()), 100, " pts"), NPS: npsStr(dep.Now.NPS()), Yes: pct(dep.Now.YesShare())})
	}
	for _, ch := range d.Channels {
		v.Channels = append(v.Channels, scoreRow{Label: ch.Channel, N: ch.Now.Responses, CSAT: pct(ch.Now.TopBox()),
			CSATChange: change(reports.Change(ch.Now.TopBox(), ch.Prev.TopBox()), 100, " pts"), NPS: npsStr(ch.Now.NPS()), Yes: pct(ch.Now.YesShare())})
	}
	for _, f := range d.Funnel {
		v.Funnel = append(v.Funnel, funnelView{Channel: f.Channel, Sent: f.Sent, Delivered: f.Delivered, Started: f.Started, Completed: f.Completed,
			DR: pct(f.DeliveredRate), SR: pct(f.StartedRate), CR: pct(f.CompletedRate), RR: pct(f.ResponseRate)})
	}
	v.Categories, v.CaseDepts, v.Themes = d.CasesByCategory, d.CasesByDept, d.Themes
}

func changeInt(a, b int64) string {
	if b == 0 {
		return ""
	}
	return fmt.Sprintf("%+.1f%%", float64(a-b)*100/float64(b))
}

// Export answers POST /staff/reports/export: the responses or cases of
// the current filters as CSV, streamed. Patient identities are added only
// for managers and admins who ask; every export is audited.
func (h *Handler) Export(c *fiber.Ctx) error {
	q, _, err := h.reportQuery(c, func(k string) string { return c.FormValue(k) })
	if err != nil {
		return err
	}
	p := principal(c)
	kind := c.FormValue("kind")
	if kind != "responses" && kind != "cases" {
		return fiber.NewError(fiber.StatusBadRequest, "Choose responses or cases.")
	}
	ids := c.FormValue("identities") == "yes"
	if ids && p.User.Role == models.RoleAgent {
		return fiber.NewError(fiber.StatusForbidden, "Only managers and admins may export patient identities.")
	}
	detail := fmt.Sprintf("%s %s..%s department=%q channel=%q survey=%d identities=%v", kind, q.Range.From, q.Range.To, q.Department, q.Channel, q.SurveyID, ids)
	if err := h.store.Audit(c.UserContext(), p.User.Email, "export", "reports:"+kind, ip(c), detail); err != nil {
		return err
	}
	name := fmt.Sprintf("patientvoice-%s-%s-to-%s.csv", kind, q.Range.From, q.Range.To)
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	write := h.reports.WriteResponses
	if kind == "cases" {
		write = h.reports.WriteCases
	}
	log := h.log
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		// the request's context ends when the handler returns; the stream
		// runs after, with its own deadline
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
		defer cancel()
		n, err := write(ctx, w, q, ids)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			log.Error("export failed", "kind", kind, "rows", n, "err", err)
		}
	})
	return nil
}

// SaveWeekly answers POST /staff/reports/weekly (admins): when the weekly
// report goes and to whom.
func (h *Handler) SaveWeekly(c *fiber.Ctx) error {
	day, err1 := strconv.Atoi(c.FormValue("weekday"))
	hour, err2 := strconv.Atoi(c.FormValue("hour"))
	if err1 != nil || err2 != nil {
		return fiber.NewError(fiber.StatusBadRequest, "Choose a day and an hour.")
	}
	w := reports.WeeklySettings{Enabled: c.FormValue("enabled") == "yes", Weekday: time.Weekday(day), Hour: hour}
	for _, r := range strings.FieldsFunc(c.FormValue("recipients"), func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == ' ' || r == '\r' }) {
		w.Recipients = append(w.Recipients, strings.ToLower(strings.TrimSpace(r)))
	}
	if err := h.reports.SaveWeekly(c.UserContext(), w); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "Weekly report: "+err.Error()+".")
	}
	p := principal(c)
	_ = h.store.Audit(c.UserContext(), p.User.Email, "settings.change", "reports:weekly", ip(c), fmt.Sprintf("enabled=%v day=%d hour=%d recipients=%d", w.Enabled, day, hour, len(w.Recipients)))
	return c.Redirect("/staff/reports?flash=weekly-saved", fiber.StatusSeeOther)
}

// SendWeekly answers POST /staff/reports/weekly/send (managers and
// admins): the weekly report for the last seven days, now.
func (h *Handler) SendWeekly(c *fiber.Ctx) error {
	to, err := h.reports.SendWeeklyNow(c.UserContext())
	if err != nil {
		if strings.Contains(err.Error(), "no recipients") {
			return fiber.NewError(fiber.StatusConflict, "The weekly report has no recipients: add them below or create managers.")
		}
		return err
	}
	p := principal(c)
	_ = h.store.Audit(c.UserContext(), p.User.Email, "report.send", "reports:weekly", ip(c), fmt.Sprintf("%d recipients", len(to)))
	return c.Redirect("/staff/reports?flash=weekly-sent", fiber.StatusSeeOther)
}
