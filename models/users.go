package models

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Staff roles.
const (
	RoleAgent   = "agent"
	RoleManager = "manager"
	RoleAdmin   = "admin"
)

// ValidRole reports whether r is a staff role.
func ValidRole(r string) bool { return r == RoleAgent || r == RoleManager || r == RoleAdmin }

// MinPasswordLen is the shortest staff password accepted.
const MinPasswordLen = 12

// ErrWeakPassword is returned for passwords shorter than MinPasswordLen.
var ErrWeakPassword = fmt.Errorf("password must be at least %d characters", MinPasswordLen)

// CreateUser adds a staff account with a bcrypt-hashed password.
func (s *Store) CreateUser(ctx context.Context, email, name, role, password string) (StaffUser, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if a, err := mail.ParseAddress(email); err != nil || a.Address != email {
		return StaffUser{}, fmt.Errorf("create user: %q is not an email address", email)
	}
	if strings.TrimSpace(name) == "" {
		return StaffUser{}, errors.New("create user: name is required")
	}
	if !ValidRole(role) {
		return StaffUser{}, fmt.Errorf("create user: role %q; use agent, manager or admin", role)
	}
	if len([]rune(password)) < MinPasswordLen {
		return StaffUser{}, fmt.Errorf("create user: %w", ErrWeakPassword)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return StaffUser{}, fmt.Errorf("create user: %w", err)
	}
	u := StaffUser{Email: email, Name: strings.TrimSpace(name), Role: role, PasswordHash: string(hash)}
	if err := s.ctx(ctx).Create(&u).Error; err != nil {
		if isDuplicate(err) {
			return u, fmt.Errorf("create user: %s already exists: %w", email, ErrConflict)
		}
		return u, wrap("create user", err)
	}
	return u, nil
}

// UserByEmail finds a staff account.
func (s *Store) UserByEmail(ctx context.Context, email string) (StaffUser, error) {
	var u StaffUser
	err := s.ctx(ctx).Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	return u, wrap("find user", err)
}

// UserByID finds a staff account by id.
func (s *Store) UserByID(ctx context.Context, id uint) (StaffUser, error) {
	var u StaffUser
	err := s.ctx(ctx).Take(&u, id).Error
	return u, wrap("find user", err)
}

// CountAdmins counts enabled admin accounts.
func (s *Store) CountAdmins(ctx context.Context) (int64, error) {
	var n int64
	err := s.ctx(ctx).Model(&StaffUser{}).Where("role = ? AND disabled = ?", RoleAdmin, false).Count(&n).Error
	return n, wrap("count admins", err)
}

// CheckPassword compares a password with the stored hash in constant time.
func (u StaffUser) CheckPassword(password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil
}

// Users lists every staff account by email.
func (s *Store) Users(ctx context.Context) ([]StaffUser, error) {
	var out []StaffUser
	err := s.ctx(ctx).Order("email").Find(&out).Error
	return out, wrap("list users", err)
}

// SetUserDisabled disables or re-enables an account; disabling ends its
// sessions at once.
func (s *Store) SetUserDisabled(ctx context.Context, id uint, disabled bool) error {
	if err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).Update("disabled", disabled).Error; err != nil {
		return wrap("disable user", err)
	}
	if disabled {
		return s.DeleteUserSessions(ctx, id)
	}
	return nil
}

// UpdateUser changes an account's name, role and department scope.
func (s *Store) UpdateUser(ctx context.Context, id uint, name, role, departments string) error {
	if !ValidRole(role) {
		return fmt.Errorf("update user: role %q: %w", role, ErrConflict)
	}
	err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).
		Updates(map[string]any{"name": name, "role": role, "departments": departments}).Error
	return wrap("update user", err)
}

// SetPassword replaces a password.
func (s *Store) SetPassword(ctx context.Context, id uint, password string) error {
	if len([]rune(password)) < MinPasswordLen {
		return fmt.Errorf("set password: %w", ErrWeakPassword)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return wrap("set password", s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).Update("password_hash", string(hash)).Error)
}

// SetTOTP stores (sealed) a verified TOTP secret and enables the second
// factor; an empty secret resets it, so the user enrols again.
func (s *Store) SetTOTP(ctx context.Context, id uint, secret string) error {
	err := s.ctx(ctx).Model(&StaffUser{}).Where("id = ?", id).
		Updates(map[string]any{"totp_secret_enc": s.Crypto.Seal(secret), "totp_enabled": secret != ""}).Error
	return wrap("set totp", err)
}

// TOTPSecret opens a user's TOTP secret.
func (s *Store) TOTPSecret(u StaffUser) (string, error) { return s.Crypto.Open(u.TOTPSecretEnc) }

// DepartmentCodes splits an agent's department scope; empty means all.
func (u StaffUser) DepartmentCodes() []string { return splitList(u.Departments) }
