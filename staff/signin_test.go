package staff_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

// passwordStep signs in with the password only and returns where it went.
func passwordStep(s *testapp.Staff, email, pw string) testapp.Result {
	s.Get("/staff/login")
	return s.Post("/staff/login", url.Values{"email": {email}, "password": {pw}})
}

func countAudit(t *testing.T, a *testapp.App, action, detail string) int {
	t.Helper()
	rows, err := a.Store.AuditSearch(context.Background(), models.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if detail == "" || strings.Contains(r.Detail, detail) {
			n++
		}
	}
	return n
}

// Finding 1: a session past the password step cannot enrol a new second
// factor over an existing one.
func TestEnrolledFactorCannotBeReplacedHalfSignedIn(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("root@h.org", models.RoleAdmin)
		thief := a.NewStaff()
		if r := passwordStep(thief, acc.Email, acc.Password); !strings.HasPrefix(r.Header.Get("Location"), "/staff/login/mfa") {
			t.Fatalf("password step went to %s", r.Header.Get("Location"))
		}
		if r := thief.Get("/staff/mfa/setup"); r.Status != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/staff/login/mfa") ||
			strings.Contains(string(r.Body), "data:image/png") {
			t.Fatalf("enrolment page offered to an enrolled account: %d %s", r.Status, r.Header.Get("Location"))
		}
		own := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
		if r := thief.Post("/staff/mfa/setup", url.Values{"code": {code(t, own, a.Clock.Now())}, "secret": {own}}); r.Status == 303 || r.Status == 200 {
			t.Fatalf("enrolment over an existing factor: %d %s", r.Status, r.Header.Get("Location"))
		}
		if r := thief.Get("/staff/admin/users"); r.Status != 303 {
			t.Fatalf("thief reached an admin page: %d", r.Status)
		}
		// the owner's authenticator still works
		owner := a.NewStaff()
		owner.Login(acc.Email, acc.Password, acc.TOTPSecret)
		if n := countAudit(t, a, "mfa.enrolled", ""); n != 0 {
			t.Fatalf("%d enrolments audited", n)
		}
	})
}

// Finding 2 (enrolment): the form carries no ciphertext; a ciphertext
// posted anyway is never decrypted or echoed.
func TestEnrolmentIsNoDecryptionOracle(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("mgr@h.org", models.RoleManager, testapp.NoSecondFactor())
		s := a.NewStaff()
		passwordStep(s, acc.Email, acc.Password)
		page := s.Get("/staff/mfa/setup")
		if page.Status != 200 || strings.Contains(string(page.Body), `name="sealed"`) {
			t.Fatalf("enrolment form: %d, carries a sealed field: %v", page.Status, strings.Contains(string(page.Body), `name="sealed"`))
		}
		stolen := a.Store.Crypto.Seal("Rosa Diaz +13125550100")
		r := s.Post("/staff/mfa/setup", url.Values{"sealed": {stolen}, "code": {"000000"}})
		if strings.Contains(string(r.Body), "Rosa Diaz") || strings.Contains(string(r.Body), "13125550100") {
			t.Fatal("the enrolment form decrypted a posted ciphertext")
		}
		if !strings.Contains(string(r.Body), totpSecretOf(t, page.Body)) {
			t.Fatal("a wrong code lost the server's own secret")
		}
	})
}

