package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

// errHelp ends a command after it printed its help.
var errHelp = errors.New("help shown")

// flags builds a flag set that prints its usage to out and never exits.
func flags(name, summary string, io stdio) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.out)
	fs.Usage = func() {
		fmt.Fprintf(io.out, "Usage: patientvoice %s\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// loadConfig parses the environment and, in development without
// PV_SECRET, loads or creates data/secret.
func loadConfig(env func(string) (string, bool)) (*config.Config, error) {
	cfg, err := config.Parse(env)
	if err != nil {
		return nil, err
	}
	if cfg.Secret == "" {
		s, err := devSecret(filepath.Join(cfg.DataDir, "secret"))
		if err != nil {
			return nil, fmt.Errorf("PV_SECRET: unset, and the development secret could not be kept: %w", err)
		}
		cfg.Secret = s
	}
	return cfg, nil
}

func devSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		s := strings.TrimSpace(string(b))
		if len(s) < 32 {
			return "", fmt.Errorf("%s is shorter than 32 characters", path)
		}
		return s, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	raw := make([]byte, 36)
	_, _ = rand.Read(raw)
	s := base64.RawURLEncoding.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) { // another process made it first
			return devSecret(path)
		}
		return "", err
	}
	defer f.Close()
	if _, err := f.WriteString(s + "\n"); err != nil {
		return "", err
	}
	return s, nil
}

// openStore connects and migrates; every command needs an up-to-date schema.
func openStore(ctx context.Context, cfg *config.Config, now func() time.Time) (*models.Store, int, error) {
	crypto, err := models.NewCrypto(cfg.Secret)
	if err != nil {
		return nil, 0, fmt.Errorf("PV_SECRET: %w", err)
	}
	store, err := models.Open(ctx, models.Options{Driver: cfg.DB.Driver, DSN: cfg.DB.DSN, Crypto: crypto, Now: now})
	if err != nil {
		return nil, 0, err
	}
	n, err := store.Migrate(ctx)
	if err != nil {
		store.Close()
		return nil, 0, err
	}
	return store, n, nil
}

func migrateCmd(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("migrate", "Bring the database schema up to date and exit. Safe to run twice and from several hosts.", io)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	store, n, err := openStore(ctx, cfg, time.Now)
	if err != nil {
		return err
	}
	defer store.Close()
	v, err := store.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.out, "schema at version %d (%d migration(s) applied now)\n", v, n)
	return nil
}
