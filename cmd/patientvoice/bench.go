package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/patientvoice/patientvoice/bench"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

func benchCmd(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("bench [--suite ingest|pages] [--n N] [--concurrency C] [--drain] [--export-rows R]",
		"Suite ingest (the default): kiosk ingest (full path vs raw INSERT ceiling), the Twilio webhook and the dispatcher's rate. Suite pages: the queue, case, cases API, dashboard and summary latencies and a CSV export, on the data in PV_DB (fill it with \"patientvoice seed\"). Both write to PV_DB: point it at a scratch database.", io)
	suite := fs.String("suite", "ingest", "ingest or pages")
	n := fs.Int("n", 3000, "requests per measurement (pages: try 200)")
	conc := fs.Int("concurrency", 32, "concurrent clients (pages: try 4)")
	drain := fs.Bool("drain", false, "also drain a 10,000-message backlog at TWILIO_RATE 100 (about 100 s)")
	exportRows := fs.Int("export-rows", 100000, "pages: export a date range holding about this many responses")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *suite == "pages" {
		cfg, err := loadConfig(env)
		if err != nil {
			return err
		}
		return withConfigStore(ctx, cfg, func(store *models.Store) error {
			fmt.Fprintf(io.out, "patientvoice bench pages on %s, n=%d, concurrency=%d\n", cfg.DB.Driver, *n, *conc)
			return bench.Pages(ctx, cfg, store, *n, *conc, *exportRows, io.out)
		})
	}
	if *suite != "ingest" {
		return fmt.Errorf("bench: --suite must be ingest or pages")
	}
	if *n < 10 || *conc < 1 {
		return errors.New("bench: --n must be at least 10 and --concurrency at least 1")
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	return withConfigStore(ctx, cfg, func(store *models.Store) error { return runBench(ctx, cfg, store, *n, *conc, *drain, io) })
}

func runBench(ctx context.Context, cfg *config.Config, store *models.Store, n, conc int, drain bool, io stdio) error {
	raw, err := models.RawDB(models.Options{Driver: cfg.DB.Driver, DSN: cfg.DB.DSN})
	if err != nil {
		return err
	}
	defer raw.Close()
	o := bench.Options{N: n, Concurrency: conc}
	fmt.Fprintf(io.out, "patientvoice bench on %s, n=%d, concurrency=%d\n\n", cfg.DB.Driver, n, conc)
	full, ceiling, err := bench.Kiosk(ctx, cfg, store, raw, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, full)
	fmt.Fprintln(io.out, ceiling)
	fmt.Fprintf(io.out, "%-28s %.2f (target >= 0.7)\n\n", "kiosk ingest ratio", full.PerSecond()/ceiling.PerSecond())
	wh, err := bench.Webhook(ctx, cfg, store, o)
	if err != nil {
		return err
	}
	fmt.Fprintln(io.out, wh)
	fmt.Fprintln(io.out)
	for _, r := range []struct {
		rate float64
		n    int
	}{{1, 21}, {10, 101}, {100, 1001}} {
		d, err := bench.Dispatch(ctx, cfg, store, r.rate, r.n)
		if err != nil {
			return err
		}
		fmt.Fprintln(io.out, d)
	}
	if drain {
		start := time.Now()
		d, err := bench.Dispatch(ctx, cfg, store, 100, 10000)
		if err != nil {
			return err
		}
		fmt.Fprintf(io.out, "drain 10,000 at TWILIO_RATE 100: %s (%.1f s wall)\n", d, time.Since(start).Seconds())
	}
	return nil
}
