package models_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

func TestSeededChineseAndVietnamese(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for _, key := range []string{"kiosk", "post-discharge"} {
			def, _, err := s.SurveyByKey(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(def.Languages, ","); got != "en,es,ar,zh,vi" || def.Version != 1 {
				t.Fatalf("%s: languages %s, version %d", key, got, def.Version)
			}
			for _, q := range def.Questions {
				for _, l := range def.Languages {
					if q.Prompt[l] == "" {
						t.Errorf("%s %s: no %s prompt", key, q.Key, l)
					}
					for _, o := range q.Options {
						if o.Label[l] == "" {
							t.Errorf("%s %s %s: no %s label", key, q.Key, o.Value, l)
						}
					}
				}
			}
		}
		def, _, _ := s.SurveyByKey(ctx, "kiosk")
		if def.Questions[0].Prompt["zh"] != "您今天的就诊体验如何？" || def.Questions[4].Options[0].Label["vi"] != "Thời gian chờ đợi" {
			t.Fatalf("%+v", def.Questions[0].Prompt)
		}
		for _, key := range []string{models.InfoRights, models.InfoConcern, models.InfoBilling, models.InfoLanguage} {
			v, _, _ := s.Setting(ctx, key)
			m := map[string]string{}
			if err := json.Unmarshal([]byte(v), &m); err != nil || m["zh"] == "" || m["vi"] == "" || m["en"] == "" {
				t.Fatalf("%s: %v %v", key, m, err)
			}
		}
	})
}

// TestSeedLanguagesLeaveEditsAlone: a database from before the migration
// where an admin edited the kiosk survey and the rights screen keeps both
// as they are; the untouched post-discharge survey and billing screen get
// Chinese and Vietnamese; running again changes nothing.
func TestSeedLanguagesLeaveEditsAlone(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		for _, key := range []string{"kiosk", "post-discharge"} {
			if err := s.RestoreSeedSurvey(ctx, key); err != nil {
				t.Fatal(err)
			}
		}
		edited, _, _ := s.SurveyByKey(ctx, "kiosk")
		edited.Questions[0].Prompt = map[string]string{"en": "How was your visit to our clinic?", "es": "¿Cómo fue su visita?", "ar": "كيف كانت زيارتك؟"}
		if err := s.SaveSurvey(ctx, edited); err != nil {
			t.Fatal(err)
		}
		custom := `{"en":"Our own rights text"}`
		if err := s.SetSetting(ctx, models.InfoRights, custom); err != nil {
			t.Fatal(err)
		}
		if err := s.SetSetting(ctx, models.InfoBilling, models.SeedInfoScreen(models.InfoBilling)); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := s.AddSeedLanguages(ctx); err != nil {
				t.Fatal(err)
			}
			k, _, _ := s.SurveyByKey(ctx, "kiosk")
			if got := strings.Join(k.Languages, ","); got != "en,es,ar" || k.Version != 2 || k.Questions[0].Prompt["zh"] != "" {
				t.Fatalf("edited survey changed: %s v%d %v", got, k.Version, k.Questions[0].Prompt)
			}
			p, _, _ := s.SurveyByKey(ctx, "post-discharge")
			if got := strings.Join(p.Languages, ","); got != "en,es,ar,zh,vi" || p.Questions[2].Prompt["vi"] == "" {
				t.Fatalf("unedited survey: %s %v", got, p.Questions[2].Prompt)
			}
			if v, _, _ := s.Setting(ctx, models.InfoRights); v != custom {
				t.Fatalf("edited screen changed: %s", v)
			}
			if v, _, _ := s.Setting(ctx, models.InfoBilling); !strings.Contains(v, `"zh":"账单和保险帮助`) || !strings.Contains(v, "Billing and insurance help") {
				t.Fatalf("billing screen: %s", v)
			}
		}
	})
}
