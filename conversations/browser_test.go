package conversations_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/patientvoice/patientvoice/browsertest"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
	"github.com/patientvoice/patientvoice/triage"
)

// TestBrowserSurveyErrors opens the emailed survey in Spanish and Arabic
// in Chromium, sends it half answered, and finds every error beside its
// question and in the summary, in the page's language, the answers kept,
// no sideways scroll on a phone, and no axe-core violation before or
// after.
func TestBrowserSurveyErrors(t *testing.T) {
	axe := browsertest.AxeSource(t)
	ctx := browsertest.New(t, 390, 844)
	for _, c := range []struct{ lang, dir, summary, required string }{
		{"es", "ltr", "Revise las 2 respuestas marcadas abajo.", "Responda esta pregunta, por favor."},
		{"ar", "rtl", "يرجى مراجعة الإجابتين المحددتين أدناه.", "يرجى الإجابة عن هذا السؤال."},
	} {
		t.Run(c.lang, func(t *testing.T) {
			setup(t, func(t *testing.T, e *env) {
				if !strings.HasSuffix(t.Name(), "/"+lastBackend(t)) {
					t.Skip("the browser runs on one backend")
				}
				e.Discharge(dischargeJSON("E-b"+c.lang, "", "p@example.org", `,"language":"`+c.lang+`"`))
				e.Tick()
				base := browsertest.Serve(t, e.Server.App)
				browsertest.Do(t, ctx, chromedp.Navigate(base+"/s/"+e.Server.Inviting.Links().Token(1)),
					chromedp.WaitVisible(chromedp.CSS(`form button[type=submit]`)))
				axeClean(t, ctx, axe, c.lang+" survey")
				// answer the rating and the comment, leave two required questions
				browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`input[name=q_overall][value="2"]+span`)),
					chromedp.SendKeys(chromedp.ID("t-comment"), "La sala de espera estaba fría"),
					chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
					chromedp.WaitVisible(chromedp.ID("errors")))
				got := browsertest.Eval[string](t, ctx, `[document.documentElement.lang, document.documentElement.dir,
					document.querySelector('#errors p').textContent,
					document.getElementById('err-explained').textContent, document.getElementById('err-recommend').textContent,
					document.querySelectorAll('p.error').length,
					document.querySelector('input[name=q_overall][value="2"]').checked, document.getElementById('t-comment').value,
					document.activeElement.id].join('|')`)
				want := strings.Join([]string{c.lang, c.dir, c.summary, c.required, c.required, "2", "true", "La sala de espera estaba fría", "errors"}, "|")
				if got != want {
					t.Fatalf("after submit:\n got %s\nwant %s", got, want)
				}
				// each error sits inside its question's box
				inside := browsertest.Eval[bool](t, ctx, `['explained','recommend'].every(k => {
					const f = document.getElementById('f-' + k).getBoundingClientRect(), e = document.getElementById('err-' + k).getBoundingClientRect();
					return e.top >= f.top && e.bottom <= f.bottom && e.left >= f.left && e.right <= f.right; })`)
				if !inside {
					t.Fatal("an error is not beside its question")
				}
				if w := browsertest.Eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`); !w {
					t.Fatal("the page scrolls sideways at 390 px")
				}
				browsertest.Screenshot(t, ctx, "survey-errors-"+c.lang, true)
				axeClean(t, ctx, axe, c.lang+" survey with errors")

				// the other patient pages, in the same language, pass axe too
				browsertest.Do(t, ctx, chromedp.Navigate(base+"/unsubscribe/"+e.Server.Inviting.Links().Token(1)),
					chromedp.WaitVisible(chromedp.CSS(`form button`)))
				axeClean(t, ctx, axe, c.lang+" unsubscribe")
				browsertest.Do(t, ctx, chromedp.Navigate(base+followupPath(t, e, c.lang)), chromedp.WaitVisible(chromedp.ID("followup-no")))
				if d := browsertest.Eval[string](t, ctx, `document.documentElement.lang + ' ' + document.documentElement.dir`); d != c.lang+" "+c.dir {
					t.Fatalf("follow-up page %s", d)
				}
				axeClean(t, ctx, axe, c.lang+" follow-up")
				browsertest.Do(t, ctx, chromedp.Click(chromedp.ID("followup-no")), chromedp.WaitVisible(chromedp.ID("followup-done")))
				axeClean(t, ctx, axe, c.lang+" follow-up answered")
				browsertest.Do(t, ctx, chromedp.Navigate(base+"/s/1.deadbeef"), chromedp.WaitVisible(chromedp.ID("problem")))
				axeClean(t, ctx, axe, "error page")
			})
		})
	}
}

func axeClean(t *testing.T, ctx context.Context, axe, where string) {
	t.Helper()
	vs, err := browsertest.Axe(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("%s: %s", where, v)
	}
}

// lastBackend is the backend the browser tests use: MySQL when set.
func lastBackend(t *testing.T) string {
	if testdb.MySQLDSN() != "" {
		return "mysql"
	}
	return "sqlite"
}

// followupPath resolves a case of a patient who speaks lang, sends the
// satisfaction follow-up by email and returns the emailed link's path.
func followupPath(t *testing.T, e *env, lang string) string {
	t.Helper()
	ctx := context.Background()
	d, err := e.Store.DepartmentByCode(ctx, "ED")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := e.Server.Cases.Open(ctx, triage.StaffIntake{Department: d, Category: "food", Priority: "normal", Channel: "phone",
		Summary: "Cold dinner", Contact: models.ContactInput{Email: "f-" + lang + "@example.org", Language: lang}, Actor: "ana@h.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Server.Cases.Apply(ctx, cs.ID, "ana@h.org", "", triage.Change{Status: models.StatusResolved}); err != nil {
		t.Fatal(err)
	}
	if err := e.Server.Conversations.SendFollowup(ctx, cs.ID, "email", "ana@h.org"); err != nil {
		t.Fatal(err)
	}
	rows, _ := e.Store.Outbox(ctx, models.OutboxFilter{})
	for _, m := range rows {
		if m.Kind == "followup" && m.CaseID != nil && *m.CaseID == cs.ID {
			if p := regexp.MustCompile(`/f/[0-9]+\.[0-9a-f]+`).FindString(e.Store.OpenMessage(m).Body); p != "" {
				return p
			}
		}
	}
	t.Fatal("no follow-up link")
	return ""
}
