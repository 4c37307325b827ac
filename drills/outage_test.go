package drills

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
)

// TestDatabaseOutageDrill puts a TCP proxy between the built server and
// MySQL and cuts it for 30 s under kiosk load (60 s with
// PV_LONG_DRILLS=1). Every request must be answered within 5 s (503 while
// the database is away, never 500), /healthz must say 503, the first 2xx
// must come within 10 s of the database returning, and nothing
// acknowledged may be lost.
func TestDatabaseOutageDrill(t *testing.T) {
	dsn := requireMySQL(t)
	outage := 30 * time.Second
	if long() {
		outage = 60 * time.Second
	}
	run(t, dsn, "migrate")
	tok := kioskToken(t, dsn)
	cfg, err := mysqldriver.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, cfg.Addr)
	cfg.Addr = px.addr
	viaProxy := cfg.FormatDSN()
	p := start(t, viaProxy, freePort(t), t.TempDir())
	defer p.stop(t)

	type result struct {
		at      time.Time
		status  int
		latency time.Duration
		err     error
	}
	var mu sync.Mutex
	var results []result
	var health []result
	acked := map[string]bool{}
	pending := map[string][]byte{}
	client := &http.Client{Timeout: 8 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				id := newID()
				b := submission(id, w*100000+i)
				start := time.Now()
				st, err := post(context.Background(), client, p.base, tok, b)
				r := result{at: start, status: st, latency: time.Since(start), err: err}
				mu.Lock()
				results = append(results, r)
				if err == nil && st/100 == 2 {
					acked[id] = true
				} else {
					pending[id] = b
				}
				mu.Unlock()
				if err != nil || st/100 != 2 {
					time.Sleep(500 * time.Millisecond) // the kiosk backs off
				} else {
					time.Sleep(20 * time.Millisecond)
				}
			}
		}(w)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for ctx.Err() == nil {
			start := time.Now()
			resp, err := client.Get(p.base + "/healthz")
			r := result{at: start, latency: time.Since(start), err: err}
			if err == nil {
				r.status = resp.StatusCode
				resp.Body.Close()
			}
			mu.Lock()
			health = append(health, r)
			mu.Unlock()
			time.Sleep(200 * time.Millisecond)
		}
	}()
	time.Sleep(3 * time.Second)
	cutAt := time.Now()
	px.Cut()
	time.Sleep(outage)
	px.Restore()
	backAt := time.Now()
	time.Sleep(15 * time.Second)
	cancel()
	wg.Wait()

	var slow, errs, fivehundreds, during503 int
	var firstOK time.Time
	var maxLat time.Duration
	for _, r := range results {
		maxLat = max(maxLat, r.latency)
		switch {
		case r.err != nil:
			errs++
		case r.status == 500:
			fivehundreds++
		case r.status == 503 && r.at.After(cutAt) && r.at.Before(backAt):
			during503++
		}
		if r.latency > 5*time.Second {
			slow++
		}
		if r.status/100 == 2 && r.at.After(backAt) && (firstOK.IsZero() || r.at.Before(firstOK)) {
			firstOK = r.at.Add(r.latency)
		}
	}
	if slow > 0 || errs > 0 {
		t.Errorf("%d requests took over 5 s and %d got no answer (max latency %v)", slow, errs, maxLat)
	}
	if fivehundreds > 0 {
		t.Errorf("%d requests answered 500 instead of 503", fivehundreds)
	}
	if during503 == 0 {
		t.Errorf("no 503 seen while the database was away")
	}
	var health503 bool
	for _, h := range health {
		if h.at.After(cutAt.Add(2*time.Second)) && h.at.Before(backAt) && h.status == 503 {
			health503 = true
		}
		if h.latency > 5*time.Second {
			t.Errorf("/healthz took %v", h.latency)
		}
	}
	if !health503 {
		t.Errorf("/healthz never said 503 during the outage")
	}
	recovery := firstOK.Sub(backAt)
	if firstOK.IsZero() || recovery > 10*time.Second {
		t.Errorf("first 2xx %v after the database returned; want within 10 s", recovery)
	}
	// the kiosks replay what was refused; everything acknowledged is there
	for id, b := range pending {
		st, err := post(context.Background(), client, p.base, tok, b)
		if err != nil || st/100 != 2 {
			t.Fatalf("replay after the outage: %d %v", st, err)
		}
		acked[id] = true
	}
	store := openStore(t, dsn)
	n, err := store.CountResponses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(acked)) {
		t.Errorf("%d stored for %d acknowledged", n, len(acked))
	}
	t.Logf("outage drill: %v outage, %d requests (%d answered 503 during it), max latency %v, first 2xx %v after the database returned, %d replayed, %d stored",
		outage, len(results), during503, maxLat.Round(time.Millisecond), recovery.Round(time.Millisecond), len(pending), n)
}
