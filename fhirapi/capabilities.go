package fhirapi

import (
	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/fhir"
)

// Capabilities answers GET /api/fhir/metadata: the CapabilityStatement,
// public as FHIR expects (it holds no data), so a client can find out what
// is offered before it has a token.
func (h *Handler) Capabilities(c *fiber.Ctx) error {
	ia := func(codes ...string) []fhir.CapabilityInteraction {
		out := make([]fhir.CapabilityInteraction, len(codes))
		for i, c := range codes {
			out[i] = fhir.CapabilityInteraction{Code: c}
		}
		return out
	}
	cs := fhir.CapabilityStatement{
		ResourceType: "CapabilityStatement", Status: "active", Date: instant(h.now()), Kind: "instance",
		Software:       &fhir.CapabilitySoftware{Name: "patientvoice"},
		Implementation: &fhir.CapabilityImplementation{Description: h.cfg.OrgName + " patient feedback", URL: h.base()},
		FHIRVersion:    "4.0.1", Format: []string{"json"},
		Rest: []fhir.CapabilityRest{{Mode: "server",
			Documentation: "Bearer API tokens (patientvoice token create). Scopes: surveys:read for Questionnaire, reports:read for QuestionnaireResponse (comments:read as well for free text), discharges:write for Encounter.",
			Resource: []fhir.CapabilityResource{
				{Type: "Questionnaire", Interaction: ia("read"), Documentation: "Each survey by its key (\"_\" written as \".\"), current version."},
				{Type: "QuestionnaireResponse", Interaction: ia("read", "search-type"),
					Documentation: "Stored responses without patient identity, oldest change first, paged by next links.",
					SearchParam: []fhir.CapabilitySearchParam{
						{Name: "_lastUpdated", Type: "date", Documentation: "when the server stored the response; prefixes eq, ge, gt, le, lt"},
						{Name: "questionnaire", Type: "reference", Documentation: "canonical URL (optionally |version) or id of the survey"},
						{Name: "comments", Type: "token", Documentation: "include: add free-text answers (needs comments:read, audited); omit (default)"},
					}},
				{Type: "Encounter", Interaction: ia("create"),
					Documentation: "A finished Encounter with its Patient (contained, or a transaction Bundle of both) becomes a survey invitation, as POST /api/discharges."},
			}}},
	}
	return send(c, fiber.StatusOK, cs)
}
