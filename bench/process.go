package bench

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/server"
)

// rssOf reads a process's resident set size from /proc (Linux).
func rssOf(pid string) (uint64, error) {
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("no VmRSS for %s", pid)
}

// RSSPeak samples this process's RSS until stop is called and returns
// the peak.
func RSSPeak() (stop func() uint64) {
	return peakOf(func() uint64 { v, _ := rssOf("self"); return v })
}

// peakOf calls sample every 20 ms until stop is called and returns the
// largest value seen.
func peakOf(sample func() uint64) (stop func() uint64) {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			if v := sample(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// ColdStart is one measured start of the binary.
type ColdStart struct {
	What    string
	Elapsed time.Duration
	RSS     uint64 // after 2 s idle
}

func (c ColdStart) String() string {
	return fmt.Sprintf("%-34s %7.0f ms to a healthy /healthz, RSS idle %.1f MB", "cold start: "+c.What, float64(c.Elapsed.Microseconds())/1000, float64(c.RSS)/1e6)
}

// StartBinary runs "patientvoice serve" from bin with the given database
// and measures the time until /healthz first answers 200 and the RSS once
// idle. env adds to the environment (PV_SECRET and the like).
func StartBinary(ctx context.Context, bin, what, db string, env []string) (ColdStart, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ColdStart{}, err
	}
	addr := ln.Addr().String()
	ln.Close()
	dir, err := os.MkdirTemp("", "pv-coldstart")
	if err != nil {
		return ColdStart{}, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, bin, "serve")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...), "PV_DB="+strings.ReplaceAll(db, "$DIR", dir), "PV_ADDR="+addr)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return ColdStart{}, err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	c := &http.Client{Timeout: time.Second}
	for time.Since(start) < 30*time.Second {
		resp, err := c.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				out := ColdStart{What: what, Elapsed: time.Since(start)}
				time.Sleep(2 * time.Second)
				out.RSS, _ = rssOf(strconv.Itoa(cmd.Process.Pid))
				return out, nil
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return ColdStart{}, fmt.Errorf("cold start %s: not healthy in 30 s", what)
}

// PageWeight is what a kiosk downloads on a cold load, compressed.
type PageWeight struct {
	HTML, Assets int64
	Files        int
}

func (p PageWeight) String() string {
	return fmt.Sprintf("%-34s %7.1f KB transferred (HTML %.1f KB + %d assets %.1f KB, gzip)", "kiosk page weight",
		float64(p.HTML+p.Assets)/1024, float64(p.HTML)/1024, p.Files, float64(p.Assets)/1024)
}

var assetRe = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

// KioskPageWeight loads a kiosk's page and every static file it links,
// as a browser with gzip would, and adds up the bytes on the wire.
func KioskPageWeight(ctx context.Context, cfg *config.Config, store *models.Store) (PageWeight, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	base, _, err := serve(ctx, cfg, store, server.Senders{SMS: &sending.DevSMS{}, Email: sending.DevEmail{}})
	if err != nil {
		return PageWeight{}, err
	}
	tok, _, err := store.CreateKiosk(ctx, "Bench weight", "", "ED", "kiosk")
	if err != nil {
		return PageWeight{}, err
	}
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	get := func(path string) (int64, string, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		resp, err := c.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		wire, err := io.ReadAll(resp.Body)
		if err != nil {
			return 0, "", err
		}
		body := wire
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(string(wire)))
			if err == nil {
				body, _ = io.ReadAll(zr)
			}
		}
		return int64(len(wire)), string(body), nil
	}
	var w PageWeight
	n, html, err := get("/kiosk/" + tok)
	if err != nil {
		return w, err
	}
	w.HTML = n
	seen := map[string]bool{}
	for _, m := range assetRe.FindAllStringSubmatch(html, -1) {
		p := strings.SplitN(m[1], "?", 2)[0]
		if seen[p] || filepath.Ext(p) == "" {
			continue
		}
		seen[p] = true
		n, _, err := get(m[1])
		if err != nil {
			return w, err
		}
		w.Assets += n
		w.Files++
	}
	return w, nil
}
