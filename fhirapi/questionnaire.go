package fhirapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// QuestionnaireID is the FHIR id of a survey: its key with "_" written as
// "." (FHIR ids allow letters, digits, "-" and "."; survey keys allow "_"
// but never "."), so the mapping goes both ways.
func QuestionnaireID(key string) string { return strings.ReplaceAll(key, "_", ".") }

// surveyKey undoes QuestionnaireID; a key as typed works too.
func surveyKey(id string) string { return strings.ReplaceAll(id, ".", "_") }

// QuestionnaireURL is a survey's canonical URL, stable while PV_BASE_URL
// is; QuestionnaireResponse.questionnaire points at it with "|version".
func QuestionnaireURL(base, key string) string {
	return base + "/Questionnaire/" + QuestionnaireID(key)
}

// optionSystem is the code system of one choice question's options.
func optionSystem(base, key, question string) string {
	return base + "/CodeSystem/" + QuestionnaireID(key) + "/" + question
}

// computableName turns "post-discharge" into "PostDischarge" (R4 que-0).
func computableName(key string) string {
	var b strings.Builder
	up := true
	for _, r := range key {
		switch {
		case r == '-' || r == '_' || r == '.':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	return b.String()
}

// translations holds the other languages of a text as R4's translation
// extension on the primitive; nil when there are none.
func translations(texts map[string]string, base string, langs []string) *fhir.Element {
	var ext []fhir.Extension
	for _, l := range langs {
		if l == base || strings.TrimSpace(texts[l]) == "" {
			continue
		}
		ext = append(ext, fhir.Extension{URL: fhir.ExtTranslation, Extension: []fhir.Extension{
			{URL: "lang", ValueCode: l}, {URL: "content", ValueString: texts[l]}}})
	}
	if ext == nil {
		return nil
	}
	return &fhir.Element{Extension: ext}
}

func intExt(url string, v int) fhir.Extension { return fhir.Extension{URL: url, ValueInteger: &v} }

// baseLanguage is the survey's first language, the one its texts are in.
func baseLanguage(def survey.Definition) string {
	if len(def.Languages) > 0 {
		return def.Languages[0]
	}
	return "en"
}

// text picks a text in lang, else English, else any.
func text(texts map[string]string, lang string) string {
	if s := texts[lang]; s != "" {
		return s
	}
	if s := texts["en"]; s != "" {
		return s
	}
	for _, s := range texts {
		return s
	}
	return ""
}

// ToQuestionnaire maps a survey definition to an R4 Questionnaire: one item
// per question with linkId = question key; rating5 and nps become integer
// items bounded by minValue/maxValue, yesno boolean, choice a choice item
// with coded answerOptions, text a text item of at most 2,000 characters;
// show_if becomes enableWhen, other languages translation extensions.
func ToQuestionnaire(def survey.Definition, base string, updated time.Time) fhir.Questionnaire {
	lang := baseLanguage(def)
	q := fhir.Questionnaire{
		ResourceType: "Questionnaire", ID: QuestionnaireID(def.Key), Language: lang,
		Meta:       &fhir.Meta{VersionID: strconv.Itoa(def.Version)},
		URL:        QuestionnaireURL(base, def.Key),
		Identifier: []fhir.Identifier{{System: base + "/Questionnaire", Value: def.Key}},
		Version:    strconv.Itoa(def.Version), Name: computableName(def.Key), Title: def.Name,
		Status: "active", SubjectType: []string{"Patient"},
	}
	if !updated.IsZero() {
		q.Meta.LastUpdated = instant(updated)
		q.Date = instant(updated)
	}
	kinds := map[string]survey.Kind{}
	for _, sq := range def.Questions {
		q.Item = append(q.Item, item(def, base, lang, sq, kinds))
		kinds[sq.Key] = sq.Kind
	}
	return q
}

func item(def survey.Definition, base, lang string, sq survey.Question, earlier map[string]survey.Kind) fhir.QuestionnaireItem {
	it := fhir.QuestionnaireItem{LinkID: sq.Key, Text: text(sq.Prompt, lang), TextX: translations(sq.Prompt, lang, def.Languages), Required: sq.Required}
	switch sq.Kind {
	case survey.Rating5:
		it.Type = "integer"
		it.Extension = []fhir.Extension{intExt(fhir.ExtMinValue, 1), intExt(fhir.ExtMaxValue, 5)}
	case survey.NPS:
		it.Type = "integer"
		it.Extension = []fhir.Extension{intExt(fhir.ExtMinValue, 0), intExt(fhir.ExtMaxValue, 10)}
	case survey.YesNo:
		it.Type = "boolean"
	case survey.Choice:
		it.Type = "choice"
		for _, o := range sq.Options {
			it.AnswerOption = append(it.AnswerOption, fhir.AnswerOption{ValueCoding: &fhir.Coding{
				System: optionSystem(base, def.Key, sq.Key), Code: o.Value,
				Display: text(o.Label, lang), DisplayX: translations(o.Label, lang, def.Languages)}})
		}
	default:
		it.Type = "text"
		it.MaxLength = survey.MaxTextLen
	}
	if sq.ShowIf != nil {
		it.EnableWhen = enableWhen(def, base, *sq.ShowIf, earlier[sq.ShowIf.Question])
		if len(it.EnableWhen) > 1 {
			it.EnableBehavior = "any"
		}
	}
	return it
}

// enableWhen writes show_if as one "=" condition per value, typed as the
// earlier question's answers are; a value that cannot be such an answer
// can never match and is left out.
func enableWhen(def survey.Definition, base string, cond survey.Condition, kind survey.Kind) []fhir.EnableWhen {
	var out []fhir.EnableWhen
	for _, v := range cond.Values {
		ew := fhir.EnableWhen{Question: cond.Question, Operator: "="}
		switch kind {
		case survey.Rating5, survey.NPS:
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				continue
			}
			ew.AnswerInteger = &n
		case survey.YesNo:
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				continue
			}
			ew.AnswerBoolean = &b
		case survey.Choice:
			ew.AnswerCoding = &fhir.Coding{System: optionSystem(base, def.Key, cond.Question), Code: v}
		default:
			s := v
			ew.AnswerString = &s
		}
		out = append(out, ew)
	}
	return out
}

// Questionnaire answers GET /api/fhir/Questionnaire/{id}: the survey's
// current version.
func (h *Handler) Questionnaire(c *fiber.Ctx) error {
	ctx := c.UserContext()
	key := surveyKey(c.Params("id"))
	def, _, err := h.store.SurveyByKey(ctx, key)
	if errors.Is(err, models.ErrNotFound) {
		return &fhir.Problem{Status: fiber.StatusNotFound, Code: "not-found", Message: "no survey " + strconv.Quote(c.Params("id"))}
	} else if err != nil {
		return err
	}
	var updated time.Time
	rows, err := h.store.Surveys(ctx)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Key == def.Key {
			updated = r.UpdatedAt
		}
	}
	c.Set(fiber.HeaderETag, `W/"`+strconv.Itoa(def.Version)+`"`)
	if !updated.IsZero() {
		c.Set(fiber.HeaderLastModified, updated.UTC().Format(http.TimeFormat))
	}
	return send(c, fiber.StatusOK, ToQuestionnaire(def, h.base(), updated))
}
