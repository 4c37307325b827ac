package inviting

import (
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

// Suppression reasons of the contract.
const (
	ReasonOptedOut          = "opted_out"
	ReasonRecentlySurveyed  = "recently_surveyed"
	ReasonNoChannel         = "no_channel"
	ReasonDeceased          = "deceased"
	ReasonHospice           = "hospice"
	ReasonSensitive         = "sensitive"
	ReasonMinor             = "minor"
	ReasonNoConsent         = "no_consent"
	dispositionExpired      = "expired"
	dispositionHospice      = "hospice"
	channelAuto, sms, email = "auto", "sms", "email"
)

// Request is a validated discharge: what the hospital sent, normalised.
type Request struct {
	EncounterID  string
	Department   models.Department
	DischargedAt time.Time
	Channel      string // sms, email or auto
	Disposition  string
	Sensitive    bool
	Name         string
	Phone        string // E.164
	Email        string
	Language     string
	BirthDate    *time.Time
	Timezone     *time.Location
	SMSConsent   *bool
}

// Decide applies the contract's suppression rules and picks the channel
// and time of the first message. It is pure: the contact is as stored
// (opt-outs, last survey), now and config are given.
func Decide(cfg *config.Config, now time.Time, r Request, c models.Contact) models.Decision {
	sup := func(reason string) models.Decision {
		return models.Decision{Status: models.InvSuppressed, Reason: reason, Language: r.Language}
	}
	switch {
	case r.Disposition == dispositionExpired:
		return sup(ReasonDeceased)
	case r.Disposition == dispositionHospice:
		return sup(ReasonHospice)
	case r.Sensitive:
		return sup(ReasonSensitive)
	case r.BirthDate != nil && r.BirthDate.AddDate(18, 0, 0).After(r.DischargedAt):
		return sup(ReasonMinor)
	}
	channel, reason := pickChannel(r, c)
	if channel == "" {
		return sup(reason)
	}
	if c.LastSurveyedAt != nil && cfg.SurveyCooldown > 0 && now.Sub(*c.LastSurveyedAt) < cfg.SurveyCooldown {
		return sup(ReasonRecentlySurveyed)
	}
	at := r.DischargedAt.Add(cfg.SurveyDelay)
	if at.Before(now) {
		at = now
	}
	loc := cfg.Location
	if r.Timezone != nil {
		loc = r.Timezone
	}
	at = cfg.QuietHours.Next(at, loc).UTC().Truncate(time.Second)
	exp := at.Add(cfg.InvitationTTL)
	return models.Decision{Status: models.InvScheduled, Channel: channel, Language: r.Language, ScheduledFor: &at, ExpiresAt: &exp}
}

func pickChannel(r Request, c models.Contact) (string, string) {
	smsOK := r.Phone != "" && !c.SMSOptOut && (r.SMSConsent == nil || *r.SMSConsent)
	emailOK := r.Email != "" && !c.EmailOptOut
	switch r.Channel {
	case sms:
		switch {
		case r.Phone == "":
			return "", ReasonNoChannel
		case c.SMSOptOut:
			return "", ReasonOptedOut
		case !smsOK:
			return "", ReasonNoConsent
		}
		return sms, ""
	case email:
		switch {
		case r.Email == "":
			return "", ReasonNoChannel
		case c.EmailOptOut:
			return "", ReasonOptedOut
		}
		return email, ""
	}
	switch {
	case smsOK:
		return sms, ""
	case emailOK:
		return email, ""
	case r.Phone != "" && c.SMSOptOut || r.Email != "" && c.EmailOptOut:
		return "", ReasonOptedOut
	case r.Phone != "":
		return "", ReasonNoConsent
	}
	return "", ReasonNoChannel
}
