// Package config reads patientvoice's settings from the environment once, at
// start, into a struct that is passed to every constructor. Nothing else in the
// program reads the environment, so a bad value is caught before anything runs.
package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment names accepted by PV_ENV.
const (
	EnvDevelopment = "development"
	EnvProduction  = "production"
)

// Config is every setting of the contract, parsed and validated.
type Config struct {
	Addr    string
	DB      DB
	BaseURL string
	// Secret is PV_SECRET; empty in development until the caller fills it
	// from data/secret (see cmd/patientvoice).
	Secret string
	Env    string
	// DataDir holds the development secret and the default SQLite file.
	DataDir string

	OrgName        string
	Demo           bool
	Location       *time.Location
	QuietHours     QuietHours
	SurveyDelay    time.Duration
	SurveyCooldown time.Duration
	InvitationTTL  time.Duration
	EmailReminder  time.Duration
	DefaultRegion  string
	SessionIdle    time.Duration
	SessionMax     time.Duration
	OncallEmails   []string
	OncallPhones   []string
	KioskRate      int
	AdminEmail     string
	AdminPassword  string
	// AgentMFA requires a second factor for agents too (managers and
	// admins always need one). PV_AGENT_MFA, default true.
	AgentMFA bool
	// Throttles are the per-address and overall request limits per minute
	// of the sign-in steps and the patients' link routes (0 disables).
	Throttles Throttles
	// SLA is the case deadlines per priority and the grievance clock.
	SLA SLA

	Twilio Twilio
	SMTP   SMTP
}

// Throttles are request limits per minute, counted in the database so they
// hold across servers; 0 disables a limit.
type Throttles struct {
	// Login and LoginTotal bound sign-in and second-factor posts per
	// client address and overall.
	Login, LoginTotal int
	// Link and LinkTotal bound the patients' link routes (/s/, /f/,
	// /unsubscribe/) per client address and overall.
	Link, LinkTotal int
}

// DB says which database to open. Driver is "sqlite" or "mysql"; DSN is the
// part after the scheme.
type DB struct {
	Driver string
	DSN    string
}

// QuietHours is a daily window, in minutes after local midnight, in which no
// survey SMS goes out. Start > End means the window wraps midnight.
type QuietHours struct {
	Enabled    bool
	Start, End int
}

// Twilio holds the SMS sender settings; Enabled reports whether real SMS go out.
type Twilio struct {
	AccountSID          string
	AuthToken           string
	From                string
	MessagingServiceSID string
	APIURL              string
	Rate                float64
	ManagedOptOut       bool
}

// Enabled reports whether the real Twilio sender is configured.
func (t Twilio) Enabled() bool { return t.AccountSID != "" && t.AuthToken != "" }

// SMTP holds the email sender settings.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
	TLS      string
}

// Enabled reports whether the real SMTP sender is configured.
func (s SMTP) Enabled() bool { return s.Host != "" }

// Production reports whether PV_ENV=production.
func (c *Config) Production() bool { return c.Env == EnvProduction }

// Lookup is os.LookupEnv's shape, injected so tests need no real environment.
type Lookup func(string) (string, bool)

