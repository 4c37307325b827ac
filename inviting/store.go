package inviting

import (
	"context"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Store is what discharges and the invitation clock need of the
// database; models.Store implements it.
type Store interface {
	ContactFor(ctx context.Context, in models.ContactInput) (models.Contact, error)
	DepartmentByCode(ctx context.Context, code string) (models.Department, error)
	DueReminders(ctx context.Context, cutoff time.Time) ([]models.Invitation, error)
	ExpireInvitations(ctx context.Context) (int64, error)
	InvitationsAwaitingMessage(ctx context.Context, cutoff time.Time) ([]models.Invitation, error)
	MarkReminder(ctx context.Context, id uint) (bool, error)
	RecordDischarge(ctx context.Context, d models.Discharge, dec models.Decision) (models.DischargeResult, error)
	Send(ctx context.Context, d models.Draft) (models.OutboundMessage, bool, error)
	SurveyByID(ctx context.Context, id uint) (survey.Definition, error)
	SurveyByKey(ctx context.Context, key string) (survey.Definition, uint, error)
	SignLink(domain, id string) string
}
