package staff_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

var tempPasswordRe = regexp.MustCompile(`id="temp-password">([A-Za-z0-9]+)<`)

// enrol finishes a first sign-in that has to set up a second factor and
// returns the secret and the recovery codes shown.
func enrol(t *testing.T, a *testapp.App, s *testapp.Staff, loc string) (string, []string) {
	t.Helper()
	if !strings.HasPrefix(loc, "/staff/mfa/setup") {
		t.Fatalf("expected enrolment, went to %s", loc)
	}
	secret := totpSecretOf(t, s.Get(loc).Body)
	r := s.Post("/staff/mfa/setup", url.Values{"code": {code(t, secret, a.Clock.Now())}})
	codes := recoveryCodesOf(r.Body)
	if r.Status != 200 || len(codes) != models.RecoveryCodeCount {
		t.Fatalf("enrolment: %d, %d codes", r.Status, len(codes))
	}
	return secret, codes
}

// Finding 9: an admin creates an account; its temporary password works
// once, for choosing a new one; common and short passwords are refused.
func TestForcedPasswordChangeAfterAdminCreate(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		admin, _ := a.SignIn("root@h.org", models.RoleAdmin)
		r := admin.Post("/staff/admin/users", url.Values{"email": {"nia@h.org"}, "name": {"Nia Okafor"}, "role": {"agent"}, "departments": {"ED"}})
		m := tempPasswordRe.FindSubmatch(r.Body)
		if r.Status != 200 || m == nil {
			t.Fatalf("create: %d, no temporary password shown", r.Status)
		}
		temp := string(m[1])
		if u, _ := a.Store.UserByEmail(ctx, "nia@h.org"); !u.MustChangePassword || u.AllDepartments || u.Departments != "ED" {
			t.Fatalf("new account %+v", u)
		}
		s := a.NewStaff()
		r = passwordStep(s, "nia@h.org", temp)
		enrol(t, a, s, r.Header.Get("Location"))
		for _, p := range []string{"/staff/", "/staff/cases/new", "/staff/reports", "/staff/account"} {
			if r := s.Get(p); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/staff/account/password") {
				t.Fatalf("%s before the forced change: %d %s", p, r.Status, r.Header.Get("Location"))
			}
		}
		if r := s.Get("/staff/account/password"); r.Status != 200 || !strings.Contains(string(r.Body), `id="forced"`) {
			t.Fatalf("password page: %d", r.Status)
		}
		for pw, want := range map[string]string{
			"short":            "at least 12 characters",
			"qwertyuiopasdfgh": "attackers try first",
			"Password2024!!":   "attackers try first",
			"nia.okafor-2026!": "your email address or name",
		} {
			r := s.Post("/staff/account/password", url.Values{"current": {temp}, "new": {pw}, "confirm": {pw}})
			if r.Status != 400 || !strings.Contains(string(r.Body), want) {
				t.Errorf("new password %q: %d; want a message with %q", pw, r.Status, want)
			}
		}
		if r := s.Post("/staff/account/password", url.Values{"current": {"not the password"}, "new": {"plum quiet lantern 7"}, "confirm": {"plum quiet lantern 7"}}); r.Status != 400 {
			t.Fatalf("wrong current password: %d", r.Status)
		}
		r = s.Post("/staff/account/password", url.Values{"current": {temp}, "new": {"plum quiet lantern 7"}, "confirm": {"plum quiet lantern 7"}, "next": {"/staff/cases/new"}})
		if r.Status != 303 || r.Header.Get("Location") != "/staff/cases/new?flash=password-changed" {
			t.Fatalf("change: %d %s", r.Status, r.Header.Get("Location"))
		}
		if r := s.Get("/staff/"); r.Status != 200 {
			t.Fatalf("after the change: %d", r.Status)
		}
		if r := passwordStep(a.NewStaff(), "nia@h.org", temp); r.Status != 401 {
			t.Fatalf("temporary password still works: %d", r.Status)
		}
		if n := countAudit(t, a, "password.change", "forced"); n != 1 {
			t.Fatalf("forced change audited %d times", n)
		}
	})
}

