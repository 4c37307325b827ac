package models

import (
	"context"
	"errors"
	"time"
)

// ErrUnreachable means a patient cannot be messaged on a channel: no
// address on it, or an opt-out.
var ErrUnreachable = errors.New("the patient gave no address on this channel or opted out")

// QuietWindow says when a patient may not be texted: Next returns the first
// moment at or after t outside the window, in loc (config.QuietHours).
type QuietWindow interface {
	Next(t time.Time, loc *time.Location) time.Time
}

// Quiet holds an SMS to a patient until quiet hours end in the patient's
// time zone, or in Zone (the hospital's) when the patient's is unknown.
type Quiet struct {
	Window QuietWindow
	Zone   *time.Location
}

// Draft is a message as its writer knows it: the words, the channel, and
// either a patient (ContactID, To empty: the store picks the patient's
// address on the channel) or an address that is nobody's contact row (To:
// an on-call phone, a manager's email, the number a reply answers).
type Draft struct {
	Channel        string // sms or email
	Kind           string // invitation, reminder, reply, optout_confirm, staff, followup, alert, report
	ContactID      *uint
	To             string
	Subject        string
	Body           string
	HTML           string
	InvitationID   *uint
	CaseID         *uint
	Priority       int
	NotBefore      time.Time
	IdempotencyKey string
	// Quiet, when set, holds an SMS for quiet hours in the patient's zone.
	Quiet *Quiet
}

// Composed is a message ready for the outbox: addressed, scheduled and
// sealed. Compose makes it outside any transaction; Enqueue and the
// transactions that queue a message with their own change insert it.
type Composed struct {
	row OutboundMessage
}

// NotBefore is when the message may go out (after quiet hours).
func (m Composed) NotBefore() time.Time { return m.row.NextAttemptAt }

// Compose is the one way a message to a patient or staff member is
// written: it chooses the address (decrypting it here, in the store),
// refuses a patient who gave no address on the channel or opted out of it
// (ErrUnreachable), applies quiet hours in the patient's time zone and
// seals recipient and bodies. It reads; it writes nothing.
func (s *Store) Compose(ctx context.Context, d Draft) (Composed, error) {
	to := d.To
	zone := ""
	if d.ContactID != nil && (to == "" || d.Quiet != nil) {
		c, err := s.ContactRow(ctx, *d.ContactID)
		if err != nil {
			return Composed{}, err
		}
		zone = c.Timezone
		if to == "" {
			enc, out := c.PhoneEnc, c.SMSOptOut
			if d.Channel == "email" {
				enc, out = c.EmailEnc, c.EmailOptOut
			}
			if enc == "" || out {
				return Composed{}, ErrUnreachable
			}
			if to, err = s.Crypto.Open(enc); err != nil {
				return Composed{}, wrap("open contact address", err)
			}
		}
	}
	at := d.NotBefore
	if at.IsZero() {
		at = s.Now()
	}
	if d.Quiet != nil && d.Channel == "sms" {
		loc := d.Quiet.Zone
		if zone != "" {
			if l, err := time.LoadLocation(zone); err == nil {
				loc = l
			}
		}
		at = d.Quiet.Window.Next(at, loc)
	}
	return Composed{row: s.seal(outMessage{Channel: d.Channel, Kind: d.Kind, To: to, Subject: d.Subject, Body: d.Body, HTML: d.HTML,
		ContactID: d.ContactID, InvitationID: d.InvitationID, CaseID: d.CaseID, Priority: d.Priority, NotBefore: at,
		IdempotencyKey: d.IdempotencyKey})}, nil
}

// Send composes a draft and queues it: the common case of a message that
// goes with no other change. It returns the outbox row (NextAttemptAt says
// when it may go); created is false when its idempotency key was queued
// before, and the row is the first one.
func (s *Store) Send(ctx context.Context, d Draft) (OutboundMessage, bool, error) {
	m, err := s.Compose(ctx, d)
	if err != nil {
		return OutboundMessage{}, false, err
	}
	return s.Enqueue(ctx, m)
}

// SignLink is the signature of a link's id in its domain ("survey-link",
// "followup-link"): a keyed hash under PV_SECRET, so links need no lookup
// table and cannot be forged. Links in email are signed here so every use
// of the keys stays in the store.
func (s *Store) SignLink(domain, id string) string { return s.Crypto.BlindIndex(domain, id) }
