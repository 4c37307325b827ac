package survey

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func testDef() Definition {
	en := func(s string) map[string]string { return map[string]string{"en": s} }
	return Definition{Key: "kiosk", Name: "K", Languages: []string{"en", "es"}, Questions: []Question{
		{Key: "overall", Kind: Rating5, Required: true, Prompt: en("How?")},
		{Key: "nps", Kind: NPS, Prompt: en("Recommend?")},
		{Key: "clean", Kind: YesNo, Prompt: en("Clean?")},
		{Key: "topic", Kind: Choice, Prompt: en("About?"), Options: []Option{{"wait_time", en("Wait")}, {"billing", en("Bill")}},
			ShowIf: &Condition{Question: "overall", Values: []string{"1", "2"}}},
		{Key: "comment", Kind: Text, Prompt: en("Comment")},
	}}
}

func raw(pairs ...string) []RawAnswer {
	var out []RawAnswer
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, RawAnswer{Question: pairs[i], Value: json.RawMessage(pairs[i+1])})
	}
	return out
}

func TestValidate(t *testing.T) {
	long := `"` + strings.Repeat("é", MaxTextLen+1) + `"`
	cases := []struct {
		name  string
		in    []RawAnswer
		field string // "" = valid
	}{
		{"minimal", raw("overall", "4"), ""},
		{"all", raw("overall", "2", "nps", "0", "clean", "true", "topic", `"billing"`, "comment", `"ok"`), ""},
		{"blank optional text dropped", raw("overall", "5", "comment", `"   "`), ""},
		{"null optional", raw("overall", "5", "nps", "null"), ""},
		{"missing required", raw("nps", "7"), "answers"},
		{"unknown question", raw("overall", "3", "color", `"red"`), "answers[1].question"},
		{"twice", raw("overall", "3", "overall", "4"), "answers[1].question"},
		{"rating high", raw("overall", "6"), "answers[0].value"},
		{"rating low", raw("overall", "0"), "answers[0].value"},
		{"rating fraction", raw("overall", "3.5"), "answers[0].value"},
		{"rating string", raw("overall", `"4"`), "answers[0].value"},
		{"nps 11", raw("overall", "3", "nps", "11"), "answers[1].value"},
		{"yesno as string", raw("overall", "3", "clean", `"yes"`), "answers[1].value"},
		{"choice unknown", raw("overall", "1", "topic", `"food"`), "answers[1].value"},
		{"choice hidden by branching", raw("overall", "5", "topic", `"billing"`), "answers"},
		{"text too long", raw("overall", "3", "comment", long), "answers[1].value"},
		{"text not string", raw("overall", "3", "comment", "42"), "answers[1].value"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := testDef().Validate(c.in)
			var fe *FieldError
			switch {
			case c.field == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case c.field != "" && (!errors.As(err, &fe) || fe.Field != c.field):
				t.Fatalf("got %v, want field %s", err, c.field)
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	rules := Rules{LowRating: 2, LowNPS: 6,
		Concerns: []Keyword{{"rude", "staff_attitude"}, {"wait", "wait_time"}},
		Safety:   []Keyword{{"wrong medication", "safety"}, {"abuso", "safety"}}}
	cases := []struct {
		name     string
		in       []RawAnswer
		flagged  bool
		urgent   bool
		category string
		reasons  string
	}{
		{"happy", raw("overall", "5", "nps", "10", "comment", `"lovely"`), false, false, "other", ""},
		{"low rating", raw("overall", "2"), true, false, "other", "low_score:overall"},
		{"rating 3 not flagged", raw("overall", "3"), false, false, "other", ""},
		{"detractor", raw("overall", "4", "nps", "6"), true, false, "other", "low_nps:nps"},
		{"passive", raw("overall", "4", "nps", "7"), false, false, "other", ""},
		{"keyword sets category", raw("overall", "4", "comment", `"The nurse was RUDE."`), true, false, "staff_attitude", "keyword:rude"},
		{"word boundary", raw("overall", "4", "comment", `"crude jokes"`), false, false, "other", ""},
		{"safety phrase", raw("overall", "4", "comment", `"I got the Wrong  medication!"`), true, true, "safety", "safety:wrong_medication"},
		{"accent folded", raw("overall", "4", "comment", `"hubo ABUSO"`), true, true, "safety", "safety:abuso"},
		{"choice category", raw("overall", "1", "topic", `"billing"`, "comment", `"long wait"`), true, false, "billing", "low_score:overall,keyword:wait"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			answers, err := testDef().Validate(c.in)
			if err != nil {
				t.Fatal(err)
			}
			o := rules.Evaluate(answers)
			if o.Flagged != c.flagged || o.Urgent != c.urgent || o.Category != c.category || strings.Join(o.Reasons, ",") != c.reasons {
				t.Fatalf("got flagged=%v urgent=%v category=%s reasons=%v", o.Flagged, o.Urgent, o.Category, o.Reasons)
			}
		})
	}
}

func TestAnswerHashOrderFree(t *testing.T) {
	a, _ := testDef().Validate(raw("overall", "2", "clean", "false"))
	b, _ := testDef().Validate(raw("clean", "false", "overall", "2"))
	c, _ := testDef().Validate(raw("clean", "true", "overall", "2"))
	if AnswerHash(a) != AnswerHash(b) || AnswerHash(a) == AnswerHash(c) {
		t.Fatal("answer hash must ignore order and see values")
	}
}

func TestCheckDefinition(t *testing.T) {
	if err := testDef().Check(); err != nil {
		t.Fatal(err)
	}
	bad := testDef()
	bad.Questions[3].ShowIf = &Condition{Question: "comment", Values: []string{"x"}}
	if err := bad.Check(); err == nil {
		t.Fatal("show_if on a later question accepted")
	}
	bad = testDef()
	bad.Questions[1].Key = "overall"
	if err := bad.Check(); err == nil {
		t.Fatal("duplicate key accepted")
	}
}

func TestReview(t *testing.T) {
	long := `"` + strings.Repeat("é", MaxTextLen+1) + `"`
	cases := []struct {
		name string
		in   []RawAnswer
		want string // question:kind, ...
	}{
		{"valid", raw("overall", "4"), ""},
		{"nothing", nil, "overall:required"},
		{"every problem at once", raw("overall", "9", "nps", "11", "clean", `"perhaps"`, "comment", long), "overall:number,nps:number,clean:yesno,comment:text"},
		{"hidden question ignored", raw("overall", "5", "topic", `"food"`), ""},
		{"shown choice checked", raw("overall", "1", "topic", `"food"`), "topic:choice"},
		{"bad rating hides nothing it would show", raw("overall", `"x"`, "topic", `"food"`), "overall:number"},
		{"unknown and twice", raw("overall", "3", "color", `"red"`, "overall", "4"), "color:unknown,overall:unknown"},
	}
	for _, c := range cases {
		var got []string
		for _, is := range testDef().Review(c.in) {
			got = append(got, is.Question+":"+string(is.Kind))
		}
		if strings.Join(got, ",") != c.want {
			t.Errorf("%s: %v, want %s", c.name, got, c.want)
		}
		if c.want == "" {
			if _, err := testDef().Validate(c.in); err != nil && c.name != "hidden question ignored" {
				t.Errorf("%s: Review found nothing but Validate says %v", c.name, err)
			}
		}
	}
	is := testDef().Review(raw("overall", "0"))
	if len(is) != 1 || is[0].Min != 1 || is[0].Max != 5 {
		t.Fatalf("%+v", is)
	}
}
