package conversations_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
)

// TestSMSConversationInChineseAndVietnamese runs the post-discharge
// survey by SMS for a patient whose record says zh-Hans or vi-VN: every
// message is in their language, and they answer with their own number,
// yes and skip words.
func TestSMSConversationInChineseAndVietnamese(t *testing.T) {
	type step struct{ in, wantReply string }
	cases := []struct {
		tag, phone string
		first      []string
		steps      []step
		wantLang   string
	}{
		{"zh-Hans", "+13125550171", []string{"共 4 题", "您对这次住院的总体评价如何？", "请回复1到5。", "回复STOP退订。"},
			[]step{{"还行吧", "抱歉，我们没有看懂您的回复。"}, {"四分", "工作人员的解释方式"}, {"是的", "请回复0到10。"}, {"十", "请直接回复您的意见"}, {"跳过", "谢谢您！"}}, "zh"},
		{"vi-VN", "+13125550172", []string{"(4 câu hỏi)", "Quý vị đánh giá chung", "Trả lời từ 1 đến 5.", "Trả lời STOP để ngừng nhận tin nhắn."},
			[]step{{"bốn", "Nhân viên có giải thích"}, {"Có ạ", "Trả lời từ 0 đến 10."}, {"mười", "Quý vị còn điều gì khác"}, {"bỏ qua", "cảm ơn quý vị!"}}, "vi"},
	}
	for _, c := range cases {
		t.Run(c.wantLang, func(t *testing.T) {
			setup(t, func(t *testing.T, e *env) {
				r := e.Discharge(dischargeJSON("E-"+c.wantLang, c.phone, "", `,"language":"`+c.tag+`"`))
				if r.Status != 202 || r.JSON()["channel"] != "sms" {
					t.Fatalf("discharge: %d %s", r.Status, r.Body)
				}
				e.Tick()
				sent := e.Twilio.To(c.phone)
				if len(sent) != 1 {
					t.Fatalf("first SMS: %+v", sent)
				}
				for _, w := range c.first {
					if !strings.Contains(sent[0].Body, w) {
						t.Errorf("first SMS lacks %q: %s", w, sent[0].Body)
					}
				}
				if !strings.HasPrefix(sent[0].Body, "Saint Example Hospital") {
					t.Errorf("first SMS does not name the hospital: %s", sent[0].Body)
				}
				for _, s := range c.steps {
					e.SMS(e.NextSID(), c.phone, s.in)
					e.Tick()
					got := e.Twilio.To(c.phone)
					if last := got[len(got)-1].Body; !strings.Contains(last, s.wantReply) {
						t.Fatalf("after %q the reply was %q; want %q", s.in, last, s.wantReply)
					}
				}
				resp, err := e.Store.ResponseByClientID(context.Background(), "inv-1")
				if err != nil || resp.Language != c.wantLang {
					t.Fatalf("response %+v %v", resp, err)
				}
				ans, _ := e.Store.ResponseAnswers(context.Background(), resp.ID)
				var got []string
				for _, a := range ans {
					got = append(got, a.Value)
				}
				if strings.Join(got, ",") != "4,yes,10" {
					t.Fatalf("answers %v (the skipped comment must not be stored as text)", got)
				}
			})
		})
	}
}

// TestKeywordsAnsweredInTheirLanguage: an unknown number that opts out or
// asks for help in Chinese or Vietnamese is answered in that language,
// exactly once; a patient's own language wins for a known number.
func TestKeywordsAnsweredInTheirLanguage(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		for _, c := range []struct{ from, in, want string }{
			{"+13125550181", "退订", "您将不会再收到我们的短信"},
			{"+13125550182", "Dừng", "quý vị sẽ không nhận thêm tin nhắn"},
			{"+13125550183", "帮助", "患者满意度调查"},
			{"+13125550184", "PARAR", "no recibirá más mensajes"},
		} {
			e.SMS(e.NextSID(), c.from, c.in)
			e.Tick()
			got := e.Twilio.To(c.from)
			if len(got) != 1 || !strings.Contains(got[0].Body, c.want) {
				t.Errorf("%q: replies %+v, want one with %q", c.in, got, c.want)
			}
		}
		// a Vietnamese patient's "đúng" (correct) is an answer, never "dừng" (stop)
		e.Discharge(dischargeJSON("E-vi2", "+13125550185", "", `,"language":"vi"`))
		e.Tick()
		e.SMS(e.NextSID(), "+13125550185", "4")
		e.Tick()
		e.SMS(e.NextSID(), "+13125550185", "đúng")
		e.Tick()
		got := e.Twilio.To("+13125550185")
		if last := got[len(got)-1].Body; !strings.Contains(last, "Trả lời từ 0 đến 10.") {
			t.Fatalf("đúng was not taken as yes: %q", last)
		}
	})
}

