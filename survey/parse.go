package survey

import (
	"strconv"
	"strings"
)

// ParseReply reads an SMS reply as the answer to q: digits or number words
// for ratings and NPS ("4", "four", "cuatro", "٤", "四分"), yes/no words
// ("Y", "sí", "نعم", "是的", "có"), a choice by its 1-based number or its
// label in lang, and a text question takes the whole message. ok is false
// for nonsense.
func (v Vocabulary) ParseReply(q Question, lang, text string) (Answer, bool) {
	a := Answer{Question: q.Key, Kind: q.Kind}
	raw := strings.TrimSpace(text)
	if raw == "" {
		return a, false
	}
	fields := replyFields(raw)
	words := len(fields) // as the patient spaced them
	var toks []string
	for _, f := range fields {
		toks = append(toks, f.tokens...)
	}
	switch q.Kind {
	case Text:
		r := []rune(raw)
		if len(r) > MaxTextLen {
			raw = string(r[:MaxTextLen])
		}
		a.Text = raw
		return a, true
	case Rating5, NPS:
		lo, hi := q.Range()
		n, ok := v.number(fields)
		if !ok || words > 4 || n < lo || n > hi {
			return a, false
		}
		a.Int = &n
		return a, true
	case YesNo:
		if words == 0 || words > 3 {
			return a, false
		}
		y, n := longestPrefix(v.yes, toks), longestPrefix(v.no, toks)
		if y == n { // neither (a tie cannot happen: NewVocabulary refuses it)
			return a, false
		}
		b := y > n
		a.Bool = &b
		return a, true
	case Choice:
		if n, ok := v.number(fields); ok && words <= 4 && n >= 1 && n <= len(q.Options) {
			a.Choice = q.Options[n-1].Value
			return a, true
		}
		norm := strings.TrimSpace(Normalize(raw))
		for _, o := range q.Options {
			for _, l := range []string{o.Text(lang), o.Label["en"], o.Value} {
				if l != "" && strings.TrimSpace(Normalize(l)) == norm {
					a.Choice = o.Value
					return a, true
				}
			}
		}
	}
	return a, false
}

// number accepts a reply that is one number (digits or a word), possibly
// with a little noise around it ("4!", "it's a 4", "4 stars", "四分"). In
// a script without spaces a number word counts only beside units, so the
// "一" of "一般" (so-so) is not a one.
func (v Vocabulary) number(fields []field) (int, bool) {
	found, val := 0, 0
	for _, f := range fields {
		standalone := true
		if f.unspaced {
			for _, w := range f.tokens {
				if _, isNum := v.numbers[w]; !isNum && !v.units[w] && !isDigits(w) {
					standalone = false
				}
			}
		}
		for _, w := range f.tokens {
			if n, err := strconv.Atoi(w); err == nil {
				found++
				val = n
			} else if n, ok := v.numbers[w]; ok && standalone {
				found++
				val = n
			}
		}
	}
	if found != 1 {
		return 0, false
	}
	return val, true
}

func isDigits(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// IsSkip reports a reply that skips an optional question: the whole reply
// is one of the skip phrases ("skip", "omitir", "跳过", "bỏ qua").
func (v Vocabulary) IsSkip(text string) bool {
	return matchesWhole(v.skip, replyTokens(text))
}
