package models

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// CaseTx is what a case update may read and record inside its transaction.
type CaseTx struct {
	tx     *gorm.DB
	s      *Store
	events []CaseEvent
	caseID uint
}

// Event appends a timeline event (detail encrypted) to the update.
func (t *CaseTx) Event(kind, actor, detail string, at time.Time) {
	t.events = append(t.events, CaseEvent{CaseID: t.caseID, Kind: kind, Actor: actor, DetailEnc: t.s.Crypto.Seal(detail), At: at})
}

// DepartmentByCode reads a department inside the transaction.
func (t *CaseTx) DepartmentByCode(code string) (Department, error) {
	var d Department
	err := t.tx.Where("code = ?", code).Take(&d).Error
	return d, wrap("department "+code, err)
}

// UserByEmail reads a staff user inside the transaction.
func (t *CaseTx) UserByEmail(email string) (StaffUser, error) {
	var u StaffUser
	err := t.tx.Where("email = ?", strings.ToLower(strings.TrimSpace(email))).Take(&u).Error
	return u, wrap("user "+email, err)
}

// UpdateCase locks a case, lets fn change it and record events, then saves
// both in one transaction. Concurrent updates of one case serialise: on
// one server by the row lock, on a Galera cluster (where that lock holds
// on one node only) at certification, the later update being run again
// on the case as the first left it. fn may therefore run more than once
// and must reset whatever it collects outside the case; the change is
// committed once (a commit marker guards a connection lost during
// COMMIT).
func (s *Store) UpdateCase(ctx context.Context, id uint, fn func(c *Case, tx *CaseTx) error) (Case, error) {
	var c Case
	err := s.writeOnce(ctx, "update case", func(tx *gorm.DB) error {
		c = Case{}
		if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).Take(&c, id).Error; err != nil {
			return err
		}
		ct := &CaseTx{tx: tx, s: s, caseID: id}
		if err := fn(&c, ct); err != nil {
			return err
		}
		if len(ct.events) == 0 {
			return nil
		}
		if err := tx.Save(&c).Error; err != nil {
			return err
		}
		return tx.Create(&ct.events).Error
	})
	return c, wrap("update case", err)
}

// AddCaseEvent appends one event outside a status change (contact sent,
// reply received, identity revealed, letter generated).
func (s *Store) AddCaseEvent(ctx context.Context, caseID uint, kind, actor, detail string) error {
	return wrap("add case event", s.writeOnce(ctx, "add case event", func(tx *gorm.DB) error {
		ev := CaseEvent{CaseID: caseID, Kind: kind, Actor: actor, DetailEnc: s.Crypto.Seal(detail), At: s.Now()}
		if err := tx.Create(&ev).Error; err != nil {
			return err
		}
		return tx.Model(&Case{}).Where("id = ?", caseID).Update("updated_at", s.Now()).Error
	}))
}

// CaseRow is a case with what lists show beside it.
type CaseRow struct {
	Case
	DepartmentCode string
	AssigneeEmail  string
}

// CaseFilter narrows case lists. Zero values do not filter.
type CaseFilter struct {
	Status      []string
	Departments []string // codes; an agent's scope
	// Scoped makes Departments a limit even when empty (an agent with no
	// department sees no case).
	Scoped     bool
	Priority   string
	Source     string
	Grievance  *bool
	AssigneeID *uint
	Open       bool // not resolved or closed
	OverdueAt  time.Time
	// Queue orders by urgency then the next deadline instead of newest
	// first.
	Queue  bool
	Limit  int
	Before uint // cursor: ids below this (newest-first lists)
	Offset int
}

// ErrBadFilter is returned for filter values that name nothing.
var ErrBadFilter = errors.New("bad filter")

// caseColumns names a case's department and assignee with scalar
// subqueries rather than joins: with a join MySQL may drive from the small
// departments table and sort every case, where this keeps the plan on the
// cases' own indexes and looks the names up for the rows returned only.
const caseColumns = "cases.*, (SELECT code FROM departments WHERE departments.id = cases.department_id) AS department_code, " +
	"COALESCE((SELECT email FROM staff_users WHERE staff_users.id = cases.assignee_id), '') AS assignee_email"

