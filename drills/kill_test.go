package drills

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestKillDrill runs the built binary on MySQL, drives kiosk submissions
// at concurrency 32, SIGKILLs it at a random moment, restarts it and
// replays what was not acknowledged, as the kiosk's offline queue does.
// Every submission acknowledged with a 2xx before a kill must be stored
// exactly once at the end. 3 rounds; 20 with PV_LONG_DRILLS=1.
func TestKillDrill(t *testing.T) {
	dsn := requireMySQL(t)
	rounds := 3
	if long() {
		rounds = 20
	}
	run(t, dsn, "migrate")
	tok := kioskToken(t, dsn)
	port, dir := freePort(t), t.TempDir()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	acked := map[string]bool{}
	pending := map[string][]byte{} // sent, not acknowledged: the kiosk keeps these
	seq := 0
	var ackedBeforeKill, lostInFlight int
	for round := 1; round <= rounds; round++ {
		p := start(t, dsn, port, dir)
		// the offline queue first
		mu.Lock()
		replay := make(map[string][]byte, len(pending))
		for id, b := range pending {
			replay[id] = b
		}
		mu.Unlock()
		for id, b := range replay {
			if st, err := post(context.Background(), client, p.base, tok, b); err == nil && st/100 == 2 {
				mu.Lock()
				acked[id] = true
				delete(pending, id)
				mu.Unlock()
			} else if err == nil {
				t.Fatalf("replay answered %d", st)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := 0; w < 32; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for ctx.Err() == nil {
					cid := newID()
					mu.Lock()
					seq++
					b := submission(cid, seq)
					pending[cid] = b
					mu.Unlock()
					st, err := post(context.Background(), client, p.base, tok, b)
					if err == nil && st/100 == 2 {
						mu.Lock()
						acked[cid] = true
						delete(pending, cid)
						mu.Unlock()
					} else if err == nil && st != 503 {
						t.Errorf("submission answered %d", st)
					}
				}
			}()
		}
		time.Sleep(time.Duration(300+rand.IntN(1500)) * time.Millisecond)
		mu.Lock()
		ackedBeforeKill = len(acked)
		mu.Unlock()
		p.kill()
		cancel()
		wg.Wait()
		mu.Lock()
		lostInFlight += len(pending)
		mu.Unlock()
	}
	// last restart: drain the queue
	p := start(t, dsn, port, dir)
	for id, b := range pending {
		st, err := post(context.Background(), client, p.base, tok, b)
		if err != nil || st/100 != 2 {
			t.Fatalf("final replay: %d %v", st, err)
		}
		acked[id] = true
		delete(pending, id)
	}
	p.stop(t)
	store := openStore(t, dsn)
	n, err := store.CountResponses(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for id := range acked {
		if _, err := store.ResponseByClientID(context.Background(), id); err != nil {
			t.Errorf("acknowledged %s is not stored: %v", id, err)
		}
	}
	if n != int64(len(acked)) {
		t.Errorf("%d responses stored for %d distinct acknowledged submissions: duplicates or strays", n, len(acked))
	}
	t.Logf("kill drill: %d rounds, %d submissions acknowledged, %d unacknowledged at kills (replayed), %d stored, %d acknowledged before the last kill",
		rounds, len(acked), lostInFlight, n, ackedBeforeKill)
}
