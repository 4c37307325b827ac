package demo_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/demo"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
	"github.com/patientvoice/patientvoice/triage"
)

// Four servers starting together on a new database seed the demo once:
// one kiosk, one admin, one printed password, one set of responses; and
// every one of them learns the kiosk's address.
func TestSeedOnceAcrossServers(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			stores := make([]*models.Store, 4)
			for i := range stores {
				stores[i] = testdb.Open(t, b, nil)
			}
			results := make([]demo.Result, len(stores))
			errs := make([]error, len(stores))
			var wg sync.WaitGroup
			for i, s := range stores {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = demo.Seed(context.Background(), s, triage.NewIntake(s, triage.DefaultSLA(), triage.Notifiers{}, time.Now))
				}()
			}
			wg.Wait()
			passwords := 0
			for i, r := range results {
				if errs[i] != nil {
					t.Fatal(errs[i])
				}
				if r.KioskToken == "" || r.KioskToken != results[0].KioskToken {
					t.Fatalf("server %d got kiosk token %q, server 0 %q", i, r.KioskToken, results[0].KioskToken)
				}
				if r.AdminPassword != "" {
					passwords++
				}
			}
			ctx := context.Background()
			kiosks, _ := stores[0].Kiosks(ctx)
			n, _ := stores[0].CountResponses(ctx)
			if passwords != 1 || len(kiosks) != 1 || n != 40 {
				t.Fatalf("%d passwords printed, %d kiosks, %d responses; want 1, 1, 40", passwords, len(kiosks), n)
			}
			// a later start changes nothing
			again, err := demo.Seed(ctx, stores[1], triage.NewIntake(stores[1], triage.DefaultSLA(), triage.Notifiers{}, time.Now))
			if err != nil || again.AdminPassword != "" || again.KioskToken != results[0].KioskToken {
				t.Fatalf("second start: %+v %v", again, err)
			}
			if n2, _ := stores[0].CountResponses(ctx); n2 != 40 {
				t.Fatalf("%d responses after a second start", n2)
			}
		})
	}
}
