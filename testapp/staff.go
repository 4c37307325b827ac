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

// Login signs in with a password (and the TOTP secret when the account has
// one) and fails the test if it does not land on a staff page.
func (s *Staff) Login(email, password, totpSecret string) {
	s.a.T.Helper()
	s.Get("/staff/login")
	r := s.Post("/staff/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != 303 {
		s.a.T.Fatalf("login: %d %s", r.Status, r.Body)
	}
	if loc := r.Header.Get("Location"); strings.HasPrefix(loc, "/staff/login/mfa") {
		s.Get(loc)
		code, _ := totp.GenerateCode(totpSecret, s.a.Clock.Now())
		r = s.Post("/staff/login/mfa", url.Values{"code": {code}})
		if r.Status != 303 {
			s.a.T.Fatalf("mfa: %d %s", r.Status, r.Body)
		}
	}
	s.Get("/staff/")
}

// User creates a staff account; for managers and admins it also enrols a
// TOTP secret, returned for Login.
func (a *App) User(email, role string) (password, totpSecret string) {
	a.T.Helper()
	password = "correct horse battery staple"
	u, err := a.Store.CreateUser(context.Background(), email, strings.Split(email, "@")[0], role, password)
	if err != nil {
		a.T.Fatal(err)
	}
	if role != models.RoleAgent {
		totpSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
		if err := a.Store.SetTOTP(context.Background(), u.ID, totpSecret); err != nil {
			a.T.Fatal(err)
		}
	}
	return password, totpSecret
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
