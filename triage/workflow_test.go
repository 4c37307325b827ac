package triage

import (
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

func TestTransitions(t *testing.T) {
	allowed := map[string]bool{
		"new>acknowledged": true, "new>escalated": true, "new>resolved": true,
		"acknowledged>in_progress": true, "acknowledged>escalated": true, "acknowledged>resolved": true,
		"in_progress>escalated": true, "in_progress>resolved": true,
		"escalated>in_progress": true, "escalated>resolved": true,
		"resolved>closed": true, "resolved>in_progress": true,
		"closed>in_progress": true,
	}
	for _, from := range Statuses {
		for _, to := range Statuses {
			if got := CanTransition(from, to); got != allowed[from+">"+to] {
				t.Errorf("%s -> %s: got %v", from, to, got)
			}
		}
	}
}

func TestDeadlines(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	h := time.Hour
	cases := []struct {
		priority  string
		grievance bool
		ack, res  time.Duration
	}{
		{PriorityUrgent, false, h, 24 * h},
		{PriorityHigh, false, 24 * h, 72 * h},
		{PriorityNormal, false, 72 * h, 14 * 24 * h},
		{PriorityLow, false, 7 * 24 * h, 30 * 24 * h},
		{PriorityLow, true, 7 * 24 * h, 30 * 24 * h},
		{PriorityNormal, true, 72 * h, 14 * 24 * h}, // stricter of the two clocks
		{"bogus", false, 72 * h, 14 * 24 * h},
	}
	for _, c := range cases {
		ack, res := DefaultSLA().Deadlines(c.priority, c.grievance, at)
		if !ack.Equal(at.Add(c.ack)) || !res.Equal(at.Add(c.res)) {
			t.Errorf("%s grievance=%v: %v %v", c.priority, c.grievance, ack.Sub(at), res.Sub(at))
		}
	}
}

func TestRouting(t *testing.T) {
	one := 1
	rules := []models.RoutingRule{
		{Enabled: true, MatchCategory: "safety", SetPriority: "urgent"},
		{Enabled: true, MatchCategory: "billing", SetDepartment: "BILL"},
		{Enabled: true, MatchMaxScore: &one, SetPriority: "high"},
		{Enabled: true, MatchKeywords: "parking, valet", SetDepartment: "ADMIN", SetAssignee: "facilities@h.org"},
		{Enabled: false, MatchSource: "kiosk", SetPriority: "low"},
		{Enabled: true, MatchSource: "sms", MatchDepartment: "ED", SetPriority: "low"},
	}
	low := 1
	cases := []struct {
		in   RouteInput
		want Route
	}{
		{RouteInput{Category: "other", Department: "ED", Source: "kiosk"}, Route{"ED", "normal", ""}},
		{RouteInput{Category: "billing", Department: "ED", MinScore: &low}, Route{"BILL", "high", ""}},
		{RouteInput{Category: "safety", Department: "INPT", Urgent: true}, Route{"INPT", "urgent", ""}},
		{RouteInput{Category: "facility", Department: "ED", Text: " the valet lost my keys "}, Route{"ADMIN", "normal", "facilities@h.org"}},
		{RouteInput{Category: "other", Department: "ED", Source: "sms"}, Route{"ED", "low", ""}},
		{RouteInput{Category: "other", Department: "INPT", Source: "sms"}, Route{"INPT", "normal", ""}},
		{RouteInput{Category: "other", Department: "ED", Source: "sms", Urgent: true}, Route{"ED", "urgent", ""}},
	}
	for i, c := range cases {
		if got := ApplyRouting(rules, c.in); got != c.want {
			t.Errorf("%d: got %+v, want %+v", i, got, c.want)
		}
	}
}

func TestOverdue(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	ack := now.Add(-time.Minute)
	c := models.Case{Status: "new", AcknowledgeBy: ack, ResolveBy: now.Add(time.Hour)}
	if !Overdue(c, now) {
		t.Fatal("unacknowledged past deadline should be overdue")
	}
	c.AcknowledgedAt = &ack
	if Overdue(c, now) || !NextDeadline(c).Equal(c.ResolveBy) {
		t.Fatal("acknowledged case within resolve deadline is not overdue")
	}
	c.Status = "resolved"
	c.ResolveBy = now.Add(-time.Hour)
	if Overdue(c, now) {
		t.Fatal("resolved case is never overdue")
	}
}
