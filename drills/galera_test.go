package drills

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // the cluster's admin connections
)

// The Galera drill's cluster: three MariaDB nodes with Debian's galera-4
// provider on 127.0.0.1, each with its own data directory, socket and
// ports. PV_TEST_GALERA=1 runs it (.ci/run sets it); it needs mariadbd,
// mariadb-install-db, rsync and /usr/lib/galera/libgalera_smm.so.
const (
	galeraEnv      = "PV_TEST_GALERA"
	galeraProvider = "/usr/lib/galera/libgalera_smm.so"
	galeraSQLPort  = 4306 // nodes 1..3: 4306, 4307, 4308
	galeraBasePort = 4567 // group communication: 4567, 4568, 4569
	galeraSSTPort  = 4444 // state snapshot (rsync): 4444, 4446, 4448; IST one above
)

// galeraNode is one mariadbd of the drill's cluster.
type galeraNode struct {
	n       int // 1-based
	dir     string
	datadir string
	logFile string
	cmd     *exec.Cmd
	done    chan error
	cred    *syscall.Credential
}

// galeraCluster is the drill's three-node cluster.
type galeraCluster struct {
	t     *testing.T
	dir   string
	nodes []*galeraNode
	cred  *syscall.Credential
}

// requireGalera skips unless PV_TEST_GALERA is set, and then fails when
// something the cluster needs is missing.
func requireGalera(t *testing.T) {
	t.Helper()
	if os.Getenv(galeraEnv) == "" {
		t.Skipf("Galera drill: set %s=1 (needs mariadb-server, galera-4 and rsync; .ci/run sets it)", galeraEnv)
	}
	for _, bin := range []string{"mariadbd", "mariadb-install-db", "rsync"} {
		if _, err := exec.LookPath(bin); err != nil {
			if _, err2 := os.Stat("/usr/sbin/" + bin); err2 != nil {
				t.Fatalf("%s=1 but %s is not installed: %v", galeraEnv, bin, err)
			}
		}
	}
	if _, err := os.Stat(galeraProvider); err != nil {
		t.Fatalf("%s=1 but the Galera provider is missing (apt-get install galera-4): %v", galeraEnv, err)
	}
}

func mariadbd() string {
	if p, err := exec.LookPath("mariadbd"); err == nil {
		return p
	}
	return "/usr/sbin/mariadbd"
}

