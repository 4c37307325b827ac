package triage

import (
	"context"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// IntakeStore is what intake needs of the database: the rules and the
// one write every submission makes (IngestResponse). models.Store
// implements it.
type IntakeStore interface {
	Departments(ctx context.Context) ([]models.Department, error)
	FlagRules(ctx context.Context) (survey.Rules, error)
	IngestResponse(ctx context.Context, in models.NewResponse) (models.Ingested, error)
	RoutingRules(ctx context.Context) ([]models.RoutingRule, error)
}

// CaseStore is what the case workflow needs of the database.
type CaseStore interface {
	Audit(ctx context.Context, actor, action, record, ip, detail string) error
	OpenCase(ctx context.Context, nc models.NewCase, contact *models.ContactInput) (models.Case, error)
	UpdateCase(ctx context.Context, id uint, fn func(c *models.Case, tx *models.CaseTx) error) (models.Case, error)
}

// EscalatorStore is what the SLA clock needs of the database.
type EscalatorStore interface {
	Audit(ctx context.Context, actor, action, record, ip, detail string) error
	EscalateOverdue(ctx context.Context, now time.Time) ([]models.Case, error)
}

// CaseReader is what the cases API reads.
type CaseReader interface {
	CaseEvents(ctx context.Context, caseID uint) ([]models.CaseEvent, error)
	CaseRowByID(ctx context.Context, id uint) (models.CaseRow, error)
	DepartmentByCode(ctx context.Context, code string) (models.Department, error)
	ListCases(ctx context.Context, f models.CaseFilter) ([]models.CaseRow, error)
}
