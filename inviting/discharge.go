package inviting

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/jsonbody"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Discharge is one discharge as a feed delivers it, before validation: the
// contract's POST /api/discharges body, which the CSV import, the HL7 feed
// and the FHIR Encounter route fill in too, so every feed takes the same
// checks and the same scheduling rules (TakeDischarge).
type Discharge struct {
	EncounterID  string            `json:"encounter_id"`
	Department   string            `json:"department"`
	DischargedAt string            `json:"discharged_at"`
	Channel      string            `json:"channel"`
	Disposition  string            `json:"disposition"`
	Sensitive    bool              `json:"sensitive"`
	Patient      *DischargePatient `json:"patient"`
}

// DischargePatient is the patient part of a Discharge.
type DischargePatient struct {
	Name       string `json:"name"`
	Phone      string `json:"phone"`
	Email      string `json:"email"`
	Language   string `json:"language"`
	BirthDate  string `json:"birth_date"`
	Timezone   string `json:"timezone"`
	SMSConsent *bool  `json:"sms_consent"`
}

// Invited is what came of a discharge, as the contract's answer shows it;
// Created is false when the encounter was already known (a replay), whose
// answer is the stored one.
type Invited struct {
	InvitationID uint       `json:"invitation_id"`
	Status       string     `json:"status"`
	Channel      *string    `json:"channel"`
	ScheduledFor *time.Time `json:"scheduled_for"`
	Reason       *string    `json:"reason"`
	Created      bool       `json:"-"`
}

func toJSON(inv models.Invitation) Invited {
	j := Invited{InvitationID: inv.ID, Status: inv.Status}
	if inv.Status == models.InvSuppressed {
		r := inv.Reason
		j.Reason = &r
		return j
	}
	ch := inv.Channel
	j.Channel = &ch
	if inv.ScheduledFor != nil {
		t := inv.ScheduledFor.UTC()
		j.ScheduledFor = &t
	}
	j.Status = models.InvScheduled
	return j
}

var langRe = regexp.MustCompile(`^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{1,8}){0,3}$`)

// parseDischarge validates one discharge; errors name the field.
func (h *Handler) parseDischarge(ctx context.Context, in Discharge, def survey.Definition, localTime bool) (Request, error) {
	fe := func(field, format string, args ...any) error {
		return &survey.FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
	}
	var r Request
	r.EncounterID = strings.TrimSpace(in.EncounterID)
	if r.EncounterID == "" || len(r.EncounterID) > 128 {
		return r, fe("encounter_id", "required, up to 128 characters")
	}
	d, err := h.store.DepartmentByCode(ctx, strings.TrimSpace(in.Department))
	if errors.Is(err, models.ErrNotFound) {
		return r, fe("department", "unknown department code %q", in.Department)
	} else if err != nil {
		return r, err
	}
	r.Department = d
	if r.DischargedAt, err = parseTime(in.DischargedAt, h.cfg.Location, localTime); err != nil {
		return r, fe("discharged_at", "%s", err.Error())
	}
	if r.DischargedAt.After(h.now().Add(24 * time.Hour)) {
		return r, fe("discharged_at", "is more than a day in the future")
	}
	switch r.Channel = strings.ToLower(strings.TrimSpace(in.Channel)); r.Channel {
	case "":
		r.Channel = channelAuto
	case channelAuto, sms, email:
	default:
		return r, fe("channel", "use sms, email or auto")
	}
	r.Disposition = strings.ToLower(strings.TrimSpace(in.Disposition))
	r.Sensitive = in.Sensitive
	p := in.Patient
	if p == nil {
		return r, fe("patient", "a phone number or an email address is required")
	}
	if len([]rune(p.Name)) > 200 {
		return r, fe("patient.name", "at most 200 characters")
	}
	r.Name = strings.TrimSpace(p.Name)
	if r.Phone, err = contact.NormalizePhone(p.Phone, h.cfg.DefaultRegion); err != nil {
		return r, fe("patient.phone", "not a valid phone number: %q", p.Phone)
	}
	if r.Email, err = contact.NormalizeEmail(p.Email); err != nil {
		return r, fe("patient.email", "not a valid email address: %q", p.Email)
	}
	if r.Phone == "" && r.Email == "" {
		return r, fe("patient", "a phone number or an email address is required")
	}
	lang := strings.TrimSpace(p.Language)
	if lang != "" && !langRe.MatchString(lang) {
		return r, fe("patient.language", "not a language code such as en or es")
	}
	code := h.catalog.Code(lang) // "es-MX", "spa", "zh-Hans" -> es, es, zh
	if code == "" {
		code = strings.ToLower(strings.SplitN(strings.ReplaceAll(lang, "_", "-"), "-", 2)[0])
	}
	r.Language = def.Language(code)
	if p.BirthDate != "" {
		b, err := time.Parse("2006-01-02", strings.TrimSpace(p.BirthDate))
		if err != nil || b.After(h.now()) || b.Year() < 1890 {
			return r, fe("patient.birth_date", "must be a date like 1950-02-03")
		}
		r.BirthDate = &b
	}
	if p.Timezone != "" {
		loc, err := time.LoadLocation(strings.TrimSpace(p.Timezone))
		if err != nil {
			return r, fe("patient.timezone", "unknown time zone %q", p.Timezone)
		}
		r.Timezone = loc
	}
	r.SMSConsent = p.SMSConsent
	return r, nil
}

