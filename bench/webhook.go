package bench

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
	"github.com/patientvoice/patientvoice/server"
)

// Webhook measures the inbound SMS webhook: as fast as it goes at
// o.Concurrency, or at a fixed offered rate o.Rate (open loop, latency
// counted from when each request was due).
// Webhook measures POST /webhooks/twilio/sms with signature checks and
// MessageSid dedupe: every request a new message (a polite reply is queued
// for each), plus every tenth a replay of an earlier MessageSid.
func Webhook(ctx context.Context, cfg *config.Config, store *models.Store, o Options) (Latency, error) {
	c := *cfg
	c.Twilio.AccountSID, c.Twilio.AuthToken, c.Twilio.From = "ACbench", "benchtoken0123456789", "+15005550006"
	c.BaseURL = "https://pv.bench.example"
	ctx, stop := context.WithCancel(ctx) // the server and its jobs end with the measurement
	defer stop()
	base, _, err := serve(ctx, &c, store, server.Senders{SMS: nopSMS{}})
	if err != nil {
		return Latency{}, err
	}
	hc := client(o.Concurrency)
	nonce := time.Now().UnixNano() & 0xffffffffffff // fresh MessageSids each run: replays would be too easy
	forms := make([]string, o.N)
	sigs := make([]string, o.N)
	for i := range forms {
		sid := i
		if i%10 == 9 {
			sid = i - 5 // replay
		}
		f := url.Values{"MessageSid": {fmt.Sprintf("SM%012x%020d", nonce, sid)}, "From": {fmt.Sprintf("+1312%07d", 5550000+sid%9000)},
			"To": {"+15005550006"}, "Body": {"Thank you for the care"}, "AccountSid": {"ACbench"}}
		forms[i] = f.Encode()
		sigs[i] = sendingtest.Sign(c.Twilio.AuthToken, c.BaseURL+"/webhooks/twilio/sms", f)
	}
	send := func(i int) error {
		return post(hc, base+"/webhooks/twilio/sms", "application/x-www-form-urlencoded", "", []byte(forms[i]), map[string]string{"X-Twilio-Signature": sigs[i]})
	}
	if o.Rate > 0 {
		return runAt(fmt.Sprintf("twilio webhook at %.0f/s", o.Rate), o.N, o.Rate, send), nil
	}
	return run("twilio webhook", o.N, o.Concurrency, send), nil
}

type nopSMS struct{}

func (nopSMS) SendSMS(context.Context, string, string, string) (string, error) { return "SMnop", nil }
