// Package translations is the one catalog of what a patient reads, and of
// the words a patient may write back, in every language the product
// speaks: kiosk screens, SMS and email wordings, the email survey,
// follow-up and unsubscribe pages, resolution letters, patient-facing
// errors, dates, SMS number and yes/no words, opt-out keywords and the
// Section 1557 language-assistance taglines.
//
// Each language is one JSON file in languages/, embedded in the binary and
// checked at start: adding a language is adding a file. taglines.json
// holds the taglines of the languages that have no full translation yet.
package translations

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed languages/*.json taglines.json
var files embed.FS

// Base is the language every other falls back to and is checked against.
const Base = "en"

// Catalog holds every language, read once at start.
type Catalog struct {
	langs    []*Language // Base first, then by code
	byTag    map[string]*Language
	taglines []Tagline
}

// Load reads and checks the embedded language files: a file that is
// malformed, lacks a key the base language has, has one it lacks, or
// misses a placeholder stops the server before it serves anything.
func Load() (*Catalog, error) {
	return load(files)
}

func load(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "languages/*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalog{byTag: map[string]*Language{}}
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		l, err := parseLanguage(b)
		if err != nil {
			return nil, fmt.Errorf("translations %s: %w", n, err)
		}
		if want := strings.TrimSuffix(path.Base(n), ".json"); l.Code != want {
			return nil, fmt.Errorf("translations %s: code %q does not match the file name", n, l.Code)
		}
		for _, tag := range append([]string{l.Code}, l.Aliases...) {
			key := normTag(tag)
			if other, dup := c.byTag[key]; dup {
				return nil, fmt.Errorf("translations %s: tag %q is already %s's", n, tag, other.Code)
			}
			c.byTag[key] = l
		}
		c.langs = append(c.langs, l)
	}
	base, ok := c.byTag[Base]
	if !ok {
		return nil, fmt.Errorf("translations: languages/%s.json is required", Base)
	}
	sort.SliceStable(c.langs, func(i, j int) bool {
		if (c.langs[i] == base) != (c.langs[j] == base) {
			return c.langs[i] == base
		}
		return c.langs[i].Code < c.langs[j].Code
	})
	for _, l := range c.langs {
		if l != base {
			if err := l.checkAgainst(base); err != nil {
				return nil, fmt.Errorf("translations languages/%s.json: %w", l.Code, err)
			}
		}
		l.base = base
	}
	if err := c.loadTaglines(fsys); err != nil {
		return nil, err
	}
	if err := c.checkKeywords(); err != nil {
		return nil, err
	}
	return c, nil
}

// Languages lists every language, the base language first.
func (c *Catalog) Languages() []*Language { return c.langs }

// Codes lists every language's code, the base language first: the
// languages a survey may offer.
func (c *Catalog) Codes() []string {
	out := make([]string, len(c.langs))
	for i, l := range c.langs {
		out[i] = l.Code
	}
	return out
}

// Base is the base (English) language.
func (c *Catalog) Base() *Language { return c.langs[0] }

// Match finds the language of a tag as hospitals send it: a code ("es"),
// a BCP 47 tag ("es-MX", "zh-Hans-CN", "vi_VN") or an alias a language
// file lists (ISO 639-2 "spa", "chi"). Subtags are dropped from the right
// until one matches, so "zh-Hant-TW" falls back to "zh" while there is no
// Traditional Chinese file. ok is false when nothing matches.
func (c *Catalog) Match(tag string) (*Language, bool) {
	t := normTag(tag)
	for t != "" {
		if l, ok := c.byTag[t]; ok {
			return l, true
		}
		i := strings.LastIndexByte(t, '-')
		if i < 0 {
			break
		}
		t = t[:i]
	}
	return nil, false
}

// Get is Match falling back to the base language.
func (c *Catalog) Get(tag string) *Language {
	if l, ok := c.Match(tag); ok {
		return l
	}
	return c.Base()
}

// Code is the catalog code of tag ("es-MX" -> "es"), or "" when the
// catalog has no such language: what a contact's language is stored as.
func (c *Catalog) Code(tag string) string {
	if l, ok := c.Match(tag); ok {
		return l.Code
	}
	return ""
}

// For returns the languages among codes, in catalog order: the languages
// a survey offers that the product can also speak.
func (c *Catalog) For(codes []string) []*Language {
	want := map[string]bool{}
	for _, code := range codes {
		want[code] = true
	}
	var out []*Language
	for _, l := range c.langs {
		if want[l.Code] {
			out = append(out, l)
		}
	}
	return out
}

// Negotiate picks the best language of an Accept-Language header (for a
// page whose patient is not known yet, such as a mistyped link), else the
// base language.
func (c *Catalog) Negotiate(header string) *Language {
	type choice struct {
		l *Language
		q float64
	}
	var best *choice
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if _, err := fmt.Sscanf(v, "%g", &q); err != nil {
				continue
			}
		}
		l, ok := c.Match(tag)
		if !ok || q <= 0 {
			continue
		}
		if best == nil || q > best.q {
			best = &choice{l, q}
		}
	}
	if best == nil {
		return c.Base()
	}
	return best.l
}

func normTag(tag string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
