package sending

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/big"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// MaxAttempts is how many times a temporary failure is retried.
const MaxAttempts = 8

// StaleAfter is how long a claimed row may stay in sending before its
// outcome counts as unknown.
const StaleAfter = 2 * time.Minute

const smsRateKey = "rate.sms.next"

// sendWorkers bounds concurrent provider calls per dispatcher.
const sendWorkers = 16

// Dispatcher sends due outbox rows. The database decides what is due and
// each row is claimed by a conditional update, so any number of servers
// can dispatch; the SMS rate is shared through a slot row in the database.
type Dispatcher struct {
	store    Store
	sms      SMSSender
	email    EmailSender
	log      *slog.Logger
	now      func() time.Time
	id       string
	interval time.Duration
	unsub    UnsubscribeLinks
}

// UnsubscribeLinks makes the one-click unsubscribe link of a survey
// invitation; survey emails carry it as RFC 8058 List-Unsubscribe headers.
// inviting.Links implements it.
type UnsubscribeLinks interface {
	Unsubscribe(invitationID uint) string
}

// NewDispatcher builds a dispatcher sending SMS at rate messages per
// second across all servers. unsub, when not nil, adds List-Unsubscribe
// headers to emails that belong to an invitation.
func NewDispatcher(store Store, sms SMSSender, email EmailSender, rate float64, unsub UnsubscribeLinks, log *slog.Logger, now func() time.Time) *Dispatcher {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &Dispatcher{store: store, sms: sms, email: email, unsub: unsub, log: log, now: now,
		id: fmt.Sprintf("%.40s-%d-%s", host, os.Getpid(), hex.EncodeToString(b)), interval: time.Duration(float64(time.Second) / rate)}
}

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		if _, err := d.Tick(ctx); err != nil && ctx.Err() == nil {
			d.log.Warn("dispatch failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick sends what is due now and returns how many messages it handled.
func (d *Dispatcher) Tick(ctx context.Context) (int, error) {
	if n, err := d.store.MarkUnknownStale(ctx, StaleAfter); err != nil {
		return 0, err
	} else if n > 0 {
		d.log.Warn("outbox rows with unknown outcome", "count", n)
	}
	n1, err := d.tickSMS(ctx)
	if err != nil {
		return n1, err
	}
	n2, err := d.tickEmail(ctx)
	return n1 + n2, err
}

func (d *Dispatcher) tickSMS(ctx context.Context) (int, error) {
	batch := int(math.Ceil(float64(time.Second)/float64(d.interval))) + 1
	rows, err := d.store.ClaimDue(ctx, "sms", d.id, min(batch, 200))
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	// Sends start on their slots but overlap, so a slow provider round
	// trip does not lower the rate; at most sendWorkers are in flight.
	var wg sync.WaitGroup
	sem := make(chan struct{}, sendWorkers)
	defer wg.Wait()
	for i, m := range rows {
		at, err := d.store.TakeSlot(ctx, smsRateKey, d.interval)
		if err == nil {
			err = sleepUntil(ctx, at, d.now)
		}
		if err != nil { // rate booked far ahead or shutting down: give the rest back
			for _, r := range rows[i:] {
				_ = d.store.MarkRetry(context.WithoutCancel(ctx), r.ID, "", d.now())
			}
			if errors.Is(err, models.ErrBusy) || ctx.Err() != nil {
				return i, nil
			}
			return i, err
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d.sendSMS(ctx, m)
		}()
	}
	return len(rows), nil
}

func sleepUntil(ctx context.Context, at time.Time, now func() time.Time) error {
	wait := at.Sub(now())
	if wait <= 0 {
		return nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (d *Dispatcher) sendSMS(ctx context.Context, m models.OutboundMessage) {
	if skip := d.optedOut(ctx, m, "sms"); skip {
		return
	}
	o := d.store.OpenMessage(m)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	pid, err := d.sms.SendSMS(sctx, strconv.FormatUint(uint64(m.ID), 10), o.To, o.Body)
	d.record(ctx, m, pid, err)
}

// optedOut fails a queued message to a contact who opted out since it was
// queued; staff messages and alerts too, since STOP means all messaging.
func (d *Dispatcher) optedOut(ctx context.Context, m models.OutboundMessage, channel string) bool {
	if m.ContactID == nil {
		return false
	}
	c, err := d.store.ContactRow(ctx, *m.ContactID)
	if err != nil {
		return false
	}
	if channel == "sms" && c.SMSOptOut && m.Kind != "optout_confirm" || channel == "email" && c.EmailOptOut {
		_ = d.store.MarkFailed(ctx, m.ID, "not sent: the recipient opted out")
		return true
	}
	return false
}

// record stores the outcome of one send.
func (d *Dispatcher) record(ctx context.Context, m models.OutboundMessage, providerID string, err error) {
	ctx = context.WithoutCancel(ctx)
	if err == nil {
		if e := d.store.MarkSent(ctx, m.ID, providerID); e != nil {
			d.log.Error("record sent message", "id", m.ID, "err", e.Error())
		}
		if m.InvitationID != nil && (m.Kind == "invitation") {
			_ = d.store.MarkInvitationSent(ctx, *m.InvitationID, d.now(), m.Channel == "email")
		}
		return
	}
	if p, ok := Permanent(err); ok {
		_ = d.store.MarkFailed(ctx, m.ID, p.Error())
		if m.ContactID != nil && m.Channel == "sms" && p.Code == 21610 {
			_ = d.store.SetOptOut(ctx, *m.ContactID, "sms", true, "carrier (Twilio 21610)")
		}
		return
	}
	if m.Attempts >= MaxAttempts {
		_ = d.store.MarkFailed(ctx, m.ID, fmt.Sprintf("gave up after %d attempts: %v", m.Attempts, err))
		return
	}
	_ = d.store.MarkRetry(ctx, m.ID, err.Error(), d.now().Add(backoff(m.Attempts)))
}

// backoff is exponential with jitter: about 15 s, 30 s, 1 min ... capped
// at 1 h.
func backoff(attempt int) time.Duration {
	base := 15 * time.Second << min(attempt-1, 8)
	base = min(base, time.Hour)
	j, _ := rand.Int(rand.Reader, big.NewInt(int64(base/2)+1))
	return base/2 + time.Duration(j.Int64())
}

func (d *Dispatcher) tickEmail(ctx context.Context) (int, error) {
	rows, err := d.store.ClaimDue(ctx, "email", d.id, 50)
	if err != nil || len(rows) == 0 {
		return 0, err
	}
	var batch []Email
	var keep []models.OutboundMessage
	for _, m := range rows {
		if d.optedOut(ctx, m, "email") {
			continue
		}
		o := d.store.OpenMessage(m)
		e := Email{To: o.To, Subject: o.Subject, Text: o.Body, HTML: o.HTML, MessageID: fmt.Sprintf("pv-%d-%s@patientvoice", m.ID, m.IdempotencyKey[:min(12, len(m.IdempotencyKey))])}
		if d.unsub != nil && m.InvitationID != nil {
			e.Unsubscribe = d.unsub.Unsubscribe(*m.InvitationID)
		}
		batch = append(batch, e)
		keep = append(keep, m)
	}
	if len(batch) == 0 {
		return len(rows), nil
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	errs := d.email.SendEmails(sctx, batch)
	for i, m := range keep {
		pid := ""
		if errs[i] == nil {
			pid = batch[i].MessageID
		}
		d.record(ctx, m, pid, errs[i])
	}
	return len(rows), nil
}
