package fhirapi

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/patientvoice/patientvoice/fhir"
	"github.com/patientvoice/patientvoice/models"
)

// dateRange is a half-open time range [From, To); zero sides are open.
type dateRange struct{ From, To time.Time }

// narrow intersects r with another range.
func (r dateRange) narrow(o dateRange) dateRange {
	if !o.From.IsZero() && (r.From.IsZero() || o.From.After(r.From)) {
		r.From = o.From
	}
	if !o.To.IsZero() && (r.To.IsZero() || o.To.Before(r.To)) {
		r.To = o.To
	}
	return r
}

// empty is true when nothing can be in the range.
func (r dateRange) empty() bool { return !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) }

// parseDateSearch reads one FHIR date search value ("ge2026-11-01",
// "lt2026-11-27T15:00:00Z", "2026-11") as the range of instants it
// selects. A value stands for the whole period its precision names (a day,
// a second); a value without a zone is in loc (PV_TIMEZONE). Prefixes eq
// (the default), gt, ge, lt, le; others are refused.
func parseDateSearch(v string, loc *time.Location) (dateRange, error) {
	prefix := "eq"
	if len(v) >= 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, v = v[:2], v[2:]
	}
	start, end, err := parseDatePeriod(v, loc)
	if err != nil {
		return dateRange{}, err
	}
	switch prefix {
	case "eq":
		return dateRange{From: start, To: end}, nil
	case "ge":
		return dateRange{From: start}, nil
	case "gt":
		return dateRange{From: end}, nil
	case "lt":
		return dateRange{To: start}, nil
	case "le":
		return dateRange{To: end}, nil
	}
	return dateRange{}, fmt.Errorf("prefix %q is not supported: use eq, ge, gt, le or lt", prefix)
}

// parseDatePeriod reads a FHIR date, dateTime or instant and returns the
// period its precision covers.
func parseDatePeriod(v string, loc *time.Location) (time.Time, time.Time, error) {
	// a "+" of a zone offset arrives as a space when the client did not
	// escape it
	v = strings.ReplaceAll(strings.TrimSpace(v), " ", "+")
	for _, f := range []struct {
		layout string
		step   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
	} {
		if len(v) == len(f.layout) {
			if t, err := time.ParseInLocation(f.layout, v, loc); err == nil {
				return t, f.step(t), nil
			}
		}
	}
	layout, zoned := dateTimeLayout(v)
	if layout == "" {
		return time.Time{}, time.Time{}, fmt.Errorf("%q is not a FHIR date or dateTime such as 2026-11-01 or 2026-11-01T08:00:00Z", v)
	}
	var t time.Time
	var err error
	if zoned {
		t, err = time.Parse(layout, v)
	} else {
		t, err = time.ParseInLocation(layout, v, loc)
	}
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("%q is not a FHIR dateTime such as 2026-11-01T08:00:00Z", v)
	}
	step := time.Second
	switch {
	case !strings.Contains(layout, ":05"):
		step = time.Minute
	case strings.Contains(layout, ".999"):
		frac := v[strings.Index(v, ".")+1:]
		digits := len(frac) - len(strings.TrimLeft(frac, "0123456789"))
		step = time.Duration(pow10(9 - min(digits, 9)))
	}
	return t.UTC(), t.Add(step).UTC(), nil
}

func pow10(n int) int64 {
	p := int64(1)
	for range n {
		p *= 10
	}
	return p
}

// dateTimeLayout picks the layout of a dateTime by its shape: minutes or
// seconds, fraction or not, zone or not.
func dateTimeLayout(v string) (string, bool) {
	if len(v) < 16 || v[10] != 'T' {
		return "", false
	}
	rest := v[16:]
	layout := "2006-01-02T15:04"
	if strings.HasPrefix(rest, ":") {
		layout += ":05"
		rest = rest[3:]
		if strings.HasPrefix(rest, ".") {
			n := len(rest[1:]) - len(strings.TrimLeft(rest[1:], "0123456789"))
			layout += "." + strings.Repeat("9", n)
			rest = rest[1+n:]
		}
	}
	switch {
	case rest == "":
		return layout, false
	case rest == "Z":
		return layout + "Z07:00", true
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-'):
		return layout + "Z07:00", true
	}
	return "", false
}

// encodeCursor makes the opaque _cursor of the next page.
func encodeCursor(c models.FeedCursor) string {
	raw := strconv.FormatInt(c.ReceivedAt.UTC().UnixNano(), 10) + "." + strconv.FormatUint(uint64(c.ID), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor reads a _cursor back.
func decodeCursor(s string) (models.FeedCursor, error) {
	bad := fhir.Invalid("", "invalid", "_cursor is not one this server made; follow the next link as given")
	bad.Status = 400
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return models.FeedCursor{}, bad
	}
	ns, id, ok := strings.Cut(string(raw), ".")
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseUint(id, 10, 32)
	if !ok || err1 != nil || err2 != nil {
		return models.FeedCursor{}, bad
	}
	return models.FeedCursor{ReceivedAt: time.Unix(0, n).UTC(), ID: uint(i)}, nil
}
