package translations

import (
	"fmt"
	"strings"

	"github.com/patientvoice/patientvoice/survey"
)

// Replies is every language's reply words in one vocabulary: a patient
// may answer a Spanish survey with "yes" or an English one with "sí".
// Load has checked that no word means two things.
func (c *Catalog) Replies() survey.Vocabulary {
	v, _ := c.vocabulary()
	return v
}

func (c *Catalog) vocabulary() (survey.Vocabulary, error) {
	w := survey.Words{Numbers: map[string]int{}}
	for _, l := range c.langs {
		for word, n := range l.Replies.Numbers {
			if old, dup := w.Numbers[word]; dup && old != n {
				return survey.Vocabulary{}, fmt.Errorf("translations %s: number word %q is %d in another language", l.Code, word, old)
			}
			w.Numbers[word] = n
		}
		w.Units = append(w.Units, l.Replies.Units...)
		w.Yes = append(w.Yes, l.Replies.Yes...)
		w.No = append(w.No, l.Replies.No...)
		w.Skip = append(w.Skip, l.Replies.Skip...)
	}
	v, err := survey.NewVocabulary(w)
	if err != nil {
		return v, fmt.Errorf("translations: reply words: %w", err)
	}
	return v, nil
}

// Keyword kinds, as the SMS conversation acts on them.
const (
	OptOut = "opt_out"
	OptIn  = "opt_in"
	Help   = "help"
)

// Keyword is what an SMS keyword does and the language it is in (so an
// unknown number that writes "dừng" is answered in Vietnamese).
type Keyword struct {
	Kind string // OptOut, OptIn or Help
	Lang string
}

// Keywords maps every language's opt-out, opt-in and help phrases,
// normalised as survey.Normalize writes them, to what they do. Twilio's
// own English words are not here: the conversation keeps the contract's
// list.
func (c *Catalog) Keywords() map[string]Keyword {
	out := map[string]Keyword{}
	for _, l := range c.langs {
		for kind, words := range map[string][]string{OptOut: l.Keywords.OptOut, OptIn: l.Keywords.OptIn, Help: l.Keywords.Help} {
			for _, w := range words {
				out[strings.TrimSpace(survey.Normalize(w))] = Keyword{Kind: kind, Lang: l.Code}
			}
		}
	}
	return out
}

// checkKeywords refuses a keyword that is also an answer (a "no" that
// would opt the patient out) or that means two kinds.
func (c *Catalog) checkKeywords() error {
	v, err := c.vocabulary()
	if err != nil {
		return err
	}
	kinds := map[string]string{}
	for _, l := range c.langs {
		for kind, words := range map[string][]string{OptOut: l.Keywords.OptOut, OptIn: l.Keywords.OptIn, Help: l.Keywords.Help} {
			for _, w := range words {
				n := strings.TrimSpace(survey.Normalize(w))
				if n == "" {
					return fmt.Errorf("translations %s: keyword %q has no letters", l.Code, w)
				}
				if old, dup := kinds[n]; dup && old != kind {
					return fmt.Errorf("translations %s: keyword %q is both %s and %s", l.Code, w, old, kind)
				}
				kinds[n] = kind
				if m := v.Means(w); m != "" {
					return fmt.Errorf("translations %s: keyword %q is also a %s answer", l.Code, w, m)
				}
			}
		}
	}
	return nil
}
