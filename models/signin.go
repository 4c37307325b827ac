package models

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Login lockout policy: LockAfter attempts within LockWindow lock the
// account for LockFor. Password and second-factor attempts count alike.
const (
	LockAfter  = 5
	LockWindow = 15 * time.Minute
	LockFor    = 15 * time.Minute
)

// AdmitAttempt counts a sign-in attempt (password or second factor)
// before it is checked, in one conditional update: it reports false when
// the account is disabled, locked or already has LockAfter attempts in the
// current window, so parallel guesses cannot all be evaluated. A right
// attempt is taken back with ResetLoginFailures or Uncount.
func (s *Store) AdmitAttempt(ctx context.Context, id uint) (bool, error) {
	now := s.Now()
	start := now.Add(-LockWindow)
	// MySQL assigns left to right and later expressions see earlier
	// results, so failed_logins is computed before first_failure_at moves
	fresh := "(first_failure_at IS NULL OR first_failure_at <= ?)"
	res := s.ctx(ctx).Exec("UPDATE staff_users SET "+
		"failed_logins = CASE WHEN "+fresh+" THEN 1 ELSE failed_logins + 1 END, "+
		"first_failure_at = CASE WHEN "+fresh+" THEN ? ELSE first_failure_at END "+
		"WHERE id = ? AND disabled = ? AND (locked_until IS NULL OR locked_until <= ?) AND ("+fresh+" OR failed_logins < ?)",
		start, start, now, id, false, now, start, LockAfter)
	return affected(res, "admit sign-in attempt")
}

// AttemptFailed records that an admitted attempt was wrong: when it was
// the LockAfter-th of the window the account locks for LockFor.
func (s *Store) AttemptFailed(ctx context.Context, id uint) (locked bool, err error) {
	now := s.Now()
	res := s.ctx(ctx).Model(&StaffUser{}).
		Where("id = ? AND failed_logins >= ? AND first_failure_at > ?", id, LockAfter, now.Add(-LockWindow)).
		Update("locked_until", now.Add(LockFor))
	return affected(res, "lock account")
}

// Uncount takes back one admitted attempt that was right but does not
// finish signing in (the password before the second factor).
func (s *Store) Uncount(ctx context.Context, id uint) error {
	err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ? AND failed_logins > 0", id).
		Update("failed_logins", gorm.Expr("failed_logins - 1")).Error
	return wrap("uncount attempt", err)
}

// ResetLoginFailures clears the attempt count after a complete sign-in.
func (s *Store) ResetLoginFailures(ctx context.Context, id uint) error {
	err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).
		Updates(map[string]any{"failed_logins": 0, "first_failure_at": nil, "locked_until": nil}).Error
	return wrap("reset login failures", err)
}

// Locked reports whether the account is locked at now.
func (u StaffUser) Locked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
}

// EnrolTOTP stores a verified TOTP secret for an account that has no
// second factor; it reports false when one is already enrolled, so a
// half-signed-in session can never replace the owner's factor. step is
// the time step of the code that proved the secret (used once).
func (s *Store) EnrolTOTP(ctx context.Context, id uint, secret string, step int64) (bool, error) {
	res := s.ctx(ctx).Model(&StaffUser{}).Where("id = ? AND totp_enabled = ?", id, false).
		Updates(map[string]any{"totp_secret_enc": s.Crypto.Seal(secret), "totp_enabled": true, "totp_last_step": step})
	return affected(res, "enrol totp")
}

// ReplaceTOTP swaps an enrolled secret for a new one (a fully signed-in
// user who proved the current factor).
func (s *Store) ReplaceTOTP(ctx context.Context, id uint, secret string, step int64) error {
	err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).
		Updates(map[string]any{"totp_secret_enc": s.Crypto.Seal(secret), "totp_enabled": true, "totp_last_step": step}).Error
	return wrap("replace totp", err)
}

// ResetTOTP removes the second factor and the recovery codes and ends
// every session: the user enrols again at the next sign-in.
func (s *Store) ResetTOTP(ctx context.Context, id uint) error {
	err := s.ctx(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Model(&StaffUser{}).Where("id = ?", id).
			Updates(map[string]any{"totp_secret_enc": "", "totp_enabled": false, "totp_last_step": 0}).Error; err != nil {
			return err
		}
		if err := tx.Where("user_id = ?", id).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		return tx.Where("user_id = ?", id).Delete(&Session{}).Error
	})
	return wrap("reset totp", err)
}

// TOTPSecret opens a user's TOTP secret.
func (s *Store) TOTPSecret(u StaffUser) (string, error) { return s.Crypto.Open(u.TOTPSecretEnc) }

// UseTOTPStep marks a time step as used by the account, in one
// conditional update: of two requests with the same code only one gets
// true, and a code older than the last accepted one never does.
func (s *Store) UseTOTPStep(ctx context.Context, id uint, step int64) (bool, error) {
	res := s.ctx(ctx).Model(&StaffUser{}).Where("id = ? AND totp_last_step < ?", id, step).Update("totp_last_step", step)
	return affected(res, "use totp step")
}

// RecoveryCodeCount is how many recovery codes an account gets.
const RecoveryCodeCount = 10

const recoveryAlphabet = "abcdefghjkmnpqrstuvwxyz23456789"

// NormalizeRecoveryCode lower-cases a typed code and drops spaces and
// dashes, so "ABCDE-FGHJK" and "abcde fghjk" are the same code.
func NormalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(code)))
}

func recoveryHash(userID uint, code string) string {
	return HashToken(fmt.Sprintf("recovery:%d:%s", userID, NormalizeRecoveryCode(code)))
}

// NewRecoveryCodes replaces an account's recovery codes with
// RecoveryCodeCount fresh ones and returns them, to be shown once: only
// their hashes are kept.
func (s *Store) NewRecoveryCodes(ctx context.Context, id uint) ([]string, error) {
	codes := make([]string, RecoveryCodeCount)
	rows := make([]RecoveryCode, RecoveryCodeCount)
	now := s.Now()
	for i := range codes {
		b := make([]byte, 10)
		for j := range b {
			n, err := rand.Int(rand.Reader, big.NewInt(int64(len(recoveryAlphabet))))
			if err != nil {
				return nil, fmt.Errorf("recovery codes: %w", err)
			}
			b[j] = recoveryAlphabet[n.Int64()]
		}
		codes[i] = string(b[:5]) + "-" + string(b[5:])
		rows[i] = RecoveryCode{UserID: id, CodeHash: recoveryHash(id, codes[i]), CreatedAt: now}
	}
	err := s.ctx(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ?", id).Delete(&RecoveryCode{}).Error; err != nil {
			return err
		}
		return tx.Create(&rows).Error
	})
	if err != nil {
		return nil, wrap("recovery codes", err)
	}
	return codes, nil
}

// UseRecoveryCode spends one recovery code in a conditional update: true
// exactly once per code.
func (s *Store) UseRecoveryCode(ctx context.Context, id uint, code string) (bool, error) {
	res := s.ctx(ctx).Model(&RecoveryCode{}).Where("user_id = ? AND code_hash = ? AND used_at IS NULL", id, recoveryHash(id, code)).
		Update("used_at", s.Now())
	return affected(res, "use recovery code")
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, id uint) (int64, error) {
	var n int64
	err := s.ctx(ctx).Model(&RecoveryCode{}).Where("user_id = ? AND used_at IS NULL", id).Count(&n).Error
	return n, wrap("count recovery codes", err)
}
