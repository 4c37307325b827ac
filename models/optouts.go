package models

import (
	"context"
	"time"
)

// SetOptOut records an opt-out (or opt-in) on a channel with time and
// source, so the next discharge is suppressed.
func (s *Store) SetOptOut(ctx context.Context, contactID uint, channel string, out bool, source string) error {
	now := s.Now()
	var at *time.Time
	if out {
		at = &now
	}
	upd := map[string]any{"sms_opt_out": out, "sms_opt_out_at": at, "sms_opt_out_source": source}
	if channel == "email" {
		upd = map[string]any{"email_opt_out": out, "email_opt_out_at": at, "email_opt_out_source": source}
	}
	return wrap("set opt-out", s.ctx(ctx).Model(&Contact{}).Where("id = ?", contactID).Updates(upd).Error)
}
