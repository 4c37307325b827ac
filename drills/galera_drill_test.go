package drills

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
)

// TestGaleraDrill runs the product on a real three-node MariaDB Galera
// cluster: server A on node 1, server B on node 2 through a failover TCP
// proxy (as HAProxy would put it), both started at once on an empty
// database.
//
//  1. Both migrate at once: the migrations apply once.
//  2. Kiosk submissions alternate between the servers and each is replayed
//     on the other one right after its acknowledgement (some go to both at
//     once); discharges go to both at once; every patient's SMS reply is
//     delivered by Twilio to both, signed. Nothing may answer 500; replays
//     answer the first body; no response, case, invitation or SMS twice.
//  3. Under kiosk load node 2 is SIGKILLed. Every submission acknowledged
//     before the kill must be on node 1; server B, now sent to node 1 by
//     the proxy, carries on; what was not acknowledged is replayed as the
//     kiosk's offline queue would.
//  4. Node 2 restarts, rejoins by incremental state transfer and holds
//     what was written without it.
//
// PV_TEST_GALERA=1 runs it (CI does); the figures print with go test -v.
func TestGaleraDrill(t *testing.T) {
	requireGalera(t)
	cluster := startGalera(t)
	n1, n2 := cluster.nodes[0], cluster.nodes[1]
	n1.exec(t, "CREATE DATABASE pvdrill CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
	const db = "pvdrill"

	tw := sendingtest.NewTwilio(t)
	px := newProxy(t, n2.addr(), n1.addr()) // B's database address: node 2, else node 1
	portA, portB := freePort(t), freePort(t)
	serverEnv := func(dbAddr string, port int) []string {
		return append(env("root@tcp("+dbAddr+")/"+db+"?parseTime=true", port),
			"PV_BASE_URL="+sendingtest.BaseURL, // one public address (the load balancer's) for both
			"PV_SURVEY_DELAY=0s", "PV_QUIET_HOURS=", "TWILIO_RATE=50",
			"TWILIO_ACCOUNT_SID="+sendingtest.AccountSID, "TWILIO_AUTH_TOKEN="+sendingtest.AuthToken,
			"TWILIO_FROM="+sendingtest.From, "TWILIO_API_URL="+tw.URL)
	}
	// 1. both servers start together on the empty database
	a := launch(t, serverEnv(n1.addr(), portA), portA, t.TempDir())
	b := launch(t, serverEnv(px.addr, portB), portB, t.TempDir())
	stopped := false
	defer func() {
		if !stopped {
			a.kill()
			b.kill()
		}
	}()
	a.waitHealthy(t)
	b.waitHealthy(t)
	servers := []*proc{a, b}
	dsn1 := n1.dsn(db)
	kioskTok := kioskTokenAt(t, dsn1)
	apiTok := lastLine(run(t, dsn1, "token", "create", "--name", "drill-feed", "--scopes", "discharges:write"))

	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	var st drillStats
	ld := &kioskLoad{client: client, tok: kioskTok, servers: servers, acked: map[string]bool{}, pending: map[string][]byte{}, contacts: map[string]bool{}, st: &st}

	// 2. everything twice, across both servers, all at once
	stopLoad := ld.run(6)
	const patients = 24
	phones := dischargeBoth(t, client, servers, apiTok, patients, &st)
	waitSMS(t, tw, phones, 1)
	replyBoth(t, client, servers, phones, &st)
	waitSMS(t, tw, phones, 2)
	stopLoad()
	phase1 := ld.ackedCount()

	// 3. node 2 dies under load
	stopLoad = ld.run(8)
	time.Sleep(2 * time.Second)
	ackedBeforeKill := ld.ackedIDs()
	killedAt := time.Now()
	n2.kill()
	time.Sleep(8 * time.Second)
	stopLoad()
	missing := missingOn(t, dsn1, ackedBeforeKill)
	bAfterKill := ld.okAfter(b, killedAt)
	firstB := ld.firstOKAfter(b, killedAt)
	if len(missing) > 0 {
		t.Errorf("%d of %d submissions acknowledged before the kill are not on node 1, e.g. %s", len(missing), len(ackedBeforeKill), missing[0])
	}
	if bAfterKill == 0 {
		t.Errorf("server B answered no submission after node 2 died: the proxy did not carry it to node 1")
	}
	replayed := ld.drain(t, a)

	// 4. node 2 comes back and catches up
	rejoin := cluster.restart(n2)
	n2Count, n2Sum := responseDigest(t, n2.dsn(db))
	n1Count, n1Sum := responseDigest(t, dsn1)
	if n2Count != n1Count || n2Sum != n1Sum {
		t.Errorf("node 2 after rejoining holds %d responses (digest %d), node 1 %d (%d)", n2Count, n2Sum, n1Count, n1Sum)
	}

	// the books
	retried := scrapeRetries(t, client, servers)
	a.stop(t)
	b.stop(t)
	stopped = true
	acked := ld.ackedIDs()
	lost := missingOn(t, dsn1, acked)
	counts := tableCounts(t, dsn1)
	if len(lost) > 0 {
		t.Errorf("%d acknowledged submissions lost", len(lost))
	}
	if counts["responses"] != int64(len(acked)) {
		t.Errorf("%d responses stored for %d distinct acknowledged submissions (duplicates or strays)", counts["responses"], len(acked))
	}
	if want := int64(ld.contactCount()); counts["cases"] != want {
		t.Errorf("%d cases for %d submissions with a contact request", counts["cases"], want)
	}
	if counts["invitations"] != patients || counts["encounters"] != patients || counts["inbound_messages"] != patients {
		t.Errorf("%d invitations, %d encounters, %d inbound messages for %d patients", counts["invitations"], counts["encounters"], counts["inbound_messages"], patients)
	}
	dupSMS := 0
	for _, p := range phones {
		if got := len(tw.To(p)); got != 2 {
			dupSMS += got - 2
			t.Errorf("%s received %d SMS; want 2 (invitation, next question)", p, got)
		}
	}
	if v := counts["schema_migrations"]; v != int64(models.LatestSchemaVersion()) {
		t.Errorf("%d migrations recorded; want %d", v, models.LatestSchemaVersion())
	}
	migrated := strings.Count(a.logs.String(), `"msg":"migrated"`) + strings.Count(b.logs.String(), `"msg":"migrated"`)
	if migrated != 1 {
		t.Errorf("%d servers applied migrations; want exactly 1", migrated)
	}
	for name, n := range map[string]int64{"500 answers": st.fivehundreds.Load(), "replays with another body": st.replayMismatch.Load(),
		"discharges answered differently": st.dischargeMismatch.Load(), "webhooks not 200": st.webhookErrors.Load()} {
		if n > 0 {
			t.Errorf("%d %s", n, name)
		}
	}
	t.Logf("galera drill: %d kiosk submissions acknowledged (%d before node 2 was killed, %d with both nodes up), lost %d, duplicate responses %d, "+
		"replays on the other server %d (%d answered another body, %d answered 500), concurrent doubles %d",
		len(acked), len(ackedBeforeKill), phase1, len(lost), counts["responses"]-int64(len(acked)),
		st.replays.Load(), st.replayMismatch.Load(), st.fivehundreds.Load(), st.doubles.Load())
	t.Logf("galera drill: %d discharges x2 -> %d invitations; %d webhooks x2 -> %d inbound; %d SMS for %d patients (duplicates %d); %d cases for %d contact requests; migrations applied by %d server",
		patients, counts["invitations"], patients, counts["inbound_messages"], len(tw.Sent()), patients, dupSMS, counts["cases"], ld.contactCount(), migrated)
	t.Logf("galera drill: after the SIGKILL of node 2, server B answered %d submissions (first %v after the kill), %d unacknowledged replayed; node 2 rejoined in %v with %d responses (node 1: %d)",
		bAfterKill, firstB.Round(time.Millisecond), replayed, rejoin.Round(time.Millisecond), n2Count, n1Count)
	t.Logf("galera drill: conflicts retried %s; %d answers 503 (the kiosk replays them)", retried, st.unavailable.Load())
	if t.Failed() {
		for name, p := range map[string]*proc{"A": a, "B": b} {
			for _, line := range strings.Split(p.logs.String(), "\n") {
				if !strings.Contains(line, `"msg":"http"`) {
					t.Logf("%s: %s", name, line)
				}
			}
		}
	}
}

// drillStats counts what the clients saw.
type drillStats struct {
	fivehundreds, unavailable, replays, replayMismatch, doubles, dischargeMismatch, webhookErrors atomic.Int64
}

// kioskLoad is kiosks submitting to both servers, with an offline queue.
type kioskLoad struct {
	client   *http.Client
	tok      string
	servers  []*proc
	st       *drillStats
	seq      atomic.Int64
	mu       sync.Mutex
	acked    map[string]bool
	pending  map[string][]byte
	contacts map[string]bool
	oks      []okAt
}

type okAt struct {
	srv *proc
	at  time.Time
}

// run starts workers; the returned func stops them and waits.
func (l *kioskLoad) run(workers int) func() {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				l.one()
			}
		}()
	}
	return func() { cancel(); wg.Wait() }
}

