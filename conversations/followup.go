package conversations

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/survey"
)

// refuse is the 409 staff see when a follow-up cannot go: the case is not
// resolved, was asked already, or the patient cannot be reached on the
// channel.
func refuse(why string) error {
	return fiber.NewError(fiber.StatusConflict, "No follow-up: "+why+".")
}

// followupTexts are the satisfaction question's wordings per language.
type followupTexts struct {
	SMS, Subject, Body, Yes, No, Thanks, Already, Title string
}

func followupFor(lang string) followupTexts {
	switch lang {
	case "es":
		return followupTexts{SMS: "%s: hemos terminado de revisar su comentario. ¿Está satisfecho con cómo lo atendimos? Responda SÍ o NO.",
			Subject: "%s: ¿está satisfecho con nuestra respuesta?", Body: "Hemos terminado de revisar el comentario que nos hizo llegar. ¿Está satisfecho con cómo lo atendimos?",
			Yes: "Sí, estoy satisfecho", No: "No, no estoy satisfecho", Thanks: "Gracias. Hemos recibido su respuesta.",
			Already: "Ya nos respondió. Gracias.", Title: "¿Está satisfecho con nuestra respuesta?"}
	case "ar":
		return followupTexts{SMS: "%s: انتهينا من مراجعة ملاحظتك. هل أنت راضٍ عن طريقة تعاملنا معها؟ أرسل نعم أو لا.",
			Subject: "%s: هل أنت راضٍ عن ردّنا؟", Body: "انتهينا من مراجعة الملاحظة التي أرسلتها إلينا. هل أنت راضٍ عن طريقة تعاملنا معها؟",
			Yes: "نعم، أنا راضٍ", No: "لا، لست راضياً", Thanks: "شكراً لك. تم استلام إجابتك.",
			Already: "لقد أجبت من قبل. شكراً لك.", Title: "هل أنت راضٍ عن ردّنا؟"}
	}
	return followupTexts{SMS: "%s: we have finished looking into your concern. Are you satisfied with how it was handled? Reply YES or NO.",
		Subject: "%s: are you satisfied with how we handled your concern?", Body: "We have finished looking into the concern you raised with us. Are you satisfied with how it was handled?",
		Yes: "Yes, I am satisfied", No: "No, I am not satisfied", Thanks: "Thank you. We have received your answer.",
		Already: "You have answered already. Thank you.", Title: "Are you satisfied with how we handled your concern?"}
}

// followupLinks makes and checks the signed links of follow-up emails.
type followupLinks struct {
	crypto *models.Crypto
	base   string
}

// followupToken signs a case id for the follow-up link, in its own
// domain so a survey token can never answer a follow-up.
func (l followupLinks) followupToken(caseID uint) string {
	id := strconv.FormatUint(uint64(caseID), 10)
	return id + "." + l.crypto.BlindIndex("followup-link", id)[:32]
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
	t := followupFor(ct.Language)
	m := models.OutMessage{Channel: channel, Kind: "followup", ContactID: &ct.ID, CaseID: &cs.ID,
		Priority: models.PriorityInteractive, IdempotencyKey: fmt.Sprintf("case-%d-followup", cs.ID)}
	switch channel {
	case sms:
		if ct.PhoneEnc == "" || ct.SMSOptOut {
			return refuse("the patient gave no phone number or opted out of texts")
		}
		m.To = h.store.Crypto.MustOpen(ct.PhoneEnc)
		m.Body = fmt.Sprintf(t.SMS, h.cfg.OrgName)
		m.NotBefore = h.cfg.QuietHours.Next(h.now(), h.zoneOf(ct.Timezone))
	case email:
		if ct.EmailEnc == "" || ct.EmailOptOut {
			return refuse("the patient gave no email address or unsubscribed")
		}
		m.To = h.store.Crypto.MustOpen(ct.EmailEnc)
		m.Subject, m.Body, m.HTML = followupEmail(h.cfg.OrgName, ct.Language, h.followup.Followup(cs.ID))
	default:
		return refuse("choose SMS or email")
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

func followupEmail(org, lang, link string) (subject, text, htmlBody string) {
	t := followupFor(lang)
	greet := textsFor(lang).EmailHello
	subject = fmt.Sprintf(t.Subject, org)
	text = strings.Join([]string{greet, "", t.Body, "", link}, "\n")
	return subject, text, sending.EmailHTML(lang, greet, t.Body, link, t.Title, org, "")
}

// followupPage is what /f/{token} renders.
type followupPage struct {
	Org, Token, Lang, Dir string
	T                     followupTexts
	Done, Already         bool
}

func (h *Handler) followupCase(c *fiber.Ctx) (models.Case, followupPage, error) {
	tok := c.Params("token")
	id, ok := h.followup.parseFollowup(tok)
	if !ok {
		return models.Case{}, followupPage{}, fiber.NewError(fiber.StatusNotFound, "This link is not valid.")
	}
	cs, err := h.store.CaseByID(c.UserContext(), id)
	if err != nil {
		return cs, followupPage{}, err
	}
	if cs.FollowupSentAt == nil || cs.ContactID == nil {
		return cs, followupPage{}, fiber.NewError(fiber.StatusNotFound, "This link is not valid.")
	}
	lang := "en"
	if ct, err := h.store.ContactRow(c.UserContext(), *cs.ContactID); err == nil && (ct.Language == "es" || ct.Language == "ar") {
		lang = ct.Language
	}
	dir := "ltr"
	if lang == "ar" {
		dir = "rtl"
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return cs, followupPage{Org: h.cfg.OrgName, Token: tok, Lang: lang, Dir: dir, T: followupFor(lang), Already: cs.FollowupAnswer != ""}, nil
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
		return fiber.NewError(fiber.StatusBadRequest, "Choose yes or no.")
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
	a, ok := survey.ParseReply(survey.Question{Key: "followup", Kind: survey.YesNo}, "en", body)
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

// zoneOf is a contact's time zone, or the hospital's when unknown.
func (h *Handler) zoneOf(name string) *time.Location {
	if name != "" {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return h.cfg.Location
}
