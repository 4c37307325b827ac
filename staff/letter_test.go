package staff_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

// TestLetterInPatientLanguage produces the CMS resolution letter for a
// patient of each language: every fixed word of the letter, the date at
// the top (the clock says 27 November 2026) and the completion date are in
// the patient's language, with its direction.
func TestLetterInPatientLanguage(t *testing.T) {
	cases := []struct {
		lang, attrs string
		want        []string
		english     bool
	}{
		{"en", `lang="en" dir="ltr"`, []string{"November 27, 2026", "Dear Rosa Diaz,", "Our review was completed on December 1, 2026.",
			"please contact Ana Ruiz at ext. 4410.", "Sincerely,", "Reference: case 1"}, true},
		{"es", `lang="es" dir="ltr"`, []string{"27 de noviembre de 2026", "Estimado/a Rosa Diaz:", "Nuestra revisión se completó el 1 de diciembre de 2026.",
			"comuníquese con Ana Ruiz (ext. 4410)", "Atentamente,", "Referencia: caso 1", "Lo que hicimos para investigar"}, false},
		{"ar", `lang="ar" dir="rtl"`, []string{"٢٧ نوفمبر ٢٠٢٦", "عزيزي/عزيزتي \u2068Rosa Diaz\u2069،", "يرجى التواصل مع \u2068Ana Ruiz\u2069 (\u2068ext. 4410\u2069)", "اكتملت مراجعتنا بتاريخ ١ ديسمبر ٢٠٢٦.",
			"مع خالص التحية،", "المرجع: الحالة رقم 1"}, false},
		{"zh", `lang="zh-Hans" dir="ltr"`, []string{"2026年11月27日", "尊敬的Rosa Diaz：", "我们的审查已于2026年12月1日完成。", "此致敬礼！", "参考编号：案例 1"}, false},
		{"vi", `lang="vi" dir="ltr"`, []string{"ngày 27 tháng 11 năm 2026", "Kính gửi Rosa Diaz,", "Chúng tôi đã hoàn tất việc xem xét vào ngày 1 tháng 12 năm 2026.",
			"Trân trọng,", "Tham chiếu: hồ sơ số 1"}, false},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			testapp.Each(t, nil, func(t *testing.T, a *testapp.App) {
				quiet(a)
				pw, _ := a.User("ana@h.org", models.RoleAgent)
				s := a.NewStaff()
				s.Login("ana@h.org", pw, "")
				r := s.Post("/staff/cases/new", url.Values{"channel": {"letter"}, "department": {"INPT"}, "category": {"care_quality"},
					"priority": {"normal"}, "summary": {"Left without water"}, "name": {"Rosa Diaz"}, "phone": {"312-555-0100"}, "language": {c.lang}})
				if r.Status != 303 {
					t.Fatalf("new case: %d %s", r.Status, r.Body)
				}
				path := strings.Split(r.Header.Get("Location"), "?")[0]
				form := s.Get(path + "/letter")
				if !strings.Contains(string(form.Body), `id="letter-language">`) {
					t.Fatalf("the form does not say the letter's language")
				}
				letter := s.Post(path+"/letter", url.Values{"contact_name": {"Ana Ruiz"}, "contact_phone": {"ext. 4410"},
					"steps": {"Interviewed staff"}, "results": {"Retrained"}, "completed": {"2026-12-01"}})
				body := html.UnescapeString(string(letter.Body))
				if letter.Status != 200 || !strings.Contains(body, "<html "+c.attrs+">") {
					t.Fatalf("letter %d: %.300s", letter.Status, body)
				}
				for _, w := range c.want {
					if !strings.Contains(body, w) {
						t.Errorf("letter lacks %q", w)
					}
				}
				printed := body[strings.Index(body, `<main class="letter"`):]
				for _, en := range []string{"Dear", "Sincerely", "Ref.", "December", "investigate"} {
					if !c.english && strings.Contains(printed, en) {
						t.Errorf("the %s letter has English %q", c.lang, en)
					}
				}
			})
		})
	}
}
