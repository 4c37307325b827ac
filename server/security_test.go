package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

func raw(a *testapp.App, method, path, ctype, auth string, body []byte, cookies map[string]string) (*http.Response, string) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for k, v := range cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := a.Server.App.Test(req, -1)
	if err != nil {
		a.T.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// TestSecurityHeadersOnEveryPageType checks the headers of each kind of
// page a browser or client sees: kiosk, email survey, follow-up, staff
// sign-in, staff pages, API JSON, webhook refusals and error pages.
func TestSecurityHeadersOnEveryPageType(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.BaseURL = "https://pv.hospital.example" }, func(t *testing.T, a *testapp.App) {
		a.Server.Staff.SetSleep(func(time.Duration) {})
		ktok, _ := a.Kiosk("ED")
		pw, _ := a.User("agent@h.org", models.RoleAgent)
		s := a.NewStaff()
		s.Login("agent@h.org", pw, "")
		pages := []struct {
			name, method, path, auth string
			staff, noStore           bool
		}{
			{"kiosk page", "GET", "/kiosk/" + ktok, "", false, true},
			{"kiosk API", "GET", "/api/kiosk/survey", ktok, false, true},
			{"API JSON", "GET", "/api/departments", a.APIToken(models.ScopeCasesRead), false, true},
			{"email survey, bad token", "GET", "/s/1.deadbeef", "", false, true},
			{"follow-up, bad token", "GET", "/f/1.deadbeef", "", false, true},
			{"webhook refusal", "POST", "/webhooks/twilio/sms", "", false, false},
			{"staff sign-in", "GET", "/staff/login", "", false, true},
			{"staff queue", "GET", "/staff/", "", true, true},
			{"staff case", "GET", "/staff/cases/new", "", true, true},
			{"staff reports", "GET", "/staff/reports", "", true, true},
			{"error page", "GET", "/no-such-page", "", false, true},
			{"static file", "GET", "/static/app.css", "", false, false},
		}
		for _, p := range pages {
			var h http.Header
			var status int
			if p.staff {
				r := s.Get(p.path)
				h, status = r.Header, r.Status
			} else {
				resp, _ := raw(a, p.method, p.path, "", p.auth, nil, nil)
				h, status = resp.Header, resp.StatusCode
			}
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s (%d): CSP %q lacks %s", p.name, status, csp, want)
				}
			}
			for k, v := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
				"Strict-Transport-Security": "max-age=63072000; includeSubDomains"} {
				if h.Get(k) != v {
					t.Errorf("%s (%d): %s = %q, want %q", p.name, status, k, h.Get(k), v)
				}
			}
			if p.noStore && !strings.Contains(h.Get("Cache-Control"), "no-store") {
				t.Errorf("%s (%d): Cache-Control %q, want no-store", p.name, status, h.Get("Cache-Control"))
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || strings.Contains(csp, "http:") {
				t.Errorf("%s: CSP allows too much: %s", p.name, csp)
			}
		}
		// the session cookie (sign-in carries its own double-submit token)
		fresh := a.NewStaff()
		fresh.Get("/staff/login")
		csrf := ""
		for k, v := range fresh.Cookies {
			if strings.Contains(k, "login") {
				csrf = v
			}
		}
		resp, _ := raw(a, "POST", "/staff/login", "application/x-www-form-urlencoded", "", []byte(url.Values{"email": {"agent@h.org"}, "password": {pw}, "csrf": {csrf}}.Encode()), fresh.Cookies)
		var sc *http.Cookie
		for _, c := range resp.Cookies() {
			if strings.HasPrefix(c.Name, "__Host-") {
				sc = c
			}
		}
		if sc == nil {
			t.Fatalf("no __Host- session cookie at sign-in: %v", resp.Header["Set-Cookie"])
		}
		if !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" || sc.Domain != "" || !sc.Expires.IsZero() || sc.MaxAge != 0 {
			t.Errorf("session cookie attributes: %+v", sc)
		}
		// credentials do not cross: a kiosk token is no staff session or API
		// token; a staff session is no API token
		if r, _ := raw(a, "GET", "/staff/", "", ktok, nil, nil); r.StatusCode != 303 {
			t.Errorf("kiosk token on a staff page: %d", r.StatusCode)
		}
		if r, _ := raw(a, "GET", "/api/cases", "", ktok, nil, nil); r.StatusCode != 401 {
			t.Errorf("kiosk token on the cases API: %d", r.StatusCode)
		}
		if r, _ := raw(a, "GET", "/api/cases", "", "", nil, s.Cookies); r.StatusCode != 401 {
			t.Errorf("staff session on the cases API: %d", r.StatusCode)
		}
		if r, _ := raw(a, "POST", "/api/kiosk/responses", "application/json", "", []byte(`{}`), s.Cookies); r.StatusCode != 401 {
			t.Errorf("staff session on the kiosk API: %d", r.StatusCode)
		}
	})
}

