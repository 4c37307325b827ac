package conversations

import (
	"strings"

	"github.com/patientvoice/patientvoice/survey"
)

// Keyword kinds.
const (
	kwNone   = ""
	kwOptOut = "opt_out"
	kwOptIn  = "opt_in"
	kwHelp   = "help"
)

// twilioWords are the keywords Twilio's managed opt-out answers itself.
var twilioWords = map[string]string{
	"stop": kwOptOut, "stopall": kwOptOut, "unsubscribe": kwOptOut, "cancel": kwOptOut, "end": kwOptOut,
	"quit": kwOptOut, "revoke": kwOptOut, "optout": kwOptOut,
	"start": kwOptIn, "unstop": kwOptIn, "yes": kwOptIn,
	"help": kwHelp, "info": kwHelp,
}

// ourWords are opt-out, opt-in and help phrases Twilio does not know: the
// product confirms them itself, once.
var ourWords = map[string]string{
	"opt out": kwOptOut, "parar": kwOptOut, "pare": kwOptOut, "no mas": kwOptOut, "no mas mensajes": kwOptOut, "alto": kwOptOut,
	"detener": kwOptOut, "cancelar": kwOptOut, "baja": kwOptOut, "darme de baja": kwOptOut,
	"توقف": kwOptOut, "الغاء": kwOptOut, "إلغاء": kwOptOut, "ايقاف": kwOptOut, "إيقاف": kwOptOut, "الغاء الاشتراك": kwOptOut,
	"comenzar": kwOptIn, "reanudar": kwOptIn, "ابدأ": kwOptIn, "ابدا": kwOptIn,
	"ayuda": kwHelp, "مساعدة": kwHelp,
}

// Keyword classifies a whole message. managed is true for Twilio's own
// words (Twilio has answered already when it manages opt-outs). YES is an
// opt-in only from an opted-out number; otherwise it is an answer.
func Keyword(text string, optedOut bool) (kind string, managed bool) {
	norm := strings.TrimSpace(survey.Normalize(text))
	if k, ok := twilioWords[norm]; ok {
		if norm == "yes" && !optedOut {
			return kwNone, false
		}
		return k, true
	}
	if k, ok := ourWords[norm]; ok {
		return k, false
	}
	return kwNone, false
}
