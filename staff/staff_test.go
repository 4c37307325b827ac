package staff_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/triage"
)

func quiet(a *testapp.App) { a.Server.Staff.SetSleep(func(time.Duration) {}) }

// TestAgentLoginAndSession runs the password-only sign-in that
// PV_AGENT_MFA=false allows agents without a second factor.
func TestAgentLoginAndSession(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.AgentMFA = false }, func(t *testing.T, a *testapp.App) {
		quiet(a)
		pw, _ := a.User("ana@h.org", models.RoleAgent, testapp.NoSecondFactor())
		s := a.NewStaff()
		if r := s.Get("/staff/"); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/staff/login?next=") {
			t.Fatalf("no session: %d %s", r.Status, r.Header.Get("Location"))
		}
		s.Get("/staff/login")
		r := s.Post("/staff/login", url.Values{"email": {"ana@h.org"}, "password": {pw}})
		if r.Status != 303 || r.Header.Get("Location") != "/staff/" {
			t.Fatalf("login: %d %s", r.Status, r.Header.Get("Location"))
		}
		setCookie := strings.Join(r.Header.Values("Set-Cookie"), "\n")
		for _, want := range []string{"__Host-pv_session=", "secure", "HttpOnly", "SameSite=Lax", "path=/"} {
			if !strings.Contains(strings.ToLower(setCookie), strings.ToLower(want)) {
				t.Fatalf("session cookie lacks %s: %s", want, setCookie)
			}
		}
		first := s.Cookies["__Host-pv_session"]
		if r := s.Get("/staff/"); r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("queue: %d %v", r.Status, r.Header.Get("Cache-Control"))
		}
		// signing in again gives a new session id and kills the old one
		s.Get("/staff/login")
		s.Post("/staff/login", url.Values{"email": {"ana@h.org"}, "password": {pw}})
		if s.Cookies["__Host-pv_session"] == first {
			t.Fatal("session id not renewed at login")
		}
		old := a.NewStaff()
		old.Cookies["__Host-pv_session"] = first
		if r := old.Get("/staff/"); r.Status != 303 {
			t.Fatalf("old session still works: %d", r.Status)
		}
		// idle logoff after 15 minutes
		a.Clock.Advance(14 * time.Minute)
		if r := s.Get("/staff/"); r.Status != 200 {
			t.Fatalf("within idle limit: %d", r.Status)
		}
		a.Clock.Advance(16 * time.Minute)
		if r := s.Get("/staff/"); r.Status != 303 {
			t.Fatalf("after idle limit: %d", r.Status)
		}
		// absolute limit of 12 hours even when active
		s.Login("ana@h.org", pw, "")
		for i := 0; i < 12*6-1; i++ {
			a.Clock.Advance(10 * time.Minute)
			if r := s.Get("/staff/kiosks"); r.Status != 200 {
				t.Fatalf("active session ended early after %d min: %d", (i+1)*10, r.Status)
			}
		}
		a.Clock.Advance(11 * time.Minute)
		if r := s.Get("/staff/"); r.Status != 303 {
			t.Fatalf("after absolute limit: %d", r.Status)
		}
		// logout kills the session server-side
		s.Login("ana@h.org", pw, "")
		sess := s.Cookies["__Host-pv_session"]
		s.Post("/staff/logout", nil)
		replay := a.NewStaff()
		replay.Cookies["__Host-pv_session"] = sess
		if r := replay.Get("/staff/"); r.Status != 303 {
			t.Fatalf("session alive after logout: %d", r.Status)
		}
	})
}

