package drills

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testdb"
)

const secret = "drill-secret-drill-secret-drill-secret-0123"

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// requireMySQL returns a fresh database's DSN, or skips without MySQL.
func requireMySQL(t *testing.T) string {
	t.Helper()
	if testdb.MySQLDSN() == "" {
		t.Skip("drill needs MySQL: set PV_TEST_MYSQL_DSN")
	}
	return testdb.NewMySQL(t)
}

func long() bool { return os.Getenv("PV_LONG_DRILLS") != "" }

// binary builds the real command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pv-drill-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "patientvoice")
		out, err := exec.Command("go", "build", "-o", binPath, "../cmd/patientvoice").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// proc is the built binary running as a child process.
type proc struct {
	cmd  *exec.Cmd
	base string
	logs *bytes.Buffer
	done chan error
}

func env(dsn string, port int, extra ...string) []string {
	e := append(os.Environ(), "PV_DB=mysql://"+dsn, "PV_SECRET="+secret, "PV_KIOSK_RATE=0", "PV_DEMO=false",
		fmt.Sprintf("PV_ADDR=127.0.0.1:%d", port), fmt.Sprintf("PV_BASE_URL=http://127.0.0.1:%d", port))
	return append(e, extra...)
}

// run runs a one-shot command of the binary and returns its output.
func run(t *testing.T, dsn string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = env(dsn, 0)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	return string(out)
}

// kioskToken enrols a kiosk through the CLI and returns its token.
func kioskToken(t *testing.T, dsn string) string {
	out := strings.TrimSpace(run(t, dsn, "kiosk", "create", "--name", "Drill", "--department", "ED"))
	lines := strings.Split(out, "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// start runs "patientvoice serve" and waits for /healthz.
func start(t *testing.T, dsn string, port int, dir string) *proc {
	t.Helper()
	p := launch(t, env(dsn, port), port, dir)
	p.waitHealthy(t)
	return p
}

// launch runs "patientvoice serve" with the given environment without
// waiting for it (servers that must start together).
func launch(t *testing.T, environ []string, port int, dir string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(binary(t), "serve"), base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: &bytes.Buffer{}, done: make(chan error, 1)}
	p.cmd.Env = environ
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p
}

// waitHealthy waits up to 30 s for /healthz to answer 200.
func (p *proc) waitHealthy(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-p.done:
			t.Fatalf("server exited: %v\n%s", err, p.logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("server not healthy in 30 s\n%s", p.logs)
}

// kill sends SIGKILL: no shutdown, no flush, like a power cut.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// stop sends SIGTERM and waits for a clean exit.
func (p *proc) stop(t *testing.T) {
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		t.Errorf("server did not stop within 40 s of SIGTERM")
		p.kill()
	}
}

// submission is one kiosk response as the kiosk would send it.
func submission(id string, i int) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"survey":"kiosk","language":"en","submitted_at":%q,"answers":[{"question":"overall","value":%d},{"question":"clean","value":true}]}`,
		id, time.Now().UTC().Add(-time.Duration(i)*time.Millisecond).Format(time.RFC3339Nano), 3+i%3))
}

func newID() string { return uuid.NewString() }

// post sends one submission; ok is a 2xx acknowledgement.
func post(ctx context.Context, c *http.Client, base, tok string, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/kiosk/responses", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// openStore opens the drill's database directly, to count what is stored.
func openStore(t *testing.T, dsn string) *models.Store {
	t.Helper()
	crypto, err := models.NewCrypto(secret)
	if err != nil {
		t.Fatal(err)
	}
	s, err := models.Open(context.Background(), models.Options{Driver: "mysql", DSN: dsn, Crypto: crypto, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
