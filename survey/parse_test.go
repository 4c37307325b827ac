package survey

import "testing"

// testVocabulary holds a few languages' reply words, as a catalog would give
// them (the real catalog's words are tested in package translations).
func testVocabulary(t testing.TB) Vocabulary {
	t.Helper()
	v, err := NewVocabulary(Words{
		Numbers: map[string]int{"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10,
			"cuatro": 4, "diez": 10, "خمسة": 5, "一": 1, "四": 4, "五": 5, "十": 10, "bốn": 4, "không": 0},
		Units: []string{"分", "星"},
		Yes:   []string{"yes", "y", "sí", "نعم", "是", "不错", "满意", "có"},
		No:    []string{"no", "n", "لا", "不", "不满意", "không"},
		Skip:  []string{"skip", "no comment", "跳过", "bỏ qua"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseReply(t *testing.T) {
	v := testVocabulary(t)
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
		{rating, "zh", "四", "4"}, {rating, "zh", "四分", "4"}, {rating, "zh", "4分", "4"}, {rating, "zh", "五星", "5"},
		{rating, "zh", "４", "4"}, {rating, "zh", "一般", ""}, {rating, "zh", "我觉得一般", ""}, {rating, "vi", "bốn", "4"},
		{rating, "vi", "bo\u0302\u0301n", "4"}, // decomposed accents, as some keyboards send them
		{nps, "en", "10", "10"}, {nps, "en", "0", "0"}, {nps, "es", "diez", "10"}, {nps, "en", "11", ""}, {nps, "zh", "十分", "10"},
		{nps, "vi", "không", "0"},
		{yn, "en", "Y", "true"}, {yn, "en", "yes", "true"}, {yn, "es", "Sí", "true"}, {yn, "es", "si", "true"},
		{yn, "en", "N", "false"}, {yn, "en", "no", "false"}, {yn, "ar", "نعم", "true"}, {yn, "ar", "لا", "false"},
		{yn, "en", "maybe", ""}, {yn, "en", "no thanks", "false"}, {yn, "en", "nice", ""},
		{yn, "zh", "是", "true"}, {yn, "zh", "是的", "true"}, {yn, "zh", "不是", "false"}, {yn, "zh", "不满意", "false"},
		{yn, "zh", "满意", "true"}, {yn, "zh", "不错", "true"}, {yn, "zh", "不", "false"},
		{yn, "vi", "có", "true"}, {yn, "vi", "Có ạ", "true"}, {yn, "vi", "không", "false"}, {yn, "vi", "khong", "false"},
		{yn, "en", "yes it was very clean", ""},
		{choice, "en", "2", "billing"}, {choice, "en", "Wait", "wait_time"}, {choice, "en", "billing", "billing"}, {choice, "en", "3", ""},
		{choice, "zh", "二", ""}, {choice, "zh", "一", "wait_time"},
		{text, "en", "  The food was cold  ", "The food was cold"},
	}
	for _, c := range cases {
		a, ok := v.ParseReply(c.q, c.lang, c.in)
		got := ""
		if ok {
			got = a.Key()
		}
		if got != c.want {
			t.Errorf("%s %q (%s): got %q, want %q", c.q.Kind, c.in, c.lang, got, c.want)
		}
	}
}

func TestIsSkip(t *testing.T) {
	v := testVocabulary(t)
	for in, want := range map[string]bool{"skip": true, "SKIP!": true, "No comment.": true, "跳过": true, "bỏ qua": true,
		"skip it": false, "no": false, "": false} {
		if got := v.IsSkip(in); got != want {
			t.Errorf("IsSkip(%q) = %v", in, got)
		}
	}
}

func TestVocabularyRefusesAmbiguity(t *testing.T) {
	for name, w := range map[string]Words{
		"two values":       {Numbers: map[string]int{"four": 4, "FOUR": 5}},
		"phrase as number": {Numbers: map[string]int{"twenty one": 21}},
		"yes and no":       {Yes: []string{"ok"}, No: []string{"OK!"}},
		"no and skip":      {No: []string{"none"}, Skip: []string{"none"}},
		"empty":            {Yes: []string{"?!"}},
	} {
		if _, err := NewVocabulary(w); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	v := testVocabulary(t)
	for in, want := range map[string]string{"yes": "yes", "不": "no", "skip": "skip", "four": "number", "parar": "", "no mas": ""} {
		if got := v.Means(in); got != want {
			t.Errorf("Means(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParseReply(f *testing.F) {
	for _, s := range []string{"4", "four", "cuatro", "٤", "sí", "N", "2", "billing", "STOP", "", "  ", "\x00", "١٠", "四分", "不满意", "bốn"} {
		f.Add(s)
	}
	d := testDef()
	v := testVocabulary(f)
	f.Fuzz(func(t *testing.T, s string) {
		for _, q := range d.Questions {
			a, ok := v.ParseReply(q, "en", s)
			if !ok {
				continue
			}
			raw, _ := jsonValue(a)
			if _, err := d.Validate([]RawAnswer{{Question: "overall", Value: []byte("3")}, {Question: q.Key, Value: raw}}); err != nil && q.Key != "overall" && q.Key != "topic" {
				t.Fatalf("parsed answer %q to %s does not validate: %v", s, q.Key, err)
			}
		}
		_ = v.IsSkip(s)
	})
}
