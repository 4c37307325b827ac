package sending

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Twilio sends SMS through the Twilio REST API (or a fake of it at
// TWILIO_API_URL in tests).
type Twilio struct {
	rc                         *twilio.RestClient
	from, service, callbackURL string
}

// rewrite points every Twilio API request at base (TWILIO_API_URL):
// twilio-go has no base-URL option.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (r rewrite) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.base.Scheme, r.base.Host
	req.Host = r.base.Host
	return r.next.RoundTrip(req)
}

// NewTwilio builds the sender from config.
func NewTwilio(cfg *config.Config) (*Twilio, error) {
	base, err := url.Parse(cfg.Twilio.APIURL)
	if err != nil {
		return nil, err
	}
	c := &client.Client{
		Credentials: client.NewCredentials(cfg.Twilio.AccountSID, cfg.Twilio.AuthToken),
		HTTPClient:  &http.Client{Timeout: 15 * time.Second, Transport: rewrite{base: base, next: http.DefaultTransport}},
	}
	c.SetAccountSid(cfg.Twilio.AccountSID)
	return &Twilio{rc: twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}),
		from: cfg.Twilio.From, service: cfg.Twilio.MessagingServiceSID, callbackURL: cfg.BaseURL + "/webhooks/twilio/status"}, nil
}

// SendSMS creates a message. ref (our outbox id) rides on the status
// callback URL, so a delivery report matches the row even when the send
// outcome was lost in a crash. Twilio's invalid-number and opted-out codes
// are permanent; 429, 5xx and network errors are temporary.
func (t *Twilio) SendSMS(ctx context.Context, ref, to, body string) (string, error) {
	p := &openapi.CreateMessageParams{}
	p.SetTo(to).SetBody(body).SetStatusCallback(t.callbackURL + "?m=" + url.QueryEscape(ref)).SetValidityPeriod(4 * 3600)
	if t.service != "" {
		p.SetMessagingServiceSid(t.service)
	} else {
		p.SetFrom(t.from)
	}
	type result struct {
		m   *openapi.ApiV2010Message
		err error
	}
	ch := make(chan result, 1)
	go func() { m, err := t.rc.Api.CreateMessage(p); ch <- result{m, err} }()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	if r.err != nil {
		var te *client.TwilioRestError
		if errors.As(r.err, &te) {
			switch {
			case te.Code == 21610, te.Code == 21211, te.Code == 21614, te.Code == 21408, te.Code == 21612:
				return "", &PermanentError{Code: te.Code, Msg: te.Message}
			case te.Status == 429 || te.Status >= 500:
				return "", r.err
			case te.Status >= 400:
				return "", &PermanentError{Code: te.Code, Msg: te.Message}
			}
		}
		return "", r.err
	}
	if r.m == nil || r.m.Sid == nil {
		return "", errors.New("twilio: no message sid in the answer")
	}
	return *r.m.Sid, nil
}
