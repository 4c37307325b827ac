// Package survey holds what a survey is and what its answers mean: question
// kinds, answer validation, branching, flag rules and scores. It is pure
// logic with no HTTP and no database, so every rule is table-testable.
package survey

import (
	"fmt"
	"regexp"
	"strings"
)

// Kind is a question type from the contract.
type Kind string

// Question kinds.
const (
	Rating5 Kind = "rating5"
	NPS     Kind = "nps"
	YesNo   Kind = "yesno"
	Choice  Kind = "choice"
	Text    Kind = "text"
)

// MaxTextLen is the longest free-text answer, in characters.
const MaxTextLen = 2000

// Definition is a survey as the API shows it.
type Definition struct {
	Key       string     `json:"key"`
	Name      string     `json:"name"`
	Version   int        `json:"version"`
	Languages []string   `json:"languages"`
	Channels  []string   `json:"channels,omitempty"`
	Questions []Question `json:"questions"`
}

// Question is one question with per-language prompts.
type Question struct {
	Key      string            `json:"key"`
	Kind     Kind              `json:"kind"`
	Required bool              `json:"required"`
	Prompt   map[string]string `json:"prompt"`
	Options  []Option          `json:"options,omitempty"`
	ShowIf   *Condition        `json:"show_if,omitempty"`
}

// Option is one choice of a choice question.
type Option struct {
	Value string            `json:"value"`
	Label map[string]string `json:"label"`
}

// Condition shows a question only when an earlier answer is one of Values
// (numbers and booleans written as text: "1", "2", "true").
type Condition struct {
	Question string   `json:"question"`
	Values   []string `json:"values"`
}

var (
	keyRe       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
	surveyKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)
)

// Check validates a definition an admin wrote before it is saved.
func (d Definition) Check() error {
	if !surveyKeyRe.MatchString(d.Key) {
		return fmt.Errorf("key %q: use lower-case letters, digits, - and _", d.Key)
	}
	if strings.TrimSpace(d.Name) == "" {
		return fmt.Errorf("name: required")
	}
	if len(d.Languages) == 0 {
		return fmt.Errorf("languages: at least one")
	}
	if len(d.Questions) == 0 {
		return fmt.Errorf("questions: at least one")
	}
	seen := map[string]int{}
	for i, q := range d.Questions {
		if err := q.validate(d.Languages[0], seen); err != nil {
			return fmt.Errorf("questions[%d]: %w", i, err)
		}
		seen[q.Key] = i
	}
	return nil
}

func (q Question) validate(lang string, earlier map[string]int) error {
	if !keyRe.MatchString(q.Key) {
		return fmt.Errorf("key %q: use lower-case letters, digits and _", q.Key)
	}
	if _, dup := earlier[q.Key]; dup {
		return fmt.Errorf("key %q: used twice", q.Key)
	}
	switch q.Kind {
	case Rating5, NPS, YesNo, Text:
		if len(q.Options) > 0 {
			return fmt.Errorf("options: only choice questions have options")
		}
	case Choice:
		if len(q.Options) < 2 {
			return fmt.Errorf("options: a choice question needs at least two")
		}
		vals := map[string]bool{}
		for _, o := range q.Options {
			if !keyRe.MatchString(o.Value) || vals[o.Value] {
				return fmt.Errorf("options: value %q is empty, malformed or repeated", o.Value)
			}
			vals[o.Value] = true
			if strings.TrimSpace(o.Label[lang]) == "" {
				return fmt.Errorf("options: %q has no %s label", o.Value, lang)
			}
		}
	default:
		return fmt.Errorf("kind %q: use rating5, nps, yesno, choice or text", q.Kind)
	}
	if strings.TrimSpace(q.Prompt[lang]) == "" {
		return fmt.Errorf("prompt: %s text required", lang)
	}
	if q.ShowIf != nil {
		if _, ok := earlier[q.ShowIf.Question]; !ok {
			return fmt.Errorf("show_if: %q is not an earlier question", q.ShowIf.Question)
		}
		if len(q.ShowIf.Values) == 0 {
			return fmt.Errorf("show_if: values required")
		}
	}
	return nil
}

// Question returns the question with key k.
func (d Definition) Question(k string) (Question, bool) {
	for _, q := range d.Questions {
		if q.Key == k {
			return q, true
		}
	}
	return Question{}, false
}

// HasLanguage reports whether the survey is written in lang.
func (d Definition) HasLanguage(lang string) bool {
	for _, l := range d.Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Language picks lang when the survey has it, else the survey's first
// language (en), as the contract's fallback says.
func (d Definition) Language(lang string) string {
	if d.HasLanguage(lang) {
		return lang
	}
	if d.HasLanguage("en") || len(d.Languages) == 0 {
		return "en"
	}
	return d.Languages[0]
}

// Text returns the prompt in lang, falling back to English.
func (q Question) Text(lang string) string {
	if s := q.Prompt[lang]; s != "" {
		return s
	}
	return q.Prompt["en"]
}

// Label returns the option label in lang, falling back to English.
func (o Option) Text(lang string) string {
	if s := o.Label[lang]; s != "" {
		return s
	}
	return o.Label["en"]
}
