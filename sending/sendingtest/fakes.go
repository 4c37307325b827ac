// Package sendingtest provides real-protocol peers for messaging tests: a
// fake Twilio REST API over HTTP (driven by the real twilio-go client),
// Twilio's webhook signature, and an in-process SMTP server (go-smtp).
package sendingtest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/patientvoice/patientvoice/config"
)

// SMS is one message the fake Twilio accepted.
type SMS struct {
	SID, To, From, Body, StatusCallback, ValidityPeriod string
}

// Twilio is a fake of the Twilio Messages API.
type Twilio struct {
	URL         string
	mu          sync.Mutex
	n           int
	All         []SMS
	first, last time.Time
	// Fail, when set, answers for a recipient with an HTTP status and a
	// Twilio error code instead of accepting.
	Fail map[string][2]int
}

// Cleaner registers shutdown work (testing.TB fits; so does the bench
// command's own).
type Cleaner interface{ Cleanup(func()) }

// NewTwilio starts the fake.
func NewTwilio(t Cleaner) *Twilio {
	f := &Twilio{Fail: map[string][2]int{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *Twilio) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/Messages.json") {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, `{"code":20001,"message":"bad form","status":400}`, 400)
		return
	}
	to := r.PostForm.Get("To")
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if fail, ok := f.Fail[to]; ok {
		w.WriteHeader(fail[0])
		fmt.Fprintf(w, `{"code":%d,"message":"fake failure","more_info":"","status":%d}`, fail[1], fail[0])
		return
	}
	f.n++
	if f.n == 1 {
		f.first = time.Now()
	}
	f.last = time.Now()
	sid := fmt.Sprintf("SM%032d", f.n)
	f.All = append(f.All, SMS{SID: sid, To: to, From: r.PostForm.Get("From") + r.PostForm.Get("MessagingServiceSid"), Body: r.PostForm.Get("Body"),
		StatusCallback: r.PostForm.Get("StatusCallback"), ValidityPeriod: r.PostForm.Get("ValidityPeriod")})
	w.WriteHeader(201)
	fmt.Fprintf(w, `{"sid":%q,"status":"queued","to":%q,"body":"x"}`, sid, to)
}

// Sent returns a copy of every accepted message.
func (f *Twilio) Sent() []SMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SMS(nil), f.All...)
}

// Elapsed is the time from the first accepted message to the last.
func (f *Twilio) Elapsed() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last.Sub(f.first)
}

// To returns the messages sent to one number.
func (f *Twilio) To(number string) []SMS {
	var out []SMS
	for _, m := range f.Sent() {
		if m.To == number {
			out = append(out, m)
		}
	}
	return out
}

// Sign computes X-Twilio-Signature exactly as Twilio does: HMAC-SHA1 of
// the full URL followed by every POST parameter name and value, sorted by
// name, base64-encoded, keyed with the auth token.
func Sign(token, fullURL string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(fullURL)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(params.Get(k))
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Mail is one message the SMTP server received.
type Mail struct {
	From string
	To   []string
	Data string
}

// SMTP is an in-process SMTP server.
type SMTP struct {
	Addr  string
	Port  int
	mu    sync.Mutex
	mails []Mail
	conns int
}

// NewSMTP starts the server on loopback without TLS.
func NewSMTP(t testing.TB) *SMTP {
	s := &SMTP{}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	s.Addr = ln.Addr().String()
	s.Port = ln.Addr().(*net.TCPAddr).Port
	return s
}

// Mails returns every message received.
func (s *SMTP) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// Connections counts SMTP sessions opened.
func (s *SMTP) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

type backend struct{ s *SMTP }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	b.s.conns++
	b.s.mu.Unlock()
	return &session{s: b.s}, nil
}

type session struct {
	s    *SMTP
	from string
	to   []string
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error   { x.to = append(x.to, to); return nil }
func (x *session) Data(r io.Reader) error {
	var b bytes.Buffer
	if _, err := io.Copy(&b, r); err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.mails = append(x.s.mails, Mail{From: x.from, To: x.to, Data: b.String()})
	x.s.mu.Unlock()
	x.to = nil
	return nil
}
func (x *session) Reset()        { x.to = nil }
func (x *session) Logout() error { return nil }

// The fake Twilio account and public address that Wire configures; sign
// webhooks with AuthToken over BaseURL.
const (
	AccountSID = "AC0123456789abcdef0123456789abcdef"
	AuthToken  = "fa1ceb00cfa1ceb00cfa1ceb00cfa1ce"
	From       = "+15005550006"
	BaseURL    = "https://pv.hospital.example"
)

// Wire points a config at the fakes: Twilio (rate 200/s, managed
// opt-out) and plain SMTP, with PV_BASE_URL at BaseURL.
func Wire(c *config.Config, tw *Twilio, mail *SMTP, mailFrom string) {
	c.Twilio = config.Twilio{AccountSID: AccountSID, AuthToken: AuthToken, From: From, APIURL: tw.URL, Rate: 200, ManagedOptOut: true}
	c.SMTP = config.SMTP{Host: "127.0.0.1", Port: mail.Port, TLS: "none", From: mailFrom}
	c.BaseURL = BaseURL
}
