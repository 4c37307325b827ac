package models

import "context"

// Values the store seals or opens for callers, so that every use of the
// field keys stays inside this package.

// CaseSummary decrypts a case's summary (what the patient asked or staff
// wrote) for the case page.
func (s *Store) CaseSummary(c Case) string { return s.Crypto.MustOpen(c.SummaryEnc) }

// CaseEventDetail decrypts a timeline entry's detail for the case page.
func (s *Store) CaseEventDetail(e CaseEvent) string { return s.Crypto.MustOpen(e.DetailEnc) }

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
