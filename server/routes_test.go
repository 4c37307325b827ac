package server_test

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/testapp"
	"github.com/patientvoice/patientvoice/testdb"
)

// access says who may reach a route.
type access int

const (
	public  access = iota // anyone
	token                 // kiosk or webhook or link token in the path or body: checked by the handler
	kiosk                 // kiosk device token
	api                   // API token with a scope
	session               // staff session, any role
	admin                 // staff session, admin role
	manager               // staff session, manager or admin role
	signed                // Twilio webhook: X-Twilio-Signature
)

// routes is every registered route and who may reach it. A route added
// without a line here fails TestRouteTable.
var routes = map[string]struct {
	access access
	scope  string
}{
	"GET /healthz":                            {access: public},
	"GET /metrics":                            {access: public},
	"GET /":                                   {access: public},
	"GET /kiosk/:token":                       {access: token},
	"GET /api/departments":                    {access: api},
	"GET /api/surveys/:key":                   {access: api, scope: models.ScopeSurveysRead},
	"GET /api/cases":                          {access: api, scope: models.ScopeCasesRead},
	"GET /api/cases/:id":                      {access: api, scope: models.ScopeCasesRead},
	"GET /api/reports/summary":                {access: api, scope: models.ScopeReportsRead},
	"PATCH /api/cases/:id":                    {access: api, scope: models.ScopeCasesWrite},
	"GET /api/kiosk/survey":                   {access: kiosk},
	"POST /api/kiosk/responses":               {access: kiosk},
	"POST /api/kiosk/heartbeat":               {access: kiosk},
	"POST /api/discharges":                    {access: api, scope: models.ScopeDischargesWrite},
	"POST /api/discharges/import":             {access: api, scope: models.ScopeDischargesWrite},
	"GET /api/fhir/metadata":                  {access: public},
	"GET /api/fhir/Questionnaire/:id":         {access: api, scope: models.ScopeSurveysRead},
	"GET /api/fhir/QuestionnaireResponse":     {access: api, scope: models.ScopeReportsRead},
	"GET /api/fhir/QuestionnaireResponse/:id": {access: api, scope: models.ScopeReportsRead},
	"POST /api/fhir/Encounter":                {access: api, scope: models.ScopeDischargesWrite},
	"POST /api/fhir/":                         {access: api, scope: models.ScopeDischargesWrite},
	"POST /webhooks/twilio/sms":               {access: signed},
	"POST /webhooks/twilio/status":            {access: signed},
	"GET /s/:token":                           {access: token},
	"POST /s/:token":                          {access: token},
	"GET /f/:token":                           {access: token},
	"POST /f/:token":                          {access: token},
	"POST /staff/cases/:id/followup":          {access: session},
	"GET /unsubscribe/:token":                 {access: token},
	"POST /unsubscribe/:token":                {access: token},
	"GET /staff/outbox":                       {access: session},
	"GET /staff/simulator":                    {access: session},
	"POST /staff/simulator":                   {access: session},
	"POST /staff/cases/:id/contact":           {access: session},
	"GET /staff/admin/surveys":                {access: admin},
	"POST /staff/admin/surveys":               {access: admin},
	"GET /staff/admin/surveys/:key":           {access: admin},
	"POST /staff/admin/surveys/:key":          {access: admin},
	"GET /staff/admin/rules":                  {access: admin},
	"POST /staff/admin/rules":                 {access: admin},
	"GET /staff/invitations":                  {access: session},
	"GET /staff/import":                       {access: manager},
	"POST /staff/import":                      {access: manager},
	"GET /staff/import/:id":                   {access: manager},
	"GET /staff/reports":                      {access: session},
	"POST /staff/reports/export":              {access: session},
	"POST /staff/reports/weekly":              {access: admin},
	"POST /staff/reports/weekly/send":         {access: manager},
	"GET /staff/login":                        {access: public},
	"POST /staff/login":                       {access: public},
	"GET /staff/login/mfa":                    {access: public},
	"POST /staff/login/mfa":                   {access: public},
	"GET /staff/mfa/setup":                    {access: public},
	"POST /staff/mfa/setup":                   {access: public},
	"GET /staff/":                             {access: session},
	"GET /staff/events":                       {access: session},
	"POST /staff/logout":                      {access: session},
	"GET /staff/cases/new":                    {access: session},
	"POST /staff/cases/new":                   {access: session},
	"GET /staff/cases/:id":                    {access: session},
	"POST /staff/cases/:id":                   {access: session},
	"POST /staff/cases/:id/reveal":            {access: session},
	"GET /staff/cases/:id/letter":             {access: session},
	"POST /staff/cases/:id/letter":            {access: session},
	"GET /staff/kiosks":                       {access: session},
	"POST /staff/kiosks":                      {access: admin},
	"POST /staff/kiosks/:id":                  {access: admin},
	"GET /staff/admin/users":                  {access: admin},
	"POST /staff/admin/users":                 {access: admin},
	"GET /staff/admin/users/:id":              {access: admin},
	"GET /staff/account":                      {access: session},
	"GET /staff/account/password":             {access: session},
	"POST /staff/account/password":            {access: session},
	"POST /staff/account/mfa":                 {access: session},
	"POST /staff/account/mfa/confirm":         {access: session},
	"POST /staff/account/recovery":            {access: session},
	"POST /staff/admin/users/:id":             {access: admin},
	"GET /staff/admin/audit":                  {access: admin},
	"GET /staff/admin/info":                   {access: admin},
	"POST /staff/admin/info":                  {access: admin},
}