// one submission: to one server, then replayed to the other right after
// the acknowledgement; every fourth goes to both at once.
func (l *kioskLoad) one() {
	i := int(l.seq.Add(1))
	id := newID()
	contact := i%5 == 0
	body := kioskBody(id, i, contact)
	l.mu.Lock()
	l.pending[id] = body
	if contact {
		l.contacts[id] = true
	}
	l.mu.Unlock()
	x, y := l.servers[i%2], l.servers[(i+1)%2]
	if i%4 == 0 {
		l.st.doubles.Add(1)
		var wg sync.WaitGroup
		res := make([]result, 2)
		for k, srv := range []*proc{x, y} {
			wg.Add(1)
			go func() { defer wg.Done(); res[k] = l.post(srv, body) }()
		}
		wg.Wait()
		if res[0].ok() && res[1].ok() && res[0].body != res[1].body {
			l.st.replayMismatch.Add(1)
		}
		if res[0].ok() || res[1].ok() {
			l.ack(id)
		}
		return
	}
	first := l.post(x, body)
	if !first.ok() {
		return // the kiosk keeps it and replays later
	}
	l.ack(id)
	l.st.replays.Add(1)
	again := l.post(y, body)
	if again.ok() && again.body != first.body {
		l.st.replayMismatch.Add(1)
	}
}

