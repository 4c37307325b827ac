package models

import "context"

// Values the store seals or opens for callers, so that every use of the
// field keys stays inside this package.

// CaseSummary decrypts a case's summary (what the patient asked or staff
// wrote) for the case page.
func (s *Store) CaseSummary(c Case) string { return s.Crypto.MustOpen(c.SummaryEnc) }

// CaseEventDetail decrypts a timeline entry's detail for the case page.
func (s *Store) CaseEventDetail(e CaseEvent) string { return s.Crypto.MustOpen(e.DetailEnc) }

// SealForForm seals a value a form carries back to this server (the TOTP
// secret during enrolment), so the page holds it without the browser
// reading or changing it. OpenFromForm reverses it; a damaged value is an
// error.
func (s *Store) SealForForm(plain string) string { return s.Crypto.Seal(plain) }

// OpenFromForm opens a value SealForForm made.
func (s *Store) OpenFromForm(sealed string) (string, error) { return s.Crypto.Open(sealed) }

// SetSecretSetting stores a setting sealed (a token shown again later).
func (s *Store) SetSecretSetting(ctx context.Context, key, plain string) error {
	return s.SetSetting(ctx, key, s.Crypto.Seal(plain))
}

// SecretSetting reads a setting SetSecretSetting stored.
func (s *Store) SecretSetting(ctx context.Context, key string) (string, bool, error) {
	v, ok, err := s.Setting(ctx, key)
	if err != nil || !ok {
		return "", ok, err
	}
	plain, err := s.Crypto.Open(v)
	return plain, true, err
}
