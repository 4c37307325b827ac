package kiosk_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
)

// FuzzKioskResponse posts arbitrary bodies to the kiosk API through the
// whole server: every answer is 201, 200 (a replay) or a 4xx with a JSON
// error naming what is wrong, never a 5xx.
func FuzzKioskResponse(f *testing.F) {
	for _, s := range []string{
		body("6c1f1c4e-0000-4000-8000-000000000001", `{"question":"overall","value":4}`, ""),
		body("6c1f1c4e-0000-4000-8000-000000000002", `{"question":"overall","value":1},{"question":"comment","value":"rude nurse"}`, `,"contact":{"name":"A","phone":"312 555 0142","consent":true}`),
		body("x", `{"question":"overall","value":"4"}`, ""),
		body("6c1f1c4e-0000-4000-8000-000000000003", `{"question":"overall","value":9e99}`, `,"submitted_at":"1900-01-01T00:00:00Z"`),
		`{"id":null}`, `[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]`, `{"answers":[{}]}`, `"`, ``,
	} {
		f.Add(s)
	}
	a := testapp.New(f, testdb.Backend{Name: "sqlite", Driver: "sqlite", DSN: f.TempDir() + "/fuzz.db"}, func(c *config.Config) { c.KioskRate = 0 })
	tok, _ := a.Kiosk("ED")
	f.Fuzz(func(t *testing.T, s string) {
		req := httptest.NewRequest("POST", "/api/kiosk/responses", strings.NewReader(s))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := a.Server.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		r := testapp.Result{Status: resp.StatusCode, Body: b}
		switch {
		case r.Status >= 500:
			t.Fatalf("%q: %d %s", s, r.Status, r.Body)
		case r.Status >= 400:
			var e struct {
				Error string `json:"error"`
			}
			if json.Unmarshal(r.Body, &e) != nil || e.Error == "" {
				t.Fatalf("%q: %d without a JSON error: %s", s, r.Status, r.Body)
			}
		case r.Status != 200 && r.Status != 201:
			t.Fatalf("%q: unexpected %d", s, r.Status)
		}
	})
}
