// Package staff is the web app the patient relations team works in all
// day: sign-in with a second factor, the live queue, the case page, staff
// intake, kiosk status and the admin pages. Every page needs a session;
// every form carries a CSRF token; nothing changes on GET.
package staff

import (
	"crypto/subtle"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

// SessionCookie is the session cookie's name; the __Host- prefix makes the
// browser refuse it unless Secure, host-only and Path=/.
const SessionCookie = "__Host-pv_session"

const (
	userKey    = "staff_user"
	sessionKey = "staff_session"
)

// Principal is the signed-in staff member of a request.
type Principal struct {
	User    models.StaffUser
	Session models.Session
}

func principal(c *fiber.Ctx) Principal {
	p, _ := c.Locals(userKey).(Principal)
	return p
}

// setSessionCookie sets a browser-session cookie (no Expires): closing the
// browser on a shared workstation ends it, and the server enforces the
// idle and absolute limits whatever the browser keeps.
func setSessionCookie(c *fiber.Ctx, value string) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: value, Path: "/", Secure: true, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode})
}

func clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: SessionCookie, Value: "", Path: "/", Secure: true, HTTPOnly: true,
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

// RequireSession admits requests with a live, fully signed-in session:
// otherwise pages answer 303 to the login page with next=, and the idle
// and absolute limits end sessions. Background requests (the live stream,
// partial refreshes) do not count as activity, so an unattended screen
// still signs out. A user who must change their password reaches only
// that page and sign-out. It also sets no-store, since staff pages show
// PHI.
func (h *Handler) RequireSession(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	p, err := h.loadSession(c, !background(c))
	if err != nil {
		return err
	}
	if p == nil || p.Session.MFAPending {
		return toLogin(c)
	}
	if p.User.MustChangePassword && !passwordChangeRoute(c) {
		next := c.OriginalURL()
		if c.Method() != fiber.MethodGet || background(c) {
			next = "/staff/"
		}
		return c.Redirect("/staff/account/password?next="+url.QueryEscape(safeNext(next)), fiber.StatusSeeOther)
	}
	c.Locals(userKey, *p)
	return c.Next()
}

// background reports requests that pages make on their own, without the
// user doing anything: they must not keep a session alive.
func background(c *fiber.Ctx) bool {
	return c.Path() == "/staff/events" || c.Query("partial") == "1" || c.Get("X-PV-Background") == "1"
}

func passwordChangeRoute(c *fiber.Ctx) bool {
	p := c.Path()
	return p == "/staff/account/password" || (p == "/staff/logout" && c.Method() == fiber.MethodPost)
}

func toLogin(c *fiber.Ctx) error {
	next := c.OriginalURL()
	if c.Method() != fiber.MethodGet || !strings.HasPrefix(next, "/staff/") || background(c) {
		next = "/staff/"
	}
	return c.Redirect("/staff/login?next="+url.QueryEscape(safeNext(next)), fiber.StatusSeeOther)
}

// loadSession returns the session of the request, or nil when there is
// none or it has expired (and is then deleted). touch records activity.
func (h *Handler) loadSession(c *fiber.Ctx, touch bool) (*Principal, error) {
	tok := c.Cookies(SessionCookie)
	if tok == "" {
		return nil, nil
	}
	ctx := c.UserContext()
	s, err := h.store.SessionByToken(ctx, tok)
	if errors.Is(err, models.ErrNotFound) {
		clearSessionCookie(c)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	now := h.now()
	if now.After(s.ExpiresAt) || now.Sub(s.LastSeenAt) > h.cfg.SessionIdle {
		if err := h.endSession(c, s.ID); err != nil {
			return nil, err
		}
		clearSessionCookie(c)
		return nil, nil
	}
	u, err := h.store.UserByID(ctx, s.UserID)
	if err != nil || u.Disabled {
		if err := h.endSession(c, s.ID); err != nil {
			return nil, err
		}
		clearSessionCookie(c)
		return nil, nil
	}
	if touch {
		if err := h.store.TouchSession(ctx, s); err != nil {
			return nil, err
		}
	}
	return &Principal{User: u, Session: s}, nil
}

// CSRF rejects state-changing requests whose form token does not match the
// session's (403). Pages put the token in every form.
func (h *Handler) CSRF(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		return c.Next()
	}
	p := principal(c)
	got := c.FormValue("csrf")
	if got == "" {
		got = c.Get("X-CSRF-Token")
	}
	if p.Session.CSRFToken == "" || subtle.ConstantTimeCompare([]byte(got), []byte(p.Session.CSRFToken)) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.")
	}
	return c.Next()
}

// RequireRole admits only the given roles (403 otherwise).
func RequireRole(roles ...string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := principal(c).User
		for _, r := range roles {
			if u.Role == r {
				return c.Next()
			}
		}
		return fiber.NewError(fiber.StatusForbidden, "Your role ("+u.Role+") cannot open this page.")
	}
}

// scope is the department codes a user may see, and whether that list
// limits them (false: every department). An agent with no department sees
// none.
func scope(u models.StaffUser) (codes []string, limited bool) {
	sc := u.Scope()
	return sc.Codes, !sc.All
}

func inScope(u models.StaffUser, dept string) bool { return u.Scope().Has(dept) }

func checkCSRF(c *fiber.Ctx, want string) error {
	if want == "" || subtle.ConstantTimeCompare([]byte(c.FormValue("csrf")), []byte(want)) != 1 {
		return fiber.NewError(fiber.StatusForbidden, "This form has expired or did not come from this site. Reload the page and try again.")
	}
	return nil
}
