// Package bench measures the product on a real database: kiosk ingest
// through the full HTTP path against a raw database/sql ceiling, the
// Twilio webhook, and the dispatcher's rate accuracy. It backs the
// "patientvoice bench" command; figures, not pass/fail.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/server"
)

// Options sizes a run.
type Options struct {
	N           int // requests per measurement
	Concurrency int
	Drain       bool    // also drain a 10,000-message backlog at 100/s
	Rate        float64 // offered requests per second (open loop); 0 = closed loop
	Out         io.Writer
}

// Latency summarises one measurement.
type Latency struct {
	Name          string
	N             int
	Elapsed       time.Duration
	P50, P95, P99 time.Duration
	Errors        int64
}

// PerSecond is the throughput.
func (l Latency) PerSecond() float64 { return float64(l.N) / l.Elapsed.Seconds() }

func (l Latency) String() string {
	return fmt.Sprintf("%-34s %6d req  %8.0f/s  p50 %7.2f ms  p95 %7.2f ms  p99 %7.2f ms  errors %d", l.Name, l.N, l.PerSecond(),
		ms(l.P50), ms(l.P95), ms(l.P99), l.Errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// run fires n calls of fn at the given concurrency and measures them.
func run(name string, n, conc int, fn func(i int) error) Latency {
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t := time.Now()
				if err := fn(i); err != nil {
					errs.Add(1)
				}
				lat[i] = time.Since(t)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	return Latency{Name: name, N: n, Elapsed: el, P50: lat[n/2], P95: lat[n*95/100], P99: lat[n*99/100], Errors: errs.Load()}
}

// runAt sends n calls at a fixed rate whatever the answers' speed (open
// loop, as Twilio does) and measures each from when it was due, so a
// server that falls behind shows it in the percentiles.
func runAt(name string, n int, rate float64, fn func(i int) error) Latency {
	lat := make([]time.Duration, n)
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		time.Sleep(time.Until(due))
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if err := fn(i); err != nil {
				errs.Add(1)
			}
			lat[i] = time.Since(due)
		}(i)
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(a, b int) bool { return lat[a] < lat[b] })
	return Latency{Name: name, N: n, Elapsed: el, P50: lat[n/2], P95: lat[n*95/100], P99: lat[n*99/100], Errors: errs.Load()}
}

// serve starts the full application on loopback.
func serve(ctx context.Context, cfg *config.Config, store *models.Store, snd server.Senders) (string, *server.Server, error) {
	srv, err := server.New(server.Deps{Config: cfg, Store: store, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Senders: snd})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() { _ = srv.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), srv, nil
}

func client(conc int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: conc * 2, MaxConnsPerHost: conc * 2}}
}

func post(c *http.Client, url, ctype, auth string, body []byte, hdr map[string]string) error {
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", ctype)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return nil
}
