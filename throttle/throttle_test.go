package throttle_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/throttle"
)

// burst sends n requests at once and returns how many were not refused,
// and one refusal's Retry-After.
func burst(a *testapp.App, n int, method, path string) (passed int, retryAfter string) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := httptest.NewRequest(method, path, strings.NewReader("email=x%40h.org&password=nope"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := a.Do(req)
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if resp.StatusCode == 429 {
				retryAfter = resp.Header.Get("Retry-After")
			} else {
				passed++
			}
		}()
	}
	wg.Wait()
	return passed, retryAfter
}

// Finding 13: sign-in and the second step are limited per client address
// and overall, counted in the database, 429 with Retry-After.
func TestSignInThrottle(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.Throttles = config.Throttles{Login: 5} }, func(t *testing.T, a *testapp.App) {
		a.Server.Staff.SetSleep(func(time.Duration) {})
		passed, ra := burst(a, 25, "POST", "/staff/login")
		if passed != 5 {
			t.Fatalf("%d of 25 sign-in posts let through; want 5", passed)
		}
		if s, err := strconv.Atoi(ra); err != nil || s < 1 || s > 60 {
			t.Fatalf("Retry-After %q", ra)
		}
		if passed, _ := burst(a, 3, "POST", "/staff/login/mfa"); passed != 0 {
			t.Fatalf("the second step is not counted with sign-in: %d passed", passed)
		}
		a.Clock.Advance(time.Minute)
		if passed, _ := burst(a, 1, "POST", "/staff/login"); passed != 1 {
			t.Fatal("still refused a minute later")
		}
	})
	testapp.Each(t, func(c *config.Config) { c.Throttles = config.Throttles{Login: 100, LoginTotal: 3} }, func(t *testing.T, a *testapp.App) {
		a.Server.Staff.SetSleep(func(time.Duration) {})
		if passed, _ := burst(a, 25, "POST", "/staff/login"); passed != 3 {
			t.Fatalf("%d let through under an overall limit of 3", passed)
		}
	})
}

// Finding 13: the patients' link routes share one limit.
func TestLinkThrottle(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.Throttles = config.Throttles{Link: 4} }, func(t *testing.T, a *testapp.App) {
		passed, _ := burst(a, 10, "GET", "/s/1.deadbeef")
		if passed != 4 {
			t.Fatalf("%d of 10 survey link requests let through; want 4", passed)
		}
		for _, p := range []string{"/f/1.deadbeef", "/unsubscribe/1.deadbeef"} {
			if passed, _ := burst(a, 1, "GET", p); passed != 0 {
				t.Fatalf("%s not limited with the other link routes", p)
			}
		}
		if r := a.Call("GET", "/staff/login", "", nil); r.Status != 200 {
			t.Fatalf("staff login page limited by the link throttle: %d", r.Status)
		}
	})
}

// Finding 13: a flood becomes one audit row per minute, written once
// however many servers summarize.
func TestFloodIsOneAuditRow(t *testing.T) {
	testapp.Each(t, func(c *config.Config) { c.Throttles = config.Throttles{Login: 5, LoginTotal: 1000} }, func(t *testing.T, a *testapp.App) {
		a.Server.Staff.SetSleep(func(time.Duration) {})
		ctx := context.Background()
		burst(a, 200, "POST", "/staff/login")
		rows, _ := a.Store.AuditSearch(ctx, models.AuditFilter{Limit: 1000})
		if len(rows) > 5 {
			t.Fatalf("%d audit rows for a flood of 200 with a limit of 5", len(rows))
		}
		for i := 0; i < 2; i++ { // two servers' jobs
			if err := throttle.Summarize(ctx, a.Store, a.Clock.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		sums, _ := a.Store.AuditSearch(ctx, models.AuditFilter{Action: "throttle.signin"})
		if len(sums) != 1 || !strings.HasPrefix(sums[0].Detail, "195 signin requests refused") {
			t.Fatalf("summary rows %+v", sums)
		}
	})
}
