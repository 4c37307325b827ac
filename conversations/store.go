package conversations

import (
	"context"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Store is what the conversations need of the database; models.Store
// implements it.
type Store interface {
	AddCaseEvent(ctx context.Context, caseID uint, kind, actor, detail string) error
	AdvanceInvitation(ctx context.Context, st models.SurveyStep, reply models.Composed) (bool, error)
	AnswerFollowup(ctx context.Context, caseID uint, answer string, at time.Time) (bool, error)
	ApplyProviderStatus(ctx context.Context, ref uint, providerID, providerStatus, errorCode string) (models.OutboundMessage, error)
	CaseByID(ctx context.Context, id uint) (models.Case, error)
	ClaimInbound(ctx context.Context, id uint, outcome string) (bool, error)
	CompleteInvitation(ctx context.Context, id uint) (bool, error)
	Compose(ctx context.Context, d models.Draft) (models.Composed, error)
	ContactByPhone(ctx context.Context, e164 string) (models.Contact, error)
	ContactRow(ctx context.Context, id uint) (models.Contact, error)
	Enqueue(ctx context.Context, m models.Composed) (models.OutboundMessage, bool, error)
	InboundBody(m models.InboundMessage) (from, body string)
	InvitationAnswers(inv models.Invitation) (string, error)
	InvitationByID(ctx context.Context, id uint) (models.Invitation, error)
	LatestCaseForContact(ctx context.Context, contactID uint) (models.Case, error)
	MarkFollowupSent(ctx context.Context, caseID uint, at time.Time) (bool, error)
	MarkInvitationStarted(ctx context.Context, id uint) error
	OpenSMSInvitation(ctx context.Context, contactID uint) (models.Invitation, error)
	PendingFollowup(ctx context.Context, contactID uint) (models.Case, error)
	ReleaseInbound(ctx context.Context, id uint) error
	SaveInbound(ctx context.Context, channel, providerID, from, body string) (models.InboundMessage, bool, error)
	Send(ctx context.Context, d models.Draft) (models.OutboundMessage, bool, error)
	SetInboundOutcome(ctx context.Context, id uint, outcome string, contactID, invitationID, caseID *uint) error
	SetOptOut(ctx context.Context, contactID uint, channel string, out bool, source string) error
	SurveyByID(ctx context.Context, id uint) (survey.Definition, error)
	UnmarkFollowup(ctx context.Context, caseID uint) error
	UnprocessedInbound(ctx context.Context, before time.Time) ([]models.InboundMessage, error)
	SignLink(domain, id string) string
}
