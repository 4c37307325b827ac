package kiosk

import (
	"encoding/json"
	"html/template"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

// pageConfig is what the kiosk script reads from the page: everything it
// needs to run offline once loaded.
type pageConfig struct {
	Survey      any               `json:"survey"`
	Languages   []Language        `json:"languages"`
	Info        map[string]string `json:"info"`
	IdleSeconds int               `json:"idle_seconds"`
	Org         string            `json:"org"`
}

// Page answers GET /kiosk/{token}: the full-screen kiosk. An unknown or
// revoked token gets a plain 404 page, telling nothing.
func (h *Handler) Page(c *fiber.Ctx) error {
	ctx := c.UserContext()
	k, err := h.store.KioskByToken(ctx, c.Params("token"))
	if err != nil {
		if isNotFound(err) {
			return fiber.NewError(fiber.StatusNotFound, "This kiosk link is not valid. Ask IT to enrol the device again.")
		}
		return err
	}
	def, err := h.definition(ctx, k.SurveyID)
	if err != nil {
		return err
	}
	info := map[string]string{}
	for _, key := range []string{models.InfoRights, models.InfoConcern, models.InfoBilling, models.InfoLanguage} {
		v, _, err := h.store.Setting(ctx, key)
		if err != nil {
			return err
		}
		info[key[len("info."):]] = v
	}
	idle := k.IdleSeconds
	switch {
	case idle <= 0:
		idle = 60
	case idle < 10:
		idle = 10
	}
	cfg, err := json.Marshal(pageConfig{Survey: def, Languages: h.catalog.For(def.Languages), Info: info, IdleSeconds: idle, Org: h.cfg.OrgName})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	en := h.catalog.For([]string{"en"})[0]
	return c.Render("kiosk", fiber.Map{
		"Org": h.cfg.OrgName, "Lang": "en", "Dir": "ltr", "Languages": h.catalog.For(def.Languages),
		"Survey": def, "Strings": en.Strings, "Config": template.JS(cfg),
	})
}
