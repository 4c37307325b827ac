package kiosk

import (
	"encoding/json"
	"html/template"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/translations"
)

// pageConfig is what the kiosk script reads from the page: everything it
// needs to run offline once loaded.
type pageConfig struct {
	Survey      any               `json:"survey"`
	Languages   []pageLanguage    `json:"languages"`
	Info        map[string]string `json:"info"`
	IdleSeconds int               `json:"idle_seconds"`
	Org         string            `json:"org"`
}

// pageLanguage is one language's kiosk texts from the catalog, keys
// without their "kiosk." prefix; the script picks plural forms with the
// browser's Intl.PluralRules for Tag.
type pageLanguage struct {
	Code    string                       `json:"code"`
	Tag     string                       `json:"tag"`
	Name    string                       `json:"name"`
	Dir     string                       `json:"dir"`
	Strings map[string]string            `json:"strings"`
	Plurals map[string]map[string]string `json:"plurals"`
}

func kioskLanguages(ls []*translations.Language) []pageLanguage {
	out := make([]pageLanguage, 0, len(ls))
	for _, l := range ls {
		out = append(out, pageLanguage{Code: l.Code, Tag: l.HTMLLang(), Name: l.Name, Dir: l.Dir,
			Strings: l.Prefixed("kiosk."), Plurals: l.PluralsPrefixed("kiosk.")})
	}
	return out
}

// Page answers GET /kiosk/{token}: the full-screen kiosk. An unknown or
// revoked token gets a plain 404 page, telling nothing.
func (h *Handler) Page(c *fiber.Ctx) error {
	ctx := c.UserContext()
	k, err := h.store.KioskByToken(ctx, c.Params("token"))
	if err != nil {
		if isNotFound(err) {
			return translations.NewProblem(fiber.StatusNotFound, "error.kiosk_invalid", nil)
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
	phone, _, err := h.store.Setting(ctx, models.InfoLanguagePhone)
	if err != nil {
		return err
	}
	idle := k.IdleSeconds
	switch {
	case idle <= 0:
		idle = 60
	case idle < 10:
		idle = 10
	}
	langs := h.catalog.For(def.Languages)
	cfg, err := json.Marshal(pageConfig{Survey: def, Languages: kioskLanguages(langs), Info: info, IdleSeconds: idle, Org: h.cfg.OrgName})
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("kiosk", fiber.Map{
		"Org": h.cfg.OrgName, "Lang": "en", "Strings": h.catalog.Base().Prefixed("kiosk."), "Languages": langs,
		"Survey": def, "Taglines": h.catalog.Taglines(), "LanguagePhone": phone, "Config": template.JS(cfg),
	})
}
