package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

func seedCmd(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("seed [--responses N] [--cases M] [--days D]",
		"Fill PV_DB with a large synthetic data set for benchmarks: responses with answers and comments over the last D days, kiosks, invitations, cases with timelines, and the report rollups. Point PV_DB at a scratch database: this is never for production.", io)
	responses := fs.Int("responses", 1000000, "responses to write")
	cases := fs.Int("cases", 50000, "cases to write")
	days := fs.Int("days", 365, "spread them over this many days before now")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *responses < 0 || *cases < 0 || *days < 1 {
		return errors.New("seed: --responses and --cases must be 0 or more and --days at least 1")
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	if cfg.Production() {
		return errors.New("seed: refused with PV_ENV=production (it writes synthetic patients)")
	}
	return withConfigStore(ctx, cfg, func(store *models.Store) error {
		start := time.Now()
		err := store.BulkSeed(ctx, models.BulkOptions{Responses: *responses, Cases: *cases, Days: *days, Now: time.Now(), Loc: cfg.Location,
			Progress: func(stage string, done, total int) {
				fmt.Fprintf(io.out, "%-22s %9d / %d  (%.0f s)\n", stage, done, total, time.Since(start).Seconds())
			}})
		if err != nil {
			return err
		}
		fmt.Fprintf(io.out, "seeded %d responses and %d cases in %.1f s\n", *responses, *cases, time.Since(start).Seconds())
		return nil
	})
}
