package reports_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/reports"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/triage"
)

var chicago, _ = time.LoadLocation("America/Chicago")

func inChicago(c *config.Config) { c.Location = chicago }

// submit stores one response through the intake every channel uses.
func submit(t *testing.T, a *testapp.App, id, source, dept, surveyKey string, at time.Time, press time.Duration, kioskID *uint, vals map[string]any) {
	t.Helper()
	ctx := context.Background()
	def, sid, err := a.Store.SurveyByKey(ctx, surveyKey)
	if err != nil {
		t.Fatal(err)
	}
	var answers []survey.Answer
	for _, q := range def.Questions {
		v, ok := vals[q.Key]
		if !ok {
			continue
		}
		an := survey.Answer{Question: q.Key, Kind: q.Kind}
		switch x := v.(type) {
		case int:
			an.Int = &x
		case bool:
			an.Bool = &x
		case string:
			if q.Kind == survey.Text {
				an.Text = x
			} else {
				an.Choice = x
			}
		}
		answers = append(answers, an)
	}
	if _, err := a.Server.Intake.Submit(ctx, triage.Submission{ClientID: id, Survey: def, SurveyID: sid, Source: source, KioskID: kioskID,
		DepartmentID: a.DepartmentID(dept), Language: "en", Answers: answers, SubmittedAt: at.UTC(), PressWindow: press}); err != nil {
		t.Fatalf("submit %s: %v", id, err)
	}
}

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, chicago)
	if err != nil {
		panic(err)
	}
	return t
}

// summaryFixture is hand-counted: see TestSummaryFixtures for the sums.
func summaryFixture(t *testing.T, a *testapp.App) {
	_, k := a.Kiosk("ED")
	kid := &k.ID
	kiosk := func(id, at string, vals map[string]any) {
		submit(t, a, id, "kiosk", "ED", "kiosk", local(at), 5*time.Second, kid, vals)
	}
	post := func(id, src, dept, at string, vals map[string]any) {
		submit(t, a, id, src, dept, "post-discharge", local(at), 0, nil, vals)
	}
	// Nov 1 2026 is the day US clocks go back: 00:30 is still CDT
	kiosk("k1", "2026-11-01 00:30", map[string]any{"overall": 5, "staff": 5, "clean": true})
	kiosk("k2", "2026-11-03 12:00", map[string]any{"overall": 4, "staff": 5, "clean": false})
	kiosk("k2-again", "2026-11-03 12:00", map[string]any{"overall": 4, "staff": 5, "clean": false}) // a repeated press: suspicious
	kiosk("k3", "2026-11-07 23:30", map[string]any{"overall": 5})                                   // 05:30 UTC on the 8th, still the 7th here
	kiosk("k4", "2026-11-08 00:10", map[string]any{"overall": 1})                                   // out of range
	kiosk("k5", "2026-10-31 23:59", map[string]any{"overall": 5})                                   // out of range
	post("e1", "email", "INPT", "2026-11-02 09:00", map[string]any{"overall": 5, "explained": true, "recommend": 10})
	post("e2", "email", "INPT", "2026-11-04 09:00", map[string]any{"overall": 3, "explained": true, "recommend": 9})
	post("e3", "email", "INPT", "2026-11-05 09:00", map[string]any{"overall": 2, "explained": false, "recommend": 3, "comment": "The nurse was rude"})
	post("s1", "sms", "INPT", "2026-11-06 09:00", map[string]any{"overall": 5, "explained": true, "recommend": 9})
	post("s2", "sms", "OUTPT", "2026-11-06 10:00", map[string]any{"overall": 4, "explained": true, "recommend": 8})
	post("s3", "sms", "OUTPT", "2026-11-07 10:00", map[string]any{"overall": 1, "explained": false, "recommend": 0})
}

func near(got any, want float64) bool {
	f, ok := got.(float64)
	return ok && math.Abs(f-want) < 1e-9
}

