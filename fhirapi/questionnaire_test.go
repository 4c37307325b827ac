package fhirapi_test

import (
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/testapp"
)

func TestQuestionnaireSeededSurveys(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeSurveysRead)
		r := call(t, a, "GET", "/api/fhir/Questionnaire/kiosk", tok, "")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/fhir+json; charset=utf-8" {
			t.Fatalf("kiosk: %d %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		q := obj(t, r)
		for k, want := range map[string]any{"resourceType": "Questionnaire", "id": "kiosk", "status": "active", "version": "1",
			"url": "http://localhost:8080/api/fhir/Questionnaire/kiosk", "name": "Kiosk", "title": "Lobby kiosk", "language": "en"} {
			if q[k] != want {
				t.Errorf("%s = %v, want %v", k, q[k], want)
			}
		}
		types := map[string]string{}
		for i := range 6 {
			types[get(q, "item", i, "linkId").(string)] = get(q, "item", i, "type").(string)
		}
		want := map[string]string{"overall": "integer", "staff": "integer", "wait": "integer", "clean": "boolean", "topic": "choice", "comment": "text"}
		for k, v := range want {
			if types[k] != v {
				t.Errorf("item %s type %q, want %q", k, types[k], v)
			}
		}
		overall := get(q, "item", 0)
		if get(overall, "required") != true || get(overall, "extension", 0, "valueInteger") != 1.0 || get(overall, "extension", 1, "valueInteger") != 5.0 {
			t.Errorf("overall: %v", overall)
		}
		if get(overall, "_text", "extension", 0, "extension", 0, "valueCode") != "es" ||
			get(overall, "_text", "extension", 0, "extension", 1, "valueString") != "¿Cómo fue su visita hoy?" ||
			get(overall, "_text", "extension", 1, "extension", 0, "valueCode") != "ar" {
			t.Errorf("overall translations: %v", get(overall, "_text"))
		}
		topic := get(q, "item", 4)
		if get(topic, "enableBehavior") != "any" || len(get(topic, "enableWhen").([]any)) != 3 ||
			get(topic, "enableWhen", 2, "question") != "overall" || get(topic, "enableWhen", 2, "answerInteger") != 3.0 ||
			get(topic, "enableWhen", 0, "operator") != "=" {
			t.Errorf("topic enableWhen: %v", get(topic, "enableWhen"))
		}
		opt := get(topic, "answerOption", 0, "valueCoding")
		if get(opt, "code") != "wait_time" || get(opt, "display") != "Waiting time" ||
			get(opt, "system") != "http://localhost:8080/api/fhir/CodeSystem/kiosk/topic" ||
			get(opt, "_display", "extension", 0, "extension", 1, "valueString") != "Tiempo de espera" {
			t.Errorf("topic option: %v", opt)
		}
		if c := get(q, "item", 5); get(c, "maxLength") != 2000.0 || get(c, "required") != nil {
			t.Errorf("comment: %v", c)
		}

		r = call(t, a, "GET", "/api/fhir/Questionnaire/post-discharge", tok, "", "Accept", "application/json")
		if r.Status != 200 || r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("post-discharge as application/json: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		q = obj(t, r)
		if q["id"] != "post-discharge" || q["name"] != "PostDischarge" || get(q, "item", 2, "linkId") != "recommend" ||
			get(q, "item", 2, "type") != "integer" || get(q, "item", 2, "extension", 0, "valueInteger") != 0.0 ||
			get(q, "item", 2, "extension", 1, "valueInteger") != 10.0 || get(q, "item", 1, "type") != "boolean" {
			t.Errorf("post-discharge: %s", r.Body)
		}
	})
}

func TestQuestionnaireVersionAndKeys(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		def := survey.Definition{Key: "after_visit", Name: "After visit", Languages: []string{"en"}, Questions: []survey.Question{
			{Key: "ok", Kind: survey.YesNo, Required: true, Prompt: map[string]string{"en": "All good?"}},
			{Key: "why", Kind: survey.Text, Prompt: map[string]string{"en": "Why not?"}, ShowIf: &survey.Condition{Question: "ok", Values: []string{"false"}}},
		}}
		for range 2 {
			if err := a.Store.SaveSurvey(t.Context(), def); err != nil {
				t.Fatal(err)
			}
		}
		tok := a.APIToken(models.ScopeSurveysRead)
		for _, path := range []string{"/api/fhir/Questionnaire/after.visit", "/api/fhir/Questionnaire/after_visit"} {
			r := call(t, a, "GET", path, tok, "")
			q := obj(t, r)
			if r.Status != 200 || q["id"] != "after.visit" || q["version"] != "2" || get(q, "meta", "versionId") != "2" ||
				q["url"] != "http://localhost:8080/api/fhir/Questionnaire/after.visit" || get(q, "identifier", 0, "value") != "after_visit" {
				t.Fatalf("%s: %d %s", path, r.Status, r.Body)
			}
			ew := get(q, "item", 1, "enableWhen", 0)
			if get(ew, "answerBoolean") != false || get(q, "item", 1, "enableBehavior") != nil || get(q, "item", 0, "_text") != nil {
				t.Errorf("enableWhen on a yes/no answer: %s", r.Body)
			}
			if r.Header.Get("ETag") != `W/"2"` {
				t.Errorf("ETag %q", r.Header.Get("ETag"))
			}
		}
	})
}

func TestQuestionnaireErrors(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		tok := a.APIToken(models.ScopeSurveysRead)
		wrong := a.APIToken(models.ScopeReportsRead)
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Questionnaire/nope", tok, ""), 404, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Questionnaire/kiosk", "", ""), 401, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Questionnaire/kiosk", "pva_bogus", ""), 401, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Questionnaire/kiosk", wrong, ""), 403, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Questionnaire/kiosk", tok, "", "Accept", "application/fhir+xml"), 406, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Questionnaire/kiosk?_format=xml", tok, ""), 406, "")
		wantOutcome(t, call(t, a, "GET", "/api/fhir/Patient/1", tok, ""), 404, "")
		if r := call(t, a, "GET", "/api/fhir/Questionnaire/kiosk?_format=json", tok, "", "Accept", "text/html, */*"); r.Status != 200 {
			t.Errorf("_format=json with a browser Accept: %d", r.Status)
		}
		r := call(t, a, "GET", "/api/fhir/metadata", "", "")
		if m := obj(t, r); r.Status != 200 || m["resourceType"] != "CapabilityStatement" || m["fhirVersion"] != "4.0.1" {
			t.Errorf("metadata: %d %s", r.Status, r.Body)
		}
	})
}
