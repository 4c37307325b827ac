package models

import (
	"context"
	"fmt"
	"time"
)

// ExportFilter narrows a CSV export: [From, To), departments (ids; empty
// and not scoped = all), channel and survey.
type ExportFilter struct {
	From, To      time.Time
	DepartmentIDs []uint
	Scoped        bool
	Source        string
	SurveyID      uint
	// Identities adds the patient's name, phone and email (decrypted).
	Identities bool
}

// ExportResponse is one response with its answers by question key.
type ExportResponse struct {
	Response
	Answers            map[string]string
	Name, Phone, Email string
}

type exportRow struct {
	Response
	QuestionKey *string
	IntValue    *int
	BoolValue   *bool
	ChoiceValue *string
	TextEnc     *string
	NameEnc     *string
	PhoneEnc    *string
	EmailEnc    *string
}

// EachResponse streams the responses in the filter, oldest first, with
// their answers, one at a time: memory stays flat whatever the size.
// Suspicious and incomplete responses are included (the columns say so).
func (s *Store) EachResponse(ctx context.Context, f ExportFilter, fn func(ExportResponse) error) error {
	sel := "r.*, a.question_key, a.int_value, a.bool_value, a.choice_value, a.text_enc"
	q := s.ctx(ctx).Table("responses AS r").Joins("LEFT JOIN answers AS a ON a.response_id = r.id")
	if f.Identities {
		sel += ", c.name_enc, c.phone_enc, c.email_enc"
		q = q.Joins("LEFT JOIN contacts AS c ON c.id = r.contact_id")
	}
	q = q.Select(sel).Where("r.submitted_at >= ? AND r.submitted_at < ?", f.From, f.To)
	q = inDepartments(q, "r.department_id", f.DepartmentIDs, f.Scoped)
	if f.Source != "" {
		q = q.Where("r.source = ?", f.Source)
	}
	if f.SurveyID != 0 {
		q = q.Where("r.survey_id = ?", f.SurveyID)
	}
	rows, err := q.Order("r.submitted_at, r.id, a.id").Rows()
	if err != nil {
		return wrap("export responses", err)
	}
	defer rows.Close()
	var cur *ExportResponse
	flush := func() error {
		if cur == nil {
			return nil
		}
		err := fn(*cur)
		cur = nil
		return err
	}
	for rows.Next() {
		var r exportRow
		if err := s.db.ScanRows(rows, &r); err != nil {
			return wrap("export responses", err)
		}
		if cur == nil || cur.ID != r.ID {
			if err := flush(); err != nil {
				return err
			}
			cur = &ExportResponse{Response: r.Response, Answers: map[string]string{}}
			if f.Identities {
				cur.Name, cur.Phone, cur.Email = s.openPtr(r.NameEnc), s.openPtr(r.PhoneEnc), s.openPtr(r.EmailEnc)
			}
		}
		if r.QuestionKey == nil {
			continue
		}
		v := ""
		switch {
		case r.IntValue != nil:
			v = fmt.Sprint(*r.IntValue)
		case r.BoolValue != nil:
			v = map[bool]string{true: "yes", false: "no"}[*r.BoolValue]
		case r.ChoiceValue != nil && *r.ChoiceValue != "":
			v = *r.ChoiceValue
		default:
			v = s.openPtr(r.TextEnc)
		}
		cur.Answers[*r.QuestionKey] = v
	}
	if err := rows.Err(); err != nil {
		return wrap("export responses", err)
	}
	return flush()
}

func (s *Store) openPtr(p *string) string {
	if p == nil || *p == "" {
		return ""
	}
	v, err := s.Crypto.Open(*p)
	if err != nil {
		return "(unreadable)"
	}
	return v
}

// ExportCase is one case row of the cases export.
type ExportCase struct {
	CaseRow
	Summary            string
	Name, Phone, Email string
}

// EachCase streams the cases opened in the filter's range, oldest first.
func (s *Store) EachCase(ctx context.Context, f ExportFilter, fn func(ExportCase) error) error {
	sel := "cases.*, departments.code AS department_code, COALESCE(staff_users.email, '') AS assignee_email"
	q := s.ctx(ctx).Table("cases").
		Joins("JOIN departments ON departments.id = cases.department_id").
		Joins("LEFT JOIN staff_users ON staff_users.id = cases.assignee_id")
	if f.Identities {
		sel += ", contacts.name_enc, contacts.phone_enc, contacts.email_enc"
		q = q.Joins("LEFT JOIN contacts ON contacts.id = cases.contact_id")
	}
	q = q.Select(sel).Where("cases.created_at >= ? AND cases.created_at < ?", f.From, f.To)
	q = inDepartments(q, "cases.department_id", f.DepartmentIDs, f.Scoped)
	if f.Source != "" {
		q = q.Where("cases.source = ?", f.Source)
	}
	rows, err := q.Order("cases.created_at, cases.id").Rows()
	if err != nil {
		return wrap("export cases", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r struct {
			CaseRow
			NameEnc, PhoneEnc, EmailEnc *string
		}
		if err := s.db.ScanRows(rows, &r); err != nil {
			return wrap("export cases", err)
		}
		out := ExportCase{CaseRow: r.CaseRow, Summary: s.openPtr(&r.SummaryEnc)}
		if f.Identities {
			out.Name, out.Phone, out.Email = s.openPtr(r.NameEnc), s.openPtr(r.PhoneEnc), s.openPtr(r.EmailEnc)
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	return wrap("export cases", rows.Err())
}