// TestEmailSurveyErrorsInPageLanguage submits a half-filled Spanish,
// Arabic and Vietnamese survey: every problem is shown at once, beside
// its question and in a summary, in the page's language, with what the
// patient wrote kept.
func TestEmailSurveyErrorsInPageLanguage(t *testing.T) {
	cases := []struct {
		lang, dir, summary, required, number string
	}{
		{"es", "ltr", "Revise las 3 respuestas marcadas abajo.", "Responda esta pregunta, por favor.", "Elija un número del 0 al 10."},
		{"ar", "rtl", "يرجى مراجعة 3 إجابات محددة أدناه.", "يرجى الإجابة عن هذا السؤال.", "يرجى اختيار رقم من 0 إلى 10."},
		{"vi", "ltr", "Vui lòng kiểm tra 3 câu trả lời được đánh dấu bên dưới.", "Vui lòng trả lời câu hỏi này.", "Vui lòng chọn một số từ 0 đến 10."},
	}
	for _, c := range cases {
		t.Run(c.lang, func(t *testing.T) {
			setup(t, func(t *testing.T, e *env) {
				e.Discharge(dischargeJSON("E-"+c.lang, "", "p@example.org", `,"language":"`+c.lang+`"`))
				e.Tick()
				tok := e.Server.Inviting.Links().Token(1)
				form := url.Values{"q_recommend": {"12"}, "q_comment": {"El café <b>frío</b>"}}
				r := postForm(t, e, "/s/"+tok, form, "")
				body := html.UnescapeString(string(r.Body))
				if r.Status != 400 || !strings.Contains(body, `lang="`+c.lang+`" dir="`+c.dir+`"`) {
					t.Fatalf("%d %.400s", r.Status, body)
				}
				if !strings.Contains(body, c.summary) {
					t.Errorf("summary %q missing", c.summary)
				}
				for key, want := range map[string]string{"overall": c.required, "explained": c.required, "recommend": c.number} {
					m := regexp.MustCompile(`<p class="error" id="err-` + key + `">([^<]*)</p>`).FindStringSubmatch(body)
					if m == nil || m[1] != want {
						t.Errorf("%s: error %v, want %q beside the question", key, m, want)
					}
					if !strings.Contains(body, `id="f-`+key+`" aria-describedby="err-`+key+`"`) {
						t.Errorf("%s: the question does not point at its error", key)
					}
				}
				if strings.Contains(body, `id="err-comment"`) {
					t.Error("the optional comment was marked")
				}
				if !strings.Contains(string(r.Body), `El café &lt;b&gt;frío&lt;/b&gt;</textarea>`) {
					t.Error("the comment was not kept (escaped)")
				}
				for _, en := range []string{"is required", "questions[", "Please", "answers["} {
					if strings.Contains(body, en) {
						t.Errorf("English or internals on the page: %q", en)
					}
				}
				// fixed: kept answers stay checked, the rest goes through
				form.Set("q_recommend", "9")
				form.Set("q_overall", "4")
				r = postForm(t, e, "/s/"+tok, form, "")
				if r.Status != 400 || !strings.Contains(string(r.Body), `value="4" checked`) || !strings.Contains(string(r.Body), `value="9" checked`) {
					t.Fatalf("second try: %d", r.Status)
				}
				form.Set("q_explained", "yes")
				if r = postForm(t, e, "/s/"+tok, form, ""); r.Status != 200 {
					t.Fatalf("complete: %d", r.Status)
				}
				if resp, err := e.Store.ResponseByClientID(context.Background(), "inv-1"); err != nil || resp.Language != c.lang {
					t.Fatalf("%+v %v", resp, err)
				}
			})
		})
	}
}