// TestInputLimitsNeverFail500 sends oversized bodies, deep JSON and
// overlong fields to every endpoint that takes input: each answers 4xx
// with a message saying what is wrong, never 5xx.
func TestInputLimitsNeverFail500(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		a.Server.Staff.SetSleep(func(time.Duration) {})
		ktok, _ := a.Kiosk("ED")
		api := a.APIToken(models.Scopes...)
		pw, totp := a.User("admin@h.org", models.RoleAdmin)
		s := a.NewStaff()
		s.Login("admin@h.org", pw, totp)
		big := strings.Repeat("x", 2<<20)
		deep := strings.Repeat("[", 5000) + strings.Repeat("]", 5000)
		long := strings.Repeat("é", 20000)
		id := "6c1f1c4e-0000-4000-8000-000000000001"
		jsonCases := []struct {
			name, method, path, auth, body string
			mayAccept                      bool // the server may take it (normalised or ignored), never 5xx
		}{
			{"kiosk: 2 MB", "POST", "/api/kiosk/responses", ktok, `{"id":"` + big + `"}`, false},
			{"kiosk: deep", "POST", "/api/kiosk/responses", ktok, deep, false},
			{"kiosk: deep inside a field", "POST", "/api/kiosk/responses", ktok, `{"id":"` + id + `","survey":"kiosk","answers":` + deep + `}`, false},
			{"kiosk: long comment", "POST", "/api/kiosk/responses", ktok, fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[{"question":"overall","value":3},{"question":"comment","value":%q}]}`, id, long), false},
			{"kiosk: long id", "POST", "/api/kiosk/responses", ktok, fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[{"question":"overall","value":3}]}`, strings.Repeat("a", 5000)), false},
			{"kiosk: long contact", "POST", "/api/kiosk/responses", ktok, fmt.Sprintf(`{"id":"6c1f1c4e-0000-4000-8000-000000000002","survey":"kiosk","language":"en","answers":[{"question":"overall","value":3}],"contact":{"name":%q,"phone":"312 555 0100","consent":true}}`, long), false},
			{"kiosk: long language", "POST", "/api/kiosk/responses", ktok, fmt.Sprintf(`{"id":"6c1f1c4e-0000-4000-8000-000000000003","survey":"kiosk","language":%q,"answers":[{"question":"overall","value":3}]}`, long), true},
			{"heartbeat: deep", "POST", "/api/kiosk/heartbeat", ktok, deep, true},
			{"discharge: 2 MB", "POST", "/api/discharges", api, `{"encounter_id":"` + big + `"}`, false},
			{"discharge: deep", "POST", "/api/discharges", api, deep, false},
			{"discharge: long fields", "POST", "/api/discharges", api, fmt.Sprintf(`{"encounter_id":%q,"department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"name":%q,"phone":"312 555 0100","email":%q}}`, long, long, long+"@x.org"), false},
			{"case patch: deep", "PATCH", "/api/cases/1", api, deep, false},
			{"case patch: long note", "PATCH", "/api/cases/1", api, fmt.Sprintf(`{"note":%q}`, long), false},
			{"case patch: long assignee", "PATCH", "/api/cases/1", api, fmt.Sprintf(`{"assignee_email":%q}`, long), false},
		}
		// a case to patch
		s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"}, "priority": {"normal"}, "summary": {"Cold dinner"}})
		for _, c := range jsonCases {
			resp, body := raw(a, c.method, c.path, "application/json", c.auth, []byte(c.body), nil)
			var e struct{ Error string }
			if c.mayAccept && resp.StatusCode < 300 {
				continue
			}
			if resp.StatusCode < 400 || resp.StatusCode >= 500 || json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
				t.Errorf("%s: %d %.200s; want 4xx with a JSON error", c.name, resp.StatusCode, body)
			}
		}
		csv := "encounter_id,name,phone,email,language,department,discharged_at\n" + strings.Repeat("E,"+long+",,,en,ED,2026-11-26 10:00\n", 3)
		if resp, body := raw(a, "POST", "/api/discharges/import", "text/csv", api, []byte(csv), nil); resp.StatusCode >= 500 {
			t.Errorf("CSV with long fields: %d %.200s", resp.StatusCode, body)
		}
		forms := []struct{ name, path, body string }{
			{"webhook: 2 MB", "/webhooks/twilio/sms", "Body=" + big},
			{"email survey: 2 MB", "/s/1.deadbeef", "q_comment=" + big},
			{"follow-up: 2 MB", "/f/1.deadbeef", "answer=" + big},
			{"sign-in: 2 MB", "/staff/login", "email=" + big},
			{"sign-in: long email", "/staff/login", "email=" + url.QueryEscape(long) + "&password=x"},
		}
		for _, f := range forms {
			resp, body := raw(a, "POST", f.path, "application/x-www-form-urlencoded", "", []byte(f.body), nil)
			if resp.StatusCode < 400 || resp.StatusCode >= 500 || len(body) == 0 {
				t.Errorf("%s: %d %.200s; want 4xx with a message", f.name, resp.StatusCode, body)
			}
		}
		staffForms := []struct {
			name, path string
			form       url.Values
		}{
			{"new case: long summary", "/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"}, "priority": {"normal"}, "summary": {long}, "name": {long}}},
			{"note: long", "/staff/cases/1", url.Values{"action": {"note"}, "note": {long}}},
			{"survey editor: deep JSON", "/staff/admin/surveys/kiosk", url.Values{"definition": {deep}}},
			{"survey editor: 2 MB", "/staff/admin/surveys/kiosk", url.Values{"definition": {big}}},
			{"rules: long", "/staff/admin/rules", url.Values{"rules": {long}}},
			{"user: long name", "/staff/admin/users", url.Values{"email": {"x@h.org"}, "name": {long}, "role": {"agent"}, "password": {"correct horse battery staple"}}},
		}
		for _, f := range staffForms {
			r := s.Post(f.path, f.form)
			// refused with a message, or taken (the form is shown again with
			// the error, or the value was stored within its limits): never 5xx
			if r.Status >= 500 || r.Status < 300 && r.Status != 200 {
				t.Errorf("%s: %d %.200s", f.name, r.Status, r.Body)
			}
		}
	})
}
