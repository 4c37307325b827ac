package conversations

import "github.com/patientvoice/patientvoice/survey"

// texts are the fixed SMS replies of the conversation per language. They
// name the hospital and never the reason for the visit (no PHI in an SMS).
type texts struct {
	Thanks, Reprompt, Help, OptedOut, OptedIn, Expired, Unknown string
	// EmailHello greets the patient in a follow-up email.
	EmailHello string
}

func textsFor(lang string) texts {
	switch lang {
	case "es":
		return texts{
			Thanks: "%s: ¡gracias! Sus respuestas nos ayudan a mejorar.", Reprompt: "Perdone, no entendimos su respuesta.",
			Help:     "%s: encuesta de satisfacción del paciente. Responda STOP para darse de baja. Para hablar con alguien, llame al hospital y pida Relaciones con el Paciente.",
			OptedOut: "%s: no recibirá más mensajes. Responda START para volver a recibirlos.", OptedIn: "%s: volverá a recibir nuestros mensajes. Responda STOP para darse de baja.",
			Expired: "%s: gracias por su mensaje. Esta encuesta ya terminó; guardamos su mensaje para el equipo.", Unknown: "%s: gracias por su mensaje. Lo pasaremos al equipo de Relaciones con el Paciente.",
			EmailHello: "Hola:",
		}
	case "ar":
		return texts{
			Thanks: "%s: شكراً لك! إجاباتك تساعدنا على التحسن.", Reprompt: "عذراً، لم نفهم إجابتك.",
			Help:     "%s: استبيان رضا المرضى. أرسل STOP لإيقاف الرسائل. للتحدث مع أحد، اتصل بالمستشفى واطلب قسم علاقات المرضى.",
			OptedOut: "%s: لن تصلك رسائل أخرى. أرسل START لاستئنافها.", OptedIn: "%s: ستصلك رسائلنا مجدداً. أرسل STOP لإيقافها.",
			Expired: "%s: شكراً لرسالتك. انتهى هذا الاستبيان، وقد حفظنا رسالتك للفريق.", Unknown: "%s: شكراً لرسالتك. سننقلها إلى فريق علاقات المرضى.",
			EmailHello: "مرحباً،",
		}
	}
	return texts{
		Thanks: "%s: thank you! Your answers help us improve.", Reprompt: "Sorry, we did not understand that.",
		Help:     "%s: patient satisfaction survey. Reply STOP to opt out. To talk to someone, call the hospital and ask for Patient Relations.",
		OptedOut: "%s: you will get no more messages. Reply START to receive them again.", OptedIn: "%s: you will receive our messages again. Reply STOP to opt out.",
		Expired: "%s: thank you for your message. This survey has ended; we kept your message for our team.", Unknown: "%s: thank you for your message. We will pass it to our Patient Relations team.",
		EmailHello: "Hello,",
	}
}

// questionSMS is one question with how to answer it.
func questionSMS(q survey.Question, lang string) string { return survey.SMSPrompt(q, lang) }
