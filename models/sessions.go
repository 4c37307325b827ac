package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"gorm.io/gorm"
)

// CreateSession starts a server-side session and returns the cookie value;
// only its hash is stored. A new id every login defeats session fixation.
func (s *Store) CreateSession(ctx context.Context, userID uint, ip string, mfaPending bool, max time.Duration) (string, Session, error) {
	tok := NewToken("")
	csrf := make([]byte, 24)
	_, _ = rand.Read(csrf)
	now := s.Now()
	row := Session{ID: HashToken(tok), UserID: userID, CSRFToken: hex.EncodeToString(csrf), MFAPending: mfaPending,
		IP: truncate(ip, 64), CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(max)}
	if err := s.ctx(ctx).Create(&row).Error; err != nil {
		return "", row, wrap("create session", err)
	}
	return tok, row, nil
}

// SessionByToken finds a session by its cookie value.
func (s *Store) SessionByToken(ctx context.Context, tok string) (Session, error) {
	var row Session
	err := s.ctx(ctx).Where("id = ?", HashToken(tok)).Take(&row).Error
	return row, wrap("find session", err)
}

// TouchSession records activity for idle logoff; it writes at most once a
// minute per session to keep page loads cheap.
func (s *Store) TouchSession(ctx context.Context, row Session) error {
	now := s.Now()
	if now.Sub(row.LastSeenAt) < time.Minute {
		return nil
	}
	return wrap("touch session", s.ctx(ctx).Model(&Session{}).Where("id = ?", row.ID).Update("last_seen_at", now).Error)
}

// CompleteMFA marks a session's second factor as done.
func (s *Store) CompleteMFA(ctx context.Context, id string) error {
	return wrap("complete mfa", s.ctx(ctx).Model(&Session{}).Where("id = ?", id).Update("mfa_pending", false).Error)
}

// DeleteSession ends one session (logout, expiry).
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return wrap("delete session", s.ctx(ctx).Where("id = ?", id).Delete(&Session{}).Error)
}

// DeleteUserSessions ends every session of a user (disabled, MFA reset).
func (s *Store) DeleteUserSessions(ctx context.Context, userID uint) error {
	return wrap("delete sessions", s.ctx(ctx).Where("user_id = ?", userID).Delete(&Session{}).Error)
}

// PurgeSessions deletes sessions idle longer than idle or past their
// absolute expiry.
func (s *Store) PurgeSessions(ctx context.Context, idle time.Duration) error {
	now := s.Now()
	return wrap("purge sessions", s.ctx(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-idle)).Delete(&Session{}).Error)
}

// Login lockout policy: LockAfter failures within LockWindow lock the
// account for LockFor.
const (
	LockAfter  = 5
	LockWindow = 15 * time.Minute
	LockFor    = 15 * time.Minute
)

// RecordLoginFailure counts a failed login and locks the account when the
// policy says so. It returns the failures counted in the current window.
func (s *Store) RecordLoginFailure(ctx context.Context, userID uint) (int, error) {
	var n int
	err := s.writeOnce(ctx, "record login failure", func(tx *gorm.DB) error { // counted once
		var u StaffUser
		if err := tx.Take(&u, userID).Error; err != nil {
			return err
		}
		now := s.Now()
		if u.FirstFailureAt == nil || now.Sub(*u.FirstFailureAt) > LockWindow {
			u.FailedLogins, u.FirstFailureAt = 0, &now
		}
		u.FailedLogins++
		n = u.FailedLogins
		upd := map[string]any{"failed_logins": u.FailedLogins, "first_failure_at": u.FirstFailureAt}
		if u.FailedLogins >= LockAfter {
			until := now.Add(LockFor)
			upd["locked_until"], upd["failed_logins"], upd["first_failure_at"] = until, 0, nil
		}
		return tx.Model(&StaffUser{}).Where("id = ?", userID).Updates(upd).Error
	})
	return n, wrap("record login failure", err)
}

// ResetLoginFailures clears the failure count after a good login.
func (s *Store) ResetLoginFailures(ctx context.Context, userID uint) error {
	err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", userID).
		Updates(map[string]any{"failed_logins": 0, "first_failure_at": nil, "locked_until": nil}).Error
	return wrap("reset login failures", err)
}

// Locked reports whether the account is locked at now.
func (u StaffUser) Locked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
}
