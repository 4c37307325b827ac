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