// Finding 3: next is a path under /staff/ or nothing: no CR/LF reaches
// the Location header, on the password step and the second step.
func TestNextCannotInjectHeaders(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("ana@h.org", models.RoleAgent)
		evil := "/staff/\r\nSet-Cookie: __Host-pv_session=attacker"
		check := func(step string, r testapp.Result, want string) {
			t.Helper()
			loc := r.Header.Get("Location")
			if strings.ContainsAny(loc, "\r\n") || !strings.HasPrefix(loc, want) || strings.Contains(loc, "Set-Cookie") {
				t.Errorf("%s: Location %q", step, loc)
			}
			for _, c := range r.Header.Values("Set-Cookie") {
				if strings.Contains(c, "attacker") {
					t.Errorf("%s: attacker cookie set: %s", step, c)
				}
			}
		}
		s := a.NewStaff()
		s.Get("/staff/login")
		r := s.Post("/staff/login", url.Values{"email": {acc.Email}, "password": {acc.Password}, "next": {evil}})
		check("password step", r, "/staff/login/mfa?next=%2Fstaff%2F")
		s.Get(r.Header.Get("Location"))
		r = s.Post("/staff/login/mfa", url.Values{"code": {a.Code(acc.TOTPSecret, acc.Email)}, "next": {evil}})
		check("second step", r, "/staff/")
		if r.Header.Get("Location") != "/staff/" {
			t.Errorf("second step: Location %q, want /staff/", r.Header.Get("Location"))
		}
		for _, bad := range []string{"//evil.example/", "https://evil.example/staff/", "/staff/../x", "/staff/%0d%0aX: y"} {
			s2 := a.NewStaff()
			s2.Get("/staff/login")
			r := s2.Post("/staff/login", url.Values{"email": {acc.Email}, "password": {acc.Password}, "next": {bad}})
			if loc := r.Header.Get("Location"); loc != "/staff/login/mfa?next=%2Fstaff%2F" {
				t.Errorf("next %q: Location %q", bad, loc)
			}
			a.Clock.Advance(30 * time.Second)
		}
	})
}

// Finding 5: the second step counts failures, locks, allows at most five
// codes per pending session, and accepts each time step once.
func TestSecondFactorCannotBeGuessedOrReplayed(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("mgr@h.org", models.RoleManager)
		ctx := context.Background()

		// 40 guesses in parallel on one pending session: at most five are
		// looked at, the session ends, the account locks
		s := a.NewStaff()
		passwordStep(s, acc.Email, acc.Password)
		s.Get("/staff/login/mfa")
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				s.Req("POST", "/staff/login/mfa", url.Values{"csrf": {s.CSRF}, "code": {strings.Repeat(string(rune('0'+i%10)), 6)}})
			}(i)
		}
		wg.Wait()
		if n := countAudit(t, a, "login.failed", "bad second factor"); n > models.MaxMFAAttempts {
			t.Fatalf("%d codes evaluated on one pending session; want at most %d", n, models.MaxMFAAttempts)
		}
		u, _ := a.Store.UserByEmail(ctx, acc.Email)
		if !u.Locked(a.Clock.Now()) {
			t.Fatal("five wrong codes did not lock the account")
		}
		// locked: the right password and the right code do not sign in
		s2 := a.NewStaff()
		if r := passwordStep(s2, acc.Email, acc.Password); r.Status != 401 {
			t.Fatalf("locked account passed the password step: %d", r.Status)
		}
		a.Clock.Advance(16 * time.Minute)

		// sequentially: the sixth code on one session ends it
		s3 := a.NewStaff()
		passwordStep(s3, acc.Email, acc.Password)
		s3.Get("/staff/login/mfa")
		for i := 0; i < models.MaxMFAAttempts-1; i++ {
			if r := s3.Post("/staff/login/mfa", url.Values{"code": {"000000"}}); r.Status != 401 {
				t.Fatalf("wrong code %d: %d", i+1, r.Status)
			}
		}
		// the lock counts the password and code attempts together: four
		// wrong codes plus this right one is within five
		good := a.Code(acc.TOTPSecret, acc.Email)
		if r := s3.Post("/staff/login/mfa", url.Values{"code": {good}}); r.Status != 303 || r.Header.Get("Location") != "/staff/" {
			t.Fatalf("right code after four wrong ones: %d %s", r.Status, r.Header.Get("Location"))
		}
		// the same code again (another sign-in in the same 30 s) is a replay
		s4 := a.NewStaff()
		passwordStep(s4, acc.Email, acc.Password)
		s4.Get("/staff/login/mfa")
		if r := s4.Post("/staff/login/mfa", url.Values{"code": {good}}); r.Status != 401 || !strings.Contains(string(r.Body), "already used") {
			t.Fatalf("replayed code: %d", r.Status)
		}
		for i := 0; i < models.MaxMFAAttempts-1; i++ {
			s4.Post("/staff/login/mfa", url.Values{"code": {"000000"}})
		}
		if r := s4.Post("/staff/login/mfa", url.Values{"code": {"000000"}}); r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "notice=mfa-attempts") {
			t.Fatalf("sixth code on one session: %d %s", r.Status, r.Header.Get("Location"))
		}
		if r := s4.Get("/staff/login/mfa"); r.Status != 303 {
			t.Fatalf("pending session survived: %d", r.Status)
		}
	})
}

