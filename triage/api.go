package triage

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// CaseJSON is the contract's CASE.
type CaseJSON struct {
	ID            uint      `json:"id"`
	Status        string    `json:"status"`
	Priority      string    `json:"priority"`
	Category      string    `json:"category"`
	Department    string    `json:"department"`
	Source        string    `json:"source"`
	Reasons       []string  `json:"reasons"`
	Grievance     bool      `json:"grievance"`
	CreatedAt     time.Time `json:"created_at"`
	AcknowledgeBy time.Time `json:"acknowledge_by"`
	ResolveBy     time.Time `json:"resolve_by"`
	AssigneeEmail *string   `json:"assignee_email"`
}

type eventJSON struct {
	Kind  string    `json:"kind"`
	At    time.Time `json:"at"`
	Actor string    `json:"actor"`
}

// ToJSON renders a case row in the contract's shape.
func ToJSON(r models.CaseRow) CaseJSON {
	j := CaseJSON{ID: r.ID, Status: r.Status, Priority: r.Priority, Category: r.Category, Department: r.DepartmentCode,
		Source: r.Source, Reasons: r.ReasonList(), Grievance: r.Grievance, CreatedAt: r.CreatedAt.UTC(),
		AcknowledgeBy: r.AcknowledgeBy.UTC(), ResolveBy: r.ResolveBy.UTC()}
	if j.Reasons == nil {
		j.Reasons = []string{}
	}
	if r.AssigneeEmail != "" {
		e := r.AssigneeEmail
		j.AssigneeEmail = &e
	}
	return j
}

// API serves /api/cases for integration tokens.
type API struct {
	store CaseReader
	cases *Cases
}

// NewAPI builds the cases API.
func NewAPI(store CaseReader, cases *Cases) *API { return &API{store: store, cases: cases} }

// List answers GET /api/cases: newest first, filters status, department,
// priority, source, limit (default 50, max 500) and an opaque cursor.
func (a *API) List(c *fiber.Ctx) error {
	f := models.CaseFilter{Priority: c.Query("priority"), Source: c.Query("source"), Limit: 50}
	if s := c.Query("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			if !isStatus(st) {
				return &survey.FieldError{Field: "status", Message: fmt.Sprintf("unknown status %q", st)}
			}
			f.Status = append(f.Status, st)
		}
	}
	if f.Priority != "" && !ValidPriority(f.Priority) {
		return &survey.FieldError{Field: "priority", Message: fmt.Sprintf("unknown priority %q", f.Priority)}
	}
	if f.Source != "" && f.Source != "kiosk" && f.Source != "sms" && f.Source != "email" && f.Source != "staff" {
		return &survey.FieldError{Field: "source", Message: fmt.Sprintf("unknown source %q", f.Source)}
	}
	if d := c.Query("department"); d != "" {
		if _, err := a.store.DepartmentByCode(c.UserContext(), d); err != nil {
			return &survey.FieldError{Field: "department", Message: fmt.Sprintf("unknown department %q", d)}
		}
		f.Departments = []string{d}
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return &survey.FieldError{Field: "limit", Message: "must be a number from 1 to 500"}
		}
		f.Limit = n
	}
	if cur := c.Query("cursor"); cur != "" {
		n, err := strconv.ParseUint(cur, 10, 64)
		if err != nil || n == 0 {
			return &survey.FieldError{Field: "cursor", Message: "not a cursor this API returned"}
		}
		f.Before = uint(n)
	}
	want := f.Limit
	f.Limit++
	rows, err := a.store.ListCases(c.UserContext(), f)
	if err != nil {
		return err
	}
	var next *string
	if len(rows) > want {
		rows = rows[:want]
		s := strconv.FormatUint(uint64(rows[want-1].ID), 10)
		next = &s
	}
	out := make([]CaseJSON, 0, len(rows))
	for _, r := range rows {
		out = append(out, ToJSON(r))
	}
	return c.JSON(fiber.Map{"cases": out, "next": next})
}

func isStatus(s string) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

func (a *API) caseID(c *fiber.Ctx) (uint, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 64)
	if err != nil || id == 0 {
		return 0, fiber.NewError(fiber.StatusNotFound, "no such case")
	}
	return uint(id), nil
}

// Get answers GET /api/cases/{id}: CASE plus its events.
func (a *API) Get(c *fiber.Ctx) error {
	id, err := a.caseID(c)
	if err != nil {
		return err
	}
	return a.respond(c, id)
}

func (a *API) respond(c *fiber.Ctx, id uint) error {
	row, err := a.store.CaseRowByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	evs, err := a.store.CaseEvents(c.UserContext(), id)
	if err != nil {
		return err
	}
	out := struct {
		CaseJSON
		Events []eventJSON `json:"events"`
	}{CaseJSON: ToJSON(row), Events: make([]eventJSON, 0, len(evs))}
	for _, e := range evs {
		out.Events = append(out.Events, eventJSON{Kind: e.Kind, At: e.At.UTC(), Actor: e.Actor})
	}
	return c.JSON(out)
}

type patchBody struct {
	Status        *string `json:"status"`
	AssigneeEmail *string `json:"assignee_email"`
	Note          *string `json:"note"`
}

// Patch answers PATCH /api/cases/{id}: status, assignee, note; 409 for a
// status change the state machine forbids. The actor is the token's name.
func (a *API) Patch(c *fiber.Ctx) error {
	id, err := a.caseID(c)
	if err != nil {
		return err
	}
	var b patchBody
	dec := json.NewDecoder(strings.NewReader(string(c.Body())))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return fiber.NewError(fiber.StatusBadRequest, "body must be a JSON object with status, assignee_email and/or note")
	}
	var ch Change
	if b.Status != nil {
		if !isStatus(*b.Status) {
			return &survey.FieldError{Field: "status", Message: fmt.Sprintf("unknown status %q", *b.Status)}
		}
		ch.Status = *b.Status
	}
	if b.Note != nil {
		if len([]rune(*b.Note)) > survey.MaxTextLen {
			return &survey.FieldError{Field: "note", Message: fmt.Sprintf("at most %d characters", survey.MaxTextLen)}
		}
		ch.Note = *b.Note
	}
	ch.AssigneeEmail = b.AssigneeEmail
	tok, _ := c.Locals("api_token").(models.APIToken)
	ch.Via = "api:" + tok.Name
	_, err = a.cases.Apply(c.UserContext(), id, models.ActorSystem, c.IP(), ch)
	var te *TransitionError
	switch {
	case errors.As(err, &te):
		return fiber.NewError(fiber.StatusConflict, te.Error())
	case errors.Is(err, ErrUnknownAssignee):
		return &survey.FieldError{Field: "assignee_email", Message: "not an active staff member"}
	case err != nil:
		return err
	}
	return a.respondCase(c, id)
}

func (a *API) respondCase(c *fiber.Ctx, id uint) error {
	row, err := a.store.CaseRowByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(ToJSON(row))
}
