package conversations

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/triage"
)

type surveyPage struct {
	Org, Token, Lang, Dir string
	Survey                survey.Definition
	Strings               map[string]string
	Errors                map[string]string
	Values                map[string]string
	Done, Already, Gone   bool
	Unsubscribed          bool
}

var pageStrings = map[string]map[string]string{
	"en": {"title": "Your feedback", "intro": "Thank you for taking a moment. Your answers are confidential.", "submit": "Send my answers",
		"thanks": "Thank you. Your answers have been received.", "already": "This survey has already been answered. Thank you.",
		"gone": "This survey link has expired.", "yes": "Yes", "no": "No", "optional": "optional", "unsub": "Stop survey emails",
		"unsub_q": "Do you want to stop receiving survey emails from us?", "unsub_done": "You will not receive survey emails from us any more.",
		"fix": "Please answer the questions marked below.", "low": "Not at all likely", "high": "Extremely likely"},
	"es": {"title": "Su opinión", "intro": "Gracias por dedicarnos un momento. Sus respuestas son confidenciales.", "submit": "Enviar mis respuestas",
		"thanks": "Gracias. Hemos recibido sus respuestas.", "already": "Esta encuesta ya fue respondida. Gracias.",
		"gone": "Este enlace de encuesta ha caducado.", "yes": "Sí", "no": "No", "optional": "opcional", "unsub": "Dejar de recibir encuestas",
		"unsub_q": "¿Desea dejar de recibir correos de encuestas?", "unsub_done": "Ya no recibirá correos de encuestas.",
		"fix": "Responda las preguntas marcadas abajo.", "low": "Nada probable", "high": "Muy probable"},
	"ar": {"title": "رأيك", "intro": "شكراً لوقتك. إجاباتك سرية.", "submit": "إرسال إجاباتي",
		"thanks": "شكراً لك. تم استلام إجاباتك.", "already": "تمت الإجابة عن هذا الاستبيان مسبقاً. شكراً لك.",
		"gone": "انتهت صلاحية رابط الاستبيان.", "yes": "نعم", "no": "لا", "optional": "اختياري", "unsub": "إيقاف رسائل الاستبيانات",
		"unsub_q": "هل تريد التوقف عن تلقي رسائل الاستبيانات؟", "unsub_done": "لن تصلك رسائل استبيانات بعد الآن.",
		"fix": "يرجى الإجابة عن الأسئلة المحددة أدناه.", "low": "مستبعد تماماً", "high": "محتمل جداً"},
}

func (h *Handler) page(inv models.Invitation, tok string, def survey.Definition) surveyPage {
	lang := def.Language(inv.Language)
	dir := "ltr"
	if lang == "ar" {
		dir = "rtl"
	}
	s, ok := pageStrings[lang]
	if !ok {
		s = pageStrings["en"]
	}
	return surveyPage{Org: h.cfg.OrgName, Token: tok, Lang: lang, Dir: dir, Survey: def, Strings: s, Errors: map[string]string{}, Values: map[string]string{}}
}

