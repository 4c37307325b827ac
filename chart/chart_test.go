package chart

import (
	"encoding/xml"
	"math"
	"strings"
	"testing"
)

func wellFormed(t *testing.T, svg string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		_, err := d.Token()
		if err != nil {
			if err.Error() == "EOF" {
				return
			}
			t.Fatalf("not well-formed SVG: %v\n%s", err, svg)
		}
	}
}

func TestCharts(t *testing.T) {
	cases := []struct {
		name string
		svg  string
		want []string
	}{
		{"bars", string(StackedBars(Spec{ID: "v", Title: "Volume <by> channel", Labels: []string{"2026-11-01", "2026-11-02"},
			Series: []Series{{Name: "Kiosk", Class: "s1", Values: []float64{3, 0}}, {Name: "SMS", Class: "s2", Values: []float64{2, 5}}}})),
			[]string{"Volume &lt;by&gt; channel", "<title>2026-11-01 · Kiosk: 3</title>", "<title>2026-11-02 · SMS: 5</title>", ">11-01<"}},
		{"lines with a gap", string(Lines(Spec{ID: "n", Title: "NPS", Labels: []string{"a", "b", "c"}, Min: -100, Max: 100,
			Series: []Series{{Name: "NPS", Class: "s1", Values: []float64{10, math.NaN(), -20.5}}}})),
			[]string{"<title>a · NPS: 10</title>", "<title>c · NPS: -20.5</title>", `d="M`, ">-100<"}},
		{"hbars", string(HBars("c", "Cases", []string{"wait_time", "food"}, []float64{7, 2})),
			[]string{"<title>wait_time: 7</title>", "<title>food: 2</title>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wellFormed(t, c.svg)
			for _, w := range c.want {
				if !strings.Contains(c.svg, w) {
					t.Errorf("missing %q in\n%s", w, c.svg)
				}
			}
		})
	}
	// the gap splits the line: two M commands, no L across the gap
	l := string(Lines(Spec{ID: "g", Labels: []string{"a", "b", "c", "d"}, Max: 10, Series: []Series{{Name: "x", Class: "s1", Values: []float64{1, math.NaN(), 2, 3}}}}))
	_, path, _ := strings.Cut(l, `class="line s1" d="`)
	path, _, _ = strings.Cut(path, `"`)
	if strings.Count(path, "M") != 2 || strings.Count(path, "L") != 1 {
		t.Errorf("gap not kept: %s", l)
	}
}

func TestTickSteps(t *testing.T) {
	for span, want := range map[float64]int{1: 5, 5: 5, 50: 5, 2: 4, 20: 4, 200: 4, 100: 5} {
		if got := tickSteps(span); got != want {
			t.Errorf("tickSteps(%v) = %d, want %d", span, got, want)
		}
	}
}

func TestNiceMax(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.7: 1, 3: 5, 11: 20, 99: 100, 101: 200, 2500: 5000} {
		if got := niceMax(in); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", in, got, want)
		}
	}
}
