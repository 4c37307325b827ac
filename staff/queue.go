package staff

import (
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/triage"
)

type queueFilter struct {
	Status, Department, Priority, Source, Grievance, Assignee, Overdue string
}

type queueRow struct {
	models.CaseRow
	Overdue  bool
	Deadline time.Time
	DueIn    string
}

type count struct {
	Label, Query string
	N            int64
	Active       bool
}

type queueData struct {
	Filter      queueFilter
	Rows        []queueRow
	Counts      []count
	Departments []models.Department
	Users       []models.StaffUser
	Statuses    []string
	Priorities  []string
	Total       int64
}

func (f queueFilter) query() url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"status": f.Status, "department": f.Department, "priority": f.Priority,
		"source": f.Source, "grievance": f.Grievance, "assignee": f.Assignee, "overdue": f.Overdue} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v
}

// toFilter turns the page's filter into a store filter within the user's
// department scope.
func (h *Handler) toFilter(f queueFilter, u models.StaffUser) models.CaseFilter {
	codes, limited := scope(u)
	cf := models.CaseFilter{Departments: codes, Scoped: limited, Priority: f.Priority, Source: f.Source, Queue: true, Limit: 200}
	switch f.Status {
	case "", "open":
		cf.Open = true
	case "all":
	default:
		cf.Status = []string{f.Status}
	}
	if f.Department != "" {
		if !inScope(u, f.Department) {
			cf.Departments = []string{"-"}
		} else {
			cf.Departments = []string{f.Department}
		}
	}
	if f.Grievance != "" {
		g := f.Grievance == "yes"
		cf.Grievance = &g
	}
	switch f.Assignee {
	case "":
	case "me":
		cf.AssigneeID = &u.ID
	case "none":
		zero := uint(0)
		cf.AssigneeID = &zero
	default:
		if id, err := strconv.ParseUint(f.Assignee, 10, 64); err == nil {
			uid := uint(id)
			cf.AssigneeID = &uid
		}
	}
	if f.Overdue == "yes" {
		cf.OverdueAt = h.now()
	}
	return cf
}

// Queue answers GET /staff/: open cases sorted by urgency then deadline,
// with filters, counts per filter, overdue cases highlighted; the page
// refreshes itself from /staff/events.
func (h *Handler) Queue(c *fiber.Ctx) error {
	ctx := c.UserContext()
	u := principal(c).User
	f := queueFilter{Status: c.Query("status"), Department: c.Query("department"), Priority: c.Query("priority"),
		Source: c.Query("source"), Grievance: c.Query("grievance"), Assignee: c.Query("assignee"), Overdue: c.Query("overdue")}
	cf := h.toFilter(f, u)
	rows, err := h.store.ListCases(ctx, cf)
	if err != nil {
		return err
	}
	total, err := h.store.CountCases(ctx, cf)
	if err != nil {
		return err
	}
	now := h.now()
	d := queueData{Filter: f, Total: total, Statuses: triage.Statuses, Priorities: triage.Priorities}
	for _, r := range rows {
		dl := triage.NextDeadline(r.Case)
		d.Rows = append(d.Rows, queueRow{CaseRow: r, Overdue: triage.Overdue(r.Case, now), Deadline: dl, DueIn: humanDue(dl.Sub(now))})
	}
	if d.Counts, err = h.counts(c, f, u); err != nil {
		return err
	}
	if d.Departments, err = h.store.Departments(ctx); err != nil {
		return err
	}
	if d.Users, err = h.store.Users(ctx); err != nil {
		return err
	}
	if c.Query("partial") == "1" {
		return c.Render("staff/queue_rows", page{Org: h.cfg.OrgName, Loc: h.cfg.Location, Now: now, Data: d})
	}
	return h.render(c, "staff/queue", "Queue", "queue", d)
}

// counts are the quick filters with how many cases each holds.
func (h *Handler) counts(c *fiber.Ctx, cur queueFilter, u models.StaffUser) ([]count, error) {
	yes := "yes"
	list := []struct {
		label string
		f     queueFilter
	}{
		{"All open", queueFilter{}},
		{"Urgent", queueFilter{Priority: triage.PriorityUrgent}},
		{"Overdue", queueFilter{Overdue: yes}},
		{"New", queueFilter{Status: models.StatusNew}},
		{"Escalated", queueFilter{Status: models.StatusEscalated}},
		{"Grievances", queueFilter{Grievance: yes}},
		{"Mine", queueFilter{Assignee: "me"}},
		{"Unassigned", queueFilter{Assignee: "none"}},
	}
	out := make([]count, 0, len(list))
	for _, l := range list {
		n, err := h.store.CountCases(c.UserContext(), h.toFilter(l.f, u))
		if err != nil {
			return nil, err
		}
		out = append(out, count{Label: l.label, Query: l.f.query().Encode(), N: n, Active: l.f == cur})
	}
	return out, nil
}

func humanDue(d time.Duration) string {
	late := d < 0
	if late {
		d = -d
	}
	var s string
	switch {
	case d < time.Hour:
		s = strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		s = strconv.Itoa(int(d.Hours())) + " h"
	default:
		s = strconv.Itoa(int(d.Hours()/24)) + " days"
	}
	if late {
		return s + " overdue"
	}
	return "in " + s
}
