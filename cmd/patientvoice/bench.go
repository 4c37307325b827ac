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
	fs := flags("bench [--n N] [--concurrency C] [--drain]",
		"Measure kiosk ingest (full path vs raw INSERT ceiling), the Twilio webhook and the dispatcher's rate on PV_DB. It writes test data: point PV_DB at a scratch database.", io)
	n := fs.Int("n", 3000, "requests per measurement")
	conc := fs.Int("concurrency", 32, "concurrent clients")
	drain := fs.Bool("drain", false, "also drain a 10,000-message backlog at TWILIO_RATE 100 (about 100 s)")
	if err := parse(fs, args); err != nil {
		return err
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
