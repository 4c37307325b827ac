// Package conversations answers patients: Twilio's inbound SMS and status
// webhooks, the opt-out keywords, the SMS survey conversation, the email
// survey and unsubscribe pages, and the satisfaction follow-up (sent from
// a resolved case, answered by SMS or on its page). Finished surveys go
// through triage's intake like a kiosk tap; every reply is an outbox row.
package conversations

import (
	"log/slog"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/inviting"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
	"github.com/patientvoice/patientvoice/triage"
)

// Channels of a message.
const sms, email = "sms", "email"

// Handler holds what the webhook, survey page and follow-up routes need.
type Handler struct {
	cfg      *config.Config
	store    Store
	intake   *triage.Intake
	links    inviting.Links
	followup followupLinks
	catalog  *translations.Catalog
	replies  survey.Vocabulary
	keywords keywords
	log      *slog.Logger
	now      func() time.Time
}

// New builds the conversation handlers; links checks the survey and
// unsubscribe tokens that inviting signed; catalog words every reply and
// page and knows every language's answer words and keywords.
func New(cfg *config.Config, store Store, intake *triage.Intake, links inviting.Links, catalog *translations.Catalog, log *slog.Logger, now func() time.Time) *Handler {
	return &Handler{cfg: cfg, store: store, intake: intake, links: links,
		followup: followupLinks{signer: store, base: cfg.BaseURL},
		catalog:  catalog, replies: catalog.Replies(), keywords: newKeywords(catalog), log: log, now: now}
}
