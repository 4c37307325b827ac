package translations

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Language is one language of the catalog, as its file says it.
type Language struct {
	Code        string   `json:"code"`         // what contacts and surveys store: "en", "zh"
	Tag         string   `json:"tag"`          // for lang attributes when finer than Code: "zh-Hans" picks Simplified glyphs
	Aliases     []string `json:"aliases"`      // other tags that mean this file: "zh-CN", "spa"
	Name        string   `json:"name"`         // in its own script: "Español"
	EnglishName string   `json:"english_name"` // for staff pages: "Spanish"
	Dir         string   `json:"dir"`          // "ltr" or "rtl"
	Plural      string   `json:"plural"`       // plural rule family, see plural.go
	Dates       Dates    `json:"dates"`
	Replies     Replies  `json:"replies"`
	Keywords    Keywords `json:"keywords"`

	Strings map[string]string            `json:"strings"`
	Plurals map[string]map[string]string `json:"plurals"`

	base *Language // fallback for a key missing at run time (never, once checked)
}

// Dates is how a language writes a date in a letter.
type Dates struct {
	// Long is the pattern: {d} day, {m} month number, {month} month name,
	// {yyyy} year ("{d} de {month} de {yyyy}").
	Long   string   `json:"long"`
	Months []string `json:"months"` // January first
	// Digits is "latn" (0-9, the default) or "arab" (٠-٩).
	Digits string `json:"digits"`
}

// Replies are the words a patient may answer an SMS question with.
type Replies struct {
	Numbers map[string]int `json:"numbers"` // "cuatro": 4; every value 0-10 at least once
	Units   []string       `json:"units"`   // may follow a number in a script without spaces: "分"
	Yes     []string       `json:"yes"`
	No      []string       `json:"no"`
	Skip    []string       `json:"skip"` // skips an optional question
}

// Keywords are this language's SMS opt-out, opt-in and help phrases
// beyond Twilio's own English words (STOP, START, HELP, ...), which the
// contract keeps in the conversation code.
type Keywords struct {
	OptOut []string `json:"opt_out"`
	OptIn  []string `json:"opt_in"`
	Help   []string `json:"help"`
}

func parseLanguage(b []byte) (*Language, error) {
	l := &Language{}
	if err := decodeStrict(b, l); err != nil {
		return nil, err
	}
	switch {
	case l.Code == "" || normTag(l.Code) != strings.ToLower(l.Code):
		return nil, fmt.Errorf("code %q: use a BCP 47 tag such as \"vi\"", l.Code)
	case strings.TrimSpace(l.Name) == "" || strings.TrimSpace(l.EnglishName) == "":
		return nil, errors.New("name and english_name are required")
	case l.Dir != "ltr" && l.Dir != "rtl":
		return nil, fmt.Errorf("dir %q: use ltr or rtl", l.Dir)
	}
	if _, ok := pluralRules[l.Plural]; !ok {
		return nil, fmt.Errorf("plural %q: use one of %s", l.Plural, strings.Join(pluralFamilies(), ", "))
	}
	if err := l.Dates.check(); err != nil {
		return nil, fmt.Errorf("dates: %w", err)
	}
	for k, forms := range l.Plurals {
		if err := checkForms(l.Plural, forms); err != nil {
			return nil, fmt.Errorf("plurals %q: %w", k, err)
		}
		if err := pluralPlaceholders(forms["other"], forms); err != nil {
			return nil, fmt.Errorf("plurals %q %w", k, err)
		}
	}
	for k, v := range l.Strings {
		if strings.TrimSpace(v) == "" {
			return nil, fmt.Errorf("strings %q: empty", k)
		}
	}
	return l, nil
}

// checkAgainst holds a translation to the base language: the same string
// and plural keys, no more and no fewer, and every placeholder of the base
// text present in the translation (and none it does not know).
func (l *Language) checkAgainst(base *Language) error {
	if err := sameKeys(keysOf(base.Strings), keysOf(l.Strings)); err != nil {
		return fmt.Errorf("strings against %s.json: %w", Base, err)
	}
	if err := sameKeys(keysOf(base.Plurals), keysOf(l.Plurals)); err != nil {
		return fmt.Errorf("plurals against %s.json: %w", Base, err)
	}
	for k, v := range base.Strings {
		if err := samePlaceholders(v, l.Strings[k]); err != nil {
			return fmt.Errorf("strings %q: %w", k, err)
		}
	}
	for k, forms := range base.Plurals {
		if err := pluralPlaceholders(forms["other"], l.Plurals[k]); err != nil {
			return fmt.Errorf("plurals %q %w", k, err)
		}
	}
	return nil
}

// pluralPlaceholders holds every form to the placeholders of the base
// text's "other" form, except that a form may write the count in words
// instead of {n} ("one answer", "إجابة واحدة").
func pluralPlaceholders(base string, forms map[string]string) error {
	want := without(Placeholders(base), "n")
	for cat, v := range forms {
		got := Placeholders(v)
		if strings.Join(without(got, "n"), ",") != strings.Join(want, ",") || len(got) > len(want)+1 {
			return fmt.Errorf("(%s): placeholders {%s}, want {%s}", cat, strings.Join(got, "}, {"), strings.Join(Placeholders(base), "}, {"))
		}
	}
	return nil
}

func without(list []string, x string) []string {
	out := make([]string, 0, len(list))
	for _, v := range list {
		if v != x {
			out = append(out, v)
		}
	}
	return out
}

func keysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameKeys(want, got []string) error {
	have := map[string]bool{}
	for _, k := range got {
		have[k] = true
	}
	var missing, extra []string
	for _, k := range want {
		if !have[k] {
			missing = append(missing, k)
		}
		delete(have, k)
	}
	for k := range have {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	switch {
	case len(missing) > 0:
		return fmt.Errorf("missing %s", strings.Join(missing, ", "))
	case len(extra) > 0:
		return fmt.Errorf("unexpected %s", strings.Join(extra, ", "))
	}
	return nil
}

var placeholderRe = regexp.MustCompile(`\{([a-z_]+)\}`)

// Placeholders lists the {name}s of a text, sorted and unique.
func Placeholders(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return out
}

func samePlaceholders(base, tr string) error {
	want, got := Placeholders(base), Placeholders(tr)
	if strings.Join(want, ",") != strings.Join(got, ",") {
		return fmt.Errorf("placeholders {%s}, want {%s}", strings.Join(got, "}, {"), strings.Join(want, "}, {"))
	}
	return nil
}

func (d Dates) check() error {
	if d.Long == "" {
		return errors.New("long: required")
	}
	if strings.Contains(d.Long, "{month}") && len(d.Months) != 12 {
		return fmt.Errorf("months: %d names, want 12", len(d.Months))
	}
	for _, p := range Placeholders(d.Long) {
		if p != "d" && p != "m" && p != "month" && p != "yyyy" {
			return fmt.Errorf("long: unknown placeholder {%s}", p)
		}
	}
	if d.Digits != "" && d.Digits != "latn" && d.Digits != "arab" {
		return fmt.Errorf("digits %q: use latn or arab", d.Digits)
	}
	return nil
}

// T is the text of key in this language with {name} placeholders filled
// from args, given as name, value pairs: T("sms.thanks", "org", org).
// Values are inserted as they are; HTML pages escape them when rendered.
func (l *Language) T(key string, args ...any) string {
	s, ok := l.Strings[key]
	if !ok && l.base != nil {
		s, ok = l.base.Strings[key]
	}
	if !ok {
		return "[" + key + "]"
	}
	return fill(s, args)
}

// Bidi prepares a value for a page in this language: in a right-to-left
// language it is isolated, so a Latin name or a phone number keeps its own
// order inside Arabic text ("(312) 555-0100", not "0100-555 (312)"). SMS
// texts leave values as they are: old phones may show the marks.
func (l *Language) Bidi(s string) string {
	if l.Dir != "rtl" || s == "" {
		return s
	}
	return Isolate(s)
}

// Isolate wraps s in first-strong isolate marks (U+2068 ... U+2069): the
// text keeps its own direction within text of the other direction.
func Isolate(s string) string { return "\u2068" + s + "\u2069" }

// N is the plural text of key for the count n in this language's plural
// rule ("1 question", "4 preguntas", "٣ أسئلة"); n fills {n}.
func (l *Language) N(key string, n int, args ...any) string {
	forms, ok := l.Plurals[key]
	if !ok && l.base != nil {
		return l.base.N(key, n, args...)
	}
	s, ok := forms[pluralRules[l.Plural].pick(n)]
	if !ok {
		s, ok = forms["other"]
	}
	if !ok {
		return "[" + key + "]"
	}
	return fill(s, append([]any{"n", n}, args...))
}

// Prefixed returns the strings whose keys start with prefix, with the
// prefix cut: what the kiosk's script gets ("kiosk." -> "next").
func (l *Language) Prefixed(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range l.Strings {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// PluralsPrefixed is Prefixed for plural texts.
func (l *Language) PluralsPrefixed(prefix string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for k, v := range l.Plurals {
		if rest, ok := strings.CutPrefix(k, prefix); ok {
			out[rest] = v
		}
	}
	return out
}

// HTMLLang is the tag for a lang attribute: Tag when the file gives one,
// else Code.
func (l *Language) HTMLLang() string {
	if l.Tag != "" {
		return l.Tag
	}
	return l.Code
}

// RTL reports a right-to-left language.
func (l *Language) RTL() bool { return l.Dir == "rtl" }

// Date writes a calendar date the way a letter in this language does:
// "December 1, 2026", "1 de diciembre de 2026", "2026年12月1日".
func (l *Language) Date(t time.Time) string {
	d := l.Dates
	s := strings.NewReplacer(
		"{d}", l.digits(strconv.Itoa(t.Day())),
		"{m}", l.digits(strconv.Itoa(int(t.Month()))),
		"{yyyy}", l.digits(fmt.Sprintf("%04d", t.Year())),
		"{month}", monthName(d.Months, t.Month()),
	).Replace(d.Long)
	return s
}

func monthName(names []string, m time.Month) string {
	if len(names) == 12 {
		return names[m-1]
	}
	return strconv.Itoa(int(m))
}

func (l *Language) digits(s string) string {
	if l.Dates.Digits != "arab" {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '٠' + (r - '0')
		}
		return r
	}, s)
}

func fill(s string, args []any) string {
	if len(args) < 2 || !strings.Contains(s, "{") {
		return s
	}
	pairs := make([]string, 0, len(args))
	for i := 0; i+1 < len(args); i += 2 {
		pairs = append(pairs, "{"+fmt.Sprint(args[i])+"}", fmt.Sprint(args[i+1]))
	}
	return strings.NewReplacer(pairs...).Replace(s)
}
