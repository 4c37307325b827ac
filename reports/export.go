package reports

import (
	"context"
	"encoding/csv"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// ExportFilter turns a dashboard query into the export's filter.
func (s *Service) exportFilter(ctx context.Context, q Query, identities bool) (models.ExportFilter, map[uint]string, error) {
	ids, scoped, depts, err := s.scope(ctx, q)
	if err != nil {
		return models.ExportFilter{}, nil, err
	}
	codes := map[uint]string{}
	for _, d := range depts {
		codes[d.ID] = d.Code
	}
	return models.ExportFilter{From: q.Range.Start, To: q.Range.End, DepartmentIDs: ids, Scoped: scoped, Source: q.Channel,
		SurveyID: q.SurveyID, Identities: identities}, codes, nil
}

// questionColumns lists the question keys of the surveys in the export,
// survey by survey in question order, each once.
func (s *Service) questionColumns(ctx context.Context, surveyID uint) ([]string, map[uint]string, error) {
	svs, err := s.store.Surveys(ctx)
	if err != nil {
		return nil, nil, err
	}
	var cols []string
	seen := map[string]bool{}
	keys := map[uint]string{}
	for _, sv := range svs {
		keys[sv.ID] = sv.Key
		if surveyID != 0 && sv.ID != surveyID {
			continue
		}
		def, err := s.store.SurveyByID(ctx, sv.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, q := range def.Questions {
			if !seen[q.Key] {
				seen[q.Key] = true
				cols = append(cols, q.Key)
			}
		}
	}
	return cols, keys, nil
}

// csvSafe keeps a spreadsheet from running a cell as a formula (CSV
// injection): a leading = + - @ tab or CR gets a quote mark in front.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func localTime(t *time.Time, loc *time.Location) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// WriteResponses streams the responses of the query as CSV and returns
// how many rows it wrote. Identities are added only when asked (the
// caller checks the role).
func (s *Service) WriteResponses(ctx context.Context, w io.Writer, q Query, identities bool) (int, error) {
	f, codes, err := s.exportFilter(ctx, q, identities)
	if err != nil {
		return 0, err
	}
	cols, surveys, err := s.questionColumns(ctx, q.SurveyID)
	if err != nil {
		return 0, err
	}
	head := []string{"response_id", "submitted_at", "department", "channel", "survey", "survey_version", "language", "flagged", "suspicious", "completed", "case_id"}
	head = append(head, cols...)
	head = append(head, "other_answers")
	if identities {
		head = append(head, identityColumns...)
	}
	out, err := newCSVStream(w, head)
	if err != nil {
		return 0, err
	}
	loc := s.cfg.Location
	known := map[string]bool{}
	for _, c := range cols {
		known[c] = true
	}
	err = s.store.EachResponse(ctx, f, func(r models.ExportResponse) error {
		rec := make([]string, 0, len(head))
		caseID := ""
		if r.CaseID != nil {
			caseID = strconv.FormatUint(uint64(*r.CaseID), 10)
		}
		rec = append(rec, strconv.FormatUint(uint64(r.ID), 10), localTime(&r.SubmittedAt, loc), codes[r.DepartmentID], r.Source,
			surveys[r.SurveyID], strconv.Itoa(r.SurveyVersion), r.Language, strconv.FormatBool(r.Flagged),
			strconv.FormatBool(r.Suspicious), strconv.FormatBool(r.Completed), caseID)
		for _, c := range cols {
			rec = append(rec, csvSafe(r.Answers[c]))
		}
		var other []string
		for k, v := range r.Answers {
			if !known[k] {
				other = append(other, k+"="+v)
			}
		}
		sort.Strings(other)
		rec = append(rec, csvSafe(strings.Join(other, "; ")))
		if identities {
			rec = append(rec, identity(r.Name, r.Phone, r.Email)...)
		}
		return out.write(rec)
	})
	return out.close(err)
}

// WriteCases streams the cases opened in the query's range as CSV.
func (s *Service) WriteCases(ctx context.Context, w io.Writer, q Query, identities bool) (int, error) {
	f, _, err := s.exportFilter(ctx, q, identities)
	if err != nil {
		return 0, err
	}
	head := []string{"case_id", "created_at", "status", "priority", "category", "department", "source", "channel", "grievance", "reasons",
		"acknowledge_by", "acknowledged_at", "resolve_by", "resolved_at", "assignee", "followup", "summary"}
	if identities {
		head = append(head, identityColumns...)
	}
	out, err := newCSVStream(w, head)
	if err != nil {
		return 0, err
	}
	loc := s.cfg.Location
	err = s.store.EachCase(ctx, f, func(c models.ExportCase) error {
		rec := []string{strconv.FormatUint(uint64(c.ID), 10), localTime(&c.CreatedAt, loc), c.Status, c.Priority, c.Category,
			c.DepartmentCode, c.Source, c.Channel, strconv.FormatBool(c.Grievance), c.Reasons,
			localTime(&c.AcknowledgeBy, loc), localTime(c.AcknowledgedAt, loc), localTime(&c.ResolveBy, loc), localTime(c.ResolvedAt, loc),
			c.AssigneeEmail, c.FollowupAnswer, csvSafe(c.Summary)}
		if identities {
			rec = append(rec, identity(c.Name, c.Phone, c.Email)...)
		}
		return out.write(rec)
	})
	return out.close(err)
}

var identityColumns = []string{"patient_name", "patient_phone", "patient_email"}

// identity is the identity columns' values; phones are stored E.164, so
// only name and email can carry a formula.
func identity(name, phone, email string) []string {
	return []string{csvSafe(name), phone, csvSafe(email)}
}

// csvStream writes records and flushes every thousand, so an export
// reaches the client as it is read instead of all at the end.
type csvStream struct {
	w *csv.Writer
	n int // records written, without the header
}

func newCSVStream(w io.Writer, head []string) (*csvStream, error) {
	c := &csvStream{w: csv.NewWriter(w)}
	return c, c.w.Write(head)
}

func (c *csvStream) write(rec []string) error {
	if err := c.w.Write(rec); err != nil {
		return err
	}
	c.n++
	if c.n%1000 == 0 {
		c.w.Flush()
		return c.w.Error()
	}
	return nil
}

// close flushes and returns the records written and the first error.
func (c *csvStream) close(err error) (int, error) {
	c.w.Flush()
	if err == nil {
		err = c.w.Error()
	}
	return c.n, err
}
