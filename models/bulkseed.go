package models

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"gorm.io/gorm"
)

// bulkRowsPerResponse is the most rows one synthetic response adds
// (itself, five answers, two invitations).
const bulkRowsPerResponse = 8

// BulkOptions sizes a synthetic data set for benchmarks.
type BulkOptions struct {
	Responses, Cases int
	Days             int // spread over the Days before Now
	Now              time.Time
	Loc              *time.Location
	// Progress is told about each stage's progress (may be nil).
	Progress func(stage string, done, total int)
}

var bulkComments = []struct{ text, tags string }{
	{"Waited far too long in the emergency room before anyone saw me", "wait"},
	{"The nurse at the front desk was rude to my mother", "rude"},
	{"Nobody explained what the tests were for", "communication"},
	{"The bathroom on the third floor was dirty", "cleanliness"},
	{"The bill I received is wrong and nobody answers the phone", "billing"},
	{"Food was cold every evening", "food"},
	{"Doctor was wonderful and took time to explain everything", ""},
	{"Parking was impossible and the signs were confusing", "facility"},
}

// weighted picks an index by weight.
func weighted(r *rand.Rand, w []int) int {
	sum := 0
	for _, x := range w {
		sum += x
	}
	n := r.IntN(sum)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// BulkSeed writes a large, realistic data set fast (multi-row inserts,
// several hundred rows a statement): responses with answers and comments
// over o.Days, kiosks, contacts, invitations for the SMS and email
// responses, and cases with timelines in every state. Responses are
// written already counted and the report rollups rebuilt once at the end.
// For benchmarks on a scratch database, never for production data.
func (s *Store) BulkSeed(ctx context.Context, o BulkOptions) error {
	rng := rand.New(rand.NewPCG(uint64(o.Responses), uint64(o.Cases)))
	progress := o.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	depts, err := s.Departments(ctx)
	if err != nil {
		return err
	}
	deptID := map[string]uint{}
	for _, d := range depts {
		deptID[d.Code] = d.ID
	}
	_, kioskSurvey, err := s.SurveyByKey(ctx, "kiosk")
	if err != nil {
		return fmt.Errorf("bulk seed: %w", err)
	}
	_, postSurvey, err := s.SurveyByKey(ctx, "post-discharge")
	if err != nil {
		return fmt.Errorf("bulk seed: %w", err)
	}
	var kiosks []Kiosk
	for i, code := range []string{"ED", "ED", "INPT", "OUTPT", "OUTPT", "ADMIN"} {
		_, k, err := s.CreateKiosk(ctx, fmt.Sprintf("Bench kiosk %d", i+1), "Lobby "+code, code, "kiosk")
		if err != nil {
			return err
		}
		kiosks = append(kiosks, k)
	}
	contacts := make([]Contact, 2000)
	for i := range contacts {
		phone := fmt.Sprintf("+1312555%04d", i)
		contacts[i] = Contact{NameEnc: s.Crypto.Seal(fmt.Sprintf("Bench Patient %d", i)), PhoneEnc: s.Crypto.Seal(phone),
			PhoneIndex: s.Crypto.BlindIndex("phone", phone), Language: "en", CreatedAt: o.Now, UpdatedAt: o.Now}
	}
	if err := s.ctx(ctx).CreateInBatches(contacts, 500).Error; err != nil {
		return fmt.Errorf("bulk contacts: %w", err)
	}
	sealed := make([]string, len(bulkComments))
	for i, c := range bulkComments {
		sealed[i] = s.Crypto.Seal(c.text)
	}
	var maxID struct{ N *uint }
	if err := s.ctx(ctx).Model(&Response{}).Select("MAX(id) AS n").Scan(&maxID).Error; err != nil {
		return err
	}
	next := uint(1)
	if maxID.N != nil {
		next = *maxID.N + 1
	}
	var maxEnc struct{ N *uint }
	_ = s.ctx(ctx).Model(&Invitation{}).Select("MAX(encounter_id) AS n").Scan(&maxEnc).Error
	enc := uint(1000000)
	if maxEnc.N != nil {
		enc = *maxEnc.N + 1
	}
	deptCodes := []string{"ED", "INPT", "OUTPT", "INPT", "ED"}
	span := time.Duration(o.Days) * 24 * time.Hour
	// one transaction holds at most MaxBatchRows rows (responses, their
	// answers and invitations), so a cluster replicates small write sets
	var resp []Response
	var answers []Answer
	var invs []Invitation
	flush := func() error {
		if len(resp) == 0 {
			return nil
		}
		err := s.write(ctx, "bulk responses", func(tx *gorm.DB) error {
			for i := range answers {
				answers[i].ID = 0 // a retried attempt inserts afresh
			}
			for i := range invs {
				invs[i].ID = 0
			}
			if err := tx.Create(&resp).Error; err != nil {
				return err
			}
			if err := tx.Create(&answers).Error; err != nil {
				return err
			}
			if len(invs) > 0 {
				return tx.Create(&invs).Error
			}
			return nil
		})
		resp, answers, invs = resp[:0], answers[:0], invs[:0]
		if err != nil {
			return fmt.Errorf("bulk responses: %w", err)
		}
		return nil
	}
	for done := 0; done < o.Responses; done++ {
		id := next
		next++
		// in time order, as real responses arrive: ids follow time
		at := o.Now.Add(-span + time.Duration((float64(done)+rng.Float64())/float64(o.Responses)*float64(span)))
		r := Response{ID: id, ClientID: fmt.Sprintf("bulk-%d", id), SurveyVersion: 1, Language: "en", Completed: true,
			SubmittedAt: at, ReceivedAt: at, RolledUp: true, Suspicious: rng.IntN(100) == 0}
		if rng.IntN(10) == 0 {
			r.Language = "es"
		}
		overall := 5 - weighted(rng, []int{45, 30, 12, 8, 5})
		add := func(key, kind string, iv *int, bv *bool, text string, tags string) {
			a := Answer{ResponseID: id, QuestionKey: key, Kind: kind, IntValue: iv, BoolValue: bv, TextEnc: text, Tags: tags}
			answers = append(answers, a)
		}
		ip := func(v int) *int { return &v }
		bp := func(v bool) *bool { return &v }
		switch src := weighted(rng, []int{70, 20, 10}); src {
		case 0:
			k := kiosks[rng.IntN(len(kiosks))]
			r.Source, r.SurveyID, r.DepartmentID, r.KioskID = "kiosk", kioskSurvey, k.DepartmentID, &k.ID
			add("overall", "rating5", ip(overall), nil, "", "")
			if rng.IntN(10) < 7 {
				add("staff", "rating5", ip(max(1, min(5, overall+rng.IntN(3)-1))), nil, "", "")
			}
			if rng.IntN(10) < 6 {
				add("wait", "rating5", ip(max(1, min(5, overall+rng.IntN(3)-2))), nil, "", "")
			}
			if rng.IntN(2) == 0 {
				add("clean", "yesno", nil, bp(rng.IntN(10) < 8), "", "")
			}
		default:
			r.Source, r.SurveyID = []string{"", "sms", "email"}[src], postSurvey
			r.DepartmentID = deptID[deptCodes[rng.IntN(len(deptCodes))]]
			c := contacts[rng.IntN(len(contacts))]
			r.ContactID = &c.ID
			add("overall", "rating5", ip(overall), nil, "", "")
			add("explained", "yesno", nil, bp(rng.IntN(10) < 8), "", "")
			add("recommend", "nps", ip(min(10, max(0, overall*2+rng.IntN(3)-1))), nil, "", "")
			first := at.Add(-2 * time.Hour)
			invs = append(invs, Invitation{EncounterID: enc, ContactID: c.ID, SurveyID: postSurvey, DepartmentID: r.DepartmentID,
				Channel: r.Source, Status: InvCompleted, Language: r.Language, FirstSentAt: &first, StartedAt: &first, DeliveredAt: &first, CompletedAt: &at,
				ResponseID: &r.ID, CreatedAt: first, UpdatedAt: at})
			enc++
			if rng.IntN(2) == 0 { // a non-responder sent the same day
				iv := Invitation{EncounterID: enc, ContactID: c.ID, SurveyID: postSurvey, DepartmentID: r.DepartmentID,
					Channel: r.Source, Status: InvExpired, Language: "en", FirstSentAt: &first, CreatedAt: first, UpdatedAt: first}
				if rng.IntN(10) != 0 {
					iv.DeliveredAt = &first
				}
				invs = append(invs, iv)
				enc++
			}
		}
		if rng.IntN(100) < 9 {
			c := rng.IntN(len(bulkComments))
			add("comment", "text", nil, nil, sealed[c], bulkComments[c].tags)
		}
		r.Flagged = overall <= 2
		r.AnswerHash = ""
		resp = append(resp, r)
		if len(resp)+len(answers)+len(invs) > MaxBatchRows-bulkRowsPerResponse {
			if err := flush(); err != nil {
				return err
			}
		}
		if (done+1)%20000 == 0 {
			progress("responses", done+1, o.Responses)
		}
	}
	if err := flush(); err != nil {
		return err
	}
	progress("responses", o.Responses, o.Responses)
	if err := s.bulkCases(ctx, o, rng, depts, progress); err != nil {
		return err
	}
	days := make([]string, 0, o.Days+2)
	for d := 0; d <= o.Days+1; d++ {
		days = append(days, o.Now.AddDate(0, 0, -d).In(o.Loc).Format("2006-01-02"))
	}
	for i, d := range days {
		if err := s.RebuildReportDays(ctx, o.Loc, []string{d}); err != nil {
			return err
		}
		if (i+1)%30 == 0 || i == len(days)-1 {
			progress("report rollups (days)", i+1, len(days))
		}
	}
	if err := s.SetSetting(ctx, rollupZoneKey, o.Loc.String()); err != nil {
		return err
	}
	through := o.Now.AddDate(0, 0, -10).In(o.Loc).Format("2006-01-02")
	for {
		n, err := s.FreezeFunnel(ctx, o.Loc, through, 30)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		progress("funnel (days frozen)", n, o.Days)
	}
}

func (s *Store) bulkCases(ctx context.Context, o BulkOptions, rng *rand.Rand, depts []Department, progress func(string, int, int)) error {
	cats := []string{"care_quality", "staff_attitude", "communication", "wait_time", "billing", "cleanliness", "food", "privacy", "safety", "discharge", "other"}
	prios := []string{"urgent", "high", "normal", "low"}
	ackFor := map[string]time.Duration{"urgent": time.Hour, "high": 24 * time.Hour, "normal": 72 * time.Hour, "low": 168 * time.Hour}
	resFor := map[string]time.Duration{"urgent": 24 * time.Hour, "high": 72 * time.Hour, "normal": 336 * time.Hour, "low": 720 * time.Hour}
	span := time.Duration(o.Days) * 24 * time.Hour
	summary := s.Crypto.Seal("Patient reported a concern at the front desk (synthetic benchmark case).")
	// a case and up to three events: MaxBatchRows rows a transaction
	const chunk = MaxBatchRows / 4
	for done := 0; done < o.Cases; {
		n := min(chunk, o.Cases-done)
		cs := make([]Case, 0, n)
		for i := 0; i < n; i++ {
			created := o.Now.Add(-span + time.Duration((float64(done+i)+rng.Float64())/float64(o.Cases)*float64(span)))
			p := prios[weighted(rng, []int{3, 17, 70, 10})]
			c := Case{Priority: p, Category: cats[rng.IntN(len(cats))], DepartmentID: depts[rng.IntN(len(depts))].ID,
				Source: []string{"kiosk", "sms", "email", "staff"}[weighted(rng, []int{60, 20, 10, 10})], Reasons: "low_score:overall",
				Grievance: rng.IntN(20) == 0, SummaryEnc: summary, AcknowledgeBy: created.Add(ackFor[p]), ResolveBy: created.Add(resFor[p]),
				CreatedAt: created, UpdatedAt: created}
			age := o.Now.Sub(created)
			ack := created.Add(time.Duration(rng.Int64N(int64(ackFor[p]) * 3 / 2)))
			res := created.Add(time.Duration(rng.Int64N(int64(resFor[p])*3/2)) + time.Hour)
			switch {
			case res.Before(o.Now) && rng.IntN(20) != 0:
				c.Status, c.AcknowledgedAt, c.ResolvedAt = StatusResolved, &ack, &res
				if age > 30*24*time.Hour {
					c.Status, c.ClosedAt = StatusClosed, &res
				}
			case ack.Before(o.Now):
				c.Status, c.AcknowledgedAt = []string{StatusAcknowledged, StatusInProgress, StatusEscalated}[rng.IntN(3)], &ack
			default:
				c.Status = StatusNew
			}
			cs = append(cs, c)
		}
		err := s.write(ctx, "bulk cases", func(tx *gorm.DB) error {
			for i := range cs {
				cs[i].ID = 0 // a retried attempt inserts afresh
			}
			if err := tx.CreateInBatches(cs, chunk).Error; err != nil {
				return err
			}
			evs := make([]CaseEvent, 0, 3*len(cs))
			opened := s.Crypto.Seal("")
			for _, c := range cs {
				evs = append(evs, CaseEvent{CaseID: c.ID, Kind: "opened", Actor: ActorSystem, DetailEnc: opened, At: c.CreatedAt})
				if c.AcknowledgedAt != nil {
					evs = append(evs, CaseEvent{CaseID: c.ID, Kind: "status_changed", Actor: "bench@patientvoice", DetailEnc: opened, At: *c.AcknowledgedAt})
				}
				if c.ResolvedAt != nil {
					evs = append(evs, CaseEvent{CaseID: c.ID, Kind: "status_changed", Actor: "bench@patientvoice", DetailEnc: opened, At: *c.ResolvedAt})
				}
			}
			return tx.CreateInBatches(evs, MaxBatchRows).Error
		})
		if err != nil {
			return fmt.Errorf("bulk cases: %w", err)
		}
		done += n
		if done%10000 < chunk || done == o.Cases {
			progress("cases", done, o.Cases)
		}
	}
	return nil
}
