package fhirapi_test

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

type res = map[string]any

func patientRes() res {
	return res{"resourceType": "Patient", "id": "p1",
		"name":      []any{res{"use": "old", "text": "Jane Doe"}, res{"use": "official", "family": "Roe", "given": []any{"Jane", "Q"}}},
		"birthDate": "1950-02-03",
		"telecom": []any{
			res{"system": "phone", "value": "(312) 555-0100", "use": "home"},
			res{"system": "phone", "value": "(312) 555-0142", "use": "mobile"},
			res{"system": "email", "value": "Jane.Roe@Example.org", "use": "home"},
		},
		"communication": []any{
			res{"language": res{"coding": []any{res{"system": "urn:ietf:bcp:47", "code": "en"}}}},
			res{"language": res{"coding": []any{res{"system": "urn:ietf:bcp:47", "code": "es-MX"}}}, "preferred": true},
		}}
}

func encounterRes(id string) res {
	return res{"resourceType": "Encounter", "status": "finished",
		"class":           res{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "IMP"},
		"identifier":      []any{res{"system": "urn:oid:1.2.840.114350", "value": id, "use": "official"}},
		"subject":         res{"reference": "#p1"},
		"period":          res{"start": "2026-11-20T10:00:00Z", "end": "2026-11-27T08:00:00-06:00"},
		"serviceProvider": res{"identifier": res{"value": "inpt"}, "display": "Inpatient"},
		"hospitalization": res{"dischargeDisposition": res{"coding": []any{
			res{"system": "http://terminology.hl7.org/CodeSystem/discharge-disposition", "code": "home"}}}},
		"contained": []any{patientRes()}}
}

// transactionOf puts the Encounter (without contained) and its Patient in
// a transaction Bundle, the subject pointing at the Patient's fullUrl.
func transactionOf(enc res) res {
	pat := patientRes()
	if c, ok := enc["contained"].([]any); ok && len(c) > 0 {
		pat = c[0].(res)
	}
	delete(enc, "contained")
	enc["subject"] = res{"reference": "urn:uuid:0f0e2e7c-1a36-4e0c-9e44-2a0d2c4f7a11"}
	return res{"resourceType": "Bundle", "type": "transaction", "entry": []any{
		res{"fullUrl": "urn:uuid:0f0e2e7c-1a36-4e0c-9e44-2a0d2c4f7a11", "resource": pat, "request": res{"method": "POST", "url": "Patient"}},
		res{"fullUrl": "urn:uuid:6d3b1c55-7c1f-4d5e-8d2f-3f1f5d0e9b22", "resource": enc, "request": res{"method": "POST", "url": "Encounter"}},
		res{"fullUrl": "urn:uuid:9a1b", "resource": res{"resourceType": "Organization", "name": "Ward 3"}, "request": res{"method": "POST", "url": "Organization"}},
	}}
}

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// invitation reads the invitation extension of an outcome.
func invitation(t testing.TB, oo any) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, x := range get(oo, "extension", 0, "extension").([]any) {
		for k, v := range x.(map[string]any) {
			if k != "url" {
				out[get(x, "url").(string)] = v
			}
		}
	}
	return out
}

func TestEncounterContained(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeDischargesWrite)
		body := js(encounterRes("E100"))
		r := call(t, a, "POST", "/api/fhir/Encounter", tok, body)
		if r.Status != 202 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/fhir+json") {
			t.Fatalf("first: %d %s", r.Status, r.Body)
		}
		oo := obj(t, r)
		inv := invitation(t, oo)
		if oo["resourceType"] != "OperationOutcome" || get(oo, "issue", 0, "severity") != "information" ||
			inv["status"] != "scheduled" || inv["channel"] != "sms" || inv["scheduled-for"] != "2026-11-28T14:00:00Z" ||
			get(oo, "issue", 0, "details", "coding", 0, "code") != "scheduled" {
			t.Fatalf("outcome %s", r.Body)
		}
		// replay: 200, same body; also as application/json
		r2 := call(t, a, "POST", "/api/fhir/Encounter", tok, body, "Content-Type", "application/json")
		if r2.Status != 200 || string(r2.Body) != string(r.Body) {
			t.Fatalf("replay %d %s", r2.Status, r2.Body)
		}
		// the same intake as POST /api/discharges: the encounter is known there
		j := a.Call("POST", "/api/discharges", a.APIToken(models.ScopeDischargesWrite),
			`{"encounter_id":"E100","department":"ED","discharged_at":"2026-11-27T14:00:00Z","patient":{"phone":"+13125550199"}}`)
		if j.Status != 200 || j.JSON()["invitation_id"] != inv["invitation-id"] || j.JSON()["scheduled_for"] != "2026-11-28T14:00:00Z" {
			t.Fatalf("JSON API after FHIR: %d %s (FHIR said %v)", j.Status, j.Body, inv)
		}
		stored, err := a.Store.InvitationByID(t.Context(), uint(inv["invitation-id"].(float64)))
		if err != nil {
			t.Fatal(err)
		}
		c, err := a.Store.ContactByID(t.Context(), stored.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Language != "es" || c.Phone != "+13125550142" || c.Email != "jane.roe@example.org" || c.Name != "Jane Q Roe" {
			t.Errorf("stored %+v %+v", stored, c)
		}
		if d, _ := a.Store.DepartmentByCode(t.Context(), "INPT"); stored.DepartmentID != d.ID {
			t.Errorf("department %d, want INPT", stored.DepartmentID)
		}
	})
}