func (s *Store) caseQuery(ctx context.Context, f CaseFilter) *gorm.DB {
	q := s.ctx(ctx).Table("cases").Select(caseColumns)
	if len(f.Status) > 0 {
		q = q.Where("cases.status IN ?", f.Status)
	}
	if f.Open {
		q = q.Where("cases.status NOT IN ?", []string{StatusResolved, StatusClosed})
	}
	if len(f.Departments) > 0 || f.Scoped {
		q = q.Where("cases.department_id IN (SELECT id FROM departments WHERE code IN ?)", append([]string{""}, f.Departments...))
	}
	if f.Priority != "" {
		q = q.Where("cases.priority = ?", f.Priority)
	}
	if f.Source != "" {
		q = q.Where("cases.source = ?", f.Source)
	}
	if f.Grievance != nil {
		q = q.Where("cases.grievance = ?", *f.Grievance)
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == 0 {
			q = q.Where("cases.assignee_id IS NULL")
		} else {
			q = q.Where("cases.assignee_id = ?", *f.AssigneeID)
		}
	}
	if !f.OverdueAt.IsZero() {
		q = q.Where("cases.status NOT IN ? AND ((cases.acknowledged_at IS NULL AND cases.acknowledge_by < ?) OR cases.resolve_by < ?)",
			[]string{StatusResolved, StatusClosed}, f.OverdueAt, f.OverdueAt)
	}
	return q
}

// ListCases returns cases matching f.
func (s *Store) ListCases(ctx context.Context, f CaseFilter) ([]CaseRow, error) {
	q := s.caseQuery(ctx, f)
	if f.Before > 0 {
		q = q.Where("cases.id < ?", f.Before)
	}
	if f.Queue {
		q = q.Order("CASE cases.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END").
			Order("CASE WHEN cases.acknowledged_at IS NULL THEN cases.acknowledge_by ELSE cases.resolve_by END").Order("cases.id")
	} else {
		q = q.Order("cases.id DESC")
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	var out []CaseRow
	err := q.Limit(f.Limit).Offset(f.Offset).Scan(&out).Error
	return out, wrap("list cases", err)
}

// CountCases counts cases matching f.
func (s *Store) CountCases(ctx context.Context, f CaseFilter) (int64, error) {
	var n int64
	err := s.caseQuery(ctx, f).Select("COUNT(*)").Scan(&n).Error
	return n, wrap("count cases", err)
}

// CaseRowByID loads one case with its department code and assignee.
func (s *Store) CaseRowByID(ctx context.Context, id uint) (CaseRow, error) {
	var out []CaseRow
	if err := s.caseQuery(ctx, CaseFilter{}).Where("cases.id = ?", id).Limit(1).Scan(&out).Error; err != nil {
		return CaseRow{}, wrap("find case", err)
	}
	if len(out) == 0 {
		return CaseRow{}, fmt.Errorf("find case %d: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// CasesChanged returns a fingerprint of the cases table that changes when
// any case is added or updated; the live queue polls it so every server
// sees changes made by the others.
func (s *Store) CasesChanged(ctx context.Context) (string, error) {
	var row struct {
		N int64
		M *time.Time
	}
	err := s.ctx(ctx).Table("cases").Select("COUNT(*) AS n, MAX(updated_at) AS m").Scan(&row).Error
	if err != nil {
		return "", wrap("cases fingerprint", err)
	}
	m := ""
	if row.M != nil {
		m = row.M.UTC().Format(time.RFC3339Nano)
	}
	return fmt.Sprintf("%d/%s", row.N, m), nil
}

// EscalateOverdue moves every new or acknowledged case past its
// acknowledge deadline to escalated, with a system event, and returns them.
// A conditional UPDATE per case makes it safe on several servers.
func (s *Store) EscalateOverdue(ctx context.Context, now time.Time) ([]Case, error) {
	var due []Case
	err := s.ctx(ctx).Where("status IN ? AND acknowledged_at IS NULL AND acknowledge_by < ?",
		[]string{StatusNew}, now).Order("id").Limit(500).Find(&due).Error
	if err != nil {
		return nil, wrap("find overdue cases", err)
	}
	var done []Case
	for _, c := range due {
		escalated := false
		// the conditional update makes a second run (another server, a
		// retry) a no-op; the marker keeps a lost COMMIT from hiding the
		// escalation from the caller, which notifies
		err := s.writeOnce(ctx, "escalate case", func(tx *gorm.DB) error {
			escalated = false
			res := tx.Model(&Case{}).Where("id = ? AND status = ?", c.ID, c.Status).
				Updates(map[string]any{"status": StatusEscalated, "updated_at": now})
			if res.Error != nil || res.RowsAffected != 1 {
				return res.Error
			}
			ev := CaseEvent{CaseID: c.ID, Kind: "escalated", Actor: ActorSystem, At: now,
				DetailEnc: s.Crypto.Seal("acknowledge deadline passed")}
			if err := tx.Create(&ev).Error; err != nil {
				return err
			}
			escalated = true
			return nil
		})
		if err != nil {
			return done, wrap("escalate case", err)
		}
		if escalated {
			c.Status = StatusEscalated
			done = append(done, c)
		}
	}
	return done, nil
}