// Finding 5: two sign-ins submitting the same fresh code at once: one
// wins. And the window is one step either side.
func TestSameCodeInParallelSignsInOnce(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("mgr@h.org", models.RoleManager)
		const n = 4 // pending sessions within the lockout's five attempts
		clients := make([]*testapp.Staff, n)
		for i := range clients {
			clients[i] = a.NewStaff()
			passwordStep(clients[i], acc.Email, acc.Password)
			clients[i].Get("/staff/login/mfa")
		}
		a.Clock.Advance(30 * time.Second)
		good := code(t, acc.TOTPSecret, a.Clock.Now())
		var wg sync.WaitGroup
		wins := make(chan int, n)
		for i := range clients {
			wg.Add(1)
			go func(s *testapp.Staff) {
				defer wg.Done()
				wins <- s.Req("POST", "/staff/login/mfa", url.Values{"csrf": {s.CSRF}, "code": {good}}).Status
			}(clients[i])
		}
		wg.Wait()
		close(wins)
		ok := 0
		for st := range wins {
			if st == 303 {
				ok++
			}
		}
		if ok != 1 {
			t.Fatalf("%d of %d parallel sign-ins with one code succeeded; want 1", ok, n)
		}
		a.Clock.Advance(16 * time.Minute)
		for _, tc := range []struct {
			offset time.Duration
			ok     bool
		}{{-60 * time.Second, false}, {-30 * time.Second, true}, {60 * time.Second, false}} {
			a.Clock.Advance(90 * time.Second)
			s := a.NewStaff()
			passwordStep(s, acc.Email, acc.Password)
			s.Get("/staff/login/mfa")
			r := s.Post("/staff/login/mfa", url.Values{"code": {code(t, acc.TOTPSecret, a.Clock.Now().Add(tc.offset))}})
			if (r.Status == 303) != tc.ok {
				t.Errorf("code from %v: %d, accepted %v", tc.offset, r.Status, tc.ok)
			}
		}
	})
}

// Finding 6: parallel wrong passwords cannot all be evaluated: the
// attempt is counted before the password is checked.
func TestLockoutHoldsUnderParallelGuesses(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.AgentMFA = false }, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("bo@h.org", models.RoleAgent, testapp.NoSecondFactor())
		const n = 25
		var wg sync.WaitGroup
		statuses := make(chan int, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				s := a.NewStaff()
				pw := "wrong password " + strings.Repeat("x", i)
				if i == n-1 {
					pw = acc.Password
				}
				statuses <- passwordStep(s, acc.Email, pw).Status
			}(i)
		}
		wg.Wait()
		close(statuses)
		in := 0
		for st := range statuses {
			if st == 303 {
				in++
			}
		}
		evaluated := countAudit(t, a, "login.failed", "bad password") + in
		if evaluated > models.LockAfter {
			t.Fatalf("%d of %d parallel passwords were checked; want at most %d", evaluated, n, models.LockAfter)
		}
		if in == 0 {
			if r := passwordStep(a.NewStaff(), acc.Email, acc.Password); r.Status != 401 {
				t.Fatalf("right password after the lock: %d", r.Status)
			}
		}
	})
}

