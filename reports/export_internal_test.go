package reports

import "testing"

func TestCSVSafe(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"fine":              "fine",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1+1":              "'+1+1",
		"-2+3":              "'-2+3",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tx":               "'\tx",
		"a=b":               "a=b",
	} {
		if got := csvSafe(in); got != want {
			t.Errorf("csvSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
