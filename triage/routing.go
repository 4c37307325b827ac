package triage

import (
	"strings"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
)

// RouteInput is what routing rules can match on.
type RouteInput struct {
	Category   string
	Text       string // survey.Normalize'd free text of the response
	MinScore   *int
	Source     string
	Department string // code of the department the response came from
	Urgent     bool
}

// Route is where a case goes.
type Route struct {
	Department string
	Priority   string
	Assignee   string
}

// ApplyRouting tries the rules in order; each matching rule sets what it
// names, and later rules do not undo an earlier setting. Safety outcomes
// are urgent whatever the rules say. With no rule the case stays in its
// department at normal priority.
func ApplyRouting(rules []models.RoutingRule, in RouteInput) Route {
	var r Route
	for _, rule := range rules {
		if !rule.Enabled || !matches(rule, in) {
			continue
		}
		if r.Department == "" && rule.SetDepartment != "" {
			r.Department = rule.SetDepartment
		}
		if r.Priority == "" && ValidPriority(rule.SetPriority) {
			r.Priority = rule.SetPriority
		}
		if r.Assignee == "" && rule.SetAssignee != "" {
			r.Assignee = rule.SetAssignee
		}
	}
	if r.Department == "" {
		r.Department = in.Department
	}
	if r.Priority == "" {
		r.Priority = PriorityNormal
	}
	if in.Urgent {
		r.Priority = PriorityUrgent
	}
	return r
}

func matches(rule models.RoutingRule, in RouteInput) bool {
	if rule.MatchCategory != "" && rule.MatchCategory != in.Category {
		return false
	}
	if rule.MatchSource != "" && rule.MatchSource != in.Source {
		return false
	}
	if rule.MatchDepartment != "" && rule.MatchDepartment != in.Department {
		return false
	}
	if rule.MatchMaxScore != nil && (in.MinScore == nil || *in.MinScore > *rule.MatchMaxScore) {
		return false
	}
	if kw := strings.TrimSpace(rule.MatchKeywords); kw != "" {
		hit := false
		for _, w := range strings.FieldsFunc(kw, func(r rune) bool { return r == ',' || r == '\n' }) {
			if p := survey.Normalize(w); strings.TrimSpace(p) != "" && strings.Contains(in.Text, p) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}
