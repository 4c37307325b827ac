// Package kiosk serves the lobby tablets: the kiosk page, its JSON API
// (survey, responses, heartbeat) and the device-token check that keeps a
// kiosk token away from everything else.
package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
	"github.com/patientvoice/patientvoice/triage"
)

// PressWindow is the contract's press filter: the same answers from the
// same kiosk less than this apart are marked suspicious.
const PressWindow = 2 * time.Second

// Handler holds what the kiosk routes need.
type Handler struct {
	cfg     *config.Config
	store   Store
	intake  *triage.Intake
	log     *slog.Logger
	now     func() time.Time
	catalog *translations.Catalog

	mu      sync.Mutex
	surveys map[uint]cachedSurvey
}

type cachedSurvey struct {
	def    survey.Definition
	loaded time.Time
}

// surveyTTL bounds how stale a kiosk's survey may be after an admin edit.
const surveyTTL = 15 * time.Second

// New builds the kiosk handlers; the kiosk speaks the catalog's languages
// that its survey offers.
func New(cfg *config.Config, store Store, intake *triage.Intake, catalog *translations.Catalog, log *slog.Logger, now func() time.Time) *Handler {
	return &Handler{cfg: cfg, store: store, intake: intake, log: log, now: now, catalog: catalog, surveys: map[uint]cachedSurvey{}}
}

const kioskKey = "kiosk"

// Auth admits requests carrying a live kiosk device token (401 otherwise)
// and leaves the kiosk in Locals. A kiosk token only passes this check, so
// it reaches nothing but the kiosk routes.
func (h *Handler) Auth(c *fiber.Ctx) error {
	tok := bearer(c)
	if tok == "" {
		return fiber.NewError(fiber.StatusUnauthorized, "missing kiosk token")
	}
	k, err := h.store.KioskByToken(c.UserContext(), tok)
	if err != nil {
		if isNotFound(err) {
			return fiber.NewError(fiber.StatusUnauthorized, "unknown or revoked kiosk token")
		}
		return err
	}
	c.Locals(kioskKey, k)
	return c.Next()
}

func kioskOf(c *fiber.Ctx) models.Kiosk {
	k, _ := c.Locals(kioskKey).(models.Kiosk)
	return k
}

// definition returns the survey, cached briefly per server.
func (h *Handler) definition(ctx context.Context, id uint) (survey.Definition, error) {
	h.mu.Lock()
	cs, ok := h.surveys[id]
	h.mu.Unlock()
	if ok && h.now().Sub(cs.loaded) < surveyTTL {
		return cs.def, nil
	}
	def, err := h.store.SurveyByID(ctx, id)
	if err != nil {
		return def, err
	}
	h.mu.Lock()
	h.surveys[id] = cachedSurvey{def: def, loaded: h.now()}
	h.mu.Unlock()
	return def, nil
}

// Survey answers GET /api/kiosk/survey: the kiosk's survey in the shape of
// GET /api/surveys/{key}.
func (h *Handler) Survey(c *fiber.Ctx) error {
	def, err := h.definition(c.UserContext(), kioskOf(c).SurveyID)
	if err != nil {
		return err
	}
	return c.JSON(def)
}

// SurveyAPI answers GET /api/surveys/{key} for integration tokens.
func (h *Handler) SurveyAPI(c *fiber.Ctx) error {
	def, _, err := h.store.SurveyByKey(c.UserContext(), c.Params("key"))
	if err != nil {
		return err
	}
	return c.JSON(def)
}

// Heartbeat answers POST /api/kiosk/heartbeat: 204, last contact recorded.
func (h *Handler) Heartbeat(c *fiber.Ctx) error {
	if err := h.store.TouchKiosk(c.UserContext(), kioskOf(c).ID); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}
