package staff

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
)

type surveysData struct {
	Surveys []models.Survey
	Error   string
}

type surveyEditData struct {
	Key, JSON, Error string
	Version          int
	Langs            []*translations.Language // the preview's languages: the catalog's
}

// Surveys answers GET /staff/admin/surveys.
func (h *Handler) Surveys(c *fiber.Ctx) error { return h.showSurveys(c, "") }

func (h *Handler) showSurveys(c *fiber.Ctx, msg string) error {
	ss, err := h.store.Surveys(c.UserContext())
	if err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return h.render(c, "staff/surveys", "Surveys", "admin", surveysData{Surveys: ss, Error: msg})
}

// NewSurvey answers POST /staff/admin/surveys: a new survey with one
// question to start from.
func (h *Handler) NewSurvey(c *fiber.Ctx) error {
	key := strings.TrimSpace(c.FormValue("key"))
	name := strings.TrimSpace(c.FormValue("name"))
	if _, _, err := h.store.SurveyByKey(c.UserContext(), key); err == nil {
		return h.showSurveys(c, "A survey with that key exists already.")
	}
	def := survey.Definition{Key: key, Name: name, Languages: h.catalog.Codes(), Channels: []string{"kiosk"},
		Questions: []survey.Question{{Key: "overall", Kind: survey.Rating5, Required: true, Prompt: map[string]string{"en": "How was your visit?"}}}}
	if err := h.store.SaveSurvey(c.UserContext(), def); err != nil {
		return h.showSurveys(c, strings.TrimPrefix(err.Error(), "save survey: "))
	}
	_ = h.store.Audit(c.UserContext(), principal(c).User.Email, "survey.change", "survey:"+key, ip(c), "created")
	return c.Redirect("/staff/admin/surveys/"+key, fiber.StatusSeeOther)
}

// EditSurvey answers GET /staff/admin/surveys/:key: the definition as JSON
// beside a live preview.
func (h *Handler) EditSurvey(c *fiber.Ctx) error {
	def, _, err := h.store.SurveyByKey(c.UserContext(), c.Params("key"))
	if err != nil {
		return err
	}
	b, _ := json.MarshalIndent(def, "", "  ")
	return h.render(c, "staff/survey_edit", "Edit survey "+def.Key, "admin", surveyEditData{Key: def.Key, JSON: string(b), Version: def.Version, Langs: h.catalog.Languages()})
}

// SaveSurvey answers POST /staff/admin/surveys/:key. Question keys are
// frozen once answered: a removed question is archived, a key cannot
// change kind, and the version goes up, so old responses keep their
// meaning.
func (h *Handler) SaveSurvey(c *fiber.Ctx) error {
	key := c.Params("key")
	text := c.FormValue("definition")
	fail := func(msg string) error {
		c.Status(fiber.StatusBadRequest)
		return h.render(c, "staff/survey_edit", "Edit survey "+key, "admin", surveyEditData{Key: key, JSON: text, Error: msg, Langs: h.catalog.Languages()})
	}
	if _, _, err := h.store.SurveyByKey(c.UserContext(), key); errors.Is(err, models.ErrNotFound) {
		return err
	}
	var def survey.Definition
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&def); err != nil {
		return fail("The definition is not valid JSON: " + err.Error())
	}
	if def.Key != key {
		return fail("The key cannot change; create a new survey instead.")
	}
	for _, l := range def.Languages {
		if _, ok := h.catalog.Match(l); !ok || h.catalog.Code(l) != l {
			return fail(fmt.Sprintf("Language %q: patients can only be addressed in the product's languages (%s); a new one is a file in translations/languages.",
				l, strings.Join(h.catalog.Codes(), ", ")))
		}
	}
	if err := h.store.SaveSurvey(c.UserContext(), def); err != nil {
		return fail(strings.TrimPrefix(err.Error(), "save survey: "))
	}
	_ = h.store.Audit(c.UserContext(), principal(c).User.Email, "survey.change", "survey:"+key, ip(c), "edited")
	return c.Redirect("/staff/admin/surveys/"+key+"?flash=survey-saved", fiber.StatusSeeOther)
}
