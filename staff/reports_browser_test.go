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
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/triage"
)

// TestBrowserReports opens the dashboard on a month of kiosk feedback: the
// headline count matches what was stored, the charts are drawn as SVG
// with their numbers on hover, it prints, and axe finds nothing.
func TestBrowserReports(t *testing.T) {
	axe := browsertest.AxeSource(t)
	ctx := browsertest.New(t, 1366, 1000)
	a, base := liveSite(t)
	pw, secret := a.User("lead@h.org", models.RoleManager)
	bg := context.Background()
	def, sid, err := a.Store.SurveyByKey(bg, "kiosk")
	if err != nil {
		t.Fatal(err)
	}
	comments := []string{"Waited three hours in the emergency room", "The nurse was rude at night", "Lovely staff, thank you", ""}
	n := 0
	for day := 0; day < 30; day++ {
		for j := 0; j < 1+day%4; j++ {
			score := 5 - (day+j)%5
			ans := []survey.Answer{{Question: "overall", Kind: survey.Rating5, Int: &score}}
			if c := comments[(day+j)%len(comments)]; c != "" {
				ans = append(ans, survey.Answer{Question: "comment", Kind: survey.Text, Text: c})
			}
			at := a.Clock.Now().Add(-time.Duration(day)*24*time.Hour - time.Duration(j)*time.Hour)
			if _, err := a.Server.Intake.Submit(bg, triage.Submission{ClientID: fmt.Sprintf("r-%d-%d", day, j), Survey: def, SurveyID: sid,
				Source: "kiosk", DepartmentID: a.DepartmentID([]string{"ED", "INPT", "OUTPT"}[day%3]), Language: "en", Answers: ans, SubmittedAt: at}); err != nil {
				t.Fatal(err)
			}
			n++
		}
	}
	run(t, ctx, chromedp.Navigate(base+"/staff/login"))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("email")))
	run(t, ctx, chromedp.SendKeys(chromedp.ID("email"), "lead@h.org"), chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.Submit(chromedp.ID("password")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("code")))
	code, _ := totpCode(secret, a.Clock.Now())
	run(t, ctx, chromedp.SendKeys(chromedp.ID("code"), code), chromedp.Submit(chromedp.ID("code")))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("queue-region")))
	run(t, ctx, chromedp.Navigate(base+"/staff/reports?preset=30d"))
	run(t, ctx, chromedp.WaitVisible(chromedp.ID("headlines")))
	head := text(t, ctx, `document.getElementById('headlines').innerText`)
	if !strings.Contains(head, fmt.Sprint(n)) {
		t.Fatalf("headlines %q do not show the %d responses", head, n)
	}
	if got := text(t, ctx, `document.querySelectorAll('svg.chart').length >= 4 ? 'ok' : document.querySelectorAll('svg.chart').length + ' charts'`); got != "ok" {
		t.Fatalf("%s drawn; want at least 4", got)
	}
	if got := text(t, ctx, `document.querySelector('#ch-volume-t').closest('svg').querySelectorAll('rect title').length > 10 ? 'ok' : 'few'`); got != "ok" {
		t.Fatal("volume bars have no hover numbers")
	}
	if !strings.Contains(text(t, ctx, `document.body.innerText`), "Waited three hours") {
		t.Fatal("no example comment under the themes")
	}
	vs, err := browsertest.Axe(ctx, axe)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		t.Errorf("reports: %s", v)
	}
	screenshot(t, ctx, "staff-reports")
	if pdf, err := chromedp.Run(ctx, printPDF); err != nil || len(pdf) < 1000 {
		t.Fatalf("print: %v", err)
	}
}
