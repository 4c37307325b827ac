package reports_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/reports"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
	"github.com/patientvoice/patientvoice/server"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
	"github.com/patientvoice/patientvoice/triage"
)

type world struct {
	*testapp.App
	tw   *sendingtest.Twilio
	mail *sendingtest.SMTP
	b    testdb.Backend
}

func each(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			tw, sm := sendingtest.NewTwilio(t), sendingtest.NewSMTP(t)
			a := testapp.New(t, b, func(c *config.Config) {
				c.Location = chicago
				sendingtest.Wire(c, tw, sm, "pv@hospital.example")
				c.QuietHours = config.QuietHours{}
			})
			a.Server.Staff.SetSleep(func(time.Duration) {})
			fn(t, &world{App: a, tw: tw, mail: sm, b: b})
		})
	}
}

func (w *world) tick() {
	w.T.Helper()
	for i := 0; i < 5; i++ {
		n, err := w.Server.Dispatcher.Tick(context.Background())
		if err != nil {
			w.T.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (w *world) sms(from, body string) {
	w.T.Helper()
	if err := w.Server.Conversations.Receive(context.Background(), fmt.Sprintf("SM%032d", time.Now().UnixNano()), from, body); err != nil {
		w.T.Fatal(err)
	}
}

func (w *world) form(method, path string, form url.Values) int {
	req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp := w.Do(req)
	resp.Body.Close()
	return resp.StatusCode
}

// funnelAndCases builds the fixture: 4 SMS and 2 email invitations sent on
// Nov 27 (3 SMS delivered, 2 started, 1 completed; both emails accepted,
// both started, 1 completed) and 4 staff cases handled on a known clock.
func funnelAndCases(t *testing.T, w *world) {
	ctx := context.Background()
	tok := w.APIToken(models.ScopeDischargesWrite)
	for i := 1; i <= 6; i++ {
		phone, email := fmt.Sprintf("+1312555010%d", i), ""
		if i > 4 {
			phone, email = "", fmt.Sprintf("patient%d@example.org", i)
		}
		body := fmt.Sprintf(`{"encounter_id":"E%d","department":"INPT","discharged_at":"2026-11-25T10:00:00Z","patient":{"name":"Pat %d","phone":%q,"email":%q,"language":"en"}}`, i, i, phone, email)
		if r := w.Call("POST", "/api/discharges", tok, body); r.Status != 202 {
			t.Fatalf("discharge %d: %d %s", i, r.Status, r.Body)
		}
	}
	w.tick()
	rows, _ := w.Store.Outbox(ctx, models.OutboxFilter{})
	delivered := 0
	for _, m := range rows {
		if m.Kind == "invitation" && m.Channel == "sms" {
			st := "delivered"
			if delivered == 3 {
				st = "undelivered"
			}
			if _, err := w.Store.ApplyProviderStatus(ctx, m.ID, m.ProviderID, st, ""); err != nil {
				t.Fatal(err)
			}
			delivered++
		}
	}
	w.sms("+13125550101", "4") // started
	for _, in := range []string{"5", "yes", "10", "Thank you all"} {
		w.sms("+13125550102", in) // completed
	}
	links := w.Server.Inviting.Links()
	invs, _ := w.Store.Invitations(ctx, 100)
	for _, iv := range invs {
		if iv.Channel != "email" {
			continue
		}
		if r := w.Call("GET", "/s/"+links.Token(iv.ID), "", nil); r.Status != 200 {
			t.Fatalf("survey page: %d", r.Status)
		}
		if iv.EncounterID%2 == 0 { // complete one of the two
			if st := w.form("POST", "/s/"+links.Token(iv.ID), url.Values{"q_overall": {"4"}, "q_explained": {"yes"}, "q_recommend": {"7"}}); st != 200 {
				t.Fatalf("email survey submit: %d", st)
			}
		}
	}

	// cases: opened together at 09:00 local on Nov 27
	pw, _ := w.User("agent@h.org", models.RoleAgent)
	s := w.NewStaff()
	s.Login("agent@h.org", pw, "")
	var ids []uint
	for i, prio := range []string{"normal", "normal", "normal", "urgent"} {
		r := s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {[]string{"wait_time", "wait_time", "food", "safety"}[i]},
			"priority": {prio}, "summary": {"Case " + fmt.Sprint(i)}})
		var id uint
		fmt.Sscanf(r.Header.Get("Location"), "/staff/cases/%d", &id)
		ids = append(ids, id)
	}
	yes := true
	apply := func(i int, ch triage.Change) {
		if _, err := w.Server.Cases.Apply(ctx, ids[i], "agent@h.org", "127.0.0.1", ch); err != nil {
			t.Fatal(err)
		}
	}
	apply(0, triage.Change{Grievance: &yes})
	ack := triage.Change{Status: "acknowledged"}
	w.Clock.Advance(time.Hour)
	apply(0, ack) // 1 h
	w.Clock.Advance(time.Hour)
	apply(3, ack) // 2 h, past the urgent 1 h deadline
	w.Clock.Advance(time.Hour)
	apply(1, ack) // 3 h
	w.Clock.Advance(7 * time.Hour)
	apply(2, ack)                   // 10 h
	w.Clock.Advance(14 * time.Hour) // 24 h after opening
	apply(0, triage.Change{Status: "resolved"})
	w.Clock.Advance(24 * time.Hour)
	apply(1, triage.Change{Status: "resolved"}) // 48 h
	w.Clock.Advance(24 * time.Hour)
	apply(3, triage.Change{Status: "resolved"}) // 72 h, past the urgent 24 h
}

func TestDashboardFixtures(t *testing.T) {
	each(t, func(t *testing.T, w *world) {
		funnelAndCases(t, w)
		ctx := context.Background()
		r, _ := reports.ParseRange("2026-11-27", "2026-11-30", chicago)
		d, err := w.Server.Reports.Dashboard(ctx, reports.Query{Range: r})
		if err != nil {
			t.Fatal(err)
		}
		f := map[string]reports.FunnelRow{}
		for _, x := range d.Funnel {
			f[x.Channel] = x
		}
		sms, email := f["sms"], f["email"]
		if sms.Sent != 4 || sms.Delivered != 3 || sms.Started != 2 || sms.Completed != 1 ||
			reports.Pct(sms.DeliveredRate) != "75.0%" || reports.Pct(sms.StartedRate) != "66.7%" || reports.Pct(sms.CompletedRate) != "50.0%" || reports.Pct(sms.ResponseRate) != "25.0%" {
			t.Errorf("sms funnel %+v", sms.FunnelStep)
		}
		if email.Sent != 2 || email.Delivered != 2 || email.Started != 2 || email.Completed != 1 || reports.Pct(email.ResponseRate) != "50.0%" {
			t.Errorf("email funnel %+v", email.FunnelStep)
		}
		// the same funnel once the days are frozen into report_funnels
		if n, err := w.Store.FreezeFunnel(ctx, chicago, "2026-11-28", 400); err != nil || n == 0 {
			t.Fatalf("freeze: %d %v", n, err)
		}
		d2, err := w.Server.Reports.Dashboard(ctx, reports.Query{Range: r})
		if err != nil {
			t.Fatal(err)
		}
		steps := func(fs []reports.FunnelRow) (out []models.FunnelStep) {
			for _, f := range fs {
				out = append(out, f.FunnelStep)
			}
			return out
		}
		if fmt.Sprint(steps(d2.Funnel)) != fmt.Sprint(steps(d.Funnel)) || len(d2.Funnel) != 2 {
			t.Errorf("frozen funnel %+v differs from live %+v", d2.Funnel, d.Funnel)
		}
		h := d.Handling
		if h.Cases != 4 || h.AckP50 != 2*time.Hour || h.AckP90 != 10*time.Hour || h.ResolveP50 != 48*time.Hour || h.ResolveP90 != 72*time.Hour ||
			reports.Pct(h.AckWithin) != "75.0%" || reports.Pct(h.ResolveWithin) != "66.7%" {
			t.Errorf("handling %+v ack within %s resolve within %s", h, reports.Pct(h.AckWithin), reports.Pct(h.ResolveWithin))
		}
		if d.GrievancesOpened != 1 || d.GrievancesResolved != 1 {
			t.Errorf("grievances opened %d resolved %d", d.GrievancesOpened, d.GrievancesResolved)
		}
		if len(d.CasesByCategory) == 0 || d.CasesByCategory[0] != (reports.Count{Label: "wait_time", N: 2}) {
			t.Errorf("by category %+v", d.CasesByCategory)
		}
		if d.Now.Responses != 2 || reports.Pct(d.Now.TopBox()) != "50.0%" || *d.Now.NPS() != 50 {
			t.Errorf("scores: %d responses, top-box %s, nps %v", d.Now.Responses, reports.Pct(d.Now.TopBox()), d.Now.NPS())
		}

		// the page shows the same numbers
		pw, totp := w.User("boss@h.org", models.RoleManager)
		m := w.NewStaff()
		m.Login("boss@h.org", pw, totp)
		page := m.Get("/staff/reports?from=2026-11-27&to=2026-11-30")
		body := string(page.Body)
		if page.Status != 200 || page.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("reports page: %d", page.Status)
		}
		for _, want := range []string{"75.0%", "66.7%", "<svg class=\"chart\"", "Acknowledge: median", ">2 h<", "90th percentile 10 h", `id="griev-opened">1<`} {
			if !strings.Contains(body, want) {
				t.Errorf("reports page lacks %q", want)
			}
		}
		if r := m.Get("/staff/reports?from=2026-11-01&to=2026-11-30&by=month"); r.Status != 200 || !strings.Contains(string(r.Body), "<th scope=\"row\">2026-11</th>") {
			t.Errorf("monthly trend: %d", r.Status)
		}
		if r := m.Get("/staff/reports?by=year"); r.Status != 400 {
			t.Errorf("unknown bucketing: %d", r.Status)
		}
		if r := m.Get("/staff/reports?from=2026-12-01&to=2026-11-01"); r.Status != 400 {
			t.Errorf("reversed dates: %d", r.Status)
		}
	})
}

