package staff

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/contact"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
	"github.com/patientvoice/patientvoice/triage"
)

type newCaseData struct {
	Departments []models.Department
	Categories  []string
	Priorities  []string
	Channels    []string
	Languages   []*translations.Language // the patient's language: letters and follow-ups use it
	Error       string
	Form        map[string]string
}

var intakeChannels = []string{"phone", "letter", "walk_in", "email"}

// NewCaseForm answers GET /staff/cases/new: staff intake for calls,
// letters and walk-ins.
func (h *Handler) NewCaseForm(c *fiber.Ctx) error {
	return h.newCaseForm(c, "", map[string]string{"priority": "normal", "channel": "phone", "language": h.catalog.Base().Code})
}

func (h *Handler) newCaseForm(c *fiber.Ctx, msg string, form map[string]string) error {
	ds, err := h.store.Departments(c.UserContext())
	if err != nil {
		return err
	}
	if msg != "" {
		c.Status(fiber.StatusBadRequest)
	}
	return h.render(c, "staff/new_case", "New case", "new", newCaseData{Departments: ds, Categories: survey.Categories,
		Priorities: triage.Priorities, Channels: intakeChannels, Languages: h.catalog.Languages(), Error: msg, Form: form})
}

// NewCase answers POST /staff/cases/new. A written complaint is a
// grievance under CMS rules, so the letter channel classifies it as one.
func (h *Handler) NewCase(c *fiber.Ctx) error {
	ctx := c.UserContext()
	p := principal(c)
	form := map[string]string{}
	for _, k := range []string{"department", "category", "priority", "channel", "summary", "name", "phone", "email", "grievance", "language"} {
		form[k] = strings.TrimSpace(c.FormValue(k))
	}
	d, err := h.store.DepartmentByCode(ctx, form["department"])
	if err != nil || !inScope(p.User, d.Code) {
		return h.newCaseForm(c, "Choose a department.", form)
	}
	if !survey.IsCategory(form["category"]) || !triage.ValidPriority(form["priority"]) {
		return h.newCaseForm(c, "Choose a category and a priority.", form)
	}
	if form["summary"] == "" || len([]rune(form["summary"])) > survey.MaxTextLen {
		return h.newCaseForm(c, fmt.Sprintf("Describe the concern (up to %d characters).", survey.MaxTextLen), form)
	}
	valid := false
	for _, ch := range intakeChannels {
		valid = valid || ch == form["channel"]
	}
	if !valid {
		return h.newCaseForm(c, "Choose how the concern reached us.", form)
	}
	phone, err := contact.NormalizePhone(form["phone"], h.cfg.DefaultRegion)
	if err != nil {
		return h.newCaseForm(c, "The phone number is not valid; include the area code.", form)
	}
	email, err := contact.NormalizeEmail(form["email"])
	if err != nil {
		return h.newCaseForm(c, "The email address is not valid.", form)
	}
	lang := h.catalog.Base().Code
	if form["language"] != "" {
		if lang = h.catalog.Code(form["language"]); lang == "" {
			return h.newCaseForm(c, "Choose the patient's language from the list.", form)
		}
	}
	grievance := form["grievance"] == "yes" || form["channel"] == "letter"
	c2, err := h.cases.Open(ctx, triage.StaffIntake{Department: d, Category: form["category"], Priority: form["priority"],
		Channel: form["channel"], Summary: form["summary"], Grievance: grievance, Actor: p.User.Email, IP: ip(c),
		Contact: models.ContactInput{Name: form["name"], Phone: phone, Email: email, Language: lang}})
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/staff/cases/%d?flash=%s", c2.ID, "case-opened"), fiber.StatusSeeOther)
}
