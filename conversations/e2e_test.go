package conversations_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending/sendingtest"
	"github.com/patientvoice/patientvoice/testapp"
)

const authToken = sendingtest.AuthToken

type env = testapp.Messaging

func setup(t *testing.T, fn func(t *testing.T, e *env), mutate ...func(*config.Config)) {
	testapp.EachMessaging(t, fn, mutate...)
}

func dischargeJSON(enc, phone, email, extra string) string {
	return fmt.Sprintf(`{"encounter_id":%q,"department":"INPT","discharged_at":"2026-11-26T10:00:00Z","patient":{"name":"Jane Roe","phone":%q,"email":%q,"language":"en"%s}}`, enc, phone, email, extra)
}

func TestSMSConversationEndToEnd(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		phone := "+13125550142"
		r := e.Discharge(dischargeJSON("E1", "(312) 555-0142", "", ""))
		if r.Status != 202 || r.JSON()["status"] != "scheduled" || r.JSON()["channel"] != "sms" || r.JSON()["reason"] != nil {
			t.Fatalf("discharge: %d %s", r.Status, r.Body)
		}
		if got := r.JSON()["scheduled_for"]; got != "2026-11-27T15:00:00Z" {
			t.Fatalf("scheduled_for %v (discharge + 24 h is past, so now)", got)
		}
		if r2 := e.Discharge(dischargeJSON("E1", "(312) 555-0142", "", "")); r2.Status != 200 || string(r2.Body) != string(r.Body) {
			t.Fatalf("replayed discharge: %d %s", r2.Status, r2.Body)
		}
		e.Tick()
		sent := e.Twilio.To(phone)
		if len(sent) != 1 {
			t.Fatalf("first SMS: %+v", e.Twilio.Sent())
		}
		first := sent[0].Body
		for _, want := range []string{"Saint Example Hospital", "short survey", "Reply STOP to opt out", "1 to 5"} {
			if !strings.Contains(first, want) {
				t.Fatalf("first SMS lacks %q: %s", want, first)
			}
		}
		for _, phi := range []string{"Jane", "Roe", "Inpatient", "INPT", "discharge"} {
			if strings.Contains(first, phi) {
				t.Fatalf("first SMS carries %q: %s", phi, first)
			}
		}
		if sent[0].StatusCallback != "https://pv.hospital.example/webhooks/twilio/status?m=1" || sent[0].ValidityPeriod == "" {
			t.Fatalf("status callback / validity: %+v", sent[0])
		}
		steps := []struct{ in, wantReply string }{
			{"two", "understand?"},
			{"banana", "Sorry, we did not understand"},
			{"Y", "recommend"},
			{"3", "anything else"},
			{"The nurse was rude to my husband", "thank you"},
		}
		for _, s := range steps {
			r := e.SMS(e.NextSID(), phone, s.in)
			if r.Status != 200 || !strings.Contains(string(r.Body), "<Response/>") {
				t.Fatalf("webhook: %d %s", r.Status, r.Body)
			}
			e.Tick()
			got := e.Twilio.To(phone)
			if last := got[len(got)-1].Body; !strings.Contains(strings.ToLower(last), strings.ToLower(s.wantReply)) {
				t.Fatalf("after %q the reply was %q; want it to contain %q", s.in, last, s.wantReply)
			}
		}
		resp, err := e.Store.ResponseByClientID(context.Background(), "inv-1")
		if err != nil || resp.Source != "sms" || !resp.Flagged || resp.CaseID == nil || resp.ContactID == nil {
			t.Fatalf("response %+v %v", resp, err)
		}
		c, _ := e.Store.CaseByID(context.Background(), *resp.CaseID)
		if c.Source != "sms" || !strings.Contains(c.Reasons, "low_score:overall") || !strings.Contains(c.Reasons, "low_nps:recommend") || !strings.Contains(c.Reasons, "keyword:rude") {
			t.Fatalf("case %+v", c)
		}
		ans, _ := e.Store.ResponseAnswers(context.Background(), resp.ID)
		if len(ans) != 4 || ans[3].Value != "The nurse was rude to my husband" {
			t.Fatalf("answers %+v", ans)
		}
		// a reply after completion gets a polite answer and is kept
		before := len(e.Twilio.To(phone))
		e.SMS(e.NextSID(), phone, "one more thing")
		e.Tick()
		if len(e.Twilio.To(phone)) != before+1 {
			t.Fatal("no answer to a message after the survey")
		}
		evs, _ := e.Store.CaseEvents(context.Background(), c.ID)
		if last := evs[len(evs)-1]; last.Kind != "reply_received" {
			t.Fatalf("the reply did not land on the case timeline: %+v", last)
		}
	})
}

