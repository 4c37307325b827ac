package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/fhirapi"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
)

// errorBody is the contract's JSON error.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// errorHandler is the one place errors become responses: JSON under /api/
// and /webhooks/, a page in the patient's language on patient pages, an
// HTML page elsewhere. Only 5xx are logged (once, here); users never see a
// stack or SQL.
func errorHandler(log *slog.Logger, org string, catalog *translations.Catalog) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, body := classify(err)
		rid, _ := c.Locals("requestid").(string)
		if status >= 500 {
			log.Error("request failed", "request_id", rid, "method", c.Method(), "route", routePattern(c), "status", status, "err", err.Error())
		}
		c.Status(status)
		if p := c.Path(); p == "/api/fhir" || strings.HasPrefix(p, "/api/fhir/") {
			return sendOutcome(c, err, status, body)
		}
		if wantsJSON(c) {
			return c.JSON(body)
		}
		if patientPage(c.Path()) {
			c.Set(fiber.HeaderCacheControl, "no-store")
			return c.Render("patient_error", patientProblem(c, catalog, org, status, err, rid))
		}
		title := map[int]string{400: "Something in the form is not right", 401: "Please sign in", 403: "Not allowed",
			404: "Page not found", 409: "Already done", 410: "This link has expired", 413: "Too large",
			429: "Too many requests", 503: "Temporarily unavailable"}[status]
		if title == "" {
			title = "Something went wrong"
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Render("error", fiber.Map{"Org": org, "Title": title, "Message": body.Error, "RequestID": rid})
	}
}

// sendOutcome answers a FHIR route's error as an OperationOutcome: a
// fhir.Problem as it says, anything else by classify's status and message.
func sendOutcome(c *fiber.Ctx, err error, status int, body errorBody) error {
	oo := fhir.Outcome(status, "", body.Error, body.Field)
	var p *fhir.Problem
	if errors.As(err, &p) {
		c.Status(p.Status)
		oo = fhir.Outcome(p.Status, p.Code, p.Message, p.Expression)
	}
	raw, merr := json.Marshal(oo)
	if merr != nil {
		return merr
	}
	c.Set(fiber.HeaderContentType, fhirapi.MediaType(c))
	return c.Send(raw)
}

func classify(err error) (int, errorBody) {
	var fe *fiber.Error
	var field *survey.FieldError
	var prob *translations.Problem
	var problem *fhir.Problem
	switch {
	case errors.As(err, &prob):
		return prob.Status, errorBody{Error: prob.Key}
	case errors.As(err, &problem):
		return problem.Status, errorBody{Error: problem.Message, Field: problem.Expression}
	case errors.As(err, &field):
		return fiber.StatusBadRequest, errorBody{Error: field.Message, Field: field.Field}
	case errors.As(err, &fe):
		msg := fe.Message
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			msg = "request body is too large"
		}
		if fe.Code >= 500 {
			msg = "internal error"
		}
		return fe.Code, errorBody{Error: msg}
	case errors.Is(err, models.ErrNotFound):
		return fiber.StatusNotFound, errorBody{Error: "not found"}
	case errors.Is(err, models.ErrConflict):
		return fiber.StatusConflict, errorBody{Error: "conflicts with existing data"}
	case errors.Is(err, models.ErrUnavailable), isUnavailable(err):
		return fiber.StatusServiceUnavailable, errorBody{Error: "the database is not answering; try again shortly"}
	}
	return fiber.StatusInternalServerError, errorBody{Error: "internal error"}
}

// isUnavailable spots a database that is down or overloaded, so clients
// get 503 (retry) instead of 500.
func isUnavailable(err error) bool {
	msg := err.Error()
	for _, s := range []string{"connection refused", "bad connection", "invalid connection", "i/o timeout",
		"driver: bad connection", "broken pipe", "connection reset", "database is locked", "context deadline exceeded", "sql: database is closed"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func wantsJSON(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/webhooks/") || p == "/healthz"
}

// patientPage reports the pages patients open: the email survey, the
// follow-up question, unsubscribe and the kiosk. Their errors speak the
// patient's language.
func patientPage(p string) bool {
	for _, pre := range []string{"/s/", "/f/", "/unsubscribe/", "/kiosk/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// patientStatuses are the statuses the catalog words (error.title_N,
// error.body_N); others fall back to 400 or 500.
var patientStatuses = map[int]bool{400: true, 404: true, 409: true, 410: true, 413: true, 429: true, 500: true, 503: true}

// patientProblem words an error for a patient: in the language of the page
// when the handler knew it (translations.Problem), else in the browser's
// preferred one; with a reference to quote only when it is our fault.
func patientProblem(c *fiber.Ctx, catalog *translations.Catalog, org string, status int, err error, rid string) fiber.Map {
	var prob *translations.Problem
	var l *translations.Language
	key := ""
	if errors.As(err, &prob) {
		l, key = prob.Lang, prob.Key
	}
	if l == nil {
		l = catalog.Negotiate(c.Get(fiber.HeaderAcceptLanguage))
	}
	s := status
	if !patientStatuses[s] {
		s = 400
		if status >= 500 {
			s = 500
		}
	}
	n := strconv.Itoa(s)
	if key == "" {
		key = "error.body_" + n
	}
	ref := ""
	if status >= 500 {
		ref = rid
	}
	return fiber.Map{"Org": org, "L": l, "Title": l.T("error.title_" + n), "Message": l.T(key), "RequestID": ref}
}
