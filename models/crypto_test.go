package models_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/testdb"
)

func TestCryptoRoundTripAndRotation(t *testing.T) {
	old, _ := models.NewCrypto(strings.Repeat("o", 40))
	cur, err := models.NewCrypto(strings.Repeat("n", 40), strings.Repeat("o", 40))
	if err != nil {
		t.Fatal(err)
	}
	for _, plain := range []string{"+15551234567", "María José", "مرحبا", strings.Repeat("x", 5000)} {
		sealed := cur.Seal(plain)
		if strings.Contains(sealed, plain) {
			t.Fatalf("ciphertext contains plaintext")
		}
		if got, err := cur.Open(sealed); err != nil || got != plain {
			t.Fatalf("round trip %q: %q %v", plain, got, err)
		}
		if cur.Seal(plain) == sealed {
			t.Fatalf("two seals of the same text are equal: nonce reuse")
		}
		// a value sealed under the old secret still opens after rotation
		if got, err := cur.Open(old.Seal(plain)); err != nil || got != plain {
			t.Fatalf("rotation: %q %v", got, err)
		}
	}
	if _, err := old.Open(cur.Seal("x")); err == nil {
		t.Fatal("old key opened a new ciphertext")
	}
	sealed := cur.Seal("secret")
	tampered := sealed[:len(sealed)-2] + "AA"
	if _, err := cur.Open(tampered); err == nil {
		t.Fatal("tampered ciphertext opened")
	}
	if _, err := models.NewCrypto("short"); err == nil {
		t.Fatal("short secret accepted")
	}
}

func TestBlindIndexStable(t *testing.T) {
	a, _ := models.NewCrypto(testdb.Secret)
	b, _ := models.NewCrypto(testdb.Secret)
	other, _ := models.NewCrypto(strings.Repeat("z", 40))
	x := a.BlindIndex("phone", "+15551234567")
	if x != b.BlindIndex("phone", "+15551234567") || len(x) != 64 {
		t.Fatalf("index not stable: %s", x)
	}
	if x == a.BlindIndex("email", "+15551234567") || x == other.BlindIndex("phone", "+15551234567") || x == a.BlindIndex("phone", "+15551234568") {
		t.Fatal("index collides across kind, key or value")
	}
	if a.BlindIndex("phone", "") != "" {
		t.Fatal("empty input should have no index")
	}
}

// A dump of the database shows no identifier or comment in clear, nor in
// hex or base64.
func TestNoPHIInClear(t *testing.T) {
	testdb.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		phone, email, name, comment := "+15558675309", "jane.roe@example.com", "Jane Roe", "The night nurse ignored my call bell"
		def, sid, err := s.SurveyByKey(ctx, "kiosk")
		if err != nil {
			t.Fatal(err)
		}
		answers, err := def.Validate([]survey.RawAnswer{{Question: "overall", Value: []byte("1")}, {Question: "comment", Value: []byte(`"` + comment + `"`)}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.IngestResponse(ctx, models.NewResponse{ClientID: uuid.NewString(), SurveyID: sid, Source: "kiosk", DepartmentID: 1,
			Language: "en", Answers: answers, Contact: &models.ContactInput{Name: name, Phone: phone, Email: email},
			ContactMessage: comment, Case: &models.NewCase{Priority: "high", Category: "other", DepartmentID: 1, Source: "kiosk"}})
		if err != nil {
			t.Fatal(err)
		}
		dump := dumpAll(t, s)
		for _, secret := range []string{phone, "5558675309", email, name, comment, "ignored my call bell"} {
			for _, enc := range []string{secret, hex.EncodeToString([]byte(secret)), base64.StdEncoding.EncodeToString([]byte(secret))} {
				if strings.Contains(strings.ToLower(dump), strings.ToLower(enc)) {
					t.Errorf("%q found in clear in the database dump", secret)
				}
			}
		}
		// and it can be read back through the store
		var cid uint = 1
		v, err := s.ContactByID(ctx, cid)
		if err != nil || v.Phone != phone || v.Email != email || v.Name != name {
			t.Fatalf("contact view %+v %v", v, err)
		}
	})
}

func dumpAll(t *testing.T, s *models.Store) string {
	t.Helper()
	rows, err := s.DumpText(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
