package conversations

import (
	"testing"

	"github.com/patientvoice/patientvoice/translations"
)

func testKeywords(t testing.TB) keywords {
	t.Helper()
	c, err := translations.Load()
	if err != nil {
		t.Fatal(err)
	}
	return newKeywords(c)
}

func TestKeyword(t *testing.T) {
	k := testKeywords(t)
	cases := []struct {
		in       string
		optedOut bool
		kind     string
		managed  bool
		lang     string
	}{
		{"STOP", false, kwOptOut, true, ""}, {" stop ", false, kwOptOut, true, ""}, {"Unsubscribe", false, kwOptOut, true, ""},
		{"OPT OUT", false, kwOptOut, false, "en"}, {"PARAR", false, kwOptOut, false, "es"}, {"no más", false, kwOptOut, false, "es"},
		{"توقف", false, kwOptOut, false, "ar"}, {"START", true, kwOptIn, true, ""}, {"yes", true, kwOptIn, true, ""},
		{"yes", false, kwNone, false, ""}, {"HELP", false, kwHelp, true, ""}, {"ayuda", false, kwHelp, false, "es"},
		{"stop sending the nurse", false, kwNone, false, ""}, {"4", false, kwNone, false, ""},
		{"退订", false, kwOptOut, false, "zh"}, {"TD", false, kwOptOut, false, "zh"}, {"帮助", false, kwHelp, false, "zh"},
		{"开始", true, kwOptIn, false, "zh"}, {"Dừng", false, kwOptOut, false, "vi"}, {"hủy đăng ký", false, kwOptOut, false, "vi"},
		{"bắt đầu", true, kwOptIn, false, "vi"}, {"trợ giúp", false, kwHelp, false, "vi"},
		// answers are never keywords: đúng (yes, correct) is not dừng (stop)
		{"đúng", false, kwNone, false, ""}, {"dung", false, kwNone, false, ""}, {"không", false, kwNone, false, ""},
		{"是", false, kwNone, false, ""}, {"不", false, kwNone, false, ""},
	}
	for _, c := range cases {
		kind, m, lang := k.classify(c.in, c.optedOut)
		if kind != c.kind || m != c.managed || lang != c.lang {
			t.Errorf("%q (opted out %v): %q managed=%v lang=%q", c.in, c.optedOut, kind, m, lang)
		}
	}
}

func FuzzKeyword(f *testing.F) {
	for _, s := range []string{"STOP", "no más", "توقف", "yes", "", "\xff", "退订", "dừng"} {
		f.Add(s)
	}
	k := testKeywords(f)
	f.Fuzz(func(t *testing.T, s string) {
		kind, managed, lang := k.classify(s, false)
		if managed && kind == kwNone {
			t.Fatalf("%q: managed without a kind", s)
		}
		if kind != kwNone && !managed && lang == "" {
			t.Fatalf("%q: a catalog keyword without its language", s)
		}
	})
}
