package config

import (
	"strings"
	"testing"
	"time"
)

func env(kv map[string]string) Lookup {
	return func(k string) (string, bool) { v, ok := kv[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Parse(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.DB.Driver != "sqlite" || c.DB.DSN != "data/patientvoice.db" || c.BaseURL != "http://localhost:8080" ||
		!c.Demo || c.OrgName != "Demo Hospital" || c.SurveyDelay != 24*time.Hour || c.SurveyCooldown != 720*time.Hour ||
		c.InvitationTTL != 168*time.Hour || c.EmailReminder != 72*time.Hour || c.DefaultRegion != "US" ||
		c.SessionIdle != 15*time.Minute || c.SessionMax != 12*time.Hour || c.KioskRate != 30 ||
		!c.AgentMFA || c.Throttles != (Throttles{Login: 20, LoginTotal: 600, Link: 60, LinkTotal: 6000}) ||
		c.Twilio.APIURL != "https://api.twilio.com" || c.Twilio.Rate != 1 || !c.Twilio.ManagedOptOut ||
		c.SMTP.TLS != "starttls" || c.SMTP.Port != 587 || !c.QuietHours.Enabled || c.QuietHours.Start != 21*60 || c.QuietHours.End != 8*60 {
		t.Fatalf("defaults wrong: %+v", c)
	}
	c, _ = Parse(env(map[string]string{"PV_DB": "mysql://u:p@tcp(h:3306)/pv?parseTime=true"}))
	if c.Demo || c.DB.Driver != "mysql" || c.DB.DSN != "u:p@tcp(h:3306)/pv?parseTime=true" {
		t.Fatalf("PV_DB set: demo %v db %+v", c.Demo, c.DB)
	}
	day := 24 * time.Hour
	if c.SLA.ByPriority["urgent"] != (Deadline{time.Hour, day}) || c.SLA.ByPriority["high"] != (Deadline{day, 3 * day}) ||
		c.SLA.ByPriority["normal"] != (Deadline{3 * day, 14 * day}) || c.SLA.Grievance != (Deadline{7 * day, 30 * day}) {
		t.Fatalf("SLA defaults wrong: %+v", c.SLA)
	}
	c, _ = Parse(env(map[string]string{"PV_SLA_URGENT": "30m/12h", "PV_SLA_GRIEVANCE": "5d/21d"}))
	if c.SLA.ByPriority["urgent"] != (Deadline{30 * time.Minute, 12 * time.Hour}) || c.SLA.Grievance != (Deadline{5 * day, 21 * day}) {
		t.Fatalf("SLA not read: %+v", c.SLA)
	}
	c, _ = Parse(env(map[string]string{"PV_QUIET_HOURS": ""}))
	if c.QuietHours.Enabled {
		t.Fatal("PV_QUIET_HOURS= should disable quiet hours")
	}
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		kv   map[string]string
		want string
	}{
		{map[string]string{"PV_DB": "postgres://x"}, `PV_DB: unknown scheme "postgres"; use sqlite:// or mysql://`},
		{map[string]string{"PV_DB": "data.db"}, "PV_DB: "},
		{map[string]string{"PV_BASE_URL": "localhost:8080"}, "PV_BASE_URL: "},
		{map[string]string{"PV_SECRET": "short"}, "PV_SECRET: must be at least 32 characters"},
		{map[string]string{"PV_ENV": "staging"}, "PV_ENV: unknown value"},
		{map[string]string{"PV_DEMO": "maybe"}, "PV_DEMO: "},
		{map[string]string{"PV_TIMEZONE": "Mars/Olympus"}, "PV_TIMEZONE: unknown time zone"},
		{map[string]string{"PV_QUIET_HOURS": "9pm-8am"}, "PV_QUIET_HOURS: "},
		{map[string]string{"PV_SURVEY_DELAY": "1 day"}, "PV_SURVEY_DELAY: "},
		{map[string]string{"PV_SURVEY_COOLDOWN": "-1h"}, "PV_SURVEY_COOLDOWN: "},
		{map[string]string{"PV_INVITATION_TTL": "0s"}, "PV_INVITATION_TTL: must be longer than 0s"},
		{map[string]string{"PV_DEFAULT_REGION": "USA"}, "PV_DEFAULT_REGION: "},
		{map[string]string{"PV_SESSION_IDLE": "x"}, "PV_SESSION_IDLE: "},
		{map[string]string{"PV_ONCALL_EMAILS": "a@b.org,not-an-email"}, "PV_ONCALL_EMAILS: "},
		{map[string]string{"PV_KIOSK_RATE": "-3"}, "PV_KIOSK_RATE: "},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC123"}, "TWILIO_AUTH_TOKEN: "},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC-1", "TWILIO_AUTH_TOKEN": "x"}, "TWILIO_ACCOUNT_SID: must be letters and digits only"},
		{map[string]string{"TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": "t1"}, "TWILIO_FROM: "},
		{map[string]string{"TWILIO_RATE": "0"}, "TWILIO_RATE: "},
		{map[string]string{"TWILIO_MANAGED_OPT_OUT": "sometimes"}, "TWILIO_MANAGED_OPT_OUT: "},
		{map[string]string{"TWILIO_API_URL": "ftp://x"}, "TWILIO_API_URL: "},
		{map[string]string{"SMTP_PORT": "70000"}, "SMTP_PORT: "},
		{map[string]string{"SMTP_TLS": "ssl"}, "SMTP_TLS: unknown value"},
		{map[string]string{"SMTP_HOST": "mail"}, "SMTP_FROM: required"},
		{map[string]string{"PV_SLA_URGENT": "1h"}, "PV_SLA_URGENT: "},
		{map[string]string{"PV_SLA_HIGH": "2d/1d"}, "PV_SLA_HIGH: "},
		{map[string]string{"PV_SLA_NORMAL": "0s/1d"}, "PV_SLA_NORMAL: "},
		{map[string]string{"PV_SLA_GRIEVANCE": "7 days/30d"}, "PV_SLA_GRIEVANCE: "},
	}
	for _, c := range cases {
		_, err := Parse(env(c.kv))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: got %v, want prefix %q on one line", c.kv, err, c.want)
		}
	}
}

