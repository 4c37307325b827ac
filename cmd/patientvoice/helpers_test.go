package main

import (
	"context"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

func openForTest(t *testing.T, c cli) *models.Store {
	cfg, err := loadConfig(c.lookup)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := openStore(context.Background(), cfg, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
