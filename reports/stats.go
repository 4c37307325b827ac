// Package reports turns the rollups and cases into the numbers management
// reads: CSAT top-box, NPS, the invitation funnel, complaint counts and
// handling times, for the dashboard, the summary API, CSV exports and the
// weekly email.
package reports

import (
	"math"
	"sort"
	"time"

	"github.com/patientvoice/patientvoice/models"
)

// Score is the satisfaction figures of one group of rollup rows.
type Score struct {
	Responses  int64
	Rating5    int64 // rating5 answers
	Top        int64 // of which 5
	NPSN       int64 // nps answers
	Promoters  int64
	Detractors int64
	YesNoN     int64
	Yes        int64
	Sum        int64 // of rating5 values, for the mean
}

// Add folds one summed rollup row in.
func (s *Score) Add(r models.ReportSum) {
	switch r.Kind {
	case "":
		s.Responses += r.N
	case "rating5":
		s.Rating5 += r.N
		s.Top += r.Top
		s.Sum += r.Sum
	case "nps":
		s.NPSN += r.N
		s.Promoters += r.Promoters
		s.Detractors += r.Detractors
	case "yesno":
		s.YesNoN += r.N
		s.Yes += r.Yes
	}
}

// TopBox is the share of rating5 answers that are 5, unrounded; nil with
// no answers.
func (s Score) TopBox() *float64 { return ratio(s.Top, s.Rating5) }

// YesShare is the share of yes/no answers that are yes.
func (s Score) YesShare() *float64 { return ratio(s.Yes, s.YesNoN) }

// Mean is the average rating5 value.
func (s Score) Mean() *float64 { return ratio(s.Sum, s.Rating5) }

// NPS is %promoters minus %detractors, -100..100, rounded to one decimal.
func (s Score) NPS() *float64 {
	if s.NPSN == 0 {
		return nil
	}
	v := Round1(float64(s.Promoters-s.Detractors) * 100 / float64(s.NPSN))
	return &v
}

// Round1 rounds to one decimal, halves away from zero.
func Round1(v float64) float64 { return math.Round(v*10) / 10 }

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	v := float64(a) / float64(b)
	return &v
}

// Percentile is the p-th percentile (0..100) of ds by the nearest-rank
// method: the smallest value with at least p% of values at or below it.
func Percentile(ds []time.Duration, p float64) (time.Duration, bool) {
	if len(ds) == 0 {
		return 0, false
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(math.Ceil(p / 100 * float64(len(s))))
	rank = max(rank, 1)
	return s[rank-1], true
}

// Change is cur minus prev when both exist.
func Change(cur, prev *float64) *float64 {
	if cur == nil || prev == nil {
		return nil
	}
	v := *cur - *prev
	return &v
}
