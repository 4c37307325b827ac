package models

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// seed writes the contract's seed data: five departments, the kiosk and
// post-discharge surveys, default flag and routing rules and the kiosk
// information screens. It runs once, as migration 2.
func seed(tx *gorm.DB, now time.Time) error {
	depts := []Department{
		{Code: "ED", Name: "Emergency"},
		{Code: "INPT", Name: "Inpatient"},
		{Code: "OUTPT", Name: "Outpatient"},
		{Code: "BILL", Name: "Billing"},
		{Code: "ADMIN", Name: "Administration"},
	}
	if err := tx.Create(&depts).Error; err != nil {
		return fmt.Errorf("departments: %w", err)
	}
	for _, s := range seedSurveys() {
		if err := insertSurvey(tx, s.survey, s.questions); err != nil {
			return err
		}
	}
	if err := tx.Create(defaultFlagRules()).Error; err != nil {
		return fmt.Errorf("flag rules: %w", err)
	}
	if err := tx.Create(defaultRoutingRules()).Error; err != nil {
		return fmt.Errorf("routing rules: %w", err)
	}
	for k, v := range defaultInfoScreens() {
		if err := tx.Create(&Setting{Key: k, Value: v, UpdatedAt: now}).Error; err != nil {
			return fmt.Errorf("settings: %w", err)
		}
	}
	return nil
}

type seedSurvey struct {
	survey    Survey
	questions []SurveyQuestion
}

func insertSurvey(tx *gorm.DB, s Survey, qs []SurveyQuestion) error {
	if err := tx.Create(&s).Error; err != nil {
		return fmt.Errorf("survey %s: %w", s.Key, err)
	}
	for i := range qs {
		qs[i].SurveyID = s.ID
		qs[i].Position = i + 1
	}
	if err := tx.Create(&qs).Error; err != nil {
		return fmt.Errorf("survey %s questions: %w", s.Key, err)
	}
	return nil
}

func tr(en, es, ar string) string {
	b, _ := json.Marshal(map[string]string{"en": en, "es": es, "ar": ar})
	return string(b)
}

type opt struct {
	Value string            `json:"value"`
	Label map[string]string `json:"label"`
}

