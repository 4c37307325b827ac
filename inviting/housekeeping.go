package inviting

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// Housekeeping runs the invitation clock: it queues first messages a
// stopped server left unqueued, expires invitations past their time and
// queues the one email reminder. The database decides what is due; the
// reminder is claimed with a conditional update and every message has an
// idempotency key, so every server can run it.
func (h *Handler) Housekeeping(ctx context.Context) (int, error) {
	if err := h.queueMissingFirst(ctx); err != nil {
		return 0, err
	}
	n, err := h.store.ExpireInvitations(ctx)
	if err != nil || h.cfg.EmailReminder == 0 {
		return int(n), err
	}
	due, err := h.store.DueReminders(ctx, h.now().Add(-h.cfg.EmailReminder))
	if err != nil {
		return int(n), err
	}
	def, _, err := h.survey(ctx)
	if err != nil {
		return int(n), err
	}
	for _, inv := range due {
		ok, err := h.store.MarkReminder(ctx, inv.ID)
		if err != nil || !ok {
			continue
		}
		l := h.catalog.Pick(inv.Language, def.Languages)
		subj, text, html := invitationEmail(h.cfg.OrgName, l, h.links.Survey(inv.ID), h.links.Unsubscribe(inv.ID), len(def.Questions), true)
		_, _, err = h.store.Send(ctx, models.Draft{Channel: email, Kind: "reminder", ContactID: &inv.ContactID,
			Subject: subj, Body: text, HTML: html, InvitationID: &inv.ID, Priority: models.PriorityBulk,
			IdempotencyKey: "inv-" + strconv.FormatUint(uint64(inv.ID), 10) + "-reminder"})
		if errors.Is(err, models.ErrUnreachable) || errors.Is(err, models.ErrNotFound) {
			continue // unsubscribed since
		}
		if err != nil {
			return int(n), err
		}
		n++
	}
	return int(n), nil
}

// queueMissingFirst queues the first message of scheduled invitations
// recorded over a minute ago without one (their server stopped between
// the two steps).
func (h *Handler) queueMissingFirst(ctx context.Context) error {
	invs, err := h.store.InvitationsAwaitingMessage(ctx, h.now().Add(-time.Minute))
	if err != nil {
		return err
	}
	for _, inv := range invs {
		def, err := h.store.SurveyByID(ctx, inv.SurveyID)
		if err != nil {
			return err
		}
		if err := h.queueFirst(ctx, inv, def); err != nil && !errors.Is(err, models.ErrUnreachable) {
			return err
		}
	}
	return nil
}

// RunHousekeeping ticks every minute until ctx ends.
func (h *Handler) RunHousekeeping(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := h.Housekeeping(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("invitation housekeeping failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