// invitation finds the invitation of a link token (a bad token is 404) and
// builds its page in the patient's language.
func (h *Handler) invitation(c *fiber.Ctx) (models.Invitation, surveyPage, error) {
	tok := c.Params("token")
	id, ok := h.links.Parse(tok)
	if !ok {
		return models.Invitation{}, surveyPage{}, fiber.NewError(fiber.StatusNotFound, "This link is not valid.")
	}
	inv, err := h.store.InvitationByID(c.UserContext(), id)
	if err != nil {
		return inv, surveyPage{}, err
	}
	def, err := h.store.SurveyByID(c.UserContext(), inv.SurveyID)
	if err != nil {
		return inv, surveyPage{}, err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return inv, h.page(inv, tok, def), nil
}

// closed reports an invitation that takes no more answers: expired or
// never sent.
func (h *Handler) closed(inv models.Invitation) bool {
	return inv.Status == models.InvExpired || inv.Status == models.InvSuppressed || inv.ExpiresAt != nil && h.now().After(*inv.ExpiresAt)
}

// SurveyForm answers GET /s/{token}: the mobile survey in the patient's
// language, 409 when already answered, 410 when expired.
func (h *Handler) SurveyForm(c *fiber.Ctx) error {
	inv, p, err := h.invitation(c)
	if err != nil {
		return err
	}
	if inv.StartedAt == nil && inv.Status != models.InvCompleted && !h.closed(inv) {
		if err := h.store.MarkInvitationStarted(c.UserContext(), inv.ID); err != nil {
			return err
		}
	}
	return h.renderState(c, inv, p)
}

func (h *Handler) renderState(c *fiber.Ctx, inv models.Invitation, p surveyPage) error {
	switch {
	case inv.Status == models.InvCompleted:
		p.Already = true
		c.Status(fiber.StatusConflict)
	case h.closed(inv):
		p.Gone = true
		c.Status(fiber.StatusGone)
	}
	return c.Render("survey", p)
}

// SurveySubmit answers POST /s/{token}: one completed response per token.
func (h *Handler) SurveySubmit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	inv, p, err := h.invitation(c)
	if err != nil {
		return err
	}
	def := p.Survey
	if inv.Status == models.InvCompleted || h.closed(inv) {
		return h.renderState(c, inv, p)
	}
	raw, values := formAnswers(def, c.FormValue)
	p.Values = values
	answers, err := def.Validate(visibleOnly(def, raw))
	var fe *survey.FieldError
	if errors.As(err, &fe) {
		p.Errors["_"] = p.Strings["fix"]
		for _, q := range def.Questions {
			if strings.Contains(fe.Message, `"`+q.Key+`"`) || p.Values[q.Key] != "" && fe.Field != "answers" && strings.HasPrefix(fe.Field, "answers[") {
				p.Errors[q.Key] = fe.Message
			}
		}
		c.Status(fiber.StatusBadRequest)
		return c.Render("survey", p)
	} else if err != nil {
		return err
	}
	ok, err := h.store.CompleteInvitation(ctx, inv.ID)
	if err != nil {
		return err
	}
	if !ok { // a second submit raced us
		inv.Status = models.InvCompleted
		return h.renderState(c, inv, p)
	}
	cid := inv.ContactID
	if _, err := h.intake.Submit(ctx, triage.Submission{ClientID: fmt.Sprintf("inv-%d", inv.ID), Survey: def, SurveyID: inv.SurveyID,
		Source: email, InvitationID: &inv.ID, DepartmentID: inv.DepartmentID, Language: p.Lang, Answers: answers, SubmittedAt: h.now(), ContactID: &cid}); err != nil {
		return err
	}
	p.Done = true
	return c.Render("survey", p)
}

// UnsubscribePage answers GET /unsubscribe/{token}: a button; a GET never
// unsubscribes, since mail scanners follow links.
func (h *Handler) UnsubscribePage(c *fiber.Ctx) error {
	_, p, err := h.invitation(c)
	if err != nil {
		return err
	}
	return c.Render("unsubscribe", p)
}

// Unsubscribe answers POST /unsubscribe/{token} (RFC 8058 one-click and
// the page's button): the contact gets no more survey email.
func (h *Handler) Unsubscribe(c *fiber.Ctx) error {
	inv, p, err := h.invitation(c)
	if err != nil {
		return err
	}
	if err := h.store.SetOptOut(c.UserContext(), inv.ContactID, email, true, "email unsubscribe"); err != nil {
		return err
	}
	p.Unsubscribed = true
	return c.Render("unsubscribe", p)
}

// formAnswers reads the survey page's fields (q_<key>) as raw answers in
// the shape the kiosk API sends, so one validator checks both; values are
// what the patient typed, to show the form again on an error.
func formAnswers(def survey.Definition, get func(string, ...string) string) ([]survey.RawAnswer, map[string]string) {
	var raw []survey.RawAnswer
	values := map[string]string{}
	for _, q := range def.Questions {
		v := strings.TrimSpace(get("q_" + q.Key))
		values[q.Key] = v
		if v == "" {
			continue
		}
		var js string
		switch q.Kind {
		case survey.Rating5, survey.NPS:
			js = v
		case survey.YesNo:
			js = map[bool]string{true: "true", false: "false"}[v == "yes"]
			if v != "yes" && v != "no" {
				js = `"bad"`
			}
		default:
			js = strconv.Quote(v)
		}
		raw = append(raw, survey.RawAnswer{Question: q.Key, Value: []byte(js)})
	}
	return raw, values
}

// visibleOnly drops answers to questions the branching hides (the page
// shows every question; a hidden one answered by mistake is ignored).
func visibleOnly(def survey.Definition, raw []survey.RawAnswer) []survey.RawAnswer {
	by := map[string]survey.Answer{}
	for _, r := range raw {
		if a, err := def.ParseStored(r); err == nil {
			by[a.Question] = a
		}
	}
	var kept []survey.RawAnswer
	for _, r := range raw {
		if q, ok := def.Question(r.Question); ok && def.Visible(q, by) {
			kept = append(kept, r)
		}
	}
	return kept
}