func TestSummaryFixtures(t *testing.T) {
	testapp.Each(t, inChicago, func(t *testing.T, a *testapp.App) {
		summaryFixture(t, a)
		tok := a.APIToken("reports:read")
		get := func(q string) map[string]any {
			t.Helper()
			r := a.Call("GET", "/api/reports/summary?"+q, tok, nil)
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", q, r.Status, r.Body)
			}
			return r.JSON()
		}
		// in range: k1 k2 k3 e1 e2 e3 s1 s2 s3 = 9 (k2-again is suspicious)
		// rating5: 5,5 4,5 5 | 5 3 2 | 5 4 1 -> 6 fives of 11
		// nps: 10 9 3 | 9 8 0 -> 3 promoters, 2 detractors of 6 = 16.666.. -> 16.7
		s := get("from=2026-11-01&to=2026-11-07")
		if s["responses"] != float64(9) || !near(s["csat_top_box"], 6.0/11) || s["nps"] != 16.7 {
			t.Fatalf("summary %v", s)
		}
		deps := s["by_department"].([]any)
		want := []struct {
			code      string
			responses float64
			csat      float64
			nps       any
		}{
			{"ED", 3, 4.0 / 5, nil},    // 5 5 4 5 5
			{"INPT", 4, 2.0 / 4, 50.0}, // 5 3 2 5; 10 9 3 9
			{"OUTPT", 2, 0, -50.0},     // 4 1; 8 0
		}
		if len(deps) != len(want) {
			t.Fatalf("departments %v", deps)
		}
		for i, w := range want {
			d := deps[i].(map[string]any)
			if d["code"] != w.code || d["responses"] != w.responses || !near(d["csat_top_box"], w.csat) || d["nps"] != w.nps {
				t.Errorf("department %d = %v, want %+v", i, d, w)
			}
		}
		s = get("from=2026-11-01&to=2026-11-07&channel=sms")
		if s["responses"] != float64(3) || !near(s["csat_top_box"], 1.0/3) || s["nps"] != 0.0 {
			t.Fatalf("sms summary %v", s)
		}
		s = get("from=2026-11-01&to=2026-11-07&channel=kiosk")
		if s["responses"] != float64(3) || s["nps"] != nil || !near(s["csat_top_box"], 0.8) {
			t.Fatalf("kiosk summary %v", s)
		}
		s = get("from=2026-11-08&to=2026-11-08")
		if s["responses"] != float64(1) || !near(s["csat_top_box"], 0) {
			t.Fatalf("Nov 8 (k4 only) %v", s)
		}
		s = get("from=2025-01-01&to=2025-01-31")
		if s["responses"] != float64(0) || s["csat_top_box"] != nil || s["nps"] != nil || len(s["by_department"].([]any)) != 0 {
			t.Fatalf("empty range %v", s)
		}
		// a response arriving later is counted at once
		submit(t, a, "late", "kiosk", "ED", "kiosk", local("2026-11-02 08:00"), 0, nil, map[string]any{"overall": 5})
		if s = get("from=2026-11-01&to=2026-11-07"); s["responses"] != float64(10) || !near(s["csat_top_box"], 7.0/12) {
			t.Fatalf("after a late response %v", s)
		}
		for _, bad := range []string{"from=2026-11-07&to=2026-11-01", "from=2026-13-01&to=2026-12-01", "from=2026-11-01", "from=01/11/2026&to=2026-11-07",
			"from=2026-11-01&to=2026-11-07&channel=fax"} {
			if r := a.Call("GET", "/api/reports/summary?"+bad, tok, nil); r.Status != 400 || r.JSON()["error"] == nil {
				t.Errorf("%s: %d %s, want 400 with an error", bad, r.Status, r.Body)
			}
		}
		rg, _ := reports.ParseRange("2026-11-01", "2026-11-07", chicago)
		d, err := a.Server.Reports.Dashboard(context.Background(), reports.Query{Range: rg})
		if err != nil {
			t.Fatal(err)
		}
		// an agent scoped to ED sees ED only, whatever department is asked
		for _, dept := range []string{"", "INPT"} {
			ed, err := a.Server.Reports.Dashboard(context.Background(), reports.Query{Range: rg, Scope: []string{"ED"}, Department: dept})
			if err != nil {
				t.Fatal(err)
			}
			want := int64(4) // k1 k2 k3 and the late one
			if dept == "INPT" {
				want = 0
			}
			if ed.Now.Responses != want || len(ed.Departments) > 1 || len(ed.Departments) == 1 && ed.Departments[0].Code != "ED" {
				t.Errorf("agent scoped to ED asking %q: %d responses, departments %+v", dept, ed.Now.Responses, ed.Departments)
			}
		}
		if len(d.Kiosks) != 1 || d.Kiosks[0].Responses != 3 {
			t.Errorf("kiosk activity %+v; want the ED kiosk with 3 (k1 k2 k3; the late one came without a kiosk)", d.Kiosks)
		}
		if len(d.Themes) == 0 || len(d.Themes[0].Examples) != 1 || d.Themes[0].Examples[0] != "The nurse was rude" {
			t.Errorf("themes %+v", d.Themes)
		}
		if r := a.Call("GET", "/api/reports/summary?from=2026-11-01&to=2026-11-07", a.APIToken("cases:read"), nil); r.Status != 403 {
			t.Errorf("wrong scope: %d", r.Status)
		}
	})
}

func TestTimezoneChangeRecounts(t *testing.T) {
	testapp.Each(t, inChicago, func(t *testing.T, a *testapp.App) {
		ctx := context.Background()
		submit(t, a, "x", "kiosk", "ED", "kiosk", local("2026-11-07 23:30"), 0, nil, map[string]any{"overall": 5})
		if _, err := a.Store.RefreshReports(ctx, chicago); err != nil {
			t.Fatal(err)
		}
		// the same instant is Nov 8 in UTC: a new PV_TIMEZONE must move it
		if _, err := a.Store.RefreshReports(ctx, time.UTC); err != nil {
			t.Fatal(err)
		}
		rows, err := a.Store.ReportSums(ctx, modelsFilter("2026-11-08"), "day", "kind")
		if err != nil || len(rows) == 0 || rows[0].Day != "2026-11-08" {
			t.Fatalf("after the zone change: %+v %v", rows, err)
		}
	})
}
