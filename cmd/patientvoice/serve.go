package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/demo"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/server"
	"github.com/patientvoice/patientvoice/triage"
)

func serveCmd(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("serve", "Apply pending migrations, then run the server until SIGTERM.", io)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(io.err, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return serve(ctx, cfg, log, io, time.Now, nil)
}

// serve wires every package together and runs until ctx ends. ready, when
// not nil, receives the listening address (tests).
func serve(ctx context.Context, cfg *config.Config, log *slog.Logger, io stdio, now func() time.Time, ready func(addr string)) error {
	started := time.Now()
	store, applied, err := openStore(ctx, cfg, now)
	if err != nil {
		return err
	}
	defer store.Close()
	if applied > 0 {
		log.Info("migrated", "applied", applied, "version", models.LatestSchemaVersion())
	}
	srv, err := server.New(server.Deps{Config: cfg, Store: store, Log: log, Now: now})
	if err != nil {
		return err
	}
	if err := bootstrapAccounts(ctx, cfg, store, srv.Intake, io); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("PV_ADDR: %w", err)
	}
	log.Info("listening", "addr", ln.Addr().String(), "db", cfg.DB.Driver, "startup", time.Since(started).String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	return srv.Serve(ctx, ln)
}

// bootstrapAccounts creates the PV_ADMIN_EMAIL admin and the demo content
// on a new database, printing credentials once.
func bootstrapAccounts(ctx context.Context, cfg *config.Config, store *models.Store, intake *triage.Intake, io stdio) error {
	if cfg.AdminEmail != "" && cfg.AdminPassword != "" {
		n, err := store.CountAdmins(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			if _, err := store.CreateUser(ctx, models.NewUser{Email: cfg.AdminEmail, Name: "Administrator", Role: models.RoleAdmin, Password: cfg.AdminPassword}); err != nil && !errors.Is(err, models.ErrConflict) {
				return fmt.Errorf("PV_ADMIN_PASSWORD: %w", err)
			}
		}
	}
	if !cfg.Demo {
		return nil
	}
	res, err := demo.Seed(ctx, store, intake)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "\n  %s is running (demo data).\n", cfg.OrgName)
	fmt.Fprintf(io.out, "  Staff login:  %s/staff/login\n", cfg.BaseURL)
	if res.AdminPassword != "" {
		fmt.Fprintf(io.out, "  Admin:        %s  password: %s  (shown once; choose your own at the first sign-in)\n", res.AdminEmail, res.AdminPassword)
	} else {
		fmt.Fprintf(io.out, "  Admin:        %s  (password was printed on the first run)\n", res.AdminEmail)
	}
	if res.KioskToken != "" {
		fmt.Fprintf(io.out, "  Demo kiosk:   %s/kiosk/%s\n\n", cfg.BaseURL, res.KioskToken)
	}
	return nil
}