func TestWebhookReplayAndSignature(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		phone := "+13125550143"
		e.Discharge(dischargeJSON("E2", phone, "", ""))
		e.Tick()
		var wg sync.WaitGroup
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := e.SMS("SMreplay0000000000000000000000001", phone, "4"); r.Status != 200 {
					t.Errorf("replay: %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		e.Tick()
		if got := len(e.Twilio.To(phone)); got != 2 {
			t.Fatalf("5 concurrent deliveries of one MessageSid sent %d messages; want 2 (invitation + one reply)", got)
		}
		inv, _ := e.Store.InvitationByID(context.Background(), 1)
		if inv.CurrentQuestion != 1 {
			t.Fatalf("the answer was applied %d times", inv.CurrentQuestion)
		}
		form := url.Values{"MessageSid": {"SMbad"}, "From": {phone}, "Body": {"5"}}
		if r := e.Webhook("/webhooks/twilio/sms", form, ""); r.Status != 403 {
			t.Fatalf("missing signature: %d", r.Status)
		}
		if r := e.Webhook("/webhooks/twilio/sms", form, sendingtest.Sign("wrongtoken", "https://pv.hospital.example/webhooks/twilio/sms", form)); r.Status != 403 {
			t.Fatalf("bad signature: %d", r.Status)
		}
		if r := e.Webhook("/webhooks/twilio/sms", form, sendingtest.Sign(authToken, "http://attacker.example/webhooks/twilio/sms", form)); r.Status != 403 {
			t.Fatalf("signature over the Host header accepted: %d", r.Status)
		}
		// status callbacks, out of order: delivered then a late sent
		sid := e.Twilio.To(phone)[0].SID
		for _, st := range []string{"delivered", "sent"} {
			f := url.Values{"MessageSid": {sid}, "MessageStatus": {st}}
			if r := e.Webhook("/webhooks/twilio/status", f, sendingtest.Sign(authToken, "https://pv.hospital.example/webhooks/twilio/status", f)); r.Status != 200 {
				t.Fatalf("status %s: %d", st, r.Status)
			}
		}
		m, _ := e.Store.MessageByID(context.Background(), 1)
		if m.Status != models.OutDelivered {
			t.Fatalf("final status %s", m.Status)
		}
	})
}

func TestOptOutAndHelp(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		phone := "+13125550144"
		e.Discharge(dischargeJSON("E3", phone, "", ""))
		e.Tick()
		e.SMS(e.NextSID(), phone, "5")
		e.Tick()
		n := len(e.Twilio.To(phone))
		e.SMS(e.NextSID(), phone, "HELP")
		e.SMS(e.NextSID(), phone, "STOP")
		e.Tick()
		if got := len(e.Twilio.To(phone)); got != n {
			t.Fatalf("Twilio answers HELP and STOP itself; we sent %d more", got-n)
		}
		e.SMS(e.NextSID(), phone, "4") // after STOP: recorded, not answered
		e.Tick()
		if got := len(e.Twilio.To(phone)); got != n {
			t.Fatal("texted an opted-out number")
		}
		r := e.Discharge(dischargeJSON("E4", phone, "", ""))
		if r.JSON()["status"] != "suppressed" || r.JSON()["reason"] != "opted_out" || r.JSON()["channel"] != nil || r.JSON()["scheduled_for"] != nil {
			t.Fatalf("discharge after STOP: %s", r.Body)
		}
		e.SMS(e.NextSID(), phone, "START")
		// a phrase Twilio does not know is confirmed by us, exactly once
		other := "+13125550145"
		e.Discharge(dischargeJSON("E5", other, "", ""))
		e.Tick()
		e.SMS(e.NextSID(), other, "No más")
		e.Tick()
		got := e.Twilio.To(other)
		if len(got) != 2 || !strings.Contains(got[1].Body, "no more messages") {
			t.Fatalf("PARAR/NO MAS confirmation: %+v", got)
		}
		c, _ := e.Store.ContactByPhone(context.Background(), other)
		if !c.SMSOptOut || c.SMSOptOutSource == "" || c.SMSOptOutAt == nil {
			t.Fatalf("opt-out not recorded: %+v", c)
		}
	})
}