func TestEncounterTransaction(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeDischargesWrite)
		body := js(transactionOf(encounterRes("E200")))
		for i, path := range []string{"/api/fhir/Encounter", "/api/fhir/Encounter", "/api/fhir"} {
			r := call(t, a, "POST", path, tok, body)
			b := obj(t, r)
			want, line := 200, "200 OK"
			if i == 0 {
				want, line = 202, "202 Accepted"
			}
			if r.Status != want || b["resourceType"] != "Bundle" || b["type"] != "transaction-response" || len(get(b, "entry").([]any)) != 3 ||
				get(b, "entry", 0, "response", "status") != line || get(b, "entry", 1, "response", "status") != line ||
				get(b, "entry", 2, "response", "status") != "200 OK" {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			inv := invitation(t, get(b, "entry", 1, "response", "outcome"))
			if inv["status"] != "scheduled" || inv["channel"] != "sms" {
				t.Fatalf("invitation %v", inv)
			}
		}
		// the Patient by "Patient/id", and with no subject the lone Patient
		for i, mod := range []func(b res){
			func(b res) {
				e := get(b, "entry").([]any)
				e[0].(res)["fullUrl"] = "https://ehr.example/fhir/Patient/p1"
				e[1].(res)["resource"].(res)["subject"] = res{"reference": "Patient/p1"}
			},
			func(b res) { delete(get(b, "entry", 1, "resource").(res), "subject") },
		} {
			b := transactionOf(encounterRes("E20" + string(rune('1'+i))))
			mod(b)
			if r := call(t, a, "POST", "/api/fhir/Encounter", tok, js(b)); r.Status != 202 {
				t.Errorf("variant %d: %d %s", i, r.Status, r.Body)
			}
		}
	})
}

