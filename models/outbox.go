package models

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// Outbox statuses. queued and sending are transient; every row ends sent,
// delivered, failed or unknown (sent to the provider, outcome lost in a
// crash: never retried blindly).
const (
	OutQueued    = "queued"
	OutSending   = "sending"
	OutSent      = "sent"
	OutDelivered = "delivered"
	OutFailed    = "failed"
	OutUnknown   = "unknown"
)

// Outbox priorities: replies in a running conversation, staff messages and
// on-call alerts go before bulk invitations.
const (
	PriorityBulk        = 0
	PriorityInteractive = 10
)

// outMessage is a message to put in the outbox, in clear; seal makes the
// row. Outside the store, messages are Drafts (Compose).
type outMessage struct {
	Channel        string // sms or email
	Kind           string // invitation, reminder, reply, staff, alert, report
	To             string
	Subject        string
	Body           string
	HTML           string
	ContactID      *uint
	InvitationID   *uint
	CaseID         *uint
	Priority       int
	NotBefore      time.Time
	IdempotencyKey string
}

// seal makes the outbox row of a message: recipient and bodies encrypted,
// the recipient's blind index for lookups.
func (s *Store) seal(m outMessage) OutboundMessage {
	if m.NotBefore.IsZero() {
		m.NotBefore = s.Now()
	}
	return OutboundMessage{Channel: m.Channel, Status: OutQueued, Priority: m.Priority, NextAttemptAt: m.NotBefore.UTC(),
		Kind: m.Kind, ToEnc: s.Crypto.Seal(m.To), ToIndex: s.Crypto.BlindIndex(m.Channel, m.To),
		SubjectEnc: s.Crypto.Seal(m.Subject), BodyEnc: s.Crypto.Seal(m.Body), HTMLEnc: s.Crypto.Seal(m.HTML),
		ContactID: m.ContactID, InvitationID: m.InvitationID, CaseID: m.CaseID, IdempotencyKey: m.IdempotencyKey}
}

// Enqueue stores a composed message for the dispatcher. The idempotency
// key is unique: enqueueing the same key twice returns the first row with
// created false, so retries and replays never send twice.
func (s *Store) Enqueue(ctx context.Context, m Composed) (OutboundMessage, bool, error) {
	var row OutboundMessage
	var created bool
	// idempotent on the key: run again after a conflict or a lost
	// connection, it finds its row
	err := s.retry(ctx, "enqueue", true, func() error {
		var err error
		row, created, err = s.enqueue(s.ctx(ctx), m.row)
		return err
	})
	return row, created, err
}

func (s *Store) enqueue(tx *gorm.DB, row OutboundMessage) (OutboundMessage, bool, error) {
	err := tx.Create(&row).Error
	if err != nil && isDuplicate(err) {
		var prev OutboundMessage
		if err := tx.Where("idempotency_key = ?", row.IdempotencyKey).Take(&prev).Error; err != nil {
			return prev, false, wrap("enqueue", err)
		}
		return prev, false, nil
	}
	return row, err == nil, wrap("enqueue", err)
}

// Opened is an outbox row decrypted for sending or display.
type Opened struct {
	OutboundMessage
	To, Subject, Body, HTML string
}

// Open decrypts a row.
func (s *Store) OpenMessage(m OutboundMessage) Opened {
	return Opened{OutboundMessage: m, To: s.Crypto.MustOpen(m.ToEnc), Subject: s.Crypto.MustOpen(m.SubjectEnc),
		Body: s.Crypto.MustOpen(m.BodyEnc), HTML: s.Crypto.MustOpen(m.HTMLEnc)}
}

// ClaimDue claims up to limit due rows of a channel for claimer: the
// database picks what is due (most urgent first), and a conditional UPDATE
// per row makes each claim exclusive across servers on either database.
func (s *Store) ClaimDue(ctx context.Context, channel, claimer string, limit int) ([]OutboundMessage, error) {
	now := s.Now()
	var cands []OutboundMessage
	err := s.ctx(ctx).Where("status = ? AND channel = ? AND next_attempt_at <= ?", OutQueued, channel, now).
		Order("priority DESC, next_attempt_at, id").Limit(limit * 2).Find(&cands).Error
	if err != nil {
		return nil, wrap("find due messages", err)
	}
	var out []OutboundMessage
	for _, m := range cands {
		if len(out) == limit {
			break
		}
		res := s.ctx(ctx).Model(&OutboundMessage{}).Where("id = ? AND status = ?", m.ID, OutQueued).
			Updates(map[string]any{"status": OutSending, "claimed_by": claimer, "claimed_at": now, "attempts": gorm.Expr("attempts + 1"), "updated_at": now})
		if isRetryable(res.Error) {
			continue // another server's claim of the row won (Galera certification)
		}
		if res.Error != nil {
			return out, wrap("claim message", res.Error)
		}
		if res.RowsAffected == 1 {
			m.Status, m.ClaimedBy, m.ClaimedAt, m.Attempts = OutSending, claimer, &now, m.Attempts+1
			out = append(out, m)
		}
	}
	return out, nil
}

