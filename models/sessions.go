package models

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"
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

// SessionByID finds a session by its id (the hash of the cookie value).
func (s *Store) SessionByID(ctx context.Context, id string) (Session, error) {
	var row Session
	err := s.ctx(ctx).Where("id = ?", id).Take(&row).Error
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

// DeleteSession ends one session (logout, expiry) and frees its stream
// slots.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if err := s.ctx(ctx).Where("id = ?", id).Delete(&Session{}).Error; err != nil {
		return wrap("delete session", err)
	}
	return wrap("delete session streams", s.ctx(ctx).Where("session_id = ?", id).Delete(&SessionStream{}).Error)
}

// DeleteUserSessions ends every session of a user (disabled, password or
// second factor reset).
func (s *Store) DeleteUserSessions(ctx context.Context, userID uint) error {
	return wrap("delete sessions", s.ctx(ctx).Where("user_id = ?", userID).Delete(&Session{}).Error)
}

// DeleteOtherSessions ends every session of a user but one (a password
// change signs out the other browsers).
func (s *Store) DeleteOtherSessions(ctx context.Context, userID uint, keep string) error {
	err := s.ctx(ctx).Where("user_id = ? AND id <> ?", userID, keep).Delete(&Session{}).Error
	return wrap("delete other sessions", err)
}

// PurgeSessions deletes sessions idle longer than idle or past their
// absolute expiry, and stream leases that ran out.
func (s *Store) PurgeSessions(ctx context.Context, idle time.Duration) error {
	now := s.Now()
	if err := s.ctx(ctx).Where("expires_at < ? OR last_seen_at < ?", now, now.Add(-idle)).Delete(&Session{}).Error; err != nil {
		return wrap("purge sessions", err)
	}
	return wrap("purge streams", s.ctx(ctx).Where("until < ?", now.Add(-time.Hour)).Delete(&SessionStream{}).Error)
}

// MaxMFAAttempts is how many second-factor codes one pending session may
// try; then it ends and the user starts again with the password.
const MaxMFAAttempts = 5

// AdmitMFAAttempt counts a code tried on a pending session in one
// conditional update; false once MaxMFAAttempts were tried.
func (s *Store) AdmitMFAAttempt(ctx context.Context, id string) (bool, error) {
	res := s.ctx(ctx).Exec("UPDATE sessions SET mfa_attempts = mfa_attempts + 1 WHERE id = ? AND mfa_attempts < ?", id, MaxMFAAttempts)
	return affected(res, "count second-factor attempt")
}

// Purposes of a pending TOTP secret.
const (
	// PendingEnrol is a first factor for an account that has none.
	PendingEnrol = "enrol"
	// PendingReplace replaces a factor the user proved on this session.
	PendingReplace = "replace"
)

// SetPendingTOTP keeps a TOTP secret being enrolled on the server side of
// the session (sealed), with what it is for; it never travels in a page.
// An empty secret clears it.
func (s *Store) SetPendingTOTP(ctx context.Context, id, purpose, secret string) error {
	upd := map[string]any{"pending_totp_enc": "", "pending_totp_at": nil}
	if secret != "" {
		upd["pending_totp_enc"], upd["pending_totp_at"] = s.Crypto.Seal(purpose+":"+secret), s.Now()
	}
	return wrap("pending totp", s.ctx(ctx).Model(&Session{}).Where("id = ?", id).Updates(upd).Error)
}

// PendingTOTP opens the session's secret being enrolled and its purpose;
// "" when none.
func (s *Store) PendingTOTP(row Session) (purpose, secret string) {
	if row.PendingTOTPEnc == "" {
		return "", ""
	}
	v, err := s.Crypto.Open(row.PendingTOTPEnc)
	if err != nil {
		return "", ""
	}
	purpose, secret, _ = strings.Cut(v, ":")
	return purpose, secret
}