// Finding 9: an admin's reset gives a temporary password shown once,
// ends the user's sessions, forces a change and is audited; role and
// departments are edited on the user's page.
func TestAdminResetAndEdit(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		admin, _ := a.SignIn("root@h.org", models.RoleAdmin)
		user, acc := a.SignIn("ana@h.org", models.RoleAgent, testapp.Departments("ED"))
		path := "/staff/admin/users/" + strings.TrimPrefix(recordOf(acc.ID), "user:")
		if r := admin.Get(path); r.Status != 200 || !strings.Contains(string(r.Body), `value="*"`) {
			t.Fatalf("edit page: %d", r.Status)
		}
		r := admin.Post(path, url.Values{"action": {"reset-password"}})
		m := tempPasswordRe.FindSubmatch(r.Body)
		if r.Status != 200 || m == nil {
			t.Fatalf("reset: %d", r.Status)
		}
		if r := user.Get("/staff/"); r.Status != 303 {
			t.Fatalf("the user's session survived the reset: %d", r.Status)
		}
		if r := admin.Get(path); strings.Contains(string(r.Body), string(m[1])) {
			t.Fatal("the temporary password is shown again")
		}
		if u, _ := a.Store.UserByEmail(ctx, acc.Email); !u.MustChangePassword {
			t.Fatal("reset does not force a change")
		}
		if n := countAudit(t, a, "user.reset-password", acc.Email); n != 1 {
			t.Fatalf("reset audited %d times", n)
		}
		// role and departments, with an explicit "all departments"
		r = admin.Post(path, url.Values{"action": {"save"}, "name": {"Ana Ruiz"}, "role": {"manager"}, "departments": {"ED", "INPT"}})
		if r.Status != 303 {
			t.Fatalf("save: %d %s", r.Status, r.Body)
		}
		u, _ := a.Store.UserByEmail(ctx, acc.Email)
		if u.Role != "manager" || u.Name != "Ana Ruiz" || u.Departments != "ED,INPT" || u.AllDepartments {
			t.Fatalf("after save: %+v", u)
		}
		admin.Post(path, url.Values{"action": {"save"}, "name": {"Ana Ruiz"}, "role": {"agent"}, "departments": {"*"}})
		if u, _ := a.Store.UserByEmail(ctx, acc.Email); !u.AllDepartments || u.Role != "agent" {
			t.Fatalf("all departments not saved: %+v", u)
		}
		if r := admin.Post(path, url.Values{"action": {"save"}, "name": {"Ana"}, "role": {"agent"}, "departments": {"NOPE"}}); r.Status != 400 {
			t.Fatalf("unknown department: %d", r.Status)
		}
		if n := countAudit(t, a, "user.save", "departments: all"); n < 1 {
			t.Fatal("scope change not audited")
		}
		// an admin cannot change their own role
		self := "/staff/admin/users/1"
		if r := admin.Post(self, url.Values{"action": {"save"}, "name": {"root"}, "role": {"agent"}}); r.Status != 400 {
			t.Fatalf("own role change: %d", r.Status)
		}
	})
}

func recordOf(id uint) string { return fmt.Sprintf("user:%d", id) }

// Finding 9: ten recovery codes at enrolment, each signs in once instead
// of a code (models tests that only hashes are stored).
func TestRecoveryCodesWorkOnce(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("mgr@h.org", models.RoleManager, testapp.NoSecondFactor())
		s := a.NewStaff()
		_, codes := enrol(t, a, s, passwordStep(s, acc.Email, acc.Password).Header.Get("Location"))
		use := func() int {
			s := a.NewStaff()
			passwordStep(s, acc.Email, acc.Password)
			s.Get("/staff/login/mfa")
			return s.Post("/staff/login/mfa", url.Values{"code": {strings.ToUpper(codes[3])}}).Status
		}
		if st := use(); st != 303 {
			t.Fatalf("recovery code: %d", st)
		}
		if st := use(); st != 401 {
			t.Fatalf("recovery code used twice: %d", st)
		}
		if n := countAudit(t, a, "mfa.recovery_used", "9 recovery codes left"); n != 1 {
			t.Fatalf("recovery use audited %d times", n)
		}
	})
}

// Finding 1 and 9: a signed-in user moves to a new phone only with a
// current code; a stolen session cannot.
func TestReplaceFactorNeedsCurrentCode(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		s, acc := a.SignIn("mgr@h.org", models.RoleManager)
		if r := s.Post("/staff/account/mfa", url.Values{"code": {"000000"}}); r.Status != 401 || strings.Contains(string(r.Body), "totp-secret") {
			t.Fatalf("replace without the current code: %d", r.Status)
		}
		a.Clock.Advance(30 * time.Second)
		r := s.Post("/staff/account/mfa", url.Values{"code": {a.Code(acc.TOTPSecret, acc.Email)}})
		if r.Status != 200 || strings.Contains(string(r.Body), `name="sealed"`) {
			t.Fatalf("replace: %d", r.Status)
		}
		fresh := totpSecretOf(t, r.Body)
		r = s.Post("/staff/account/mfa/confirm", url.Values{"code": {code(t, fresh, a.Clock.Now())}})
		if r.Status != 200 || len(recoveryCodesOf(r.Body)) != 10 {
			t.Fatalf("confirm: %d", r.Status)
		}
		a.Clock.Advance(30 * time.Second)
		other := a.NewStaff()
		other.Login(acc.Email, acc.Password, fresh)
		if n := countAudit(t, a, "mfa.replaced", ""); n != 1 {
			t.Fatalf("replacement audited %d times", n)
		}
	})
}
