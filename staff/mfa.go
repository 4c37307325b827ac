package staff

import (
	"bytes"
	"encoding/base64"
	"html/template"
	"image/png"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }

func urlQuery(s string) string { return url.QueryEscape(s) }

type mfaData struct {
	Org, CSRF, Next, Error string
	QR                     template.URL // data: URI of the enrolment QR code
	Secret, Sealed         string
}

func totpOpts() totp.ValidateOpts {
	return totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
}

// pendingSession returns the request's session if it is waiting for a
// second factor, else redirects to the login page.
func (h *Handler) pendingSession(c *fiber.Ctx) (*Principal, error) {
	c.Set(fiber.HeaderCacheControl, "no-store")
	p, err := h.loadSession(c)
	if err != nil || p == nil || !p.Session.MFAPending {
		return nil, err
	}
	return p, nil
}

// MFAPage answers GET /staff/login/mfa: ask for the 6-digit code.
func (h *Handler) MFAPage(c *fiber.Ctx) error {
	p, err := h.pendingSession(c)
	if err != nil || p == nil {
		if err != nil {
			return err
		}
		return toLogin(c)
	}
	return c.Render("staff/mfa", mfaData{Org: h.cfg.OrgName, CSRF: p.Session.CSRFToken, Next: safeNext(c.Query("next"))})
}

// MFAVerify answers POST /staff/login/mfa.
func (h *Handler) MFAVerify(c *fiber.Ctx) error {
	p, err := h.pendingSession(c)
	if err != nil || p == nil {
		if err != nil {
			return err
		}
		return toLogin(c)
	}
	if err := checkCSRF(c, p.Session.CSRFToken); err != nil {
		return err
	}
	ctx := c.UserContext()
	secret, err := h.store.TOTPSecret(p.User)
	if err != nil || !p.User.TOTPEnabled {
		return toLogin(c)
	}
	code := strings.TrimSpace(c.FormValue("code"))
	ok, _ := totp.ValidateCustom(code, secret, h.now(), totpOpts())
	if !ok {
		if _, err := h.store.RecordLoginFailure(ctx, p.User.ID); err != nil {
			return err
		}
		_ = h.store.Audit(ctx, p.User.Email, "login.failed", recordUser(p.User.ID), ip(c), "bad second factor")
		h.sleep(500 * time.Millisecond)
		c.Status(fiber.StatusUnauthorized)
		return c.Render("staff/mfa", mfaData{Org: h.cfg.OrgName, CSRF: p.Session.CSRFToken, Next: safeNext(c.FormValue("next")), Error: "That code is not right. Codes change every 30 seconds."})
	}
	return h.finishLogin(c, p, "password+totp")
}

func (h *Handler) finishLogin(c *fiber.Ctx, p *Principal, how string) error {
	ctx := c.UserContext()
	if err := h.store.ResetLoginFailures(ctx, p.User.ID); err != nil {
		return err
	}
	if err := h.startSession(c, p.User, false); err != nil {
		return err
	}
	_ = h.store.Audit(ctx, p.User.Email, "login", recordUser(p.User.ID), ip(c), how)
	return c.Redirect(safeNext(c.FormValue("next")), fiber.StatusSeeOther)
}

// MFASetupPage answers GET /staff/mfa/setup: a new secret as a QR code.
// The secret travels sealed in the form until the first code proves the
// phone has it; only then is it stored.
func (h *Handler) MFASetupPage(c *fiber.Ctx) error {
	p, err := h.pendingSession(c)
	if err != nil {
		return err
	}
	if p == nil {
		return toLogin(c)
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: h.cfg.OrgName + " patientvoice", AccountName: p.User.Email})
	if err != nil {
		return err
	}
	return h.showSetup(c, p, key.Secret(), "")
}

func (h *Handler) showSetup(c *fiber.Ctx, p *Principal, secret, msg string) error {
	key, err := otp.NewKeyFromURL((&url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + h.cfg.OrgName + " patientvoice:" + p.User.Email,
		RawQuery: url.Values{"secret": {secret}, "issuer": {h.cfg.OrgName + " patientvoice"}}.Encode()}).String())
	if err != nil {
		return err
	}
	img, err := key.Image(220, 220)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return c.Render("staff/mfa_setup", mfaData{Org: h.cfg.OrgName, CSRF: p.Session.CSRFToken, Next: safeNext(c.Query("next", c.FormValue("next"))),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), Secret: secret,
		Sealed: h.store.SealForForm(secret), Error: msg})
}

// MFASetup answers POST /staff/mfa/setup: verify the first code, store the
// secret, finish signing in.
func (h *Handler) MFASetup(c *fiber.Ctx) error {
	p, err := h.pendingSession(c)
	if err != nil {
		return err
	}
	if p == nil {
		return toLogin(c)
	}
	if err := checkCSRF(c, p.Session.CSRFToken); err != nil {
		return err
	}
	secret, err := h.store.OpenFromForm(c.FormValue("sealed"))
	if err != nil || secret == "" {
		return fiber.NewError(fiber.StatusBadRequest, "The enrolment form was damaged. Start again.")
	}
	if ok, _ := totp.ValidateCustom(strings.TrimSpace(c.FormValue("code")), secret, h.now(), totpOpts()); !ok {
		return h.showSetup(c, p, secret, "That code is not right. Enter the 6 digits your authenticator app shows now.")
	}
	if err := h.store.SetTOTP(c.UserContext(), p.User.ID, secret); err != nil {
		return err
	}
	_ = h.store.Audit(c.UserContext(), p.User.Email, "mfa.enrolled", recordUser(p.User.ID), ip(c), "")
	return h.finishLogin(c, p, "password+totp enrolment")
}
