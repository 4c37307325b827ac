package survey

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzSurveyDefinition feeds the survey editor's JSON to the decoder and
// the checker: nothing panics, and a definition that passes has unique
// keys, known kinds, conditions that point backwards, and survives a
// round trip through JSON unchanged.
func FuzzSurveyDefinition(f *testing.F) {
	for _, s := range []string{
		`{"key":"k","name":"K","version":1,"languages":["en"],"questions":[{"key":"overall","kind":"rating5","required":true,"prompt":{"en":"How?"}}]}`,
		`{"key":"k","name":"K","languages":["en","ar"],"questions":[{"key":"a","kind":"yesno","prompt":{"en":"A?","ar":"أ؟"}},{"key":"b","kind":"choice","prompt":{"en":"B?"},"options":[{"value":"x","label":{"en":"X"}}],"show_if":{"question":"a","values":["false"]}}]}`,
		`{"key":"k","name":"K","languages":["en"],"questions":[{"key":"b","kind":"text","prompt":{"en":"?"},"show_if":{"question":"b","values":["x"]}}]}`,
		`{"key":"","questions":[]}`, `[]`, `{"questions":[{"kind":"nps"}]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d Definition
		dec := json.NewDecoder(strings.NewReader(s))
		dec.DisallowUnknownFields()
		if dec.Decode(&d) != nil {
			return
		}
		if d.Check() != nil {
			return
		}
		seen := map[string]int{}
		for i, q := range d.Questions {
			if q.Key == "" {
				t.Fatalf("accepted an empty key: %s", s)
			}
			if _, dup := seen[q.Key]; dup {
				t.Fatalf("accepted duplicate key %q: %s", q.Key, s)
			}
			if q.ShowIf != nil {
				if j, ok := seen[q.ShowIf.Question]; !ok || j >= i {
					t.Fatalf("accepted a condition on a later or unknown question: %s", s)
				}
			}
			seen[q.Key] = i
			_, _ = q.Range()
			_ = q.Text("xx")
		}
		// answering nothing must give a clear error or pass, never panic
		_, _ = d.Validate(nil)
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		var again Definition
		if err := json.Unmarshal(b, &again); err != nil || again.Check() != nil {
			t.Fatalf("round trip broke a valid definition: %v %v\n%s", err, again.Check(), b)
		}
	})
}
