// Package testapp builds the whole application on a real test database, so
// HTTP tests exercise exactly the routes and middleware production runs.
package testapp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/server"
	"github.com/patientvoice/patientvoice/testdb"
)

// App is a built server with its store, config and clock.
type App struct {
	T      testing.TB
	Server *server.Server
	Store  *models.Store
	Config *config.Config
	Clock  *testdb.Clock
	Logs   *bytes.Buffer

	accounts map[string]Account
}

// New builds the app on backend b. mutate may adjust the config first.
func New(t testing.TB, b testdb.Backend, mutate func(*config.Config)) *App {
	t.Helper()
	cfg, err := config.Parse(func(k string) (string, bool) {
		switch k {
		case "PV_SECRET":
			return testdb.Secret, true
		case "PV_DB":
			return b.URL(), true
		}
		return "", false
	})
	if err != nil {
		t.Fatal(err)
	}
	// request throttles count in the database by minute of the test clock,
	// which stands still: tests that want them turn them on
	cfg.Throttles = config.Throttles{}
	if mutate != nil {
		mutate(cfg)
	}
	clock := testdb.NewClock(time.Date(2026, 11, 27, 15, 0, 0, 0, time.UTC))
	store := testdb.Open(t, b, clock.Now)
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	srv, err := server.New(server.Deps{Config: cfg, Store: store, Log: log, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &App{T: t, Server: srv, Store: store, Config: cfg, Clock: clock, Logs: logs, accounts: map[string]Account{}}
}

// Do sends a request through the app.
func (a *App) Do(req *http.Request) *http.Response {
	a.T.Helper()
	resp, err := a.Server.App.Test(req, -1)
	if err != nil {
		a.T.Fatal(err)
	}
	return resp
}

// Result is a response read whole.
type Result struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map.
func (r Result) JSON() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(r.Body, &m)
	return m
}

// Call sends method path with an optional bearer token and body (a string
// is sent as is, anything else as JSON).
func (a *App) Call(method, path, token string, body any) Result {
	a.T.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = bytes.NewBufferString(b), "application/json"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		raw, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req := httptest.NewRequest(method, path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp := a.Do(req)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Result{Status: resp.StatusCode, Header: resp.Header, Body: raw}
}

// APIToken creates an integration token with scopes.
func (a *App) APIToken(scopes ...string) string {
	a.T.Helper()
	tok, _, err := a.Store.CreateAPIToken(context.Background(), "test", scopes)
	if err != nil {
		a.T.Fatal(err)
	}
	return tok
}

// Kiosk enrols a kiosk in dept and returns its token and row.
func (a *App) Kiosk(dept string) (string, models.Kiosk) {
	a.T.Helper()
	tok, k, err := a.Store.CreateKiosk(context.Background(), "Lobby "+dept, "", dept, "kiosk")
	if err != nil {
		a.T.Fatal(err)
	}
	return tok, k
}

// Each runs fn with a fresh app on every available backend.
func Each(t *testing.T, mutate func(*config.Config), fn func(t *testing.T, a *App)) {
	for _, b := range testdb.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { fn(t, New(t, b, mutate)) })
	}
}

// DepartmentID is the id of the department with code.
func (a *App) DepartmentID(code string) uint {
	a.T.Helper()
	d, err := a.Store.DepartmentByCode(context.Background(), code)
	if err != nil {
		a.T.Fatal(err)
	}
	return d.ID
}
