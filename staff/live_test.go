package staff_test

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

// stream is an open /staff/events answer read line by line.
type stream struct {
	status int
	lines  chan string
	close  func()
}

func openStream(t *testing.T, base string, s *testapp.Staff) *stream {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/staff/events", nil)
	req.Header.Set("Cookie", "__Host-pv_session="+s.Cookies["__Host-pv_session"])
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	st := &stream{status: resp.StatusCode, lines: make(chan string, 100), close: func() { resp.Body.Close() }}
	t.Cleanup(st.close)
	go func() {
		defer close(st.lines)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			st.lines <- sc.Text()
		}
	}()
	return st
}

// waitFor reads lines until one equals want (true) or the stream closes
// or the time is up (false).
func (st *stream) waitFor(want string, within time.Duration) bool {
	deadline := time.After(within)
	for {
		select {
		case l, ok := <-st.lines:
			if !ok {
				return false
			}
			if l == want {
				return true
			}
		case <-deadline:
			return false
		}
	}
}

// Finding 7: the live stream and partial refreshes are not activity; the
// stream ends when the session idles out, at sign-out, and a session
// holds at most three.
func TestLiveStreamDoesNotKeepSessionAlive(t *testing.T) {
	a, base := liveSite(t)
	s, _ := a.SignIn("ana@h.org", models.RoleAgent)
	st := openStream(t, base, s)
	if st.status != 200 || !st.waitFor("retry: 3000", 5*time.Second) {
		t.Fatalf("stream: %d", st.status)
	}
	a.Clock.Advance(10 * time.Minute)
	if r := s.Req("GET", "/staff/?partial=1", nil); r.Status != 200 {
		t.Fatalf("partial refresh: %d", r.Status)
	}
	a.Clock.Advance(6 * time.Minute) // 16 minutes since the last thing the user did
	if !st.waitFor("event: ended", 10*time.Second) {
		t.Fatal("the stream outlived the idle limit")
	}
	if r := s.Get("/staff/"); r.Status != 303 {
		t.Fatalf("session alive after 16 idle minutes: %d", r.Status)
	}
}

func TestLiveStreamsPerSessionAndLogout(t *testing.T) {
	a, base := liveSite(t)
	s, _ := a.SignIn("ana@h.org", models.RoleAgent)
	var open []*stream
	for i := 0; i < 3; i++ {
		st := openStream(t, base, s)
		if st.status != 200 || !st.waitFor("retry: 3000", 5*time.Second) {
			t.Fatalf("stream %d: %d", i+1, st.status)
		}
		open = append(open, st)
	}
	if st := openStream(t, base, s); st.status != 429 {
		t.Fatalf("fourth stream: %d; want 429", st.status)
	}
	other, _ := a.SignIn("bo@h.org", models.RoleAgent)
	if st := openStream(t, base, other); st.status != 200 {
		t.Fatalf("another session's stream: %d", st.status)
	}
	if r := s.Post("/staff/logout", nil); r.Status != 303 {
		t.Fatalf("logout: %d", r.Status)
	}
	for i, st := range open {
		if !st.waitFor("event: ended", 5*time.Second) {
			t.Fatalf("stream %d open after sign-out", i+1)
		}
	}
	// a slot of an ended session is free for nobody: the session is gone
	if st := openStream(t, base, s); st.status != 303 {
		t.Fatalf("stream after sign-out: %d", st.status)
	}
	if !strings.Contains(s.Get("/staff/").Header.Get("Location"), "/staff/login") {
		t.Fatal("signed-out session still works")
	}
}
