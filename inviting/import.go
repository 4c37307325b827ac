package inviting

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/survey"
)

// ImportResult is the contract's answer to a CSV import.
type ImportResult struct {
	Accepted int         `json:"accepted"`
	Rejected []Rejection `json:"rejected"`
}

// Rejection names a CSV line (the header is line 1, as a spreadsheet
// shows it) and what is wrong with it.
type Rejection struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

var requiredColumns = []string{"encounter_id", "name", "phone", "email", "language", "department", "discharged_at"}
var optionalColumns = []string{"channel", "disposition", "sensitive", "birth_date", "sms_consent", "timezone"}

// Import reads a discharge CSV and stores every valid line; progress, when
// set, is called after each line.
func (h *Handler) Import(ctx context.Context, r io.Reader, progress func(line int)) (ImportResult, error) {
	return h.readCSV(ctx, r, progress, false)
}

// CheckCSV validates a discharge CSV without storing anything: the same
// answer Import would give, for checking a file before sending it.
func (h *Handler) CheckCSV(ctx context.Context, r io.Reader) (ImportResult, error) {
	return h.readCSV(ctx, r, nil, true)
}

func (h *Handler) readCSV(ctx context.Context, r io.Reader, progress func(line int), dryRun bool) (ImportResult, error) {
	res := ImportResult{Rejected: []Rejection{}}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return res, &survey.FieldError{Field: "header", Message: "the file has no header line"}
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	known := map[string]bool{}
	for _, c := range append(append([]string{}, requiredColumns...), optionalColumns...) {
		known[c] = true
	}
	for name := range col {
		if !known[name] {
			return res, &survey.FieldError{Field: "header", Message: fmt.Sprintf("unknown column %q; optional columns are %s", name, strings.Join(optionalColumns, ","))}
		}
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			return res, &survey.FieldError{Field: "header", Message: fmt.Sprintf("missing column %q; the header must be %s", c, strings.Join(requiredColumns, ","))}
		}
	}
	def, sid, err := h.survey(ctx)
	if err != nil {
		return res, err
	}
	line := 1
	for {
		rec, err := cr.Read()
		line++
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				res.Rejected = append(res.Rejected, Rejection{Line: pe.StartLine, Error: "not valid CSV: " + pe.Err.Error()})
				line = pe.Line
				continue
			}
			return res, err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if err := h.importLine(ctx, get, def, sid, dryRun); err != nil {
			var fe *survey.FieldError
			if !errors.As(err, &fe) {
				return res, fmt.Errorf("line %d: %w", line, err)
			}
			res.Rejected = append(res.Rejected, Rejection{Line: line, Error: csvField(fe.Field) + ": " + fe.Message})
		} else {
			res.Accepted++
		}
		if progress != nil {
			progress(line)
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
	}
	return res, nil
}

func csvField(f string) string { return strings.TrimPrefix(f, "patient.") }

func (h *Handler) importLine(ctx context.Context, get func(string) string, def survey.Definition, sid uint, dryRun bool) error {
	in := Discharge{EncounterID: get("encounter_id"), Department: get("department"), DischargedAt: get("discharged_at"),
		Channel: get("channel"), Disposition: get("disposition"),
		Patient: &DischargePatient{Name: get("name"), Phone: get("phone"), Email: get("email"), Language: get("language"),
			BirthDate: get("birth_date"), Timezone: get("timezone")}}
	var err error
	if in.Sensitive, err = csvBool(get("sensitive"), false); err != nil {
		return &survey.FieldError{Field: "sensitive", Message: err.Error()}
	}
	if v := get("sms_consent"); v != "" {
		b, err := csvBool(v, true)
		if err != nil {
			return &survey.FieldError{Field: "sms_consent", Message: err.Error()}
		}
		in.Patient.SMSConsent = &b
	}
	r, err := h.parseDischarge(ctx, in, def, true)
	if err != nil || dryRun {
		return err
	}
	_, err = h.record(ctx, r, def, sid)
	return err
}

func csvBool(s string, def bool) (bool, error) {
	switch strings.ToLower(s) {
	case "":
		return def, nil
	case "y", "yes", "1", "true":
		return true, nil
	case "n", "no", "0", "false":
		return false, nil
	}
	if b, err := strconv.ParseBool(s); err == nil {
		return b, nil
	}
	return def, fmt.Errorf("%q is not yes or no", s)
}

// ImportFile is Import for the staff upload page.
func (h *Handler) ImportFile(ctx context.Context, r io.Reader, progress func(int)) (any, error) {
	return h.Import(ctx, r, progress)
}

// ImportCSV answers POST /api/discharges/import (text/csv, up to 10 MB).
func (h *Handler) ImportCSV(c *fiber.Ctx) error {
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, "text/csv") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the file as Content-Type: text/csv")
	}
	res, err := h.Import(c.UserContext(), bytes.NewReader(c.Body()), nil)
	if err != nil {
		return err
	}
	return c.JSON(res)
}
