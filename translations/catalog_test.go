package translations

import (
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/patientvoice/patientvoice/survey"
)

func mustLoad(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLanguages(t *testing.T) {
	c := mustLoad(t)
	if got := strings.Join(c.Codes(), ","); got != "en,ar,es,vi,zh" {
		t.Fatalf("codes %s", got)
	}
	if !c.Get("ar").RTL() || c.Get("zh").RTL() {
		t.Fatal("direction")
	}
}

// TestEveryLanguageHasEveryKey holds every file to en.json: the same
// string and plural keys, no missing and no extra, every placeholder of
// the English text in the translation, the plural forms its rule needs.
func TestEveryLanguageHasEveryKey(t *testing.T) {
	c := mustLoad(t)
	en := c.Base()
	for _, l := range c.Languages() {
		for k, v := range en.Strings {
			tr, ok := l.Strings[k]
			if !ok {
				t.Errorf("%s: missing %s", l.Code, k)
				continue
			}
			if a, b := strings.Join(Placeholders(v), ","), strings.Join(Placeholders(tr), ","); a != b {
				t.Errorf("%s %s: placeholders {%s}, en has {%s}", l.Code, k, b, a)
			}
		}
		for k := range l.Strings {
			if _, ok := en.Strings[k]; !ok {
				t.Errorf("%s: %s is not in en.json", l.Code, k)
			}
		}
		for k, forms := range en.Plurals {
			tr, ok := l.Plurals[k]
			if !ok {
				t.Errorf("%s: missing plural %s", l.Code, k)
				continue
			}
			want := pluralRules[l.Plural].forms
			if len(tr) != len(want) {
				t.Errorf("%s %s: forms %v, the %s rule needs %v", l.Code, k, keysOf(tr), l.Plural, want)
			}
			for _, cat := range want {
				got := without(Placeholders(tr[cat]), "n")
				if strings.Join(got, ",") != strings.Join(without(Placeholders(forms["other"]), "n"), ",") {
					t.Errorf("%s %s (%s): placeholders %v", l.Code, k, cat, got)
				}
			}
		}
		for k := range l.Plurals {
			if _, ok := en.Plurals[k]; !ok {
				t.Errorf("%s: plural %s is not in en.json", l.Code, k)
			}
		}
		if len(l.Dates.Months) != 12 {
			t.Errorf("%s: %d month names", l.Code, len(l.Dates.Months))
		}
		seen := map[int]bool{}
		for _, n := range l.Replies.Numbers {
			seen[n] = true
		}
		for n := 0; n <= 10; n++ {
			if !seen[n] {
				t.Errorf("%s: no number word for %d", l.Code, n)
			}
		}
		if len(l.Replies.Yes) == 0 || len(l.Replies.No) == 0 || len(l.Replies.Skip) == 0 {
			t.Errorf("%s: yes, no and skip words are required", l.Code)
		}
		if len(l.Keywords.OptOut) == 0 {
			t.Errorf("%s: no opt-out word", l.Code)
		}
	}
}

// TestLoadRefuses proves the start-up check catches each kind of broken
// file, on copies of the real ones.
func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		name, file, from, to, want string
	}{
		{"missing key", "languages/es.json", `"kiosk.next": "Siguiente",`, ``, "missing kiosk.next"},
		{"extra key", "languages/es.json", `"kiosk.next": "Siguiente",`, `"kiosk.next": "Siguiente", "kiosk.nxet": "x",`, "unexpected kiosk.nxet"},
		{"lost placeholder", "languages/vi.json", `"sms.thanks": "{org}: cảm ơn`, `"sms.thanks": "cảm ơn`, `"sms.thanks": placeholders`},
		{"unknown placeholder", "languages/zh.json", `"letter.dear": "尊敬的{name}：",`, `"letter.dear": "尊敬的{nmae}：",`, `"letter.dear": placeholders`},
		{"missing plural form", "languages/ar.json", `"two": "إجابتان بانتظار الإرسال",`, ``, "arabic rule needs forms"},
		{"bad direction", "languages/ar.json", `"dir": "rtl"`, `"dir": "right"`, "dir"},
		{"unknown plural rule", "languages/vi.json", `"plural": "other"`, `"plural": "vietnamese"`, "plural"},
		{"word means two numbers", "languages/vi.json", `"hai": 2`, `"hai": 2, "cinco": 6`, "cinco"},
		{"yes and no at once", "languages/zh.json", `"no": ["不",`, `"no": ["不", "对",`, "both yes and no"},
		{"keyword is an answer", "languages/es.json", `"opt_out": ["parar",`, `"opt_out": ["parar", "no",`, "also a no answer"},
		{"file name and code differ", "languages/vi.json", `"code": "vi"`, `"code": "vn"`, "does not match"},
		{"tagline missing", "taglines.json", `"order": ["es", "zh", "vi", "tl",`, `"order": ["es", "zh", "vi",`, "missing from order"},
		{"tagline twice", "taglines.json", `"order": ["es",`, `"order": ["es", "es",`, "twice"},
		{"unknown field", "languages/en.json", `"plural": "one",`, `"plural": "one", "plurl": "one",`, "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := fstest.MapFS{}
			err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(files, p)
				m[p] = &fstest.MapFile{Data: b}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			s := string(m[tc.file].Data)
			if !strings.Contains(s, tc.from) {
				t.Fatalf("fixture: %q not in %s", tc.from, tc.file)
			}
			m[tc.file].Data = []byte(strings.Replace(s, tc.from, tc.to, 1))
			_, err = load(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := mustLoad(t)
	for tag, want := range map[string]string{
		"es": "es", "es-MX": "es", "ES_us": "es", "spa": "es", "zh": "zh", "zh-Hans": "zh", "zh-CN": "zh",
		"zh-Hans-CN": "zh", "zh_TW": "zh", "zh-Hant": "zh", "chi": "zh", "vi": "vi", "vi-VN": "vi", "vie": "vi",
		"ar": "ar", "ar-EG": "ar", "en-US": "en", "fr": "", "": "", "e": "", "-": "",
	} {
		if got := c.Code(tag); got != want {
			t.Errorf("Code(%q) = %q, want %q", tag, got, want)
		}
	}
	if got := c.Get("fr").Code; got != "en" {
		t.Errorf("Get(fr) = %s, want the base language", got)
	}
	for h, want := range map[string]string{
		"vi-VN,vi;q=0.9,en-US;q=0.8": "vi", "fr-FR,fr;q=0.9,es;q=0.5": "es", "en;q=0.3,zh-CN;q=0.9": "zh",
		"": "en", "de": "en", "ar;q=0": "en", "es;q=abc,ar;q=0.2": "ar",
	} {
		if got := c.Negotiate(h).Code; got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", h, got, want)
		}
	}
}

func TestDates(t *testing.T) {
	c := mustLoad(t)
	d := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	for code, want := range map[string]string{
		"en": "December 1, 2026", "es": "1 de diciembre de 2026", "ar": "١ ديسمبر ٢٠٢٦",
		"zh": "2026年12月1日", "vi": "ngày 1 tháng 12 năm 2026",
	} {
		if got := c.Get(code).Date(d); got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
	if got := c.Get("es").Date(time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)); got != "15 de marzo de 2027" {
		t.Errorf("es March: %q", got)
	}
}

// TestPluralRules checks each family against examples from the CLDR
// plural rules chart.
func TestPluralRules(t *testing.T) {
	for family, examples := range map[string]map[string][]int{
		"other":       {"other": {0, 1, 2, 5, 100}},
		"one":         {"one": {1}, "other": {0, 2, 11, 21, 100}},
		"zero_one":    {"one": {0, 1}, "other": {2, 11, 100}},
		"filipino":    {"one": {0, 1, 2, 3, 5, 7, 8, 10, 11}, "other": {4, 6, 9, 14, 16, 19}},
		"east_slavic": {"one": {1, 21, 101}, "few": {2, 3, 4, 22, 34}, "many": {0, 5, 11, 12, 14, 19, 100, 111}},
		"polish":      {"one": {1}, "few": {2, 3, 4, 22, 104}, "many": {0, 5, 11, 12, 21, 112}},
		"arabic":      {"zero": {0}, "one": {1}, "two": {2}, "few": {3, 10, 103, 110}, "many": {11, 26, 99, 111}, "other": {100, 101, 102, 200}},
	} {
		for want, ns := range examples {
			for _, n := range ns {
				if got := pluralRules[family].pick(n); got != want {
					t.Errorf("%s(%d) = %s, want %s", family, n, got, want)
				}
			}
		}
	}
	c := mustLoad(t)
	ar := c.Get("ar")
	for n, want := range map[int]string{1: "(سؤال واحد)", 2: "(سؤالان)", 4: "(4 أسئلة)", 12: "(12 سؤالاً)"} {
		if got := ar.N("sms.intro", n, "org", "X"); !strings.Contains(got, want) || !strings.HasPrefix(got, "X:") {
			t.Errorf("ar sms.intro %d: %s", n, got)
		}
	}
	if got := c.Get("en").N("sms.intro", 1, "org", "X"); !strings.Contains(got, "(1 question)") {
		t.Errorf("en one: %s", got)
	}
	if got := c.Get("es").N("email.body", 4, "org", "Y"); !strings.Contains(got, "4 preguntas breves") || !strings.Contains(got, "en Y.") {
		t.Errorf("es other: %s", got)
	}
}

func TestFill(t *testing.T) {
	c := mustLoad(t)
	if got := c.Get("es").T("letter.contact_phone", "name", "Ana", "phone", "555"); got != "Si tiene preguntas sobre esta carta, comuníquese con Ana (555)." {
		t.Fatal(got)
	}
	if got := c.Get("vi").T("no.such.key"); got != "[no.such.key]" {
		t.Fatal(got)
	}
}

func TestBidi(t *testing.T) {
	c := mustLoad(t)
	if got := c.Get("ar").Bidi("(312) 555-0100"); got != "\u2068(312) 555-0100\u2069" {
		t.Fatalf("ar: %q", got)
	}
	if got := c.Get("es").Bidi("(312) 555-0100"); got != "(312) 555-0100" {
		t.Fatalf("es: %q", got)
	}
	for _, x := range c.Taglines() {
		n := x.Notice("1-800-555-0100")
		if isolated := strings.Contains(n, "\u20681-800-555-0100\u2069"); isolated != (x.Dir == "rtl") {
			t.Errorf("%s: %q", x.Code, n)
		}
	}
}

func TestNoticeHTML(t *testing.T) {
	for _, x := range mustLoad(t).Taglines() {
		h := string(x.NoticeHTML("1-800-555-0100 <x>"))
		if strings.Count(h, `<bdi class="tel" dir="ltr">1-800-555-0100 &lt;x&gt;</bdi>`) != 1 || strings.Contains(h, "\u2068") || strings.Contains(h, "\x00") {
			t.Errorf("%s: %s", x.Code, h)
		}
		if h := string(x.NoticeHTML("")); !strings.HasSuffix(h, template.HTMLEscapeString(x.Ask)) {
			t.Errorf("%s: %s", x.Code, h)
		}
	}
}

func TestTaglines(t *testing.T) {
	c := mustLoad(t)
	tl := c.Taglines()
	var codes []string
	for _, x := range tl {
		codes = append(codes, x.Code)
	}
	if got := strings.Join(codes, ","); got != strings.Join(Required, ",") {
		t.Fatalf("taglines %s", got)
	}
	for _, x := range tl {
		if strings.Contains(x.Text, "[") || strings.Contains(x.Text, "xxx") {
			t.Errorf("%s: placeholder text %q", x.Code, x.Text)
		}
		if n := x.Notice("1-800-555-0100"); !strings.Contains(n, "1-800-555-0100") || !strings.HasPrefix(n, x.Text) {
			t.Errorf("%s: %s", x.Code, n)
		}
		if n := x.Notice(""); !strings.HasSuffix(n, x.Ask) {
			t.Errorf("%s: %s", x.Code, n)
		}
	}
	if tl[0].Text != "ATENCIÓN: si habla español, tiene a su disposición servicios gratuitos de asistencia lingüística." || tl[4].Dir != "rtl" {
		t.Fatalf("%+v", tl[:5])
	}
}

func TestKeywords(t *testing.T) {
	k := mustLoad(t).Keywords()
	for w, kind := range map[string]string{
		"no mas": OptOut, "opt out": OptOut, "parar": OptOut, "توقف": OptOut, "退订": OptOut, "td": OptOut, "dừng": OptOut, "huy dang ky": OptOut,
		"comenzar": OptIn, "开始": OptIn, "bắt đầu": OptIn, "ayuda": Help, "帮助": Help, "trợ giúp": Help,
	} {
		if got := k[strings.TrimSpace(survey.Normalize(w))].Kind; got != kind {
			t.Errorf("%q: %q, want %q", w, got, kind)
		}
	}
	for _, w := range []string{"dung", "không", "no", "si", "是", "stop"} {
		if _, ok := k[strings.TrimSpace(survey.Normalize(w))]; ok {
			t.Errorf("%q must not be a catalog keyword", w)
		}
	}
	if got := k["dừng"].Lang; got != "vi" {
		t.Errorf("dừng is %s", got)
	}
}

// TestKeysUsedExist finds every catalog key the code and templates name
// (T("..."), N("..."), {{.L.T "..."}}, the kiosk's data-t and t('...'))
// and checks en.json has it, so a typo fails here, not on a patient's
// screen.
func TestKeysUsedExist(t *testing.T) {
	en := mustLoad(t).Base()
	goKey := regexp.MustCompile(`[.\s(](T|N)[(\s]"([a-z_]+\.[a-z0-9_]*[a-z0-9])"`)
	kioskKey := regexp.MustCompile(`data-t="([a-z0-9_]+)"|[^a-z]tn?\('([a-z0-9_]+)'`)
	found := 0
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		ext := filepath.Ext(p)
		if ext != ".go" && ext != ".html" && ext != ".js" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			found++
			_, s := en.Strings[m[2]]
			_, pl := en.Plurals[m[2]]
			if (m[1] == "T" && !s) || (m[1] == "N" && !pl) {
				t.Errorf("%s: %s(%q) is not in en.json", p, m[1], m[2])
			}
		}
		if strings.HasSuffix(p, "kiosk.html") || strings.HasSuffix(p, "kiosk.js") {
			for _, m := range kioskKey.FindAllStringSubmatch(string(b), -1) {
				k := "kiosk." + m[1] + m[2]
				found++
				_, s := en.Strings[k]
				_, pl := en.Plurals[k]
				if !s && !pl {
					t.Errorf("%s: %s is not in en.json", p, k)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 20 {
		t.Fatalf("found only %d key uses: the pattern is broken", found)
	}
}

// TestReplies runs every language's own words through the merged
// vocabulary: each number word is its number, each yes is yes, each no
// is no, each skip skips, so no language's word is shadowed by another's.
func TestReplies(t *testing.T) {
	c := mustLoad(t)
	v := c.Replies()
	nps := survey.Question{Key: "nps", Kind: survey.NPS}
	yn := survey.Question{Key: "clean", Kind: survey.YesNo}
	for _, l := range c.Languages() {
		for w, n := range l.Replies.Numbers {
			if a, ok := v.ParseReply(nps, l.Code, w); !ok || *a.Int != n {
				t.Errorf("%s %q: not %d", l.Code, w, n)
			}
		}
		for _, w := range l.Replies.Yes {
			if a, ok := v.ParseReply(yn, l.Code, w); !ok || !*a.Bool {
				t.Errorf("%s %q: not yes", l.Code, w)
			}
		}
		for _, w := range l.Replies.No {
			if a, ok := v.ParseReply(yn, l.Code, w); !ok || *a.Bool {
				t.Errorf("%s %q: not no", l.Code, w)
			}
		}
		for _, w := range l.Replies.Skip {
			if !v.IsSkip(w) {
				t.Errorf("%s %q: not a skip", l.Code, w)
			}
		}
	}
	// what the SMS hints tell patients to type must work
	for in, want := range map[string]string{"CÓ": "true", "KHÔNG": "false", "“是”": "true", "否": "false", "SÍ": "true", "نعم": "true"} {
		if a, ok := v.ParseReply(yn, "", in); !ok || a.Key() != want {
			t.Errorf("%q: %v %v", in, ok, a.Key())
		}
	}
	for _, in := range []string{"OMITIR", "跳过", "BỎ QUA", "تخطي", "SKIP"} {
		if !v.IsSkip(in) {
			t.Errorf("%q is what the SMS hint says to send, but is not a skip", in)
		}
	}
}
