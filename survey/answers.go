package survey

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// RawAnswer is an answer as a client posted it.
type RawAnswer struct {
	Question string          `json:"question"`
	Value    json.RawMessage `json:"value"`
}

// Answer is a validated answer; exactly one of the value fields is set,
// matching Kind.
type Answer struct {
	Question string
	Kind     Kind
	Int      *int
	Bool     *bool
	Choice   string
	Text     string
}

// Key renders the answer's value as text, the form Condition compares.
func (a Answer) Key() string {
	switch {
	case a.Int != nil:
		return strconv.Itoa(*a.Int)
	case a.Bool != nil:
		return strconv.FormatBool(*a.Bool)
	case a.Kind == Choice:
		return a.Choice
	}
	return a.Text
}

// FieldError names the input at fault, as the contract's {"field"} wants.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Validate checks raw answers against the definition: unknown or repeated
// question, wrong kind, out-of-range value, oversized text, missing
// required answer (only for questions the branching shows). Blank optional
// text answers are dropped.
func (d Definition) Validate(raw []RawAnswer) ([]Answer, error) {
	out := make([]Answer, 0, len(raw))
	given := map[string]bool{}
	for i, r := range raw {
		field := fmt.Sprintf("answers[%d].value", i)
		q, ok := d.Question(r.Question)
		if !ok {
			return nil, &FieldError{fmt.Sprintf("answers[%d].question", i), fmt.Sprintf("unknown question %q", r.Question)}
		}
		if given[q.Key] {
			return nil, &FieldError{fmt.Sprintf("answers[%d].question", i), fmt.Sprintf("question %q answered twice", q.Key)}
		}
		given[q.Key] = true
		a, err := q.parseJSON(r.Value)
		if err != nil {
			return nil, &FieldError{field, err.Error()}
		}
		if a == nil {
			continue
		}
		out = append(out, *a)
	}
	byKey := map[string]Answer{}
	for _, a := range out {
		byKey[a.Question] = a
	}
	for i, q := range d.Questions {
		_, has := byKey[q.Key]
		if !d.Visible(q, byKey) {
			if has {
				return nil, &FieldError{"answers", fmt.Sprintf("question %q is not shown for the earlier answers", q.Key)}
			}
			continue
		}
		if q.Required && !has {
			return nil, &FieldError{"answers", fmt.Sprintf("question %q (questions[%d]) is required", q.Key, i)}
		}
	}
	return out, nil
}

// Visible reports whether q is shown given the answers so far.
func (d Definition) Visible(q Question, answers map[string]Answer) bool {
	if q.ShowIf == nil {
		return true
	}
	a, ok := answers[q.ShowIf.Question]
	if !ok {
		return false
	}
	for _, v := range q.ShowIf.Values {
		if v == a.Key() {
			return true
		}
	}
	return false
}

// parseJSON turns one JSON value into an answer; nil for a blank or null
// optional answer.
func (q Question) parseJSON(v json.RawMessage) (*Answer, error) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "null" {
		return nil, nil
	}
	a := &Answer{Question: q.Key, Kind: q.Kind}
	switch q.Kind {
	case Rating5, NPS:
		var n json.Number
		if err := json.Unmarshal(v, &n); err != nil || v[0] == '"' {
			return nil, fmt.Errorf("%s answer must be a whole number", q.Kind)
		}
		i, err := strconv.Atoi(n.String())
		lo, hi := q.Range()
		if err != nil || i < lo || i > hi {
			return nil, fmt.Errorf("%s answer must be a whole number from %d to %d", q.Kind, lo, hi)
		}
		a.Int = &i
	case YesNo:
		var b bool
		if err := json.Unmarshal(v, &b); err != nil {
			return nil, fmt.Errorf("yesno answer must be true or false")
		}
		a.Bool = &b
	case Choice:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("choice answer must be one option's value")
		}
		if !q.HasOption(s) {
			return nil, fmt.Errorf("%q is not an option of %q", s, q.Key)
		}
		a.Choice = s
	case Text:
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("text answer must be a string")
		}
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("text answer is not valid UTF-8")
		}
		if n := utf8.RuneCountInString(s); n > MaxTextLen {
			return nil, fmt.Errorf("text answer is %d characters; the limit is %d", n, MaxTextLen)
		}
		if len(bytes.TrimSpace([]byte(s))) == 0 {
			return nil, nil
		}
		a.Text = s
	}
	return a, nil
}

// Range is the inclusive numeric range of a rating or NPS question.
func (q Question) Range() (int, int) {
	if q.Kind == NPS {
		return 0, 10
	}
	return 1, 5
}

// HasOption reports whether v is one of the choice's option values.
func (q Question) HasOption(v string) bool {
	for _, o := range q.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

// ParseStored reads back one stored answer, without the branching and
// required checks of Validate (an SMS conversation may move on past a
// question the patient never answered sensibly).
func (d Definition) ParseStored(r RawAnswer) (Answer, error) {
	q, ok := d.Question(r.Question)
	if !ok {
		return Answer{}, fmt.Errorf("unknown question %q", r.Question)
	}
	a, err := q.parseJSON(r.Value)
	if err != nil || a == nil {
		return Answer{}, fmt.Errorf("question %q: no answer", r.Question)
	}
	return *a, nil
}