func parseTime(s string, loc *time.Location, allowLocal bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if allowLocal {
		if t, err := time.ParseInLocation("2006-01-02 15:04", s, loc); err == nil {
			return t.UTC(), nil
		}
		return time.Time{}, fmt.Errorf("%q is neither RFC 3339 nor YYYY-MM-DD HH:MM", s)
	}
	return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time such as 2026-11-27T15:04:05Z", s)
}

// record stores one validated discharge: the contact as stored decides
// (opt-outs, last survey), then contact, encounter and invitation are
// written in one transaction, then the first message is queued.
func (h *Handler) record(ctx context.Context, r Request, def survey.Definition, surveyID uint) (models.DischargeResult, error) {
	d := models.Discharge{ExternalID: r.EncounterID, DepartmentID: r.Department.ID, DischargedAt: r.DischargedAt,
		Disposition: r.Disposition, Sensitive: r.Sensitive,
		Contact: models.ContactInput{Name: r.Name, Phone: r.Phone, Email: r.Email, Language: r.Language}}
	if r.BirthDate != nil {
		d.BirthDate = r.BirthDate.Format("2006-01-02")
	}
	if r.Timezone != nil {
		d.Contact.Timezone = r.Timezone.String()
	}
	c, err := h.store.ContactFor(ctx, d.Contact)
	if err != nil {
		return models.DischargeResult{}, err
	}
	dec := Decide(h.cfg, h.now(), r, c)
	dec.SurveyID = surveyID
	res, err := h.store.RecordDischarge(ctx, d, dec)
	if err != nil || !res.Created || res.Invitation.Status != models.InvScheduled {
		return res, err
	}
	// a failure here leaves the invitation to the housekeeping sweep
	if err := h.queueFirst(ctx, res.Invitation, def); err != nil {
		h.log.Warn("queue first survey message; housekeeping will retry", "invitation", res.Invitation.ID, "err", err.Error())
	}
	return res, nil
}

// TakeDischarge validates one discharge and records it with its invitation
// (scheduled or suppressed by Decide), idempotent on the encounter id
// across servers. A validation error is a *survey.FieldError naming the
// field of Discharge's JSON at fault ("patient.phone").
func (h *Handler) TakeDischarge(ctx context.Context, in Discharge) (Invited, error) {
	def, sid, err := h.survey(ctx)
	if err != nil {
		return Invited{}, err
	}
	r, err := h.parseDischarge(ctx, in, def, false)
	if err != nil {
		return Invited{}, err
	}
	res, err := h.record(ctx, r, def, sid)
	if err != nil {
		return Invited{}, err
	}
	out := toJSON(res.Invitation)
	out.Created = res.Created
	return out, nil
}

// Discharge answers POST /api/discharges: 202 with the invitation the
// first time, 200 with the same body for a known encounter_id.
func (h *Handler) Discharge(c *fiber.Ctx) error {
	var in Discharge
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	out, err := h.TakeDischarge(c.UserContext(), in)
	if err != nil {
		return err
	}
	status := fiber.StatusAccepted
	if !out.Created {
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(out)
}
