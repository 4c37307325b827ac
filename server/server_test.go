package server_test

import (
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

func TestHealthz(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		r := a.Call("GET", "/healthz", "", nil)
		if r.Status != 200 || r.JSON()["status"] != "ok" {
			t.Fatalf("healthz %d %s", r.Status, r.Body)
		}
		a.Store.Close()
		r = a.Call("GET", "/healthz", "", nil)
		if r.Status != 503 {
			t.Fatalf("healthz after close: %d %s", r.Status, r.Body)
		}
	})
}

func TestDepartmentsNeedsToken(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		r := a.Call("GET", "/api/departments", "", nil)
		if r.Status != 401 || r.JSON()["error"] == "" {
			t.Fatalf("no token: %d %s", r.Status, r.Body)
		}
		if r := a.Call("GET", "/api/departments", "pva_nonsense", nil); r.Status != 401 {
			t.Fatalf("bad token: %d", r.Status)
		}
		r = a.Call("GET", "/api/departments", a.APIToken(models.ScopeCasesRead), nil)
		if r.Status != 200 {
			t.Fatalf("with token: %d %s", r.Status, r.Body)
		}
		deps := r.JSON()["departments"].([]any)
		var codes []string
		for _, d := range deps {
			m := d.(map[string]any)
			if m["name"] == "" {
				t.Fatal("department without name")
			}
			codes = append(codes, m["code"].(string))
		}
		if strings.Join(codes, ",") != "ADMIN,BILL,ED,INPT,OUTPT" {
			t.Fatalf("departments %v", codes)
		}
	})
}

func TestScopeEnforced(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		r := a.Call("GET", "/api/surveys/kiosk", a.APIToken(models.ScopeCasesRead), nil)
		if r.Status != 403 {
			t.Fatalf("wrong scope: %d %s", r.Status, r.Body)
		}
		r = a.Call("GET", "/api/surveys/kiosk", a.APIToken(models.ScopeSurveysRead), nil)
		if r.Status != 200 || r.JSON()["key"] != "kiosk" {
			t.Fatalf("right scope: %d %s", r.Status, r.Body)
		}
		if r := a.Call("GET", "/api/surveys/nope", a.APIToken(models.ScopeSurveysRead), nil); r.Status != 404 {
			t.Fatalf("unknown survey: %d", r.Status)
		}
	})
}

func TestErrorsAndHeaders(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		r := a.Call("GET", "/api/nothing-here", "", nil)
		if r.Status != 404 || r.JSON()["error"] == nil {
			t.Fatalf("api 404 should be JSON: %d %s", r.Status, r.Body)
		}
		r = a.Call("GET", "/no-such-page", "", nil)
		if r.Status != 404 || !strings.Contains(string(r.Body), "<html") {
			t.Fatalf("page 404 should be HTML: %d %s", r.Status, r.Body)
		}
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "http") || r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("security headers missing: %v", r.Header)
		}
		big := `{"x":"` + strings.Repeat("a", 70<<10) + `"}`
		r = a.Call("POST", "/api/kiosk/responses", "x", big)
		if r.Status != 413 || r.JSON()["error"] == nil {
			t.Fatalf("oversized body: %d %s", r.Status, r.Body)
		}
		if r := a.Call("GET", "/metrics", "", nil); r.Status != 200 || !strings.Contains(string(r.Body), "patientvoice_http_requests_total") {
			t.Fatalf("metrics: %d", r.Status)
		}
	})
}
