package alerts

import (
	"context"

	"github.com/patientvoice/patientvoice/models"
)

// Store is what alerts need of the database; models.Store implements it.
type Store interface {
	DepartmentByID(ctx context.Context, id uint) (models.Department, error)
	Send(ctx context.Context, d models.Draft) (models.OutboundMessage, bool, error)
	Users(ctx context.Context) ([]models.StaffUser, error)
}
