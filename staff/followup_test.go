package staff_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

// resolvedCase opens a staff case with the patient's phone and email and
// resolves it; it returns the case page path.
func resolvedCase(t *testing.T, s *testapp.Staff, summary string) string {
	t.Helper()
	r := s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"wait_time"},
		"priority": {"normal"}, "summary": {summary}, "phone": {"312-555-0111"}, "email": {"p@example.org"}})
	path := strings.Split(r.Header.Get("Location"), "?")[0]
	for _, st := range []string{"acknowledged", "resolved"} {
		if r := s.Post(path, url.Values{"action": {"status"}, "status": {st}}); r.Status != 303 {
			t.Fatalf("%s: %d %s", st, r.Status, r.Body)
		}
	}
	return path
}

func TestSatisfactionFollowup(t *testing.T) {
	testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
		quiet(a)
		ctx := context.Background()
		pw, _ := a.User("ana@h.org", models.RoleAgent)
		s := a.NewStaff()
		s.Login("ana@h.org", pw, "")

		// not before resolution
		r := s.Post("/staff/cases/new", url.Values{"channel": {"phone"}, "department": {"ED"}, "category": {"food"},
			"priority": {"normal"}, "summary": {"Cold dinner"}, "phone": {"312-555-0199"}})
		open := strings.Split(r.Header.Get("Location"), "?")[0]
		if r := s.Post(open+"/followup", url.Values{"channel": {"sms"}}); r.Status != 409 || !strings.Contains(string(r.Body), "resolve the case first") {
			t.Fatalf("follow-up on an open case: %d %s", r.Status, r.Body)
		}

		// by SMS: the patient's YES lands on the case
		path := resolvedCase(t, s, "Waited 5 hours")
		if !strings.Contains(string(s.Get(path).Body), `id="followup-send"`) {
			t.Fatal("no follow-up form on a resolved case")
		}
		if r := s.Post(path+"/followup", url.Values{"channel": {"sms"}}); r.Status != 303 {
			t.Fatalf("follow-up: %d %s", r.Status, r.Body)
		}
		if r := s.Post(path+"/followup", url.Values{"channel": {"sms"}}); r.Status != 409 {
			t.Fatalf("second follow-up: %d", r.Status)
		}
		rows, _ := a.Store.Outbox(ctx, models.OutboxFilter{})
		var fu []models.OutboundMessage
		for _, m := range rows {
			if m.Kind == "followup" {
				fu = append(fu, m)
			}
		}
		if len(fu) != 1 || fu[0].Channel != "sms" {
			t.Fatalf("follow-up messages %+v", fu)
		}
		if o := a.Store.OpenMessage(fu[0]); o.To != "+13125550111" || !strings.Contains(o.Body, "Reply YES or NO") {
			t.Fatalf("sms %+v", o)
		}
		if err := a.Server.Conversations.Receive(ctx, "SM"+strings.Repeat("a", 32), "+13125550111", "Yes"); err != nil {
			t.Fatal(err)
		}
		id := caseID(t, path)
		c, _ := a.Store.CaseByID(ctx, id)
		if c.FollowupAnswer != models.FollowupSatisfied || c.FollowupAnsweredAt == nil {
			t.Fatalf("answer %q", c.FollowupAnswer)
		}
		if !strings.Contains(string(s.Get(path).Body), `<strong class="ok" id="followup-answer">satisfied</strong>`) {
			t.Fatal("case page does not show the answer")
		}
		// a later NO does not overwrite the first answer
		_ = a.Server.Conversations.Receive(ctx, "SM"+strings.Repeat("b", 32), "+13125550111", "no")
		if c, _ = a.Store.CaseByID(ctx, id); c.FollowupAnswer != models.FollowupSatisfied {
			t.Fatalf("answer overwritten: %q", c.FollowupAnswer)
		}

		// by email: a two-button page, first answer kept
		path2 := resolvedCase(t, s, "Rude receptionist")
		if r := s.Post(path2+"/followup", url.Values{"channel": {"email"}}); r.Status != 303 {
			t.Fatalf("email follow-up: %d %s", r.Status, r.Body)
		}
		rows, _ = a.Store.Outbox(ctx, models.OutboxFilter{})
		var link string
		for _, m := range rows {
			if m.Kind == "followup" && m.Channel == "email" {
				link = regexp.MustCompile(`http://[^\s]+/f/[0-9]+\.[0-9a-f]+`).FindString(a.Store.OpenMessage(m).Body)
			}
		}
		if link == "" {
			t.Fatal("no follow-up link in the email")
		}
		u, _ := url.Parse(link)
		if r := s.Get(u.Path); r.Status != 200 || !strings.Contains(string(r.Body), `id="followup-no"`) {
			t.Fatalf("follow-up page: %d", r.Status)
		}
		if r := s.Get(u.Path + "x"); r.Status != 404 {
			t.Fatalf("forged token: %d", r.Status)
		}
		if r := s.Req("POST", u.Path, url.Values{"answer": {"no"}}); r.Status != 200 || !strings.Contains(string(r.Body), "followup-done") {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
		if r := s.Req("POST", u.Path, url.Values{"answer": {"yes"}}); r.Status != 409 {
			t.Fatalf("second answer: %d", r.Status)
		}
		c2, _ := a.Store.CaseByID(ctx, caseID(t, path2))
		if c2.FollowupAnswer != models.FollowupNotSatisfied {
			t.Fatalf("email answer %q", c2.FollowupAnswer)
		}
		evs, _ := a.Store.CaseEvents(ctx, c2.ID)
		if last := evs[len(evs)-1]; last.Kind != "followup_answered" || last.Actor != models.ActorPatient {
			t.Fatalf("timeline %+v", last)
		}
	})
}

func caseID(t *testing.T, path string) uint {
	t.Helper()
	var id uint
	if _, err := fmt.Sscanf(path, "/staff/cases/%d", &id); err != nil {
		t.Fatalf("case path %q: %v", path, err)
	}
	return id
}

// TestConfiguredSLA checks the hospital's own deadlines reach the cases
// staff open (PV_SLA_URGENT=30m/12h, PV_SLA_GRIEVANCE=5d/21d).
func TestConfiguredSLA(t *testing.T) {
	testapp.Each(t, func(c *config.Config) {
		c.SLA.ByPriority["urgent"] = config.Deadline{Acknowledge: 30 * time.Minute, Resolve: 12 * time.Hour}
		c.SLA.Grievance = config.Deadline{Acknowledge: 5 * 24 * time.Hour, Resolve: 21 * 24 * time.Hour}
	}, func(t *testing.T, a *testapp.App) {
		quiet(a)
		pw, _ := a.User("ana@h.org", models.RoleAgent)
		s := a.NewStaff()
		s.Login("ana@h.org", pw, "")
		r := s.Post("/staff/cases/new", url.Values{"channel": {"letter"}, "department": {"ED"}, "category": {"safety"},
			"priority": {"urgent"}, "summary": {"Fall in corridor"}})
		c, err := a.Store.CaseByID(context.Background(), caseID(t, strings.Split(r.Header.Get("Location"), "?")[0]))
		if err != nil {
			t.Fatal(err)
		}
		now := a.Clock.Now()
		if !c.AcknowledgeBy.Equal(now.Add(30*time.Minute)) || !c.ResolveBy.Equal(now.Add(12*time.Hour)) {
			t.Fatalf("deadlines %v / %v; want now+30m / now+12h", c.AcknowledgeBy, c.ResolveBy)
		}
	})
}
