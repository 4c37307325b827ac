package server

import (
	"errors"
	"log/slog"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// errorBody is the contract's JSON error.
type errorBody struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

// errorHandler is the one place errors become responses: JSON under /api/
// and /webhooks/, an HTML page elsewhere. Only 5xx are logged (once, here);
// users never see a stack or SQL.
func errorHandler(log *slog.Logger, org string) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, body := classify(err)
		rid, _ := c.Locals("requestid").(string)
		if status >= 500 {
			log.Error("request failed", "request_id", rid, "method", c.Method(), "route", routePattern(c), "status", status, "err", err.Error())
		}
		c.Status(status)
		if wantsJSON(c) {
			return c.JSON(body)
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

func classify(err error) (int, errorBody) {
	var fe *fiber.Error
	var field *survey.FieldError
	switch {
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
	case isUnavailable(err):
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
