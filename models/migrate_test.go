package models_test

import (
	"context"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

// A database of the release before migration 10 has invitations.token_hash
// and its index; migrating drops both.
func TestMigrationDropsInvitationTokenHash(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			ctx := context.Background()
			s := testdb.Open(t, b, nil)
			raw, err := models.RawDB(models.Options{Driver: b.Driver, DSN: b.DSN})
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			for _, q := range []string{"ALTER TABLE invitations ADD COLUMN token_hash varchar(64)",
				"CREATE INDEX ix_invitations_token ON invitations (token_hash)", "DELETE FROM schema_migrations WHERE version = 10"} {
				if _, err := raw.ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			if n, err := s.Migrate(ctx); err != nil || n != 1 {
				t.Fatalf("migrate: %d %v", n, err)
			}
			rep, err := s.SchemaReport(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if all := strings.Join(rep, "\n"); strings.Contains(all, "invitations.token_hash") || strings.Contains(all, "ix_invitations_token") {
				t.Fatalf("token_hash still there:\n%s", all)
			}
		})
	}
}