func TestLoginFailuresAndLockout(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.AgentMFA = false }, func(t *testing.T, a *testapp.App) {
		quiet(a)
		pw, _ := a.User("bo@h.org", models.RoleAgent, testapp.NoSecondFactor())
		s := a.NewStaff()
		try := func(email, pass string) testapp.Result {
			s.Get("/staff/login")
			return s.Post("/staff/login", url.Values{"email": {email}, "password": {pass}})
		}
		bad := try("bo@h.org", "wrong password!!")
		unknown := try("nobody@h.org", "wrong password!!")
		msg := regexp.MustCompile(`role="alert">([^<]+)<`)
		mb, mu := msg.FindSubmatch(bad.Body), msg.FindSubmatch(unknown.Body)
		if bad.Status != 401 || unknown.Status != 401 || mb == nil || mu == nil || string(mb[1]) != string(mu[1]) {
			t.Fatalf("failures must look alike: %d %q / %d %q", bad.Status, mb, unknown.Status, mu)
		}
		for i := 0; i < 4; i++ {
			try("bo@h.org", "wrong password!!")
		}
		if r := try("bo@h.org", pw); r.Status != 401 {
			t.Fatalf("locked account accepted the right password: %d", r.Status)
		}
		a.Clock.Advance(16 * time.Minute)
		if r := try("bo@h.org", pw); r.Status != 303 {
			t.Fatalf("lock did not expire: %d", r.Status)
		}
		// a login form posted without its CSRF token is refused
		fresh := a.NewStaff()
		if r := fresh.Req("POST", "/staff/login", url.Values{"email": {"bo@h.org"}, "password": {pw}}); r.Status != 403 {
			t.Fatalf("login without csrf: %d", r.Status)
		}
		rows, _ := a.Store.AuditSearch(context.Background(), models.AuditFilter{Action: "login.failed"})
		if len(rows) < 6 {
			t.Fatalf("failed logins audited: %d", len(rows))
		}
		rows, _ = a.Store.AuditSearch(context.Background(), models.AuditFilter{Action: "login", Actor: "bo@h.org"})
		if len(rows) != 1 || rows[0].IP == "" {
			t.Fatalf("login audit rows %+v", rows)
		}
	})
}

func TestMFAEnrolmentAndLogin(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		pw := testapp.TestPassword
		u, err := a.Store.CreateUser(ctx, models.NewUser{Email: "mgr@h.org", Name: "Mia", Role: models.RoleManager, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Store.ChangePassword(ctx, u.ID, pw); err != nil {
			t.Fatal(err)
		}
		s := a.NewStaff()
		s.Get("/staff/login")
		r := s.Post("/staff/login", url.Values{"email": {"mgr@h.org"}, "password": {pw}})
		if r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/staff/mfa/setup") {
			t.Fatalf("manager without second factor must enrol: %d %s", r.Status, r.Header.Get("Location"))
		}
		if r := s.Get("/staff/"); r.Status != 303 {
			t.Fatalf("half-signed-in session reached the queue: %d", r.Status)
		}
		page := s.Get("/staff/mfa/setup")
		if !strings.Contains(string(page.Body), `src="data:image/png;base64,`) {
			t.Fatalf("no QR code on the enrolment page")
		}
		secret := totpSecretOf(t, page.Body)
		if strings.Contains(string(page.Body), `name="sealed"`) {
			t.Fatal("the enrolment form carries a ciphertext")
		}
		// reloading shows the same secret (kept on the session)
		if again := totpSecretOf(t, s.Get("/staff/mfa/setup").Body); again != secret {
			t.Fatal("the pending secret changed on reload")
		}
		if r := s.Post("/staff/mfa/setup", url.Values{"code": {"000000"}}); r.Status != 400 {
			t.Fatalf("wrong first code: %d", r.Status)
		}
		r = s.Post("/staff/mfa/setup", url.Values{"code": {code(t, secret, a.Clock.Now())}})
		if r.Status != 200 {
			t.Fatalf("enrolment: %d %s", r.Status, r.Body)
		}
		codes := recoveryCodesOf(r.Body)
		if len(codes) != 10 {
			t.Fatalf("%d recovery codes shown; want 10", len(codes))
		}
		if r := s.Get("/staff/"); r.Status != 200 {
			t.Fatalf("after enrolment: %d", r.Status)
		}
		// the same code again is a replay
		s2 := a.NewStaff()
		s2.Get("/staff/login")
		r = s2.Post("/staff/login", url.Values{"email": {"mgr@h.org"}, "password": {pw}})
		if !strings.HasPrefix(r.Header.Get("Location"), "/staff/login/mfa") {
			t.Fatalf("no second factor asked: %s", r.Header.Get("Location"))
		}
		s2.Get(r.Header.Get("Location"))
		if r := s2.Post("/staff/login/mfa", url.Values{"code": {"123456"}}); r.Status != 401 {
			t.Fatalf("wrong code: %d", r.Status)
		}
		pending := s2.Cookies["__Host-pv_session"]
		a.Clock.Advance(30 * time.Second)
		if r := s2.Post("/staff/login/mfa", url.Values{"code": {code(t, secret, a.Clock.Now())}}); r.Status != 303 {
			t.Fatalf("right code: %d", r.Status)
		}
		if s2.Cookies["__Host-pv_session"] == pending {
			t.Fatal("session id not renewed after the second factor")
		}
		if r := s2.Get("/staff/admin/users"); r.Status != 403 {
			t.Fatalf("manager reached admin page: %d", r.Status)
		}
	})
}

