package kiosk_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

func body(id string, answers string, extra string) string {
	return fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[%s]%s}`, id, answers, extra)
}

func TestSubmitAndReplay(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok, k := a.Kiosk("ED")
		id := uuid.NewString()
		b := body(id, `{"question":"overall","value":4},{"question":"clean","value":true}`, "")
		r := a.Call("POST", "/api/kiosk/responses", tok, b)
		if r.Status != 201 {
			t.Fatalf("first submit %d %s", r.Status, r.Body)
		}
		want := fmt.Sprintf(`{"id":%q,"flagged":false,"suspicious":false,"case_id":null}`, id)
		if string(r.Body) != want {
			t.Fatalf("body %s, want %s", r.Body, want)
		}
		for i := 0; i < 3; i++ {
			r2 := a.Call("POST", "/api/kiosk/responses", tok, b)
			if r2.Status != 200 || string(r2.Body) != want {
				t.Fatalf("replay %d %s", r2.Status, r2.Body)
			}
		}
		if n, _ := a.Store.CountResponses(context.Background()); n != 1 {
			t.Fatalf("%d responses stored; want 1", n)
		}
		resp, _ := a.Store.ResponseByClientID(context.Background(), id)
		if resp.KioskID == nil || *resp.KioskID != k.ID || resp.Source != "kiosk" || resp.Language != "en" || resp.DepartmentID == 0 {
			t.Fatalf("stored %+v", resp)
		}
	})
}

func TestSubmitValidation(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok, _ := a.Kiosk("ED")
		ok := `{"question":"overall","value":3}`
		cases := []struct {
			name, body, field string
		}{
			{"not json", `{"id":`, ""},
			{"bad id", body("not-a-uuid", ok, ""), "id"},
			{"wrong survey", strings.Replace(body(uuid.NewString(), ok, ""), `"kiosk"`, `"post-discharge"`, 1), "survey"},
			{"unknown question", body(uuid.NewString(), ok+`,{"question":"colour","value":"red"}`, ""), "answers[1].question"},
			{"wrong kind", body(uuid.NewString(), `{"question":"overall","value":"good"}`, ""), "answers[0].value"},
			{"out of range", body(uuid.NewString(), `{"question":"overall","value":9}`, ""), "answers[0].value"},
			{"missing required", body(uuid.NewString(), `{"question":"clean","value":true}`, ""), "answers"},
			{"oversized text", body(uuid.NewString(), ok+`,{"question":"comment","value":"`+strings.Repeat("x", 2001)+`"}`, ""), "answers[1].value"},
			{"answers not a list", fmt.Sprintf(`{"id":%q,"survey":"kiosk","answers":"all good"}`, uuid.NewString()), "answers"},
			{"bad submitted_at", body(uuid.NewString(), ok, `,"submitted_at":"yesterday"`), "submitted_at"},
			{"contact without phone or email", body(uuid.NewString(), ok, `,"contact":{"name":"A"}`), "contact"},
			{"contact bad phone", body(uuid.NewString(), ok, `,"contact":{"phone":"12"}`), "contact.phone"},
			{"contact bad email", body(uuid.NewString(), ok, `,"contact":{"email":"a@"}`), "contact.email"},
		}
		for _, c := range cases {
			r := a.Call("POST", "/api/kiosk/responses", tok, c.body)
			m := r.JSON()
			if r.Status != 400 || m["error"] == nil || (c.field != "" && m["field"] != c.field) {
				t.Errorf("%s: %d %s; want 400 field %q", c.name, r.Status, r.Body, c.field)
			}
		}
		big := body(uuid.NewString(), ok+`,{"question":"comment","value":"`+strings.Repeat("x", 65<<10)+`"}`, "")
		if r := a.Call("POST", "/api/kiosk/responses", tok, big); r.Status != 413 || r.JSON()["error"] == nil {
			t.Errorf("oversized body: %d %s", r.Status, r.Body)
		}
		if n, _ := a.Store.CountResponses(context.Background()); n != 0 {
			t.Fatalf("invalid submissions stored: %d", n)
		}
	})
}

func TestKioskTokenScope(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok, k := a.Kiosk("ED")
		b := body(uuid.NewString(), `{"question":"overall","value":3}`, "")
		if r := a.Call("POST", "/api/kiosk/responses", "", b); r.Status != 401 {
			t.Fatalf("no token: %d", r.Status)
		}
		if r := a.Call("POST", "/api/kiosk/responses", "pvk_unknown", b); r.Status != 401 {
			t.Fatalf("unknown token: %d", r.Status)
		}
		for _, p := range []string{"/api/departments", "/api/surveys/kiosk", "/api/cases"} {
			if r := a.Call("GET", p, tok, nil); r.Status != 401 && r.Status != 404 {
				t.Errorf("kiosk token reached %s: %d", p, r.Status)
			}
		}
		if r := a.Call("POST", "/api/kiosk/heartbeat", tok, nil); r.Status != 204 {
			t.Fatalf("heartbeat %d", r.Status)
		}
		got, _ := a.Store.KioskByID(context.Background(), k.ID)
		if got.LastSeenAt == nil || !got.LastSeenAt.Equal(a.Clock.Now()) {
			t.Fatalf("last seen %v, want %v", got.LastSeenAt, a.Clock.Now())
		}
		if r := a.Call("GET", "/api/kiosk/survey", tok, nil); r.Status != 200 || r.JSON()["key"] != "kiosk" {
			t.Fatalf("kiosk survey %d %s", r.Status, r.Body)
		}
		if err := a.Store.RevokeKiosk(context.Background(), k.ID); err != nil {
			t.Fatal(err)
		}
		if r := a.Call("POST", "/api/kiosk/responses", tok, b); r.Status != 401 {
			t.Fatalf("revoked token: %d", r.Status)
		}
		if r := a.Call("GET", "/kiosk/"+tok, "", nil); r.Status != 404 {
			t.Fatalf("revoked kiosk page: %d", r.Status)
		}
	})
}

func TestRateLimit(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.KioskRate = 3 }, func(t *testing.T, a *testapp.App) {
		tok, _ := a.Kiosk("ED")
		var first string
		for i := 0; i < 3; i++ {
			id := uuid.NewString()
			if i == 0 {
				first = id
			}
			b := body(id, fmt.Sprintf(`{"question":"overall","value":%d}`, i+1), "")
			if r := a.Call("POST", "/api/kiosk/responses", tok, b); r.Status != 201 {
				t.Fatalf("submit %d: %d %s", i, r.Status, r.Body)
			}
		}
		r := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), `{"question":"overall","value":5}`, ""))
		if r.Status != 429 || r.JSON()["error"] == nil {
			t.Fatalf("4th in a minute: %d %s", r.Status, r.Body)
		}
		// a replay of a stored submission is still answered
		if r := a.Call("POST", "/api/kiosk/responses", tok, body(first, `{"question":"overall","value":1}`, "")); r.Status != 200 {
			t.Fatalf("replay under rate limit: %d", r.Status)
		}
		a.Clock.Advance(61 * time.Second)
		if r := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), `{"question":"overall","value":5}`, "")); r.Status != 201 {
			t.Fatalf("after a minute: %d", r.Status)
		}
	})
}

func TestPressFilter(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok, _ := a.Kiosk("ED")
		low := `{"question":"overall","value":1}`
		at := func(d time.Duration) string {
			return fmt.Sprintf(`,"submitted_at":%q`, a.Clock.Now().Add(d).Format(time.RFC3339Nano))
		}
		r1 := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), low, at(0))).JSON()
		r2 := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), low, at(1500*time.Millisecond))).JSON()
		if r1["suspicious"] != false || r1["case_id"] == nil || r1["flagged"] != true {
			t.Fatalf("first press: %v", r1)
		}
		if r2["suspicious"] != true || r2["case_id"] != nil || r2["flagged"] != true {
			t.Fatalf("second press within 2 s: %v", r2)
		}
		// different answers, or the same answers later (an offline replay keeps its time), are genuine
		r3 := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), `{"question":"overall","value":2}`, at(1600*time.Millisecond))).JSON()
		r4 := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), low, at(10*time.Second))).JSON()
		if r3["suspicious"] != false || r4["suspicious"] != false {
			t.Fatalf("genuine submissions marked suspicious: %v %v", r3, r4)
		}
		// with contact, never suspicious, always a case
		c := `,"contact":{"phone":"(312) 555-0142"}`
		r5 := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), low, at(10500*time.Millisecond)+c)).JSON()
		if r5["suspicious"] != false || r5["case_id"] == nil {
			t.Fatalf("contact submission: %v", r5)
		}
	})
}

func TestCasesFromKiosk(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok, _ := a.Kiosk("OUTPT")
		ctx := context.Background()
		submit := func(answers, extra string) models.Case {
			r := a.Call("POST", "/api/kiosk/responses", tok, body(uuid.NewString(), answers, extra))
			if r.Status != 201 || r.JSON()["case_id"] == nil {
				t.Fatalf("no case: %d %s", r.Status, r.Body)
			}
			c, err := a.Store.CaseByID(ctx, uint(r.JSON()["case_id"].(float64)))
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := submit(`{"question":"overall","value":2},{"question":"comment","value":"The receptionist was rude"}`, "")
		if c.Reasons != "low_score:overall,keyword:rude" || c.Category != "staff_attitude" || c.Priority != "normal" || c.Status != "new" || c.Source != "kiosk" {
			t.Fatalf("flagged case %+v", c)
		}
		if !c.AcknowledgeBy.Equal(a.Clock.Now().Add(72*time.Hour)) || !c.ResolveBy.Equal(a.Clock.Now().Add(14*24*time.Hour)) {
			t.Fatalf("deadlines %v %v", c.AcknowledgeBy, c.ResolveBy)
		}
		d, _ := a.Store.DepartmentByID(ctx, c.DepartmentID)
		if d.Code != "OUTPT" {
			t.Fatalf("department %s", d.Code)
		}
		c = submit(`{"question":"overall","value":4},{"question":"comment","value":"They gave me the wrong medication"}`, "")
		if c.Priority != "urgent" || c.Category != "safety" || !strings.Contains(c.Reasons, "safety:wrong_medication") ||
			!c.AcknowledgeBy.Equal(a.Clock.Now().Add(time.Hour)) {
			t.Fatalf("safety case %+v", c)
		}
		c = submit(`{"question":"overall","value":1},{"question":"topic","value":"billing"}`, "")
		d, _ = a.Store.DepartmentByID(ctx, c.DepartmentID)
		if d.Code != "BILL" || c.Category != "billing" || c.Priority != "high" {
			t.Fatalf("billing routed to %s priority %s: %+v", d.Code, c.Priority, c)
		}
		c = submit(`{"question":"overall","value":5}`, `,"contact":{"name":"Ana Ruiz","email":"Ana@Example.org","message":"Please call about my mother"}`)
		if c.Reasons != "contact_request" || c.ContactID == nil {
			t.Fatalf("contact case %+v", c)
		}
		v, err := a.Store.ContactByID(ctx, *c.ContactID)
		if err != nil || v.Name != "Ana Ruiz" || v.Email != "ana@example.org" {
			t.Fatalf("contact %+v %v", v, err)
		}
		if s := a.Store.CaseSummary(c); s != "Please call about my mother" {
			t.Fatalf("summary %q", s)
		}
	})
}