func TestProductionRefusals(t *testing.T) {
	secret := strings.Repeat("s", 40)
	base := map[string]string{"PV_ENV": "production", "PV_SECRET": secret, "PV_BASE_URL": "https://pv.example.org",
		"SMTP_HOST": "smtp.example.org", "SMTP_FROM": "pv@example.org"}
	if _, err := Parse(env(base)); err != nil {
		t.Fatalf("valid production config refused: %v", err)
	}
	for _, c := range []struct{ drop, set, val, want string }{
		{drop: "PV_SECRET", want: "PV_SECRET: required"},
		{set: "PV_BASE_URL", val: "http://pv.example.org", want: "PV_BASE_URL: must be https://"},
		{drop: "SMTP_HOST", want: "PV_ENV: production needs a real sender"},
	} {
		kv := map[string]string{}
		for k, v := range base {
			kv[k] = v
		}
		delete(kv, c.drop)
		if c.set != "" {
			kv[c.set] = c.val
		}
		_, err := Parse(env(kv))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c, err, c.want)
		}
	}
}

func TestQuietHours(t *testing.T) {
	q := QuietHours{Enabled: true, Start: 21 * 60, End: 8 * 60}
	chi, _ := time.LoadLocation("America/Chicago")
	cases := []struct {
		at   string
		want string
	}{
		{"2026-11-27T14:00:00-06:00", "2026-11-27T14:00:00-06:00"},
		{"2026-11-27T21:00:00-06:00", "2026-11-28T08:00:00-06:00"},
		{"2026-11-28T03:30:00-06:00", "2026-11-28T08:00:00-06:00"},
		{"2026-11-28T07:59:00-06:00", "2026-11-28T08:00:00-06:00"},
		{"2026-11-28T08:00:00-06:00", "2026-11-28T08:00:00-06:00"},
	}
	for _, c := range cases {
		at, _ := time.Parse(time.RFC3339, c.at)
		want, _ := time.Parse(time.RFC3339, c.want)
		if got := q.Next(at, chi); !got.Equal(want) {
			t.Errorf("Next(%s) = %s, want %s", c.at, got, c.want)
		}
	}
	day := QuietHours{Enabled: true, Start: 12 * 60, End: 13 * 60}
	at, _ := time.Parse(time.RFC3339, "2026-11-27T12:30:00Z")
	if got := day.Next(at, time.UTC); got.Hour() != 13 {
		t.Errorf("non-wrapping window: %s", got)
	}
}
