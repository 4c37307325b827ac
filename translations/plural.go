package translations

import (
	"fmt"
	"sort"
	"strings"
)

// pluralRule is one CLDR plural rule family for whole numbers: the
// categories a text must have and the one a count takes. The browser's
// Intl.PluralRules applies the same CLDR rules on the kiosk.
type pluralRule struct {
	forms []string
	pick  func(n int) string
}

// pluralRules are the families a language file may name in "plural".
// A language whose family is missing here needs one entry added (from the
// CLDR plural rules chart) before its file loads.
var pluralRules = map[string]pluralRule{
	// zh, vi, ja, ko, ht: one form
	"other": {[]string{"other"}, func(int) string { return "other" }},
	// en, es, de, it: 1 is singular
	"one": {[]string{"one", "other"}, func(n int) string {
		if n == 1 {
			return "one"
		}
		return "other"
	}},
	// fr, pt, hi: 0 and 1 are singular
	"zero_one": {[]string{"one", "other"}, func(n int) string {
		if n == 0 || n == 1 {
			return "one"
		}
		return "other"
	}},
	// tl (Filipino): singular unless the last digit is 4, 6 or 9
	"filipino": {[]string{"one", "other"}, func(n int) string {
		switch abs(n) % 10 {
		case 4, 6, 9:
			return "other"
		}
		return "one"
	}},
	// ru, uk
	"east_slavic": {[]string{"one", "few", "many", "other"}, func(n int) string {
		n = abs(n)
		switch {
		case n%10 == 1 && n%100 != 11:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		}
		return "many"
	}},
	// pl
	"polish": {[]string{"one", "few", "many", "other"}, func(n int) string {
		n = abs(n)
		switch {
		case n == 1:
			return "one"
		case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return "few"
		}
		return "many"
	}},
	// ar
	"arabic": {[]string{"zero", "one", "two", "few", "many", "other"}, func(n int) string {
		n = abs(n)
		switch {
		case n == 0:
			return "zero"
		case n == 1:
			return "one"
		case n == 2:
			return "two"
		case n%100 >= 3 && n%100 <= 10:
			return "few"
		case n%100 >= 11:
			return "many"
		}
		return "other"
	}},
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func pluralFamilies() []string {
	out := make([]string, 0, len(pluralRules))
	for k := range pluralRules {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkForms holds a plural text to exactly the categories of its
// language's family.
func checkForms(family string, forms map[string]string) error {
	want := pluralRules[family].forms
	if err := sameKeys(want, keysOf(forms)); err != nil {
		return fmt.Errorf("%s rule needs forms %s: %w", family, strings.Join(want, ", "), err)
	}
	for cat, v := range forms {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("form %q: empty", cat)
		}
	}
	return nil
}
