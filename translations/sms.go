package translations

import (
	"strconv"
	"strings"

	"github.com/patientvoice/patientvoice/survey"
)

// Pick is the language a patient is addressed in: theirs (tag) when the
// catalog has it and offered includes it (a survey's languages; nil for
// any), else the base language, so an SMS or page never mixes a
// translated survey with untranslated hints or the reverse.
func (c *Catalog) Pick(tag string, offered []string) *Language {
	l, ok := c.Match(tag)
	if !ok {
		return c.Base()
	}
	if offered == nil {
		return l
	}
	for _, o := range offered {
		if o == l.Code {
			return l
		}
	}
	return c.Base()
}

// SMSPrompt is one question as an SMS asks it: its text in this language
// and how to answer it. The first invitation SMS and every later step of
// the conversation use it, so a patient sees each question the same way.
func (l *Language) SMSPrompt(q survey.Question) string {
	return q.Text(l.Code) + " " + l.HowToAnswer(q)
}

// HowToAnswer is the hint after an SMS question: the range of a rating,
// the yes/no words, the numbered options of a choice.
func (l *Language) HowToAnswer(q survey.Question) string {
	switch q.Kind {
	case survey.Rating5:
		return l.T("sms.how_rating5")
	case survey.NPS:
		return l.T("sms.how_nps")
	case survey.YesNo:
		return l.T("sms.how_yesno")
	case survey.Choice:
		var b strings.Builder
		b.WriteString(l.T("sms.how_choice"))
		for i, o := range q.Options {
			b.WriteString(" " + strconv.Itoa(i+1) + "=" + o.Text(l.Code))
		}
		return b.String()
	}
	return l.T("sms.how_text")
}
