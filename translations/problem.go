package translations

import "fmt"

// Problem is an error a patient reads: the HTTP status to answer and the
// catalog key of the message. The server's one error handler shows it on
// a page in Lang, or, when the page's language is not known yet (a
// mistyped link), in the browser's preferred language.
type Problem struct {
	Status int
	Key    string
	Lang   *Language // nil: negotiate from Accept-Language
}

// NewProblem is a patient-facing error in lang (nil when unknown).
func NewProblem(status int, key string, lang *Language) *Problem {
	return &Problem{Status: status, Key: key, Lang: lang}
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s", p.Status, p.Key) }
