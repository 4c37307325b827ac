package main

import (
	"context"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

// Finding 9 and 12: the user commands of the contract and the break-glass
// ones, on both databases.
func TestUserCommands(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			c := cli{t, map[string]string{"PV_DB": b.URL(), "PV_SECRET": testdb.Secret}}
			for _, tc := range []struct{ email, depts string }{{"none@h.org", ""}, {"ed@h.org", "ED,inpt"}, {"all@h.org", "all"}} {
				args := []string{"user", "create", "--email", tc.email, "--name", "N", "--role", "agent"}
				if tc.depts != "" {
					args = append(args, "--departments", tc.depts)
				}
				if code, _, e := c.run("plum quiet lantern 7\n", args...); code != 0 {
					t.Fatalf("user create %s: %s", tc.email, e)
				}
			}
			if code, _, e := c.run("plum quiet lantern 7\n", "user", "create", "--email", "x@h.org", "--name", "N", "--role", "agent", "--departments", "NOPE"); code == 0 || !strings.Contains(e, `unknown department "NOPE"`) {
				t.Fatalf("unknown department: %d %s", code, e)
			}
			if code, _, e := c.run("password1234\n", "user", "create", "--email", "y@h.org", "--name", "N", "--role", "agent"); code == 0 || !strings.Contains(e, "attackers try first") {
				t.Fatalf("common password: %d %s", code, e)
			}
			s := openForTest(t, c)
			none, _ := s.UserByEmail(ctx, "none@h.org")
			ed, _ := s.UserByEmail(ctx, "ed@h.org")
			all, _ := s.UserByEmail(ctx, "all@h.org")
			if none.Scope().All || len(none.Scope().Codes) != 0 || ed.Departments != "ED,INPT" || ed.AllDepartments || !all.AllDepartments {
				t.Fatalf("scopes: none %+v ed %+v all %+v", none.Scope(), ed.Scope(), all.Scope())
			}
			if !none.MustChangePassword {
				t.Fatal("a password set by the CLI need not be changed")
			}
			// break-glass
			if err := s.ChangePassword(ctx, ed.ID, "my own choice here"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.EnrolTOTP(ctx, ed.ID, "JBSWY3DPEHPK3PXP", 1); err != nil {
				t.Fatal(err)
			}
			if _, err := s.NewRecoveryCodes(ctx, ed.ID); err != nil {
				t.Fatal(err)
			}
			tok, _, _ := s.CreateSession(ctx, ed.ID, "", false, 0)
			if code, out, e := c.run("violet harbour engine\n", "user", "set-password", "--email", "Ed@h.org"); code != 0 || !strings.Contains(out, "must be changed") {
				t.Fatalf("set-password: %d %s", code, e)
			}
			u, _ := s.UserByEmail(ctx, "ed@h.org")
			if !u.CheckPassword("violet harbour engine") || !u.MustChangePassword {
				t.Fatalf("set-password did not set a password to change: %+v", u)
			}
			if _, err := s.SessionByToken(ctx, tok); err == nil {
				t.Fatal("set-password left a session alive")
			}
			if code, _, e := c.run("", "user", "reset-mfa", "--email", "ed@h.org"); code != 0 {
				t.Fatalf("reset-mfa: %s", e)
			}
			u, _ = s.UserByEmail(ctx, "ed@h.org")
			if left, _ := s.RecoveryCodesLeft(ctx, u.ID); u.TOTPEnabled || left != 0 {
				t.Fatalf("reset-mfa left the factor: %v, %d codes", u.TOTPEnabled, left)
			}
			for _, action := range []string{"user.reset-password", "user.reset-mfa"} {
				if rows, _ := s.AuditSearch(ctx, models.AuditFilter{Action: action, Actor: "cli"}); len(rows) != 1 {
					t.Errorf("%s audited %d times", action, len(rows))
				}
			}
			if code, _, e := c.run("", "user", "reset-mfa", "--email", "nobody@h.org"); code == 0 || !strings.Contains(e, `no account "nobody@h.org"`) {
				t.Fatalf("unknown account: %d %s", code, e)
			}
		})
	}
}

// Finding 9: the printed demo password and PV_ADMIN_PASSWORD must be
// changed at the first sign-in.
func TestBootstrapPasswordsMustChange(t *testing.T) {
	c := cli{t, map[string]string{"PV_DB": "sqlite://" + t.TempDir() + "/pv.db", "PV_SECRET": testdb.Secret, "PV_DEMO": "true",
		"PV_ADMIN_EMAIL": "it@h.org", "PV_ADMIN_PASSWORD": "violet harbour engine", "PV_ADDR": "127.0.0.1:0"}}
	c.startServer()
	s := openForTest(t, c)
	for _, email := range []string{"it@h.org", "admin@demo.hospital"} {
		u, err := s.UserByEmail(context.Background(), email)
		if err != nil || !u.MustChangePassword {
			t.Errorf("%s: %v, must change %v", email, err, u.MustChangePassword)
		}
	}
}
