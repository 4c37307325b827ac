package staff

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/triage"
)

type rulesData struct {
	Routing     []models.RoutingRule
	Flags       []models.FlagRule
	Departments []models.Department
	Categories  []string
	Priorities  []string
}

// Rules answers GET /staff/admin/rules: routing rules (first match sets
// department, priority, assignee) and flag rules (thresholds, words).
func (h *Handler) Rules(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var d rulesData
	var err error
	if d.Routing, err = h.store.RoutingRules(ctx); err != nil {
		return err
	}
	if d.Flags, err = h.store.FlagRuleRows(ctx); err != nil {
		return err
	}
	if d.Departments, err = h.store.Departments(ctx); err != nil {
		return err
	}
	d.Categories, d.Priorities = survey.Categories, triage.Priorities
	return h.render(c, "staff/rules", "Routing and flag rules", "admin", d)
}

// SaveRules answers POST /staff/admin/rules. Changes reach every server
// within 15 seconds (the rules cache).
func (h *Handler) SaveRules(c *fiber.Ctx) error {
	ctx := c.UserContext()
	action := c.FormValue("action")
	id, _ := strconv.ParseUint(c.FormValue("id"), 10, 64)
	switch action {
	case "routing-save", "routing-add":
		r := models.RoutingRule{ID: uint(id), Name: strings.TrimSpace(c.FormValue("name")), MatchCategory: c.FormValue("match_category"),
			MatchKeywords: strings.TrimSpace(c.FormValue("match_keywords")), MatchSource: c.FormValue("match_source"),
			MatchDepartment: c.FormValue("match_department"), SetDepartment: c.FormValue("set_department"),
			SetPriority: c.FormValue("set_priority"), SetAssignee: strings.ToLower(strings.TrimSpace(c.FormValue("set_assignee"))),
			Enabled: c.FormValue("enabled") == "on"}
		r.Position, _ = strconv.Atoi(c.FormValue("position"))
		if s := strings.TrimSpace(c.FormValue("match_max_score")); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 5 {
				return fiber.NewError(fiber.StatusBadRequest, "The lowest score to match must be 1 to 5.")
			}
			r.MatchMaxScore = &n
		}
		if r.Name == "" || (r.MatchCategory != "" && !survey.IsCategory(r.MatchCategory)) || (r.SetPriority != "" && !triage.ValidPriority(r.SetPriority)) {
			return fiber.NewError(fiber.StatusBadRequest, "A rule needs a name, and a known category and priority.")
		}
		if action == "routing-add" {
			r.ID = 0
		}
		if err := h.store.SaveRoutingRule(ctx, &r); err != nil {
			return err
		}
	case "routing-delete":
		if err := h.store.DeleteRoutingRule(ctx, uint(id)); err != nil {
			return err
		}
	case "flag-save":
		rows, err := h.store.FlagRuleRows(ctx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.ID != uint(id) {
				continue
			}
			if r.Kind == "low_rating" || r.Kind == "low_nps" {
				n, err := strconv.Atoi(c.FormValue("threshold"))
				if err != nil || n < -1 || n > 10 {
					return fiber.NewError(fiber.StatusBadRequest, "The threshold must be a number from -1 (off) to 10.")
				}
				r.Threshold = n
			} else {
				r.Words = strings.TrimSpace(c.FormValue("words"))
			}
			r.Enabled = c.FormValue("enabled") == "on"
			if err := h.store.SaveFlagRule(ctx, r); err != nil {
				return err
			}
		}
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Unknown action.")
	}
	_ = h.store.Audit(ctx, principal(c).User.Email, "rules.change", "rule:"+c.FormValue("id"), ip(c), action)
	return c.Redirect("/staff/admin/rules?flash=rules-saved", fiber.StatusSeeOther)
}