func TestHelpAnsweredWhenNotManaged(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		phone := "+13125550146"
		e.SMS(e.NextSID(), phone, "HELP")
		e.Tick()
		got := e.Twilio.To(phone)
		if len(got) != 1 || !strings.Contains(got[0].Body, "Saint Example Hospital") || !strings.Contains(got[0].Body, "STOP") {
			t.Fatalf("HELP answer: %+v", got)
		}
	}, func(c *config.Config) { c.Twilio.ManagedOptOut = false })
}

func TestEmailSurveyEndToEnd(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		r := e.Discharge(dischargeJSON("E6", "", "Jane.Roe@Example.org", `,"language":"es"`))
		if r.Status != 202 || r.JSON()["channel"] != "email" {
			t.Fatalf("email discharge: %d %s", r.Status, r.Body)
		}
		e.Tick()
		mails := e.Mail.Mails()
		if len(mails) != 1 || mails[0].To[0] != "jane.roe@example.org" {
			t.Fatalf("mails %+v", mails)
		}
		msg, err := mail.ReadMessage(strings.NewReader(mails[0].Data))
		if err != nil {
			t.Fatal(err)
		}
		if u := msg.Header.Get("List-Unsubscribe"); !strings.HasPrefix(u, "<https://pv.hospital.example/unsubscribe/1.") {
			t.Fatalf("List-Unsubscribe %q", u)
		}
		if msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" || !strings.HasPrefix(msg.Header.Get("Content-Type"), "multipart/alternative") {
			t.Fatalf("headers %v", msg.Header)
		}
		data := strings.ReplaceAll(mails[0].Data, "=\r\n", "")
		for _, want := range []string{"text/plain", "text/html", "https://pv.hospital.example/s/1."} {
			if !strings.Contains(data, want) {
				t.Fatalf("email lacks %q:\n%s", want, data)
			}
		}
		tok := e.Server.Inviting.Links().Token(1)
		page := e.Call("GET", "/s/"+tok, "", nil)
		if page.Status != 200 || !strings.Contains(string(page.Body), "¿Cómo calificaría") || !strings.Contains(string(page.Body), `lang="es"`) {
			t.Fatalf("survey page %d %s", page.Status, page.Body)
		}
		if r := e.Call("GET", "/s/1.deadbeef", "", nil); r.Status != 404 {
			t.Fatalf("forged token: %d", r.Status)
		}
		post := func(form url.Values) testapp.Result {
			req := httptest.NewRequest("POST", "/s/"+tok, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp := e.Do(req)
			defer resp.Body.Close()
			b := make([]byte, 1<<16)
			n, _ := resp.Body.Read(b)
			return testapp.Result{Status: resp.StatusCode, Body: b[:n]}
		}
		if r := post(url.Values{"q_overall": {"5"}}); r.Status != 400 {
			t.Fatalf("missing required answers: %d", r.Status)
		}
		if r := post(url.Values{"q_overall": {"5"}, "q_explained": {"yes"}, "q_recommend": {"10"}, "q_comment": {"Muy buena atención"}}); r.Status != 200 {
			t.Fatalf("submit: %d %s", r.Status, r.Body)
		}
		if r := post(url.Values{"q_overall": {"1"}, "q_explained": {"no"}, "q_recommend": {"0"}}); r.Status != 409 {
			t.Fatalf("second submit: %d", r.Status)
		}
		resp, err := e.Store.ResponseByClientID(context.Background(), "inv-1")
		if err != nil || resp.Source != "email" || resp.Flagged || resp.Language != "es" {
			t.Fatalf("response %+v %v", resp, err)
		}
		if r := e.Call("GET", "/unsubscribe/"+tok, "", nil); r.Status != 200 {
			t.Fatalf("unsubscribe page %d", r.Status)
		}
		c, _ := e.Store.ContactRow(context.Background(), resp.ContactIDValue())
		if c.EmailOptOut {
			t.Fatal("a GET unsubscribed")
		}
		if r := e.Call("POST", "/unsubscribe/"+tok, "", "List-Unsubscribe=One-Click"); r.Status != 200 {
			t.Fatalf("one-click unsubscribe %d", r.Status)
		}
		c, _ = e.Store.ContactRow(context.Background(), resp.ContactIDValue())
		if !c.EmailOptOut {
			t.Fatal("one-click unsubscribe did not opt out")
		}
		e.Clock.Advance(40 * 24 * time.Hour)
		r = e.Discharge(dischargeJSON("E7", "", "jane.roe@example.org", ""))
		if r.JSON()["reason"] != "opted_out" {
			t.Fatalf("discharge after unsubscribe: %s", r.Body)
		}
	})
}
