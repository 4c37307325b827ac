package staff

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

type eventView struct {
	models.CaseEvent
	Detail string
}

type caseData struct {
	Case        models.CaseRow
	Overdue     bool
	Reasons     []string
	Summary     string
	Answers     []answerView
	Events      []eventView
	Next        []string
	Users       []models.StaffUser
	Departments []models.Department
	Categories  []string
	Priorities  []string
	Identity    *models.ContactView
	HasContact  bool
	Nonce       string
	Response    *models.Response
}

type answerView struct {
	Prompt string
	models.AnswerView
}

// loadCase finds a case the user may see; out of scope reads as not found.
func (h *Handler) loadCase(c *fiber.Ctx) (models.CaseRow, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil {
		return models.CaseRow{}, fiber.NewError(fiber.StatusNotFound, "No such case.")
	}
	row, err := h.store.CaseRowByID(c.UserContext(), uint(id))
	if err != nil {
		return row, err
	}
	if !inScope(principal(c).User, row.DepartmentCode) {
		return row, fiber.NewError(fiber.StatusNotFound, "No such case.")
	}
	return row, nil
}

func (h *Handler) caseData(c *fiber.Ctx, row models.CaseRow) (caseData, error) {
	ctx := c.UserContext()
	d := caseData{Case: row, Overdue: triage.Overdue(row.Case, h.now()), Reasons: row.ReasonList(),
		Summary: h.store.CaseSummary(row.Case), Next: triage.NextStatuses(row.Status),
		Categories: survey.Categories, Priorities: triage.Priorities, HasContact: row.ContactID != nil, Nonce: nonce()}
	evs, err := h.store.CaseEvents(ctx, row.ID)
	if err != nil {
		return d, err
	}
	for _, e := range evs {
		d.Events = append(d.Events, eventView{CaseEvent: e, Detail: h.store.CaseEventDetail(e)})
	}
	if row.ResponseID != nil {
		r, err := h.store.ResponseByID(ctx, *row.ResponseID)
		if err != nil {
			return d, err
		}
		d.Response = &r
		def, err := h.store.SurveyByID(ctx, r.SurveyID)
		if err != nil {
			return d, err
		}
		ans, err := h.store.ResponseAnswers(ctx, r.ID)
		if err != nil {
			return d, err
		}
		for _, a := range ans {
			prompt := a.Question
			if q, ok := def.Question(a.Question); ok {
				prompt = q.Text("en")
			}
			d.Answers = append(d.Answers, answerView{Prompt: prompt, AnswerView: a})
		}
	}
	if d.Users, err = h.store.Users(ctx); err != nil {
		return d, err
	}
	d.Departments, err = h.store.Departments(ctx)
	return d, err
}

// CasePage answers GET /staff/cases/:id: the case story in one page; the
// patient's identity stays hidden until revealed.
func (h *Handler) CasePage(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	d, err := h.caseData(c, row)
	if err != nil {
		return err
	}
	return h.render(c, "staff/case", fmt.Sprintf("Case #%d", row.ID), "queue", d)
}

// Reveal answers POST /staff/cases/:id/reveal: shows the patient's identity
// on this response only, recorded on the timeline and in the audit log.
func (h *Handler) Reveal(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	if row.ContactID == nil {
		return fiber.NewError(fiber.StatusNotFound, "This case has no patient identity: the response was anonymous.")
	}
	ctx := c.UserContext()
	p := principal(c)
	v, err := h.store.ContactByID(ctx, *row.ContactID)
	if err != nil {
		return err
	}
	if err := h.store.AddCaseEvent(ctx, row.ID, "identity_revealed", p.User.Email, ""); err != nil {
		return err
	}
	if err := h.store.Audit(ctx, p.User.Email, "identity.reveal", fmt.Sprintf("case:%d", row.ID), ip(c), fmt.Sprintf("contact:%d", v.ID)); err != nil {
		return err
	}
	row, err = h.loadCase(c)
	if err != nil {
		return err
	}
	d, err := h.caseData(c, row)
	if err != nil {
		return err
	}
	d.Identity = &v
	return h.render(c, "staff/case", fmt.Sprintf("Case #%d", row.ID), "queue", d)
}

// CaseAction answers POST /staff/cases/:id: one workflow action (status,
// assign, note, classify, escalate), then back to the case.
func (h *Handler) CaseAction(c *fiber.Ctx) error {
	row, err := h.loadCase(c)
	if err != nil {
		return err
	}
	p := principal(c)
	var ch triage.Change
	flash := "saved"
	switch c.FormValue("action") {
	case "status":
		ch.Status, ch.Note = c.FormValue("status"), c.FormValue("note")
		flash = "status-" + ch.Status
	case "escalate":
		ch.Escalate, ch.Reason = true, strings.TrimSpace(c.FormValue("reason"))
		flash = "escalated"
	case "assign":
		a := c.FormValue("assignee")
		ch.AssigneeEmail = &a
		if d := c.FormValue("department"); d != "" {
			ch.Department = d
		}
		flash = "assigned"
	case "note":
		ch.Note = strings.TrimSpace(c.FormValue("note"))
		if ch.Note == "" {
			return fiber.NewError(fiber.StatusBadRequest, "The note is empty.")
		}
		flash = "note"
	case "classify":
		g := c.FormValue("grievance") == "yes"
		ch.Grievance, ch.Category, ch.Priority = &g, c.FormValue("category"), c.FormValue("priority")
		if ch.Category != "" && !survey.IsCategory(ch.Category) {
			return fiber.NewError(fiber.StatusBadRequest, "Unknown category.")
		}
		flash = "classified"
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Unknown action.")
	}
	_, err = h.cases.Apply(c.UserContext(), row.ID, p.User.Email, ip(c), ch)
	var te *triage.TransitionError
	switch {
	case errors.As(err, &te):
		return fiber.NewError(fiber.StatusConflict, te.Error())
	case errors.Is(err, triage.ErrUnknownAssignee), errors.Is(err, models.ErrNotFound):
		return fiber.NewError(fiber.StatusBadRequest, "That staff member or department does not exist.")
	case err != nil:
		return err
	}
	return c.Redirect(fmt.Sprintf("/staff/cases/%d?flash=%s", row.ID, urlQuery(flash)), fiber.StatusSeeOther)
}
