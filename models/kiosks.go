package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CreateKiosk enrols a kiosk for a department and returns its device token,
// shown once. The kiosk answers the survey with key surveyKey.
func (s *Store) CreateKiosk(ctx context.Context, name, location, deptCode, surveyKey string) (string, Kiosk, error) {
	dept, err := s.DepartmentByCode(ctx, deptCode)
	if err != nil {
		return "", Kiosk{}, fmt.Errorf("create kiosk: department %q: %w", deptCode, err)
	}
	sv, err := s.surveyRow(ctx, surveyKey)
	if err != nil {
		return "", Kiosk{}, fmt.Errorf("create kiosk: survey %q: %w", surveyKey, err)
	}
	tok := NewToken("pvk_")
	k := Kiosk{Name: name, Location: location, DepartmentID: dept.ID, SurveyID: sv.ID, TokenHash: HashToken(tok), IdleSeconds: 60}
	if err := s.ctx(ctx).Create(&k).Error; err != nil {
		return "", k, wrap("create kiosk", err)
	}
	return tok, k, nil
}

// KioskByToken finds a kiosk that is not revoked.
func (s *Store) KioskByToken(ctx context.Context, tok string) (Kiosk, error) {
	var k Kiosk
	err := s.ctx(ctx).Where("token_hash = ? AND revoked_at IS NULL", HashToken(tok)).Take(&k).Error
	return k, wrap("find kiosk", err)
}

// KioskByID finds any kiosk, revoked or not.
func (s *Store) KioskByID(ctx context.Context, id uint) (Kiosk, error) {
	var k Kiosk
	err := s.ctx(ctx).Take(&k, id).Error
	return k, wrap("find kiosk", err)
}

// Kiosks lists every kiosk, newest first.
func (s *Store) Kiosks(ctx context.Context) ([]Kiosk, error) {
	var out []Kiosk
	err := s.ctx(ctx).Order("id DESC").Find(&out).Error
	return out, wrap("list kiosks", err)
}

// TouchKiosk records a heartbeat.
func (s *Store) TouchKiosk(ctx context.Context, id uint) error {
	_, err := s.exec(ctx, "kiosk heartbeat", true, func(db *gorm.DB) *gorm.DB {
		return db.Model(&Kiosk{}).Where("id = ?", id).Update("last_seen_at", s.Now())
	})
	return err
}

// UpdateKiosk changes a kiosk's name, location, department, survey and idle
// timeout.
func (s *Store) UpdateKiosk(ctx context.Context, k Kiosk) error {
	err := s.ctx(ctx).Model(&Kiosk{}).Where("id = ?", k.ID).Updates(map[string]any{
		"name": k.Name, "location": k.Location, "department_id": k.DepartmentID,
		"survey_id": k.SurveyID, "idle_seconds": k.IdleSeconds,
	}).Error
	return wrap("update kiosk", err)
}

// RevokeKiosk stops a device token working at once.
func (s *Store) RevokeKiosk(ctx context.Context, id uint) error {
	err := s.ctx(ctx).Model(&Kiosk{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", s.Now()).Error
	return wrap("revoke kiosk", err)
}

// RotateKioskToken issues a new token for a kiosk, invalidating the old one
// (and un-revoking a revoked kiosk).
func (s *Store) RotateKioskToken(ctx context.Context, id uint) (string, error) {
	tok := NewToken("pvk_")
	res := s.ctx(ctx).Model(&Kiosk{}).Where("id = ?", id).Updates(map[string]any{"token_hash": HashToken(tok), "revoked_at": nil})
	if res.Error != nil {
		return "", wrap("rotate kiosk token", res.Error)
	}
	if res.RowsAffected == 0 {
		return "", fmt.Errorf("rotate kiosk token: %w", ErrNotFound)
	}
	return tok, nil
}

// Online reports whether a kiosk was heard from within window of now.
func (k Kiosk) Online(now time.Time, window time.Duration) bool {
	return k.LastSeenAt != nil && now.Sub(*k.LastSeenAt) <= window
}
