package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/pprof"
	"time"

	"github.com/patientvoice/patientvoice/bench"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

func benchCmd(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("bench [--suite ingest|pages|all] [--n N] [--concurrency C] [--pages-n N] [--pages-concurrency C] [--drain] [--export-rows R]",
		"The performance suite. ingest (the default): kiosk ingest through the full HTTP path against the raw INSERT ceiling, the Twilio webhook, the dispatcher's rate accuracy, RSS under load, cold start of this binary and the kiosk page weight. pages: the queue, case, cases API, dashboard and summary latencies and a CSV export, on the data in PV_DB (fill it first with \"patientvoice seed\"). all: both, then one table of every figure against its target. Everything writes to PV_DB: point it at a scratch database.", io)
	suite := fs.String("suite", "ingest", "ingest, pages or all")
	n := fs.Int("n", 3000, "ingest: requests per measurement")
	conc := fs.Int("concurrency", 32, "ingest: concurrent clients")
	pn := fs.Int("pages-n", 200, "pages: requests per measurement")
	pconc := fs.Int("pages-concurrency", 1, "pages: concurrent staff clients (1: one manager at a time; try 2 or 4 for a busy office)")
	drain := fs.Bool("drain", false, "ingest: also drain a 10,000-message backlog at TWILIO_RATE 100 (about 100 s)")
	exportRows := fs.Int("export-rows", 100000, "pages: export a date range holding about this many responses")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server and load) to this file, for go tool pprof")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *suite != "ingest" && *suite != "pages" && *suite != "all" {
		return errors.New("bench: --suite must be ingest, pages or all")
	}
	if *n < 10 || *conc < 1 || *pn < 10 || *pconc < 1 {
		return errors.New("bench: --n and --pages-n must be at least 10 and the concurrencies at least 1")
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	return withConfigStore(ctx, cfg, func(store *models.Store) error {
		var t table
		if *suite != "pages" {
			if err := runIngest(ctx, cfg, store, *n, *conc, *drain, io, &t); err != nil {
				return err
			}
		}
		if *suite != "ingest" {
			fmt.Fprintf(io.out, "\n== pages on %s, n=%d, concurrency=%d\n", cfg.DB.Driver, *pn, *pconc)
			res, err := bench.Pages(ctx, cfg, store, *pn, *pconc, *exportRows, io.out)
			if err != nil {
				return err
			}
			for _, k := range []string{"queue page", "queue page: new, ED, overdue", "case page", "GET /api/cases", "reports dashboard, 90 days", "GET /api/reports/summary 90 d"} {
				l := res.Steps[k]
				t.add(k+" p95", fmt.Sprintf("%.1f ms (p50 %.1f)", ms(l.P95), ms(l.P50)), "< 100 ms", l.P95 < 100*time.Millisecond)
			}
			e := res.Export
			t.add("CSV export", fmt.Sprintf("%d rows, %.0f rows/s, heap peak %.1f MB", e.Rows, float64(e.Rows)/e.Elapsed.Seconds(), float64(e.PeakHeap)/1e6), "streams", e.PeakHeap < 64<<20)
		}
		fmt.Fprintln(io.out)
		t.print(io)
		return nil
	})
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// table is the suite's summary: figure, value, target, met.
type table struct{ rows [][4]string }

func (t *table) add(name, value, target string, met bool) {
	m := "yes"
	if !met {
		m = "NO"
	}
	t.rows = append(t.rows, [4]string{name, value, target, m})
}

func (t *table) print(io stdio) {
	if len(t.rows) == 0 {
		return
	}
	fmt.Fprintln(io.out, "| figure | value | target | met |")
	fmt.Fprintln(io.out, "| --- | --- | --- | --- |")
	for _, r := range t.rows {
		fmt.Fprintf(io.out, "| %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3])
	}
}

func runIngest(ctx context.Context, cfg *config.Config, store *models.Store, n, conc int, drain bool, io stdio, t *table) error {
	raw, err := models.RawDB(models.Options{Driver: cfg.DB.Driver, DSN: cfg.DB.DSN})
	if err != nil {
		return err
	}
	defer raw.Close()
	o := bench.Options{N: n, Concurrency: conc}
	fmt.Fprintf(io.out, "== ingest on %s, n=%d, concurrency=%d\n\n", cfg.DB.Driver, n, conc)
	stopRSS := bench.RSSPeak()
	full, ceiling, err := bench.Kiosk(ctx, cfg, store, raw, o)
	rss := stopRSS()
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, full)
	fmt.Fprintln(io.out, ceiling)
	ratio := full.PerSecond() / ceiling.PerSecond()
	fmt.Fprintf(io.out, "%-34s %.2f (target >= 0.7)\n", "kiosk ingest ratio", ratio)
	fmt.Fprintf(io.out, "%-34s %.1f MB (server and load generator in one process)\n\n", "RSS peak under kiosk load", float64(rss)/1e6)
	t.add("kiosk ingest, full path vs raw INSERT", fmt.Sprintf("%.0f/s vs %.0f/s = %.2f", full.PerSecond(), ceiling.PerSecond(), ratio), ">= 0.7", ratio >= 0.7)
	t.add("RSS peak under load", fmt.Sprintf("%.1f MB", float64(rss)/1e6), "< 80 MB", rss < 80e6)
	wh, err := bench.Webhook(ctx, cfg, store, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, wh)
	at := o
	at.Rate, at.N = 500, max(n, 5000)
	wh500, err := bench.Webhook(ctx, cfg, store, at)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, wh500)
	fmt.Fprintln(io.out)
	t.add("Twilio webhook, as fast as it goes", fmt.Sprintf("%.0f req/s, p99 %.1f ms", wh.PerSecond(), ms(wh.P99)), "(capacity)", wh.PerSecond() >= 500)
	t.add("Twilio webhook at 500/s offered", fmt.Sprintf("p50 %.1f ms, p99 %.1f ms, %d errors", ms(wh500.P50), ms(wh500.P99), wh500.Errors), "p99 < 50 ms", wh500.P99 < 50*time.Millisecond && wh500.Errors == 0)
	worst := 0.0
	for _, r := range []struct {
		rate float64
		n    int
	}{{1, 21}, {10, 101}, {100, 1001}} {
		d, err := bench.Dispatch(ctx, cfg, store, r.rate, r.n)
		if err != nil {
			return err
		}
		fmt.Fprintln(io.out, d)
		worst = math.Max(worst, math.Abs(d.Achieved/d.Target-1))
	}
	t.add("dispatcher rate at 1, 10, 100/s", fmt.Sprintf("worst %.1f%% off", worst*100), "within 5%", worst <= 0.05)
	if drain {
		start := time.Now()
		d, err := bench.Dispatch(ctx, cfg, store, 100, 10000)
		if err != nil {
			return err
		}
		fmt.Fprintf(io.out, "drain 10,000 at TWILIO_RATE 100: %s (%.1f s wall)\n", d, time.Since(start).Seconds())
	}
	if bin, err := os.Executable(); err == nil {
		sec := []string{"PV_SECRET=" + cfg.Secret, "PV_DEMO=true"}
		cs, err := bench.StartBinary(ctx, bin, "SQLite, new file with demo data", "sqlite://$DIR/cold.db", sec)
		if err != nil {
			return err
		}
		fmt.Fprintln(io.out, cs)
		t.add("cold start, new SQLite with demo data", fmt.Sprintf("%.0f ms, RSS idle %.1f MB", ms(cs.Elapsed), float64(cs.RSS)/1e6), "< 1 s, < 80 MB", cs.Elapsed < time.Second && cs.RSS < 80e6)
		if cfg.DB.Driver == "mysql" {
			cs, err := bench.StartBinary(ctx, bin, "this MySQL database", "mysql://"+cfg.DB.DSN, []string{"PV_SECRET=" + cfg.Secret, "PV_DEMO=false"})
			if err != nil {
				return err
			}
			fmt.Fprintln(io.out, cs)
			t.add("cold start, existing MySQL", fmt.Sprintf("%.0f ms, RSS idle %.1f MB", ms(cs.Elapsed), float64(cs.RSS)/1e6), "< 1 s, < 80 MB", cs.Elapsed < time.Second && cs.RSS < 80e6)
		}
	}
	pw, err := bench.KioskPageWeight(ctx, cfg, store)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, pw)
	t.add("kiosk page weight", fmt.Sprintf("%.1f KB", float64(pw.HTML+pw.Assets)/1024), "small (no target)", true)
	return nil
}
