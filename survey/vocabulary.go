package survey

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Vocabulary is the words patients answer SMS questions with ("four",
// "cuatro", "四", "sí", "có"), in every language at once, since a patient
// answers in whatever comes to hand. The translation catalog builds it, so
// survey itself holds no language's words.
type Vocabulary struct {
	numbers       map[string]int
	units         map[string]bool
	yes, no, skip [][]string
}

// Words are the reply words NewVocabulary indexes.
type Words struct {
	// Numbers are number words, one word each ("cuatro": 4, "四": 4).
	Numbers map[string]int
	// Units may follow a number written without spaces ("四分", four
	// points); in such scripts a number word counts only beside units, so
	// "一般" (so-so) is not the number one.
	Units []string
	// Yes and No phrases match at the start of a reply ("no thanks" is
	// no, "不满意" is no), the longest phrase winning ("不错" is yes).
	Yes, No []string
	// Skip phrases skip an optional question when they are the whole
	// reply.
	Skip []string
}

// NewVocabulary checks and indexes reply words. A word with two values,
// or a phrase that is two of yes, no and skip, is an error: the reply
// would mean two things.
func NewVocabulary(w Words) (Vocabulary, error) {
	v := Vocabulary{numbers: map[string]int{}, units: map[string]bool{}}
	for word, n := range w.Numbers {
		t := replyTokens(word)
		if len(t) != 1 {
			return v, fmt.Errorf("number word %q: must be one word", word)
		}
		if old, dup := v.numbers[t[0]]; dup && old != n {
			return v, fmt.Errorf("number word %q means both %d and %d", word, old, n)
		}
		v.numbers[t[0]] = n
	}
	for _, u := range w.Units {
		for _, t := range replyTokens(u) {
			v.units[t] = true
		}
	}
	seen := map[string]string{}
	add := func(list *[][]string, kind string, phrases []string) error {
		for _, p := range phrases {
			t := replyTokens(p)
			if len(t) == 0 {
				return fmt.Errorf("%s phrase %q: no letters or digits", kind, p)
			}
			key := strings.Join(t, " ")
			if old, dup := seen[key]; dup {
				if old != kind {
					return fmt.Errorf("phrase %q is both %s and %s", p, old, kind)
				}
				continue
			}
			seen[key] = kind
			*list = append(*list, t)
		}
		return nil
	}
	for _, l := range []struct {
		list    *[][]string
		kind    string
		phrases []string
	}{{&v.yes, "yes", w.Yes}, {&v.no, "no", w.No}, {&v.skip, "skip", w.Skip}} {
		if err := add(l.list, l.kind, l.phrases); err != nil {
			return v, err
		}
	}
	return v, nil
}

// IsNumberWord reports whether w is one of the vocabulary's number words.
func (v Vocabulary) IsNumberWord(w string) bool {
	t := replyTokens(w)
	if len(t) != 1 {
		return false
	}
	_, ok := v.numbers[t[0]]
	return ok
}

// Means reports what a whole reply means to the vocabulary: "yes", "no",
// "skip", "number" or "" (for checking that keywords never collide with
// answers).
func (v Vocabulary) Means(text string) string {
	t := replyTokens(text)
	switch {
	case len(t) == 0:
		return ""
	case matchesWhole(v.skip, t):
		return "skip"
	case matchesWhole(v.yes, t):
		return "yes"
	case matchesWhole(v.no, t):
		return "no"
	}
	if _, ok := v.numbers[t[0]]; ok && len(t) == 1 {
		return "number"
	}
	return ""
}

func matchesWhole(list [][]string, t []string) bool {
	for _, p := range list {
		if strings.Join(p, " ") == strings.Join(t, " ") {
			return true
		}
	}
	return false
}

// longestPrefix is the length of the longest phrase of list that starts
// t, 0 when none does.
func longestPrefix(list [][]string, t []string) int {
	best := 0
	for _, p := range list {
		if len(p) <= len(t) && len(p) > best && strings.Join(p, " ") == strings.Join(t[:len(p)], " ") {
			best = len(p)
		}
	}
	return best
}

// replyTokens splits a reply into words: Normalize's words with every
// digit made ASCII, and scripts written without spaces (Chinese, Japanese)
// cut into single characters, so "4分" is "4" "分" and "不满意" starts
// with "不".
func replyTokens(s string) []string {
	var out []string
	for _, f := range replyFields(s) {
		out = append(out, f.tokens...)
	}
	return out
}

// field is one space-separated word of a reply, cut into tokens.
type field struct {
	tokens   []string
	unspaced bool // written in a script without spaces
}

func replyFields(s string) []field {
	var out []field
	for _, f := range strings.Fields(Normalize(asciiDigits(s))) {
		var fl field
		start := 0
		for i, r := range f {
			if unspaced(r) {
				fl.unspaced = true
				if start < i {
					fl.tokens = append(fl.tokens, f[start:i])
				}
				fl.tokens = append(fl.tokens, string(r))
				start = i + utf8.RuneLen(r)
			}
		}
		if start < len(f) {
			fl.tokens = append(fl.tokens, f[start:])
		}
		out = append(out, fl)
	}
	return out
}

func unspaced(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana)
}

// asciiDigits maps Arabic-Indic, Persian, Devanagari and full-width digits
// to ASCII, so "٤" and "４" are 4.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		for _, zero := range []rune{'٠', '۰', '०', '０'} {
			if r >= zero && r <= zero+9 {
				return '0' + (r - zero)
			}
		}
		return r
	}, s)
}
