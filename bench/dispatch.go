package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
)

type cleanups []func()

func (c *cleanups) Cleanup(f func()) { *c = append(*c, f) }

// DispatchRate is one dispatcher measurement.
type DispatchRate struct {
	Target   float64
	Sent     int
	Elapsed  time.Duration
	Achieved float64
}

func (d DispatchRate) String() string {
	return fmt.Sprintf("dispatcher at TWILIO_RATE %-6g sent %5d in %6.2f s = %8.2f/s (%+.1f%%)", d.Target, d.Sent, d.Elapsed.Seconds(),
		d.Achieved, (d.Achieved/d.Target-1)*100)
}

// Dispatch measures the achieved SMS rate against a fake Twilio over HTTP
// with the real twilio-go client: n messages queued, timed from the first
// send to the last.
func Dispatch(ctx context.Context, cfg *config.Config, store *models.Store, rate float64, n int) (DispatchRate, error) {
	var cl cleanups
	defer func() {
		for _, f := range cl {
			f()
		}
	}()
	tw := sendingtest.NewTwilio(&cl)
	c := *cfg
	c.Twilio = config.Twilio{AccountSID: "ACbench", AuthToken: "benchtoken", From: "+15005550006", APIURL: tw.URL, Rate: rate}
	sender, err := sending.NewTwilio(&c)
	if err != nil {
		return DispatchRate{}, err
	}
	if _, err := store.CancelQueued(ctx, "cancelled by patientvoice bench"); err != nil {
		return DispatchRate{}, err
	}
	batch := fmt.Sprintf("b%d-%d", time.Now().UnixNano(), int(rate))
	for i := 0; i < n; i++ {
		if _, _, err := store.Send(ctx, models.Draft{Channel: "sms", Kind: "invitation", To: fmt.Sprintf("+1312%07d", 5550000+i%9000),
			Body: "bench", IdempotencyKey: fmt.Sprintf("%s-%d", batch, i)}); err != nil {
			return DispatchRate{}, err
		}
	}
	d := sending.NewDispatcher(store, sender, sending.DevEmail{}, rate, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	deadline := time.Now().Add(time.Duration(float64(n)/rate*float64(time.Second))*2 + 30*time.Second)
	for len(tw.Sent()) < n && time.Now().Before(deadline) {
		if _, err := d.Tick(ctx); err != nil {
			return DispatchRate{}, err
		}
	}
	sent := tw.Sent()
	if len(sent) < 2 {
		return DispatchRate{}, fmt.Errorf("dispatcher sent %d", len(sent))
	}
	el := tw.Elapsed()
	return DispatchRate{Target: rate, Sent: len(sent), Elapsed: el, Achieved: float64(len(sent)-1) / el.Seconds()}, nil
}
