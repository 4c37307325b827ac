// Package sending delivers what the outbox holds: the dispatcher claims due
// rows (any number of servers, one shared SMS rate slot in the database),
// sends SMS through Twilio and email through SMTP (or the development
// outbox), retries temporary failures and records every outcome. It also
// owns the one layout of patient emails. What to send and to whom is
// decided upstream (inviting, conversations, alerts, staff, reports).
package sending

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
)

// SMSSender sends one SMS and returns the provider's message id. Declared
// here, where it is used; Twilio and the development outbox implement it.
type SMSSender interface {
	SendSMS(ctx context.Context, ref, to, body string) (providerID string, err error)
}

// Email is one message for an EmailSender.
type Email struct {
	To, Subject, Text, HTML string
	// Unsubscribe, when set, adds RFC 8058 List-Unsubscribe headers.
	Unsubscribe string
	MessageID   string
}

// EmailSender sends a batch of emails over one connection and returns one
// error (or nil) per message, in order.
type EmailSender interface {
	SendEmails(ctx context.Context, batch []Email) []error
}

// PermanentError is a failure that retrying cannot fix (invalid number,
// opted out at the carrier, rejected address).
type PermanentError struct {
	Code int
	Msg  string
}

func (e *PermanentError) Error() string {
	return fmt.Sprintf("permanent failure %d: %s", e.Code, e.Msg)
}

// Permanent reports whether err is a PermanentError and returns it.
func Permanent(err error) (*PermanentError, bool) {
	var p *PermanentError
	ok := errors.As(err, &p)
	return p, ok
}

// DevSMS is the development outbox for SMS: it sends nothing, and the
// message stays visible on the Outbox page and in the SMS simulator.
type DevSMS struct{ n atomic.Int64 }

// SendSMS pretends to send.
func (d *DevSMS) SendSMS(context.Context, string, string, string) (string, error) {
	return fmt.Sprintf("DEV%016d", d.n.Add(1)), nil
}

// DevEmail is the development outbox for email.
type DevEmail struct{}

// SendEmails pretends to send.
func (DevEmail) SendEmails(_ context.Context, batch []Email) []error {
	return make([]error, len(batch))
}