type result struct {
	status int
	body   string
	err    error
}

func (r result) ok() bool { return r.err == nil && r.status/100 == 2 }

func (l *kioskLoad) post(srv *proc, body []byte) result {
	req, _ := http.NewRequest("POST", srv.base+"/api/kiosk/responses", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+l.tok)
	resp, err := l.client.Do(req)
	if err != nil {
		return result{err: err}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	switch resp.StatusCode {
	case 500:
		l.st.fivehundreds.Add(1)
	case 503:
		l.st.unavailable.Add(1)
	}
	if resp.StatusCode/100 == 2 {
		l.mu.Lock()
		l.oks = append(l.oks, okAt{srv, time.Now()})
		l.mu.Unlock()
	}
	return result{status: resp.StatusCode, body: string(b)}
}

func (l *kioskLoad) ack(id string) {
	l.mu.Lock()
	l.acked[id] = true
	delete(l.pending, id)
	l.mu.Unlock()
}

func (l *kioskLoad) ackedIDs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, 0, len(l.acked))
	for id := range l.acked {
		out = append(out, id)
	}
	return out
}

func (l *kioskLoad) ackedCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

func (l *kioskLoad) contactCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.contacts)
}

func (l *kioskLoad) okAfter(srv *proc, t time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, o := range l.oks {
		if o.srv == srv && o.at.After(t) {
			n++
		}
	}
	return n
}

