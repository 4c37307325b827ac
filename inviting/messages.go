package inviting

import (
	"fmt"
	"strings"

	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/survey"
)

// texts are the fixed invitation SMS and email wordings per language. They
// name the hospital and never the reason for the visit (no PHI in an SMS).
type texts struct {
	Intro, Stop                                                       string
	Subject, EmailHello, EmailBody, EmailButton, EmailUnsub, Reminder string
}

func textsFor(lang string) texts {
	switch lang {
	case "es":
		return texts{
			Intro: "%s: gracias por confiar en nosotros. ¿Nos ayuda con una breve encuesta (%d preguntas)?", Stop: "Responda STOP para no recibir más mensajes.",
			Subject: "%s: ¿cómo fue su estancia? (2 minutos)", EmailHello: "Hola:", EmailBody: "Gracias por confiar en %s. Nos ayudaría mucho saber cómo fue su experiencia. La encuesta tiene %d preguntas breves.",
			EmailButton: "Responder la encuesta", EmailUnsub: "Si no quiere recibir más correos de encuestas, puede darse de baja aquí:", Reminder: "Recordatorio: ",
		}
	case "ar":
		return texts{
			Intro: "%s: شكراً لثقتك بنا. هل تساعدنا بالإجابة عن استبيان قصير (%d أسئلة)؟", Stop: "أرسل STOP لإيقاف الرسائل.",
			Subject: "%s: كيف كانت إقامتك؟ (دقيقتان)", EmailHello: "مرحباً،", EmailBody: "شكراً لثقتك في %s. يسعدنا أن نعرف كيف كانت تجربتك. يتضمن الاستبيان %d أسئلة قصيرة.",
			EmailButton: "الإجابة عن الاستبيان", EmailUnsub: "إذا كنت لا ترغب في تلقي رسائل الاستبيانات، يمكنك إلغاء الاشتراك هنا:", Reminder: "تذكير: ",
		}
	}
	return texts{
		Intro: "%s: thank you for choosing us. Would you help us with a short survey (%d questions)?", Stop: "Reply STOP to opt out.",
		Subject: "%s: how was your stay? (2 minutes)", EmailHello: "Hello,", EmailBody: "Thank you for choosing %s. We would like to know how your experience was. The survey has %d short questions.",
		EmailButton: "Answer the survey", EmailUnsub: "If you do not want survey emails, unsubscribe here:", Reminder: "Reminder: ",
	}
}

// firstSMS names the hospital, says it is a short survey, asks the first
// question with how to answer, and says how to opt out.
func firstSMS(org, lang string, def survey.Definition) string {
	t := textsFor(lang)
	return fmt.Sprintf(t.Intro, org, len(def.Questions)) + " " + survey.SMSPrompt(def.Questions[0], lang) + " " + t.Stop
}

// invitationEmail is the text and HTML of a survey email.
func invitationEmail(org, lang, link, unsub string, n int, reminder bool) (subject, text, htmlBody string) {
	t := textsFor(lang)
	subject = fmt.Sprintf(t.Subject, org)
	if reminder {
		subject = t.Reminder + subject
	}
	body := fmt.Sprintf(t.EmailBody, org, n)
	text = strings.Join([]string{t.EmailHello, "", body, "", t.EmailButton + ": " + link, "", t.EmailUnsub, unsub}, "\n")
	return subject, text, sending.EmailHTML(lang, t.EmailHello, body, link, t.EmailButton, t.EmailUnsub, unsub)
}
