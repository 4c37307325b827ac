package fhirapi_test

import (
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

// seedResponses stores n kiosk responses one minute apart from at (the
// first at at), every third with a comment.
func seedResponses(t *testing.T, a *testapp.App, n int) {
	t.Helper()
	tok, _ := a.Kiosk("ED")
	for i := range n {
		comment := ""
		if i%3 == 0 {
			comment = "nurse Ana was kind " + strconv.Itoa(i)
		}
		kioskResponse(t, a, tok, 1+i%5, comment)
		a.Clock.Advance(time.Minute)
	}
}

// page follows next links from path and returns every entry's id and the
// number of pages.
func page(t *testing.T, a *testapp.App, tok, path string) ([]string, []map[string]any, int) {
	t.Helper()
	var ids []string
	var res []map[string]any
	pages := 0
	for path != "" {
		r := call(t, a, "GET", path, tok, "")
		b := obj(t, r)
		if r.Status != 200 || b["resourceType"] != "Bundle" || b["type"] != "searchset" {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		pages++
		entries, _ := get(b, "entry").([]any)
		for _, e := range entries {
			res = append(res, get(e, "resource").(map[string]any))
			ids = append(ids, get(e, "resource", "id").(string))
			if get(e, "fullUrl") != "http://localhost:8080/api/fhir/QuestionnaireResponse/"+get(e, "resource", "id").(string) || get(e, "search", "mode") != "match" {
				t.Errorf("entry %v", e)
			}
		}
		path = ""
		for _, l := range get(b, "link").([]any) {
			if get(l, "relation") == "next" {
				u, err := url.Parse(get(l, "url").(string))
				if err != nil || !strings.HasPrefix(u.String(), "http://localhost:8080/api/fhir/QuestionnaireResponse?") {
					t.Fatalf("next link %v", l)
				}
				path = u.RequestURI()
			}
		}
		if pages > 100 {
			t.Fatal("next links never end")
		}
	}
	return ids, res, pages
}

func TestResponsePaging(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		seedResponses(t, a, 7)
		tok := a.APIToken(models.ScopeReportsRead)
		r := call(t, a, "GET", "/api/fhir/QuestionnaireResponse?_count=3", tok, "")
		if b := obj(t, r); b["total"] != 7.0 || len(get(b, "entry").([]any)) != 3 {
			t.Fatalf("first page: %s", r.Body)
		}
		ids, res, pages := page(t, a, tok, "/api/fhir/QuestionnaireResponse?_count=3")
		if pages != 3 || len(ids) != 7 {
			t.Fatalf("%d pages, %d entries; want 3 and 7: %v", pages, len(ids), ids)
		}
		seen := map[string]bool{}
		prev := ""
		for i, id := range ids {
			if seen[id] {
				t.Fatalf("id %s twice", id)
			}
			seen[id] = true
			lu := get(res[i], "meta", "lastUpdated").(string)
			if lu < prev {
				t.Fatalf("not oldest first: %s after %s", lu, prev)
			}
			prev = lu
		}
		// the second page carries no total (counted once), unless asked
		_, _, _ = page(t, a, tok, "/api/fhir/QuestionnaireResponse?_count=7")
		qr := res[0]
		for k, want := range map[string]any{"resourceType": "QuestionnaireResponse", "status": "completed", "language": "es",
			"questionnaire": "http://localhost:8080/api/fhir/Questionnaire/kiosk|1", "authored": "2026-11-27T15:00:00Z"} {
			if qr[k] != want {
				t.Errorf("%s = %v, want %v", k, qr[k], want)
			}
		}
		for _, k := range []string{"subject", "author", "source", "encounter", "text", "contained"} {
			if qr[k] != nil {
				t.Errorf("response carries %s: %v", k, qr)
			}
		}
		if get(qr, "extension", 0, "valueCode") != "ED" || get(qr, "extension", 1, "valueCode") != "kiosk" {
			t.Errorf("department and channel: %v", get(qr, "extension"))
		}
		if get(qr, "item", 0, "linkId") != "overall" || get(qr, "item", 0, "answer", 0, "valueInteger") != 1.0 ||
			get(qr, "item", 1, "answer", 0, "valueBoolean") != true ||
			get(qr, "item", 2, "answer", 0, "valueCoding", "code") != "wait_time" ||
			get(qr, "item", 2, "answer", 0, "valueCoding", "system") != "http://localhost:8080/api/fhir/CodeSystem/kiosk/topic" {
			t.Errorf("answers: %v", get(qr, "item"))
		}
		// a comment is withheld and labelled
		if len(get(qr, "item").([]any)) != 3 || get(qr, "meta", "security", 0, "code") != "REDACTED" {
			t.Errorf("comment not withheld: %v", qr)
		}
		if get(res[1], "meta", "security") != nil {
			t.Errorf("REDACTED on a response without comment: %v", res[1])
		}
		if r := call(t, a, "GET", "/api/fhir/QuestionnaireResponse?_count=3&_total=none", tok, ""); obj(t, r)["total"] != nil {
			t.Errorf("_total=none: %s", r.Body)
		}
		if b := obj(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse?_count=0", tok, "")); b["total"] != 7.0 || b["entry"] != nil {
			t.Errorf("_count=0: %v", b)
		}
		if ids2, _, _ := page(t, a, tok, "/api/fhir/QuestionnaireResponse?_count=2&questionnaire=http://localhost:8080/api/fhir/Questionnaire/kiosk|1"); len(ids2) != 7 {
			t.Errorf("questionnaire filter: %d", len(ids2))
		}
		for _, q := range []string{"post-discharge", "Questionnaire/kiosk|2", "nope"} {
			if b := obj(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse?questionnaire="+url.QueryEscape(q), tok, "")); b["total"] != 0.0 || b["entry"] != nil {
				t.Errorf("questionnaire=%s: %v", q, b)
			}
		}
		rd := call(t, a, "GET", "/api/fhir/QuestionnaireResponse/"+ids[0], tok, "")
		if m := obj(t, rd); rd.Status != 200 || m["id"] != ids[0] || get(m, "meta", "security", 0, "code") != "REDACTED" {
			t.Errorf("read: %d %s", rd.Status, rd.Body)
		}
		wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse/999999", tok, ""), 404, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse/abc", tok, ""), 404, "")
	})
}

