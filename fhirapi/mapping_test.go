package fhirapi

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

func TestResponseStatusAndTags(t *testing.T) {
	five := 5
	r := models.FeedResponse{Response: models.Response{ID: 7, SurveyID: 1, SurveyVersion: 3, Source: "sms", Language: "es",
		Completed: false, Suspicious: true, SubmittedAt: time.Date(2026, 1, 2, 3, 4, 5, 600e6, time.UTC), ReceivedAt: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)},
		Answers: []models.FeedAnswer{{Question: "overall", Kind: "rating5", Int: &five}}, TextWithheld: 1}
	qr := ToQuestionnaireResponse(r, "https://h.example/api/fhir", "post_discharge", "")
	b, _ := json.Marshal(qr)
	want := `{"resourceType":"QuestionnaireResponse","id":"7","meta":{"versionId":"1","lastUpdated":"2026-01-02T03:04:06Z",` +
		`"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ObservationValue","code":"REDACTED","display":"redacted"}],` +
		`"tag":[{"system":"https://github.com/patientvoice/patientvoice/fhir/CodeSystem/response-tag","code":"suspicious","display":"Repeated kiosk press: counted in no score"}]},` +
		`"language":"es","extension":[{"url":"https://github.com/patientvoice/patientvoice/fhir/StructureDefinition/survey-channel","valueCode":"sms"}],` +
		`"questionnaire":"https://h.example/api/fhir/Questionnaire/post.discharge|3","status":"in-progress","authored":"2026-01-02T03:04:05.6Z",` +
		`"item":[{"linkId":"overall","answer":[{"valueInteger":5}]}]}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestComputableName(t *testing.T) {
	for in, want := range map[string]string{"kiosk": "Kiosk", "post-discharge": "PostDischarge", "er_visit_2": "ErVisit2"} {
		if got := computableName(in); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