func TestEncounterSuppression(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeDischargesWrite)
		disp := func(system, code string) func(res) {
			return func(e res) {
				e["hospitalization"] = res{"dischargeDisposition": res{"coding": []any{res{"system": system, "code": code}}}}
			}
		}
		pat := func(f func(p res)) func(res) {
			return func(e res) { f(get(e, "contained", 0).(res)) }
		}
		nubc := "https://www.nubc.org/CodeSystem/PatDischargeStatus"
		cases := []struct {
			name   string
			mod    func(res)
			reason string
		}{
			{"UB-04 20", disp(nubc, "20"), "deceased"},
			{"UB-04 41", disp(nubc, "41"), "deceased"},
			{"FHIR exp", disp("http://terminology.hl7.org/CodeSystem/discharge-disposition", "exp"), "deceased"},
			{"UB-04 50", disp(nubc, "50"), "hospice"},
			{"UB-04 51", disp(nubc, "51"), "hospice"},
			{"FHIR hosp", disp("http://terminology.hl7.org/CodeSystem/discharge-disposition", "hosp"), "hospice"},
			{"deceasedBoolean", pat(func(p res) { p["deceasedBoolean"] = true }), "deceased"},
			{"deceasedDateTime", pat(func(p res) { p["deceasedDateTime"] = "2026-11-27T07:00:00Z" }), "deceased"},
			{"restricted", func(e res) {
				e["meta"] = res{"security": []any{res{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}}}
			}, "sensitive"},
			{"substance use on the Patient", pat(func(p res) {
				p["meta"] = res{"security": []any{res{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "ETH"}}}
			}), "sensitive"},
			{"minor", pat(func(p res) { p["birthDate"] = "2010-05-01" }), "minor"},
			{"minor by year alone", pat(func(p res) { p["birthDate"] = "2008" }), "minor"},
			{"no SMS consent, no email", pat(func(p res) {
				p["telecom"] = []any{res{"system": "sms", "value": "+13125550142"}}
				p["extension"] = []any{res{"url": "https://github.com/patientvoice/patientvoice/fhir/StructureDefinition/sms-consent", "valueBoolean": false}}
			}), "no_consent"},
		}
		for i, c := range cases {
			e := encounterRes("S" + string(rune('a'+i)))
			c.mod(e)
			r := call(t, a, "POST", "/api/fhir/Encounter", tok, js(e))
			inv := invitation(t, obj(t, r))
			if r.Status != 202 || inv["status"] != "suppressed" || inv["reason"] != c.reason || inv["channel"] != nil {
				t.Errorf("%s: %d %s; want suppressed %s", c.name, r.Status, r.Body, c.reason)
			}
		}
		// the email when the only phone is unusable; channel and time zone
		e := encounterRes("S-email")
		p := get(e, "contained", 0).(res)
		p["telecom"] = []any{res{"system": "phone", "value": "not a number"}, res{"system": "email", "value": "a@example.org"}}
		p["extension"] = []any{res{"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "America/New_York"}}
		r := call(t, a, "POST", "/api/fhir/Encounter", tok, js(e))
		if inv := invitation(t, obj(t, r)); r.Status != 202 || inv["channel"] != "email" {
			t.Errorf("email fallback: %d %s", r.Status, r.Body)
		}
		// a language given only as words falls back to the survey's default
		e = encounterRes("S-lang")
		get(e, "contained", 0).(res)["communication"] = []any{res{"language": res{"text": "Español de México"}}}
		r = call(t, a, "POST", "/api/fhir/Encounter", tok, js(e))
		if inv := invitation(t, obj(t, r)); r.Status != 202 || inv["status"] != "scheduled" {
			t.Errorf("language as words: %d %s", r.Status, r.Body)
		} else if stored, _ := a.Store.InvitationByID(t.Context(), uint(inv["invitation-id"].(float64))); stored.Language != "en" {
			t.Errorf("language %q, want en", stored.Language)
		}
		e = encounterRes("S-chan")
		get(e, "contained", 0).(res)["telecom"] = []any{res{"system": "sms", "value": "+13125550177"}, res{"system": "email", "value": "chan@example.org"}}
		e["extension"] = []any{res{"url": "https://github.com/patientvoice/patientvoice/fhir/StructureDefinition/survey-channel", "valueCode": "email"}}
		if inv := invitation(t, obj(t, call(t, a, "POST", "/api/fhir/Encounter", tok, js(e)))); inv["channel"] != "email" {
			t.Errorf("channel extension: %v", inv)
		}
	})
}

