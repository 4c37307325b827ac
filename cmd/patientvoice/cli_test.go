package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/testdb"
)

type cli struct {
	t   *testing.T
	env map[string]string
}

func (c cli) lookup(k string) (string, bool) { v, ok := c.env[k]; return v, ok }

func (c cli) run(stdin string, args ...string) (code int, out, errOut string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, stdio{strings.NewReader(stdin), &o, &e}, c.lookup)
	return code, o.String(), e.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// startServer runs serve in-process on a random port until the test ends.
func (c cli) startServer() string {
	cfg, err := loadConfig(c.lookup)
	if err != nil {
		c.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), stdio{nil, io.Discard, io.Discard}, time.Now, func(a string) { addr <- a })
	}()
	c.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			c.t.Errorf("serve: %v", err)
		}
	})
	select {
	case a := <-addr:
		return "http://" + a
	case err := <-done:
		c.t.Fatalf("serve exited: %v", err)
	case <-time.After(20 * time.Second):
		c.t.Fatal("server did not start")
	}
	return ""
}

func get(t *testing.T, url, token string) (int, map[string]any) {
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestCLICreatesWorkingCredentials(t *testing.T) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			c := cli{t, map[string]string{"PV_DB": b.URL(), "PV_SECRET": testdb.Secret, "PV_ADDR": "127.0.0.1:0"}}
			if code, out, e := c.run("", "migrate"); code != 0 || !strings.Contains(out, "schema at version") {
				t.Fatalf("migrate: %d %s %s", code, out, e)
			}
			if code, out, _ := c.run("", "migrate"); code != 0 || !strings.Contains(out, "(0 migration(s) applied now)") {
				t.Fatalf("second migrate not a no-op: %s", out)
			}
			code, out, e := c.run("", "token", "create", "--name", "Epic", "--scopes", "surveys:read,cases:read")
			if code != 0 {
				t.Fatalf("token create: %s", e)
			}
			apiTok := lastLine(out)
			code, out, e = c.run("", "kiosk", "create", "--name", "ED lobby", "--department", "ED")
			if code != 0 {
				t.Fatalf("kiosk create: %s", e)
			}
			kioskTok := lastLine(out)
			if code, _, e := c.run("correct horse battery\n", "user", "create", "--email", "Ana@Example.org", "--name", "Ana", "--role", "agent"); code != 0 {
				t.Fatalf("user create: %s", e)
			}
			base := c.startServer()
			if st, m := get(t, base+"/api/surveys/kiosk", apiTok); st != 200 || m["key"] != "kiosk" {
				t.Fatalf("api token: %d %v", st, m)
			}
			if st, m := get(t, base+"/api/kiosk/survey", kioskTok); st != 200 || m["key"] != "kiosk" {
				t.Fatalf("kiosk token: %d %v", st, m)
			}
			if st, _ := get(t, base+"/api/departments", kioskTok); st != 401 {
				t.Fatalf("kiosk token reached /api/departments: %d", st)
			}
			if st, _ := get(t, base+"/api/kiosk/survey", apiTok); st != 401 {
				t.Fatalf("api token reached kiosk api: %d", st)
			}
			crypto := openForTest(t, c)
			u, err := crypto.UserByEmail(context.Background(), "ana@example.org")
			if err != nil || !u.CheckPassword("correct horse battery") || u.Role != "agent" {
				t.Fatalf("user: %+v %v", u, err)
			}
		})
	}
}

func TestCLIErrors(t *testing.T) {
	c := cli{t, map[string]string{"PV_DB": "sqlite://" + t.TempDir() + "/pv.db", "PV_SECRET": testdb.Secret}}
	cases := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"token", "create", "--name", "x", "--scopes", "everything"}, `unknown scope "everything"`},
		{"", []string{"token", "create", "--scopes", "cases:read"}, "--name is required"},
		{"", []string{"kiosk", "create", "--name", "x", "--department", "NOPE"}, `unknown department "NOPE"`},
		{"short\n", []string{"user", "create", "--email", "a@b.org", "--name", "A", "--role", "agent"}, "at least 12 characters"},
		{"", []string{"user", "create", "--email", "a@b.org", "--name", "A", "--role", "agent"}, "no password on stdin"},
		{"long enough pass\n", []string{"user", "create", "--email", "a@b.org", "--name", "A", "--role", "boss"}, `--role "boss"`},
		{"", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"", []string{"token", "delete"}, "unknown subcommand"},
	}
	for _, tc := range cases {
		code, _, e := c.run(tc.stdin, tc.args...)
		if code == 0 || !strings.Contains(e, tc.want) || strings.Count(strings.TrimSpace(e), "\n") > 0 {
			t.Errorf("%v: code %d stderr %q; want one line containing %q", tc.args, code, e, tc.want)
		}
	}
	bad := cli{t, map[string]string{"PV_DB": "postgres://x"}}
	if code, _, e := bad.run("", "migrate"); code == 0 || !strings.Contains(e, `PV_DB: unknown scheme "postgres"; use sqlite:// or mysql://`) {
		t.Errorf("bad PV_DB: %d %s", code, e)
	}
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"token", "create", "--help"}, {"kiosk", "create", "--help"}, {"user", "create", "--help"}} {
		code, out, _ := c.run("", args...)
		if code != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: %d %q", args, code, out)
		}
	}
}
