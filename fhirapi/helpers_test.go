package fhirapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/testapp"
)

// call sends a FHIR request through the whole app; hdr holds extra
// headers ("Content-Type" defaults to application/fhir+json with a body).
func call(t testing.TB, a *testapp.App, method, path, token, body string, hdr ...string) testapp.Result {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp := a.Do(req)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return testapp.Result{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// obj decodes a JSON object or fails.
func obj(t testing.TB, r testapp.Result) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("status %d, body is not JSON: %v: %s", r.Status, err, r.Body)
	}
	return m
}

// get walks a decoded JSON value by keys and indexes: get(m, "item", 0, "linkId").
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// wantOutcome checks an error answer: the status, FHIR JSON, an
// OperationOutcome whose issue names expression when given.
func wantOutcome(t testing.TB, r testapp.Result, status int, expression string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("content type %q, want application/fhir+json", ct)
	}
	m := obj(t, r)
	if m["resourceType"] != "OperationOutcome" || get(m, "issue", 0, "severity") != "error" || get(m, "issue", 0, "details", "text") == "" {
		t.Fatalf("not an error OperationOutcome: %s", r.Body)
	}
	if expression != "" && get(m, "issue", 0, "expression", 0) != expression {
		t.Errorf("expression %v, want %s: %s", get(m, "issue", 0, "expression", 0), expression, r.Body)
	}
}

// kioskResponse submits one kiosk response and fails unless it is stored.
func kioskResponse(t testing.TB, a *testapp.App, tok string, overall int, comment string) {
	t.Helper()
	answers := fmt.Sprintf(`{"question":"overall","value":%d},{"question":"clean","value":true}`, overall)
	if overall <= 3 {
		answers += `,{"question":"topic","value":"wait_time"}`
	}
	if comment != "" {
		c, _ := json.Marshal(comment)
		answers += `,{"question":"comment","value":` + string(c) + `}`
	}
	body := `{"id":"` + uuid.NewString() + `","survey":"kiosk","language":"es","answers":[` + answers + `]}`
	r := a.Call("POST", "/api/kiosk/responses", tok, body)
	if r.Status != 201 {
		t.Fatalf("kiosk submit %d %s", r.Status, r.Body)
	}
}

// at is the test clock's start.
var at = time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
