package survey

import (
	"strconv"
	"strings"
)

// numberWords maps number words in the supported languages to values.
var numberWords = map[string]int{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"cero": 0, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10,
	"صفر": 0, "واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاثة": 3, "اربعة": 4, "أربعة": 4, "خمسة": 5, "ستة": 6, "سبعة": 7, "ثمانية": 8, "تسعة": 9, "عشرة": 10,
}

var yesWords = map[string]bool{"yes": true, "y": true, "yeah": true, "yep": true, "si": true, "s": true, "claro": true, "نعم": true, "اي": true, "أجل": true}
var noWords = map[string]bool{"no": true, "n": true, "nope": true, "nah": true, "لا": true}

// arabicDigits maps Eastern Arabic digits to ASCII.
func arabicDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '٠' && r <= '٩' {
			return '0' + (r - '٠')
		}
		if r >= '۰' && r <= '۹' {
			return '0' + (r - '۰')
		}
		return r
	}, s)
}

// ParseReply reads an SMS reply as the answer to q: digits or number words
// for ratings and NPS ("4", "four", "cuatro", "٤"), yes/no words ("Y",
// "sí", "نعم"), a choice by its 1-based number or its label in lang, and a
// text question takes the whole message. ok is false for nonsense.
func ParseReply(q Question, lang, text string) (Answer, bool) {
	a := Answer{Question: q.Key, Kind: q.Kind}
	raw := strings.TrimSpace(text)
	if raw == "" {
		return a, false
	}
	norm := strings.TrimSpace(Normalize(arabicDigits(raw)))
	words := strings.Fields(norm)
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
		n, ok := number(words)
		if !ok || n < lo || n > hi {
			return a, false
		}
		a.Int = &n
		return a, true
	case YesNo:
		if len(words) == 0 || len(words) > 3 {
			return a, false
		}
		switch {
		case yesWords[words[0]]:
			v := true
			a.Bool = &v
		case noWords[words[0]]:
			v := false
			a.Bool = &v
		default:
			return a, false
		}
		return a, true
	case Choice:
		if n, ok := number(words); ok && n >= 1 && n <= len(q.Options) {
			a.Choice = q.Options[n-1].Value
			return a, true
		}
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
// with a little noise around it ("4!", "it's a 4", "4 stars").
func number(words []string) (int, bool) {
	found, val := 0, 0
	for _, w := range words {
		if n, err := strconv.Atoi(w); err == nil {
			found++
			val = n
		} else if n, ok := numberWords[w]; ok {
			found++
			val = n
		}
	}
	if found != 1 || len(words) > 4 {
		return 0, false
	}
	return val, true
}

// HowToAnswer is the hint added to an SMS question.
func HowToAnswer(q Question, lang string) string {
	es, ar := lang == "es", lang == "ar"
	switch q.Kind {
	case Rating5:
		return pick(es, ar, "Reply 1 to 5.", "Responda del 1 al 5.", "أرسل رقماً من 1 إلى 5.")
	case NPS:
		return pick(es, ar, "Reply 0 to 10.", "Responda del 0 al 10.", "أرسل رقماً من 0 إلى 10.")
	case YesNo:
		return pick(es, ar, "Reply YES or NO.", "Responda SÍ o NO.", "أرسل نعم أو لا.")
	case Choice:
		var b strings.Builder
		b.WriteString(pick(es, ar, "Reply with a number:", "Responda con un número:", "أرسل رقماً:"))
		for i, o := range q.Options {
			b.WriteString(" " + strconv.Itoa(i+1) + "=" + o.Text(lang))
		}
		return b.String()
	}
	return pick(es, ar, "Reply with your answer, or SKIP.", "Responda con su respuesta, u OMITIR.", "أرسل إجابتك، أو تخطي.")
}

func pick(es, ar bool, en, esS, arS string) string {
	switch {
	case es:
		return esS
	case ar:
		return arS
	}
	return en
}

// IsSkip reports a reply that skips an optional question.
func IsSkip(text string) bool {
	switch strings.TrimSpace(Normalize(text)) {
	case "skip", "omitir", "saltar", "تخطي", "pass", "none", "no comment", "nothing":
		return true
	}
	return false
}
