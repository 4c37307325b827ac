package translations

import (
	"fmt"
	"html/template"
	"io/fs"
	"strings"
)

// Tagline is one language's Section 1557 notice that free language
// assistance is available (45 CFR 92.11, after the HHS sample taglines),
// written in that language.
type Tagline struct {
	Code        string `json:"code"`
	Tag         string `json:"tag"`          // for the lang attribute when finer than Code
	Name        string `json:"name"`         // in its own script
	EnglishName string `json:"english_name"` // for staff pages
	Dir         string `json:"dir"`
	Text        string `json:"tagline"` // "ATTENTION: If you speak ..., language assistance services, free of charge, are available to you."
	Call        string `json:"call"`    // "Call {phone}."
	Ask         string `json:"ask"`     // "Ask any staff member." when no phone is set
}

// HTMLLang is the tag for the tagline's lang attribute.
func (t Tagline) HTMLLang() string {
	if t.Tag != "" {
		return t.Tag
	}
	return t.Code
}

// Notice is the whole tagline: the sentence and how to get the help, by
// phone when the hospital gave a number, else by asking staff.
func (t Tagline) Notice(phone string) string {
	sep := " "
	if strings.HasSuffix(t.Text, "。") { // Chinese and Japanese put no space after a full stop
		sep = ""
	}
	if phone = strings.TrimSpace(phone); phone != "" {
		if t.Dir == "rtl" {
			phone = Isolate(phone)
		}
		return t.Text + sep + fill(t.Call, []any{"phone", phone})
	}
	return t.Text + sep + t.Ask
}

// NoticeHTML is Notice for a page: escaped, with the phone number kept
// whole and left to right (<bdi dir="ltr">), whatever the language.
func (t Tagline) NoticeHTML(phone string) template.HTML {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return template.HTML(template.HTMLEscapeString(t.Notice("")))
	}
	const mark = "\x00phone\x00"
	n := template.HTMLEscapeString(t.Notice(mark))
	tel := `<bdi class="tel" dir="ltr">` + template.HTMLEscapeString(phone) + `</bdi>`
	n = strings.Replace(n, template.HTMLEscapeString(Isolate(mark)), tel, 1)
	return template.HTML(strings.Replace(n, template.HTMLEscapeString(mark), tel, 1))
}

// taglineFile is taglines.json: the order (the most spoken languages of
// the United States first) and the taglines of languages without a full
// translation; a full language file carries its own.
type taglineFile struct {
	Order    []string  `json:"order"`
	Taglines []Tagline `json:"taglines"`
}

// Required are the 15 languages most spoken in the United States after
// English (American Community Survey), whose taglines the product must
// always carry.
var Required = []string{"es", "zh", "vi", "tl", "ar", "ko", "ru", "fr", "ht", "de", "pt", "it", "pl", "ja", "hi"}

func (c *Catalog) loadTaglines(fsys fs.FS) error {
	b, err := fs.ReadFile(fsys, "taglines.json")
	if err != nil {
		return err
	}
	var f taglineFile
	if err := decodeStrict(b, &f); err != nil {
		return fmt.Errorf("translations taglines.json: %w", err)
	}
	by := map[string]Tagline{}
	for _, t := range f.Taglines {
		if _, full := c.byTag[normTag(t.Code)]; full {
			return fmt.Errorf("translations taglines.json: %s has a language file; its tagline lives there", t.Code)
		}
		if _, dup := by[t.Code]; dup {
			return fmt.Errorf("translations taglines.json: %s twice", t.Code)
		}
		by[t.Code] = t
	}
	for _, l := range c.langs {
		if l.Code == Base {
			continue
		}
		by[l.Code] = Tagline{Code: l.Code, Tag: l.Tag, Name: l.Name, EnglishName: l.EnglishName, Dir: l.Dir,
			Text: l.T("language_help.tagline"), Call: l.Strings["language_help.call"], Ask: l.T("language_help.ask")}
	}
	for code, t := range by {
		if t.Name == "" || t.EnglishName == "" || strings.TrimSpace(t.Text) == "" || t.Ask == "" || (t.Dir != "ltr" && t.Dir != "rtl") {
			return fmt.Errorf("translations taglines.json: %s: name, english_name, dir, tagline and ask are required", code)
		}
		if strings.Join(Placeholders(t.Call), ",") != "phone" {
			return fmt.Errorf("translations taglines.json: %s: call must hold {phone}", code)
		}
	}
	placed := map[string]bool{}
	for _, code := range f.Order {
		t, ok := by[code]
		if !ok {
			return fmt.Errorf("translations taglines.json: order names %s, which has no tagline", code)
		}
		if placed[code] {
			return fmt.Errorf("translations taglines.json: order names %s twice", code)
		}
		placed[code] = true
		c.taglines = append(c.taglines, t)
	}
	for _, l := range c.langs { // a new language file joins the end
		if t, ok := by[l.Code]; ok && !placed[l.Code] {
			placed[l.Code] = true
			c.taglines = append(c.taglines, t)
		}
	}
	for code := range by {
		if !placed[code] {
			return fmt.Errorf("translations taglines.json: %s is missing from order", code)
		}
	}
	for _, code := range Required {
		if !placed[code] {
			return fmt.Errorf("translations: no Section 1557 tagline for %s", code)
		}
	}
	return nil
}

// Taglines lists the language-assistance taglines, the most spoken
// languages first: what the kiosk's language help screen shows.
func (c *Catalog) Taglines() []Tagline { return c.taglines }
