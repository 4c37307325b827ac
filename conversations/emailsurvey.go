package conversations

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
	"github.com/patientvoice/patientvoice/triage"
)

// surveyPage is what /s/{token} and /unsubscribe/{token} render, in the
// patient's language L (the survey's prompts in L.Code).
type surveyPage struct {
	Org, Token   string
	L            *translations.Language
	Lang         string // the survey's language for prompts: L.Code
	Survey       survey.Definition
	Errors       map[string]string // question key -> what is wrong, shown beside it
	Issues       []pageIssue       // the same, in question order, for the summary
	Summary      string            // "Please check the 3 answers marked below."
	Values       map[string]string // what the patient sent, shown again
	Done, Gone   bool
	Already      bool
	Unsubscribed bool
}

// pageIssue is one line of the error summary, linking to its question.
type pageIssue struct {
	Key, Prompt, Message string
}

func (h *Handler) page(inv models.Invitation, tok string, def survey.Definition) surveyPage {
	l := h.catalog.Pick(inv.Language, def.Languages)
	return surveyPage{Org: h.cfg.OrgName, Token: tok, L: l, Lang: l.Code, Survey: def, Errors: map[string]string{}, Values: map[string]string{}}
}

// explain words every issue of a submitted form in the page's language,
// beside its question and in the summary above the form.
func (p *surveyPage) explain(issues []survey.Issue) {
	for _, is := range issues {
		q, ok := p.Survey.Question(is.Question)
		if !ok {
			continue // an unknown field: the form never sends one
		}
		var msg string
		switch is.Kind {
		case survey.IssueRequired:
			msg = p.L.T("survey.error_required")
		case survey.IssueNumber:
			msg = p.L.T("survey.error_number", "min", is.Min, "max", is.Max)
		case survey.IssueYesNo:
			msg = p.L.T("survey.error_yesno")
		case survey.IssueChoice:
			msg = p.L.T("survey.error_choice")
		default:
			msg = p.L.T("survey.error_text", "max", is.Max)
		}
		p.Errors[q.Key] = msg
		p.Issues = append(p.Issues, pageIssue{Key: q.Key, Prompt: q.Text(p.Lang), Message: msg})
	}
	p.Summary = p.L.N("survey.error_summary", len(p.Issues))
}

// invitation finds the invitation of a link token (a bad token is 404) and
// builds its page in the patient's language.
func (h *Handler) invitation(c *fiber.Ctx) (models.Invitation, surveyPage, error) {
	tok := c.Params("token")
	id, ok := h.links.Parse(tok)
	if !ok {
		return models.Invitation{}, surveyPage{}, translations.NewProblem(fiber.StatusNotFound, "error.link_invalid", nil)
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
	raw = visibleOnly(def, raw)
	if issues := def.Review(raw); len(issues) > 0 {
		p.explain(issues)
		c.Status(fiber.StatusBadRequest)
		return c.Render("survey", p)
	}
	answers, err := def.Validate(raw)
	if err != nil {
		return err // Review found nothing, so Validate cannot refuse: a bug, not the patient's
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
