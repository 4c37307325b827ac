package testapp

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/pquerna/otp/totp"
)

// Staff is a signed-in (or signing-in) staff browser: it keeps cookies and
// the CSRF token of the last page.
type Staff struct {
	a       *App
	Cookies map[string]string
	CSRF    string
}

// NewStaff starts a cookie-keeping client with no session.
func (a *App) NewStaff() *Staff { return &Staff{a: a, Cookies: map[string]string{}} }

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// Req sends a request with the client's cookies and remembers new ones and
// the page's CSRF token.
func (s *Staff) Req(method, path string, form url.Values) Result {
	s.a.T.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range s.Cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp := s.a.Do(req)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, c := range resp.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(s.Cookies, c.Name)
		} else {
			s.Cookies[c.Name] = c.Value
		}
	}
	if m := csrfRe.FindSubmatch(raw); m != nil {
		s.CSRF = string(m[1])
	}
	return Result{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// Get fetches a page.
func (s *Staff) Get(path string) Result { return s.Req("GET", path, nil) }

// Post submits a form with the current CSRF token added.
func (s *Staff) Post(path string, form url.Values) Result {
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	if f.Get("csrf") == "" {
		f.Set("csrf", s.CSRF)
	}
	return s.Req("POST", path, f)
}

// Account is a staff account made for a test: what signing in needs.
type Account struct {
	ID                          uint
	Email, Password, TOTPSecret string
}

// TestPassword is the password of every account the helpers make.
const TestPassword = "correct horse battery staple"

// accountSpec is what NewAccount makes.
type accountSpec struct {
	user   models.NewUser
	noTOTP bool
}

// AccountOption adjusts an account before it is created.
type AccountOption func(*accountSpec)

// Departments scopes an agent to the given department codes (none when
// called with no code); by default test agents see all departments.
func Departments(codes ...string) AccountOption {
	return func(sp *accountSpec) { sp.user.Departments, sp.user.AllDepartments = codes, false }
}

// NoSecondFactor leaves the account without TOTP (for tests of the
// password-only sign-in that PV_AGENT_MFA=false allows agents).
func NoSecondFactor() AccountOption {
	return func(sp *accountSpec) { sp.noTOTP = true }
}

// NewAccount creates a staff account ready to sign in the way production
// signs in: its own password (no forced change) and an enrolled TOTP
// second factor, as every role needs by default. Agents see all
// departments unless Departments says otherwise.
func (a *App) NewAccount(email, role string, opts ...AccountOption) Account {
	a.T.Helper()
	ctx := context.Background()
	sp := accountSpec{user: models.NewUser{Email: email, Name: strings.Split(email, "@")[0], Role: role, Password: TestPassword, AllDepartments: true}}
	for _, o := range opts {
		o(&sp)
	}
	u, err := a.Store.CreateUser(ctx, sp.user)
	if err != nil {
		a.T.Fatal(err)
	}
	if err := a.Store.ChangePassword(ctx, u.ID, TestPassword); err != nil {
		a.T.Fatal(err)
	}
	acc := Account{ID: u.ID, Email: u.Email, Password: TestPassword}
	if !sp.noTOTP {
		acc.TOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if _, err := a.Store.EnrolTOTP(ctx, u.ID, acc.TOTPSecret, 0); err != nil {
			a.T.Fatal(err)
		}
	}
	a.accounts[acc.Email] = acc
	return acc
}

// User creates an account like NewAccount and returns its password and
// TOTP secret.
func (a *App) User(email, role string, opts ...AccountOption) (password, totpSecret string) {
	a.T.Helper()
	acc := a.NewAccount(email, role, opts...)
	return acc.Password, acc.TOTPSecret
}

// SignIn creates an account and returns a client signed in with it: the
// one line a test needs to act as a staff member.
func (a *App) SignIn(email, role string, opts ...AccountOption) (*Staff, Account) {
	a.T.Helper()
	acc := a.NewAccount(email, role, opts...)
	s := a.NewStaff()
	s.Login(acc.Email, acc.Password, acc.TOTPSecret)
	return s, acc
}

// Code returns a TOTP code for the account that has not been used yet: a
// time step is accepted once, so when the current one was used the test
// clock moves on to the next step.
func (a *App) Code(secret string, email string) string {
	a.T.Helper()
	u, err := a.Store.UserByEmail(context.Background(), email)
	if err != nil {
		a.T.Fatal(err)
	}
	for i := 0; i < 3 && a.Clock.Now().Unix()/30 <= u.TOTPLastStep; i++ {
		a.Clock.Advance(30 * time.Second)
	}
	code, err := totp.GenerateCode(secret, a.Clock.Now())
	if err != nil {
		a.T.Fatal(err)
	}
	return code
}

// Login signs in with a password and the account's second factor (the
// secret given, or the one NewAccount enrolled) and fails the test if it
// does not land on a staff page.
func (s *Staff) Login(email, password, totpSecret string) {
	s.a.T.Helper()
	if totpSecret == "" {
		totpSecret = s.a.accounts[strings.ToLower(email)].TOTPSecret
	}
	s.Get("/staff/login")
	r := s.Post("/staff/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != 303 {
		s.a.T.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if loc := r.Header.Get("Location"); strings.HasPrefix(loc, "/staff/login/mfa") {
		s.Get(loc)
		r = s.Post("/staff/login/mfa", url.Values{"code": {s.a.Code(totpSecret, email)}})
		if r.Status != 303 {
			s.a.T.Fatalf("mfa: %d %s", r.Status, r.Body)
		}
	}
	if r := s.Get("/staff/"); r.Status != 200 {
		s.a.T.Fatalf("not signed in: %d %s", r.Status, r.Header.Get("Location"))
	}
}

// Upload posts a multipart form with one file field and the CSRF token.
func (s *Staff) Upload(path, field, filename string, content []byte) Result {
	s.a.T.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.WriteField("csrf", s.CSRF)
	fw, _ := w.CreateFormFile(field, filename)
	_, _ = fw.Write(content)
	_ = w.Close()
	req := httptest.NewRequest("POST", path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range s.Cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp := s.a.Do(req)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Result{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}
