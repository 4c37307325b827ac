package conversations

import (
	"strings"

	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/translations"
)

// Keyword kinds.
const (
	kwNone   = ""
	kwOptOut = translations.OptOut
	kwOptIn  = translations.OptIn
	kwHelp   = translations.Help
)

// twilioWords are the keywords Twilio's managed opt-out answers itself
// (the contract's list, the same in every language).
var twilioWords = map[string]string{
	"stop": kwOptOut, "stopall": kwOptOut, "unsubscribe": kwOptOut, "cancel": kwOptOut, "end": kwOptOut,
	"quit": kwOptOut, "revoke": kwOptOut, "optout": kwOptOut,
	"start": kwOptIn, "unstop": kwOptIn, "yes": kwOptIn,
	"help": kwHelp, "info": kwHelp,
}

// keywords classifies whole messages: Twilio's words, and the opt-out,
// opt-in and help phrases of every catalog language ("OPT OUT", "PARAR",
// "NO MAS", "توقف", "退订", "dừng"), which Twilio does not know, so the
// product confirms them itself, once.
type keywords struct {
	ours map[string]translations.Keyword
}

func newKeywords(c *translations.Catalog) keywords {
	return keywords{ours: c.Keywords()}
}

// classify reads a whole message. managed is true for Twilio's own words
// (Twilio has answered already when it manages opt-outs). YES is an opt-in
// only from an opted-out number; otherwise it is an answer. lang is the
// language of a catalog phrase ("" for Twilio's words).
func (k keywords) classify(text string, optedOut bool) (kind string, managed bool, lang string) {
	norm := strings.TrimSpace(survey.Normalize(text))
	if kw, ok := twilioWords[norm]; ok {
		if norm == "yes" && !optedOut {
			return kwNone, false, ""
		}
		return kw, true, ""
	}
	if kw, ok := k.ours[norm]; ok {
		return kw.Kind, false, kw.Lang
	}
	return kwNone, false, ""
}
