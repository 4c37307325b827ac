package bench

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/server"
)

// Kiosk measures kiosk ingest through the full path (HTTP, validation,
// transaction, flag rules, case for every fifth submission) and, in the
// same run, the same rows inserted with plain database/sql, one
// transaction per submission, same pool size and concurrency.
func Kiosk(ctx context.Context, cfg *config.Config, store *models.Store, raw *sql.DB, o Options) (full, ceiling Latency, err error) {
	c := *cfg
	c.KioskRate = 0
	ctx, stop := context.WithCancel(ctx) // the server and its jobs end with the measurement
	defer stop()
	base, _, err := serve(ctx, &c, store, server.Senders{})
	if err != nil {
		return full, ceiling, err
	}
	tok, k, err := store.CreateKiosk(ctx, "bench", "", "ED", "kiosk")
	if err != nil {
		return full, ceiling, err
	}
	hc := client(o.Concurrency)
	bodies := make([][]byte, o.N)
	for i := range bodies {
		overall := 4
		comment := "Friendly staff and a short wait"
		if i%5 == 0 {
			overall, comment = 2, "The receptionist was rude"
		}
		bodies[i] = []byte(fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","answers":[{"question":"overall","value":%d},{"question":"staff","value":4},{"question":"clean","value":true},{"question":"comment","value":%q}],"submitted_at":%q}`,
			uuid.NewString(), overall, comment, time.Now().Add(time.Duration(i)*3*time.Second).UTC().Format(time.RFC3339Nano)))
	}
	full = run("kiosk ingest (full path)", o.N, o.Concurrency, func(i int) error {
		return post(hc, base+"/api/kiosk/responses", "application/json", tok, bodies[i], nil)
	})
	ceiling = run("kiosk raw INSERT ceiling", o.N, o.Concurrency, func(i int) error {
		return rawInsert(ctx, raw, store, k.ID, k.SurveyID, i)
	})
	return full, ceiling, nil
}

// rawInsert writes what a kiosk submission writes (response row, four
// answers, encrypted comment) with database/sql and nothing else.
func rawInsert(ctx context.Context, db *sql.DB, store *models.Store, kioskID, surveyID uint, i int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	res, err := tx.ExecContext(ctx, `INSERT INTO responses (client_id, survey_id, survey_version, source, kiosk_id, department_id, language, flagged, suspicious, completed, answer_hash, submitted_at, received_at)
		VALUES (?, ?, 1, 'kiosk', ?, 1, 'en', false, false, true, '', ?, ?)`, uuid.NewString(), surveyID, kioskID, now, now)
	if err != nil {
		return err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for _, a := range []struct {
		q    string
		v    any
		text string
	}{{"overall", 4, ""}, {"staff", 4, ""}, {"clean", nil, ""}, {"comment", nil, sealedComment}} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO answers (response_id, question_key, kind, int_value, choice_value, text_enc, tags) VALUES (?, ?, 'rating5', ?, '', ?, '')`,
			id, a.q, a.v, a.text); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// sealedComment stands in for a sealed comment in the raw ceiling: as long
// as the store's ciphertext of a 31-character comment. The ceiling measures
// the database; sealing is the full path's work.
var sealedComment = "pv1:00000000:" + strings.Repeat("A", 79)
