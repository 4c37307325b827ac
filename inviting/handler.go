// Package inviting turns discharges into survey invitations: the discharge
// API and the CSV import (HL7 and FHIR intake land beside them), the
// contract's suppression rules and the choice of channel and time
// (Decide), the first message of each invitation, the signed survey and
// unsubscribe links, and the housekeeping that expires invitations and
// sends the one email reminder.
package inviting

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
)

// SurveyKey is the survey every post-discharge invitation asks.
const SurveyKey = "post-discharge"

// Handler holds what the discharge routes and the invitation clock need.
type Handler struct {
	cfg     *config.Config
	store   *models.Store
	catalog *translations.Catalog
	links   Links
	log     *slog.Logger
	now     func() time.Time
}

// New builds the inviting handlers; catalog words the invitations and maps
// the languages hospitals send ("es-MX", "spa") to the ones it speaks.
func New(cfg *config.Config, store *models.Store, catalog *translations.Catalog, log *slog.Logger, now func() time.Time) *Handler {
	return &Handler{cfg: cfg, store: store, catalog: catalog, links: NewLinks(store.Crypto, cfg.BaseURL), log: log, now: now}
}

// Links exposes the link maker (the dispatcher adds unsubscribe headers,
// the survey pages check tokens).
func (h *Handler) Links() Links { return h.links }

func (h *Handler) survey(ctx context.Context) (survey.Definition, uint, error) {
	return h.store.SurveyByKey(ctx, SurveyKey)
}

// firstMessages are the outbox rows a scheduled invitation starts with.
func (h *Handler) firstMessages(def survey.Definition) func(models.Invitation, models.Contact) []models.OutMessage {
	return func(inv models.Invitation, c models.Contact) []models.OutMessage {
		key := "inv-" + strconv.FormatUint(uint64(inv.ID), 10) + "-first"
		m := models.OutMessage{Channel: inv.Channel, Kind: "invitation", ContactID: &c.ID, InvitationID: &inv.ID,
			Priority: models.PriorityBulk, NotBefore: *inv.ScheduledFor, IdempotencyKey: key}
		l := h.catalog.Pick(inv.Language, def.Languages)
		if inv.Channel == sms {
			m.To = h.store.Crypto.MustOpen(c.PhoneEnc)
			m.Body = firstSMS(h.cfg.OrgName, l, def)
		} else {
			m.To = h.store.Crypto.MustOpen(c.EmailEnc)
			m.Subject, m.Body, m.HTML = invitationEmail(h.cfg.OrgName, l, h.links.Survey(inv.ID), h.links.Unsubscribe(inv.ID), len(def.Questions), false)
		}
		return []models.OutMessage{m}
	}
}
