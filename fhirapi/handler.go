// Package fhirapi serves the FHIR R4 routes under /api/fhir: surveys as
// Questionnaires, stored responses as a paged QuestionnaireResponse search
// without patient identities, and discharges taken as Encounters through
// the same intake as POST /api/discharges. It maps between the product's
// shapes and package fhir's resources; errors become OperationOutcomes in
// the server's one error handler (fhir.Problem carries status and path).
package fhirapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"mime"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// ContentType is the FHIR JSON media type every answer carries unless the
// client asked for plain application/json.
const ContentType = "application/fhir+json; charset=utf-8"

// Store is what the FHIR routes read.
type Store interface {
	SurveyByKey(ctx context.Context, key string) (survey.Definition, uint, error)
	Surveys(ctx context.Context) ([]models.Survey, error)
	Departments(ctx context.Context) ([]models.Department, error)
	ResponseFeed(ctx context.Context, q models.FeedQuery) ([]models.FeedResponse, error)
	CountResponseFeed(ctx context.Context, q models.FeedQuery) (int64, error)
	FeedResponseByID(ctx context.Context, id uint, withText bool) (models.FeedResponse, error)
	Audit(ctx context.Context, actor, action, record, ip, detail string) error
}

// Handler serves the FHIR routes.
type Handler struct {
	cfg    *config.Config
	store  Store
	intake Intake
	token  func(*fiber.Ctx) (models.APIToken, bool)
	log    *slog.Logger
	now    func() time.Time
}

// Deps is what the FHIR routes are built from.
type Deps struct {
	Config *config.Config
	Store  Store
	// Intake is the discharge path Encounters feed, the one POST
	// /api/discharges uses.
	Intake Intake
	// Token is the API token the request was admitted with (the server's
	// scope check leaves it on the request); free text needs a second scope.
	Token func(*fiber.Ctx) (models.APIToken, bool)
	Log   *slog.Logger
	Now   func() time.Time
}

// New builds the FHIR handlers.
func New(d Deps) *Handler {
	return &Handler{cfg: d.Config, store: d.Store, intake: d.Intake, token: d.Token, log: d.Log, now: d.Now}
}

// base is the FHIR base URL: PV_BASE_URL + /api/fhir.
func (h *Handler) base() string { return strings.TrimRight(h.cfg.BaseURL, "/") + "/api/fhir" }

// Negotiate checks that the client can read FHIR JSON (Accept or
// _format) and, for a body, that it is JSON: 406 or 415 otherwise. It
// runs before authentication so every answer, errors included, is JSON.
func Negotiate(c *fiber.Ctx) error {
	if f := c.Query("_format"); f != "" {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "json", "application/json", "application/fhir+json", "application/json+fhir":
		default:
			return &fhir.Problem{Status: fiber.StatusNotAcceptable, Code: "not-supported", Message: "only JSON is served: use _format=json or leave it out"}
		}
	} else if !acceptsJSON(c.Get(fiber.HeaderAccept)) {
		return &fhir.Problem{Status: fiber.StatusNotAcceptable, Code: "not-supported", Message: "only application/fhir+json (or application/json) is served"}
	}
	if len(c.Body()) > 0 || c.Method() == fiber.MethodPost {
		ct := c.Get(fiber.HeaderContentType)
		mt, _, err := mime.ParseMediaType(ct)
		if ct != "" && (err != nil || !jsonMedia(mt)) {
			return &fhir.Problem{Status: fiber.StatusUnsupportedMediaType, Code: "not-supported", Message: "send the resource as application/fhir+json"}
		}
	}
	return c.Next()
}

func jsonMedia(mt string) bool {
	switch strings.ToLower(mt) {
	case "application/fhir+json", "application/json", "application/json+fhir":
		return true
	}
	return false
}

// acceptsJSON is true unless every media range in accept excludes JSON.
func acceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if jsonMedia(mt) || mt == "*/*" || mt == "application/*" {
			return true
		}
	}
	return false
}

// send writes v with status, as application/fhir+json unless the client
// asked for application/json alone.
func send(c *fiber.Ctx, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, MediaType(c))
	return c.Send(b)
}

// MediaType is the content type of an answer to c: plain JSON when the
// client asked for application/json and not for FHIR JSON.
func MediaType(c *fiber.Ctx) string {
	a := strings.ToLower(c.Get(fiber.HeaderAccept))
	f := strings.ToLower(c.Query("_format"))
	if (strings.Contains(a, "application/json") && !strings.Contains(a, "fhir")) || f == "application/json" {
		return "application/json; charset=utf-8"
	}
	return ContentType
}

// instant renders a time as a FHIR instant (UTC, milliseconds when any).
func instant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.999Z07:00")
}
