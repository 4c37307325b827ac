package jsonbody

import (
	"strings"
	"testing"
)

func TestTooDeep(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{`{"a":[1,{"b":2}]}`, false},
		{strings.Repeat("[", 33) + strings.Repeat("]", 33), true},
		{strings.Repeat("[", 32) + strings.Repeat("]", 32), false},
		{`{"s":"` + strings.Repeat("[", 100) + `"}`, false},   // brackets in a string
		{`{"s":"\"` + strings.Repeat("{", 100) + `"}`, false}, // after an escaped quote
		{`{"s":"\\"` + strings.Repeat(",[", 40) + `}`, true},  // an escaped backslash ends the string
	}
	for _, c := range cases {
		if got := tooDeep([]byte(c.in), 32); got != c.want {
			t.Errorf("tooDeep(%.40q) = %v, want %v", c.in, got, c.want)
		}
	}
}
