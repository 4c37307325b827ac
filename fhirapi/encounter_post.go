package fhirapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/inviting"
	"github.com/patientvoice/patientvoice/jsonbody"
	"github.com/patientvoice/patientvoice/survey"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// decode reads JSON into v; a syntax error is a 400, a value of the wrong
// type a 400 at its FHIRPath under prefix.
func decode(b []byte, v any, prefix string) error {
	err := jsonbody.Decode(b, v)
	var fe *survey.FieldError
	var fiberErr *fiber.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe):
		return &fhir.Problem{Status: fiber.StatusBadRequest, Code: "structure", Message: fe.Message, Expression: prefix + "." + fe.Field}
	case errors.As(err, &fiberErr):
		return &fhir.Problem{Status: fiberErr.Code, Code: "structure", Message: fiberErr.Message}
	}
	return err
}

// PostEncounter answers POST /api/fhir/Encounter: a finished Encounter with
// its Patient contained, or a transaction Bundle holding both, does what
// POST /api/discharges does, through the same intake. The answer is an
// OperationOutcome describing the invitation (in a transaction-response
// Bundle for a Bundle): 202 the first time, 200 with the same outcome when
// the encounter is known.
func (h *Handler) PostEncounter(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var head fhir.Resource
	if err := decode(c.Body(), &head, ""); err != nil {
		return err
	}
	var in encounterIn
	var tx *transaction
	var err error
	switch head.ResourceType {
	case "Encounter":
		in, err = fromEncounter(head)
	case "Bundle":
		tx, err = readTransaction(c.Body())
		if err == nil {
			in, err = tx.encounter()
		}
	default:
		err = &fhir.Problem{Status: fiber.StatusBadRequest, Code: "structure", Expression: "resourceType",
			Message: fmt.Sprintf("resourceType %q: post an Encounter with its Patient contained, or a transaction Bundle of both", head.ResourceType)}
	}
	if err != nil {
		return err
	}
	ds, err := h.store.Departments(ctx)
	if err != nil {
		return err
	}
	m, err := h.toDischarge(in, departmentsByCode(ds))
	if err != nil {
		return err
	}
	out, err := h.intake.TakeDischarge(ctx, m.in)
	var fe *survey.FieldError
	if errors.As(err, &fe) {
		path := m.paths[fe.Field]
		if path == "" {
			path = in.encPath
		}
		return fhir.Invalid(path, "value", fe.Message)
	} else if err != nil {
		return err
	}
	status := fiber.StatusAccepted
	if !out.Created {
		status = fiber.StatusOK
	}
	oo := invitationOutcome(out)
	if tx == nil {
		return send(c, status, oo)
	}
	return send(c, status, tx.response(status, oo))
}

// fromEncounter reads an Encounter whose Patient is contained.
func fromEncounter(r fhir.Resource) (encounterIn, error) {
	in := encounterIn{encPath: "Encounter"}
	if err := decode(r.Raw, &in.enc, "Encounter"); err != nil {
		return in, err
	}
	in.resolve = containedResolver(in.enc, "Encounter")
	return in, in.findPatient(nil)
}

// containedResolver finds "#id" among an Encounter's contained resources.
func containedResolver(enc fhir.Encounter, path string) func(string) (fhir.Resource, string, bool) {
	return func(ref string) (fhir.Resource, string, bool) {
		if !strings.HasPrefix(ref, "#") {
			return fhir.Resource{}, "", false
		}
		for i, r := range enc.Contained {
			if r.ID == ref[1:] {
				return r, fmt.Sprintf("%s.contained[%d]", path, i), true
			}
		}
		return fhir.Resource{}, "", false
	}
}

// findPatient resolves Encounter.subject (contained or, with more, in the
// Bundle); without a subject a lone Patient is taken.
func (in *encounterIn) findPatient(more func() (fhir.Resource, string, bool)) error {
	var res fhir.Resource
	var path string
	ok := false
	switch {
	case in.enc.Subject != nil && in.enc.Subject.Reference != "":
		res, path, ok = in.resolve(in.enc.Subject.Reference)
	case more != nil:
		res, path, ok = more()
	default:
		for i, r := range in.enc.Contained {
			if r.ResourceType == "Patient" {
				if ok {
					ok = false
					break
				}
				res, path, ok = r, fmt.Sprintf("%s.contained[%d]", in.encPath, i), true
			}
		}
	}
	if !ok || res.ResourceType != "Patient" {
		return fhir.Invalid(in.encPath+".subject", "not-found",
			"the Patient must come with the Encounter: contained (subject \"#id\") or as an entry of a transaction Bundle that subject refers to")
	}
	in.patPath = path
	return decode(res.Raw, &in.pat, path)
}

// invitationOutcome describes what came of the discharge: an information
// issue whose details code the status (and the suppression reason), and
// the invitation extension carrying the contract's fields.
func invitationOutcome(out inviting.Invited) fhir.OperationOutcome {
	id := int(out.InvitationID)
	ext := fhir.Extension{URL: fhir.ExtInvitation, Extension: []fhir.Extension{
		{URL: "invitation-id", ValueInteger: &id}, {URL: "status", ValueCode: out.Status}}}
	details := &fhir.CodeableConcept{Coding: []fhir.Coding{{System: fhir.CodeSystemBase + "invitation-status", Code: out.Status}}}
	text := fmt.Sprintf("Invitation %d %s", out.InvitationID, out.Status)
	if out.Channel != nil {
		ext.Extension = append(ext.Extension, fhir.Extension{URL: "channel", ValueCode: *out.Channel})
		text += " by " + *out.Channel
	}
	if out.ScheduledFor != nil {
		ext.Extension = append(ext.Extension, fhir.Extension{URL: "scheduled-for", ValueDateTime: instant(*out.ScheduledFor)})
		text += " for " + instant(*out.ScheduledFor)
	}
	if out.Reason != nil {
		ext.Extension = append(ext.Extension, fhir.Extension{URL: "reason", ValueCode: *out.Reason})
		details.Coding = append(details.Coding, fhir.Coding{System: fhir.CodeSystemBase + "suppression-reason", Code: *out.Reason})
		text += " (" + *out.Reason + ")"
	}
	details.Text = text
	return fhir.OperationOutcome{ResourceType: "OperationOutcome", Extension: []fhir.Extension{ext},
		Issue: []fhir.OutcomeIssue{{Severity: "information", Code: "informational", Details: details}}}
}
