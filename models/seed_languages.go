package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"gorm.io/gorm"
)

// The seeded surveys and kiosk information screens in Chinese (Simplified)
// and Vietnamese, added by a migration to databases whose seeded content
// nobody has edited (an edited survey has a version above 1; an edited
// screen differs from the seed): an admin's wording is never overwritten.
// New databases get them the same way, right after the seed.

// seedLanguages are the languages this migration adds, in order.
var seedLanguages = []string{"zh", "vi"}

// seedPrompts are the added prompts: survey key -> question key -> zh, vi.
var seedPrompts = map[string]map[string][2]string{
	"kiosk": {
		"overall": {"您今天的就诊体验如何？", "Lần khám hôm nay của quý vị thế nào?"},
		"staff":   {"我们的工作人员对您是否友善、尊重？", "Nhân viên của chúng tôi tử tế và tôn trọng quý vị đến mức nào?"},
		"wait":    {"等候时间如何？", "Thời gian chờ đợi thế nào?"},
		"clean":   {"这里的环境干净吗？", "Khu vực này có sạch sẽ không?"},
		"topic":   {"主要是关于哪方面的？", "Chủ yếu là về vấn đề gì?"},
		"comment": {"还有什么想告诉我们的吗？（选填）", "Quý vị có điều gì muốn cho chúng tôi biết không? (không bắt buộc)"},
	},
	"post-discharge": {
		"overall": {"您对这次住院的总体评价如何？（1 = 非常差，5 = 非常好）",
			"Quý vị đánh giá chung thế nào về thời gian nằm viện? (1 = rất tệ, 5 = rất tốt)"},
		"explained": {"工作人员的解释方式是否让您能够理解？",
			"Nhân viên có giải thích mọi việc theo cách quý vị hiểu được không?"},
		"recommend": {"您有多大可能向亲友推荐我们？（0 = 完全不可能，10 = 非常可能）",
			"Quý vị có sẵn lòng giới thiệu chúng tôi với bạn bè và gia đình không? (0 = hoàn toàn không, 10 = chắc chắn có)"},
		"comment": {"您还有其他想告诉我们的吗？", "Quý vị còn điều gì khác muốn cho chúng tôi biết không?"},
	},
}

// seedOptionLabels are the added labels of the topic question's options.
var seedOptionLabels = map[string][2]string{
	"wait_time":      {"等候时间", "Thời gian chờ đợi"},
	"staff_attitude": {"工作人员对我的态度", "Cách nhân viên đối xử với tôi"},
	"communication":  {"信息和解释说明", "Thông tin và giải thích"},
	"care_quality":   {"我的护理或治疗", "Việc chăm sóc hoặc điều trị cho tôi"},
	"facility":       {"清洁和设施", "Vệ sinh và cơ sở vật chất"},
	"billing":        {"账单和保险", "Hóa đơn và bảo hiểm"},
	"other":          {"其他", "Vấn đề khác"},
}

// seedInfoTexts are the added kiosk information screens.
var seedInfoTexts = map[string][2]string{
	InfoRights: {
		"您的权利和责任\n\n您有权获得尊重和安全的医疗服务；有权享有隐私；有权以您能理解的语言获得有关您治疗的信息；有权参与有关您治疗的决定；并有权无所顾虑地提出意见。我们请您提供准确的健康信息，遵守您同意的治疗计划，并尊重他人。\n\n[请在“工作人员 > 自助设备 > 信息页面”中修改此文字，使其符合本院政策。]",
		"Quyền và trách nhiệm của quý vị\n\nQuý vị có quyền được chăm sóc an toàn và tôn trọng; được bảo vệ quyền riêng tư; được nhận thông tin về việc chăm sóc mình bằng ngôn ngữ quý vị hiểu; được tham gia vào các quyết định về việc chăm sóc mình; và được nêu khiếu nại mà không phải lo sợ. Chúng tôi đề nghị quý vị cung cấp thông tin chính xác về sức khỏe, làm theo kế hoạch chăm sóc đã đồng ý và đối xử tôn trọng với người khác.\n\n[Hãy sửa nội dung này trong Nhân viên > Máy kiosk > Màn hình thông tin cho phù hợp với chính sách của bệnh viện.]",
	},
	InfoConcern: {
		"如何提出投诉\n\n患者关系部：请询问任何一位工作人员，拨打医院总机并要求转接患者关系部，或使用本设备并选择“请联系我”。\n无论您是否已使用我们的投诉流程，您也可以联系州卫生部投诉热线，或联合委员会（The Joint Commission，www.jointcommission.org，质量与患者安全办公室）。\n\n[请填写本院患者关系部的电话号码及所在州的主管机构。]",
		"Cách nêu khiếu nại\n\nPhòng Quan hệ Bệnh nhân: hãy hỏi bất kỳ nhân viên nào, gọi số điện thoại chính của bệnh viện và yêu cầu gặp Phòng Quan hệ Bệnh nhân, hoặc dùng máy này và chọn \"liên lạc với tôi\".\nQuý vị cũng có thể liên lạc với đường dây khiếu nại của Sở Y tế Tiểu bang, hoặc The Joint Commission (www.jointcommission.org, Văn phòng Chất lượng và An toàn Bệnh nhân), dù quý vị đã dùng quy trình của chúng tôi hay chưa.\n\n[Hãy điền số điện thoại của Phòng Quan hệ Bệnh nhân và cơ quan tiểu bang.]",
	},
	InfoBilling: {
		"账单和保险帮助\n\n如对账单、付款计划或经济援助有疑问：请前往账单办公室，或拨打您账单上的电话号码。我们提供经济援助，请索取申请表。\n\n[请填写账单办公室的办公时间和电话号码。]",
		"Trợ giúp về hóa đơn và bảo hiểm\n\nNếu có câu hỏi về hóa đơn, kế hoạch trả góp hoặc hỗ trợ tài chính: hãy đến Phòng Hóa đơn hoặc gọi số điện thoại ghi trên bảng kê của quý vị. Chúng tôi có chương trình hỗ trợ tài chính; hãy hỏi xin đơn đăng ký.\n\n[Hãy điền giờ làm việc và số điện thoại của Phòng Hóa đơn.]",
	},
	InfoLanguage: {
		"免费语言帮助\n\n如果您使用简体中文，您可以免费获得口译服务。请询问任何一位工作人员。",
		"Trợ giúp ngôn ngữ miễn phí\n\nNếu quý vị nói Tiếng Việt, quý vị có thể được sử dụng dịch vụ thông dịch miễn phí. Xin hỏi bất kỳ nhân viên nào.",
	},
}

