package survey

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Rules are the flag rules: which answers mean a person should look at a
// response. They are data (edited by admins, stored by models) evaluated by
// pure code here, before any text is encrypted.
type Rules struct {
	// LowRating flags a rating5 answer at or below it (0 disables).
	LowRating int
	// LowNPS flags an NPS answer at or below it (-1 disables).
	LowNPS int
	// Concerns are words or phrases that flag a comment, each with the
	// category it suggests.
	Concerns []Keyword
	// Safety words make the case urgent and page on-call at once.
	Safety []Keyword
}

// Keyword is a word or phrase with the case category it implies.
type Keyword struct {
	Word     string
	Category string
}

// Outcome is what the rules found.
type Outcome struct {
	Flagged  bool
	Urgent   bool
	Reasons  []string
	Category string
	// Tags are the themes found in each text answer, keyed by question, so
	// they can be stored in clear next to the encrypted comment.
	Tags map[string][]string
	// MinScore is the lowest rating5 answer, for routing rules.
	MinScore *int
}

// Categories are the case categories of the contract.
var Categories = []string{"care_quality", "staff_attitude", "communication", "wait_time",
	"billing", "facility", "food", "privacy", "safety", "discharge", "other"}

// IsCategory reports whether c is a contract category.
func IsCategory(c string) bool {
	for _, x := range Categories {
		if x == c {
			return true
		}
	}
	return false
}

// Evaluate applies the rules. A choice answer whose value is a category
// (the kiosk's "what was it about") sets the category unless safety wins.
func (r Rules) Evaluate(answers []Answer) Outcome {
	o := Outcome{Tags: map[string][]string{}}
	cat := ""
	for _, a := range answers {
		switch a.Kind {
		case Rating5:
			if a.Int != nil && (o.MinScore == nil || *a.Int < *o.MinScore) {
				v := *a.Int
				o.MinScore = &v
			}
			if a.Int != nil && *a.Int <= r.LowRating {
				o.add("low_score:" + a.Question)
			}
		case NPS:
			if a.Int != nil && r.LowNPS >= 0 && *a.Int <= r.LowNPS {
				o.add("low_nps:" + a.Question)
			}
		case Choice:
			if IsCategory(a.Choice) && cat == "" {
				cat = a.Choice
			}
		case Text:
			norm := Normalize(a.Text)
			for _, k := range r.Safety {
				if containsPhrase(norm, k.Word) {
					o.add("safety:" + tag(k.Word))
					o.Urgent = true
					o.Tags[a.Question] = appendUnique(o.Tags[a.Question], "safety:"+tag(k.Word))
				}
			}
			for _, k := range r.Concerns {
				if containsPhrase(norm, k.Word) {
					o.add("keyword:" + tag(k.Word))
					o.Tags[a.Question] = appendUnique(o.Tags[a.Question], tag(k.Word))
					if cat == "" && k.Category != "" {
						cat = k.Category
					}
				}
			}
		}
	}
	o.Flagged = len(o.Reasons) > 0
	switch {
	case o.Urgent:
		o.Category = "safety"
	case cat != "":
		o.Category = cat
	default:
		o.Category = "other"
	}
	return o
}

func (o *Outcome) add(reason string) {
	o.Reasons = appendUnique(o.Reasons, reason)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// tag makes a machine-readable tag of a phrase: "wrong medication" ->
// "wrong_medication".
func tag(word string) string {
	return strings.Join(strings.Fields(Normalize(word)), "_")
}

// Normalize lower-cases text and turns everything but letters and digits
// into single spaces, padded, so phrases match on word boundaries in any
// script. Text is composed first (NFC), so a letter typed as base plus
// combining accent ("khoâng" from some Vietnamese keyboards) matches its
// precomposed form.
func Normalize(s string) string {
	var b strings.Builder
	b.WriteByte(' ')
	space := true
	for _, r := range strings.ToLower(norm.NFC.String(s)) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			b.WriteRune(foldAccent(r))
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	if !space {
		b.WriteByte(' ')
	}
	return b.String()
}

// foldAccent maps common Latin accents to their base letter so "médico"
// matches "medico" and "sí" matches "si".
func foldAccent(r rune) rune {
	switch r {
	case 'á', 'à', 'â', 'ä', 'ã':
		return 'a'
	case 'é', 'è', 'ê', 'ë':
		return 'e'
	case 'í', 'ì', 'î', 'ï':
		return 'i'
	case 'ó', 'ò', 'ô', 'ö', 'õ':
		return 'o'
	case 'ú', 'ù', 'û', 'ü':
		return 'u'
	case 'ñ':
		return 'n'
	case 'ç':
		return 'c'
	}
	return r
}

func containsPhrase(norm, phrase string) bool {
	p := Normalize(phrase)
	if strings.TrimSpace(p) == "" {
		return false
	}
	return strings.Contains(norm, p)
}

// AnswerHash is a stable digest of the answer values (order-free) for the
// kiosk press filter: two submissions with the same answers hash alike.
func AnswerHash(answers []Answer) string {
	parts := make([]string, 0, len(answers))
	for _, a := range answers {
		parts = append(parts, a.Question+"="+strconv.Quote(a.Key()))
	}
	sort.Strings(parts)
	sum := sha256.Sum256([]byte(strings.Join(parts, "&")))
	return hex.EncodeToString(sum[:])
}
