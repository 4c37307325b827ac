package inviting

import (
	"context"
	"strconv"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// Housekeeping runs the invitation clock: it expires invitations past
// their time and queues the one email reminder. The database decides what
// is due; the reminder is claimed with a conditional update, so every
// server can run it.
func (h *Handler) Housekeeping(ctx context.Context) (int, error) {
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
		c, err := h.store.ContactRow(ctx, inv.ContactID)
		if err != nil || c.EmailOptOut {
			continue
		}
		l := h.catalog.Pick(inv.Language, def.Languages)
		subj, text, html := invitationEmail(h.cfg.OrgName, l, h.links.Survey(inv.ID), h.links.Unsubscribe(inv.ID), len(def.Questions), true)
		_, _, err = h.store.Enqueue(ctx, models.OutMessage{Channel: email, Kind: "reminder", To: h.store.Crypto.MustOpen(c.EmailEnc),
			Subject: subj, Body: text, HTML: html, ContactID: &c.ID, InvitationID: &inv.ID, Priority: models.PriorityBulk,
			IdempotencyKey: "inv-" + strconv.FormatUint(uint64(inv.ID), 10) + "-reminder"})
		if err != nil {
			return int(n), err
		}
		n++
	}
	return int(n), nil
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
