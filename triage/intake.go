package triage

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Intake is the one path every response takes, whatever its channel:
// evaluate flag rules, route, compute deadlines, store response and case in
// one transaction (models.Store.IngestResponse, the one place submissions
// enter the database), then tell the notifier about a new case. Kiosk, SMS
// and email all call Submit.
type Intake struct {
	store  IntakeStore
	sla    SLA
	notify Notifier
	now    func() time.Time

	mu      sync.Mutex
	cached  time.Time
	rules   survey.Rules
	routing []models.RoutingRule
	depts   departments
}

// departments maps codes (what routing rules name) to ids and back.
type departments struct {
	ids   map[string]uint
	codes map[uint]string
}

// rulesTTL is how long flag and routing rules are cached: an admin's edit
// takes effect on every server within this time.
const rulesTTL = 15 * time.Second

// NewIntake builds the intake path; notify hears about every case opened.
func NewIntake(store IntakeStore, sla SLA, notify Notifier, now func() time.Time) *Intake {
	return &Intake{store: store, sla: sla, notify: notify, now: now}
}

// SLA returns the deadlines in force.
func (in *Intake) SLA() SLA { return in.sla }

// Submission is a validated response from any channel.
type Submission struct {
	ClientID       string
	Survey         survey.Definition
	SurveyID       uint
	Source         string // kiosk, sms, email
	KioskID        *uint
	InvitationID   *uint
	DepartmentID   uint
	Language       string
	Answers        []survey.Answer
	SubmittedAt    time.Time
	PressWindow    time.Duration
	Contact        *models.ContactInput
	ContactMessage string
	// ContactID links a response from a known patient (SMS, email) to
	// the contact without asking for details again.
	ContactID *uint
}

// Result is what happened to a submission.
type Result struct {
	Response models.Response
	// Case is the case this submission opened; nil when it opened none or
	// was a replay.
	Case    *models.Case
	Created bool
	Outcome survey.Outcome
}

// Submit stores a submission and opens its case when the rules flag it or
// the patient asked to be contacted. Replays of a ClientID return the
// stored result.
func (in *Intake) Submit(ctx context.Context, sub Submission) (Result, error) {
	rules, routing, depts, err := in.config(ctx)
	if err != nil {
		return Result{}, err
	}
	code, ok := depts.codes[sub.DepartmentID]
	if !ok {
		return Result{}, fmt.Errorf("submit response: department %d: %w", sub.DepartmentID, models.ErrNotFound)
	}
	out := rules.Evaluate(sub.Answers)
	nr := models.NewResponse{
		ClientID: sub.ClientID, SurveyID: sub.SurveyID, SurveyVersion: sub.Survey.Version, Source: sub.Source,
		KioskID: sub.KioskID, InvitationID: sub.InvitationID, DepartmentID: sub.DepartmentID, Language: sub.Language,
		Answers: sub.Answers, Tags: out.Tags, Flagged: out.Flagged, AnswerHash: survey.AnswerHash(sub.Answers),
		SubmittedAt: sub.SubmittedAt, PressWindow: sub.PressWindow, Contact: sub.Contact, ContactMessage: sub.ContactMessage,
		ContactID: sub.ContactID,
	}
	if out.Flagged || sub.Contact != nil {
		nc := in.newCase(sub, code, out, routing, depts)
		nr.Case = &nc
	}
	ing, err := in.store.IngestResponse(ctx, nr)
	if err != nil {
		return Result{}, err
	}
	if ing.Case != nil {
		in.notify.CaseEvent(ctx, CaseOpened, *ing.Case)
	}
	return Result{Response: ing.Response, Case: ing.Case, Created: ing.Created, Outcome: out}, nil
}

func (in *Intake) newCase(sub Submission, code string, out survey.Outcome, routing []models.RoutingRule, depts departments) models.NewCase {
	reasons := append([]string(nil), out.Reasons...)
	if sub.Contact != nil {
		reasons = append(reasons, "contact_request")
	}
	var text []string
	for _, a := range sub.Answers {
		if a.Kind == survey.Text {
			text = append(text, a.Text)
		}
	}
	text = append(text, sub.ContactMessage)
	route := ApplyRouting(routing, RouteInput{
		Category: out.Category, Text: survey.Normalize(strings.Join(text, " ")), MinScore: out.MinScore,
		Source: sub.Source, Department: code, Urgent: out.Urgent,
	})
	deptID, ok := depts.ids[route.Department]
	if !ok {
		deptID = sub.DepartmentID
	}
	now := in.now()
	ack, resolve := in.sla.Deadlines(route.Priority, false, now)
	return models.NewCase{
		Priority: route.Priority, Category: out.Category, DepartmentID: deptID, Source: sub.Source,
		Channel: sub.Source, Reasons: reasons, AssigneeEmail: route.Assignee, AcknowledgeBy: ack, ResolveBy: resolve,
		Summary: sub.ContactMessage,
	}
}

// config returns the cached rules, reloading them after rulesTTL.
func (in *Intake) config(ctx context.Context) (survey.Rules, []models.RoutingRule, departments, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.depts.ids != nil && in.now().Sub(in.cached) < rulesTTL {
		return in.rules, in.routing, in.depts, nil
	}
	rules, err := in.store.FlagRules(ctx)
	if err != nil {
		return rules, nil, departments{}, err
	}
	routing, err := in.store.RoutingRules(ctx)
	if err != nil {
		return rules, nil, departments{}, err
	}
	ds, err := in.store.Departments(ctx)
	if err != nil {
		return rules, nil, departments{}, err
	}
	depts := departments{ids: make(map[string]uint, len(ds)), codes: make(map[uint]string, len(ds))}
	for _, d := range ds {
		depts.ids[d.Code], depts.codes[d.ID] = d.ID, d.Code
	}
	in.rules, in.routing, in.depts, in.cached = rules, routing, depts, in.now()
	return rules, routing, depts, nil
}

// Invalidate drops cached rules so an admin's edit applies on this server
// at once.
func (in *Intake) Invalidate() {
	in.mu.Lock()
	in.depts = departments{}
	in.mu.Unlock()
}
