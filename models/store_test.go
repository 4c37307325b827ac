package models_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

func TestMigrateFreshAndAgain(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := testdb.Open(t, b, nil)
			ctx := context.Background()
			v, err := s.SchemaVersion(ctx)
			if err != nil || v != models.LatestSchemaVersion() {
				t.Fatalf("version %d, %v; want %d", v, err, models.LatestSchemaVersion())
			}
			n, err := s.Migrate(ctx)
			if err != nil || n != 0 {
				t.Fatalf("second migrate applied %d, %v; want 0", n, err)
			}
			ds, err := s.Departments(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var codes []string
			for _, d := range ds {
				codes = append(codes, d.Code)
			}
			if got := strings.Join(codes, ","); got != "ADMIN,BILL,ED,INPT,OUTPT" {
				t.Fatalf("departments %s", got)
			}
			for _, key := range []string{"kiosk", "post-discharge"} {
				def, _, err := s.SurveyByKey(ctx, key)
				if err != nil || len(def.Questions) == 0 {
					t.Fatalf("survey %s: %v", key, err)
				}
				if err := def.Check(); err != nil {
					t.Fatalf("seeded survey %s invalid: %v", key, err)
				}
			}
			rules, err := s.FlagRules(ctx)
			if err != nil || rules.LowRating != 2 || rules.LowNPS != 6 || len(rules.Safety) == 0 {
				t.Fatalf("flag rules %+v %v", rules, err)
			}
		})
	}
}

// Several servers starting at once must migrate and seed exactly once.
func TestMigrateConcurrently(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			stores := make([]*models.Store, 4)
			for i := range stores {
				crypto, _ := models.NewCrypto(testdb.Secret)
				s, err := models.Open(context.Background(), models.Options{Driver: b.Driver, DSN: b.DSN, Crypto: crypto})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				stores[i] = s
			}
			var wg sync.WaitGroup
			errs := make([]error, len(stores))
			for i, s := range stores {
				wg.Add(1)
				go func() { defer wg.Done(); _, errs[i] = s.Migrate(context.Background()) }()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			ds, _ := stores[0].Departments(context.Background())
			if len(ds) != 5 {
				t.Fatalf("%d departments after concurrent migrate; want 5", len(ds))
			}
		})
	}
}

// SQLite and MySQL end with the same tables, columns and named indexes.
func TestSchemaIdenticalOnBothBackends(t *testing.T) {
	bs := testdb.Backends(t)
	if len(bs) < 2 {
		t.Skip("PV_TEST_MYSQL_DSN not set: only SQLite available")
	}
	var reports [][]string
	for _, b := range bs {
		r, err := testdb.Open(t, b, nil).SchemaReport(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	a, b := strings.Join(reports[0], "\n"), strings.Join(reports[1], "\n")
	if a != b {
		t.Fatalf("schemas differ\nsqlite:\n%s\n\nmysql:\n%s", a, b)
	}
	if !strings.Contains(a, "responses#ux_responses_client(client_id) unique=true") {
		t.Fatalf("expected named unique index missing:\n%s", a)
	}
}

func TestProviderErrorsStoredWithoutPHI(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		m, _, err := s.Send(ctx, models.Draft{Channel: "sms", Kind: "reply", To: "+13125550101", Body: "x", IdempotencyKey: "k"})
		if err != nil {
			t.Fatal(err)
		}
		s.ClaimDue(ctx, "sms", "t", 1)
		s.MarkFailed(ctx, m.ID, "twilio 21211: The 'To' number +1 (312) 555-0101 is not valid; 550 <jane.roe@example.org>: no such user")
		got, _ := s.MessageByID(ctx, m.ID)
		if strings.Contains(got.LastError, "555") || strings.Contains(got.LastError, "jane") || !strings.Contains(got.LastError, "21211") {
			t.Fatalf("last_error %q", got.LastError)
		}
	})
}

// Every table has a primary key (Galera needs one to replicate rows), on
// both databases; a table made without one is reported, so the check can
// fail.
func TestEveryTableHasPrimaryKey(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s := testdb.Open(t, b, nil)
			ctx := context.Background()
			missing, err := s.TablesWithoutPrimaryKey(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(missing) > 0 {
				t.Fatalf("tables without a primary key: %v", missing)
			}
			raw, err := models.RawDB(models.Options{Driver: b.Driver, DSN: b.DSN})
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.Exec("CREATE TABLE pk_control (a INT, b INT)"); err != nil {
				t.Fatal(err)
			}
			missing, err = s.TablesWithoutPrimaryKey(ctx)
			if err != nil || len(missing) != 1 || missing[0] != "pk_control" {
				t.Fatalf("control table without a key: reported %v, %v", missing, err)
			}
		})
	}
}
