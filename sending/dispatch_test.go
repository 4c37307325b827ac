package sending_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
	"github.com/patientvoice/patientvoice/testdb"
)

func twilioSender(t *testing.T, tw *sendingtest.Twilio) *sending.Twilio {
	s, err := sending.NewTwilio(&config.Config{BaseURL: "https://pv.example", Twilio: config.Twilio{AccountSID: "AC1", AuthToken: "tok", From: "+15005550006", APIURL: tw.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// Two dispatchers on two connection pools to one database send every
// message exactly once.
func TestTwoDispatchersSendOnce(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			tw := sendingtest.NewTwilio(t)
			s1 := testdb.Open(t, b, nil)
			s2 := testdb.Open(t, b, nil)
			ctx := context.Background()
			const n = 120
			for i := 0; i < n; i++ {
				pri := models.PriorityBulk
				if i%10 == 0 {
					pri = models.PriorityInteractive
				}
				if _, _, err := s1.Send(ctx, models.Draft{Channel: "sms", Kind: "invitation", To: fmt.Sprintf("+1312555%04d", i),
					Body: fmt.Sprintf("msg %d", i), Priority: pri, IdempotencyKey: fmt.Sprintf("k%d", i)}); err != nil {
					t.Fatal(err)
				}
			}
			if _, created, _ := s1.Send(ctx, models.Draft{Channel: "sms", Kind: "invitation", To: "+13125550000", Body: "dup", IdempotencyKey: "k0"}); created {
				t.Fatal("duplicate idempotency key enqueued twice")
			}
			d1 := sending.NewDispatcher(s1, twilioSender(t, tw), sending.DevEmail{}, 1000, nil, quiet, time.Now)
			d2 := sending.NewDispatcher(s2, twilioSender(t, tw), sending.DevEmail{}, 1000, nil, quiet, time.Now)
			var wg sync.WaitGroup
			for _, d := range []*sending.Dispatcher{d1, d2} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for j := 0; j < 200; j++ {
						if _, err := d.Tick(ctx); err != nil {
							t.Error(err)
							return
						}
						if len(tw.Sent()) >= n {
							return
						}
					}
				}()
			}
			wg.Wait()
			seen := map[string]int{}
			for _, m := range tw.Sent() {
				seen[m.Body]++
			}
			if len(seen) != n || len(tw.Sent()) != n {
				t.Fatalf("sent %d messages, %d distinct; want %d each once", len(tw.Sent()), len(seen), n)
			}
			counts, _ := s1.OutboxCounts(ctx)
			if counts[models.OutSent] != n {
				t.Fatalf("outbox %v", counts)
			}
		})
	}
}

// A dispatcher that dies after claiming rows never sends them twice: the
// rows end unknown, shown on the Outbox page.
func TestKilledDispatcherLeavesUnknown(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			tw := sendingtest.NewTwilio(t)
			clock := testdb.NewClock(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC))
			s := testdb.Open(t, b, clock.Now)
			ctx := context.Background()
			for i := 0; i < 5; i++ {
				s.Send(ctx, models.Draft{Channel: "sms", Kind: "reply", To: fmt.Sprintf("+1312555%04d", i), Body: "x", IdempotencyKey: fmt.Sprintf("k%d", i)})
			}
			held, err := s.ClaimDue(ctx, "sms", "dead-server", 3) // claimed, then the process is killed
			if err != nil || len(held) != 3 {
				t.Fatalf("claim %d %v", len(held), err)
			}
			d := sending.NewDispatcher(s, twilioSender(t, tw), sending.DevEmail{}, 1000, nil, quiet, clock.Now)
			d.Tick(ctx)
			if len(tw.Sent()) != 2 {
				t.Fatalf("the survivor sent %d; want only the 2 unclaimed", len(tw.Sent()))
			}
			clock.Advance(sending.StaleAfter + time.Second)
			d.Tick(ctx)
			counts, _ := s.OutboxCounts(ctx)
			if len(tw.Sent()) != 2 || counts[models.OutUnknown] != 3 || counts[models.OutSent] != 2 {
				t.Fatalf("after restart: sent %d, outbox %v", len(tw.Sent()), counts)
			}
			// a later status callback (our id rides on its URL) resolves an unknown row
			m, err := s.ApplyProviderStatus(ctx, held[0].ID, "SMlate0001", "delivered", "")
			if err != nil || m.Status != models.OutDelivered {
				t.Fatalf("callback: %+v %v", m, err)
			}
		})
	}
}

func TestPermanentAndTemporaryFailures(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.Twilio.Fail["+13125550150"] = [2]int{400, 21610}
		e.Twilio.Fail["+13125550151"] = [2]int{503, 20500}
		e.Discharge(dischargeJSON("F1", "+13125550150", "", ""))
		e.Discharge(dischargeJSON("F2", "+13125550151", "", ""))
		e.Tick()
		m1, _ := e.Store.MessageByID(ctx, 1)
		m2, _ := e.Store.MessageByID(ctx, 2)
		if m1.Status != models.OutFailed || !strings.Contains(m1.LastError, "21610") {
			t.Fatalf("21610: %+v", m1)
		}
		c, _ := e.Store.ContactByPhone(ctx, "+13125550150")
		if !c.SMSOptOut {
			t.Fatal("21610 did not opt the contact out")
		}
		if m2.Status != models.OutQueued || m2.Attempts != 1 || !m2.NextAttemptAt.After(e.Clock.Now()) {
			t.Fatalf("503 should retry later: %+v", m2)
		}
		delete(e.Twilio.Fail, "+13125550151")
		e.Clock.Advance(time.Hour)
		e.Tick()
		if m2, _ = e.Store.MessageByID(ctx, 2); m2.Status != models.OutSent || m2.Attempts != 2 {
			t.Fatalf("retry: %+v", m2)
		}
	})
}
