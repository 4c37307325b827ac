package kiosk

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

//go:embed i18n/*.json
var i18nFiles embed.FS

// Language is one kiosk interface language. Adding a language is adding
// one file to kiosk/i18n (plus the survey's prompts in that language).
type Language struct {
	Code    string            `json:"code"`
	Name    string            `json:"name"` // in its own script: "Español"
	Dir     string            `json:"dir"`  // ltr or rtl
	Strings map[string]string `json:"strings"`
}

// Catalog holds every interface language, ordered as the files sort with
// English first.
type Catalog struct {
	Languages []Language
	byCode    map[string]Language
}

// requiredKeys are the strings every language file must have.
var requiredKeys = []string{"start_title", "start_button", "choose_language", "next", "back", "skip", "submit",
	"yes", "no", "contact_question", "contact_yes", "contact_no", "name", "phone", "email", "message",
	"consent", "send", "thanks_title", "thanks_body", "info_rights", "info_concern", "info_billing",
	"info_language", "close", "face_1", "face_2", "face_3", "face_4", "face_5", "nps_low", "nps_high",
	"pending", "contact_need", "question_of", "required", "optional", "start_over", "idle_warning"}

// LoadCatalog reads and checks the embedded language files.
func LoadCatalog() (*Catalog, error) {
	names, err := fs.Glob(i18nFiles, "i18n/*.json")
	if err != nil {
		return nil, err
	}
	c := &Catalog{byCode: map[string]Language{}}
	for _, n := range names {
		b, err := i18nFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var l Language
		if err := json.Unmarshal(b, &l); err != nil {
			return nil, fmt.Errorf("kiosk language %s: %w", n, err)
		}
		for _, k := range requiredKeys {
			if l.Strings[k] == "" {
				return nil, fmt.Errorf("kiosk language %s: missing string %q", n, k)
			}
		}
		if l.Dir != "rtl" {
			l.Dir = "ltr"
		}
		c.Languages = append(c.Languages, l)
		c.byCode[l.Code] = l
	}
	sort.SliceStable(c.Languages, func(i, j int) bool {
		return c.Languages[i].Code == "en" || (c.Languages[j].Code != "en" && c.Languages[i].Code < c.Languages[j].Code)
	})
	if _, ok := c.byCode["en"]; !ok {
		return nil, fmt.Errorf("kiosk languages: en.json is required")
	}
	return c, nil
}

// For returns the languages among codes, in catalog order.
func (c *Catalog) For(codes []string) []Language {
	want := map[string]bool{}
	for _, code := range codes {
		want[code] = true
	}
	var out []Language
	for _, l := range c.Languages {
		if want[l.Code] {
			out = append(out, l)
		}
	}
	return out
}