func opts(list ...[4]string) string {
	out := make([]opt, 0, len(list))
	for _, o := range list {
		out = append(out, opt{Value: o[0], Label: map[string]string{"en": o[1], "es": o[2], "ar": o[3]}})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

func q(key, kind string, required bool, prompt string) SurveyQuestion {
	return SurveyQuestion{Key: key, Kind: kind, Required: required, Prompt: prompt, Options: "[]"}
}

func seedSurveys() []seedSurvey {
	topic := q("topic", "choice", false, tr(
		"What was it mostly about?", "¿De qué se trató principalmente?", "ما الموضوع الرئيسي؟"))
	topic.Options = opts(
		[4]string{"wait_time", "Waiting time", "Tiempo de espera", "وقت الانتظار"},
		[4]string{"staff_attitude", "How staff treated me", "Cómo me trató el personal", "تعامل الموظفين معي"},
		[4]string{"communication", "Information and explanations", "Información y explicaciones", "المعلومات والشرح"},
		[4]string{"care_quality", "My care or treatment", "Mi atención o tratamiento", "رعايتي أو علاجي"},
		[4]string{"facility", "Cleanliness and building", "Limpieza y edificio", "النظافة والمبنى"},
		[4]string{"billing", "Billing and insurance", "Facturación y seguro", "الفواتير والتأمين"},
		[4]string{"other", "Something else", "Otra cosa", "شيء آخر"},
	)
	topic.ShowIf = `{"question":"overall","values":["1","2","3"]}`
	kiosk := []SurveyQuestion{
		q("overall", "rating5", true, tr(
			"How was your visit today?", "¿Cómo fue su visita hoy?", "كيف كانت زيارتك اليوم؟")),
		q("staff", "rating5", false, tr(
			"How kind and respectful was our staff?", "¿Qué tan amable y respetuoso fue nuestro personal?", "ما مدى لطف واحترام موظفينا؟")),
		q("wait", "rating5", false, tr(
			"How was the waiting time?", "¿Cómo fue el tiempo de espera?", "كيف كان وقت الانتظار؟")),
		q("clean", "yesno", false, tr(
			"Was the area clean?", "¿Estaba limpia el área?", "هل كانت المنطقة نظيفة؟")),
		topic,
		q("comment", "text", false, tr(
			"Anything you want to tell us? (optional)", "¿Algo que quiera decirnos? (opcional)", "هل هناك ما تود إخبارنا به؟ (اختياري)")),
	}
	post := []SurveyQuestion{
		q("overall", "rating5", true, tr(
			"How would you rate your hospital stay overall? (1 = very poor, 5 = excellent)",
			"¿Cómo calificaría su estancia en general? (1 = muy mala, 5 = excelente)",
			"كيف تقيّم إقامتك في المستشفى بشكل عام؟ (1 = سيئة جداً، 5 = ممتازة)")),
		q("explained", "yesno", true, tr(
			"Did staff explain things in a way you could understand?",
			"¿El personal le explicó las cosas de forma que pudiera entenderlas?",
			"هل شرح لك الموظفون الأمور بطريقة مفهومة؟")),
		q("recommend", "nps", true, tr(
			"How likely are you to recommend us to friends and family? (0 = not at all, 10 = extremely)",
			"¿Qué tan probable es que nos recomiende a familiares y amigos? (0 = nada, 10 = muchísimo)",
			"ما مدى احتمال أن توصي بنا للأهل والأصدقاء؟ (0 = مستبعد تماماً، 10 = محتمل جداً)")),
		q("comment", "text", false, tr(
			"Is there anything else you would like to tell us?",
			"¿Hay algo más que quiera decirnos?",
			"هل هناك أي شيء آخر تود إخبارنا به؟")),
	}
	return []seedSurvey{
		{Survey{Key: "kiosk", Name: "Lobby kiosk", Languages: "en,es,ar", Channels: "kiosk", Version: 1}, kiosk},
		{Survey{Key: "post-discharge", Name: "Post-discharge", Languages: "en,es,ar", Channels: "sms,email", Version: 1}, post},
	}
}

// DefaultSafetyWords make a case urgent; admins can add more.
var defaultSafetyWords = []string{
	"abuse", "abused", "assault", "assaulted", "unsafe", "suicide", "suicidal", "kill myself",
	"wrong medication", "wrong medicine", "fell", "fall", "harassed", "harassment", "neglect",
	"abuso", "agresión", "inseguro", "suicidio", "medicamento equivocado", "me caí", "caída",
	"إساءة", "اعتداء", "غير آمن", "انتحار", "دواء خاطئ", "سقطت",
}

var defaultConcerns = map[string][]string{
	"staff_attitude": {"rude", "disrespectful", "ignored", "yelled", "grosero", "maleducado", "وقح"},
	"wait_time":      {"wait", "waited", "waiting", "hours", "slow", "espera", "esperé", "انتظار"},
	"billing":        {"bill", "billing", "charge", "charged", "insurance", "factura", "cobro", "فاتورة"},
	"communication":  {"nobody explained", "no one told", "confusing", "nadie me explicó", "لم يشرح"},
	"facility":       {"dirty", "filthy", "cold", "noisy", "parking", "sucio", "متسخ"},
	"food":           {"food", "meal", "comida", "طعام"},
	"privacy":        {"privacy", "overheard", "privacidad", "خصوصية"},
	"care_quality":   {"pain", "mistake", "misdiagnosed", "dolor", "error", "ألم"},
	"discharge":      {"discharge", "discharged too early", "alta", "خروج"},
}

func defaultFlagRules() []FlagRule {
	rules := []FlagRule{
		{Kind: "low_rating", Threshold: 2, Enabled: true},
		{Kind: "low_nps", Threshold: 6, Enabled: true},
		{Kind: "safety", Words: strings.Join(defaultSafetyWords, "\n"), Category: "safety", Enabled: true},
	}
	for _, cat := range []string{"staff_attitude", "wait_time", "billing", "communication", "facility", "food", "privacy", "care_quality", "discharge"} {
		rules = append(rules, FlagRule{Kind: "keyword", Words: strings.Join(defaultConcerns[cat], "\n"), Category: cat, Enabled: true})
	}
	return rules
}

func defaultRoutingRules() []RoutingRule {
	return []RoutingRule{
		{Position: 1, Name: "Safety concerns are urgent", MatchCategory: "safety", SetPriority: "urgent", Enabled: true},
		{Position: 2, Name: "Billing questions go to Billing", MatchCategory: "billing", SetDepartment: "BILL", Enabled: true},
		{Position: 3, Name: "Very low scores are high priority", MatchMaxScore: intp(1), SetPriority: "high", Enabled: true},
	}
}

func intp(i int) *int { return &i }

// Info screen setting keys, shown on the kiosk start screen.
const (
	InfoRights   = "info.rights"
	InfoConcern  = "info.concern"
	InfoBilling  = "info.billing"
	InfoLanguage = "info.language"
	// InfoLanguagePhone is the number the Section 1557 taglines on the
	// language help screen tell patients to call (empty: "ask any member
	// of staff").
	InfoLanguagePhone = "info.language_phone"
)

func defaultInfoScreens() map[string]string {
	return map[string]string{
		InfoRights: tr(
			"Your rights and responsibilities\n\nYou have the right to respectful, safe care; to privacy; to information about your care in a language you understand; to take part in decisions about your care; and to voice a concern without fear. You are asked to give accurate information about your health, follow the care plan you agreed to, and treat others with respect.\n\n[Edit this text in Staff > Kiosks > Information screens to match your hospital's policy.]",
			"Sus derechos y responsabilidades\n\nUsted tiene derecho a una atención respetuosa y segura; a la privacidad; a recibir información sobre su atención en un idioma que entienda; a participar en las decisiones sobre su atención; y a expresar una queja sin temor. Se le pide que dé información correcta sobre su salud, siga el plan de atención acordado y trate a los demás con respeto.\n\n[Edite este texto en Personal > Quioscos > Pantallas de información.]",
			"حقوقك ومسؤولياتك\n\nلك الحق في رعاية آمنة تحترمك، وفي الخصوصية، وفي معلومات عن رعايتك بلغة تفهمها، وفي المشاركة في قرارات رعايتك، وفي تقديم شكوى دون خوف. ونرجو منك تقديم معلومات صحيحة عن صحتك، واتباع خطة الرعاية المتفق عليها، ومعاملة الآخرين باحترام.\n\n[عدّل هذا النص من صفحة الموظفين لمطابقة سياسة المستشفى.]"),
		InfoConcern: tr(
			"How to raise a concern\n\nPatient Relations: ask any staff member, call the main number and ask for Patient Relations, or use this kiosk and choose \"contact me\".\nYou may also contact the State Department of Health complaint line, or The Joint Commission (www.jointcommission.org, Office of Quality and Patient Safety), whether or not you have used our process.\n\n[Edit this text with your Patient Relations phone number and your state agency.]",
			"Cómo presentar una queja\n\nRelaciones con el Paciente: pregunte a cualquier miembro del personal, llame al número principal o use este quiosco y elija \"contactarme\".\nTambién puede comunicarse con el Departamento de Salud del Estado o con The Joint Commission (www.jointcommission.org).\n\n[Edite este texto con su número y su agencia estatal.]",
			"كيف تقدم شكوى\n\nعلاقات المرضى: اسأل أي موظف، أو اتصل بالرقم الرئيسي، أو استخدم هذا الجهاز واختر \"تواصلوا معي\".\nيمكنك أيضاً التواصل مع إدارة الصحة في الولاية أو مع اللجنة المشتركة (www.jointcommission.org).\n\n[عدّل هذا النص برقم الهاتف والجهة الحكومية.]"),
		InfoBilling: tr(
			"Billing and insurance help\n\nQuestions about a bill, payment plans or financial assistance: visit the Billing office or call the number on your statement. Financial assistance is available; ask for an application.\n\n[Edit this text with your billing office hours and phone number.]",
			"Ayuda con facturas y seguros\n\nPreguntas sobre una factura, planes de pago o ayuda financiera: visite la oficina de facturación o llame al número de su estado de cuenta. Hay ayuda financiera disponible.\n\n[Edite este texto con su horario y teléfono.]",
			"المساعدة في الفواتير والتأمين\n\nللاستفسار عن فاتورة أو خطط الدفع أو المساعدة المالية: زر مكتب الفواتير أو اتصل بالرقم الموجود في كشف حسابك. المساعدة المالية متاحة.\n\n[عدّل هذا النص بمواعيد المكتب ورقم الهاتف.]"),
		InfoLanguage: tr(
			"Free language help\n\nIf you speak a language other than English, free interpreter services are available to you. Ask any staff member.",
			"Ayuda gratuita con el idioma\n\nSi habla español, tiene a su disposición servicios gratuitos de asistencia lingüística. Pregunte a cualquier miembro del personal.",
			"مساعدة لغوية مجانية\n\nإذا كنت تتحدث اللغة العربية، فإن خدمات المساعدة اللغوية متوفرة لك مجاناً. اسأل أي موظف."),
	}
}
