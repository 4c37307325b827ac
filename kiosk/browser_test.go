package kiosk_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/patientvoice/patientvoice/browsertest"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
)

// kioskSite serves the app on loopback; while offline is set, kiosk
// submissions get their connection dropped as a lost network would.
type kioskSite struct {
	*testapp.App
	base, token string
	offline     atomic.Bool
}

func newSite(t *testing.T) *kioskSite {
	bs := testdb.Backends(t)
	a := testapp.New(t, bs[len(bs)-1], func(c *config.Config) { c.KioskRate = 0 })
	a.Clock = nil // the browser runs on real time
	s := &kioskSite{App: a}
	s.token, _ = a.Kiosk("ED")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handler := s.proxy()
	srv := &http.Server{Handler: handler}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	s.base = "http://" + ln.Addr().String()
	return s
}

// proxy forwards to the Fiber app through its real listener.
func (s *kioskSite) proxy() http.Handler {
	inner := browsertest.Serve(s.T, s.Server.App)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.offline.Load() && strings.HasPrefix(r.URL.Path, "/api/kiosk/") {
			hj, _ := w.(http.Hijacker)
			conn, _, err := hj.Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, inner+r.URL.RequestURI(), r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			w.Write(buf[:n])
			if err != nil {
				return
			}
		}
	})
}

func (s *kioskSite) responses(t *testing.T) int64 {
	n, err := s.Store.CountResponses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, steps...)
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	return browsertest.Eval[T](t, ctx, js)
}

func waitScreen(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-screen="`+name+`"]`)))
}

func tap(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	do(t, ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

func waitQueueEmpty(t *testing.T, ctx context.Context) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if eval[int](t, ctx, `window.pvKiosk.queue().length`) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("kiosk queue did not drain")
}

func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, name, false)
}

func TestBrowserTapThroughEnglish(t *testing.T) {
	ctx := browsertest.New(t, 1280, 800)
	s := newSite(t)
	do(t, ctx, chromedp.Navigate(s.base+"/kiosk/"+s.token))
	waitScreen(t, ctx, "start")
	shot(t, ctx, "kiosk-start")
	tap(t, ctx, `.lang[data-lang="en"]`)
	waitScreen(t, ctx, "q-overall")
	shot(t, ctx, "kiosk-rating")
	tap(t, ctx, `[data-screen="q-overall"] [data-value="2"]`)
	waitScreen(t, ctx, "q-staff")
	tap(t, ctx, `[data-screen="q-staff"] [data-value="4"]`)
	waitScreen(t, ctx, "q-wait")
	tap(t, ctx, `[data-screen="q-wait"] [data-skip]`)
	waitScreen(t, ctx, "q-clean")
	tap(t, ctx, `[data-screen="q-clean"] [data-value="true"]`)
	waitScreen(t, ctx, "q-topic") // shown because overall <= 3
	shot(t, ctx, "kiosk-choice")
	tap(t, ctx, `[data-screen="q-topic"] [data-value="wait_time"]`)
	waitScreen(t, ctx, "q-comment")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("text-comment"), "Waited three hours"))
	tap(t, ctx, `[data-screen="q-comment"] button[type=submit]`)
	waitScreen(t, ctx, "contact-ask")
	tap(t, ctx, `[data-contact="no"]`)
	waitScreen(t, ctx, "thanks")
	shot(t, ctx, "kiosk-thanks")
	waitQueueEmpty(t, ctx)
	if n := s.responses(t); n != 1 {
		t.Fatalf("%d responses stored; want 1", n)
	}
	// back to the start by itself after 10 s, in English, with nothing kept
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-screen="start"]`)))
	if got := eval[int](t, ctx, `Object.keys(window.pvKiosk.state().answers).length`); got != 0 {
		t.Fatalf("answers kept after reset: %d", got)
	}
}