func TestResponseLastUpdated(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.Location = chicago(t) }, func(t *testing.T, a *testapp.App) {
		// 15:00, 15:01, ..., 15:05 UTC on 2026-11-27 (09:00.. in Chicago)
		seedResponses(t, a, 6)
		a.Clock.Advance(48 * time.Hour)
		seedResponses(t, a, 2) // 2026-11-29 15:06, 15:07 UTC
		tok := a.APIToken(models.ScopeReportsRead)
		count := func(q string) int {
			t.Helper()
			r := call(t, a, "GET", "/api/fhir/QuestionnaireResponse?"+q, tok, "")
			if r.Status != 200 {
				t.Fatalf("%s: %d %s", q, r.Status, r.Body)
			}
			ids, _, _ := page(t, a, tok, "/api/fhir/QuestionnaireResponse?_count=2&"+q)
			if total := int(obj(t, r)["total"].(float64)); total != len(ids) {
				t.Fatalf("%s: total %d but %d entries", q, total, len(ids))
			}
			return len(ids)
		}
		for q, want := range map[string]int{
			"":                                        8,
			"_lastUpdated=ge2026-11-27":               8,
			"_lastUpdated=gt2026-11-27":               2,
			"_lastUpdated=2026-11-27":                 6,
			"_lastUpdated=eq2026-11-29":               2,
			"_lastUpdated=lt2026-11-28":               6,
			"_lastUpdated=le2026-11-27":               6,
			"_lastUpdated=gt2026-11":                  0,
			"_lastUpdated=2026":                       8,
			"_lastUpdated=ge2026-11-27T15:02:00Z":     6,
			"_lastUpdated=gt2026-11-27T15:02:00Z":     5,
			"_lastUpdated=gt2026-11-27T15:02Z":        5,
			"_lastUpdated=le2026-11-27T15:02:00Z":     3,
			"_lastUpdated=lt2026-11-27T15:02:00.000Z": 2,
			"_lastUpdated=eq2026-11-27T15:02:00Z":     1,
			// local time (PV_TIMEZONE Chicago is UTC-6 in November)
			"_lastUpdated=ge2026-11-27T09:03:00":                             5,
			"_lastUpdated=" + url.QueryEscape("ge2026-11-27T09:03:00-06:00"): 5,
			"_lastUpdated=ge2026-11-27T09:03:00-06:00":                       5, // "+" or "-": a raw "+" would arrive as a space
			"_lastUpdated=ge2026-11-27T16:03:00+01:00":                       5,
			"_lastUpdated=ge2026-11-27&_lastUpdated=lt2026-11-27T15:03:00Z":  3,
			"_lastUpdated=gt2026-11-29&_lastUpdated=lt2026-11-27":            0,
		} {
			if got := count(q); got != want {
				t.Errorf("%s: %d responses, want %d", q, got, want)
			}
		}
		for _, q := range []string{"_lastUpdated=sa2026-11-27", "_lastUpdated=2026-13-01", "_lastUpdated=yesterday",
			"_lastUpdated=ge2026-11-27T25:00:00Z", "_count=-1", "_count=x", "_total=some", "patient=123", "subject=Patient/1",
			"_sort=-_lastUpdated", "_cursor=bogus", "comments=yes"} {
			wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse?"+q, tok, ""), 400, "")
		}
		if r := call(t, a, "GET", "/api/fhir/QuestionnaireResponse?_count=100000", tok, ""); r.Status != 200 || len(get(obj(t, r), "entry").([]any)) != 8 {
			t.Errorf("_count above the maximum is capped: %d", r.Status)
		}
	})
}

