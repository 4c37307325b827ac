package gateway

import (
	"fmt"
	"html"
	"strings"

	"github.com/patientvoice/patientvoice/survey"
)

// texts are the fixed SMS and email wordings per language. They name the
// hospital and never the reason for the visit (no PHI in an SMS).
type texts struct {
	Intro, Stop, Thanks, Reprompt, Help, OptedOut, OptedIn, Expired, Unknown string
	Subject, EmailHello, EmailBody, EmailButton, EmailUnsub, Reminder        string
}

func textsFor(lang string) texts {
	switch lang {
	case "es":
		return texts{
			Intro: "%s: gracias por confiar en nosotros. ¿Nos ayuda con una breve encuesta (%d preguntas)?", Stop: "Responda STOP para no recibir más mensajes.",
			Thanks: "%s: ¡gracias! Sus respuestas nos ayudan a mejorar.", Reprompt: "Perdone, no entendimos su respuesta.",
			Help:     "%s: encuesta de satisfacción del paciente. Responda STOP para darse de baja. Para hablar con alguien, llame al hospital y pida Relaciones con el Paciente.",
			OptedOut: "%s: no recibirá más mensajes. Responda START para volver a recibirlos.", OptedIn: "%s: volverá a recibir nuestros mensajes. Responda STOP para darse de baja.",
			Expired: "%s: gracias por su mensaje. Esta encuesta ya terminó; guardamos su mensaje para el equipo.", Unknown: "%s: gracias por su mensaje. Lo pasaremos al equipo de Relaciones con el Paciente.",
			Subject: "%s: ¿cómo fue su estancia? (2 minutos)", EmailHello: "Hola:", EmailBody: "Gracias por confiar en %s. Nos ayudaría mucho saber cómo fue su experiencia. La encuesta tiene %d preguntas breves.",
			EmailButton: "Responder la encuesta", EmailUnsub: "Si no quiere recibir más correos de encuestas, puede darse de baja aquí:", Reminder: "Recordatorio: ",
		}
	case "ar":
		return texts{
			Intro: "%s: شكراً لثقتك بنا. هل تساعدنا بالإجابة عن استبيان قصير (%d أسئلة)؟", Stop: "أرسل STOP لإيقاف الرسائل.",
			Thanks: "%s: شكراً لك! إجاباتك تساعدنا على التحسن.", Reprompt: "عذراً، لم نفهم إجابتك.",
			Help:     "%s: استبيان رضا المرضى. أرسل STOP لإيقاف الرسائل. للتحدث مع أحد، اتصل بالمستشفى واطلب قسم علاقات المرضى.",
			OptedOut: "%s: لن تصلك رسائل أخرى. أرسل START لاستئنافها.", OptedIn: "%s: ستصلك رسائلنا مجدداً. أرسل STOP لإيقافها.",
			Expired: "%s: شكراً لرسالتك. انتهى هذا الاستبيان، وقد حفظنا رسالتك للفريق.", Unknown: "%s: شكراً لرسالتك. سننقلها إلى فريق علاقات المرضى.",
			Subject: "%s: كيف كانت إقامتك؟ (دقيقتان)", EmailHello: "مرحباً،", EmailBody: "شكراً لثقتك في %s. يسعدنا أن نعرف كيف كانت تجربتك. يتضمن الاستبيان %d أسئلة قصيرة.",
			EmailButton: "الإجابة عن الاستبيان", EmailUnsub: "إذا كنت لا ترغب في تلقي رسائل الاستبيانات، يمكنك إلغاء الاشتراك هنا:", Reminder: "تذكير: ",
		}
	}
	return texts{
		Intro: "%s: thank you for choosing us. Would you help us with a short survey (%d questions)?", Stop: "Reply STOP to opt out.",
		Thanks: "%s: thank you! Your answers help us improve.", Reprompt: "Sorry, we did not understand that.",
		Help:     "%s: patient satisfaction survey. Reply STOP to opt out. To talk to someone, call the hospital and ask for Patient Relations.",
		OptedOut: "%s: you will get no more messages. Reply START to receive them again.", OptedIn: "%s: you will receive our messages again. Reply STOP to opt out.",
		Expired: "%s: thank you for your message. This survey has ended; we kept your message for our team.", Unknown: "%s: thank you for your message. We will pass it to our Patient Relations team.",
		Subject: "%s: how was your stay? (2 minutes)", EmailHello: "Hello,", EmailBody: "Thank you for choosing %s. We would like to know how your experience was. The survey has %d short questions.",
		EmailButton: "Answer the survey", EmailUnsub: "If you do not want survey emails, unsubscribe here:", Reminder: "Reminder: ",
	}
}

// questionSMS is one question with how to answer it.
func questionSMS(q survey.Question, lang string) string {
	return q.Text(lang) + " " + survey.HowToAnswer(q, lang)
}

// firstSMS names the hospital, says it is a short survey, asks the first
// question with how to answer, and says how to opt out.
func firstSMS(org, lang string, def survey.Definition) string {
	t := textsFor(lang)
	return fmt.Sprintf(t.Intro, org, len(def.Questions)) + " " + questionSMS(def.Questions[0], lang) + " " + t.Stop
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
	return subject, text, emailHTML(lang, t.EmailHello, body, link, t.EmailButton, t.EmailUnsub, unsub)
}

// emailHTML is the one layout of every patient email: a greeting, one
// paragraph, one button, and a small footer with an optional link, right
// to left in Arabic. Every text is escaped.
func emailHTML(lang, hello, body, link, button, footer, footerLink string) string {
	dir := "ltr"
	if lang == "ar" {
		dir = "rtl"
	}
	e := html.EscapeString
	foot := e(footer)
	if footerLink != "" {
		foot += fmt.Sprintf(` <a href="%s">%s</a>`, e(footerLink), e(footerLink))
	}
	return fmt.Sprintf(`<!doctype html><html lang="%s" dir="%s"><body style="font-family:sans-serif;line-height:1.5;color:#14202e">
<p>%s</p><p>%s</p>
<p><a href="%s" style="display:inline-block;background:#0b5cad;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:bold">%s</a></p>
<p style="font-size:13px;color:#4a5868">%s</p></body></html>`, e(lang), dir, e(hello), e(body), e(link), e(button), foot)
}
