package inviting

import (
	"strings"

	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
)

// firstSMS names the hospital, says it is a short survey, asks the first
// question with how to answer, and says how to opt out; it never says why
// the person was in hospital.
func firstSMS(org string, l *translations.Language, def survey.Definition) string {
	return l.N("sms.intro", len(def.Questions), "org", org) + " " + l.SMSPrompt(def.Questions[0]) + " " + l.T("sms.stop")
}

// invitationEmail is the text and HTML of a survey email (or its one
// reminder) in the patient's language.
func invitationEmail(org string, l *translations.Language, link, unsub string, n int, reminder bool) (subject, text, htmlBody string) {
	subject = l.T("email.subject", "org", org)
	if reminder {
		subject = l.T("email.reminder", "subject", subject)
	}
	hello, body, button, foot := l.T("email.hello"), l.N("email.body", n, "org", org), l.T("email.button"), l.T("email.unsubscribe")
	text = strings.Join([]string{hello, "", body, "", button + ": " + link, "", foot, unsub}, "\n")
	return subject, text, sending.EmailHTML(l.HTMLLang(), l.Dir, hello, body, link, button, foot, unsub)
}
