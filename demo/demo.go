// Package demo fills a new database with a sample hospital (a lobby kiosk,
// an admin, a few weeks of responses and the cases they opened) so a
// newcomer sees a working product on first run. Only when PV_DEMO is true.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/triage"
)

// AdminEmail is the demo admin's login.
const AdminEmail = "admin@demo.hospital"

const kioskTokenKey = "demo.kiosk_token"

// Result says what the demo holds; AdminPassword is set only on the run
// that created the admin, so it is printed once.
type Result struct {
	KioskToken    string
	AdminEmail    string
	AdminPassword string
}

const seededKey = "demo.seeded"

// Seed adds the demo content once per database and returns the kiosk token
// on every run. Servers starting together (on one database or on several
// Galera nodes) queue for the demo.seed lock row; the holder seeds and
// marks the database seeded last, so a server killed mid-seed leaves the
// work to the next start, which reuses the kiosk already made and whose
// sample responses, made with the same ids, are replays.
func Seed(ctx context.Context, store *models.Store, intake *triage.Intake) (Result, error) {
	var res Result
	err := store.WithLock(ctx, models.LockDemo, time.Minute, 5*time.Minute, func(ctx context.Context, _ *models.Lease) error {
		_, seeded, err := store.Setting(ctx, seededKey)
		if err != nil {
			return err
		}
		if seeded {
			tok, _, err := store.SecretSetting(ctx, kioskTokenKey) // "" when an admin removed it
			res = Result{KioskToken: tok, AdminEmail: AdminEmail}
			if errors.Is(err, models.ErrDecrypt) {
				return nil
			}
			return err
		}
		tok, k, err := demoKiosk(ctx, store)
		if err != nil {
			return err
		}
		res = Result{KioskToken: tok, AdminEmail: AdminEmail}
		res.AdminPassword = Password()
		if _, err := store.CreateUser(ctx, models.NewUser{Email: AdminEmail, Name: "Demo Admin", Role: models.RoleAdmin, Password: res.AdminPassword}); errors.Is(err, models.ErrConflict) {
			res.AdminPassword = "" // made by a start that did not finish; its password was printed then
		} else if err != nil {
			return fmt.Errorf("demo admin: %w", err)
		}
		if err := sampleResponses(ctx, store, intake, k); err != nil {
			return err
		}
		return store.SetSetting(ctx, seededKey, store.Now().Format(time.RFC3339))
	})
	if err != nil {
		return Result{}, fmt.Errorf("demo: %w", err)
	}
	return res, nil
}

// demoKiosk returns the demo kiosk, enrolling it (and keeping its token,
// sealed) the first time.
func demoKiosk(ctx context.Context, store *models.Store) (string, models.Kiosk, error) {
	tok, ok, err := store.SecretSetting(ctx, kioskTokenKey)
	if errors.Is(err, models.ErrDecrypt) {
		return "", models.Kiosk{}, fmt.Errorf("demo kiosk token: %w", err)
	}
	if err != nil {
		return "", models.Kiosk{}, err
	}
	if ok {
		k, err := store.KioskByToken(ctx, tok)
		return tok, k, err
	}
	tok, k, err := store.CreateKiosk(ctx, "Main lobby", "Ground floor, main entrance", "ED", "kiosk")
	if err != nil {
		return "", k, fmt.Errorf("demo kiosk: %w", err)
	}
	return tok, k, store.SetSecretSetting(ctx, kioskTokenKey, tok)
}

// demoIDs makes the sample responses' client ids the same on every run.
var demoIDs = uuid.MustParse("5b0d6c1e-3f7a-4c59-9d1e-0a8f2b7c4e61")

// Password makes a random password good enough to print once and change.
func Password() string {
	b := make([]byte, 15)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func sampleResponses(ctx context.Context, store *models.Store, intake *triage.Intake, k models.Kiosk) error {
	def, err := store.SurveyByID(ctx, k.SurveyID)
	if err != nil {
		return err
	}
	comments := []string{"", "", "Friendly nurses, thank you.", "", "The wait was over three hours and nobody explained why.",
		"", "Reception staff were rude to my mother.", "", "Very clean and calm.", "The bill I got was wrong.", ""}
	now := store.Now()
	for i := 0; i < 40; i++ {
		overall := 3 + rnd(3)
		if i%6 == 0 {
			overall = 1 + rnd(2)
		}
		raw := []survey.RawAnswer{{Question: "overall", Value: num(overall)}, {Question: "staff", Value: num(2 + rnd(4))},
			{Question: "wait", Value: num(1 + rnd(5))}, {Question: "clean", Value: []byte(map[bool]string{true: "true", false: "false"}[rnd(5) > 0])}}
		if overall <= 3 {
			raw = append(raw, survey.RawAnswer{Question: "topic", Value: []byte(`"wait_time"`)})
		}
		if c := comments[i%len(comments)]; c != "" {
			raw = append(raw, survey.RawAnswer{Question: "comment", Value: []byte(fmt.Sprintf("%q", c))})
		}
		answers, err := def.Validate(raw)
		if err != nil {
			return fmt.Errorf("demo answers: %w", err)
		}
		sub := triage.Submission{ClientID: uuid.NewSHA1(demoIDs, []byte(fmt.Sprint(i))).String(), Survey: def, SurveyID: k.SurveyID, Source: "kiosk",
			KioskID: &k.ID, DepartmentID: k.DepartmentID, Language: []string{"en", "en", "es", "ar"}[i%4], Answers: answers,
			SubmittedAt: now.Add(-time.Duration(i*9+rnd(8)) * time.Hour)}
		if i == 4 {
			sub.Contact = &models.ContactInput{Name: "Maria Lopez", Phone: "+13125550123", Language: "es"}
			sub.ContactMessage = "Please call me about my father's discharge."
		}
		if _, err := intake.Submit(ctx, sub); err != nil {
			return fmt.Errorf("demo response: %w", err)
		}
	}
	return nil
}

func num(n int) []byte { return []byte(fmt.Sprint(n)) }

func rnd(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n)))
	return int(v.Int64())
}