var (
	secretRe   = regexp.MustCompile(`id="totp-secret"[^>]*>([A-Z2-7]+)<`)
	recoveryRe = regexp.MustCompile(`<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>`)
)

func totpSecretOf(t *testing.T, page []byte) string {
	t.Helper()
	m := secretRe.FindSubmatch([]byte(html.UnescapeString(string(page))))
	if m == nil {
		t.Fatalf("no secret on the page: %.300s", page)
	}
	return string(m[1])
}

func recoveryCodesOf(page []byte) []string {
	var out []string
	for _, m := range recoveryRe.FindAllSubmatch(page, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func TestCSRFAndNoStateChangeOnGet(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		pw, _ := a.User("ana@h.org", models.RoleAgent)
		s := a.NewStaff()
		s.Login("ana@h.org", pw, "")
		form := url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"}, "priority": {"low"}, "summary": {"Cold soup"}}
		form.Set("csrf", "forged")
		if r := s.Req("POST", "/staff/cases/new", form); r.Status != 403 {
			t.Fatalf("forged csrf: %d", r.Status)
		}
		form.Del("csrf")
		if r := s.Req("POST", "/staff/cases/new", form); r.Status != 403 {
			t.Fatalf("missing csrf: %d", r.Status)
		}
		if n, _ := a.Store.CountCases(context.Background(), models.CaseFilter{}); n != 0 {
			t.Fatalf("a forged form opened a case")
		}
		if r := s.Post("/staff/cases/new", form); r.Status != 303 {
			t.Fatalf("with csrf: %d %s", r.Status, r.Body)
		}
		if r := s.Get("/staff/logout"); r.Status == 303 && s.Cookies["__Host-pv_session"] == "" {
			t.Fatal("GET logged out")
		}
	})
}

