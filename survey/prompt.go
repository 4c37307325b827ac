package survey

// SMSPrompt is one question as an SMS asks it: the question's text and how
// to answer it. The first invitation SMS and every later step of the SMS
// conversation use it, so a patient sees each question the same way.
func SMSPrompt(q Question, lang string) string {
	return q.Text(lang) + " " + HowToAnswer(q, lang)
}
