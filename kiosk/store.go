package kiosk

import (
	"context"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// Store is what the kiosk routes need of the database; models.Store
// implements it.
type Store interface {
	CountKioskSubmissions(ctx context.Context, kioskID uint, since time.Time) (int64, error)
	KioskByToken(ctx context.Context, tok string) (models.Kiosk, error)
	ResponseByClientID(ctx context.Context, clientID string) (models.Response, error)
	Setting(ctx context.Context, key string) (string, bool, error)
	SurveyByID(ctx context.Context, id uint) (survey.Definition, error)
	SurveyByKey(ctx context.Context, key string) (survey.Definition, uint, error)
	TouchKiosk(ctx context.Context, id uint) error
}
