package survey

// IssueKind says what is wrong with one answer, so a page can word it in
// the patient's language (survey holds no language's words).
type IssueKind string

// Issue kinds.
const (
	IssueRequired IssueKind = "required" // a shown, required question has no answer
	IssueNumber   IssueKind = "number"   // a rating or NPS answer is not a whole number from Min to Max
	IssueYesNo    IssueKind = "yesno"    // a yes/no answer is neither
	IssueChoice   IssueKind = "choice"   // not one of the options
	IssueText     IssueKind = "text"     // a text answer is not text, or longer than Max characters
	IssueUnknown  IssueKind = "unknown"  // no such question, or answered twice
)

// Issue is one problem with one answer.
type Issue struct {
	Question string
	Kind     IssueKind
	Min, Max int
}

// Review checks answers as Validate does but reports every problem at
// once, at most one per question, in the order of the questions (unknown
// questions last): what a form shows beside each question. Answers to
// questions the branching hides are ignored, as a form that shows every
// question must. No issues means Validate accepts visible answers.
func (d Definition) Review(raw []RawAnswer) []Issue {
	byKey := map[string]Answer{}
	bad := map[string]Issue{}
	var unknown []Issue
	for _, r := range raw {
		q, ok := d.Question(r.Question)
		_, dup := byKey[r.Question]
		_, dupBad := bad[r.Question]
		if !ok || dup || dupBad {
			unknown = append(unknown, Issue{Question: r.Question, Kind: IssueUnknown})
			continue
		}
		a, err := q.parseJSON(r.Value)
		switch {
		case err != nil:
			bad[q.Key] = q.issue()
		case a != nil:
			byKey[q.Key] = *a
		}
	}
	var out []Issue
	for _, q := range d.Questions {
		if !d.Visible(q, byKey) {
			continue
		}
		if is, ok := bad[q.Key]; ok {
			out = append(out, is)
			continue
		}
		if _, has := byKey[q.Key]; q.Required && !has {
			out = append(out, Issue{Question: q.Key, Kind: IssueRequired})
		}
	}
	return append(out, unknown...)
}

// issue is what a malformed answer to q is.
func (q Question) issue() Issue {
	is := Issue{Question: q.Key}
	switch q.Kind {
	case Rating5, NPS:
		is.Kind = IssueNumber
		is.Min, is.Max = q.Range()
	case YesNo:
		is.Kind = IssueYesNo
	case Choice:
		is.Kind = IssueChoice
	default:
		is.Kind, is.Max = IssueText, MaxTextLen
	}
	return is
}
