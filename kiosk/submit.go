package kiosk

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/jsonbody"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/triage"
)

// submission is the contract's kiosk response body.
type submission struct {
	ID          string             `json:"id"`
	Survey      string             `json:"survey"`
	Language    string             `json:"language"`
	Answers     []survey.RawAnswer `json:"answers"`
	Contact     *contactJSON       `json:"contact"`
	SubmittedAt string             `json:"submitted_at"`
}

type contactJSON struct {
	Name    string `json:"name"`
	Phone   string `json:"phone"`
	Email   string `json:"email"`
	Message string `json:"message"`
}

// reply is the contract's answer to a kiosk submission.
type reply struct {
	ID         string `json:"id"`
	Flagged    bool   `json:"flagged"`
	Suspicious bool   `json:"suspicious"`
	CaseID     *uint  `json:"case_id"`
}

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// Submit answers POST /api/kiosk/responses: validate against the kiosk's
// survey, store through the intake path, 201 the first time and 200 with
// the same body on a replay of the same id.
func (h *Handler) Submit(c *fiber.Ctx) error {
	ctx := c.UserContext()
	k := kioskOf(c)
	var in submission
	if err := jsonbody.Decode(c.Body(), &in); err != nil {
		return err
	}
	if !uuidRe.MatchString(in.ID) {
		return &survey.FieldError{Field: "id", Message: "must be a UUID made by the kiosk"}
	}
	in.ID = strings.ToLower(in.ID)
	// a replay (same id) is found by the unique index when storing, so the
	// common case costs no extra lookup
	if err := h.checkRate(c, k); err != nil {
		// over the limit, a replay of a stored submission is still answered
		if prev, perr := h.store.ResponseByClientID(ctx, in.ID); perr == nil && prev.KioskID != nil && *prev.KioskID == k.ID {
			return c.Status(fiber.StatusOK).JSON(replyOf(prev))
		}
		return err
	}
	def, err := h.definition(ctx, k.SurveyID)
	if err != nil {
		return err
	}
	sub, err := h.validate(in, def)
	if err != nil {
		return err
	}
	sub.DepartmentID, sub.KioskID, sub.SurveyID = k.DepartmentID, &k.ID, k.SurveyID
	res, err := h.intake.Submit(ctx, sub)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !res.Created {
		if prev := res.Response.KioskID; prev == nil || *prev != k.ID {
			return fiber.NewError(fiber.StatusConflict, "this id was already used by another device")
		}
		status = fiber.StatusOK
	}
	return c.Status(status).JSON(replyOf(res.Response))
}

func replyOf(r models.Response) reply {
	return reply{ID: r.ClientID, Flagged: r.Flagged, Suspicious: r.Suspicious, CaseID: r.CaseID}
}

func (h *Handler) checkRate(c *fiber.Ctx, k models.Kiosk) error {
	if h.cfg.KioskRate <= 0 {
		return nil
	}
	n, err := h.store.CountKioskSubmissions(c.UserContext(), k.ID, h.now().Add(-time.Minute))
	if err != nil {
		return err
	}
	if n >= int64(h.cfg.KioskRate) {
		c.Set(fiber.HeaderRetryAfter, "60")
		return fiber.NewError(fiber.StatusTooManyRequests, fmt.Sprintf("more than %d submissions a minute from this kiosk; try again shortly", h.cfg.KioskRate))
	}
	return nil
}

func (h *Handler) validate(in submission, def survey.Definition) (triage.Submission, error) {
	sub := triage.Submission{ClientID: in.ID, Survey: def, Source: "kiosk", PressWindow: PressWindow}
	if in.Survey != def.Key {
		return sub, &survey.FieldError{Field: "survey", Message: fmt.Sprintf("this kiosk answers survey %q", def.Key)}
	}
	lang := h.catalog.Code(in.Language) // "zh-Hans" is zh
	if lang == "" {
		lang = strings.ToLower(strings.TrimSpace(in.Language))
	}
	sub.Language = def.Language(lang)
	answers, err := def.Validate(in.Answers)
	if err != nil {
		return sub, err
	}
	sub.Answers = answers
	if in.SubmittedAt != "" {
		t, err := time.Parse(time.RFC3339Nano, in.SubmittedAt)
		if err != nil {
			return sub, &survey.FieldError{Field: "submitted_at", Message: "must be an RFC 3339 time"}
		}
		if now := h.now(); t.After(now.Add(5 * time.Minute)) {
			t = now // a kiosk clock far ahead must not push responses into the future
		}
		sub.SubmittedAt = t
	}
	if in.Contact != nil {
		ci, msg, err := h.contact(*in.Contact, sub.Language)
		if err != nil {
			return sub, err
		}
		sub.Contact, sub.ContactMessage = &ci, msg
	}
	return sub, nil
}

func (h *Handler) contact(cj contactJSON, lang string) (models.ContactInput, string, error) {
	name := strings.TrimSpace(cj.Name)
	if utf8.RuneCountInString(name) > 200 {
		return models.ContactInput{}, "", &survey.FieldError{Field: "contact.name", Message: "at most 200 characters"}
	}
	if utf8.RuneCountInString(cj.Message) > survey.MaxTextLen {
		return models.ContactInput{}, "", &survey.FieldError{Field: "contact.message", Message: fmt.Sprintf("at most %d characters", survey.MaxTextLen)}
	}
	phone, err := contact.NormalizePhone(cj.Phone, h.cfg.DefaultRegion)
	if err != nil {
		return models.ContactInput{}, "", &survey.FieldError{Field: "contact.phone", Message: "not a phone number we can call; include the area code"}
	}
	email, err := contact.NormalizeEmail(cj.Email)
	if err != nil {
		return models.ContactInput{}, "", &survey.FieldError{Field: "contact.email", Message: "not an email address"}
	}
	if phone == "" && email == "" {
		return models.ContactInput{}, "", &survey.FieldError{Field: "contact", Message: "a phone number or an email address is needed to contact you"}
	}
	return models.ContactInput{Name: name, Phone: phone, Email: email, Language: lang}, strings.TrimSpace(cj.Message), nil
}