func TestCaseWorkflowRevealAndAudit(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		pw, _ := a.User("ana@h.org", models.RoleAgent)
		s := a.NewStaff()
		s.Login("ana@h.org", pw, "")
		r := s.Post("/staff/cases/new", url.Values{"channel": {"letter"}, "department": {"INPT"}, "category": {"care_quality"},
			"priority": {"normal"}, "summary": {"My father was left without water"}, "name": {"Rosa Diaz"}, "phone": {"312-555-0100"}})
		if r.Status != 303 {
			t.Fatalf("new case: %d %s", r.Status, r.Body)
		}
		path := strings.Split(r.Header.Get("Location"), "?")[0]
		c, _ := a.Store.CaseByID(ctx, 1)
		if !c.Grievance || c.Source != "staff" || c.Channel != "letter" {
			t.Fatalf("a letter is a grievance: %+v", c)
		}
		page := s.Get(path)
		if page.Status != 200 || strings.Contains(string(page.Body), "Rosa Diaz") || !strings.Contains(string(page.Body), "Reveal identity") {
			t.Fatalf("identity shown before reveal (%d)", page.Status)
		}
		rev := s.Post(path+"/reveal", nil)
		if rev.Status != 200 || !strings.Contains(string(rev.Body), "Rosa Diaz") || !strings.Contains(html.UnescapeString(string(rev.Body)), "+13125550100") {
			t.Fatalf("reveal: %d", rev.Status)
		}
		if rows, _ := a.Store.AuditSearch(ctx, models.AuditFilter{Action: "identity.reveal", Record: "case:1"}); len(rows) != 1 || rows[0].Actor != "ana@h.org" {
			t.Fatalf("reveal audit %+v", rows)
		}
		for _, step := range []string{"acknowledged", "in_progress", "resolved"} {
			if r := s.Post(path, url.Values{"action": {"status"}, "status": {step}}); r.Status != 303 {
				t.Fatalf("%s: %d %s", step, r.Status, r.Body)
			}
		}
		if r := s.Post(path, url.Values{"action": {"status"}, "status": {"escalated"}}); r.Status != 409 || !strings.Contains(string(r.Body), "cannot become escalated") {
			t.Fatalf("resolved -> escalated must be refused: %d", r.Status)
		}
		s.Post(path, url.Values{"action": {"note"}, "note": {"Spoke with the charge nurse"}})
		evs, _ := a.Store.CaseEvents(ctx, 1)
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, e.Kind)
		}
		if got := strings.Join(kinds, ","); got != "created,identity_revealed,acknowledged,status_changed,status_changed,note" {
			t.Fatalf("timeline %s", got)
		}
		if rows, _ := a.Store.AuditSearch(ctx, models.AuditFilter{Action: "case.change", Record: "case:1"}); len(rows) != 4 {
			t.Fatalf("case changes audited: %d", len(rows))
		}
		letter := s.Post(path+"/letter", url.Values{"contact_name": {"Ana"}, "steps": {"Interviewed staff"}, "results": {"Retrained"}, "completed": {"2026-11-27"}})
		if letter.Status != 200 || !strings.Contains(string(letter.Body), "Rosa Diaz") || !strings.Contains(string(letter.Body), "Interviewed staff") {
			t.Fatalf("letter: %d", letter.Status)
		}
	})
}

func TestOverdueGrievanceCountOnEveryPage(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		pw, totpSecret := a.User("root@h.org", models.RoleAdmin)
		s := a.NewStaff()
		s.Login("root@h.org", pw, totpSecret)
		s.Post("/staff/cases/new", url.Values{"channel": {"letter"}, "department": {"ED"}, "category": {"food"}, "priority": {"low"}, "summary": {"x"}})
		s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"}, "priority": {"low"}, "summary": {"y"}})
		badge := regexp.MustCompile(`id="overdue-grievances">\s*<span class="n">(\d+)</span>`)
		pages := []string{"/staff/", "/staff/cases/1", "/staff/cases/new", "/staff/kiosks", "/staff/admin/users", "/staff/admin/audit", "/staff/admin/info", "/staff/cases/1/letter"}
		check := func(want string) {
			for _, p := range pages {
				r := s.Get(p)
				m := badge.FindSubmatch(r.Body)
				if r.Status != 200 || m == nil || string(m[1]) != want {
					t.Errorf("%s: status %d, overdue grievances %q, want %s", p, r.Status, m, want)
				}
			}
		}
		check("0")
		a.Clock.Advance(31 * 24 * time.Hour)
		s.Login("root@h.org", pw, totpSecret)
		check("1")
	})
}

