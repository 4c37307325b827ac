package fhir

// Encounter is a hospital stay as an EHR sends it; only what a discharge
// needs is declared.
type Encounter struct {
	ResourceType    string              `json:"resourceType"`
	ID              string              `json:"id,omitempty"`
	Meta            *Meta               `json:"meta,omitempty"`
	Contained       []Resource          `json:"contained,omitempty"`
	Extension       []Extension         `json:"extension,omitempty"`
	Identifier      []Identifier        `json:"identifier,omitempty"`
	Status          string              `json:"status,omitempty"`
	Class           *Coding             `json:"class,omitempty"`
	Subject         *Reference          `json:"subject,omitempty"`
	Period          *Period             `json:"period,omitempty"`
	Hospitalization *EncounterHospital  `json:"hospitalization,omitempty"`
	Location        []EncounterLocation `json:"location,omitempty"`
	ServiceProvider *Reference          `json:"serviceProvider,omitempty"`
	ServiceType     *CodeableConcept    `json:"serviceType,omitempty"`
}

// EncounterHospital is the admission and discharge detail.
type EncounterHospital struct {
	DischargeDisposition *CodeableConcept `json:"dischargeDisposition,omitempty"`
}

// EncounterLocation is a place the patient was during the encounter.
type EncounterLocation struct {
	Location Reference `json:"location"`
	Status   string    `json:"status,omitempty"`
}

// Patient is the person discharged.
type Patient struct {
	ResourceType     string                 `json:"resourceType"`
	ID               string                 `json:"id,omitempty"`
	Meta             *Meta                  `json:"meta,omitempty"`
	Extension        []Extension            `json:"extension,omitempty"`
	Name             []HumanName            `json:"name,omitempty"`
	Telecom          []ContactPoint         `json:"telecom,omitempty"`
	BirthDate        string                 `json:"birthDate,omitempty"`
	DeceasedBoolean  *bool                  `json:"deceasedBoolean,omitempty"`
	DeceasedDateTime string                 `json:"deceasedDateTime,omitempty"`
	Communication    []PatientCommunication `json:"communication,omitempty"`
}

// PatientCommunication is a language the patient speaks.
type PatientCommunication struct {
	Language  CodeableConcept `json:"language"`
	Preferred *bool           `json:"preferred,omitempty"`
}
