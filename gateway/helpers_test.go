package gateway_test

import (
	"testing"

	"github.com/patientvoice/patientvoice/testdb"
)

func backends(t *testing.T) []testdb.Backend { return testdb.Backends(t) }