func TestBrowserArabicWithContact(t *testing.T) {
	ctx := browsertest.New(t, 1280, 800)
	s := newSite(t)
	do(t, ctx, chromedp.Navigate(s.base+"/kiosk/"+s.token))
	waitScreen(t, ctx, "start")
	tap(t, ctx, `.lang[data-lang="ar"]`)
	waitScreen(t, ctx, "q-overall")
	if dir := eval[string](t, ctx, `document.documentElement.dir + ' ' + document.documentElement.lang`); dir != "rtl ar" {
		t.Fatalf("document dir/lang %q", dir)
	}
	// the scale is mirrored: "very bad" (1) starts on the right
	if x1, x5 := eval[float64](t, ctx, `document.querySelector('[data-screen="q-overall"] [data-value="1"]').getBoundingClientRect().x`),
		eval[float64](t, ctx, `document.querySelector('[data-screen="q-overall"] [data-value="5"]').getBoundingClientRect().x`); x1 <= x5 {
		t.Fatalf("rating not mirrored in RTL: 1 at x=%v, 5 at x=%v", x1, x5)
	}
	if p := eval[string](t, ctx, `document.getElementById('prompt-overall').textContent`); p != "كيف كانت زيارتك اليوم؟" {
		t.Fatalf("prompt not translated: %q", p)
	}
	shot(t, ctx, "kiosk-arabic")
	tap(t, ctx, `[data-screen="q-overall"] [data-value="5"]`)
	for _, q := range []string{"staff", "wait", "clean"} {
		waitScreen(t, ctx, "q-"+q)
		tap(t, ctx, `[data-screen="q-`+q+`"] [data-skip]`)
	}
	waitScreen(t, ctx, "q-comment") // topic is skipped by branching
	tap(t, ctx, `[data-screen="q-comment"] [data-skip]`)
	waitScreen(t, ctx, "contact-ask")
	tap(t, ctx, `[data-contact="yes"]`)
	waitScreen(t, ctx, "contact")
	tap(t, ctx, `#contact-form button[type=submit]`)
	if e := eval[string](t, ctx, `document.querySelector('#contact-form [data-error]').textContent`); e == "" {
		t.Fatal("no error for a contact form without phone or email")
	}
	do(t, ctx, chromedp.SendKeys(chromedp.ID("c-name"), "Layla"), chromedp.SendKeys(chromedp.ID("c-phone"), "312 555 0199"))
	shot(t, ctx, "kiosk-contact-arabic")
	tap(t, ctx, `#contact-form button[type=submit]`)
	waitScreen(t, ctx, "thanks")
	waitQueueEmpty(t, ctx)
	tap(t, ctx, `[data-restart]`)
	waitScreen(t, ctx, "start")
	if dir := eval[string](t, ctx, `document.documentElement.dir`); dir != "ltr" {
		t.Fatalf("start screen still %s after restart", dir)
	}
	cases, err := s.Store.CaseByID(context.Background(), 1)
	if err != nil || cases.Reasons != "contact_request" {
		t.Fatalf("contact case: %+v %v", cases, err)
	}
	v, _ := s.Store.ContactByID(context.Background(), *cases.ContactID)
	if v.Phone != "+13125550199" || v.Name != "Layla" || v.Language != "ar" {
		t.Fatalf("contact %+v", v)
	}
}

func TestBrowserInactivityReset(t *testing.T) {
	ctx := browsertest.New(t, 1280, 800)
	s := newSite(t)
	k, _ := s.Store.KioskByToken(context.Background(), s.token)
	k.IdleSeconds = 10
	if err := s.Store.UpdateKiosk(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(s.base+"/kiosk/"+s.token))
	tap(t, ctx, `.lang[data-lang="es"]`)
	tap(t, ctx, `[data-screen="q-overall"] [data-value="1"]`)
	for _, q := range []string{"staff", "wait", "clean", "topic", "comment"} {
		waitScreen(t, ctx, "q-"+q)
		tap(t, ctx, `[data-screen="q-`+q+`"] [data-skip]`)
	}
	tap(t, ctx, `[data-contact="yes"]`)
	waitScreen(t, ctx, "contact")
	do(t, ctx, chromedp.SendKeys(chromedp.ID("c-name"), "Previous Patient"), chromedp.SendKeys(chromedp.ID("c-message"), "private words"))
	start := time.Now()
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`[data-screen="start"]`)))
	if waited := time.Since(start); waited < 5*time.Second {
		t.Fatalf("reset after %v; expected the 10 s idle timeout", waited)
	}
	leftovers := eval[string](t, ctx, `Array.from(document.querySelectorAll('input,textarea')).map(e => e.value).join('') +
		Object.keys(window.pvKiosk.state().answers).join('') + document.querySelectorAll('.selected').length + document.documentElement.lang`)
	if leftovers != "0en" {
		t.Fatalf("previous patient's traces remain: %q", leftovers)
	}
	if n := s.responses(t); n != 0 {
		t.Fatalf("abandoned survey was stored: %d", n)
	}
}

