package inviting_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

func postCSV(e *env, body string) testapp.Result {
	req := httptest.NewRequest("POST", "/api/discharges/import", strings.NewReader(body))
	req.Header.Set("Content-Type", "text/csv")
	req.Header.Set("Authorization", "Bearer "+e.Token)
	resp := e.Do(req)
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return testapp.Result{Status: resp.StatusCode, Body: b.Bytes()}
}

func TestCSVImport(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		csv := "encounter_id,name,phone,email,language,department,discharged_at,channel,disposition,sms_consent\n" +
			"C1,Ana,(312) 555-0180,,es,INPT,2026-11-26 09:30,,,\n" + // line 2 ok, local time
			"C2,Bo,,bo@example.org,en,ED,2026-11-26T10:00:00Z,email,,\n" + // line 3 ok
			"C3,Cy,12,,en,ED,2026-11-26T10:00:00Z,,,\n" + // line 4 bad phone
			"C4,Di,+13125550181,,en,XRAY,2026-11-26T10:00:00Z,,,\n" + // line 5 bad department
			"C5,Ed,+13125550182,,en,ED,yesterday,,,\n" + // line 6 bad time
			"C6,Fa,+13125550183,,en,ED,2026-11-26T10:00:00Z,,hospice,\n" + // line 7 stored, suppressed
			"C1,Ana,(312) 555-0180,,es,INPT,2026-11-26 09:30,,,\n" + // line 8 already known: accepted
			"C7,Gu,+13125550184,,en,ED,2026-11-26T10:00:00Z,,,maybe\n" // line 9 bad consent
		r := postCSV(e, csv)
		if r.Status != 200 {
			t.Fatalf("import %d %s", r.Status, r.Body)
		}
		got := r.JSON()
		if got["accepted"] != float64(4) {
			t.Fatalf("accepted %v: %s", got["accepted"], r.Body)
		}
		var lines []string
		for _, x := range got["rejected"].([]any) {
			m := x.(map[string]any)
			lines = append(lines, fmt.Sprintf("%v:%s", m["line"], strings.SplitN(m["error"].(string), ":", 2)[0]))
		}
		if strings.Join(lines, " ") != "4:phone 5:department 6:discharged_at 9:sms_consent" {
			t.Fatalf("rejected %v", lines)
		}
		inv, _ := e.Store.InvitationByID(context.Background(), 1)
		if inv.Channel != "sms" || inv.Language != "es" {
			t.Fatalf("first invitation %+v", inv)
		}
		if r := postCSV(e, "encounter,name\nx,y\n"); r.Status != 400 || r.JSON()["field"] != "header" {
			t.Fatalf("bad header: %d %s", r.Status, r.Body)
		}
		var big strings.Builder
		big.WriteString("encounter_id,name,phone,email,language,department,discharged_at\n")
		for i := 0; i < 2000; i++ {
			fmt.Fprintf(&big, "B%d,P%d,,p%d@example.org,en,OUTPT,2026-11-26T10:00:00Z\n", i, i, i)
		}
		if r := postCSV(e, big.String()); r.Status != 200 || r.JSON()["accepted"] != float64(2000) {
			t.Fatalf("2000 lines: %d %s", r.Status, r.Body[:min(200, len(r.Body))])
		}
		if r := e.Call("POST", "/api/discharges/import", e.App.APIToken(models.ScopeCasesRead), "x"); r.Status != 403 {
			t.Fatalf("wrong scope: %d", r.Status)
		}
	})
}

func TestDischargeValidation(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		cases := map[string]string{
			`{"department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"phone":"+13125550190"}}`:                                      "encounter_id",
			`{"encounter_id":"V1","department":"NOPE","discharged_at":"2026-11-26T10:00:00Z","patient":{"phone":"+13125550190"}}`:                "department",
			`{"encounter_id":"V1","department":"ED","discharged_at":"26/11/2026","patient":{"phone":"+13125550190"}}`:                            "discharged_at",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z"}`:                                                     "patient",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"phone":"555"}}`:                           "patient.phone",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"email":"nope@"}}`:                         "patient.email",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"email":"a@b.org","language":"english!"}}`: "patient.language",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z","channel":"fax","patient":{"email":"a@b.org"}}`:       "channel",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"email":"a@b.org","timezone":"Mars"}}`:     "patient.timezone",
			`{"encounter_id":"V1","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"email":"a@b.org","birth_date":"1/2/50"}}`: "patient.birth_date",
		}
		for body, field := range cases {
			if r := e.Discharge(body); r.Status != 400 || r.JSON()["field"] != field {
				t.Errorf("%s: %d %s; want field %s", body, r.Status, r.Body, field)
			}
		}
		// a language the survey lacks falls back to en; a minor is suppressed
		r := e.Discharge(`{"encounter_id":"V2","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"email":"k@b.org","language":"fr","birth_date":"2012-05-01"}}`)
		if r.Status != 202 || r.JSON()["reason"] != "minor" {
			t.Fatalf("minor: %s", r.Body)
		}
		if r := e.Discharge(`{"encounter_id":"V3","department":"ED","discharged_at":"2026-11-26T10:00:00Z","patient":{"email":"f@b.org","language":"fr"}}`); r.JSON()["status"] != "scheduled" {
			t.Fatalf("fr: %s", r.Body)
		}
		inv, _ := e.Store.InvitationByID(context.Background(), 2)
		if inv.Language != "en" {
			t.Fatalf("fr fell back to %s", inv.Language)
		}
	})
}

func TestCheckCSVStoresNothing(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		csv := "encounter_id,name,phone,email,language,department,discharged_at\nK1,A,+13125550199,,en,ED,2026-11-26T10:00:00Z\nK2,B,1,,en,ED,2026-11-26T10:00:00Z\n"
		res, err := e.Server.Inviting.CheckCSV(context.Background(), strings.NewReader(csv))
		if err != nil || res.Accepted != 1 || len(res.Rejected) != 1 || res.Rejected[0].Line != 3 {
			t.Fatalf("check %+v %v", res, err)
		}
		if invs, _ := e.Store.Invitations(context.Background(), 10); len(invs) != 0 {
			t.Fatalf("a check stored %d invitations", len(invs))
		}
	})
}
