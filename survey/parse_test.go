package survey

import "testing"

func TestParseReply(t *testing.T) {
	d := testDef()
	rating, _ := d.Question("overall")
	nps, _ := d.Question("nps")
	yn, _ := d.Question("clean")
	choice, _ := d.Question("topic")
	text, _ := d.Question("comment")
	cases := []struct {
		q    Question
		lang string
		in   string
		want string // "" = nonsense
	}{
		{rating, "en", "4", "4"}, {rating, "en", " four ", "4"}, {rating, "es", "cuatro", "4"}, {rating, "en", "4!", "4"},
		{rating, "en", "it's a 5", "5"}, {rating, "ar", "٣", "3"}, {rating, "ar", "خمسة", "5"}, {rating, "en", "6", ""},
		{rating, "en", "0", ""}, {rating, "en", "3 or 4", ""}, {rating, "en", "great", ""}, {rating, "en", "", ""},
		{nps, "en", "10", "10"}, {nps, "en", "0", "0"}, {nps, "es", "diez", "10"}, {nps, "en", "11", ""},
		{yn, "en", "Y", "true"}, {yn, "en", "yes", "true"}, {yn, "es", "Sí", "true"}, {yn, "es", "si", "true"},
		{yn, "en", "N", "false"}, {yn, "en", "no", "false"}, {yn, "ar", "نعم", "true"}, {yn, "ar", "لا", "false"},
		{yn, "en", "maybe", ""},
		{choice, "en", "2", "billing"}, {choice, "en", "Wait", "wait_time"}, {choice, "en", "billing", "billing"}, {choice, "en", "3", ""},
		{text, "en", "  The food was cold  ", "The food was cold"},
	}
	for _, c := range cases {
		a, ok := ParseReply(c.q, c.lang, c.in)
		got := ""
		if ok {
			got = a.Key()
		}
		if got != c.want {
			t.Errorf("%s %q (%s): got %q, want %q", c.q.Kind, c.in, c.lang, got, c.want)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"4", "four", "cuatro", "٤", "sí", "N", "2", "billing", "STOP", "", "  ", "\x00", "١٠"} {
		f.Add(s)
	}
	d := testDef()
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range d.Questions {
			a, ok := ParseReply(q, "en", s)
			if !ok {
				continue
			}
			raw, _ := jsonValue(a)
			if _, err := d.Validate([]RawAnswer{{Question: "overall", Value: []byte("3")}, {Question: q.Key, Value: raw}}); err != nil && q.Key != "overall" && q.Key != "topic" {
				t.Fatalf("parsed answer %q to %s does not validate: %v", s, q.Key, err)
			}
		}
	})
}