func TestBrowserOfflineQueue(t *testing.T) {
	ctx := browsertest.New(t, 1280, 800)
	s := newSite(t)
	do(t, ctx, chromedp.Navigate(s.base+"/kiosk/"+s.token))
	waitScreen(t, ctx, "start")
	s.offline.Store(true)
	for i := 0; i < 2; i++ {
		tap(t, ctx, `.lang[data-lang="en"]`)
		tap(t, ctx, `[data-screen="q-overall"] [data-value="4"]`)
		for _, q := range []string{"staff", "wait", "clean", "comment"} {
			waitScreen(t, ctx, "q-"+q)
			tap(t, ctx, `[data-screen="q-`+q+`"] [data-skip]`)
		}
		tap(t, ctx, `[data-contact="no"]`)
		waitScreen(t, ctx, "thanks")
		tap(t, ctx, `[data-restart]`)
		waitScreen(t, ctx, "start")
	}
	if q := eval[int](t, ctx, `window.pvKiosk.queue().length`); q != 2 {
		t.Fatalf("queue holds %d; want 2", q)
	}
	if p := eval[string](t, ctx, `document.getElementById('pending').textContent`); !strings.HasPrefix(p, "2 ") {
		t.Fatalf("pending indicator %q", p)
	}
	// the queue survives a reload while still offline
	do(t, ctx, chromedp.Reload())
	waitScreen(t, ctx, "start")
	if q := eval[int](t, ctx, `window.pvKiosk.queue().length`); q != 2 {
		t.Fatalf("queue after reload holds %d; want 2", q)
	}
	if n := s.responses(t); n != 0 {
		t.Fatalf("stored while offline: %d", n)
	}
	s.offline.Store(false)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('online'))`))
	waitQueueEmpty(t, ctx)
	if n := s.responses(t); n != 2 {
		t.Fatalf("%d responses after coming back; want exactly 2", n)
	}
}

func TestBrowserAccessibility(t *testing.T) {
	axe := browsertest.AxeSource(t)
	ctx := browsertest.New(t, 1280, 800)
	s := newSite(t)
	for _, lang := range []string{"en", "ar"} {
		do(t, ctx, chromedp.Navigate(s.base+"/kiosk/"+s.token))
		waitScreen(t, ctx, "start")
		check := func(screen string) {
			t.Helper()
			vs, err := browsertest.Axe(ctx, axe)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				t.Errorf("%s %s: %s", lang, screen, v)
			}
		}
		check("start")
		tap(t, ctx, `.info[data-info="rights"]`)
		waitScreen(t, ctx, "info")
		check("info")
		tap(t, ctx, `[data-close]`)
		tap(t, ctx, `.lang[data-lang="`+lang+`"]`)
		tap(t, ctx, `[data-screen="q-overall"] [data-value="1"]`) // show every question, topic included
		for _, q := range []string{"staff", "wait", "clean", "topic", "comment"} {
			waitScreen(t, ctx, "q-"+q)
			check("q-" + q)
			tap(t, ctx, `[data-screen="q-`+q+`"] [data-skip]`)
		}
		waitScreen(t, ctx, "contact-ask")
		check("contact-ask")
		tap(t, ctx, `[data-contact="yes"]`)
		waitScreen(t, ctx, "contact")
		check("contact")
		do(t, ctx, chromedp.SendKeys(chromedp.ID("c-email"), "a@example.org"))
		tap(t, ctx, `#contact-form button[type=submit]`)
		waitScreen(t, ctx, "thanks")
		check("thanks")
	}
}

