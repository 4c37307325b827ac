package sending

import (
	"context"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// Store is what the dispatcher needs of the database; models.Store
// implements it.
type Store interface {
	ClaimDue(ctx context.Context, channel, claimer string, limit int) ([]models.OutboundMessage, error)
	ContactRow(ctx context.Context, id uint) (models.Contact, error)
	MarkFailed(ctx context.Context, id uint, reason string) error
	MarkInvitationSent(ctx context.Context, id uint, at time.Time, accepted bool) error
	MarkRetry(ctx context.Context, id uint, reason string, at time.Time) error
	MarkSent(ctx context.Context, id uint, providerID string) error
	MarkUnknownStale(ctx context.Context, olderThan time.Duration) (int64, error)
	OpenMessage(m models.OutboundMessage) models.Opened
	SetOptOut(ctx context.Context, contactID uint, channel string, out bool, source string) error
	TakeSlot(ctx context.Context, key string, interval time.Duration) (time.Time, error)
}
