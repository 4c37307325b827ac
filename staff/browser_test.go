package staff_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/browsertest"
	"github.com/patientvoice/patientvoice/models"
)

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	browsertest.Do(t, ctx, steps...)
}

func text(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	return browsertest.Eval[string](t, ctx, js)
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	browsertest.Screenshot(t, ctx, name, true)
}

func TestBrowserCaseLifecycle(t *testing.T) {
	ctx := browsertest.New(t, 1366, 900)
	a, base := liveSite(t)
	acc := a.NewAccount("ana@h.org", models.RoleAgent)
	kioskTok, _ := a.Kiosk("ED")

	run(t, ctx, chromedp.Navigate(base+"/staff/"))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("email")))
	if !strings.Contains(text(t, ctx, `location.href`), "/staff/login?next=") {
		t.Fatal("not sent to the login page")
	}
	run(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "ana@h.org"), chromedp.SendKeys(chromedp.ID("password"), acc.Password),
		chromedp.Submit(chromedp.ID("password")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("code")))
	run(t, ctx, chromedp.SendKeys(chromedp.ID("code"), a.Code(acc.TOTPSecret, acc.Email)), chromedp.Submit(chromedp.ID("code")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-region")))
	if got := text(t, ctx, `document.querySelectorAll('tr[data-case]').length + ''`); got != "0" {
		t.Fatalf("queue not empty: %s", got)
	}
	// a patient asks to be contacted at the kiosk; the case appears without a reload
	marker := text(t, ctx, `(window.__marker = Math.random()) + ''`)
	body := fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[{"question":"overall","value":1}],
		"contact":{"name":"Omar Haddad","phone":"312-555-0177","message":"Nobody told me when my test results come"}}`, uuid.NewString())
	if r := a.Call("POST", "/api/kiosk/responses", kioskTok, body); r.Status != 201 {
		t.Fatalf("kiosk submit %d %s", r.Status, r.Body)
	}
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS(`tr[data-case="1"]`)))
	if text(t, ctx, `window.__marker + ''`) != marker {
		t.Fatal("the page reloaded instead of updating live")
	}
	screenshot(t, ctx, "staff-queue")
	run(t, ctx, chromedp.Click(chromedp.CSS(`tr[data-case="1"] a`)))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("status-acknowledged")))
	if strings.Contains(text(t, ctx, `document.body.innerText`), "Omar Haddad") {
		t.Fatal("identity visible before reveal")
	}
	run(t, ctx, chromedp.Click(chromedp.ID("status-acknowledged")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("status-in_progress")))
	run(t, ctx, chromedp.Click(chromedp.ID("reveal")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("identity")))
	if !strings.Contains(text(t, ctx, `document.getElementById('identity').innerText`), "Omar Haddad") {
		t.Fatal("identity not revealed")
	}
	screenshot(t, ctx, "staff-case")
	run(t, ctx, chromedp.Click(chromedp.ID("status-resolved")))
	waitTrue(t, ctx, `!!document.querySelector('h1 .status') && document.querySelector('h1 .status').textContent === 'Resolved'`)
	run(t, ctx, chromedp.Click(chromedp.ID("letter-link")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("steps")))
	run(t, ctx, chromedp.SendKeys(chromedp.ID("steps"), "Reviewed the lab workflow with the clinic manager."),
		chromedp.SendKeys(chromedp.ID("results"), "Results are now sent by text within 48 hours."),
		chromedp.Click(chromedp.ID("make-letter")))
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS(`main.letter`)))
	letter := text(t, ctx, `document.querySelector('main.letter').innerText`)
	for _, want := range []string{"Omar Haddad", "Reviewed the lab workflow", "Results are now sent", "ana"} {
		if !strings.Contains(letter, want) {
			t.Fatalf("letter lacks %q:\n%s", want, letter)
		}
	}
	pdf, err := chromedp.Run(ctx, printPDF)
	if err != nil || len(pdf) < 1000 {
		t.Fatalf("print letter: %v (%d bytes)", err, len(pdf))
	}
	c, _ := a.Store.CaseByID(context.Background(), 1)
	if c.Status != "resolved" {
		t.Fatalf("case %s", c.Status)
	}
	evs, _ := a.Store.CaseEvents(context.Background(), 1)
	var kinds []string
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "created,acknowledged,identity_revealed,status_changed,letter_generated" {
		t.Fatalf("timeline %s", got)
	}
}

func TestBrowserStaffAccessibility(t *testing.T) {
	axe := browsertest.AxeSource(t)
	ctx := browsertest.New(t, 1366, 900)
	a, base := liveSite(t)
	pw, secret := a.User("root@h.org", models.RoleAdmin)
	kioskTok, _ := a.Kiosk("ED")
	a.Call("POST", "/api/kiosk/responses", kioskTok, fmt.Sprintf(`{"id":%q,"survey":"kiosk","answers":[{"question":"overall","value":2},{"question":"comment","value":"rude"}],"contact":{"email":"p@example.org"}}`, uuid.NewString()))
	check := func(name string) {
		t.Helper()
		vs, err := browsertest.Axe(ctx, axe)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("%s: %s", name, v)
		}
	}
	run(t, ctx, chromedp.Navigate(base+"/staff/login"))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("email")))
	check("login")
	run(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "root@h.org"), chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.Submit(chromedp.ID("password")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("code")))
	check("second factor")
	code, _ := totpCode(secret, a.Clock.Now())
	run(t, ctx, chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-region")))
	for _, p := range []string{"/staff/", "/staff/cases/1", "/staff/cases/new", "/staff/kiosks", "/staff/admin/users", "/staff/admin/audit", "/staff/admin/info", "/staff/admin/rules", "/staff/admin/surveys", "/staff/admin/surveys/kiosk", "/staff/outbox", "/staff/simulator", "/staff/invitations", "/staff/import", "/staff/cases/1/letter", "/staff/reports"} {
		run(t, ctx, chromedp.Navigate(base+p))
		run(t, ctx, chromedp.WaitVisible(chromedp.ID("main")))
		check(p)
		if p == "/staff/cases/1" {
			run(t, ctx, chromedp.Click(chromedp.ID("reveal")))
			run(t, ctx, chromedp.WaitVisible(chromedp.ID("identity")))
			check("case with identity")
		}
	}
}

// waitTrue evaluates js until it is true, across page navigations.
func waitTrue(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("never true: %s", js)
}
