package fhirapi

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/inviting"
	"github.com/patientvoice/patientvoice/models"
)

// Intake is the discharge path (inviting.Handler): the very checks and
// scheduling rules of POST /api/discharges.
type Intake interface {
	TakeDischarge(ctx context.Context, in inviting.Discharge) (inviting.Invited, error)
}

// Discharge dispositions that suppress the survey, as UB-04 (NUBC) codes,
// which HL7 v2 PV1-36 uses too, and as FHIR's own discharge-disposition
// codes.
var (
	expiredCodes = map[string]bool{"20": true, "40": true, "41": true, "42": true, "exp": true}
	hospiceCodes = map[string]bool{"50": true, "51": true, "hosp": true}
)

// sensitiveLabels are the security labels (meta.security on the Encounter
// or the Patient) that mark an encounter sensitive: restricted and very
// restricted confidentiality, and the sensitivity policies of behavioural
// health, substance use, sexual and reproductive health, HIV, abuse.
var sensitiveLabels = map[string]map[string]bool{
	fhir.SystemConfidentiality: {"R": true, "V": true},
	fhir.SystemActCode: {"ETH": true, "PSY": true, "BH": true, "SUD": true, "OPIOIDUD": true, "SDV": true,
		"SEX": true, "STD": true, "HIV": true, "MST": true, "TBOO": true, "PREGNANT": true},
}

// encounterIn is an Encounter with the Patient and the other resources it
// refers to, and where each sits in the request (FHIRPath prefixes) so
// errors point at the element at fault.
type encounterIn struct {
	enc     fhir.Encounter
	encPath string
	pat     fhir.Patient
	patPath string
	// resolve finds a referenced resource (contained or in the Bundle)
	resolve func(ref string) (fhir.Resource, string, bool)
}

// mapped is a Discharge with the FHIRPath each of its fields came from.
type mapped struct {
	in    inviting.Discharge
	paths map[string]string
}

// departmentCodes are the known department codes, upper-cased.
type departmentCodes map[string]string

// toDischarge maps the Encounter and its Patient to the contract's
// discharge; problems the intake cannot act on are 422s at their path.
func (h *Handler) toDischarge(e encounterIn, depts departmentCodes) (mapped, error) {
	m := mapped{paths: map[string]string{}}
	enc, ep, pp := e.enc, e.encPath, e.patPath
	if enc.Status != "finished" {
		return m, fhir.Invalid(ep+".status", "business-rule", fmt.Sprintf("status is %q: only a finished Encounter is a discharge", enc.Status))
	}
	id, at := encounterID(enc.Identifier)
	if id == "" {
		return m, fhir.Invalid(ep+".identifier", "required", "an identifier with a value (the encounter number) is required")
	}
	m.in.EncounterID, m.paths["encounter_id"] = id, fmt.Sprintf("%s.identifier[%d].value", ep, at)
	if enc.Period == nil || enc.Period.End == "" {
		return m, fhir.Invalid(ep+".period.end", "required", "period.end (the time of discharge) is required")
	}
	end, err := dischargeTime(enc.Period.End)
	if err != nil {
		return m, fhir.Invalid(ep+".period.end", "value", err.Error())
	}
	m.in.DischargedAt, m.paths["discharged_at"] = end, ep+".period.end"
	code, path, err := department(e, depts)
	if err != nil {
		return m, err
	}
	m.in.Department, m.paths["department"] = code, path
	for i, x := range enc.Extension {
		if x.URL == fhir.ExtSurveyChannel {
			m.in.Channel, m.paths["channel"] = x.ValueCode, fmt.Sprintf("%s.extension[%d]", ep, i)
		}
	}
	m.in.Disposition = disposition(enc.Hospitalization)
	m.paths["disposition"] = ep + ".hospitalization.dischargeDisposition"
	p := e.pat
	if p.DeceasedBoolean != nil && *p.DeceasedBoolean || p.DeceasedDateTime != "" {
		m.in.Disposition = "expired"
	}
	m.in.Sensitive = sensitive(enc.Meta) || sensitive(p.Meta)
	pat, err := h.patient(p, pp, m.paths)
	if err != nil {
		return m, err
	}
	m.in.Patient = &pat
	return m, nil
}

// encounterID picks the official identifier, else the usual one, else the
// first with a value.
func encounterID(ids []fhir.Identifier) (string, int) {
	best, at := -1, -1
	for i, id := range ids {
		if strings.TrimSpace(id.Value) == "" {
			continue
		}
		rank := map[string]int{"official": 3, "usual": 2}[id.Use]
		if id.Use == "old" {
			rank = -1
		}
		if rank > best {
			best, at = rank, i
		}
	}
	if at < 0 {
		return "", 0
	}
	return strings.TrimSpace(ids[at].Value), at
}

// dischargeTime reads a FHIR dateTime with a time of day and a zone; a
// date alone cannot place the survey outside quiet hours.
func dischargeTime(v string) (string, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return "", fmt.Errorf("%q: give the discharge time with a zone, e.g. 2026-11-27T15:04:05Z", v)
	}
	return t.UTC().Format(time.RFC3339), nil
}

