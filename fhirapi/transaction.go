package fhirapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/fhir"
)

// transaction is a posted transaction Bundle.
type transaction struct {
	b     fhir.InBundle
	encAt int
	patAt int
}

// readTransaction reads a transaction Bundle and finds its one Encounter.
func readTransaction(body []byte) (*transaction, error) {
	t := &transaction{encAt: -1, patAt: -1}
	if err := decode(body, &t.b, "Bundle"); err != nil {
		return nil, err
	}
	if t.b.Type != "transaction" {
		return nil, fhir.Invalid("Bundle.type", "business-rule", fmt.Sprintf("type is %q: post a transaction Bundle (or the Encounter alone with its Patient contained)", t.b.Type))
	}
	for i, e := range t.b.Entry {
		if e.Resource == nil {
			return nil, fhir.Invalid(fmt.Sprintf("Bundle.entry[%d]", i), "required", "every entry needs a resource")
		}
		if e.Resource.ResourceType == "Encounter" {
			if t.encAt >= 0 {
				return nil, fhir.Invalid(fmt.Sprintf("Bundle.entry[%d]", i), "business-rule", "one Encounter per Bundle: post each discharge on its own")
			}
			t.encAt = i
		}
	}
	if t.encAt < 0 {
		return nil, fhir.Invalid("Bundle.entry", "required", "the Bundle holds no Encounter")
	}
	return t, nil
}

// encounter decodes the Encounter and resolves its Patient among the
// entries (by fullUrl, or Type/id) or its contained resources.
func (t *transaction) encounter() (encounterIn, error) {
	path := fmt.Sprintf("Bundle.entry[%d].resource", t.encAt)
	in := encounterIn{encPath: path}
	if err := decode(t.b.Entry[t.encAt].Resource.Raw, &in.enc, path); err != nil {
		return in, err
	}
	contained := containedResolver(in.enc, path)
	in.resolve = func(ref string) (fhir.Resource, string, bool) {
		if r, p, ok := contained(ref); ok {
			return r, p, true
		}
		for i, e := range t.b.Entry {
			if e.Resource == nil || ref == "" {
				continue
			}
			typed := e.Resource.ResourceType + "/" + e.Resource.ID
			if e.FullURL == ref || e.Resource.ID != "" && (ref == typed || strings.HasSuffix(ref, "/"+typed)) {
				if e.Resource.ResourceType == "Patient" {
					t.patAt = i
				}
				return *e.Resource, fmt.Sprintf("Bundle.entry[%d].resource", i), true
			}
		}
		return fhir.Resource{}, "", false
	}
	lone := func() (fhir.Resource, string, bool) {
		at := -1
		for i, e := range t.b.Entry {
			if e.Resource.ResourceType == "Patient" {
				if at >= 0 {
					return fhir.Resource{}, "", false
				}
				at = i
			}
		}
		if at < 0 {
			return fhir.Resource{}, "", false
		}
		t.patAt = at
		return *t.b.Entry[at].Resource, fmt.Sprintf("Bundle.entry[%d].resource", at), true
	}
	return in, in.findPatient(lone)
}

// response is the transaction-response: the Encounter's entry carries the
// invitation outcome and the intake's status; the Patient's says it was
// read with it; any other entry that it was not used.
func (t *transaction) response(status int, oo fhir.OperationOutcome) fhir.Bundle {
	line := strconv.Itoa(status) + " " + http.StatusText(status)
	b := fhir.Bundle{ResourceType: "Bundle", Type: "transaction-response"}
	for i := range t.b.Entry {
		r := &fhir.BundleResponse{Status: line}
		switch i {
		case t.encAt:
			r.Outcome = oo
		case t.patAt:
			r.Outcome = info("read with the Encounter as the discharged patient's contact details; not kept as a Patient")
		default:
			r.Status = strconv.Itoa(fiber.StatusOK) + " OK"
			r.Outcome = info("not used: only the Encounter and its Patient are read")
		}
		b.Entry = append(b.Entry, fhir.BundleEntry{Response: r})
	}
	return b
}

func info(text string) fhir.OperationOutcome {
	return fhir.OperationOutcome{ResourceType: "OperationOutcome", Issue: []fhir.OutcomeIssue{
		{Severity: "information", Code: "informational", Details: &fhir.CodeableConcept{Text: text}}}}
}
