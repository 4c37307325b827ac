package triage_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

func kioskCase(t *testing.T, a *testapp.App, tok string, overall int, comment string) {
	t.Helper()
	b := fmt.Sprintf(`{"id":%q,"survey":"kiosk","answers":[{"question":"overall","value":%d},{"question":"comment","value":%q}]}`, uuid.NewString(), overall, comment)
	if r := a.Call("POST", "/api/kiosk/responses", tok, b); r.Status != 201 || r.JSON()["case_id"] == nil {
		t.Fatalf("no case: %d %s", r.Status, r.Body)
	}
}

func TestCasesAPI(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		ed, _ := a.Kiosk("ED")
		inpt, _ := a.Kiosk("INPT")
		for i := 0; i < 5; i++ {
			kioskCase(t, a, ed, 2, "slow")
			a.Clock.Advance(time.Minute)
		}
		kioskCase(t, a, inpt, 5, "a nurse assaulted me")
		read := a.APIToken(models.ScopeCasesRead)
		r := a.Call("GET", "/api/cases", read, nil)
		if r.Status != 200 {
			t.Fatalf("list %d %s", r.Status, r.Body)
		}
		cases := r.JSON()["cases"].([]any)
		first := cases[0].(map[string]any)
		if len(cases) != 6 || first["id"] != float64(6) || r.JSON()["next"] != nil {
			t.Fatalf("newest first, no next: %s", r.Body)
		}
		for _, k := range []string{"id", "status", "priority", "category", "department", "source", "reasons", "grievance", "created_at", "acknowledge_by", "resolve_by", "assignee_email"} {
			if _, ok := first[k]; !ok {
				t.Fatalf("CASE lacks %s: %v", k, first)
			}
		}
		if first["priority"] != "urgent" || first["department"] != "INPT" || first["category"] != "safety" || first["assignee_email"] != nil {
			t.Fatalf("urgent case %v", first)
		}
		if _, err := time.Parse(time.RFC3339, first["acknowledge_by"].(string)); err != nil {
			t.Fatalf("times must be RFC 3339: %v", first["acknowledge_by"])
		}
		// cursor pagination walks every case once
		var ids []string
		cursor := ""
		for page := 0; page < 5; page++ {
			q := "/api/cases?limit=2&department=ED"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			r := a.Call("GET", q, read, nil).JSON()
			for _, c := range r["cases"].([]any) {
				ids = append(ids, fmt.Sprint(c.(map[string]any)["id"]))
			}
			if r["next"] == nil {
				break
			}
			cursor = r["next"].(string)
		}
		if strings.Join(ids, ",") != "5,4,3,2,1" {
			t.Fatalf("pages %v", ids)
		}
		for _, q := range []string{"?limit=0", "?limit=501", "?status=open", "?priority=meh", "?department=XX", "?source=fax", "?cursor=abc"} {
			if r := a.Call("GET", "/api/cases"+q, read, nil); r.Status != 400 || r.JSON()["field"] == nil {
				t.Errorf("%s: %d %s", q, r.Status, r.Body)
			}
		}
		if r := a.Call("GET", "/api/cases?priority=urgent&source=kiosk&status=new", read, nil); len(r.JSON()["cases"].([]any)) != 1 {
			t.Fatalf("filters: %s", r.Body)
		}

		write := a.APIToken(models.ScopeCasesWrite)
		if r := a.Call("PATCH", "/api/cases/1", read, `{"status":"acknowledged"}`); r.Status != 403 {
			t.Fatalf("read token patched: %d", r.Status)
		}
		a.User("ana@h.org", models.RoleAgent)
		r = a.Call("PATCH", "/api/cases/1", write, `{"status":"acknowledged","assignee_email":"ana@h.org","note":"called back"}`)
		if r.Status != 200 || r.JSON()["status"] != "acknowledged" || r.JSON()["assignee_email"] != "ana@h.org" {
			t.Fatalf("patch: %d %s", r.Status, r.Body)
		}
		r = a.Call("PATCH", "/api/cases/1", write, `{"status":"closed"}`)
		if r.Status != 409 || !strings.Contains(r.JSON()["error"].(string), "acknowledged case cannot become closed") {
			t.Fatalf("forbidden transition: %d %s", r.Status, r.Body)
		}
		for body, field := range map[string]string{`{"status":"done"}`: "status", `{"assignee_email":"ghost@h.org"}`: "assignee_email"} {
			if r := a.Call("PATCH", "/api/cases/1", write, body); r.Status != 400 || r.JSON()["field"] != field {
				t.Errorf("%s: %d %s", body, r.Status, r.Body)
			}
		}
		if r := a.Call("PATCH", "/api/cases/1", write, `{"colour":"red"}`); r.Status != 400 {
			t.Errorf("unknown field: %d", r.Status)
		}
		if r := a.Call("PATCH", "/api/cases/999", write, `{"note":"x"}`); r.Status != 404 {
			t.Errorf("missing case: %d", r.Status)
		}
		r = a.Call("GET", "/api/cases/1", read, nil)
		var kinds []string
		for _, e := range r.JSON()["events"].([]any) {
			m := e.(map[string]any)
			kinds = append(kinds, m["kind"].(string)+"/"+m["actor"].(string))
		}
		if strings.Join(kinds, ",") != "created/system,assigned/system,acknowledged/system,note/system" {
			t.Fatalf("events %v", kinds)
		}
	})
}
