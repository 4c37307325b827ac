package inviting_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
)

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"(312) 555-0142", "+44 20 7946 0958", "312.555.0142 ext 5", "+", "", "0000", "١٢٣", "+1 (312) 555-0142;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := contact.NormalizePhone(s, "US")
		if err != nil || n == "" {
			return
		}
		if !strings.HasPrefix(n, "+") {
			t.Fatalf("%q normalised to %q: not E.164", s, n)
		}
		again, err := contact.NormalizePhone(n, "US")
		if err != nil || again != n {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", s, n, again, err)
		}
	})
}

func FuzzCSVImport(f *testing.F) {
	f.Add("encounter_id,name,phone,email,language,department,discharged_at\nE1,A,+13125550142,,en,ED,2026-11-26T10:00:00Z\n")
	f.Add("encounter_id,name,phone,email,language,department,discharged_at\n\"E2,A,,a@b.org,en,ED,2026-11-26 10:00\n")
	f.Add("\ufeffencounter_id,name,phone,email,language,department,discharged_at,sms_consent\nE3,,,,,,,\n")
	f.Add("")
	a := testapp.New(f, testdb.Backend{Name: "sqlite", Driver: "sqlite", DSN: f.TempDir() + "/fuzz.db"}, nil)
	f.Fuzz(func(t *testing.T, s string) {
		// validation only: the fuzzer explores the parser and checks, not
		// the database's write speed
		res, err := a.Server.Inviting.CheckCSV(context.Background(), bytes.NewReader([]byte(s)))
		if err != nil && !strings.Contains(err.Error(), "header") {
			t.Fatalf("import error that is not the user's: %v", err)
		}
		for _, r := range res.Rejected {
			if r.Line < 2 || r.Error == "" {
				t.Fatalf("bad rejection %+v", r)
			}
		}
	})
}
