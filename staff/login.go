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
	"golang.org/x/crypto/bcrypt"
)

const loginCookie = "__Host-pv_login"

type loginData struct {
	Org, CSRF, Next, Email, Error string
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
	return c.Render("staff/login", loginData{Org: h.cfg.OrgName, CSRF: tok, Next: safeNext(c.Query("next", c.FormValue("next"))), Email: email, Error: msg})
}

// loginFailed is the one message for every failed sign-in: it never says
// whether the email or the password was wrong, or that an account exists.
const loginFailed = "Sign-in failed. Check your email and password. After 5 failed attempts an account is locked for 15 minutes."

// Login answers POST /staff/login.
func (h *Handler) Login(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	ctx := c.UserContext()
	ck := c.Cookies(loginCookie)
	if ck == "" || subtle.ConstantTimeCompare([]byte(ck), []byte(c.FormValue("csrf"))) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "This sign-in form has expired. Reload the page and try again.")
	}
	email := strings.ToLower(strings.TrimSpace(c.FormValue("email")))
	password := c.FormValue("password")
	u, err := h.store.UserByEmail(ctx, email)
	if errors.Is(err, models.ErrNotFound) {
		_ = bcrypt.CompareHashAndPassword(h.dummyHash(), []byte(password))
		_ = h.store.Audit(ctx, email, "login.failed", "", ip(c), "unknown account")
		h.sleep(500 * time.Millisecond)
		return h.showLogin(c, email, loginFailed)
	}
	if err != nil {
		return err
	}
	now := h.now()
	if u.Locked(now) || u.Disabled || !u.CheckPassword(password) {
		reason := "bad password"
		switch {
		case u.Disabled:
			reason = "disabled account"
		case u.Locked(now):
			reason = "locked account"
		}
		n := 0
		if !u.Locked(now) && !u.Disabled {
			if n, err = h.store.RecordLoginFailure(ctx, u.ID); err != nil {
				return err
			}
		}
		_ = h.store.Audit(ctx, u.Email, "login.failed", recordUser(u.ID), ip(c), reason)
		h.sleep(time.Duration(min(n, 4)+1) * 500 * time.Millisecond)
		return h.showLogin(c, email, loginFailed)
	}
	if err := h.store.ResetLoginFailures(ctx, u.ID); err != nil {
		return err
	}
	pending := u.TOTPEnabled || h.mfaRequired(u)
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

func (h *Handler) mfaRequired(u models.StaffUser) bool {
	return u.Role == models.RoleManager || u.Role == models.RoleAdmin || h.cfg.AgentMFA
}

// startSession replaces any session of the request with a new one, so the
// session id changes at every step of signing in.
func (h *Handler) startSession(c *fiber.Ctx, u models.StaffUser, mfaPending bool) error {
	ctx := c.UserContext()
	if old := c.Cookies(SessionCookie); old != "" {
		if s, err := h.store.SessionByToken(ctx, old); err == nil {
			_ = h.store.DeleteSession(ctx, s.ID)
		}
	}
	tok, _, err := h.store.CreateSession(ctx, u.ID, ip(c), mfaPending, h.cfg.SessionMax)
	if err != nil {
		return err
	}
	setSessionCookie(c, tok)
	return nil
}

// Logout answers POST /staff/logout: the session is deleted server-side.
func (h *Handler) Logout(c *fiber.Ctx) error {
	p := principal(c)
	if err := h.store.DeleteSession(c.UserContext(), p.Session.ID); err != nil {
		return err
	}
	_ = h.store.Audit(c.UserContext(), p.User.Email, "logout", recordUser(p.User.ID), ip(c), "")
	clearSessionCookie(c)
	return c.Redirect("/staff/login", fiber.StatusSeeOther)
}

// safeNext keeps redirects on this site's staff pages.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/staff/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") || strings.HasPrefix(next, "/staff/login") {
		return "/staff/"
	}
	return next
}

func recordUser(id uint) string { return "user:" + itoa(id) }
