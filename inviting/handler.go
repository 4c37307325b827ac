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
	store   Store
	catalog *translations.Catalog
	links   Links
	log     *slog.Logger
	now     func() time.Time
}

// New builds the inviting handlers; catalog words the invitations and maps
// the languages hospitals send ("es-MX", "spa") to the ones it speaks.
func New(cfg *config.Config, store Store, catalog *translations.Catalog, log *slog.Logger, now func() time.Time) *Handler {
	return &Handler{cfg: cfg, store: store, catalog: catalog, links: NewLinks(store, cfg.BaseURL), log: log, now: now}
}

// Links exposes the link maker (the dispatcher adds unsubscribe headers,
// the survey pages check tokens).
func (h *Handler) Links() Links { return h.links }

func (h *Handler) survey(ctx context.Context) (survey.Definition, uint, error) {
	return h.store.SurveyByKey(ctx, SurveyKey)
}

// queueFirst queues the first message of a scheduled invitation, at its
// scheduled time; the key makes a second call (the sweep after a crash)
// queue nothing more.
func (h *Handler) queueFirst(ctx context.Context, inv models.Invitation, def survey.Definition) error {
	d := models.Draft{Channel: inv.Channel, Kind: "invitation", ContactID: &inv.ContactID, InvitationID: &inv.ID,
		Priority: models.PriorityBulk, NotBefore: *inv.ScheduledFor, IdempotencyKey: "inv-" + strconv.FormatUint(uint64(inv.ID), 10) + "-first"}
	l := h.catalog.Pick(inv.Language, def.Languages)
	if inv.Channel == sms {
		d.Body = firstSMS(h.cfg.OrgName, l, def)
	} else {
		d.Subject, d.Body, d.HTML = invitationEmail(h.cfg.OrgName, l, h.links.Survey(inv.ID), h.links.Unsubscribe(inv.ID), len(def.Questions), false)
	}
	_, _, err := h.store.Send(ctx, d)
	return err
}
