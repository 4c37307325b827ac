package password

import (
	"errors"
	"testing"
)

func TestCheck(t *testing.T) {
	p := New()
	if len(p.common) < 3000 || len(p.words) < 1000 {
		t.Fatalf("lists too short: %d common, %d words", len(p.common), len(p.words))
	}
	for _, tc := range []struct {
		pw   string
		want error
	}{
		{"short", ErrTooShort},
		{"qwertyuiopasdfghjkl", ErrCommon},
		{"1qaz2wsx3edc", ErrCommon},
		{"QwertyQwerty", ErrCommon},
		{"Password2024!!", ErrCommon},
		{"123456789012", ErrCommon},
		{"!!dragon!!2026", ErrCommon},
		{"aaaaaaaaaaaaaaaa", ErrCommon},
		{"xyzxyzxyzxyzxyz", ErrRepeating},
		{"ana.lopez-2026-x", ErrPersonal},
		{"lopez lopez x1", ErrPersonal},
		{"correct horse battery staple", nil},
		{"Plum-Quiet-Lantern-7", nil},
		{string(make([]byte, 80)) + "x", ErrTooLong},
	} {
		if err := p.Check(tc.pw, "ana.lopez@h.org", "Ana Lopez"); !errors.Is(err, tc.want) {
			t.Errorf("%q: %v, want %v", tc.pw, err, tc.want)
		}
	}
}