// MarkSent records a provider's acceptance.
func (s *Store) MarkSent(ctx context.Context, id uint, providerID string) error {
	now := s.Now()
	_, err := s.exec(ctx, "mark sent", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&OutboundMessage{}).Where("id = ? AND status = ?", id, OutSending).
			Updates(map[string]any{"status": OutSent, "provider_id": providerID, "sent_at": now, "last_error": "", "updated_at": now})
	})
	return err
}

// MarkRetry puts a claimed row back in the queue for a later attempt.
func (s *Store) MarkRetry(ctx context.Context, id uint, reason string, at time.Time) error {
	_, err := s.exec(ctx, "mark retry", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&OutboundMessage{}).Where("id = ? AND status = ?", id, OutSending).
			Updates(map[string]any{"status": OutQueued, "next_attempt_at": at.UTC(), "last_error": redact(reason), "claimed_by": "", "updated_at": s.Now()})
	})
	return err
}

// MarkFailed ends a row as failed with the reason.
func (s *Store) MarkFailed(ctx context.Context, id uint, reason string) error {
	_, err := s.exec(ctx, "mark failed", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&OutboundMessage{}).Where("id = ? AND status IN ?", id, []string{OutSending, OutQueued}).
			Updates(map[string]any{"status": OutFailed, "last_error": redact(reason), "updated_at": s.Now()})
	})
	return err
}

// statusRank orders provider statuses so an out-of-order callback never
// moves a message backwards.
var statusRank = map[string]int{OutQueued: 0, OutSending: 1, OutUnknown: 1, OutSent: 2, OutDelivered: 3, OutFailed: 3}

// ApplyProviderStatus records a status callback (Twilio MessageStatus).
// Final states win; a late "sent" after "delivered" changes nothing.
// ref is our outbox id from the callback URL (0 when absent): it finds a
// row whose provider id was never recorded because its sender crashed.
func (s *Store) ApplyProviderStatus(ctx context.Context, ref uint, providerID, providerStatus, errorCode string) (OutboundMessage, error) {
	var m OutboundMessage
	// idempotent: statuses only move forward, so a second run changes nothing
	err := s.write(ctx, "apply provider status", func(tx *gorm.DB) error {
		m = OutboundMessage{}
		err := tx.Where("provider_id = ?", providerID).Take(&m).Error
		if errors.Is(err, gorm.ErrRecordNotFound) && ref > 0 {
			err = tx.Where("id = ? AND (provider_id = '' OR provider_id IS NULL)", ref).Take(&m).Error
			if err == nil {
				if err := tx.Model(&OutboundMessage{}).Where("id = ?", m.ID).Update("provider_id", providerID).Error; err != nil {
					return err
				}
			}
		}
		if err != nil {
			return err
		}
		st := map[string]string{"delivered": OutDelivered, "read": OutDelivered, "failed": OutFailed, "undelivered": OutFailed,
			"sent": OutSent, "queued": OutSent, "accepted": OutSent, "sending": OutSent}[providerStatus]
		upd := map[string]any{"provider_status": providerStatus, "updated_at": s.Now()}
		if st != "" && statusRank[st] > statusRank[m.Status] || m.Status == OutUnknown && st != "" {
			upd["status"] = st
			m.Status = st
		}
		if errorCode != "" {
			upd["last_error"] = "provider error " + errorCode
		}
		if st == OutDelivered && m.Kind == "invitation" && m.InvitationID != nil {
			if err := tx.Model(&Invitation{}).Where("id = ? AND delivered_at IS NULL", *m.InvitationID).Update("delivered_at", s.Now()).Error; err != nil {
				return err
			}
		}
		return tx.Model(&OutboundMessage{}).Where("id = ?", m.ID).Updates(upd).Error
	})
	return m, wrap("apply provider status", err)
}

// MarkUnknownStale ends rows stuck in sending (their server died between
// claim and outcome) as unknown: they may have reached the provider, so
// they are not sent again; staff see them on the Outbox page and a later
// status callback resolves them.
func (s *Store) MarkUnknownStale(ctx context.Context, olderThan time.Duration) (int64, error) {
	now := s.Now()
	res := s.ctx(ctx).Model(&OutboundMessage{}).Where("status = ? AND claimed_at < ?", OutSending, now.Add(-olderThan)).
		Updates(map[string]any{"status": OutUnknown, "last_error": "outcome unknown: the sending server stopped mid-send", "updated_at": now})
	return res.RowsAffected, wrap("mark stale messages", res.Error)
}

// OutboxFilter narrows the Outbox page.
type OutboxFilter struct {
	Status, Channel string
	Limit           int
}