func TestEscalationJob(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		ctx := context.Background()
		tok, _ := a.Kiosk("ED")
		a.Call("POST", "/api/kiosk/responses", tok, `{"id":"6f1c7c38-3b3c-4f39-9d63-0d3c6a1d2f10","survey":"kiosk","answers":[{"question":"overall","value":1}]}`)
		var notified []uint
		esc := triage.NewEscalator(a.Store, triage.NotifierFunc(func(_ context.Context, ev triage.CaseEvent, c models.Case) {
			if ev == triage.CaseEscalated {
				notified = append(notified, c.ID)
			}
		}), nil, a.Clock.Now, time.Minute)
		if n, err := esc.Tick(ctx); err != nil || n != 0 {
			t.Fatalf("escalated too early: %d %v", n, err)
		}
		a.Clock.Advance(24*time.Hour + time.Minute) // high priority: acknowledge within 24 h
		if n, err := esc.Tick(ctx); err != nil || n != 1 || len(notified) != 1 {
			t.Fatalf("escalation: %d %v %v", n, err, notified)
		}
		c, _ := a.Store.CaseByID(ctx, 1)
		evs, _ := a.Store.CaseEvents(ctx, 1)
		if c.Status != "escalated" || evs[len(evs)-1].Kind != "escalated" || evs[len(evs)-1].Actor != "system" {
			t.Fatalf("case %s, last event %+v", c.Status, evs[len(evs)-1])
		}
		if n, _ := esc.Tick(ctx); n != 0 {
			t.Fatal("escalated twice")
		}
	})
}

func code(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totpCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestContactPatientFromCase(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		pw, _ := a.User("ana@h.org", models.RoleAgent)
		s := a.NewStaff()
		s.Login("ana@h.org", pw, "")
		r := s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"wait_time"},
			"priority": {"normal"}, "summary": {"Waited 5 hours"}, "phone": {"312-555-0111"}, "email": {"p@example.org"}})
		path := strings.Split(r.Header.Get("Location"), "?")[0]
		page := s.Get(path)
		n := regexp.MustCompile(`name="nonce" value="([0-9a-f]+)"`).FindSubmatch(page.Body)
		if n == nil {
			t.Fatal("no contact form on a case with contact details")
		}
		form := url.Values{"channel": {"sms"}, "message": {"Please call us back at your convenience."}, "nonce": {string(n[1])}}
		for i := 0; i < 2; i++ { // a double submit sends once
			if r := s.Post(path+"/contact", form); r.Status != 303 {
				t.Fatalf("contact: %d %s", r.Status, r.Body)
			}
		}
		rows, _ := a.Store.Outbox(ctx, models.OutboxFilter{})
		if len(rows) != 1 || rows[0].Kind != "staff" || rows[0].Priority != models.PriorityInteractive || rows[0].CaseID == nil {
			t.Fatalf("outbox %+v", rows)
		}
		o := a.Store.OpenMessage(rows[0])
		if o.To != "+13125550111" || !strings.HasPrefix(o.Body, "Demo Hospital Patient Relations: ") {
			t.Fatalf("message %+v", o)
		}
		evs, _ := a.Store.CaseEvents(ctx, 1)
		if last := evs[len(evs)-1]; last.Kind != "contacted" || last.Actor != "ana@h.org" {
			t.Fatalf("timeline %+v", last)
		}
		c, _ := a.Store.CaseByID(ctx, 1)
		a.Store.SetOptOut(ctx, *c.ContactID, "sms", true, "test")
		form.Set("nonce", "00112233445566778899aabb")
		if r := s.Post(path+"/contact", form); r.Status != 409 {
			t.Fatalf("opted-out patient texted: %d", r.Status)
		}
		form.Set("channel", "email")
		if r := s.Post(path+"/contact", form); r.Status != 303 {
			t.Fatalf("email: %d", r.Status)
		}
		// at night the SMS waits for the end of quiet hours
		a.Store.SetOptOut(ctx, *c.ContactID, "sms", false, "test")
		a.Clock.Advance(7 * time.Hour) // 22:00 UTC
		s.Login("ana@h.org", pw, "")
		form.Set("channel", "sms")
		form.Set("nonce", "ffeeddccbbaa998877665544")
		if r := s.Post(path+"/contact", form); r.Status != 303 {
			t.Fatalf("night sms: %d %s", r.Status, r.Body)
		}
		rows, _ = a.Store.Outbox(ctx, models.OutboxFilter{})
		if rows[0].NextAttemptAt.Hour() != 8 {
			t.Fatalf("night SMS due at %v; want 08:00", rows[0].NextAttemptAt)
		}
	})
}

