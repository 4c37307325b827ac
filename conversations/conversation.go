package conversations

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/triage"
)

// Outcomes recorded on inbound messages.
const (
	outOptOut   = "opt_out"
	outOptIn    = "opt_in"
	outHelp     = "help"
	outAnswer   = "answer"
	outComplete = "completed"
	outIgnored  = "opted_out_ignored"
	outNoSurvey = "no_survey"
)

// reply queues a message to the patient with interactive priority; the
// key ties it to the inbound message so a replay never sends it twice.
func (h *Handler) reply(ctx context.Context, enqueue func(models.OutMessage) error, to string, contactID *uint, invID *uint, sid, kind, body string) error {
	return enqueue(models.OutMessage{Channel: sms, Kind: kind, To: to, Body: body, ContactID: contactID, InvitationID: invID,
		Priority: models.PriorityInteractive, IdempotencyKey: "in-" + sid + "-reply"})
}

func (h *Handler) enqueue(ctx context.Context) func(models.OutMessage) error {
	return func(m models.OutMessage) error { _, _, err := h.store.Enqueue(ctx, m); return err }
}

// Process handles one stored inbound SMS: keywords first, then the survey
// conversation, else a polite answer and a note on the patient's case.
func (h *Handler) Process(ctx context.Context, m models.InboundMessage) (string, error) {
	from, body := h.store.InboundBody(m)
	sid := m.ProviderID
	c, err := h.store.ContactByPhone(ctx, from)
	known := err == nil
	if err != nil && !errors.Is(err, models.ErrNotFound) {
		return "", err
	}
	kind, managed, kwLang := h.keywords.classify(body, known && c.SMSOptOut)
	l := h.catalog.Get(c.Language)
	if !known && kwLang != "" {
		l = h.catalog.Get(kwLang) // a stranger's "dừng" is answered in Vietnamese
	}
	org := h.cfg.OrgName
	silent := managed && h.cfg.Twilio.ManagedOptOut
	var cid *uint
	if known {
		cid = &c.ID
	}
	switch kind {
	case kwOptOut:
		if known {
			if err := h.store.SetOptOut(ctx, c.ID, sms, true, "sms keyword"); err != nil {
				return "", err
			}
		}
		if !silent {
			return outOptOut, h.reply(ctx, h.enqueue(ctx), from, cid, nil, sid, "optout_confirm", l.T("sms.opted_out", "org", org))
		}
		return outOptOut, nil
	case kwOptIn:
		if known {
			if err := h.store.SetOptOut(ctx, c.ID, sms, false, "sms keyword"); err != nil {
				return "", err
			}
		}
		if !silent {
			return outOptIn, h.reply(ctx, h.enqueue(ctx), from, cid, nil, sid, "reply", l.T("sms.opted_in", "org", org))
		}
		return outOptIn, nil
	case kwHelp:
		if !silent {
			return outHelp, h.reply(ctx, h.enqueue(ctx), from, cid, nil, sid, "reply", l.T("sms.help", "org", org))
		}
		return outHelp, nil
	}
	if known && c.SMSOptOut {
		return outIgnored, nil
	}
	if known {
		if caseID, ok, err := h.answerFollowupSMS(ctx, c.ID, body); err != nil {
			return "", err
		} else if ok {
			_ = h.store.SetInboundOutcome(ctx, m.ID, "followup", cid, nil, &caseID)
			return "followup", h.reply(ctx, h.enqueue(ctx), from, cid, nil, sid, "reply", l.T("sms.followup_thanks", "org", org))
		}
		inv, err := h.store.OpenSMSInvitation(ctx, c.ID)
		if err == nil && (inv.ExpiresAt == nil || inv.ExpiresAt.After(h.now())) {
			return h.answer(ctx, inv, c, from, sid, body)
		}
		if err != nil && !errors.Is(err, models.ErrNotFound) {
			return "", err
		}
		if cs, err := h.store.LatestCaseForContact(ctx, c.ID); err == nil {
			if err := h.store.AddCaseEvent(ctx, cs.ID, "reply_received", models.ActorSystem, body); err != nil {
				return "", err
			}
			_ = h.store.SetInboundOutcome(ctx, m.ID, "case_reply", cid, nil, &cs.ID)
			return "case_reply", h.reply(ctx, h.enqueue(ctx), from, cid, nil, sid, "reply", l.T("sms.unknown", "org", org))
		}
	}
	msg := l.T("sms.unknown", "org", org)
	if known {
		msg = l.T("sms.expired", "org", org)
	}
	return outNoSurvey, h.reply(ctx, h.enqueue(ctx), from, cid, nil, sid, "reply", msg)
}

