package fhirapi_test

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
)

// FuzzFHIREncounter posts arbitrary bodies to POST /api/fhir/Encounter
// through the whole server: every answer is 202 or 200 with an
// OperationOutcome or a transaction-response, or a 4xx with an error
// OperationOutcome, never a 5xx.
func FuzzFHIREncounter(f *testing.F) {
	e := encounterRes("F1")
	f.Add(js(e))
	f.Add(js(transactionOf(encounterRes("F2"))))
	e = encounterRes("F3")
	e["period"] = res{"end": "2026-11-27T25:00:00+99:00"}
	get(e, "contained", 0).(res)["birthDate"] = "0000"
	f.Add(js(e))
	for _, s := range []string{`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":null},{}]}`,
		`{"resourceType":"Encounter","contained":[{"resourceType":"Patient","id":""}],"subject":{"reference":"#"}}`,
		`{"resourceType":"Encounter","status":"finished","identifier":[{"value":" "}]}`, `[]`, `"`, ``, `{"resourceType":7}`} {
		f.Add(s)
	}
	a := testapp.New(f, testdb.Backend{Name: "sqlite", Driver: "sqlite", DSN: f.TempDir() + "/fuzz.db"}, nil)
	tok := a.APIToken(models.ScopeDischargesWrite)
	f.Fuzz(func(t *testing.T, s string) {
		req := httptest.NewRequest("POST", "/api/fhir/Encounter", strings.NewReader(s))
		req.Header.Set("Content-Type", "application/fhir+json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := a.Server.App.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var out struct {
			ResourceType string `json:"resourceType"`
			Issue        []struct {
				Severity string `json:"severity"`
			} `json:"issue"`
		}
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%q: %d, not JSON: %s", s, resp.StatusCode, b)
		}
		switch st := resp.StatusCode; {
		case st >= 500 || st == 401 || st == 403:
			t.Fatalf("%q: %d %s", s, st, b)
		case st >= 400:
			if out.ResourceType != "OperationOutcome" || len(out.Issue) == 0 || out.Issue[0].Severity != "error" {
				t.Fatalf("%q: %d without an error OperationOutcome: %s", s, st, b)
			}
		case st == 200 || st == 202:
			if out.ResourceType != "OperationOutcome" && out.ResourceType != "Bundle" {
				t.Fatalf("%q: %d %s", s, st, b)
			}
		default:
			t.Fatalf("%q: unexpected %d", s, st)
		}
	})
}