// TestPatientPagesSpeakTheirLanguage: the unsubscribe page, and error
// pages for links that are not valid, in the patient's language, or the
// browser's when the link tells nothing.
func TestPatientPagesSpeakTheirLanguage(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		e.Discharge(dischargeJSON("E-zh", "", "p@example.org", `,"language":"zh-CN"`))
		e.Tick()
		tok := e.Server.Inviting.Links().Token(1)
		if r := get(t, e, "/unsubscribe/"+tok, ""); r.Status != 200 || !strings.Contains(string(r.Body), "您是否不想再收到我们的调查邮件？") ||
			!strings.Contains(string(r.Body), `lang="zh-Hans"`) {
			t.Fatalf("unsubscribe page: %d %s", r.Status, r.Body)
		}
		if r := postForm(t, e, "/unsubscribe/"+tok, url.Values{}, ""); !strings.Contains(string(r.Body), "您将不会再收到我们的调查邮件。") {
			t.Fatalf("unsubscribed: %s", r.Body)
		}
		for _, c := range []struct{ path, accept, want, attrs string }{
			{"/s/1.deadbeef", "es-MX,es;q=0.9,en;q=0.5", "Este enlace no es válido.", `lang="es" dir="ltr"`},
			{"/f/1.deadbeef", "ar", "هذا الرابط غير صالح.", `lang="ar" dir="rtl"`},
			{"/unsubscribe/nonsense", "vi-VN", "Đường dẫn này không hợp lệ.", `lang="vi" dir="ltr"`},
			{"/kiosk/not-a-kiosk", "zh-TW,zh;q=0.8", "此自助设备尚未设置。", `lang="zh-Hans" dir="ltr"`},
			{"/s/1.deadbeef", "", "This link is not valid.", `lang="en" dir="ltr"`},
		} {
			r := get(t, e, c.path, c.accept)
			body := string(r.Body)
			if r.Status != 404 || !strings.Contains(body, c.want) || !strings.Contains(body, c.attrs) {
				t.Errorf("%s (%s): %d %s", c.path, c.accept, r.Status, body)
			}
		}
	})
}

func get(t *testing.T, e *env, path, accept string) testapp.Result {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	return read(e, req)
}

func postForm(t *testing.T, e *env, path string, form url.Values, accept string) testapp.Result {
	t.Helper()
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if accept != "" {
		req.Header.Set("Accept-Language", accept)
	}
	return read(e, req)
}

func read(e *env, req *http.Request) testapp.Result {
	resp := e.Do(req)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return testapp.Result{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// TestFollowupPageInPatientLanguage: the satisfaction question, its email
// and a submit without an answer, in the patient's language.
func TestFollowupPageInPatientLanguage(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		path := followupPath(t, e, "es")
		rows, _ := e.Store.Outbox(context.Background(), models.OutboxFilter{})
		for _, m := range rows {
			if o := e.Store.OpenMessage(m); m.Kind == "followup" && (!strings.Contains(o.Subject, "¿está satisfecho con nuestra respuesta?") ||
				!strings.Contains(o.HTML, `lang="es" dir="ltr"`) || !strings.Contains(o.Body, "Dar mi respuesta")) {
				t.Fatalf("follow-up email %+v", o)
			}
		}
		r := get(t, e, path, "")
		if r.Status != 200 || !strings.Contains(string(r.Body), "Sí, estoy satisfecho") {
			t.Fatalf("page %d %s", r.Status, r.Body)
		}
		r = postForm(t, e, path, url.Values{}, "")
		if r.Status != 400 || !strings.Contains(string(r.Body), `<p class="error" id="followup-error" role="alert">Elija una de las dos respuestas.</p>`) ||
			!strings.Contains(string(r.Body), `id="followup-yes"`) {
			t.Fatalf("no answer: %d %s", r.Status, r.Body)
		}
		if r = postForm(t, e, path, url.Values{"answer": {"yes"}}, ""); r.Status != 200 || !strings.Contains(string(r.Body), "Gracias. Hemos recibido su respuesta.") {
			t.Fatalf("answer: %d %s", r.Status, r.Body)
		}
	})
}

// TestThrottledLinkInPatientLanguage: a patient link refused for too many
// requests says so in the browser's language.
func TestThrottledLinkInPatientLanguage(t *testing.T) {
	setup(t, func(t *testing.T, e *env) {
		var r testapp.Result
		for i := 0; i < 4; i++ {
			r = get(t, e, "/s/1.deadbeef", "vi")
		}
		if r.Status != 429 || !strings.Contains(string(r.Body), "Vui lòng đợi một phút rồi thử lại.") || !strings.Contains(string(r.Body), `lang="vi"`) {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}, func(c *config.Config) { c.Throttles.Link = 2 })
}
