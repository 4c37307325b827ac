package models_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

func newUser(t *testing.T, s *models.Store, email string) models.StaffUser {
	t.Helper()
	u, err := s.CreateUser(context.Background(), models.NewUser{Email: email, Name: "Test", Role: models.RoleAgent, Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// parallel runs fn n times at once and counts the true results.
func parallel(n int, fn func() bool) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	got := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if fn() {
				mu.Lock()
				got++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return got
}

// Finding 6: of 25 attempts at once, exactly LockAfter are admitted.
func TestAdmitAttemptIsAtomic(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		u := newUser(t, s, "a@h.org")
		got := parallel(25, func() bool {
			ok, err := s.AdmitAttempt(ctx, u.ID)
			if err != nil {
				t.Error(err)
			}
			return ok
		})
		if got != models.LockAfter {
			t.Fatalf("%d of 25 parallel attempts admitted; want %d", got, models.LockAfter)
		}
		if locked, err := s.AttemptFailed(ctx, u.ID); err != nil || !locked {
			t.Fatalf("fifth failure does not lock: %v %v", locked, err)
		}
		if ok, _ := s.AdmitAttempt(ctx, u.ID); ok {
			t.Fatal("attempt admitted on a locked account")
		}
		if err := s.ResetLoginFailures(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.AdmitAttempt(ctx, u.ID); !ok {
			t.Fatal("attempt refused after a reset")
		}
	})
}

// Finding 5: a time step is used once, never an older one, and of many
// parallel uses of one step exactly one wins.
func TestUseTOTPStepOnce(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		u := newUser(t, s, "b@h.org")
		if ok, err := s.EnrolTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP", 100); err != nil || !ok {
			t.Fatalf("enrol: %v %v", ok, err)
		}
		if ok, _ := s.EnrolTOTP(ctx, u.ID, "GEZDGNBVGY3TQOJQ", 101); ok {
			t.Fatal("second enrolment replaced the factor")
		}
		if got := parallel(25, func() bool { ok, _ := s.UseTOTPStep(ctx, u.ID, 101); return ok }); got != 1 {
			t.Fatalf("step 101 used %d times at once", got)
		}
		if ok, _ := s.UseTOTPStep(ctx, u.ID, 100); ok {
			t.Fatal("an older step accepted")
		}
		if ok, _ := s.UseTOTPStep(ctx, u.ID, 102); !ok {
			t.Fatal("the next step refused")
		}
	})
}

// Finding 9: recovery codes are stored hashed and work once each, even
// when used in parallel.
func TestRecoveryCodes(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		u := newUser(t, s, "c@h.org")
		codes, err := s.NewRecoveryCodes(ctx, u.ID)
		if err != nil || len(codes) != models.RecoveryCodeCount {
			t.Fatalf("%d codes, %v", len(codes), err)
		}
		for _, c := range codes {
			if ok, _ := s.UseRecoveryCode(ctx, u.ID+1, c); ok {
				t.Fatal("a code worked for another account")
			}
		}
		dump, err := s.DumpText(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			if strings.Contains(dump, c) || strings.Contains(dump, strings.ReplaceAll(c, "-", "")) {
				t.Fatal("a recovery code is stored in clear")
			}
		}
		if got := parallel(25, func() bool { ok, _ := s.UseRecoveryCode(ctx, u.ID, codes[0]); return ok }); got != 1 {
			t.Fatalf("one code used %d times", got)
		}
		if ok, _ := s.UseRecoveryCode(ctx, u.ID, " "+strings.ToUpper(strings.ReplaceAll(codes[1], "-", " "))+" "); !ok {
			t.Fatal("a code typed with spaces and capitals refused")
		}
		if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != models.RecoveryCodeCount-2 {
			t.Fatalf("%d left", n)
		}
		if _, err := s.NewRecoveryCodes(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.UseRecoveryCode(ctx, u.ID, codes[2]); ok {
			t.Fatal("an old code works after new ones were made")
		}
	})
}

// Finding 7: a session holds at most max streams at once; a lapsed lease
// is taken over.
func TestStreamSlots(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := s.Now()
		got := parallel(25, func() bool {
			tok, err := s.ClaimStream(ctx, "sess", 3, now.Add(time.Minute))
			if err != nil {
				t.Error(err)
			}
			return tok != ""
		})
		if got != 3 {
			t.Fatalf("%d streams claimed at once; want 3", got)
		}
		if tok, _ := s.ClaimStream(ctx, "other", 3, now.Add(time.Minute)); tok == "" {
			t.Fatal("another session got no slot")
		}
		if tok, _ := s.ClaimStream(ctx, "sess", 3, now.Add(-time.Second)); tok != "" {
			t.Fatal("a fourth slot")
		}
	})
}

// Finding 13: a request count holds under parallel requests and from
// several servers (one database).
func TestCountRequestAndSummary(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		win := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC)
		under := parallel(30, func() bool {
			n, err := s.CountRequest(ctx, "signin", "signin:10.0.0.1", "10.0.0.1", win, 5)
			if err != nil {
				t.Error(err)
			}
			return n <= 5
		})
		if under != 5 {
			t.Fatalf("%d of 30 requests under a limit of 5", under)
		}
		sums, err := s.SummarizeThrottles(ctx, win.Add(time.Minute))
		if err != nil || len(sums) != 1 || sums[0].Refused != 25 || !strings.Contains(sums[0].String(), "10.0.0.1 x25") {
			t.Fatalf("summary %+v %v", sums, err)
		}
		if again, _ := s.SummarizeThrottles(ctx, win.Add(time.Minute)); len(again) != 0 {
			t.Fatal("a minute summarized twice")
		}
	})
}

// Finding 12 and 9: the upgrade gives agents whose empty department list
// meant "all" the explicit flag (audited), and makes every existing
// password, all chosen by someone else, change at the next sign-in.
func TestMigrationMakesScopeExplicit(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		old := newUser(t, s, "old@h.org")
		scoped := newUser(t, s, "ed@h.org")
		if err := s.ChangePassword(ctx, old.ID, "plum quiet lantern 7"); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateUser(ctx, models.UserUpdate{ID: scoped.ID, Name: "Ed", Role: models.RoleAgent, Departments: []string{"ED"}}); err != nil {
			t.Fatal(err)
		}
		if err := s.UndoMigrationForTest(ctx, models.StaffSecurityVersion()); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("re-applied %d migrations: %v", n, err)
		}
		u, _ := s.UserByID(ctx, old.ID)
		if !u.AllDepartments || !u.MustChangePassword {
			t.Fatalf("old agent after the upgrade: all=%v must change=%v", u.AllDepartments, u.MustChangePassword)
		}
		if e, _ := s.UserByID(ctx, scoped.ID); e.AllDepartments || e.Departments != "ED" {
			t.Fatalf("a scoped agent was widened: %+v", e)
		}
		rows, _ := s.AuditSearch(ctx, models.AuditFilter{Action: "user.scope_migrated"})
		if len(rows) != 1 || rows[0].Record != "user:1" {
			t.Fatalf("scope migration audit %+v", rows)
		}
	})
}
