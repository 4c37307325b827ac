package staff

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
)

// letterText is the resolution letter in each language a translation
// exists for; the patient's language is used when present.
type letterText struct {
	Dear, Intro, Steps, Results, Completed, Contact, Closing string
}

var letterTexts = map[string]letterText{
	"en": {"Dear", "Thank you for telling us about your concern regarding your care at %s. We take every concern seriously. This letter describes how we looked into it and what we found.",
		"What we did to investigate", "What we found and the actions we are taking", "Our review was completed on", "If you have questions about this letter, please contact", "Sincerely"},
	"es": {"Estimado/a", "Gracias por informarnos sobre su inquietud acerca de su atención en %s. Tomamos en serio cada inquietud. Esta carta describe cómo la investigamos y lo que encontramos.",
		"Lo que hicimos para investigar", "Lo que encontramos y las medidas que estamos tomando", "Nuestra revisión se completó el", "Si tiene preguntas sobre esta carta, comuníquese con", "Atentamente"},
	"ar": {"عزيزي/عزيزتي", "شكراً لإبلاغنا بملاحظتك بشأن رعايتك في %s. نحن نأخذ كل ملاحظة بجدية. توضح هذه الرسالة كيف تحققنا منها وما توصلنا إليه.",
		"ما قمنا به للتحقيق", "ما توصلنا إليه والإجراءات التي نتخذها", "اكتملت مراجعتنا بتاريخ", "إذا كانت لديك أسئلة حول هذه الرسالة، يرجى التواصل مع", "مع خالص التحية"},
}

type letterData struct {
	CaseID                       uint
	Lang, Dir                    string
	T                            letterText
	Intro                        string
	PatientName                  string
	ContactName, ContactPhone    string
	Steps, Results, Completed    string
	Date                         string
	Form                         bool
	DefaultContact, DefaultPhone string
}

// LetterForm answers GET /staff/cases/:id/letter: the fields of the CMS
// resolution letter (contact name, investigation steps, results, date).
func (h *Handler) LetterForm(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	u := principal(c).User
	return h.render(c, "staff/letter_form", fmt.Sprintf("Resolution letter · case #%d", row.ID), "queue",
		letterData{CaseID: row.ID, Form: true, DefaultContact: u.Name, Completed: h.now().In(h.cfg.Location).Format("2006-01-02")})
}

// Letter answers POST /staff/cases/:id/letter: the printable letter in the
// patient's language, recorded on the timeline and audited (it names the
// patient).
func (h *Handler) Letter(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	d := letterData{CaseID: row.ID, Lang: "en", ContactName: strings.TrimSpace(c.FormValue("contact_name")),
		ContactPhone: strings.TrimSpace(c.FormValue("contact_phone")), Steps: strings.TrimSpace(c.FormValue("steps")),
		Results: strings.TrimSpace(c.FormValue("results")), Completed: strings.TrimSpace(c.FormValue("completed"))}
	if d.ContactName == "" || d.Steps == "" || d.Results == "" || d.Completed == "" {
		return fiber.NewError(fiber.StatusBadRequest, "A resolution letter needs the contact person, the investigation steps, the results and the completion date.")
	}
	if _, err := time.Parse("2006-01-02", d.Completed); err != nil {
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
		if _, ok := letterTexts[v.Language]; ok {
			d.Lang = v.Language
		}
	}
	d.T = letterTexts[d.Lang]
	d.Dir = map[bool]string{true: "rtl", false: "ltr"}[d.Lang == "ar"]
	d.Intro = fmt.Sprintf(d.T.Intro, h.cfg.OrgName)
	d.Date = h.now().In(h.cfg.Location).Format("2 January 2006")
	if err := h.store.AddCaseEvent(ctx, row.ID, "letter_generated", p.User.Email, "completed "+d.Completed+"; contact "+d.ContactName); err != nil {
		return err
	}
	if err := h.store.Audit(ctx, p.User.Email, "letter.generate", fmt.Sprintf("case:%d", row.ID), ip(c), ""); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("staff/letter", page{Org: h.cfg.OrgName, Title: "Resolution letter", Data: d})
}
