package inviting

import (
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

func cfg(t *testing.T) *config.Config {
	c, err := config.Parse(func(k string) (string, bool) {
		if k == "PV_TIMEZONE" {
			return "America/Chicago", true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDecide(t *testing.T) {
	c := cfg(t)
	now := time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC) // 09:00 in Chicago
	ny, _ := time.LoadLocation("America/New_York")
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	no := false
	child := at("2015-01-01T00:00:00Z")
	recent := now.Add(-10 * 24 * time.Hour)
	old := now.Add(-40 * 24 * time.Hour)
	cases := []struct {
		name    string
		r       Request
		c       models.Contact
		status  string
		reason  string
		channel string
		when    string
	}{
		{"delay from discharge", Request{Phone: "+1", DischargedAt: at("2026-11-27T14:00:00Z")}, models.Contact{}, "scheduled", "", "sms", "2026-11-28T14:00:00Z"},
		{"past delay: now", Request{Phone: "+1", DischargedAt: at("2026-11-20T14:00:00Z")}, models.Contact{}, "scheduled", "", "sms", "2026-11-27T15:00:00Z"},
		{"quiet hours in hospital zone", Request{Phone: "+1", DischargedAt: at("2026-11-27T04:00:00Z")}, models.Contact{}, "scheduled", "", "sms", "2026-11-28T14:00:00Z"},
		{"quiet hours in patient zone", Request{Phone: "+1", DischargedAt: at("2026-11-27T03:00:00Z"), Timezone: ny}, models.Contact{}, "scheduled", "", "sms", "2026-11-28T13:00:00Z"},
		{"deceased", Request{Phone: "+1", Disposition: "expired"}, models.Contact{}, "suppressed", "deceased", "", ""},
		{"hospice", Request{Phone: "+1", Disposition: "hospice"}, models.Contact{}, "suppressed", "hospice", "", ""},
		{"sensitive", Request{Phone: "+1", Sensitive: true}, models.Contact{}, "suppressed", "sensitive", "", ""},
		{"minor", Request{Phone: "+1", BirthDate: &child, DischargedAt: now}, models.Contact{}, "suppressed", "minor", "", ""},
		{"no consent, no email", Request{Phone: "+1", SMSConsent: &no}, models.Contact{}, "suppressed", "no_consent", "", ""},
		{"no consent, email", Request{Phone: "+1", Email: "a@b.org", SMSConsent: &no}, models.Contact{}, "scheduled", "", "email", "2026-11-27T15:00:00Z"},
		{"sms opted out: email", Request{Phone: "+1", Email: "a@b.org"}, models.Contact{SMSOptOut: true}, "scheduled", "", "email", "2026-11-27T15:00:00Z"},
		{"opted out everywhere", Request{Phone: "+1", Email: "a@b.org"}, models.Contact{SMSOptOut: true, EmailOptOut: true}, "suppressed", "opted_out", "", ""},
		{"explicit sms opted out", Request{Phone: "+1", Email: "a@b.org", Channel: "sms"}, models.Contact{SMSOptOut: true}, "suppressed", "opted_out", "", ""},
		{"explicit email without address", Request{Phone: "+1", Channel: "email"}, models.Contact{}, "suppressed", "no_channel", "", ""},
		{"recently surveyed", Request{Phone: "+1"}, models.Contact{LastSurveyedAt: &recent}, "suppressed", "recently_surveyed", "", ""},
		{"surveyed long ago", Request{Phone: "+1", DischargedAt: now}, models.Contact{LastSurveyedAt: &old}, "scheduled", "", "sms", "2026-11-28T15:00:00Z"},
	}
	for _, tc := range cases {
		if tc.r.DischargedAt.IsZero() {
			tc.r.DischargedAt = now.Add(-48 * time.Hour)
		}
		d := Decide(c, now, tc.r, tc.c)
		when := ""
		if d.ScheduledFor != nil {
			when = d.ScheduledFor.UTC().Format(time.RFC3339)
		}
		if d.Status != tc.status || d.Reason != tc.reason || d.Channel != tc.channel || when != tc.when {
			t.Errorf("%s: got %s/%s/%s/%s, want %s/%s/%s/%s", tc.name, d.Status, d.Reason, d.Channel, when, tc.status, tc.reason, tc.channel, tc.when)
		}
		if d.Status == "scheduled" && !d.ExpiresAt.Equal(d.ScheduledFor.Add(c.InvitationTTL)) {
			t.Errorf("%s: expiry %v", tc.name, d.ExpiresAt)
		}
	}
}