func TestSurveyEditorKeepsOldResponses(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		tok, _ := a.Kiosk("ED")
		old := `{"id":"0b0f5a52-8d7e-4f6a-9d35-5b1f7c3a2e11","survey":"kiosk","answers":[{"question":"overall","value":2},{"question":"wait","value":1}]}`
		if r := a.Call("POST", "/api/kiosk/responses", tok, old); r.Status != 201 {
			t.Fatalf("old response %d", r.Status)
		}
		pw, secret := a.User("root@h.org", models.RoleAdmin)
		s := a.NewStaff()
		s.Login("root@h.org", pw, secret)
		page := s.Get("/staff/admin/surveys/kiosk")
		if page.Status != 200 || !strings.Contains(string(page.Body), "Live preview") {
			t.Fatalf("editor %d", page.Status)
		}
		def, _, _ := a.Store.SurveyByKey(ctx, "kiosk")
		def.Questions = append(def.Questions[:2], def.Questions[3:]...) // drop "wait"
		def.Questions[0].Prompt["en"] = "How was your visit to us today?"
		def.Questions = append(def.Questions, survey.Question{Key: "parking", Kind: survey.YesNo, Prompt: map[string]string{"en": "Was parking easy?"}})
		b, _ := json.Marshal(def)
		if r := s.Post("/staff/admin/surveys/kiosk", url.Values{"definition": {string(b)}}); r.Status != 303 {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		bad := strings.Replace(string(b), `"key":"parking","kind":"yesno"`, `"key":"parking","kind":"rating5"`, 1)
		if r := s.Post("/staff/admin/surveys/kiosk", url.Values{"definition": {bad}}); r.Status != 400 || !strings.Contains(string(r.Body), "give the new question a new key") {
			t.Fatalf("kind change of an existing key accepted: %d", r.Status)
		}
		if r := s.Post("/staff/admin/surveys/kiosk", url.Values{"definition": {"{not json"}}); r.Status != 400 {
			t.Fatalf("bad json: %d", r.Status)
		}
		french := strings.Replace(string(b), `"languages":["en",`, `"languages":["fr","en",`, 1)
		if r := s.Post("/staff/admin/surveys/kiosk", url.Values{"definition": {french}}); r.Status != 400 ||
			!strings.Contains(html.UnescapeString(string(r.Body)), `Language "fr": patients can only be addressed in the product's languages (en, ar, es, vi, zh)`) {
			t.Fatalf("a language outside the catalog accepted: %d", r.Status)
		}
		a.Clock.Advance(16 * time.Second) // kiosk survey cache
		r := a.Call("GET", "/api/kiosk/survey", tok, nil)
		got := r.JSON()
		if got["version"] != float64(2) || !strings.Contains(string(r.Body), "parking") || strings.Contains(string(r.Body), `"wait"`) {
			t.Fatalf("kiosk survey after edit: %s", r.Body)
		}
		if r := a.Call("POST", "/api/kiosk/responses", tok, strings.Replace(old, "0b0f5a52", "1b0f5a52", 1)); r.Status != 400 {
			t.Fatalf("answer to an archived question accepted: %d", r.Status)
		}
		resp, _ := a.Store.ResponseByClientID(ctx, "0b0f5a52-8d7e-4f6a-9d35-5b1f7c3a2e11")
		ans, _ := a.Store.ResponseAnswers(ctx, resp.ID)
		if len(ans) != 2 || ans[1].Question != "wait" || ans[1].Value != "1" || resp.SurveyVersion != 1 {
			t.Fatalf("old response lost meaning: %+v v%d", ans, resp.SurveyVersion)
		}
	})
}

