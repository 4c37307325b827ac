package server

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/prometheus/client_golang/prometheus"
)

// securityHeaders sets the headers every response carries: a CSP with no
// external source, no framing, no sniffing, no referrer, HSTS on https.
func securityHeaders(https bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("X-Frame-Options", "DENY")
		c.Set("Referrer-Policy", "no-referrer")
		c.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Set("Cross-Origin-Resource-Policy", "same-origin")
		c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if https {
			c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		return c.Next()
	}
}

// routePattern is the registered pattern (/kiosk/:token), never the real
// path, so tokens in paths do not reach logs or metric labels.
func routePattern(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" && r.Path != "/" || c.Path() == "/" {
		return c.Route().Path
	}
	return "unmatched"
}

// accessLog writes one structured line per request with no PHI: method,
// route pattern (not the path), status, duration, request id.
func accessLog(log *slog.Logger, m *metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			// the error handler runs after this returns: log the status
			// it will send
			status, _ = classify(err)
		}
		route := routePattern(c)
		d := time.Since(start)
		m.requests.WithLabelValues(c.Method(), route, strconv.Itoa(status)).Inc()
		m.duration.WithLabelValues(c.Method(), route).Observe(d.Seconds())
		rid, _ := c.Locals("requestid").(string)
		log.LogAttrs(c.UserContext(), slog.LevelInfo, "http",
			slog.String("method", c.Method()), slog.String("route", route), slog.Int("status", status),
			slog.Duration("duration", d), slog.String("request_id", rid))
		return err
	}
}

type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "patientvoice_http_requests_total", Help: "HTTP requests by route pattern and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "patientvoice_http_request_duration_seconds", Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// tokenKey is where RequireScope leaves the API token for handlers.
const tokenKey = "api_token"

// RequireScope admits requests with an API token carrying scope ("" = any
// scope): 401 without or with an unknown token, 403 with the wrong scope.
func RequireScope(store *models.Store, scope string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		tok := bearer(c)
		if tok == "" {
			return fiber.NewError(fiber.StatusUnauthorized, "missing API token: send Authorization: Bearer TOKEN")
		}
		t, err := store.APITokenByValue(c.UserContext(), tok)
		if err != nil {
			if isNotFound(err) {
				return fiber.NewError(fiber.StatusUnauthorized, "unknown or revoked API token")
			}
			return err
		}
		if scope != "" && !t.HasScope(scope) {
			return fiber.NewError(fiber.StatusForbidden, "this token lacks the "+scope+" scope")
		}
		c.Locals(tokenKey, t)
		return c.Next()
	}
}

// apiToken is the token RequireScope admitted the request with.
func apiToken(c *fiber.Ctx) (models.APIToken, bool) {
	t, ok := c.Locals(tokenKey).(models.APIToken)
	return t, ok
}

func bearer(c *fiber.Ctx) string {
	h := c.Get(fiber.HeaderAuthorization)
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// jsonLimit answers 413 for JSON bodies over max (the contract's 64 KB);
// the server-wide limit is higher for CSV imports.
func jsonLimit(max int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		// API answers carry case details: never kept by a browser or proxy
		c.Set(fiber.HeaderCacheControl, "no-store")
		if len(c.Body()) > max && !strings.HasPrefix(c.Get(fiber.HeaderContentType), "text/csv") {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, "request body is too large")
		}
		return c.Next()
	}
}

// bodyLimit refuses bodies over max on routes that take small forms
// (webhooks, survey pages, staff forms), before anything parses them;
// paths in except (file uploads) keep the server-wide limit.
func bodyLimit(max int, except map[string]bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if len(c.Body()) > max && !except[c.Path()] {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("request body is too large (the limit is %d KB)", max>>10))
		}
		return c.Next()
	}
}

// withTimeout bounds the work of a request; paths in long get their own
// limit (a CSV import of tens of thousands of lines).
func withTimeout(d time.Duration, long map[string]time.Duration) fiber.Handler {
	return func(c *fiber.Ctx) error {
		limit := d
		if l, ok := long[c.Path()]; ok {
			limit = l
		}
		ctx, cancel := context.WithTimeout(c.UserContext(), limit)
		defer cancel()
		c.SetUserContext(ctx)
		return c.Next()
	}
}