// department finds the department code: the department extension, then
// serviceProvider, then each location, each by its identifier values
// (on the reference or on the contained or bundled resource), matched
// against known department codes regardless of case.
func department(e encounterIn, depts departmentCodes) (string, string, error) {
	type cand struct{ value, path string }
	var cands []cand
	enc, ep := e.enc, e.encPath
	for i, x := range enc.Extension {
		if x.URL == fhir.ExtDepartment {
			cands = append(cands, cand{x.ValueCode + x.ValueString, fmt.Sprintf("%s.extension[%d]", ep, i)})
		}
	}
	refs := func(r fhir.Reference, path string) {
		if r.Identifier != nil {
			cands = append(cands, cand{r.Identifier.Value, path + ".identifier.value"})
		}
		if res, _, ok := e.resolve(r.Reference); ok {
			for _, id := range identifiersOf(res) {
				cands = append(cands, cand{id, path})
			}
		}
	}
	if enc.ServiceProvider != nil {
		refs(*enc.ServiceProvider, ep+".serviceProvider")
	}
	for i, l := range enc.Location {
		refs(l.Location, fmt.Sprintf("%s.location[%d].location", ep, i))
	}
	for _, c := range cands {
		if code, ok := depts[strings.ToUpper(strings.TrimSpace(c.value))]; ok {
			return code, c.path, nil
		}
	}
	known := make([]string, 0, len(depts))
	for _, c := range depts {
		known = append(known, c)
	}
	sort.Strings(known)
	msg := "no department: give a department code (" + strings.Join(known, ", ") + ") in the " + fhir.ExtDepartment +
		" extension, or as the identifier of serviceProvider or of a location"
	if len(cands) > 0 {
		msg = fmt.Sprintf("%q is not a department code (known: %s)", cands[0].value, strings.Join(known, ", "))
		return "", "", fhir.Invalid(cands[0].path, "code-invalid", msg)
	}
	return "", "", fhir.Invalid(ep+".serviceProvider", "required", msg)
}

// identifiersOf lists the identifier values of a referenced Organization
// or Location.
func identifiersOf(r fhir.Resource) []string {
	var v struct {
		Identifier []fhir.Identifier `json:"identifier"`
	}
	if err := jsonUnmarshal(r.Raw, &v); err != nil {
		return nil
	}
	var out []string
	for _, id := range v.Identifier {
		if id.Value != "" {
			out = append(out, id.Value)
		}
	}
	return out
}

// disposition maps hospitalization.dischargeDisposition: a code meaning
// death is "expired", hospice "hospice"; anything else passes on as its
// code (or text), which the intake keeps but does not act on.
func disposition(h *fhir.EncounterHospital) string {
	if h == nil || h.DischargeDisposition == nil {
		return ""
	}
	first := ""
	for _, c := range h.DischargeDisposition.Coding {
		code := strings.ToLower(strings.TrimSpace(c.Code))
		switch {
		case expiredCodes[code]:
			return "expired"
		case hospiceCodes[code]:
			return "hospice"
		case first == "":
			first = code
		}
	}
	if first == "" {
		first = strings.ToLower(strings.TrimSpace(h.DischargeDisposition.Text))
	}
	return first
}

func sensitive(m *fhir.Meta) bool {
	if m == nil {
		return false
	}
	for _, s := range m.Security {
		if sensitiveLabels[s.System][s.Code] {
			return true
		}
	}
	return false
}

// patient maps the Patient: name, the best usable phone and email,
// preferred language, birth date, time zone and SMS consent extensions.
func (h *Handler) patient(p fhir.Patient, pp string, paths map[string]string) (inviting.DischargePatient, error) {
	var out inviting.DischargePatient
	out.Name = name(p.Name)
	paths["patient.name"] = pp + ".name"
	phone, phoneAt, email, emailAt, firstBad := h.telecom(p.Telecom)
	if phone == "" && email == "" {
		if firstBad >= 0 {
			return out, fhir.Invalid(fmt.Sprintf("%s.telecom[%d]", pp, firstBad), "value",
				fmt.Sprintf("%q is neither a phone number nor an email address the survey can reach", p.Telecom[firstBad].Value))
		}
		return out, fhir.Invalid(pp+".telecom", "required", "the Patient needs a phone (system phone or sms) or an email in telecom")
	}
	out.Phone, out.Email = phone, email
	paths["patient"] = pp + ".telecom"
	paths["patient.phone"] = fmt.Sprintf("%s.telecom[%d]", pp, phoneAt)
	paths["patient.email"] = fmt.Sprintf("%s.telecom[%d]", pp, emailAt)
	lang, at := language(p.Communication)
	out.Language = lang
	paths["patient.language"] = fmt.Sprintf("%s.communication[%d].language", pp, at)
	if p.BirthDate != "" {
		b, err := birthDate(p.BirthDate)
		if err != nil {
			return out, fhir.Invalid(pp+".birthDate", "value", err.Error())
		}
		out.BirthDate = b
	}
	paths["patient.birth_date"] = pp + ".birthDate"
	for i, x := range p.Extension {
		switch x.URL {
		case fhir.ExtTimezone:
			out.Timezone = x.ValueCode
			paths["patient.timezone"] = fmt.Sprintf("%s.extension[%d]", pp, i)
		case fhir.ExtSMSConsent:
			out.SMSConsent = x.ValueBoolean
		}
	}
	return out, nil
}