// addSeedLanguages gives the unedited seeded surveys and information
// screens their Chinese and Vietnamese texts.
func addSeedLanguages(tx *gorm.DB) error {
	for _, s := range seedSurveys() {
		if err := addSurveyLanguages(tx, s); err != nil {
			return fmt.Errorf("survey %s: %w", s.survey.Key, err)
		}
	}
	for key, seeded := range defaultInfoScreens() {
		var row Setting
		err := tx.Where("`key` = ?", key).Take(&row).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			continue
		}
		if err != nil {
			return fmt.Errorf("setting %s: %w", key, err)
		}
		if !sameJSON(row.Value, seeded) {
			continue // edited by an admin
		}
		v, err := withLanguages(row.Value, seedInfoTexts[key])
		if err != nil {
			return err
		}
		if err := tx.Model(&Setting{}).Where("`key` = ?", key).Update("value", v).Error; err != nil {
			return fmt.Errorf("setting %s: %w", key, err)
		}
	}
	return nil
}

func addSurveyLanguages(tx *gorm.DB, s seedSurvey) error {
	var sv Survey
	err := tx.Where("`key` = ?", s.survey.Key).Take(&sv).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if sv.Version != s.survey.Version || sv.Languages != s.survey.Languages || sv.Name != s.survey.Name {
		return nil // saved by an admin since the seed
	}
	var rows []SurveyQuestion
	if err := tx.Where("survey_id = ?", sv.ID).Order("position").Find(&rows).Error; err != nil {
		return err
	}
	if len(rows) != len(s.questions) {
		return nil
	}
	for i, r := range rows {
		q := s.questions[i]
		if r.Key != q.Key || r.Kind != q.Kind || r.Required != q.Required || r.Archived || r.ShowIf != q.ShowIf ||
			!sameJSON(r.Prompt, q.Prompt) || !sameJSON(r.Options, q.Options) {
			return nil
		}
	}
	for _, r := range rows {
		prompt, err := withLanguages(r.Prompt, seedPrompts[s.survey.Key][r.Key])
		if err != nil {
			return err
		}
		options, err := optionsWithLanguages(r.Options)
		if err != nil {
			return err
		}
		if err := tx.Model(&SurveyQuestion{}).Where("id = ?", r.ID).Updates(map[string]any{"prompt": prompt, "options": options}).Error; err != nil {
			return err
		}
	}
	langs := sv.Languages
	for _, l := range seedLanguages {
		langs += "," + l
	}
	return tx.Model(&Survey{}).Where("id = ?", sv.ID).Update("languages", langs).Error
}

// withLanguages adds the texts (zh, vi) to a JSON object of texts by
// language.
func withLanguages(js string, texts [2]string) (string, error) {
	m := map[string]string{}
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		return "", err
	}
	for i, l := range seedLanguages {
		if texts[i] == "" {
			return "", fmt.Errorf("no %s text for %q", l, m["en"])
		}
		m[l] = texts[i]
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func optionsWithLanguages(js string) (string, error) {
	var list []opt
	if err := json.Unmarshal([]byte(js), &list); err != nil {
		return "", err
	}
	if len(list) == 0 {
		return js, nil
	}
	for i := range list {
		for j, l := range seedLanguages {
			t := seedOptionLabels[list[i].Value][j]
			if t == "" {
				return "", fmt.Errorf("no %s label for option %q", l, list[i].Value)
			}
			list[i].Label[l] = t
		}
	}
	b, err := json.Marshal(list)
	return string(b), err
}

// sameJSON compares two JSON texts by value, not by spelling.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(x, y)
}