// Finding 11: every failed sign-in waits the same, whether the account
// exists or not, and the wait does not grow with failures.
func TestFailedSignInTakesTheSameTime(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.AgentMFA = false }, func(t *testing.T, a *testapp.App) {
		var mu sync.Mutex
		var waits []time.Duration
		a.Server.Staff.SetSleep(func(d time.Duration) { mu.Lock(); waits = append(waits, d); mu.Unlock() })
		acc := a.NewAccount("bo@h.org", models.RoleAgent, testapp.NoSecondFactor())
		for i := 0; i < 4; i++ {
			passwordStep(a.NewStaff(), acc.Email, "wrong password!!")
			passwordStep(a.NewStaff(), "nobody@h.org", "wrong password!!")
		}
		passwordStep(a.NewStaff(), acc.Email, "wrong password!!") // locked now
		// each failure is held until 1 s after it arrived (a failure whose
		// work alone took longer on a loaded machine is not held at all)
		if len(waits) == 0 {
			t.Fatal("failures answered at once")
		}
		for i, w := range waits {
			if w <= 0 || w > time.Second {
				t.Errorf("failure %d waited %v; every failure ends 1 s after it arrived, never later", i, w)
			}
		}
	})
}

// Finding 12: agents need a second factor by default, and an agent with
// no department sees none.
func TestAgentDefaults(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		acc := a.NewAccount("new@h.org", models.RoleAgent, testapp.NoSecondFactor())
		if r := passwordStep(a.NewStaff(), acc.Email, acc.Password); !strings.HasPrefix(r.Header.Get("Location"), "/staff/mfa/setup") {
			t.Fatalf("agent without a second factor went to %s; want enrolment", r.Header.Get("Location"))
		}
		admin, _ := a.SignIn("root@h.org", models.RoleAdmin)
		admin.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"}, "priority": {"low"}, "summary": {"Cold soup"}})
		none, _ := a.SignIn("none@h.org", models.RoleAgent, testapp.Departments())
		if r := none.Get("/staff/"); strings.Contains(string(r.Body), `data-case="1"`) {
			t.Fatal("an agent with no department sees an ED case in the queue")
		}
		if r := none.Get("/staff/cases/1"); r.Status == 200 {
			t.Fatal("an agent with no department opened an ED case")
		}
		inpt, _ := a.SignIn("inpt@h.org", models.RoleAgent, testapp.Departments("INPT"))
		if r := inpt.Get("/staff/cases/1"); r.Status == 200 {
			t.Fatal("an INPT agent opened an ED case")
		}
		all, _ := a.SignIn("all@h.org", models.RoleAgent)
		if r := all.Get("/staff/cases/1"); r.Status != 200 {
			t.Fatalf("an all-departments agent: %d", r.Status)
		}
	})
}

// Finding 14: the banner shows known messages by key, never text from
// the URL.
func TestFlashByKeyOnly(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		s, _ := a.SignIn("ana@h.org", models.RoleAgent)
		phish := "Your session expired. Call 555-0100 and give your password."
		if r := s.Get("/staff/?flash=" + url.QueryEscape(phish)); strings.Contains(string(r.Body), "555-0100") || strings.Contains(string(r.Body), `class="flash"`) {
			t.Fatal("text from the URL shown in the staff banner")
		}
		if r := s.Get("/staff/?flash=note"); !strings.Contains(string(r.Body), "Note added.") {
			t.Fatal("a known flash key shows nothing")
		}
		r := s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"}, "priority": {"low"}, "summary": {"x"}})
		if loc := r.Header.Get("Location"); !strings.HasSuffix(loc, "?flash=case-opened") {
			t.Fatalf("redirect after a change: %s", loc)
		}
		if r := s.Get(r.Header.Get("Location")); !strings.Contains(string(r.Body), "Case opened.") {
			t.Fatal("flash key not shown")
		}
	})
}
