package models

// Inbound messages: what patients send, stored once per provider id before
// anything else happens, then claimed and processed (the sweeper retries
// what a stopped server left).

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// SaveInbound stores an inbound message once per provider id; a replay
// returns the stored row with created false.
func (s *Store) SaveInbound(ctx context.Context, channel, providerID, from, body string) (InboundMessage, bool, error) {
	m := InboundMessage{ProviderID: providerID, Channel: channel, FromIndex: s.Crypto.BlindIndex("phone", from),
		FromEnc: s.Crypto.Seal(from), BodyEnc: s.Crypto.Seal(body), ReceivedAt: s.Now()}
	lost := false
	err := s.retry(ctx, "save inbound", true, func() error {
		m.ID = 0
		err := s.ctx(ctx).Create(&m).Error
		lost = lost || isConnLost(err)
		return err
	})
	if err != nil && isDuplicate(err) {
		// stored a moment ago by another server or node, or by this call
		// as its connection died: then it is processed as a first
		// delivery (processing is claimed, so only once)
		var prev InboundMessage
		err = s.syncRead(ctx, func(db *gorm.DB) error { return db.Where("provider_id = ?", providerID).Take(&prev).Error })
		return prev, lost && prev.ProcessedAt == nil, wrap("find inbound", err)
	}
	return m, err == nil, wrap("save inbound", err)
}

// ClaimInbound marks an inbound message as being processed; false when
// another request or server has it already.
func (s *Store) ClaimInbound(ctx context.Context, id uint, outcome string) (bool, error) {
	n, err := s.exec(ctx, "claim inbound", false, func(db *gorm.DB) *gorm.DB {
		return db.Model(&InboundMessage{}).Where("id = ? AND processed_at IS NULL", id).
			Updates(map[string]any{"processed_at": s.Now(), "outcome": outcome})
	})
	return n == 1, err
}

// SetInboundOutcome records what processing did with a message.
func (s *Store) SetInboundOutcome(ctx context.Context, id uint, outcome string, contactID, invitationID, caseID *uint) error {
	upd := map[string]any{"outcome": outcome}
	for k, v := range map[string]*uint{"contact_id": contactID, "invitation_id": invitationID, "case_id": caseID} {
		if v != nil {
			upd[k] = *v
		}
	}
	_, err := s.exec(ctx, "inbound outcome", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&InboundMessage{}).Where("id = ? AND outcome <> ?", id, "case_reply").Updates(upd)
	})
	return err
}

// UnprocessedInbound lists messages stored but never processed (their
// server died between storing and processing).
func (s *Store) UnprocessedInbound(ctx context.Context, before time.Time) ([]InboundMessage, error) {
	var out []InboundMessage
	err := s.ctx(ctx).Where("processed_at IS NULL AND received_at < ?", before).Order("id").Limit(100).Find(&out).Error
	return out, wrap("unprocessed inbound", err)
}

// InboundBody decrypts an inbound message.
func (s *Store) InboundBody(m InboundMessage) (from, body string) {
	return s.Crypto.MustOpen(m.FromEnc), s.Crypto.MustOpen(m.BodyEnc)
}

// ReleaseInbound gives a message back to the sweeper after a failure.
func (s *Store) ReleaseInbound(ctx context.Context, id uint) error {
	_, err := s.exec(ctx, "release inbound", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&InboundMessage{}).Where("id = ?", id).Updates(map[string]any{"processed_at": nil, "outcome": "retry"})
	})
	return err
}
