package conversations

import (
	"errors"
	"net/url"
	"testing"

	"github.com/patientvoice/patientvoice/survey"
)

// postDischarge is the seed survey's shape: rating, yes/no, NPS, comment.
func postDischarge() survey.Definition {
	return survey.Definition{Key: "post-discharge", Name: "Post-discharge", Version: 1, Languages: []string{"en"}, Questions: []survey.Question{
		{Key: "overall", Kind: survey.Rating5, Required: true, Prompt: map[string]string{"en": "Overall?"}},
		{Key: "explained", Kind: survey.YesNo, Required: true, Prompt: map[string]string{"en": "Explained?"}},
		{Key: "recommend", Kind: survey.NPS, Required: true, Prompt: map[string]string{"en": "Recommend?"}},
		{Key: "comment", Kind: survey.Text, Prompt: map[string]string{"en": "Anything else?"}},
	}}
}

// FuzzEmailSurveyForm feeds arbitrary form bodies to the email survey's
// reader and validator: the only errors allowed are the patient's (a
// FieldError, shown on the form as 400), and what passes is in range.
func FuzzEmailSurveyForm(f *testing.F) {
	for _, s := range []string{"q_overall=5&q_explained=yes&q_recommend=10&q_comment=Great",
		"q_overall=9&q_explained=maybe", "q_overall=4,5&q_recommend=1e3", "q_overall=%22x%22&q_recommend=-0",
		"q_comment=" + url.QueryEscape(`"},{"question":"x`), "q_overall=5&q_overall=1", ""} {
		f.Add(s)
	}
	def := postDischarge()
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		get := func(k string, _ ...string) string { return form.Get(k) }
		raw, _ := formAnswers(def, get)
		answers, err := def.Validate(visibleOnly(def, raw))
		var fe *survey.FieldError
		if err != nil {
			if !errors.As(err, &fe) {
				t.Fatalf("%q: an error that is not the patient's (would be 500): %v", body, err)
			}
			return
		}
		for _, a := range answers {
			q, ok := def.Question(a.Question)
			if !ok {
				t.Fatalf("%q: answer to unknown question %q", body, a.Question)
			}
			if a.Int != nil {
				lo, hi := q.Range()
				if *a.Int < lo || *a.Int > hi {
					t.Fatalf("%q: %s=%d out of %d..%d", body, q.Key, *a.Int, lo, hi)
				}
			}
		}
	})
}
