package staff_test

import (
	"time"

	"github.com/pquerna/otp/totp"
)

func totpCode(secret string, at time.Time) (string, error) { return totp.GenerateCode(secret, at) }