// Parse reads and validates every variable. The error names the variable and
// what is wrong, in one line, so an operator can fix it at once.
func Parse(env Lookup) (*Config, error) {
	p := parser{env: env}
	c := &Config{DataDir: "data"}
	c.Addr = p.str("PV_ADDR", ":8080")
	dbRaw, dbSet := env("PV_DB")
	if !dbSet || dbRaw == "" {
		dbRaw = "sqlite://data/patientvoice.db"
	}
	c.DB = p.db("PV_DB", dbRaw)
	c.BaseURL = strings.TrimRight(p.baseURL("PV_BASE_URL", "http://localhost:8080"), "/")
	c.Secret = p.str("PV_SECRET", "")
	if c.Secret != "" && len(c.Secret) < 32 {
		p.fail("PV_SECRET", "must be at least 32 characters (it is %d)", len(c.Secret))
	}
	c.Env = p.oneOf("PV_ENV", EnvDevelopment, EnvDevelopment, EnvProduction)
	c.OrgName = p.str("PV_ORG_NAME", "Demo Hospital")
	c.Demo = p.boolean("PV_DEMO", !dbSet || dbRaw == "")
	c.Location = p.location("PV_TIMEZONE", "UTC")
	c.QuietHours = p.quietHours("PV_QUIET_HOURS", "21:00-08:00")
	c.SurveyDelay = p.duration("PV_SURVEY_DELAY", "24h")
	c.SurveyCooldown = p.duration("PV_SURVEY_COOLDOWN", "720h")
	c.InvitationTTL = p.positiveDuration("PV_INVITATION_TTL", "168h")
	c.EmailReminder = p.duration("PV_EMAIL_REMINDER", "72h")
	c.DefaultRegion = strings.ToUpper(p.region("PV_DEFAULT_REGION", "US"))
	c.SessionIdle = p.positiveDuration("PV_SESSION_IDLE", "15m")
	c.SessionMax = p.positiveDuration("PV_SESSION_MAX", "12h")
	c.OncallEmails = p.emails("PV_ONCALL_EMAILS")
	c.OncallPhones = p.list("PV_ONCALL_PHONES")
	c.KioskRate = p.nonNegativeInt("PV_KIOSK_RATE", 30)
	c.AdminEmail = p.str("PV_ADMIN_EMAIL", "")
	if c.AdminEmail != "" {
		p.email("PV_ADMIN_EMAIL", c.AdminEmail)
	}
	c.AdminPassword = p.str("PV_ADMIN_PASSWORD", "")
	c.AgentMFA = p.boolean("PV_AGENT_MFA", true)
	c.Throttles = Throttles{
		Login:      p.nonNegativeInt("PV_LOGIN_RATE", 20),
		LoginTotal: p.nonNegativeInt("PV_LOGIN_RATE_TOTAL", 600),
		Link:       p.nonNegativeInt("PV_LINK_RATE", 60),
		LinkTotal:  p.nonNegativeInt("PV_LINK_RATE_TOTAL", 6000),
	}
	c.SLA = p.sla()

	c.Twilio = Twilio{
		AccountSID:          p.alnum("TWILIO_ACCOUNT_SID"),
		AuthToken:           p.alnum("TWILIO_AUTH_TOKEN"),
		From:                p.str("TWILIO_FROM", ""),
		MessagingServiceSID: p.str("TWILIO_MESSAGING_SERVICE_SID", ""),
		APIURL:              strings.TrimRight(p.baseURL("TWILIO_API_URL", "https://api.twilio.com"), "/"),
		Rate:                p.positiveFloat("TWILIO_RATE", 1),
		ManagedOptOut:       p.boolean("TWILIO_MANAGED_OPT_OUT", true),
	}
	if (c.Twilio.AccountSID == "") != (c.Twilio.AuthToken == "") {
		p.fail("TWILIO_AUTH_TOKEN", "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set together")
	}
	if c.Twilio.Enabled() && c.Twilio.From == "" && c.Twilio.MessagingServiceSID == "" {
		p.fail("TWILIO_FROM", "set TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID to send SMS")
	}
	c.SMTP = SMTP{
		Host:     p.str("SMTP_HOST", ""),
		Username: p.str("SMTP_USERNAME", ""),
		Password: p.str("SMTP_PASSWORD", ""),
		From:     p.str("SMTP_FROM", ""),
		TLS:      p.oneOf("SMTP_TLS", "starttls", "starttls", "opportunistic", "tls", "none"),
	}
	defPort := 587
	if c.SMTP.TLS == "tls" {
		defPort = 465
	}
	c.SMTP.Port = p.port("SMTP_PORT", defPort)
	if c.SMTP.Enabled() {
		if c.SMTP.From == "" {
			p.fail("SMTP_FROM", "required when SMTP_HOST is set")
		} else {
			p.email("SMTP_FROM", c.SMTP.From)
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	if c.Production() {
		if err := c.checkProduction(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Config) checkProduction() error {
	switch {
	case c.Secret == "":
		return fmt.Errorf("PV_SECRET: required when PV_ENV=production (at least 32 characters; back it up with the database)")
	case strings.HasPrefix(c.BaseURL, "http://"):
		return fmt.Errorf("PV_BASE_URL: must be https:// when PV_ENV=production (got %q)", c.BaseURL)
	case !c.Twilio.Enabled() && !c.SMTP.Enabled():
		return fmt.Errorf("PV_ENV: production needs a real sender: set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN or SMTP_HOST")
	}
	return nil
}

// parser collects the first error so Parse reads as a list of fields.
type parser struct {
	env Lookup
	err error
}

func (p *parser) fail(name, format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
	}
}

func (p *parser) raw(name string) (string, bool) {
	v, ok := p.env(name)
	return strings.TrimSpace(v), ok
}

func (p *parser) str(name, def string) string {
	if v, ok := p.raw(name); ok && v != "" {
		return v
	}
	return def
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(p.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, "unknown value %q; use one of %s", v, strings.Join(allowed, ", "))
	return def
}

func (p *parser) boolean(name string, def bool) bool {
	v, ok := p.raw(name)
	if !ok || v == "" {
		return def
	}
	b, err := strconv.ParseBool(strings.ToLower(v))
	if err != nil {
		p.fail(name, "%q is not a boolean; use true or false", v)
		return def
	}
	return b
}

func (p *parser) duration(name, def string) time.Duration {
	v := p.str(name, def)
	d, err := time.ParseDuration(v)
	if err != nil {
		p.fail(name, "%q is not a Go duration (e.g. 24h, 90m, 0s)", v)
		return 0
	}
	if d < 0 {
		p.fail(name, "%q must not be negative", v)
	}
	return d
}

func (p *parser) positiveDuration(name, def string) time.Duration {
	d := p.duration(name, def)
	if d == 0 && p.err == nil {
		p.fail(name, "must be longer than 0s")
	}
	return d
}

func (p *parser) nonNegativeInt(name string, def int) int {
	v, ok := p.raw(name)
	if !ok || v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		p.fail(name, "%q is not a whole number of 0 or more", v)
		return def
	}
	return n
}

func (p *parser) port(name string, def int) int {
	n := p.nonNegativeInt(name, def)
	if n < 1 || n > 65535 {
		p.fail(name, "%d is not a TCP port (1-65535)", n)
	}
	return n
}

func (p *parser) positiveFloat(name string, def float64) float64 {
	v, ok := p.raw(name)
	if !ok || v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f <= 0 || f > 10000 {
		p.fail(name, "%q is not a rate between 0 and 10000 messages per second", v)
		return def
	}
	return f
}

func (p *parser) location(name, def string) *time.Location {
	v := p.str(name, def)
	loc, err := time.LoadLocation(v)
	if err != nil {
		p.fail(name, "unknown time zone %q; use an IANA name such as America/Chicago", v)
		return time.UTC
	}
	return loc
}

func (p *parser) baseURL(name, def string) string {
	v := p.str(name, def)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.fail(name, "%q is not an absolute http:// or https:// URL", v)
		return def
	}
	if u.RawQuery != "" || u.Fragment != "" {
		p.fail(name, "%q must not have a query or fragment", v)
	}
	return v
}

func (p *parser) db(name, v string) DB {
	scheme, rest, ok := strings.Cut(v, "://")
	if !ok {
		p.fail(name, "%q has no scheme; use sqlite://PATH or mysql://USER:PASS@tcp(HOST:PORT)/DB", v)
		return DB{}
	}
	switch scheme {
	case "sqlite":
		if rest == "" {
			p.fail(name, "sqlite:// needs a file path, e.g. sqlite://data/patientvoice.db")
		}
		return DB{Driver: "sqlite", DSN: rest}
	case "mysql":
		if !strings.Contains(rest, "/") {
			p.fail(name, "mysql:// needs USER:PASS@tcp(HOST:PORT)/DB")
		}
		return DB{Driver: "mysql", DSN: rest}
	default:
		p.fail(name, "unknown scheme %q; use sqlite:// or mysql://", scheme)
		return DB{}
	}
}

func (p *parser) quietHours(name, def string) QuietHours {
	v, ok := p.env(name)
	if ok && strings.TrimSpace(v) == "" {
		return QuietHours{}
	}
	if !ok {
		v = def
	}
	a, b, found := strings.Cut(strings.TrimSpace(v), "-")
	start, err1 := clock(a)
	end, err2 := clock(b)
	if !found || err1 != nil || err2 != nil || start == end {
		p.fail(name, "%q is not a window like 21:00-08:00 (empty disables)", v)
		return QuietHours{}
	}
	return QuietHours{Enabled: true, Start: start, End: end}
}

func clock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (p *parser) region(name, def string) string {
	v := p.str(name, def)
	if len(v) != 2 || strings.ToUpper(v) == strings.ToLower(v) {
		p.fail(name, "%q is not a two-letter region code such as US", v)
		return def
	}
	return v
}

func (p *parser) list(name string) []string {
	v := p.str(name, "")
	if v == "" {
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (p *parser) emails(name string) []string {
	l := p.list(name)
	for _, e := range l {
		p.email(name, e)
	}
	return l
}

func (p *parser) email(name, v string) {
	if a, err := mail.ParseAddress(v); err != nil || a.Address != v && a.Name == "" {
		p.fail(name, "%q is not an email address", v)
	}
}

func (p *parser) alnum(name string) string {
	v := p.str(name, "")
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			p.fail(name, "must be letters and digits only")
			break
		}
	}
	return v
}
