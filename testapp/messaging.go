package testapp

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
	"github.com/patientvoice/patientvoice/testdb"
)

// Messaging is an app whose Twilio and SMTP are real-protocol fakes, with
// what a patient-side flow test needs: post a discharge, run the
// dispatcher, send a signed inbound SMS. The inviting and conversations
// tests share it, since a survey crosses both.
type Messaging struct {
	*App
	Twilio *sendingtest.Twilio
	Mail   *sendingtest.SMTP
	// Token may post discharges.
	Token string
	sid   int
}

// EachMessaging runs fn with a fresh messaging app on every backend; the
// hospital is "Saint Example Hospital" and mutate may adjust the config.
func EachMessaging(t *testing.T, fn func(t *testing.T, e *Messaging), mutate ...func(*config.Config)) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			tw := sendingtest.NewTwilio(t)
			mail := sendingtest.NewSMTP(t)
			a := New(t, b, func(c *config.Config) {
				sendingtest.Wire(c, tw, mail, "survey@hospital.example")
				c.OrgName = "Saint Example Hospital"
				for _, m := range mutate {
					m(c)
				}
			})
			fn(t, &Messaging{App: a, Twilio: tw, Mail: mail, Token: a.APIToken(models.ScopeDischargesWrite)})
		})
	}
}

// Discharge posts a discharge JSON body.
func (e *Messaging) Discharge(body string) Result {
	e.T.Helper()
	return e.Call("POST", "/api/discharges", e.Token, body)
}

// Tick runs the dispatcher until nothing is due (five rounds at most).
func (e *Messaging) Tick() {
	e.T.Helper()
	for i := 0; i < 5; i++ {
		n, err := e.Server.Dispatcher.Tick(context.Background())
		if err != nil {
			e.T.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// SMS posts a signed inbound webhook and returns the response.
func (e *Messaging) SMS(sid, from, body string) Result {
	e.T.Helper()
	form := url.Values{"MessageSid": {sid}, "From": {from}, "To": {"+15005550006"}, "Body": {body}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"}}
	return e.Webhook("/webhooks/twilio/sms", form, sendingtest.Sign(sendingtest.AuthToken, "https://pv.hospital.example/webhooks/twilio/sms", form))
}

// Webhook posts a Twilio webhook form with signature sig (none when
// empty) and a Host header an attacker chose.
func (e *Messaging) Webhook(path string, form url.Values, sig string) Result {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Host = "attacker.example" // the signature is over PV_BASE_URL, never the Host header
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp := e.Do(req)
	defer resp.Body.Close()
	b := make([]byte, 4096)
	n, _ := resp.Body.Read(b)
	return Result{Status: resp.StatusCode, Header: resp.Header, Body: b[:n]}
}

// NextSID is a new inbound MessageSid.
func (e *Messaging) NextSID() string { e.sid++; return fmt.Sprintf("SMin%030d", e.sid) }
