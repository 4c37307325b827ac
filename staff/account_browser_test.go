package staff_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/patientvoice/patientvoice/browsertest"
	"github.com/patientvoice/patientvoice/models"
)

// TestBrowserSignInLifecycle: a manager whose password an admin reset
// signs in with it and TOTP, is made to choose a new one, signs in again
// with a recovery code, which then fails the second time. The new pages
// (change password, account, recovery codes, user edit) pass axe and fit
// at 1024x768, 768x1024 and 390x844.
func TestBrowserSignInLifecycle(t *testing.T) {
	axe := browsertest.AxeSource(t)
	ctx := browsertest.New(t, 1024, 768)
	a, base := liveSite(t)
	bg := context.Background()
	acc := a.NewAccount("nia@h.org", models.RoleManager)
	const temp = "Temporary7kQ9xWm2"
	if err := a.Store.SetPassword(bg, acc.ID, temp); err != nil { // an admin's reset
		t.Fatal(err)
	}
	codes, err := a.Store.NewRecoveryCodes(bg, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(pw string) {
		t.Helper()
		run(t, ctx, chromedp.Navigate(base+"/staff/login"), chromedp.WaitVisible(chromedp.ID("email")))
		run(t, ctx, chromedp.SendKeys(chromedp.ID("email"), acc.Email), chromedp.SendKeys(chromedp.ID("password"), pw),
			chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.ID("code")))
	}
	enter := func(code string) {
		t.Helper()
		run(t, ctx, chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")))
	}
	fits := func(page string) {
		t.Helper()
		for _, sz := range [][2]int64{{1024, 768}, {768, 1024}, {390, 844}} {
			run(t, ctx, chromedp.EmulateViewport(sz[0], sz[1]))
			ok := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth &&
				[...document.querySelectorAll('button, input, select, .button')].every(e => { const r = e.getBoundingClientRect(); return r.width === 0 || (r.left >= 0 && r.right <= window.innerWidth); })`)
			if !ok {
				browsertest.Screenshot(t, ctx, fmt.Sprintf("unfit-%s-%d", strings.Trim(strings.ReplaceAll(page, "/", "-"), "-"), sz[0]), true)
				t.Errorf("%s does not fit at %dx%d (sideways scroll or a control cut off)", page, sz[0], sz[1])
			}
		}
		run(t, ctx, chromedp.EmulateViewport(1024, 768))
		vs, err := browsertest.Axe(ctx, axe)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			t.Errorf("%s: %s", page, v)
		}
	}

	// password and TOTP, then the forced change before anything else
	signIn(temp)
	enter(a.Code(acc.TOTPSecret, acc.Email))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("forced")))
	if !strings.Contains(text(t, ctx, `location.pathname`), "/staff/account/password") {
		t.Fatal("not on the change-password page")
	}
	fits("change password")
	run(t, ctx, chromedp.Navigate(base+"/staff/reports"), chromedp.WaitVisible(chromedp.ID("forced")))
	run(t, ctx, chromedp.SendKeys(chromedp.ID("current"), temp), chromedp.SendKeys(chromedp.ID("new"), "password1234"),
		chromedp.SendKeys(chromedp.ID("confirm"), "password1234"), chromedp.Click(chromedp.ID("change-password")))
	waitTrue(t, ctx, `!!document.querySelector('p.error[role=alert]')`)
	if got := text(t, ctx, `document.querySelector('p.error').textContent`); !strings.Contains(got, "attackers try first") {
		t.Fatalf("common password: %q", got)
	}
	const mine = "lantern orchard violet 42"
	run(t, ctx, chromedp.SendKeys(chromedp.ID("current"), temp), chromedp.SendKeys(chromedp.ID("new"), mine),
		chromedp.SendKeys(chromedp.ID("confirm"), mine), chromedp.Click(chromedp.ID("change-password")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("headlines")))
	if !strings.Contains(text(t, ctx, `document.querySelector('.flash').textContent`), "password was changed") {
		t.Fatal("no confirmation after the change")
	}

	// the account page, and new recovery codes shown once
	run(t, ctx, chromedp.Navigate(base+"/staff/account"), chromedp.WaitVisible(chromedp.ID("codes-left")))
	fits("account")
	a.Clock.Advance(30 * time.Second)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("code-recovery"), a.Code(acc.TOTPSecret, acc.Email)),
		chromedp.Submit(chromedp.ID("code-recovery")), chromedp.WaitVisible(chromedp.ID("recovery-codes")))
	fits("recovery codes")
	shown := browsertest.Eval[[]string](t, ctx, `[...document.querySelectorAll('#recovery-codes code')].map(e => e.textContent)`)
	if len(shown) != 10 || shown[0] == codes[0] {
		t.Fatalf("new codes: %v", shown)
	}
	codes = shown
	run(t, ctx, chromedp.Click(chromedp.ID("codes-done")), chromedp.WaitVisible(chromedp.ID("codes-left")))

	// sign out; a recovery code signs in once, then fails
	run(t, ctx, chromedp.Submit(chromedp.CSS(`form.logout`)), chromedp.WaitVisible(chromedp.ID("email")))
	signIn(mine)
	enter(codes[0])
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-region")))
	run(t, ctx, chromedp.Submit(chromedp.CSS(`form.logout`)), chromedp.WaitVisible(chromedp.ID("email")))
	signIn(mine)
	enter(codes[0])
	waitTrue(t, ctx, `!!document.querySelector('p.error[role=alert]')`)
	if !strings.Contains(text(t, ctx, `document.querySelector('p.error').textContent`), "not right") {
		t.Fatal("a used recovery code was not refused")
	}
	if rows, _ := a.Store.AuditSearch(bg, models.AuditFilter{Action: "mfa.recovery_used"}); len(rows) != 1 {
		t.Fatalf("recovery use audited %d times", len(rows))
	}

	// an admin's user edit page
	enter(codes[1])
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-region")))
	if err := a.Store.UpdateUser(bg, models.UserUpdate{ID: acc.ID, Name: "Nia Okafor", Role: models.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(base+fmt.Sprintf("/staff/admin/users/%d", acc.ID)), chromedp.WaitVisible(chromedp.ID("save-user")))
	fits("user edit")
	run(t, ctx, chromedp.Navigate(base+"/staff/admin/users"), chromedp.WaitVisible(chromedp.ID("u-email")))
	fits("staff accounts")
}