func (l *kioskLoad) firstOKAfter(srv *proc, t time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var first time.Time
	for _, o := range l.oks {
		if o.srv == srv && o.at.After(t) && (first.IsZero() || o.at.Before(first)) {
			first = o.at
		}
	}
	if first.IsZero() {
		return -1
	}
	return first.Sub(t)
}

// drain replays the offline queue until every submission is acknowledged.
func (l *kioskLoad) drain(t *testing.T, srv *proc) int {
	l.mu.Lock()
	queue := make(map[string][]byte, len(l.pending))
	for id, b := range l.pending {
		queue[id] = b
	}
	l.mu.Unlock()
	for id, b := range queue {
		if r := l.post(srv, b); !r.ok() {
			t.Fatalf("replaying the offline queue: %d %v %s", r.status, r.err, r.body)
		}
		l.ack(id)
	}
	return len(queue)
}

func kioskBody(id string, i int, contact bool) []byte {
	at := time.Now().UTC().Format(time.RFC3339Nano)
	if contact {
		return []byte(fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","submitted_at":%q,"answers":[{"question":"overall","value":1}],"contact":{"name":"Galera Patient %d","phone":"+1773555%04d","message":"please call"}}`,
			id, at, i, i%10000))
	}
	return []byte(fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","submitted_at":%q,"answers":[{"question":"overall","value":%d},{"question":"clean","value":true}]}`,
		id, at, 3+i%3))
}

// dischargeBoth posts each discharge to both servers at once; both must
// answer 2xx with the same invitation.
func dischargeBoth(t *testing.T, c *http.Client, servers []*proc, tok string, n int, st *drillStats) []string {
	var phones []string
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		phone := fmt.Sprintf("+1312555%04d", 6000+i)
		phones = append(phones, phone)
		body := fmt.Sprintf(`{"encounter_id":"GAL%d","department":"INPT","discharged_at":%q,"patient":{"name":"Galera Discharge %d","phone":%q,"language":"en"}}`,
			i, time.Now().UTC().Add(-time.Hour).Format(time.RFC3339), i, phone)
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := make([]result, 2)
			var both sync.WaitGroup
			for k, srv := range servers {
				both.Add(1)
				go func() {
					defer both.Done()
					res[k] = postJSON(c, srv.base+"/api/discharges", tok, body)
				}()
			}
			both.Wait()
			for _, r := range res {
				if !r.ok() {
					if r.status == 500 {
						st.fivehundreds.Add(1)
					}
					t.Errorf("discharge GAL%d: %d %v %s", i, r.status, r.err, r.body)
				}
			}
			if res[0].ok() && res[1].ok() && res[0].body != res[1].body {
				st.dischargeMismatch.Add(1)
				t.Errorf("discharge GAL%d answered %s and %s", i, res[0].body, res[1].body)
			}
		}()
	}
	wg.Wait()
	return phones
}

func postJSON(c *http.Client, u, tok, body string) result {
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.Do(req)
	if err != nil {
		return result{err: err}
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return result{status: resp.StatusCode, body: string(b)}
}

// replyBoth delivers each patient's answer, signed, to both servers at
// once, as a Twilio retry landing on the other server would.
func replyBoth(t *testing.T, c *http.Client, servers []*proc, phones []string, st *drillStats) {
	var wg sync.WaitGroup
	for i, p := range phones {
		form := url.Values{"MessageSid": {fmt.Sprintf("SMgalera%024d", i)}, "From": {p}, "To": {sendingtest.From}, "Body": {"4"},
			"AccountSid": {sendingtest.AccountSID}}
		sig := sendingtest.Sign(sendingtest.AuthToken, sendingtest.BaseURL+"/webhooks/twilio/sms", form)
		for _, srv := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("POST", srv.base+"/webhooks/twilio/sms", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Twilio-Signature", sig)
				resp, err := c.Do(req)
				if err != nil {
					st.webhookErrors.Add(1)
					t.Errorf("webhook: %v", err)
					return
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					st.webhookErrors.Add(1)
					if resp.StatusCode == 500 {
						st.fivehundreds.Add(1)
					}
					t.Errorf("webhook %s: %d %s", p, resp.StatusCode, b)
				}
			}()
		}
	}
	wg.Wait()
}