func TestCSVExport(t *testing.T) {
	each(t, func(t *testing.T, w *world) {
		funnelAndCases(t, w)
		pw, totp := w.User("boss@h.org", models.RoleManager)
		m := w.NewStaff()
		m.Login("boss@h.org", pw, totp)
		exp := func(s *testapp.Staff, kind, ids string) (int, [][]string) {
			t.Helper()
			r := s.Post("/staff/reports/export", url.Values{"from": {"2026-11-27"}, "to": {"2026-11-30"}, "kind": {kind}, "identities": {ids}})
			if r.Status != 200 {
				return r.Status, nil
			}
			recs, err := csv.NewReader(strings.NewReader(string(r.Body))).ReadAll()
			if err != nil {
				t.Fatalf("CSV does not parse: %v\n%s", err, r.Body)
			}
			return r.Status, recs
		}
		_, recs := exp(m, "responses", "yes")
		col := func(head []string, name string) int {
			for i, h := range head {
				if h == name {
					return i
				}
			}
			t.Fatalf("no column %s in %v", name, head)
			return -1
		}
		if len(recs) != 3 {
			t.Fatalf("responses export: %v", recs)
		}
		h := recs[0]
		got := map[string][]string{}
		for _, r := range recs[1:] {
			got[r[col(h, "channel")]] = r
		}
		if s := got["sms"]; s == nil || s[col(h, "overall")] != "5" || s[col(h, "explained")] != "yes" || s[col(h, "recommend")] != "10" ||
			s[col(h, "comment")] != "Thank you all" || s[col(h, "patient_phone")] != "+13125550102" || s[col(h, "department")] != "INPT" {
			t.Errorf("sms row %v", s)
		}
		if e := got["email"]; e == nil || e[col(h, "overall")] != "4" || e[col(h, "recommend")] != "7" || e[col(h, "patient_email")] != "patient6@example.org" {
			t.Errorf("email row %v", e)
		}
		_, cases := exp(m, "cases", "")
		if len(cases) != 5 || col(cases[0], "priority") < 0 {
			t.Fatalf("cases export %v", cases)
		}
		for _, c := range cases[0] {
			if strings.HasPrefix(c, "patient_") {
				t.Errorf("identities without asking: %v", cases[0])
			}
		}
		// agents: never identities
		apw, _ := w.User("agent2@h.org", models.RoleAgent)
		ag := w.NewStaff()
		ag.Login("agent2@h.org", apw, "")
		if st, _ := exp(ag, "responses", "yes"); st != 403 {
			t.Errorf("agent export with identities: %d", st)
		}
		r := ag.Post("/staff/reports/export", url.Values{"from": {"2026-11-27"}, "to": {"2026-11-30"}, "kind": {"responses"}})
		if r.Status != 200 || strings.Contains(string(r.Body), "+1312555") || strings.Contains(string(r.Body), "@example.org") || strings.Contains(string(r.Body), "Pat ") {
			t.Errorf("agent export carries identities: %d %s", r.Status, r.Body)
		}
		logs, _ := w.Store.AuditSearch(context.Background(), models.AuditFilter{Action: "export"})
		if len(logs) != 3 {
			t.Errorf("export audit rows %d, want 3 (the refused one exports nothing)", len(logs))
		}
	})
}

