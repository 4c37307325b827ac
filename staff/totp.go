package staff

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// totpPeriod is the life of one code; a code is accepted from the step
// before to the step after its own (clock drift of a phone).
const totpPeriod = 30

// matchTOTP finds the time step, within one step either side of now, whose
// code is code; ok false when none is.
func matchTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 || secret == "" {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, d := range []int64{-1, 0, 1} {
		at := now.Add(time.Duration(d*totpPeriod) * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / totpPeriod, true
		}
	}
	return 0, false
}

func isSixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// secondFactor checks a 6-digit code (each time step once per account) or
// a recovery code (each once) for u. how names what was used; reused says
// the code was right but already used.
func (h *Handler) secondFactor(ctx context.Context, u models.StaffUser, input string) (ok bool, how string, reused bool, err error) {
	code := strings.Join(strings.Fields(input), "")
	if isSixDigits(code) {
		secret, err := h.store.TOTPSecret(u)
		if err != nil {
			return false, "", false, err
		}
		step, match := matchTOTP(secret, code, h.now())
		if !match {
			return false, "totp", false, nil
		}
		used, err := h.store.UseTOTPStep(ctx, u.ID, step)
		return used, "totp", !used, err
	}
	if code == "" || len(code) > 40 {
		return false, "recovery code", false, nil
	}
	used, err := h.store.UseRecoveryCode(ctx, u.ID, code)
	return used, "recovery code", false, err
}