// TestBrowserCatalogLanguages: the kiosk offers every catalog language its
// survey has, Chinese and Vietnamese included; language help lists the
// Section 1557 taglines, each in its own language and direction, with the
// hospital's number; the waiting counter takes Arabic plural forms.
func TestBrowserCatalogLanguages(t *testing.T) {
	axe := browsertest.AxeSource(t)
	ctx := browsertest.New(t, 1280, 800)
	s := newSite(t)
	if err := s.Store.SetSetting(context.Background(), models.InfoLanguagePhone, "1-800-555-0100"); err != nil {
		t.Fatal(err)
	}
	axeClean := func(where string) {
		t.Helper()
		vs, err := browsertest.Axe(ctx, axe)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("%s: %s", where, v)
		}
	}
	do(t, ctx, chromedp.Navigate(s.base+"/kiosk/"+s.token))
	waitScreen(t, ctx, "start")
	if got := eval[string](t, ctx, `Array.from(document.querySelectorAll('.lang')).map(b => b.lang + ':' + b.textContent).join(',')`); got !=
		"en:English,ar:العربية,es:Español,vi:Tiếng Việt,zh-Hans:中文（简体）" {
		t.Fatalf("language buttons %s", got)
	}
	tap(t, ctx, `.info[data-info="language"]`)
	waitScreen(t, ctx, "info")
	got := eval[string](t, ctx, `(() => { const li = Array.from(document.querySelectorAll('#taglines li'));
		return [li.length, !document.getElementById('taglines').hidden, li[0].lang + ' ' + li[0].textContent,
			li.find(l => l.lang === 'zh-Hans').textContent, li.find(l => l.lang === 'ar').dir, li.map(l => l.lang).join(' ')].join('|'); })()`)
	want := "15|true|es ATENCIÓN: si habla español, tiene a su disposición servicios gratuitos de asistencia lingüística. Llame al 1-800-555-0100.|" +
		"注意：如果您使用简体中文，您可以免费获得语言援助服务。请致电 1-800-555-0100。|rtl|es zh-Hans vi tl ar ko ru fr ht de pt it pl ja hi"
	if got != want {
		t.Fatalf("taglines\n got %s\nwant %s", got, want)
	}
	axeClean("language help")
	browsertest.Screenshot(t, ctx, "kiosk-language-help", true)
	tap(t, ctx, `[data-close]`)
	tap(t, ctx, `.info[data-info="rights"]`)
	waitScreen(t, ctx, "info")
	if eval[bool](t, ctx, `document.getElementById('taglines').hidden`) != true {
		t.Fatal("taglines shown on the rights screen")
	}
	tap(t, ctx, `[data-close]`)

	tap(t, ctx, `.lang[data-lang="zh"]`)
	waitScreen(t, ctx, "q-overall")
	if got := eval[string](t, ctx, `[document.documentElement.lang, document.getElementById('prompt-overall').textContent,
		document.querySelector('[data-screen="q-overall"] .face-1 .word').textContent,
		document.querySelector('[data-screen="q-overall"] [data-progress]').textContent,
		document.querySelector('.info-links').getAttribute('aria-label')].join('|')`); got != "zh-Hans|您今天的就诊体验如何？|非常差|第 1 题，共 5 题|信息" {
		t.Fatalf("Chinese kiosk: %s", got)
	}
	axeClean("zh question")
	tap(t, ctx, `[data-screen="q-overall"] [data-back]`)
	waitScreen(t, ctx, "start")

	// offline, two Arabic submissions wait: one, then two, in Arabic's forms
	s.offline.Store(true)
	for _, want := range []string{"إجابة واحدة بانتظار الإرسال", "إجابتان بانتظار الإرسال"} {
		tap(t, ctx, `.lang[data-lang="ar"]`)
		tap(t, ctx, `[data-screen="q-overall"] [data-value="5"]`)
		for _, q := range []string{"staff", "wait", "clean", "comment"} {
			waitScreen(t, ctx, "q-"+q)
			tap(t, ctx, `[data-screen="q-`+q+`"] [data-skip]`)
		}
		tap(t, ctx, `[data-contact="no"]`)
		waitScreen(t, ctx, "thanks")
		if p := eval[string](t, ctx, `document.getElementById('pending').textContent`); p != want {
			t.Fatalf("pending %q, want %q", p, want)
		}
		tap(t, ctx, `[data-restart]`)
		waitScreen(t, ctx, "start")
	}
	s.offline.Store(false)
	do(t, ctx, chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('online'))`))
	waitQueueEmpty(t, ctx)
	if n := s.responses(t); n != 2 {
		t.Fatalf("%d responses; want 2", n)
	}
}