// name is the official (else usual, else first) name as one string.
func name(names []fhir.HumanName) string {
	best, at := -1, -1
	for i, n := range names {
		rank := map[string]int{"official": 3, "usual": 2}[n.Use]
		if n.Use == "old" {
			rank = -1
		}
		if rank > best {
			best, at = rank, i
		}
	}
	if at < 0 {
		return ""
	}
	n := names[at]
	if s := strings.TrimSpace(n.Text); s != "" {
		return s
	}
	return strings.TrimSpace(strings.Join(append(append([]string{}, n.Given...), n.Family), " "))
}

// telecom picks the first usable number for texts (system sms, then a
// mobile phone, then any phone) and the first usable email, each by rank;
// numbers marked old or whose period has ended are skipped. firstBad is
// the index of the first entry that could not be read, -1 when none.
func (h *Handler) telecom(tcs []fhir.ContactPoint) (phone string, phoneAt int, email string, emailAt int, firstBad int) {
	firstBad = -1
	order := make([]int, 0, len(tcs))
	for i, t := range tcs {
		if t.Use == "old" || t.Period != nil && t.Period.End != "" && periodOver(t.Period.End, h.now()) {
			continue
		}
		order = append(order, i)
	}
	class := func(t fhir.ContactPoint) int {
		switch {
		case t.System == "sms":
			return 0
		case t.System == "phone" && t.Use == "mobile":
			return 1
		}
		return 2
	}
	rank := func(t fhir.ContactPoint) int {
		if t.Rank <= 0 {
			return 1 << 30
		}
		return t.Rank
	}
	sort.SliceStable(order, func(a, b int) bool {
		ta, tb := tcs[order[a]], tcs[order[b]]
		if class(ta) != class(tb) {
			return class(ta) < class(tb)
		}
		return rank(ta) < rank(tb)
	})
	for _, i := range order {
		t := tcs[i]
		v := strings.TrimSpace(t.Value)
		switch t.System {
		case "sms", "phone":
			if phone != "" {
				continue
			}
			if n, err := contact.NormalizePhone(strings.TrimPrefix(v, "tel:"), h.cfg.DefaultRegion); err == nil && n != "" {
				phone, phoneAt = n, i
				continue
			}
		case "email":
			if email != "" {
				continue
			}
			if e, err := contact.NormalizeEmail(strings.TrimPrefix(v, "mailto:")); err == nil && e != "" {
				email, emailAt = e, i
				continue
			}
		default:
			continue
		}
		if firstBad < 0 || i < firstBad {
			firstBad = i
		}
	}
	return phone, phoneAt, email, emailAt, firstBad
}

func periodOver(end string, now time.Time) bool {
	t, err := time.Parse(time.RFC3339Nano, end)
	if err != nil {
		t, err = time.Parse("2006-01-02", end)
	}
	return err == nil && t.Before(now)
}

// languageTag is the shape of a BCP 47 tag the intake reads ("es",
// "es-MX", "spa").
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)

// language is the preferred communication language (else the first): the
// BCP 47 coding's code, else another coding's code or the text when it has
// the shape of a language tag. Anything else gives "" and the survey's
// default language: a language the product cannot read never refuses a
// discharge.
func language(cs []fhir.PatientCommunication) (string, int) {
	at := -1
	for i, c := range cs {
		if c.Preferred != nil && *c.Preferred {
			at = i
			break
		}
	}
	if at < 0 && len(cs) > 0 {
		at = 0
	}
	if at < 0 {
		return "", 0
	}
	lang := cs[at].Language
	var cands []string
	for _, c := range lang.Coding {
		if c.System == fhir.SystemBCP47 {
			cands = append([]string{c.Code}, cands...)
		} else {
			cands = append(cands, c.Code)
		}
	}
	for _, c := range append(cands, lang.Text) {
		if c = strings.TrimSpace(c); languageTag.MatchString(c) {
			return c, at
		}
	}
	return "", at
}

// birthDate reads a FHIR date; a partial one (year, or year and month) is
// taken as its last day, so a patient who may be a minor is treated as
// one.
func birthDate(v string) (string, error) {
	v = strings.TrimSpace(v)
	switch len(v) {
	case 4:
		if _, err := strconv.Atoi(v); err == nil {
			return v + "-12-31", nil
		}
	case 7:
		if t, err := time.Parse("2006-01", v); err == nil {
			return t.AddDate(0, 1, -1).Format("2006-01-02"), nil
		}
	case 10:
		if _, err := time.Parse("2006-01-02", v); err == nil {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q is not a FHIR date such as 1950-02-03", v)
}

// departmentsByCode indexes known department codes upper-cased.
func departmentsByCode(ds []models.Department) departmentCodes {
	out := departmentCodes{}
	for _, d := range ds {
		out[strings.ToUpper(d.Code)] = d.Code
	}
	return out
}
