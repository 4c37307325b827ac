package staff

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

const loginCookie = "__Host-pv_login"

// failDelay is how long every failed sign-in step takes from the moment
// the request arrived, whatever went wrong (unknown email, wrong password,
// locked account, wrong code): the answer's timing says nothing about
// whether an account exists, and it does not grow with failures.
const failDelay = time.Second

type loginData struct {
	Org, CSRF, Next, Email, Error, Notice string
}

// LoginPage answers GET /staff/login.
func (h *Handler) LoginPage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return h.showLogin(c, "", "")
}

func (h *Handler) showLogin(c *fiber.Ctx, email, msg string) error {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	c.Cookie(&fiber.Cookie{Name: loginCookie, Value: tok, Path: "/", Secure: true, HTTPOnly: true, SameSite: fiber.CookieSameSiteStrictMode})
	if msg != "" {
		c.Status(fiber.StatusUnauthorized)
	}
	return c.Render("staff/login", loginData{Org: h.cfg.OrgName, CSRF: tok, Next: safeNext(c.Query("next", c.FormValue("next"))),
		Email: email, Error: msg, Notice: loginNotices[c.Query("notice")]})
}

// loginNotices are the only messages the login page shows from its URL.
var loginNotices = map[string]string{
	"mfa-attempts": "Too many codes were tried. Sign in again with your password.",
	"signed-out":   "You are signed out.",
	"idle":         "You were signed out after a period without activity.",
}

// loginFailed is the one message for every failed sign-in: it never says
// whether the email or the password was wrong, or that an account exists.
const loginFailed = "Sign-in failed. Check your email and password. After 5 failed attempts an account is locked for 15 minutes."

// Login answers POST /staff/login. The attempt is counted before the
// password is checked, so parallel guesses cannot get past the lockout;
// an unknown email costs the same bcrypt and the same delay as a known one.
func (h *Handler) Login(c *fiber.Ctx) error {
	start := time.Now()
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx := c.UserContext()
	ck := c.Cookies(loginCookie)
	if ck == "" || subtle.ConstantTimeCompare([]byte(ck), []byte(c.FormValue("csrf"))) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "This sign-in form has expired. Reload the page and try again.")
	}
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	pw := c.FormValue("password")
	u, err := h.store.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return err
	}
	found := err == nil
	ok, reason := false, "unknown account"
	if found {
		admitted, err := h.store.AdmitAttempt(ctx, u.ID)
		if err != nil {
			return err
		}
		switch {
		case !admitted:
			reason = "locked or disabled account"
			h.burnBcrypt(pw)
		case !u.CheckPassword(pw):
			reason = "bad password"
			if _, err := h.store.AttemptFailed(ctx, u.ID); err != nil {
				return err
			}
		default:
			ok = true
		}
	} else {
		h.burnBcrypt(pw)
	}
	if !ok {
		record := ""
		if found {
			record = recordUser(u.ID)
		}
		_ = h.store.Audit(ctx, email, "login.failed", record, ip(c), reason)
		h.pad(start)
		return h.showLogin(c, email, loginFailed)
	}
	pending := u.TOTPEnabled || h.mfaRequired(u)
	if pending {
		// the password was right; the second factor decides
		err = h.store.Uncount(ctx, u.ID)
	} else {
		err = h.store.ResetLoginFailures(ctx, u.ID)
	}
	if err != nil {
		return err
	}
	if err := h.startSession(c, u, pending); err != nil {
		return err
	}
	next := safeNext(c.FormValue("next"))
	switch {
	case u.TOTPEnabled:
		return c.Redirect("/staff/login/mfa?next="+urlQuery(next), fiber.StatusSeeOther)
	case pending:
		return c.Redirect("/staff/mfa/setup?next="+urlQuery(next), fiber.StatusSeeOther)
	}
	_ = h.store.Audit(ctx, u.Email, "login", recordUser(u.ID), ip(c), "password")
	return c.Redirect(next, fiber.StatusSeeOther)
}

// burnBcrypt spends the work of one password check where no real check
// happens (unknown email, locked account).
func (h *Handler) burnBcrypt(pw string) {
	_ = models.StaffUser{PasswordHash: string(h.dummyHash())}.CheckPassword(pw)
}

// pad holds a failed answer until failDelay after the request arrived.
func (h *Handler) pad(start time.Time) {
	if d := failDelay - time.Since(start); d > 0 {
		h.sleep(d)
	}
}

func (h *Handler) mfaRequired(u models.StaffUser) bool {
	return u.Role == models.RoleManager || u.Role == models.RoleAdmin || h.cfg.AgentMFA
}

// startSession replaces any session of the request with a new one, so the
// session id changes at every step of signing in.
func (h *Handler) startSession(c *fiber.Ctx, u models.StaffUser, mfaPending bool) error {
	ctx := c.UserContext()
	if old := c.Cookies(SessionCookie); old != "" {
		if s, err := h.store.SessionByToken(ctx, old); err == nil {
			if err := h.endSession(c, s.ID); err != nil {
				return err
			}
		}
	}
	tok, _, err := h.store.CreateSession(ctx, u.ID, ip(c), mfaPending, h.cfg.SessionMax)
	if err != nil {
		return err
	}
	setSessionCookie(c, tok)
	return nil
}

// endSession deletes a session and closes its live streams on this
// server at once (other servers notice within a poll).
func (h *Handler) endSession(c *fiber.Ctx, id string) error {
	if err := h.store.DeleteSession(c.UserContext(), id); err != nil {
		return err
	}
	h.live.EndSession(id)
	return nil
}

// Logout answers POST /staff/logout: the session is deleted server-side
// and its live streams close.
func (h *Handler) Logout(c *fiber.Ctx) error {
	p := principal(c)
	if err := h.endSession(c, p.Session.ID); err != nil {
		return err
	}
	_ = h.store.Audit(c.UserContext(), p.User.Email, "logout", recordUser(p.User.ID), ip(c), "")
	clearSessionCookie(c)
	return c.Redirect("/staff/login?notice=signed-out", fiber.StatusSeeOther)
}

func recordUser(id uint) string { return "user:" + itoa(id) }
