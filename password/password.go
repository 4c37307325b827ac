// Package password says whether a staff password may be used: long enough,
// not one of the passwords attackers try first, not the account's own
// email or name. The lists are embedded (see SOURCE.md), so the check needs
// no network and behaves the same on every server.
package password

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// MinLen is the shortest password accepted (NIST SP 800-63B asks for 8 at
// least; a hospital's PHI warrants more).
const MinLen = 12

// MaxLen bounds what bcrypt reads (it ignores bytes past 72).
const MaxLen = 72

// Errors a caller can show as they are.
var (
	ErrTooShort  = fmt.Errorf("password must be at least %d characters", MinLen)
	ErrTooLong   = fmt.Errorf("password must be at most %d bytes", MaxLen)
	ErrCommon    = errors.New("that password is on the list of passwords attackers try first; choose another")
	ErrPersonal  = errors.New("the password must not contain your email address or name")
	ErrRepeating = errors.New("the password must not be one short piece repeated")
)

//go:embed common.txt
var commonList string

//go:embed words.txt
var wordList string

// Policy holds the parsed lists; build it once with New.
type Policy struct {
	common map[string]struct{}
	words  map[string]struct{}
}

// New parses the embedded lists.
func New() *Policy {
	return &Policy{common: set(commonList), words: set(wordList)}
}

func set(list string) map[string]struct{} {
	m := make(map[string]struct{}, strings.Count(list, "\n"))
	for _, l := range strings.Split(list, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			m[l] = struct{}{}
		}
	}
	return m
}

// Check returns nil when pw may be used by the account with this email and
// name, else an error that says why in words a user understands.
func (p *Policy) Check(pw, email, name string) error {
	if len([]rune(pw)) < MinLen {
		return ErrTooShort
	}
	if len(pw) > MaxLen {
		return ErrTooLong
	}
	low := strings.ToLower(pw)
	if _, ok := p.common[low]; ok {
		return ErrCommon
	}
	// a common word dressed up with digits and symbols ("Password2024!!")
	core := strings.TrimFunc(low, func(r rune) bool { return !unicode.IsLetter(r) })
	if _, ok := p.words[core]; ok {
		return ErrCommon
	}
	if _, ok := p.common[core]; ok {
		return ErrCommon
	}
	if repeats(low) {
		return ErrRepeating
	}
	// the account's own email or name with a little around it
	rest := low
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	for _, part := range append(strings.Fields(strings.ToLower(name)), local) {
		if len([]rune(part)) >= 3 {
			rest = strings.ReplaceAll(rest, part, "")
		}
	}
	if rest != low && len([]rune(strings.Map(keepAlnum, rest))) < MinLen*2/3 {
		return ErrPersonal
	}
	return nil
}

func keepAlnum(r rune) rune {
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return r
	}
	return -1
}

// repeats reports whether s is a piece of at most four characters
// repeated ("aaaaaaaaaaaa", "abcabcabcabc").
func repeats(s string) bool {
	r := []rune(s)
	for n := 1; n <= 4 && n < len(r); n++ {
		if len(r)%n != 0 {
			continue
		}
		same := true
		for i := n; i < len(r) && same; i++ {
			same = r[i] == r[i-n]
		}
		if same {
			return true
		}
	}
	return false
}