func TestResponseComments(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		seedResponses(t, a, 4)
		reports := a.APIToken(models.ScopeReportsRead)
		both := a.APIToken(models.ScopeReportsRead, models.ScopeCommentsRead)
		comments := a.APIToken(models.ScopeCommentsRead)
		wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse?comments=include", reports, ""), 403, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse?comments=include", comments, ""), 403, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse", "", ""), 401, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/QuestionnaireResponse", a.APIToken(models.ScopeSurveysRead), ""), 403, "")
		audits := func() int {
			rows, err := a.Store.AuditSearch(t.Context(), models.AuditFilter{Action: "fhir_comments_read"})
			if err != nil {
				t.Fatal(err)
			}
			return len(rows)
		}
		// with both scopes but without asking: still withheld, no audit
		_, res, _ := page(t, a, both, "/api/fhir/QuestionnaireResponse")
		if get(res[0], "meta", "security", 0, "code") != "REDACTED" || audits() != 0 {
			t.Fatalf("comments given unasked")
		}
		_, res, _ = page(t, a, both, "/api/fhir/QuestionnaireResponse?_count=2&comments=include")
		texts := []string{}
		for _, qr := range res {
			for _, it := range get(qr, "item").([]any) {
				if get(it, "linkId") == "comment" {
					texts = append(texts, get(it, "answer", 0, "valueString").(string))
				}
			}
			if get(qr, "meta", "security") != nil {
				t.Errorf("REDACTED with comments included: %v", qr)
			}
		}
		if strings.Join(texts, "|") != "nurse Ana was kind 0|nurse Ana was kind 3" {
			t.Fatalf("comments %q", texts)
		}
		// one audit row per page that held text: pages 1 and 2 of 2
		if n := audits(); n != 2 {
			t.Fatalf("%d audit rows, want 2", n)
		}
		rows, _ := a.Store.AuditSearch(t.Context(), models.AuditFilter{Action: "fhir_comments_read"})
		if !strings.HasPrefix(rows[0].Actor, "api-token:") || strings.Contains(rows[0].Detail, "Ana") {
			t.Errorf("audit row %+v", rows[0])
		}
	})
}

// TestResponseFeedWhileWriting pages through the feed while 25 kiosks keep
// submitting: every response stored before the first page is returned
// exactly once.
func TestResponseFeedWhileWriting(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		seedResponses(t, a, 30)
		tok := a.APIToken(models.ScopeReportsRead)
		kt, _ := a.Kiosk("INPT")
		var wg sync.WaitGroup
		for range 25 {
			wg.Add(1)
			go func() { defer wg.Done(); kioskResponse(t, a, kt, 5, "") }()
		}
		ids, _, _ := page(t, a, tok, "/api/fhir/QuestionnaireResponse?_count=4&_lastUpdated=lt2026-11-27T15:30:00Z")
		wg.Wait()
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		if len(ids) != 30 {
			t.Fatalf("%d responses, want 30", len(ids))
		}
		if all, _, _ := page(t, a, tok, "/api/fhir/QuestionnaireResponse?_count=4"); len(all) != 55 {
			t.Fatalf("%d responses in all, want 55", len(all))
		}
	})
}

func chicago(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