// waitSMS waits until every phone has at least n messages, then a moment
// more so a duplicate would show.
func waitSMS(t *testing.T, tw *sendingtest.Twilio, phones []string, n int) {
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		done := true
		for _, p := range phones {
			if len(tw.To(p)) < n {
				done = false
				break
			}
		}
		if done {
			time.Sleep(time.Second)
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("SMS did not all go out within 40 s: %d sent", len(tw.Sent()))
}

// nodeDB opens a node's database on one connection that sees every
// commit of the cluster (wsrep_sync_wait).
func nodeDB(t *testing.T, dsn string) (*sql.Conn, func()) {
	t.Helper()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION wsrep_sync_wait = 1"); err != nil {
		t.Fatal(err)
	}
	return conn, func() { conn.Close(); db.Close() }
}

// missingOn lists the client ids not stored on the node.
func missingOn(t *testing.T, dsn string, ids []string) []string {
	t.Helper()
	conn, done := nodeDB(t, dsn)
	defer done()
	have := map[string]bool{}
	rows, err := conn.QueryContext(context.Background(), "SELECT client_id FROM responses")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		have[id] = true
	}
	var out []string
	for _, id := range ids {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out
}

// responseDigest is the count and a checksum of the stored client ids.
func responseDigest(t *testing.T, dsn string) (int64, int64) {
	t.Helper()
	conn, done := nodeDB(t, dsn)
	defer done()
	var n, sum int64
	if err := conn.QueryRowContext(context.Background(), "SELECT COUNT(*), COALESCE(SUM(CRC32(client_id)), 0) FROM responses").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	return n, sum
}

func tableCounts(t *testing.T, dsn string) map[string]int64 {
	t.Helper()
	conn, done := nodeDB(t, dsn)
	defer done()
	out := map[string]int64{}
	for _, table := range []string{"responses", "cases", "invitations", "encounters", "inbound_messages", "schema_migrations", "outbound_messages"} {
		var n int64
		if err := conn.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

// scrapeRetries sums the retried-write counters of both servers' /metrics.
func scrapeRetries(t *testing.T, c *http.Client, servers []*proc) string {
	sums := map[string]float64{}
	for _, srv := range servers {
		resp, err := c.Get(srv.base + "/metrics")
		if err != nil {
			t.Errorf("metrics: %v", err)
			continue
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "patientvoice_db_retries_total{") {
				continue
			}
			cause := strings.TrimSuffix(strings.TrimPrefix(line[:strings.Index(line, "}")], `patientvoice_db_retries_total{cause="`), `"`)
			v, _ := strconv.ParseFloat(strings.TrimSpace(line[strings.Index(line, "}")+1:]), 64)
			sums[cause] += v
		}
		resp.Body.Close()
	}
	if len(sums) == 0 {
		t.Errorf("no patientvoice_db_retries_total on /metrics")
	}
	var parts []string
	for _, cause := range []string{"conflict", "lock_wait", "conn_lost", "gave_up"} {
		parts = append(parts, fmt.Sprintf("%s=%.0f", cause, sums[cause]))
	}
	return strings.Join(parts, " ")
}

func kioskTokenAt(t *testing.T, dsn string) string {
	return lastLine(run(t, dsn, "kiosk", "create", "--name", "Galera lobby", "--department", "ED"))
}

func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
