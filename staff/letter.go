package staff

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/translations"
)

// letterData is the CMS resolution letter: its form for staff, and the
// printable letter in the patient's language (L), dates included.
type letterData struct {
	CaseID                       uint
	L                            *translations.Language
	PatientName                  string
	ContactName, ContactPhone    string
	Steps, Results               string
	Completed                    string // the form's value, YYYY-MM-DD
	CompletedOn, Date            string // both written as L writes dates
	Form                         bool
	DefaultContact, DefaultPhone string
}

// LetterForm answers GET /staff/cases/:id/letter: the fields of the CMS
// resolution letter (contact name, investigation steps, results, date),
// saying which language the letter will be in.
func (h *Handler) LetterForm(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	d := letterData{CaseID: row.ID, Form: true, DefaultContact: principal(c).User.Name, L: h.catalog.Base(),
		Completed: h.now().In(h.cfg.Location).Format("2006-01-02")}
	if row.ContactID != nil {
		ct, err := h.store.ContactRow(c.UserContext(), *row.ContactID)
		if err != nil {
			return err
		}
		d.L = h.catalog.Get(ct.Language)
	}
	return h.render(c, "staff/letter_form", fmt.Sprintf("Resolution letter · case #%d", row.ID), "queue", d)
}

// Letter answers POST /staff/cases/:id/letter: the printable letter in the
// patient's language throughout, dates included, recorded on the timeline
// and audited (it names the patient).
func (h *Handler) Letter(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	d := letterData{CaseID: row.ID, L: h.catalog.Base(), ContactName: strings.TrimSpace(c.FormValue("contact_name")),
		ContactPhone: strings.TrimSpace(c.FormValue("contact_phone")), Steps: strings.TrimSpace(c.FormValue("steps")),
		Results: strings.TrimSpace(c.FormValue("results")), Completed: strings.TrimSpace(c.FormValue("completed"))}
	if d.ContactName == "" || d.Steps == "" || d.Results == "" || d.Completed == "" {
		return fiber.NewError(fiber.StatusBadRequest, "A resolution letter needs the contact person, the investigation steps, the results and the completion date.")
	}
	completed, err := time.Parse("2006-01-02", d.Completed)
	if err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "The completion date must look like 2026-11-27.")
	}
	ctx := c.UserContext()
	p := principal(c)
	if row.ContactID != nil {
		v, err := h.store.ContactByID(ctx, *row.ContactID)
		if err != nil {
			return err
		}
		d.PatientName = v.Name
		d.L = h.catalog.Get(v.Language)
	}
	d.CompletedOn = d.L.Date(completed)
	d.Date = d.L.Date(h.now().In(h.cfg.Location))
	if err := h.store.AddCaseEvent(ctx, row.ID, "letter_generated", p.User.Email, "completed "+d.Completed+"; contact "+d.ContactName); err != nil {
		return err
	}
	if err := h.store.Audit(ctx, p.User.Email, "letter.generate", fmt.Sprintf("case:%d", row.ID), ip(c), ""); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("staff/letter", page{Org: h.cfg.OrgName, Title: d.L.T("letter.title"), Data: d})
}
