package staff

import (
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

// pendingFor is how long a signed-in user has to finish replacing their
// authenticator after proving the current one.
const pendingFor = 10 * time.Minute

type accountData struct {
	TOTP      bool
	CodesLeft int64
	Error     string
}

// Account answers GET /staff/account: the signed-in user's password and
// second factor.
func (h *Handler) Account(c *fiber.Ctx) error { return h.showAccount(c, "") }

func (h *Handler) showAccount(c *fiber.Ctx, msg string) error {
	u := principal(c).User
	left, err := h.store.RecoveryCodesLeft(c.UserContext(), u.ID)
	if err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusUnauthorized)
	}
	return h.render(c, "staff/account", "Your account", "account", accountData{TOTP: u.TOTPEnabled, CodesLeft: left, Error: msg})
}

// proveFactor checks the current second factor of a signed-in user (a
// code or a recovery code), counted like a sign-in attempt: a stolen
// session cannot guess its way to a new factor.
func (h *Handler) proveFactor(c *fiber.Ctx, u models.StaffUser) (bool, error) {
	start := time.Now()
	ctx := c.UserContext()
	admitted, err := h.store.AdmitAttempt(ctx, u.ID)
	if err != nil {
		return false, err
	}
	ok, how := false, "locked account"
	if admitted {
		if ok, how, _, err = h.secondFactor(ctx, u, c.FormValue("code")); err != nil {
			return false, err
		}
	}
	if ok {
		return true, h.store.ResetLoginFailures(ctx, u.ID)
	}
	if admitted {
		if _, err := h.store.AttemptFailed(ctx, u.ID); err != nil {
			return false, err
		}
	}
	_ = h.store.Audit(ctx, u.Email, "mfa.prove_failed", recordUser(u.ID), ip(c), how)
	h.pad(start)
	return false, nil
}

// StartReplaceMFA answers POST /staff/account/mfa: with the current code
// (or, for an account without a factor, nothing) a new secret is made and
// kept on the session until a code from it proves the new phone.
func (h *Handler) StartReplaceMFA(c *fiber.Ctx) error {
	p := principal(c)
	purpose := models.PendingEnrol
	if p.User.TOTPEnabled {
		purpose = models.PendingReplace
		ok, err := h.proveFactor(c, p.User)
		if err != nil {
			return err
		}
		if !ok {
			return h.showAccount(c, "That code is not right, or was used before. Enter the code your authenticator shows now, or a recovery code.")
		}
	}
	if err := h.store.SetPendingTOTP(c.UserContext(), p.Session.ID, "", ""); err != nil {
		return err
	}
	p.Session.PendingTOTPEnc = ""
	secret, err := h.pendingSecret(c, &p, purpose)
	if err != nil {
		return err
	}
	return h.showSetup(c, &p, secret, "/staff/account/mfa/confirm", "/staff/account", "")
}

// ConfirmReplaceMFA answers POST /staff/account/mfa/confirm: a code from
// the new secret replaces the factor and issues new recovery codes.
func (h *Handler) ConfirmReplaceMFA(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	purpose, secret := h.store.PendingTOTP(p.Session)
	if secret == "" || p.Session.PendingTOTPAt == nil || h.now().Sub(*p.Session.PendingTOTPAt) > pendingFor {
		return h.showAccount(c, "The setup took too long or was not started here. Start again.")
	}
	step, ok := matchTOTP(secret, c.FormValue("code"), h.now())
	if !ok {
		return h.showSetup(c, &p, secret, "/staff/account/mfa/confirm", "/staff/account", "That code is not right. Enter the 6 digits your authenticator app shows now.")
	}
	// a replacement needs the factor proved at the start; an enrolment
	// only stands while the account still has no factor
	switch purpose {
	case models.PendingReplace:
		if err := h.store.ReplaceTOTP(ctx, p.User.ID, secret, step); err != nil {
			return err
		}
	default:
		ok, err := h.store.EnrolTOTP(ctx, p.User.ID, secret, step)
		if err != nil {
			return err
		}
		if !ok {
			return fiber.NewError(fiber.StatusConflict, "This account already has a second factor: replace it from your account page with its current code.")
		}
	}
	if err := h.store.SetPendingTOTP(ctx, p.Session.ID, "", ""); err != nil {
		return err
	}
	codes, err := h.store.NewRecoveryCodes(ctx, p.User.ID)
	if err != nil {
		return err
	}
	what := "replaced"
	if purpose != models.PendingReplace {
		what = "enrolled"
	}
	_ = h.store.Audit(ctx, p.User.Email, "mfa."+what, recordUser(p.User.ID), ip(c), "by the signed-in user")
	return h.showRecoveryCodes(c, codes, "/staff/account?flash=mfa-replaced")
}

// NewRecoveryCodes answers POST /staff/account/recovery: with the current
// code, ten new recovery codes replace the old ones.
func (h *Handler) NewRecoveryCodes(c *fiber.Ctx) error {
	p := principal(c)
	if !p.User.TOTPEnabled {
		return h.showAccount(c, "Set up two-step sign-in first.")
	}
	ok, err := h.proveFactor(c, p.User)
	if err != nil {
		return err
	}
	if !ok {
		return h.showAccount(c, "That code is not right, or was used before. Enter the code your authenticator shows now, or a recovery code.")
	}
	codes, err := h.store.NewRecoveryCodes(c.UserContext(), p.User.ID)
	if err != nil {
		return err
	}
	_ = h.store.Audit(c.UserContext(), p.User.Email, "mfa.recovery_codes", recordUser(p.User.ID), ip(c), "new codes; the old ones no longer work")
	return h.showRecoveryCodes(c, codes, "/staff/account")
}
