package sending_test

import (
	"fmt"
	"testing"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/testapp"
)

type env = testapp.Messaging

func setup(t *testing.T, fn func(t *testing.T, e *env), mutate ...func(*config.Config)) {
	testapp.EachMessaging(t, fn, mutate...)
}

func dischargeJSON(enc, phone, email, extra string) string {
	return fmt.Sprintf(`{"encounter_id":%q,"department":"INPT","discharged_at":"2026-11-26T10:00:00Z","patient":{"name":"Jane Roe","phone":%q,"email":%q,"language":"en"%s}}`, enc, phone, email, extra)
}
