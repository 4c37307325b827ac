package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

func createCmd(ctx context.Context, what string, args []string, io stdio, env func(string) (string, bool)) error {
	switch what {
	case "token":
		return tokenCreate(ctx, args, io, env)
	default:
		return kioskCreate(ctx, args, io, env)
	}
}

func withStore(ctx context.Context, env func(string) (string, bool), fn func(*models.Store) error) error {
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	return withConfigStore(ctx, cfg, fn)
}

// withConfigStore opens and migrates the store of an already parsed config.
func withConfigStore(ctx context.Context, cfg *config.Config, fn func(*models.Store) error) error {
	store, _, err := openStore(ctx, cfg, time.Now)
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(store)
}

func tokenCreate(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("token create --name NAME --scopes SCOPE[,SCOPE...]",
		"Create an API token for an integration and print it as the last line. Scopes: "+strings.Join(models.Scopes, ", ")+".", io)
	name := fs.String("name", "", "what the token is for, e.g. \"Epic discharge feed\" (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes (required)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		return errors.New("token create: --name is required")
	}
	sc, err := models.ParseScopes(*scopes)
	if err != nil {
		return fmt.Errorf("token create: --scopes: %w", err)
	}
	return withStore(ctx, env, func(store *models.Store) error {
		tok, _, err := store.CreateAPIToken(ctx, strings.TrimSpace(*name), sc)
		if err != nil {
			return err
		}
		_ = store.Audit(ctx, "cli", "token.create", "", "", *name+" "+strings.Join(sc, ","))
		fmt.Fprintf(io.out, "API token %q with scopes %s (shown once; store it now):\n%s\n", *name, strings.Join(sc, ","), tok)
		return nil
	})
}

func kioskCreate(ctx context.Context, args []string, io stdio, env func(string) (string, bool)) error {
	fs := flags("kiosk create --name NAME --department CODE",
		"Enrol a kiosk and print its device token as the last line. Open PV_BASE_URL/kiosk/TOKEN on the tablet.", io)
	name := fs.String("name", "", "kiosk name, e.g. \"ED waiting room\" (required)")
	dept := fs.String("department", "", "department code, e.g. ED (required)")
	location := fs.String("location", "", "where the kiosk stands")
	surveyKey := fs.String("survey", "kiosk", "survey key the kiosk asks")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" || strings.TrimSpace(*dept) == "" {
		return errors.New("kiosk create: --name and --department are required")
	}
	cfg, err := loadConfig(env)
	if err != nil {
		return err
	}
	return withStore(ctx, env, func(store *models.Store) error {
		tok, _, err := store.CreateKiosk(ctx, strings.TrimSpace(*name), *location, strings.ToUpper(strings.TrimSpace(*dept)), *surveyKey)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("kiosk create: unknown department %q or survey %q", *dept, *surveyKey)
		}
		if err != nil {
			return err
		}
		_ = store.Audit(ctx, "cli", "kiosk.create", "", "", *name)
		fmt.Fprintf(io.out, "Kiosk %q enrolled. Open %s/kiosk/TOKEN on the device. Token (shown once):\n%s\n", *name, cfg.BaseURL, tok)
		return nil
	})
}
