package reports

import (
	"errors"
	"fmt"
	"time"
)

const dayLayout = "2006-01-02"

// Range is an inclusive span of local days in the hospital's time zone,
// with the UTC instants it covers: [Start, End).
type Range struct {
	From, To   string
	Start, End time.Time
	loc        *time.Location
}

// ErrBadRange is wrapped by every date error; its text is for the user.
var ErrBadRange = errors.New("bad date range")

// ParseRange reads from and to (YYYY-MM-DD, inclusive) in loc.
func ParseRange(from, to string, loc *time.Location) (Range, error) {
	if from == "" || to == "" {
		return Range{}, fmt.Errorf("%w: from and to are required (YYYY-MM-DD)", ErrBadRange)
	}
	f, err := time.ParseInLocation(dayLayout, from, loc)
	if err != nil {
		return Range{}, fmt.Errorf("%w: from %q is not a date (YYYY-MM-DD)", ErrBadRange, from)
	}
	t, err := time.ParseInLocation(dayLayout, to, loc)
	if err != nil {
		return Range{}, fmt.Errorf("%w: to %q is not a date (YYYY-MM-DD)", ErrBadRange, to)
	}
	if t.Before(f) {
		return Range{}, fmt.Errorf("%w: to (%s) is before from (%s)", ErrBadRange, to, from)
	}
	if t.Sub(f) > 3700*24*time.Hour {
		return Range{}, fmt.Errorf("%w: at most ten years at a time", ErrBadRange)
	}
	return Range{From: from, To: to, Start: f.UTC(), End: t.AddDate(0, 0, 1).UTC(), loc: loc}, nil
}

// Days is the number of days in the range.
func (r Range) Days() int {
	f, _ := time.ParseInLocation(dayLayout, r.From, r.loc)
	t, _ := time.ParseInLocation(dayLayout, r.To, r.loc)
	n := 0
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// Previous is the range of the same length that ends the day before.
func (r Range) Previous() Range {
	f, _ := time.ParseInLocation(dayLayout, r.From, r.loc)
	n := r.Days()
	pt := f.AddDate(0, 0, -1)
	pf := f.AddDate(0, 0, -n)
	p, _ := ParseRange(pf.Format(dayLayout), pt.Format(dayLayout), r.loc)
	return p
}

// Preset is a named range the dashboard offers.
type Preset struct {
	Key, Label string
}

// Presets are the dashboard's quick ranges.
var Presets = []Preset{{"7d", "Last 7 days"}, {"30d", "Last 30 days"}, {"90d", "Last 90 days"},
	{"month", "This month"}, {"lastmonth", "Last month"}, {"quarter", "Last full quarter"}, {"ytd", "Year to date"}}

// PresetRange resolves a preset at now in loc; ok is false for an unknown key.
func PresetRange(key string, now time.Time, loc *time.Location) (Range, bool) {
	today := now.In(loc)
	d := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, loc)
	var f, t time.Time
	switch key {
	case "7d", "30d", "90d":
		n := map[string]int{"7d": 7, "30d": 30, "90d": 90}[key]
		f, t = d.AddDate(0, 0, -(n-1)), d
	case "month":
		f, t = time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc), d
	case "lastmonth":
		first := time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, loc)
		f, t = first.AddDate(0, -1, 0), first.AddDate(0, 0, -1)
	case "quarter":
		q := (int(d.Month()) - 1) / 3
		first := time.Date(d.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, loc)
		f, t = first.AddDate(0, -3, 0), first.AddDate(0, 0, -1)
	case "ytd":
		f, t = time.Date(d.Year(), 1, 1, 0, 0, 0, 0, loc), d
	default:
		return Range{}, false
	}
	r, err := ParseRange(f.Format(dayLayout), t.Format(dayLayout), loc)
	return r, err == nil
}

// Bucketing groups days for a trend: daily up to a month, weekly (weeks
// start on Monday) up to about six months, monthly beyond.
type Bucketing string

// Bucketings.
const (
	Daily   Bucketing = "day"
	Weekly  Bucketing = "week"
	Monthly Bucketing = "month"
)

// BucketingFor picks the bucketing that keeps a chart readable.
func BucketingFor(r Range) Bucketing {
	switch n := r.Days(); {
	case n <= 31:
		return Daily
	case n <= 190:
		return Weekly
	default:
		return Monthly
	}
}

// Bucket is the label of the bucket a local day falls in.
func (b Bucketing) Bucket(day string) string {
	d, err := time.Parse(dayLayout, day)
	if err != nil {
		return day
	}
	switch b {
	case Weekly:
		off := (int(d.Weekday()) + 6) % 7 // days since Monday
		return d.AddDate(0, 0, -off).Format(dayLayout)
	case Monthly:
		return d.Format("2006-01")
	}
	return day
}

// Buckets lists every bucket of the range in order, so empty ones show.
func (b Bucketing) Buckets(r Range) []string {
	f, _ := time.Parse(dayLayout, r.From)
	t, _ := time.Parse(dayLayout, r.To)
	var out []string
	seen := map[string]bool{}
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		k := b.Bucket(d.Format(dayLayout))
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}