func TestRouteTable(t *testing.T) {
	a := testapp.New(t, testdb.Backends(t)[0], nil)
	a.Server.Staff.SetSleep(func(time.Duration) {})
	pw, _ := a.User("agent@h.org", models.RoleAgent)
	agent := a.NewStaff()
	agent.Login("agent@h.org", pw, "")
	kioskTok, _ := a.Kiosk("ED")
	seen := map[string]bool{}
	for _, r := range a.Server.App.GetRoutes(true) {
		if r.Method == "HEAD" { // Fiber mirrors every GET; the GET is checked
			continue
		}
		key := r.Method + " " + r.Path
		if seen[key] {
			continue
		}
		seen[key] = true
		want, ok := routes[key]
		if !ok {
			t.Errorf("route %s is not in the route table test: say who may reach it", key)
			continue
		}
		path := strings.NewReplacer(":id", "1", ":key", "kiosk", ":token", "nope").Replace(r.Path)
		switch want.access {
		case token:
			if got := call(a, r.Method, path, ""); got != 404 {
				t.Errorf("%s with a made-up token: %d, want 404", key, got)
			}
		case signed:
			if got := call(a, r.Method, path, ""); got != 403 {
				t.Errorf("%s without a signature: %d, want 403", key, got)
			}
		case api:
			if got := call(a, r.Method, path, ""); got != 401 {
				t.Errorf("%s without a token: %d, want 401", key, got)
			}
			if got := call(a, r.Method, path, kioskTok); got != 401 {
				t.Errorf("%s with a kiosk token: %d, want 401", key, got)
			}
			if want.scope != "" {
				wrong := models.ScopeReportsRead
				if want.scope == models.ScopeReportsRead {
					wrong = models.ScopeCasesRead
				}
				if got := call(a, r.Method, path, a.APIToken(wrong)); got != 403 {
					t.Errorf("%s with scope %s: %d, want 403", key, wrong, got)
				}
			}
			if got := agentCall(agent, r.Method, path); got != 401 {
				t.Errorf("%s with a staff session only: %d, want 401", key, got)
			}
		case kiosk:
			if got := call(a, r.Method, path, ""); got != 401 {
				t.Errorf("%s without a kiosk token: %d, want 401", key, got)
			}
			if got := call(a, r.Method, path, a.APIToken(models.Scopes...)); got != 401 {
				t.Errorf("%s with an API token: %d, want 401", key, got)
			}
		case session, admin, manager:
			anon := a.NewStaff()
			res := anon.Req(r.Method, path, url.Values{})
			if res.Status != 303 || !strings.HasPrefix(res.Header.Get("Location"), "/staff/login") {
				t.Errorf("%s without a session: %d %s, want 303 to /staff/login", key, res.Status, res.Header.Get("Location"))
			}
			if want.access == admin || want.access == manager {
				if got := agentCall(agent, r.Method, path); got != 403 {
					t.Errorf("%s as an agent: %d, want 403", key, got)
				}
			}
		}
	}
	for key := range routes {
		if !seen[key] {
			t.Errorf("route table lists %s, which is not registered", key)
		}
	}
}

func call(a *testapp.App, method, path, tok string) int {
	req := httptest.NewRequest(method, path, strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp := a.Do(req)
	resp.Body.Close()
	return resp.StatusCode
}

func agentCall(s *testapp.Staff, method, path string) int {
	if method == "GET" {
		return s.Get(path).Status
	}
	return s.Req(method, path, url.Values{"csrf": {s.CSRF}}).Status
}
