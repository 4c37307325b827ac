// Package fhir holds hand-written FHIR R4 resources: the few the product
// reads and writes (Questionnaire, QuestionnaireResponse, Encounter,
// Patient, Bundle, OperationOutcome, CapabilityStatement) and the datatypes
// they use, as plain structs for encoding/json. Generated bindings of the
// whole specification weigh tens of megabytes for five resources; these
// carry exactly the elements the mappings use, so what is emitted is easy to
// read and validate. Decoding ignores elements not declared here.
package fhir

import "encoding/json"

// Extension is an R4 extension; one value[x] (or nested extensions) is set.
// Only the value types the product reads or writes are declared.
type Extension struct {
	URL           string      `json:"url"`
	Extension     []Extension `json:"extension,omitempty"`
	ValueCode     string      `json:"valueCode,omitempty"`
	ValueString   string      `json:"valueString,omitempty"`
	ValueBoolean  *bool       `json:"valueBoolean,omitempty"`
	ValueInteger  *int        `json:"valueInteger,omitempty"`
	ValueDateTime string      `json:"valueDateTime,omitempty"`
	ValueCoding   *Coding     `json:"valueCoding,omitempty"`
}

// Element carries the extensions of a primitive value (the "_text" beside
// "text" in JSON), where translations live.
type Element struct {
	Extension []Extension `json:"extension,omitempty"`
}

// Meta is resource metadata: version, last change, security labels, tags.
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Security    []Coding `json:"security,omitempty"`
	Tag         []Coding `json:"tag,omitempty"`
}

// Coding is a code from a code system.
type Coding struct {
	System   string   `json:"system,omitempty"`
	Version  string   `json:"version,omitempty"`
	Code     string   `json:"code,omitempty"`
	Display  string   `json:"display,omitempty"`
	DisplayX *Element `json:"_display,omitempty"`
}

// CodeableConcept is one concept given as codings and/or text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Identifier is a business identifier (an encounter number, a survey key).
type Identifier struct {
	Use    string `json:"use,omitempty"`
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference points at another resource: a literal reference ("#p1",
// "Patient/1", "urn:uuid:..."), a logical identifier, or just a display.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Period is a time range; End is a FHIR dateTime.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// ContactPoint is a phone number, SMS number or email address.
type ContactPoint struct {
	System string  `json:"system,omitempty"` // phone | fax | email | pager | url | sms | other
	Value  string  `json:"value,omitempty"`
	Use    string  `json:"use,omitempty"` // home | work | temp | old | mobile
	Rank   int     `json:"rank,omitempty"`
	Period *Period `json:"period,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// Resource is any resource as raw JSON plus its type and id, for reading
// what a Bundle entry or a contained list holds before decoding it.
type Resource struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	Raw          json.RawMessage
}

// UnmarshalJSON keeps the raw bytes beside the type and id.
func (r *Resource) UnmarshalJSON(b []byte) error {
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	r.ResourceType, r.ID = head.ResourceType, head.ID
	r.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// MarshalJSON writes the raw bytes back.
func (r Resource) MarshalJSON() ([]byte, error) {
	if len(r.Raw) == 0 {
		return []byte("null"), nil
	}
	return r.Raw, nil
}

// Standard extension and code system URLs the mappings use.
const (
	// ExtTranslation carries a string in another language (children
	// "lang" and "content").
	ExtTranslation = "http://hl7.org/fhir/StructureDefinition/translation"
	// ExtMinValue and ExtMaxValue bound integer answers.
	ExtMinValue = "http://hl7.org/fhir/StructureDefinition/minValue"
	ExtMaxValue = "http://hl7.org/fhir/StructureDefinition/maxValue"
	// ExtTimezone is the R5 core time zone extension (valueCode, IANA),
	// usable on R4 resources.
	ExtTimezone = "http://hl7.org/fhir/StructureDefinition/timezone"
	// SystemBCP47 is the code system of language tags.
	SystemBCP47 = "urn:ietf:bcp:47"
	// SystemObservationValue holds the REDACTED security label.
	SystemObservationValue = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"
	// SystemConfidentiality and SystemActCode hold the sensitivity labels.
	SystemConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	SystemActCode         = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	// SystemDischargeDisposition is FHIR's own discharge disposition codes.
	SystemDischargeDisposition = "http://terminology.hl7.org/CodeSystem/discharge-disposition"
	// SystemEncounterClass is the v3 ActCode subset for Encounter.class.
	SystemEncounterClass = SystemActCode
)

// Extensions the product defines for what R4 has no element for; README
// documents each.
const (
	ExtBase = "https://github.com/patientvoice/patientvoice/fhir/StructureDefinition/"
	// ExtDepartment is a department code (valueCode) on an Encounter or a
	// QuestionnaireResponse.
	ExtDepartment = ExtBase + "department"
	// ExtSurveyChannel is the survey channel asked for (valueCode sms,
	// email or auto) on an Encounter, or the channel a response came
	// through (kiosk, sms, email) on a QuestionnaireResponse.
	ExtSurveyChannel = ExtBase + "survey-channel"
	// ExtSMSConsent is the patient's consent to SMS (valueBoolean).
	ExtSMSConsent = ExtBase + "sms-consent"
	// ExtInvitation carries the invitation made from a discharge
	// (children invitation-id, status, channel, scheduled-for, reason).
	ExtInvitation = ExtBase + "invitation"
	// CodeSystemBase prefixes the product's code systems.
	CodeSystemBase = "https://github.com/patientvoice/patientvoice/fhir/CodeSystem/"
	// SystemResponseTag tags a QuestionnaireResponse (suspicious, flagged).
	SystemResponseTag = CodeSystemBase + "response-tag"
)