// answer advances the survey conversation by one reply, under a lock on
// the invitation so simultaneous replies are taken one at a time.
func (h *Handler) answer(ctx context.Context, inv models.Invitation, c models.Contact, from, sid, body string) (string, error) {
	def, err := h.store.SurveyByID(ctx, inv.SurveyID)
	if err != nil {
		return "", err
	}
	if inv.StartedAt == nil {
		if err := h.store.MarkInvitationStarted(ctx, inv.ID); err != nil {
			return "", err
		}
	}
	lang := def.Language(inv.Language)
	l := h.catalog.Pick(inv.Language, def.Languages)
	outcome := outAnswer
	var done []survey.Answer
	_, err = h.store.UpdateInvitation(ctx, inv.ID, func(iv *models.Invitation, tx *models.InvitationTx) error {
		answers := h.loadAnswers(def, iv)
		idx := nextVisible(def, answers, iv.CurrentQuestion)
		if idx >= len(def.Questions) {
			return nil // completed meanwhile
		}
		q := def.Questions[idx]
		skip := !q.Required && h.replies.IsSkip(body) // before parsing: "SKIP" is no comment, "no comment" no "no"
		a, ok := h.replies.ParseReply(q, lang, body)
		replyText := ""
		switch {
		case ok && !skip:
			answers = append(answers, a)
			iv.Reprompted = false
			idx = nextVisible(def, answers, idx+1)
		case skip, iv.Reprompted:
			iv.Reprompted = false
			idx = nextVisible(def, answers, idx+1)
		default:
			iv.Reprompted = true
			replyText = l.T("sms.reprompt") + " " + l.SMSPrompt(q)
		}
		iv.CurrentQuestion = idx
		iv.Status = models.InvInProgress
		raw, _ := json.Marshal(survey.Raw(answers))
		iv.AnswersEnc = h.store.Crypto.Seal(string(raw))
		if replyText == "" && idx >= len(def.Questions) {
			now := h.now()
			iv.Status, iv.CompletedAt = models.InvCompleted, &now
			done = answers
			outcome = outComplete
			replyText = l.T("sms.thanks", "org", h.cfg.OrgName)
		} else if replyText == "" {
			replyText = l.SMSPrompt(def.Questions[idx])
		}
		return h.reply(ctx, tx.Enqueue, from, &c.ID, &iv.ID, sid, "reply", replyText)
	})
	if err != nil {
		return "", err
	}
	if done != nil {
		if err := h.complete(ctx, inv, def, lang, done); err != nil {
			return "", err
		}
	}
	return outcome, nil
}

// complete sends the finished conversation through the same intake path as
// a kiosk response (flag rules, routing, case with source sms).
func (h *Handler) complete(ctx context.Context, inv models.Invitation, def survey.Definition, lang string, answers []survey.Answer) error {
	cid := inv.ContactID
	_, err := h.intake.Submit(ctx, triage.Submission{ClientID: "inv-" + strconv.FormatUint(uint64(inv.ID), 10), Survey: def, SurveyID: inv.SurveyID,
		Source: inv.Channel, InvitationID: &inv.ID, DepartmentID: inv.DepartmentID, Language: lang, Answers: answers, SubmittedAt: h.now(), ContactID: &cid})
	return err
}

func (h *Handler) loadAnswers(def survey.Definition, iv *models.Invitation) []survey.Answer {
	plain, err := h.store.Crypto.Open(iv.AnswersEnc)
	if err != nil || plain == "" {
		return nil
	}
	var raw []survey.RawAnswer
	if json.Unmarshal([]byte(plain), &raw) != nil {
		return nil
	}
	var out []survey.Answer
	for _, r := range raw {
		if a, err := def.ParseStored(r); err == nil {
			out = append(out, a)
		}
	}
	return out
}

// nextVisible returns the first question at or after i that the branching
// shows for the answers so far.
func nextVisible(def survey.Definition, answers []survey.Answer, i int) int {
	by := map[string]survey.Answer{}
	for _, a := range answers {
		by[a.Question] = a
	}
	for i < len(def.Questions) && !def.Visible(def.Questions[i], by) {
		i++
	}
	return i
}
