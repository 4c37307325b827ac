package drills

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
	"github.com/patientvoice/patientvoice/server"
	"github.com/patientvoice/patientvoice/testdb"
)

type node struct {
	srv  *server.Server
	logs *bytes.Buffer
	mu   *sync.Mutex
}

func (n node) do(t *testing.T, method, path, ctype, auth string, body []byte, hdr map[string]string) (int, string) {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := n.srv.App.Test(req, -1)
	if err != nil {
		t.Error(err)
		return 0, ""
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(b)
}

// lockedBuffer is a log sink two goroutines may write.
type lockedBuffer struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (l lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// TestTwoServersOneDatabase runs two servers, each with its own pool, on
// one MySQL database: the same kiosk submissions, discharges and webhooks
// arrive at both, both dispatch. Nothing may be stored or sent twice.
// Then, after this full run, the PHI leak check dumps every table and
// every log line both servers wrote, looking for the test patients.
func TestTwoServersOneDatabase(t *testing.T) {
	dsn := requireMySQL(t)
	b := testdb.Backend{Name: "mysql", Driver: "mysql", DSN: dsn}
	tw, mail := sendingtest.NewTwilio(t), sendingtest.NewSMTP(t)
	cfg, err := config.Parse(func(k string) (string, bool) {
		v, ok := map[string]string{"PV_SECRET": testdb.Secret, "PV_DB": b.URL(), "PV_KIOSK_RATE": "0", "PV_QUIET_HOURS": "", "PV_SURVEY_DELAY": "0s"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	sendingtest.Wire(cfg, tw, mail, "pv@hospital.example")
	var nodes []node
	for i := 0; i < 2; i++ {
		store := testdb.Open(t, b, nil)
		n := node{logs: &bytes.Buffer{}, mu: &sync.Mutex{}}
		log := slog.New(slog.NewJSONHandler(lockedBuffer{n.mu, n.logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
		if n.srv, err = server.New(server.Deps{Config: cfg, Store: store, Log: log, Now: time.Now}); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
	}
	st := testdb.Open(t, b, nil)
	ctx := context.Background()
	ktok, _, err := st.CreateKiosk(ctx, "Lobby", "", "ED", "kiosk")
	if err != nil {
		t.Fatal(err)
	}
	atok, _, err := st.CreateAPIToken(ctx, "feed", []string{models.ScopeDischargesWrite})
	if err != nil {
		t.Fatal(err)
	}
	both := func(fn func(n node)) {
		var wg sync.WaitGroup
		for _, n := range nodes {
			for r := 0; r < 2; r++ { // twice each: four deliveries in all
				wg.Add(1)
				go func() { defer wg.Done(); fn(n) }()
			}
		}
		wg.Wait()
	}
	const kiosks, patients = 60, 12
	// kiosk submissions, every one arriving four times across both servers;
	// every fifth is a low score with a contact request: a case
	comments := []string{}
	for i := 0; i < kiosks; i++ {
		id := fmt.Sprintf("6c1f1c4e-0000-4000-8000-%012d", i)
		body := fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[{"question":"overall","value":%d}]}`, id, 4)
		if i%5 == 0 {
			c := fmt.Sprintf("Drill comment %d: the night nurse ignored the call bell", i)
			comments = append(comments, c)
			body = fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[{"question":"overall","value":1},{"question":"comment","value":%q}],"contact":{"name":"Drill Patient %d","phone":"(312) 555-%04d","email":"drill%d@example.org","consent":true}}`, id, c, i, 7000+i, i)
		}
		both(func(n node) {
			if st, b := n.do(t, "POST", "/api/kiosk/responses", "application/json", ktok, []byte(body), nil); st/100 != 2 {
				t.Errorf("kiosk: %d %s", st, b)
			}
		})
	}
	// discharges, each posted four times across both servers
	phones := []string{}
	for i := 0; i < patients; i++ {
		phone := fmt.Sprintf("+1312555%04d", 8000+i)
		phones = append(phones, phone)
		body := fmt.Sprintf(`{"encounter_id":"D%d","department":"INPT","discharged_at":"2026-11-01T10:00:00Z","patient":{"name":"Discharged Patient %d","phone":%q,"language":"en"}}`, i, i, phone)
		both(func(n node) {
			if st, b := n.do(t, "POST", "/api/discharges", "application/json", atok, []byte(body), nil); st != 202 && st != 200 {
				t.Errorf("discharge: %d %s", st, b)
			}
		})
	}
	dispatch := func() {
		for round := 0; round < 6; round++ {
			var wg sync.WaitGroup
			for _, n := range nodes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := n.srv.Dispatcher.Tick(ctx); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
	}
	dispatch()
	for _, p := range phones {
		if got := len(tw.To(p)); got != 1 {
			t.Errorf("%s got %d invitations; want 1", p, got)
		}
	}
	// each patient answers; Twilio delivers every webhook four times,
	// spread over both servers
	sign := func(path string, form url.Values) map[string]string {
		return map[string]string{"X-Twilio-Signature": sendingtest.Sign(sendingtest.AuthToken, sendingtest.BaseURL+path, form)}
	}
	for i, p := range phones {
		form := url.Values{"MessageSid": {fmt.Sprintf("SMdrill%026d", i)}, "From": {p}, "To": {"+15005550006"}, "Body": {"2"},
			"AccountSid": {sendingtest.AccountSID}}
		both(func(n node) {
			if st, b := n.do(t, "POST", "/webhooks/twilio/sms", "application/x-www-form-urlencoded", "", []byte(form.Encode()), sign("/webhooks/twilio/sms", form)); st != 200 {
				t.Errorf("webhook: %d %s", st, b)
			}
		})
	}
	dispatch()
	for _, p := range phones {
		if got := len(tw.To(p)); got != 2 {
			t.Errorf("%s got %d messages after one answer delivered four times; want 2", p, got)
		}
	}
	// status callbacks out of order, across servers: delivered, then a late sent
	for _, m := range tw.Sent() {
		for i, status := range []string{"delivered", "sent"} {
			f := url.Values{"MessageSid": {m.SID}, "MessageStatus": {status}}
			cb, _ := url.Parse(m.StatusCallback)
			path := cb.Path + "?" + cb.RawQuery
			if st, b := nodes[i].do(t, "POST", path, "application/x-www-form-urlencoded", "", []byte(f.Encode()), sign(path, f)); st != 200 {
				t.Errorf("status callback: %d %s", st, b)
			}
		}
	}
	out, _ := st.Outbox(ctx, models.OutboxFilter{})
	for _, m := range out {
		if m.Channel == "sms" && m.Status != models.OutDelivered {
			t.Errorf("message %d ends %s after delivered+sent; want delivered", m.ID, m.Status)
		}
	}
	nResp, _ := st.CountResponses(ctx)
	nCases, _ := st.CountCases(ctx, models.CaseFilter{})
	if nResp != kiosks || nCases != int64(kiosks/5) {
		t.Errorf("%d responses and %d cases; want %d and %d", nResp, nCases, kiosks, kiosks/5)
	}
	t.Logf("two servers: %d kiosk submissions x4, %d discharges x4, %d webhooks x4 + %d status callbacks: %d responses, %d cases, %d SMS sent",
		kiosks, patients, patients, 2*len(tw.Sent()), nResp, nCases, len(tw.Sent()))

	// PHI leak check over everything this run wrote
	dump, err := st.DumpText(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	for _, n := range nodes {
		n.mu.Lock()
		logs.WriteString(n.logs.String())
		n.mu.Unlock()
	}
	// controls: the dump and the logs do hold this run's data
	if !strings.Contains(dump, "6c1f1c4e-0000-4000-8000-000000000005") || !strings.Contains(logs.String(), "/api/kiosk/responses") {
		t.Fatalf("the dump or the logs miss this run's data: the leak check would prove nothing")
	}
	var secrets []string
	for i := 0; i < kiosks; i += 5 {
		secrets = append(secrets, fmt.Sprintf("Drill Patient %d", i), fmt.Sprintf("312555%04d", 7000+i), fmt.Sprintf("555-%04d", 7000+i), fmt.Sprintf("drill%d@example.org", i))
	}
	for i, p := range phones {
		secrets = append(secrets, p, strings.TrimPrefix(p, "+1"), fmt.Sprintf("Discharged Patient %d", i))
	}
	secrets = append(secrets, comments...)
	secrets = append(secrets, "ignored the call bell")
	leaks := 0
	for _, sec := range secrets {
		for _, enc := range []string{sec, hex.EncodeToString([]byte(sec)), base64.StdEncoding.EncodeToString([]byte(sec)), base64.RawURLEncoding.EncodeToString([]byte(sec))} {
			for where, text := range map[string]string{"database": dump, "logs": logs.String()} {
				if strings.Contains(strings.ToLower(text), strings.ToLower(enc)) {
					leaks++
					t.Errorf("%q found in the %s", sec, where)
				}
			}
		}
	}
	t.Logf("PHI leak check: %d identifiers x 4 encodings over %d KB of table dump and %d KB of logs: %d found", len(secrets), len(dump)/1024, logs.Len()/1024, leaks)
}
