package conversations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/inviting"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
)

// refuse is the 409 staff see when a follow-up cannot go: the case is not
// resolved, was asked already, or the patient cannot be reached on the
// channel.
func refuse(why string) error {
	return fiber.NewError(fiber.StatusConflict, "No follow-up: "+why+".")
}

// followupLinks makes and checks the signed links of follow-up emails.
type followupLinks struct {
	signer inviting.Signer
	base   string
}

// followupToken signs a case id for the follow-up link, in its own
// domain so a survey token can never answer a follow-up.
func (l followupLinks) followupToken(caseID uint) string {
	id := strconv.FormatUint(uint64(caseID), 10)
	return id + "." + l.signer.SignLink("followup-link", id)[:32]
}

// Followup is the email's follow-up link: PV_BASE_URL/f/{token}.
func (l followupLinks) Followup(caseID uint) string { return l.base + "/f/" + l.followupToken(caseID) }

func (l followupLinks) parseFollowup(tok string) (uint, bool) {
	id, _, ok := strings.Cut(tok, ".")
	n, err := strconv.ParseUint(id, 10, 64)
	if !ok || err != nil || n == 0 || len(tok) > 64 {
		return 0, false
	}
	return uint(n), tok == l.followupToken(uint(n))
}

// SendFollowup asks the patient of a resolved case, once, whether they are
// satisfied with how the concern was handled, by SMS (YES/NO reply, quiet
// hours respected) or email (a two-button page). The case timeline
// records it.
func (h *Handler) SendFollowup(ctx context.Context, caseID uint, channel, actor string) error {
	cs, err := h.store.CaseByID(ctx, caseID)
	if err != nil {
		return err
	}
	if cs.ContactID == nil {
		return refuse("this case has no patient contact details")
	}
	if cs.Status != models.StatusResolved && cs.Status != models.StatusClosed {
		return refuse("resolve the case first")
	}
	ct, err := h.store.ContactRow(ctx, *cs.ContactID)
	if err != nil {
		return err
	}
	l := h.catalog.Get(ct.Language)
	d := models.Draft{Channel: channel, Kind: "followup", ContactID: &ct.ID, CaseID: &cs.ID,
		Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-followup", cs.ID)}
	unreachable := ""
	switch channel {
	case sms:
		unreachable = "the patient gave no phone number or opted out of texts"
		d.Body = l.T("sms.followup", "org", h.cfg.OrgName)
		d.Quiet = &models.Quiet{Window: h.cfg.QuietHours, Zone: h.cfg.Location}
	case email:
		unreachable = "the patient gave no email address or unsubscribed"
		d.Subject, d.Body, d.HTML = followupEmail(h.cfg.OrgName, l, h.followup.Followup(cs.ID))
	default:
		return refuse("choose SMS or email")
	}
	m, err := h.store.Compose(ctx, d)
	if errors.Is(err, models.ErrUnreachable) {
		return refuse(unreachable)
	}
	if err != nil {
		return err
	}
	ok, err := h.store.MarkFollowupSent(ctx, cs.ID, h.now())
	if err != nil {
		return err
	}
	if !ok {
		return refuse("the patient was asked already")
	}
	if _, _, err := h.store.Enqueue(ctx, m); err != nil {
		_ = h.store.UnmarkFollowup(ctx, cs.ID)
		return err
	}
	return h.store.AddCaseEvent(ctx, cs.ID, "followup_sent", actor, "Satisfaction follow-up by "+channel+".")
}

// followupEmail asks the satisfaction question by email in the patient's
// language: the button opens the two-answer page.
func followupEmail(org string, l *translations.Language, link string) (subject, text, htmlBody string) {
	hello, body, button := l.T("email.hello"), l.T("email.followup_body"), l.T("email.followup_button")
	subject = l.T("email.followup_subject", "org", org)
	text = strings.Join([]string{hello, "", body, "", button + ": " + link}, "\n")
	return subject, text, sending.EmailHTML(l.HTMLLang(), l.Dir, hello, body, link, button, org, "")
}

// followupPage is what /f/{token} renders, in the patient's language.
type followupPage struct {
	Org, Token    string
	L             *translations.Language
	Done, Already bool
	Error         string // no answer chosen
}

func (h *Handler) followupCase(c *fiber.Ctx) (models.Case, followupPage, error) {
	tok := c.Params("token")
	id, ok := h.followup.parseFollowup(tok)
	if !ok {
		return models.Case{}, followupPage{}, translations.NewProblem(fiber.StatusNotFound, "error.link_invalid", nil)
	}
	cs, err := h.store.CaseByID(c.UserContext(), id)
	if err != nil {
		return cs, followupPage{}, err
	}
	if cs.FollowupSentAt == nil || cs.ContactID == nil {
		return cs, followupPage{}, translations.NewProblem(fiber.StatusNotFound, "error.link_invalid", nil)
	}
	l := h.catalog.Base()
	if ct, err := h.store.ContactRow(c.UserContext(), *cs.ContactID); err == nil {
		l = h.catalog.Get(ct.Language)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return cs, followupPage{Org: h.cfg.OrgName, Token: tok, L: l, Already: cs.FollowupAnswer != ""}, nil
}

// FollowupForm answers GET /f/{token}: the two-button question. A GET
// never answers, since mail scanners follow links.
func (h *Handler) FollowupForm(c *fiber.Ctx) error {
	_, p, err := h.followupCase(c)
	if err != nil {
		return err
	}
	return c.Render("followup", p)
}

// FollowupSubmit answers POST /f/{token}: the first answer is kept and
// lands on the case timeline; a second answers 409.
func (h *Handler) FollowupSubmit(c *fiber.Ctx) error {
	cs, p, err := h.followupCase(c)
	if err != nil {
		return err
	}
	answer := c.FormValue("answer")
	if answer != models.FollowupSatisfied && answer != models.FollowupNotSatisfied {
		p.Error = p.L.T("followup.error_choose")
		c.Status(fiber.StatusBadRequest)
		return c.Render("followup", p)
	}
	ok, err := h.store.AnswerFollowup(c.UserContext(), cs.ID, answer, h.now())
	if err != nil {
		return err
	}
	if !ok {
		p.Already = true
		c.Status(fiber.StatusConflict)
		return c.Render("followup", p)
	}
	p.Done = true
	return c.Render("followup", p)
}

// answerFollowupSMS takes a YES/NO reply to a pending follow-up; ok is
// false when the reply is not a yes or no or nothing is pending, so the
// message goes down the usual path.
func (h *Handler) answerFollowupSMS(ctx context.Context, contactID uint, body string) (uint, bool, error) {
	a, ok := h.replies.ParseReply(survey.Question{Key: "followup", Kind: survey.YesNo}, "", body)
	if !ok || a.Bool == nil {
		return 0, false, nil
	}
	cs, err := h.store.PendingFollowup(ctx, contactID)
	if errors.Is(err, models.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	answer := models.FollowupNotSatisfied
	if *a.Bool {
		answer = models.FollowupSatisfied
	}
	if _, err := h.store.AnswerFollowup(ctx, cs.ID, answer, h.now()); err != nil {
		return 0, false, err
	}
	return cs.ID, true, nil
}