func TestRulesEditor(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		pw, secret := a.User("root@h.org", models.RoleAdmin)
		s := a.NewStaff()
		s.Login("root@h.org", pw, secret)
		if r := s.Get("/staff/admin/rules"); r.Status != 200 {
			t.Fatalf("rules page %d", r.Status)
		}
		r := s.Post("/staff/admin/rules", url.Values{"action": {"routing-add"}, "name": {"Parking to Admin"}, "position": {"0"},
			"match_keywords": {"parking"}, "set_department": {"ADMIN"}, "set_priority": {"low"}, "enabled": {"on"}})
		if r.Status != 303 {
			t.Fatalf("add rule %d %s", r.Status, r.Body)
		}
		flags, _ := a.Store.FlagRuleRows(ctx)
		for _, f := range flags {
			if f.Kind == "keyword" && f.Category == "facility" {
				s.Post("/staff/admin/rules", url.Values{"action": {"flag-save"}, "id": {fmt.Sprint(f.ID)}, "words": {f.Words + "\nparking"}, "enabled": {"on"}})
			}
		}
		a.Clock.Advance(16 * time.Second) // rules cache
		tok, _ := a.Kiosk("ED")
		res := a.Call("POST", "/api/kiosk/responses", tok, `{"id":"2b0f5a52-8d7e-4f6a-9d35-5b1f7c3a2e11","survey":"kiosk","answers":[{"question":"overall","value":4},{"question":"comment","value":"No parking anywhere"}]}`)
		if res.Status != 201 || res.JSON()["case_id"] == nil {
			t.Fatalf("edited flag rule not applied: %s", res.Body)
		}
		c, _ := a.Store.CaseRowByID(ctx, 1)
		if c.DepartmentCode != "ADMIN" || c.Priority != "low" || c.Category != "facility" {
			t.Fatalf("routing rule not applied: %+v", c)
		}
		if rows, _ := a.Store.AuditSearch(ctx, models.AuditFilter{Action: "rules.change"}); len(rows) != 2 {
			t.Fatalf("rule changes audited: %d", len(rows))
		}
	})
}

func TestImportPageWithProgress(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		pw, secret := a.User("mgr@h.org", models.RoleManager)
		s := a.NewStaff()
		s.Login("mgr@h.org", pw, secret)
		s.Get("/staff/import")
		var b strings.Builder
		b.WriteString("encounter_id,name,phone,email,language,department,discharged_at\n")
		for i := 0; i < 300; i++ {
			fmt.Fprintf(&b, "U%d,P,,u%d@example.org,en,ED,2026-11-26T10:00:00Z\n", i, i)
		}
		b.WriteString("BAD,P,,not-an-email,en,ED,2026-11-26T10:00:00Z\n")
		r := s.Upload("/staff/import", "file", "discharges.csv", []byte(b.String()))
		if r.Status != 303 {
			t.Fatalf("upload %d %s", r.Status, r.Body)
		}
		id := strings.TrimPrefix(r.Header.Get("Location"), "/staff/import?id=")
		deadline := time.Now().Add(60 * time.Second)
		var st map[string]any
		for time.Now().Before(deadline) {
			st = s.Get("/staff/import/" + id).JSON()
			if st["done"] == true {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		res, _ := st["result"].(map[string]any)
		if st["done"] != true || res["accepted"] != float64(300) || len(res["rejected"].([]any)) != 1 {
			t.Fatalf("import state %v", st)
		}
		if page := s.Get("/staff/invitations"); page.Status != 200 || !strings.Contains(string(page.Body), "Scheduled") {
			t.Fatalf("invitations page %d", page.Status)
		}
	})
}
