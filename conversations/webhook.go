package conversations

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/twilio/twilio-go/client"
)

const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response/>`

// verifyTwilio checks X-Twilio-Signature over PV_BASE_URL + the original
// URL and every POST parameter (never the Host header, which a proxy or
// attacker controls). 403 otherwise.
func (h *Handler) verifyTwilio(c *fiber.Ctx) (map[string]string, error) {
	params := map[string]string{}
	c.Request().PostArgs().VisitAll(func(k, v []byte) { params[string(k)] = string(v) })
	sig := c.Get("X-Twilio-Signature")
	if h.cfg.Twilio.AuthToken == "" {
		return nil, fiber.NewError(fiber.StatusForbidden, "Twilio is not configured on this server")
	}
	v := client.NewRequestValidator(h.cfg.Twilio.AuthToken)
	if sig == "" || !v.Validate(h.cfg.BaseURL+c.OriginalURL(), params, sig) {
		return nil, fiber.NewError(fiber.StatusForbidden, "bad or missing X-Twilio-Signature")
	}
	return params, nil
}

// InboundSMS answers POST /webhooks/twilio/sms: verify, store once per
// MessageSid, process, answer an empty TwiML at once. Every reply to the
// patient goes through the outbox; a replayed MessageSid changes nothing.
func (h *Handler) InboundSMS(c *fiber.Ctx) error {
	p, err := h.verifyTwilio(c)
	if err != nil {
		return err
	}
	sid, from := p["MessageSid"], p["From"]
	if sid == "" || from == "" || len(sid) > 64 {
		return fiber.NewError(fiber.StatusBadRequest, "MessageSid and From are required")
	}
	body := p["Body"]
	if r := []rune(body); len(r) > 1600 {
		body = string(r[:1600])
	}
	if err := h.Receive(c.UserContext(), sid, from, body); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/xml")
	return c.SendString(emptyTwiML)
}

// Receive stores and processes one inbound SMS; the SMS simulator calls it
// too, so training runs exactly the production conversation.
func (h *Handler) Receive(ctx context.Context, sid, from, body string) error {
	m, created, err := h.store.SaveInbound(ctx, sms, sid, from, body)
	if err != nil || !created {
		return err
	}
	h.processClaimed(ctx, m)
	return nil
}

// processClaimed claims a stored message, processes it and, on failure,
// leaves it for the sweeper.
func (h *Handler) processClaimed(ctx context.Context, m models.InboundMessage) {
	ok, err := h.store.ClaimInbound(ctx, m.ID, "processing")
	if err != nil || !ok {
		return
	}
	outcome, err := h.Process(ctx, m)
	if err != nil {
		h.log.Warn("inbound sms processing failed; will retry", "id", m.ID, "err", err.Error())
		_ = h.store.ReleaseInbound(context.WithoutCancel(ctx), m.ID)
		return
	}
	_ = h.store.SetInboundOutcome(ctx, m.ID, outcome, nil, nil, nil)
}

// SweepInbound processes messages stored but never processed (a server
// died in between). Run by every server; the claim makes it safe.
func (h *Handler) SweepInbound(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ms, err := h.store.UnprocessedInbound(ctx, h.now().Add(-time.Minute))
		if err != nil {
			continue
		}
		for _, m := range ms {
			h.processClaimed(ctx, m)
		}
	}
}

// Status answers POST /webhooks/twilio/status: the delivery status of an
// outbound message; out-of-order callbacks never move it backwards.
func (h *Handler) Status(c *fiber.Ctx) error {
	p, err := h.verifyTwilio(c)
	if err != nil {
		return err
	}
	sid := p["MessageSid"]
	if sid == "" {
		return fiber.NewError(fiber.StatusBadRequest, "MessageSid is required")
	}
	ref, _ := strconv.ParseUint(c.Query("m"), 10, 64)
	m, err := h.store.ApplyProviderStatus(c.UserContext(), uint(ref), sid, p["MessageStatus"], p["ErrorCode"])
	switch {
	case errors.Is(err, models.ErrNotFound):
		return c.SendStatus(fiber.StatusOK) // not ours (or not yet recorded): nothing to do
	case err != nil:
		return err
	}
	if p["ErrorCode"] == "21610" && m.ContactID != nil {
		_ = h.store.SetOptOut(c.UserContext(), *m.ContactID, sms, true, "carrier (Twilio 21610)")
	}
	return c.SendStatus(fiber.StatusOK)
}
