package staff

import (
	"crypto/rand"
	"errors"
	"math/big"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

// oneTimePassword is a readable random temporary password for a new or
// reset account; the user must replace it at the next sign-in.
func oneTimePassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b[i] = alphabet[n.Int64()]
	}
	return string(b)
}

type passwordData struct {
	Forced bool
	Next   string
	Error  string
	MinLen int
}

// PasswordPage answers GET /staff/account/password: change your own
// password; the only page a user with a password someone else chose can
// reach.
func (h *Handler) PasswordPage(c *fiber.Ctx) error {
	return h.showPassword(c, "")
}

func (h *Handler) showPassword(c *fiber.Ctx, msg string) error {
	u := principal(c).User
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return h.render(c, "staff/password", "Change your password", "account", passwordData{Forced: u.MustChangePassword,
		Next: safeNext(c.Query("next", c.FormValue("next"))), Error: msg, MinLen: models.MinPasswordLen})
}

// ChangePassword answers POST /staff/account/password: the current
// password (counted like a sign-in attempt) and a new one that passes the
// policy. The user's other sessions end; this one stays.
func (h *Handler) ChangePassword(c *fiber.Ctx) error {
	start := time.Now()
	ctx := c.UserContext()
	p := principal(c)
	admitted, err := h.store.AdmitAttempt(ctx, p.User.ID)
	if err != nil {
		return err
	}
	if !admitted || !p.User.CheckPassword(c.FormValue("current")) {
		if admitted {
			if _, err := h.store.AttemptFailed(ctx, p.User.ID); err != nil {
				return err
			}
		}
		_ = h.store.Audit(ctx, p.User.Email, "password.change_failed", recordUser(p.User.ID), ip(c), "wrong current password")
		h.pad(start)
		return h.showPassword(c, "Your current password is not right.")
	}
	if err := h.store.Uncount(ctx, p.User.ID); err != nil {
		return err
	}
	pw, confirm := c.FormValue("new"), c.FormValue("confirm")
	switch {
	case pw != confirm:
		return h.showPassword(c, "The two new passwords are not the same.")
	case pw == c.FormValue("current"):
		return h.showPassword(c, "The new password must be different from the current one.")
	}
	if err := h.store.ChangePassword(ctx, p.User.ID, pw); err != nil {
		if errors.Is(err, models.ErrWeakPassword) {
			msg := err.Error()
			if i := strings.LastIndex(msg, ": "); i >= 0 {
				msg = msg[i+2:]
			}
			return h.showPassword(c, strings.ToUpper(msg[:1])+msg[1:]+".")
		}
		return err
	}
	if err := h.store.DeleteOtherSessions(ctx, p.User.ID, p.Session.ID); err != nil {
		return err
	}
	h.live.EndUserExcept(p.User.ID, p.Session.ID)
	_ = h.store.Audit(ctx, p.User.Email, "password.change", recordUser(p.User.ID), ip(c), map[bool]string{true: "forced change", false: ""}[p.User.MustChangePassword])
	next := safeNext(c.FormValue("next"))
	sep := "?"
	if strings.Contains(next, "?") {
		sep = "&"
	}
	return c.Redirect(next+sep+"flash=password-changed", fiber.StatusSeeOther)
}
