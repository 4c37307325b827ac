package models

import (
	"context"
	"time"
)

// ClaimStream takes one of a session's max stream slots until until, and
// returns the lease's token; "" when every slot is held by a live stream
// (on any server). A slot whose lease ran out (its server died) is taken
// over.
func (s *Store) ClaimStream(ctx context.Context, sessionID string, max int, until time.Time) (string, error) {
	now := s.Now()
	for slot := 1; slot <= max; slot++ {
		tok := NewToken("")
		res := s.ctx(ctx).Model(&SessionStream{}).Where("session_id = ? AND slot = ? AND until < ?", sessionID, slot, now).
			Updates(map[string]any{"token": tok, "until": until})
		if res.Error != nil {
			return "", wrap("claim stream", res.Error)
		}
		if res.RowsAffected == 1 {
			return tok, nil
		}
		err := s.ctx(ctx).Create(&SessionStream{SessionID: sessionID, Slot: slot, Token: tok, Until: until}).Error
		if err == nil {
			return tok, nil
		}
		if !isDuplicate(err) {
			return "", wrap("claim stream", err)
		}
	}
	return "", nil
}

// RenewStreams extends the leases of this server's open streams.
func (s *Store) RenewStreams(ctx context.Context, tokens []string, until time.Time) error {
	if len(tokens) == 0 {
		return nil
	}
	return wrap("renew streams", s.ctx(ctx).Model(&SessionStream{}).Where("token IN ?", tokens).Update("until", until).Error)
}

// ReleaseStream gives a slot back when its stream closes.
func (s *Store) ReleaseStream(ctx context.Context, token string) error {
	return wrap("release stream", s.ctx(ctx).Where("token = ?", token).Delete(&SessionStream{}).Error)
}

// LiveSessions returns which of the session ids still exist, are within
// their absolute limit and were active within idle: the others' streams
// must close.
func (s *Store) LiveSessions(ctx context.Context, ids []string, idle time.Duration) (map[string]bool, error) {
	out := map[string]bool{}
	if len(ids) == 0 {
		return out, nil
	}
	now := s.Now()
	var live []string
	err := s.ctx(ctx).Model(&Session{}).Where("id IN ? AND expires_at > ? AND last_seen_at > ? AND mfa_pending = ?", ids, now, now.Add(-idle), false).
		Pluck("id", &live).Error
	for _, id := range live {
		out[id] = true
	}
	return out, wrap("live sessions", err)
}