// startGalera bootstraps node 1 (a fresh data directory, then
// --wsrep-new-cluster) and joins nodes 2 and 3 by state transfer from it.
// Everything is killed and removed when the test ends.
func startGalera(t *testing.T) *galeraCluster {
	t.Helper()
	for i := 0; i < 3; i++ {
		for _, p := range []int{galeraSQLPort + i, galeraBasePort + i, galeraSSTPort + 2*i, galeraSSTPort + 2*i + 1} {
			if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err != nil {
				t.Fatalf("Galera drill: port %d is in use (a cluster from an earlier run?): %v", p, err)
			} else {
				ln.Close()
			}
		}
	}
	dir, err := os.MkdirTemp("", "pv-galera-")
	if err != nil {
		t.Fatal(err)
	}
	c := &galeraCluster{t: t, dir: dir}
	t.Cleanup(c.destroy)
	// rsync state transfer refuses to run as root (it drops to nobody):
	// as root, run the nodes as the mysql user, who must own the data
	if os.Geteuid() == 0 {
		u, err := user.Lookup("mysql")
		if err != nil {
			t.Fatalf("Galera drill runs as root but there is no mysql user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(dir, "run") // sockets, pid files and logs, written by the nodes
	if err := os.Mkdir(run, 0o750); err != nil {
		t.Fatal(err)
	}
	c.chown(run)
	for i := 1; i <= 3; i++ {
		n := &galeraNode{n: i, dir: run, datadir: filepath.Join(dir, fmt.Sprintf("node%d", i)), logFile: filepath.Join(run, fmt.Sprintf("node%d.err", i)), cred: c.cred}
		if err := os.Mkdir(n.datadir, 0o750); err != nil {
			t.Fatal(err)
		}
		c.chown(n.datadir)
		c.nodes = append(c.nodes, n)
	}
	// node 1's system tables; the joiners receive everything by state
	// transfer, so their directories stay empty
	args := []string{"--no-defaults", "--datadir=" + c.nodes[0].datadir, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if c.cred != nil {
		args = append(args, "--user=mysql")
	}
	if out, err := exec.Command("mariadb-install-db", args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	started := time.Now()
	c.nodes[0].start(t, "--wsrep-new-cluster")
	c.waitSynced(c.nodes[0], 60*time.Second)
	for _, n := range c.nodes[1:] {
		n.start(t)
		c.waitSynced(n, 120*time.Second)
	}
	t.Logf("galera: three nodes synced in %v (ports %d-%d)", time.Since(started).Round(time.Millisecond), galeraSQLPort, galeraSQLPort+2)
	return c
}

func (c *galeraCluster) chown(path string) {
	if c.cred == nil {
		return
	}
	if err := os.Chown(path, int(c.cred.Uid), int(c.cred.Gid)); err != nil {
		c.t.Fatal(err)
	}
}

// addr is a node's SQL address.
func (n *galeraNode) addr() string { return fmt.Sprintf("127.0.0.1:%d", galeraSQLPort+n.n-1) }

// dsn is a go-sql-driver DSN for database db on the node.
func (n *galeraNode) dsn(db string) string {
	return fmt.Sprintf("root@tcp(%s)/%s?parseTime=true&timeout=3s", n.addr(), db)
}

func (n *galeraNode) args(extra ...string) []string {
	base := galeraBasePort + n.n - 1
	sst := galeraSSTPort + 2*(n.n-1)
	a := []string{"--no-defaults",
		"--datadir=" + n.datadir,
		"--socket=" + filepath.Join(n.dir, fmt.Sprintf("node%d.sock", n.n)),
		"--pid-file=" + filepath.Join(n.dir, fmt.Sprintf("node%d.pid", n.n)),
		"--log-error=" + n.logFile,
		fmt.Sprintf("--port=%d", galeraSQLPort+n.n-1), "--bind-address=127.0.0.1", "--skip-name-resolve",
		// small: three nodes share the CI machine with everything else
		"--innodb-buffer-pool-size=64M", "--innodb-log-file-size=16M", "--performance-schema=OFF", "--max-connections=300",
		"--wsrep_on=ON", "--wsrep_provider=" + galeraProvider,
		fmt.Sprintf("--wsrep_cluster_address=gcomm://127.0.0.1:%d,127.0.0.1:%d,127.0.0.1:%d", galeraBasePort, galeraBasePort+1, galeraBasePort+2),
		"--wsrep_cluster_name=pvdrill", fmt.Sprintf("--wsrep_node_name=node%d", n.n),
		fmt.Sprintf("--wsrep_node_address=127.0.0.1:%d", base),
		fmt.Sprintf("--wsrep_provider_options=base_port=%d;ist.recv_addr=127.0.0.1:%d;gcache.size=64M", base, sst+1),
		fmt.Sprintf("--wsrep_sst_receive_address=127.0.0.1:%d", sst), "--wsrep_sst_method=rsync",
		// what Galera needs of every node (README: Scale out)
		"--binlog_format=ROW", "--innodb_autoinc_lock_mode=2", "--default-storage-engine=InnoDB",
	}
	return append(a, extra...)
}

// start runs mariadbd for the node. The process runs as the mysql user
// when the test is root, and dies with the test process (its parent-death
// signal is set after the user switch, on a goroutine locked to its OS
// thread for the life of the process).
func (n *galeraNode) start(t *testing.T, extra ...string) {
	t.Helper()
	n.cmd = exec.Command(mariadbd(), n.args(extra...)...)
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Credential: n.cred}
	var out bytes.Buffer
	n.cmd.Stdout, n.cmd.Stderr = &out, &out
	n.done = make(chan error, 1)
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // Pdeathsig follows the thread that forked
		if err := n.cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		n.done <- n.cmd.Wait()
	}()
	if err := <-started; err != nil {
		t.Fatalf("start node %d: %v", n.n, err)
	}
}

// kill sends SIGKILL, like a power cut of the node's host.
func (n *galeraNode) kill() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Kill()
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
	}
	n.cmd = nil
}

// recoveredPosition runs mariadbd --wsrep-recover on a stopped node, as
// Debian's galera_recovery does before a restart: the position InnoDB
// holds lets the node rejoin by incremental transfer (IST) of what it
// missed instead of a full copy.
func (n *galeraNode) recoveredPosition(t *testing.T) string {
	t.Helper()
	rec := filepath.Join(n.dir, fmt.Sprintf("node%d.recover", n.n))
	args := n.args("--wsrep-recover", "--log-error="+rec, "--skip-networking",
		"--socket="+filepath.Join(n.dir, fmt.Sprintf("node%d.recover.sock", n.n)),
		"--pid-file="+filepath.Join(n.dir, fmt.Sprintf("node%d.recover.pid", n.n)))
	cmd := exec.Command(mariadbd(), args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: n.cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("wsrep-recover node %d: %v\n%s", n.n, err, out)
	}
	b, _ := os.ReadFile(rec)
	m := regexp.MustCompile(`WSREP: Recovered position: ([0-9a-f-]+:-?\d+)`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("wsrep-recover node %d found no position:\n%s", n.n, tail(b, 2000))
	}
	return string(m[1])
}

// restart brings a killed node back and waits until it is synced.
func (c *galeraCluster) restart(n *galeraNode) time.Duration {
	started := time.Now()
	pos := n.recoveredPosition(c.t)
	n.start(c.t, "--wsrep_start_position="+pos)
	c.waitSynced(n, 120*time.Second)
	return time.Since(started)
}

// status reads one wsrep status variable of a node.
func (n *galeraNode) status(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("mysql", n.dsn(""))
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRowContext(ctx, "SELECT variable_value FROM information_schema.global_status WHERE variable_name = UPPER(?)", name).Scan(&v)
	return v, err
}

// waitSynced waits for the node to report Synced in a cluster of three.
func (c *galeraCluster) waitSynced(n *galeraNode, limit time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case err := <-n.done:
			c.t.Fatalf("node %d exited: %v\n%s", n.n, err, c.log(n))
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		state, err := n.status(ctx, "wsrep_local_state_comment")
		size, _ := n.status(ctx, "wsrep_cluster_size")
		cancel()
		last = err
		if err == nil && state == "Synced" && (n.n == 1 && size == "1" || size == strconv.Itoa(len(c.running()))) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	c.t.Fatalf("node %d not synced within %v (last error: %v)\n%s", n.n, limit, last, c.log(n))
}

func (c *galeraCluster) running() []*galeraNode {
	var out []*galeraNode
	for _, n := range c.nodes {
		if n.cmd != nil {
			out = append(out, n)
		}
	}
	return out
}

func (c *galeraCluster) log(n *galeraNode) string {
	b, _ := os.ReadFile(n.logFile)
	return tail(b, 4000)
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// destroy kills every node and removes the data directories.
func (c *galeraCluster) destroy() {
	for _, n := range c.nodes {
		n.kill()
	}
	if c.t.Failed() {
		for _, n := range c.nodes {
			c.t.Logf("node %d log (tail):\n%s", n.n, c.log(n))
		}
	}
	_ = os.RemoveAll(c.dir)
}

// exec runs statements on a node as root.
func (n *galeraNode) exec(t *testing.T, stmts ...string) {
	t.Helper()
	db, err := sql.Open("mysql", n.dsn(""))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("node %d: %s: %v", n.n, strings.SplitN(s, " ", 4)[:3], err)
		}
	}
}
