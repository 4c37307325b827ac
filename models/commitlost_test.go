package models_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mysqldriver "github.com/go-sql-driver/mysql"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/survey"
	"github.com/patientvoice/patientvoice/testdb"
)

// commitCutter is a TCP proxy in front of MySQL that reads the MySQL
// protocol from the client: when armed, it lets the next COMMIT through to
// the server, waits for the server to commit, and then drops the
// connection before the client hears the answer. That is a connection lost
// during COMMIT whose transaction did commit: the case a retry must not
// apply twice.
type commitCutter struct {
	target string
	addr   string
	armed  atomic.Int32
	cuts   atomic.Int32
}

func newCommitCutter(t *testing.T, target string) *commitCutter {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &commitCutter{target: target, addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			cl, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				cl.Close()
				continue
			}
			var once sync.Once
			closeBoth := func() { once.Do(func() { cl.Close(); up.Close() }) }
			go func() { _, _ = io.Copy(cl, up); closeBoth() }()
			go c.clientToServer(cl, up, closeBoth)
		}
	}()
	return c
}

// clientToServer forwards MySQL packets one by one, watching for COMMIT.
func (c *commitCutter) clientToServer(cl, up net.Conn, closeBoth func()) {
	defer closeBoth()
	head := make([]byte, 4)
	for {
		if _, err := io.ReadFull(cl, head); err != nil {
			return
		}
		n := int(binary.LittleEndian.Uint32(append(head[:3:3], 0)))
		payload := make([]byte, n)
		if _, err := io.ReadFull(cl, payload); err != nil {
			return
		}
		if n > 1 && payload[0] == 0x03 && string(payload[1:]) == "COMMIT" && c.armed.CompareAndSwap(1, 0) {
			// the client loses its connection first, so it never hears
			// the answer; then the server gets the COMMIT and commits
			c.cuts.Add(1)
			cl.Close()
			_, _ = up.Write(append(head, payload...))
			time.Sleep(300 * time.Millisecond)
			return
		}
		if _, err := up.Write(append(head, payload...)); err != nil {
			return
		}
	}
}

// throughCutter opens a store on the same MySQL database through the
// cutter.
func throughCutter(t *testing.T) (*models.Store, *models.Store, *commitCutter) {
	t.Helper()
	if testdb.MySQLDSN() == "" {
		t.Skip("needs MySQL (PV_TEST_MYSQL_DSN): the cut is in the MySQL protocol")
	}
	b := testdb.Backend{Name: "mysql", Driver: "mysql", DSN: testdb.NewMySQL(t)}
	direct := testdb.Open(t, b, nil)
	cfg, err := mysqldriver.ParseDSN(b.DSN)
	if err != nil {
		t.Fatal(err)
	}
	cut := newCommitCutter(t, cfg.Addr)
	cfg.Addr = cut.addr
	cut2 := testdb.Backend{Name: "mysql", Driver: "mysql", DSN: cfg.FormatDSN()}
	return testdb.Open(t, cut2, nil), direct, cut
}

// A case change whose COMMIT lost its connection after committing is
// found committed (its marker) and not applied again: one event, and the
// caller hears success.
func TestCommitLostCaseChangeAppliedOnce(t *testing.T) {
	s, direct, cut := throughCutter(t)
	ctx := context.Background()
	c, err := direct.OpenCase(ctx, models.NewCase{Priority: "normal", Category: "other", DepartmentID: 1, Source: "staff",
		AcknowledgeBy: time.Now().Add(time.Hour), ResolveBy: time.Now().Add(24 * time.Hour)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := direct.CaseEvents(ctx, c.ID)
	runs := 0
	cut.armed.Store(1)
	_, err = s.UpdateCase(ctx, c.ID, func(cs *models.Case, tx *models.CaseTx) error {
		runs++
		tx.Event("note", "agent@hospital.example", "called the patient back", time.Now())
		return nil
	})
	if err != nil {
		t.Fatalf("update through a lost COMMIT: %v", err)
	}
	if cut.cuts.Load() != 1 {
		t.Fatalf("the proxy cut %d COMMITs; want 1 (the test proves nothing)", cut.cuts.Load())
	}
	after, _ := direct.CaseEvents(ctx, c.ID)
	if len(after)-len(before) != 1 {
		t.Fatalf("%d events added (fn ran %d times); want exactly 1", len(after)-len(before), runs)
	}
}

// A kiosk submission whose COMMIT lost its connection after committing is
// stored once and reported as created with its case, so the caller still
// notifies (idempotently).
func TestCommitLostSubmissionStoredOnce(t *testing.T) {
	s, direct, cut := throughCutter(t)
	ctx := context.Background()
	one := 1
	in := models.NewResponse{ClientID: "7d1c0c34-1d65-4c3e-9d3f-7b7b1b0a0001", SurveyID: 1, Source: "kiosk", DepartmentID: 1, Language: "en",
		Answers: []survey.Answer{{Question: "overall", Kind: survey.Rating5, Int: &one}}, Flagged: true,
		Case: &models.NewCase{Priority: "high", Category: "other", DepartmentID: 1, Source: "kiosk",
			AcknowledgeBy: time.Now().Add(time.Hour), ResolveBy: time.Now().Add(24 * time.Hour)}}
	cut.armed.Store(1)
	got, err := s.IngestResponse(ctx, in)
	if err != nil {
		t.Fatalf("ingest through a lost COMMIT: %v", err)
	}
	if cut.cuts.Load() != 1 {
		t.Fatalf("the proxy cut %d COMMITs; want 1", cut.cuts.Load())
	}
	n, _ := direct.CountResponses(ctx)
	cases, _ := direct.CountCases(ctx, models.CaseFilter{})
	if n != 1 || cases != 1 {
		t.Fatalf("%d responses and %d cases stored; want 1 and 1", n, cases)
	}
	if !got.Created || got.Case == nil || got.Response.CaseID == nil || got.Case.ID != *got.Response.CaseID {
		t.Fatalf("result %+v: the caller must learn of its case to notify", got)
	}
	if s.Retries().ConnLost.Load() == 0 {
		t.Fatalf("no lost connection counted")
	}
}