// textPart is the decoded text/plain part of a received email.
func textPart(t *testing.T, data string) string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("no text part: %v", err)
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			var r io.Reader = p
			if p.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
				r = quotedprintable.NewReader(p)
			}
			b, _ := io.ReadAll(r)
			return string(b)
		}
	}
}

func TestWeeklyEmailOncePerPeriodAcrossServers(t *testing.T) {
	each(t, func(t *testing.T, w *world) {
		funnelAndCases(t, w) // the clock is now Nov 30, 09:00 in Chicago
		ctx := context.Background()
		now := w.Clock.Now().In(chicago)
		slot := now.Add(time.Hour)
		if err := w.Server.Reports.SaveWeekly(ctx, reports.WeeklySettings{Enabled: true, Weekday: slot.Weekday(), Hour: slot.Hour(), Recipients: []string{"lead@h.org"}}); err != nil {
			t.Fatal(err)
		}
		// a second server on the same database
		second, err := server.New(server.Deps{Config: w.Config, Store: testdb.Open(t, w.b, w.Clock.Now), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: w.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		tickBoth := func() int {
			var wg sync.WaitGroup
			var mu sync.Mutex
			sent := 0
			for _, s := range []*reports.Service{w.Server.Reports, second.Reports} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.WeeklyTick(ctx)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						sent++
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			return sent
		}
		if n := tickBoth(); n != 0 {
			t.Fatalf("sent before its hour: %d", n)
		}
		w.Clock.Advance(time.Hour + time.Minute)
		if n := tickBoth(); n != 1 {
			t.Fatalf("two servers at the hour sent %d reports, want 1", n)
		}
		w.Clock.Advance(10 * time.Minute)
		if n := tickBoth(); n != 0 {
			t.Fatalf("sent again in the same period: %d", n)
		}
		w.tick()
		var reps []sendingtest.Mail
		for _, m := range w.mail.Mails() {
			if m.To[0] == "lead@h.org" {
				reps = append(reps, m)
			}
		}
		if len(reps) != 1 {
			t.Fatalf("weekly mails %d, want 1", len(reps))
		}
		text := textPart(t, reps[0].Data)
		// the week before Nov 30 is Nov 23-29: the fixture's 2 responses
		// (top-box 1 of 2, NPS 10 and 7 -> 50), 4 cases, 1 grievance each way
		for _, want := range []string{"2026-11-23 to 2026-11-29", "Responses: 2", "CSAT top-box: 50.0%", "NPS: 50.0", "Cases opened: 4; grievances opened: 1, resolved: 1",
			"Open cases now: 1", "https://pv.hospital.example/staff/reports?from=2026-11-23&to=2026-11-29"} {
			if !strings.Contains(text, want) {
				t.Errorf("weekly email lacks %q:\n%s", want, text)
			}
		}
		for _, phi := range []string{"Thank you all", "Pat ", "+1312", "example.org"} {
			if strings.Contains(text, phi) {
				t.Errorf("weekly email carries %q", phi)
			}
		}
		// next week: one more
		w.Clock.Advance(7 * 24 * time.Hour)
		if n := tickBoth(); n != 1 {
			t.Fatalf("next week's report: %d", n)
		}
		// send now from the page
		pw, totp := w.User("boss@h.org", models.RoleManager)
		m := w.NewStaff()
		m.Login("boss@h.org", pw, totp)
		if r := m.Post("/staff/reports/weekly/send", nil); r.Status != 303 {
			t.Fatalf("send now: %d %s", r.Status, r.Body)
		}
	})
}
