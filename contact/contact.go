// Package contact normalises the identifiers patients give us (phone
// numbers, email addresses) so the same person is found by the same blind
// index however they typed their number.
package contact

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// ErrPhone and ErrEmail describe unusable identifiers.
var (
	ErrPhone = errors.New("not a valid phone number")
	ErrEmail = errors.New("not a valid email address")
)

// NormalizePhone returns the E.164 form of raw, reading numbers without a
// country code as being in region (e.g. "US").
func NormalizePhone(raw, region string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if len(raw) > 40 {
		return "", fmt.Errorf("%w: too long", ErrPhone)
	}
	n, err := phonenumbers.Parse(raw, strings.ToUpper(region))
	if err != nil {
		return "", fmt.Errorf("%w: %q", ErrPhone, raw)
	}
	if !phonenumbers.IsPossibleNumber(n) || !phonenumbers.IsValidNumber(n) {
		return "", fmt.Errorf("%w: %q", ErrPhone, raw)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// NormalizeEmail checks an address and lower-cases it.
func NormalizeEmail(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if len(raw) > 254 {
		return "", fmt.Errorf("%w: too long", ErrEmail)
	}
	a, err := mail.ParseAddress(raw)
	if err != nil || a.Address != raw || !strings.Contains(raw[strings.LastIndex(raw, "@")+1:], ".") {
		return "", fmt.Errorf("%w: %q", ErrEmail, raw)
	}
	return strings.ToLower(raw), nil
}