func TestEncounterErrors(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeDischargesWrite)
		post := func(body string, hdr ...string) testapp.Result {
			return call(t, a, "POST", "/api/fhir/Encounter", tok, body, hdr...)
		}
		with := func(f func(e res)) string {
			e := encounterRes("X1")
			f(e)
			return js(e)
		}
		pat := func(f func(p res)) string { return with(func(e res) { f(get(e, "contained", 0).(res)) }) }
		cases := []struct {
			name, body string
			status     int
			expression string
		}{
			{"not JSON", `{"resourceType":`, 400, ""},
			{"an array", `[]`, 400, ""},
			{"a Patient", js(patientRes()), 400, "resourceType"},
			{"wrong type", with(func(e res) { e["period"] = "yesterday" }), 400, "Encounter.period"},
			{"in progress", with(func(e res) { e["status"] = "in-progress" }), 422, "Encounter.status"},
			{"no identifier", with(func(e res) { delete(e, "identifier") }), 422, "Encounter.identifier"},
			{"no end", with(func(e res) { e["period"] = res{"start": "2026-11-20T10:00:00Z"} }), 422, "Encounter.period.end"},
			{"end without time", with(func(e res) { e["period"] = res{"end": "2026-11-27"} }), 422, "Encounter.period.end"},
			{"end in the future", with(func(e res) { e["period"] = res{"end": "2027-01-01T00:00:00Z"} }), 422, "Encounter.period.end"},
			{"unknown department", with(func(e res) { e["serviceProvider"] = res{"identifier": res{"value": "ICU"}} }), 422, "Encounter.serviceProvider.identifier.value"},
			{"no department", with(func(e res) { delete(e, "serviceProvider") }), 422, "Encounter.serviceProvider"},
			{"no patient", with(func(e res) { delete(e, "contained") }), 422, "Encounter.subject"},
			{"subject elsewhere", with(func(e res) { e["subject"] = res{"reference": "Patient/9"} }), 422, "Encounter.subject"},
			{"no telecom", pat(func(p res) { delete(p, "telecom") }), 422, "Encounter.contained[0].telecom"},
			{"only a fax", pat(func(p res) { p["telecom"] = []any{res{"system": "fax", "value": "+13125550100"}} }), 422, "Encounter.contained[0].telecom"},
			{"bad numbers only", pat(func(p res) {
				p["telecom"] = []any{res{"system": "fax", "value": "1"}, res{"system": "phone", "value": "12"}, res{"system": "email", "value": "no-at"}}
			}), 422, "Encounter.contained[0].telecom[1]"},
			{"bad birth date", pat(func(p res) { p["birthDate"] = "03/02/1950" }), 422, "Encounter.contained[0].birthDate"},
			{"bad time zone", pat(func(p res) {
				p["extension"] = []any{res{"url": "http://hl7.org/fhir/StructureDefinition/timezone", "valueCode": "Mars/Olympus"}}
			}), 422, "Encounter.contained[0].extension[0]"},
			{"bad channel", with(func(e res) {
				e["extension"] = []any{res{"url": "https://github.com/patientvoice/patientvoice/fhir/StructureDefinition/survey-channel", "valueCode": "fax"}}
			}), 422, "Encounter.extension[0]"},
			{"batch bundle", js(res{"resourceType": "Bundle", "type": "batch", "entry": []any{}}), 422, "Bundle.type"},
			{"bundle without encounter", js(res{"resourceType": "Bundle", "type": "transaction", "entry": []any{res{"resource": patientRes()}}}), 422, "Bundle.entry"},
			{"two encounters", js(res{"resourceType": "Bundle", "type": "transaction", "entry": []any{res{"resource": encounterRes("A")}, res{"resource": encounterRes("B")}}}), 422, "Bundle.entry[1]"},
			{"bundle, bad telecom", js(func() res {
				b := transactionOf(encounterRes("X2"))
				get(b, "entry", 0, "resource").(res)["telecom"] = []any{}
				return b
			}()), 422, "Bundle.entry[0].resource.telecom"},
			{"too deep", strings.Repeat("[", 40) + strings.Repeat("]", 40), 400, ""},
		}
		for _, c := range cases {
			r := post(c.body)
			if r.Status != c.status {
				t.Errorf("%s: %d %s; want %d", c.name, r.Status, r.Body, c.status)
				continue
			}
			wantOutcome(t, r, c.status, c.expression)
		}
		wantOutcome(t, post(js(encounterRes("X3")), "Content-Type", "application/fhir+xml"), 415, "")
		wantOutcome(t, post(js(encounterRes("X3")), "Content-Type", "text/plain"), 415, "")
		big := encounterRes("X4")
		big["text"] = res{"status": "generated", "div": "<div>" + strings.Repeat("x", 70<<10) + "</div>"}
		wantOutcome(t, post(js(big)), 413, "")
		wantOutcome(t, call(t, a, "POST", "/api/fhir/Encounter", "", js(encounterRes("X5"))), 401, "")
		wantOutcome(t, call(t, a, "POST", "/api/fhir/Encounter", a.APIToken(models.ScopeReportsRead), js(encounterRes("X5"))), 403, "")
		if n, _ := a.Store.Invitations(t.Context(), 10); len(n) != 0 {
			t.Fatalf("%d invitations from refused encounters", len(n))
		}
	})
}

// TestEncounterReplayParallel sends one encounter 25 times at once: one
// invitation, one 202, the rest 200 with the same body.
func TestEncounterReplayParallel(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeDischargesWrite)
		body := js(transactionOf(encounterRes("P1")))
		var mu sync.Mutex
		statuses := map[int]int{}
		outcomes := map[string]bool{}
		var wg sync.WaitGroup
		for range 25 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := call(t, a, "POST", "/api/fhir/Encounter", tok, body)
				oo := js(get(obj(t, r), "entry", 1, "response", "outcome"))
				mu.Lock()
				statuses[r.Status]++
				outcomes[oo] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		if statuses[202] != 1 || statuses[200] != 24 || len(outcomes) != 1 {
			t.Fatalf("statuses %v, %d different outcomes", statuses, len(outcomes))
		}
		if n, _ := a.Store.Invitations(t.Context(), 10); len(n) != 1 {
			t.Fatalf("%d invitations", len(n))
		}
	})
}
