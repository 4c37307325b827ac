// Package chart draws the reports' charts as inline SVG on the server:
// no JavaScript, printable, and every mark carries a <title> so its
// number shows on hover and reaches screen readers. The dashboard also
// prints the numbers in a table beneath each chart.
package chart

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one named line or bar stack layer. A NaN value is a gap.
type Series struct {
	Name   string
	Class  string // CSS class giving its colour (s1..s4)
	Values []float64
}

// Spec describes a chart over Labels (the x axis).
type Spec struct {
	ID     string // unique on the page, for aria-labelledby
	Title  string
	Labels []string
	Series []Series
	// Min and Max fix the y axis (lines); zero both to fit the data.
	Min, Max float64
	Unit     string // appended to values: "%", ""
}

const (
	width, height         = 720.0, 240.0
	left, right, top, bot = 44.0, 12.0, 12.0, 40.0
)

func esc(s string) string { return html.EscapeString(s) }

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func fmtNum(v float64, unit string) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f%s", v, unit)
	}
	return fmt.Sprintf("%.1f%s", v, unit)
}

func open(b *strings.Builder, s Spec) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t" preserveAspectRatio="xMidYMid meet"><title id="%s-t">%s</title>`,
		width, height, esc(s.ID), esc(s.ID), esc(s.Title))
}

func axes(b *strings.Builder, s Spec, lo, hi float64) (y func(float64) float64) {
	ph := height - top - bot
	y = func(v float64) float64 { return top + ph - (v-lo)/(hi-lo)*ph }
	steps := tickSteps(hi - lo)
	for i := 0; i <= steps; i++ {
		v := lo + (hi-lo)*float64(i)/float64(steps)
		fmt.Fprintf(b, `<line class="grid" x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f"/><text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`,
			left, width-right, y(v), y(v), left-6, y(v)+4, esc(fmtNum(v, s.Unit)))
	}
	n := len(s.Labels)
	step := max(1, int(math.Ceil(float64(n)/12)))
	for i, l := range s.Labels {
		if i%step != 0 {
			continue
		}
		fmt.Fprintf(b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, xCenter(i, n), height-bot+16, esc(short(l)))
	}
	return y
}

// tickSteps divides a 1, 2 or 5 times a power of ten span into round
// steps: 5 for 1 and 5 (0.2, 1), 4 for 2 (0.5); a fixed span such as 200
// (NPS) gets 4.
func tickSteps(span float64) int {
	m := span / math.Pow(10, math.Floor(math.Log10(span)))
	switch {
	case math.Abs(m-2) < 1e-9:
		return 4
	case math.Abs(m-1) < 1e-9 || math.Abs(m-5) < 1e-9:
		return 5
	}
	return 4
}

// short trims a YYYY-MM-DD label to MM-DD to fit under a bar.
func short(l string) string {
	if len(l) == 10 && l[4] == '-' {
		return l[5:]
	}
	return l
}

func xCenter(i, n int) float64 {
	pw := width - left - right
	return left + pw*(float64(i)+0.5)/float64(max(n, 1))
}

// StackedBars draws one stacked bar per label.
func StackedBars(s Spec) template.HTML {
	var b strings.Builder
	open(&b, s)
	total := 0.0
	for i := range s.Labels {
		t := 0.0
		for _, se := range s.Series {
			if i < len(se.Values) && !math.IsNaN(se.Values[i]) {
				t += se.Values[i]
			}
		}
		total = math.Max(total, t)
	}
	hi := niceMax(total)
	y := axes(&b, s, 0, hi)
	n := len(s.Labels)
	bw := math.Max(2, (width-left-right)/float64(max(n, 1))*0.7)
	for i, l := range s.Labels {
		base := 0.0
		for _, se := range s.Series {
			if i >= len(se.Values) || math.IsNaN(se.Values[i]) || se.Values[i] == 0 {
				continue
			}
			v := se.Values[i]
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"><title>%s · %s: %s</title></rect>`,
				esc(se.Class), xCenter(i, n)-bw/2, y(base+v), bw, y(base)-y(base+v), esc(l), esc(se.Name), esc(fmtNum(v, s.Unit)))
			base += v
		}
	}
	legend(&b, s)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// Lines draws one line per series, with a dot per known value.
func Lines(s Spec) template.HTML {
	var b strings.Builder
	open(&b, s)
	lo, hi := s.Min, s.Max
	if lo == 0 && hi == 0 {
		m := 0.0
		for _, se := range s.Series {
			for _, v := range se.Values {
				if !math.IsNaN(v) {
					m = math.Max(m, v)
				}
			}
		}
		hi = niceMax(m)
	}
	y := axes(&b, s, lo, hi)
	n := len(s.Labels)
	for _, se := range s.Series {
		var path strings.Builder
		pen := false
		for i, v := range se.Values {
			if math.IsNaN(v) {
				pen = false
				continue
			}
			cmd := "L"
			if !pen {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f ", cmd, xCenter(i, n), y(v))
			pen = true
		}
		fmt.Fprintf(&b, `<path class="line %s" d="%s"/>`, esc(se.Class), strings.TrimSpace(path.String()))
		for i, v := range se.Values {
			if math.IsNaN(v) || i >= n {
				continue
			}
			fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="4"><title>%s · %s: %s</title></circle>`,
				esc(se.Class), xCenter(i, n), y(v), esc(s.Labels[i]), esc(se.Name), esc(fmtNum(v, s.Unit)))
		}
	}
	legend(&b, s)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

func legend(b *strings.Builder, s Spec) {
	x := left
	for _, se := range s.Series {
		fmt.Fprintf(b, `<rect class="%s" x="%.1f" y="%.1f" width="10" height="10"/><text class="legend" x="%.1f" y="%.1f">%s</text>`,
			esc(se.Class), x, height-14, x+14, height-5, esc(se.Name))
		x += 24 + 7*float64(len([]rune(se.Name)))
	}
}

// HBars draws labelled horizontal bars, largest first as given.
func HBars(id, title string, labels []string, values []float64) template.HTML {
	var b strings.Builder
	h := 28*float64(len(labels)) + 8
	fmt.Fprintf(&b, `<svg class="chart hbars" viewBox="0 0 %.0f %.0f" role="img" aria-labelledby="%s-t"><title id="%s-t">%s</title>`, width, h, esc(id), esc(id), esc(title))
	m := 0.0
	for _, v := range values {
		m = math.Max(m, v)
	}
	m = niceMax(m)
	lw := 180.0
	for i, l := range labels {
		w := (width - lw - 60) * values[i] / m
		yy := 4 + 28*float64(i)
		fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text><rect class="s1" x="%.1f" y="%.1f" width="%.1f" height="18"><title>%s: %s</title></rect><text class="tick" x="%.1f" y="%.1f">%s</text>`,
			lw-8, yy+14, esc(l), lw, yy, math.Max(w, 1), esc(l), esc(fmtNum(values[i], "")), lw+w+6, yy+14, esc(fmtNum(values[i], "")))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}
