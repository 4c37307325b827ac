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

// replyDraft is a message back to the number that wrote, with interactive
// priority; the key ties it to the inbound message so a replay never
// sends it twice.
func replyDraft(to string, contactID *uint, invID *uint, sid, kind, body string) models.Draft {
	return models.Draft{Channel: sms, Kind: kind, To: to, Body: body, ContactID: contactID, InvitationID: invID,
		Priority: models.PriorityInteractive, IdempotencyKey: "in-" + sid + "-reply"}
}

// reply queues a message back to the number that wrote.
func (h *Handler) reply(ctx context.Context, to string, contactID *uint, sid, kind, body string) error {
	_, _, err := h.store.Send(ctx, replyDraft(to, contactID, nil, sid, kind, body))
	return err
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
			return outOptOut, h.reply(ctx, from, cid, sid, "optout_confirm", l.T("sms.opted_out", "org", org))
		}
		return outOptOut, nil
	case kwOptIn:
		if known {
			if err := h.store.SetOptOut(ctx, c.ID, sms, false, "sms keyword"); err != nil {
				return "", err
			}
		}
		if !silent {
			return outOptIn, h.reply(ctx, from, cid, sid, "reply", l.T("sms.opted_in", "org", org))
		}
		return outOptIn, nil
	case kwHelp:
		if !silent {
			return outHelp, h.reply(ctx, from, cid, sid, "reply", l.T("sms.help", "org", org))
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
			return "followup", h.reply(ctx, from, cid, sid, "reply", l.T("sms.followup_thanks", "org", org))
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
			return "case_reply", h.reply(ctx, from, cid, sid, "reply", l.T("sms.unknown", "org", org))
		}
	}
	msg := l.T("sms.unknown", "org", org)
	if known {
		msg = l.T("sms.expired", "org", org)
	}
	return outNoSurvey, h.reply(ctx, from, cid, sid, "reply", msg)
}

// answer advances the survey conversation by one reply. The step is worked
// out from the invitation as read and applied only if no other reply moved
// it meanwhile (then it is worked out again), so simultaneous replies are
// taken one at a time.
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
	for {
		st, reply, done, ok := h.step(def, lang, inv, body)
		if !ok {
			return outAnswer, nil // completed meanwhile
		}
		m, err := h.store.Compose(ctx, replyDraft(from, &c.ID, &inv.ID, sid, "reply", reply))
		if err != nil {
			return "", err
		}
		moved, err := h.store.AdvanceInvitation(ctx, st, m)
		if err != nil {
			return "", err
		}
		if !moved {
			if inv, err = h.store.InvitationByID(ctx, inv.ID); err != nil {
				return "", err
			}
			continue
		}
		if done == nil {
			return outAnswer, nil
		}
		if err := h.complete(ctx, inv, def, lang, done); err != nil {
			return "", err
		}
		return outComplete, nil
	}
}

// step works out what one reply does to the conversation: the next state,
// the text to send back and, when it was the last answer, every answer.
// ok is false when the survey was already complete.
func (h *Handler) step(def survey.Definition, lang string, iv models.Invitation, body string) (st models.SurveyStep, reply string, done []survey.Answer, ok bool) {
	l := h.catalog.Pick(iv.Language, def.Languages)
	answers := h.loadAnswers(def, iv)
	idx := nextVisible(def, answers, iv.CurrentQuestion)
	if idx >= len(def.Questions) {
		return st, "", nil, false
	}
	st = models.SurveyStep{From: iv, Reprompted: iv.Reprompted}
	q := def.Questions[idx]
	skip := !q.Required && h.replies.IsSkip(body) // before parsing: "SKIP" is no comment, "no comment" no "no"
	a, parsed := h.replies.ParseReply(q, lang, body)
	switch {
	case parsed && !skip:
		answers = append(answers, a)
		st.Reprompted = false
		idx = nextVisible(def, answers, idx+1)
	case skip, iv.Reprompted:
		st.Reprompted = false
		idx = nextVisible(def, answers, idx+1)
	default:
		st.Reprompted = true
		reply = l.T("sms.reprompt") + " " + l.SMSPrompt(q)
	}
	st.CurrentQuestion, st.Status, st.CompletedAt = idx, models.InvInProgress, iv.CompletedAt
	raw, _ := json.Marshal(survey.Raw(answers))
	st.Answers = string(raw)
	if reply == "" && idx >= len(def.Questions) {
		now := h.now()
		st.Status, st.CompletedAt = models.InvCompleted, &now
		return st, l.T("sms.thanks", "org", h.cfg.OrgName), answers, true
	}
	if reply == "" {
		reply = l.SMSPrompt(def.Questions[idx])
	}
	return st, reply, nil, true
}

// complete sends the finished conversation through the same intake path as
// a kiosk response (flag rules, routing, case with source sms).
func (h *Handler) complete(ctx context.Context, inv models.Invitation, def survey.Definition, lang string, answers []survey.Answer) error {
	cid := inv.ContactID
	_, err := h.intake.Submit(ctx, triage.Submission{ClientID: "inv-" + strconv.FormatUint(uint64(inv.ID), 10), Survey: def, SurveyID: inv.SurveyID,
		Source: inv.Channel, InvitationID: &inv.ID, DepartmentID: inv.DepartmentID, Language: lang, Answers: answers, SubmittedAt: h.now(), ContactID: &cid})
	return err
}

func (h *Handler) loadAnswers(def survey.Definition, iv models.Invitation) []survey.Answer {
	plain, err := h.store.InvitationAnswers(iv)
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
