package conversations

import "testing"

func TestKeyword(t *testing.T) {
	cases := []struct {
		in       string
		optedOut bool
		kind     string
		managed  bool
	}{
		{"STOP", false, kwOptOut, true}, {" stop ", false, kwOptOut, true}, {"Unsubscribe", false, kwOptOut, true},
		{"OPT OUT", false, kwOptOut, false}, {"PARAR", false, kwOptOut, false}, {"no más", false, kwOptOut, false},
		{"توقف", false, kwOptOut, false}, {"START", true, kwOptIn, true}, {"yes", true, kwOptIn, true},
		{"yes", false, kwNone, false}, {"HELP", false, kwHelp, true}, {"ayuda", false, kwHelp, false},
		{"stop sending the nurse", false, kwNone, false}, {"4", false, kwNone, false},
	}
	for _, c := range cases {
		k, m := Keyword(c.in, c.optedOut)
		if k != c.kind || m != c.managed {
			t.Errorf("%q (opted out %v): %q managed=%v", c.in, c.optedOut, k, m)
		}
	}
}

func FuzzKeyword(f *testing.F) {
	for _, s := range []string{"STOP", "no más", "توقف", "yes", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, managed := Keyword(s, false)
		if managed && k == kwNone {
			t.Fatalf("%q: managed without a kind", s)
		}
	})
}