// Outbox lists recent outbox rows, newest first.
func (s *Store) Outbox(ctx context.Context, f OutboxFilter) ([]OutboundMessage, error) {
	q := s.ctx(ctx).Model(&OutboundMessage{})
	if f.Status != "" {
		q = q.Where("status = ?", f.Status)
	}
	if f.Channel != "" {
		q = q.Where("channel = ?", f.Channel)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	var out []OutboundMessage
	err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error
	return out, wrap("list outbox", err)
}

// OutboxCounts counts rows per status.
func (s *Store) OutboxCounts(ctx context.Context) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := s.ctx(ctx).Model(&OutboundMessage{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, wrap("count outbox", err)
}

// MessageByID loads one outbox row.
func (s *Store) MessageByID(ctx context.Context, id uint) (OutboundMessage, error) {
	var m OutboundMessage
	err := s.ctx(ctx).Take(&m, id).Error
	return m, wrap("find message", err)
}

// TakeSlot reserves the next send slot of a rate shared by every server:
// the settings row key holds the next free instant; a compare-and-swap
// moves it on by interval. It returns when the caller may send.
func (s *Store) TakeSlot(ctx context.Context, key string, interval time.Duration) (time.Time, error) {
	for attempt := 0; attempt < 50; attempt++ {
		now := s.Now()
		cur, ok, err := s.Setting(ctx, key)
		if err != nil {
			return now, err
		}
		if !ok {
			if _, err := s.Claim(ctx, key); err != nil {
				return now, err
			}
			continue
		}
		// a slot left unused in the last second may still be taken, so a
		// pause between batches does not lower the average rate (the
		// bucket holds at most a quarter second of sends)
		next := now.Add(-slotCatchUp)
		if ns, err := strconv.ParseInt(cur, 10, 64); err == nil && time.Unix(0, ns).After(next) {
			next = time.Unix(0, ns)
		}
		if next.Sub(now) > 30*time.Second { // never queue far ahead: let others claim the rows
			return next, ErrBusy
		}
		res := s.ctx(ctx).Model(&Setting{}).Where("`key` = ? AND value = ?", key, cur).
			Updates(map[string]any{"value": strconv.FormatInt(next.Add(interval).UnixNano(), 10), "updated_at": now})
		if isRetryable(res.Error) {
			continue // another server moved the slot on at the same moment
		}
		if res.Error != nil {
			return now, wrap("take send slot", res.Error)
		}
		if res.RowsAffected == 1 {
			return next, nil
		}
	}
	return s.Now(), fmt.Errorf("take send slot: %w", ErrBusy)
}

// CancelQueued fails every queued message with reason (an operator
// stopping a mistaken batch; the benchmark clearing its table).
func (s *Store) CancelQueued(ctx context.Context, reason string) (int64, error) {
	res := s.ctx(ctx).Model(&OutboundMessage{}).Where("status = ?", OutQueued).
		Updates(map[string]any{"status": OutFailed, "last_error": truncate(reason, 1000), "updated_at": s.Now()})
	return res.RowsAffected, wrap("cancel queued", res.Error)
}

var (
	emailLike = regexp.MustCompile(`[^\s<>"',;:]+@[^\s<>"',;:]+`)
	phoneLike = regexp.MustCompile(`\+?\d[\d\s().-]{6,}\d`)
)

// redact strips addresses and numbers from provider error texts before
// they are stored in clear ("550 <jane@example.org>: no such user", "The
// 'To' number +1312... is not valid"), so last_error never holds PHI.
func redact(reason string) string {
	reason = emailLike.ReplaceAllString(reason, "[address]")
	reason = phoneLike.ReplaceAllString(reason, "[number]")
	return truncate(reason, 1000)
}

// slotCatchUp is how far in the past an unused send slot may be taken.
const slotCatchUp = 250 * time.Millisecond

// ErrBusy means the shared rate is booked for a while; try later.
var ErrBusy = errors.New("busy")

// ConversationMessage is one SMS to or from a number, in clear.
type ConversationMessage struct {
	Inbound bool
	Body    string
	At      time.Time
}

// Conversation lists the SMS exchanged with a phone number, oldest first
// (the SMS simulator).
func (s *Store) Conversation(ctx context.Context, phone string) ([]ConversationMessage, error) {
	var out []OutboundMessage
	if err := s.ctx(ctx).Where("to_index = ?", s.Crypto.BlindIndex("sms", phone)).Order("id").Limit(200).Find(&out).Error; err != nil {
		return nil, wrap("conversation", err)
	}
	var in []InboundMessage
	if err := s.ctx(ctx).Where("from_index = ?", s.Crypto.BlindIndex("phone", phone)).Order("id").Limit(200).Find(&in).Error; err != nil {
		return nil, wrap("conversation", err)
	}
	msgs := make([]ConversationMessage, 0, len(out)+len(in))
	for _, m := range out {
		msgs = append(msgs, ConversationMessage{Body: s.Crypto.MustOpen(m.BodyEnc), At: m.CreatedAt})
	}
	for _, m := range in {
		msgs = append(msgs, ConversationMessage{Inbound: true, Body: s.Crypto.MustOpen(m.BodyEnc), At: m.ReceivedAt})
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].At.Before(msgs[j].At) })
	return msgs, nil
}
