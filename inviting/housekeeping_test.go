package inviting_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

func TestRemindersAndExpiry(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.Discharge(dischargeJSON("R1", "", "r1@example.org", ""))
		e.Discharge(dischargeJSON("R2", "+13125550160", "", ""))
		e.Tick()
		if len(e.Mail.Mails()) != 1 {
			t.Fatal("no first email")
		}
		e.Clock.Advance(71 * time.Hour)
		e.Server.Inviting.Housekeeping(ctx)
		e.Tick()
		if len(e.Mail.Mails()) != 1 {
			t.Fatal("reminder before 72 h")
		}
		e.Clock.Advance(2 * time.Hour)
		for i := 0; i < 3; i++ {
			e.Server.Inviting.Housekeeping(ctx)
			e.Tick()
		}
		mails := e.Mail.Mails()
		if len(mails) != 2 || !strings.Contains(mails[1].Data, "Reminder") {
			t.Fatalf("exactly one reminder: %d mails", len(mails))
		}
		e.Clock.Advance(7 * 24 * time.Hour)
		e.Server.Inviting.Housekeeping(ctx)
		for _, id := range []uint{1, 2} {
			inv, _ := e.Store.InvitationByID(ctx, id)
			if inv.Status != models.InvExpired {
				t.Fatalf("invitation %d: %s", id, inv.Status)
			}
		}
		if r := e.Call("GET", "/s/"+e.Server.Inviting.Links().Token(1), "", nil); r.Status != 410 {
			t.Fatalf("expired link: %d", r.Status)
		}
		// a reply to an expired SMS survey gets a polite answer, kept for staff
		before := len(e.Twilio.To("+13125550160"))
		e.SMS(e.NextSID(), "+13125550160", "5")
		e.Tick()
		if got := e.Twilio.To("+13125550160"); len(got) != before+1 || !strings.Contains(got[len(got)-1].Body, "ended") {
			t.Fatalf("expired reply: %+v", got)
		}
	})
}

func TestQuietHoursRespectedByDispatch(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		// 15:00 UTC is 21:00 in Dhaka: inside quiet hours, so the SMS waits until 08:00 there
		r := e.Discharge(dischargeJSON("Q1", "+13125550170", "", `,"timezone":"Asia/Dhaka"`))
		if r.JSON()["scheduled_for"] != "2026-11-28T02:00:00Z" {
			t.Fatalf("scheduled_for %v", r.JSON()["scheduled_for"])
		}
		e.Tick()
		if len(e.Twilio.Sent()) != 0 {
			t.Fatal("sent during quiet hours")
		}
		e.Clock.Advance(11 * time.Hour)
		e.Tick()
		if len(e.Twilio.Sent()) != 1 {
			t.Fatal("not sent after quiet hours")
		}
	})
}

// A server that stops between recording a discharge and queueing its first
// message leaves a scheduled invitation without one: housekeeping queues
// it, once, whichever server runs it.
func TestHousekeepingQueuesMissingFirstMessage(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		at := e.Clock.Now()
		exp := at.Add(7 * 24 * time.Hour)
		_, sid, err := e.Store.SurveyByKey(ctx, "post-discharge")
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Store.RecordDischarge(ctx, models.Discharge{ExternalID: "CRASH1", DepartmentID: e.DepartmentID("INPT"), DischargedAt: at.Add(-48 * time.Hour),
			Contact: models.ContactInput{Phone: "+13125550190", Language: "en"}},
			models.Decision{Status: models.InvScheduled, Channel: "sms", Language: "en", SurveyID: sid, ScheduledFor: &at, ExpiresAt: &exp})
		if err != nil {
			t.Fatal(err)
		}
		e.Server.Inviting.Housekeeping(ctx)
		e.Tick()
		if n := len(e.Twilio.To("+13125550190")); n != 0 {
			t.Fatalf("queued before the grace minute: %d", n)
		}
		e.Clock.Advance(2 * time.Minute)
		e.Server.Inviting.Housekeeping(ctx)
		e.Server.Inviting.Housekeeping(ctx)
		e.Tick()
		got := e.Twilio.To("+13125550190")
		if len(got) != 1 || !strings.Contains(got[0].Body, "Saint Example Hospital") {
			t.Fatalf("first message: %+v", got)
		}
		if inv, _ := e.Store.InvitationByID(ctx, res.Invitation.ID); inv.Status != models.InvSent {
			t.Fatalf("invitation %s", inv.Status)
		}
	})
}
