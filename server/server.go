// Package server builds the HTTP application: middleware, the error
// handler and the route table that wires every package's handlers. It is
// the one place that knows every route.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/fiber/v2/middleware/requestid"
	"github.com/patientvoice/patientvoice/alerts"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/conversations"
	"github.com/patientvoice/patientvoice/fhirapi"
	"github.com/patientvoice/patientvoice/inviting"
	"github.com/patientvoice/patientvoice/kiosk"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/reports"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/staff"
	"github.com/patientvoice/patientvoice/static"
	"github.com/patientvoice/patientvoice/templates"
	"github.com/patientvoice/patientvoice/throttle"
	"github.com/patientvoice/patientvoice/translations"
	"github.com/patientvoice/patientvoice/triage"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// MaxJSONBody is the contract's limit for JSON bodies.
const MaxJSONBody = 64 << 10

// MaxFormBody bounds form posts: webhooks, survey pages, staff forms.
const MaxFormBody = 1 << 20

// MaxBody is the server-wide body limit (CSV imports).
const MaxBody = 10 << 20

// Deps is what the server is built from, made once in cmd/patientvoice.
type Deps struct {
	Config *config.Config
	Store  *models.Store
	Log    *slog.Logger
	// Now is the clock every package shares; time.Now in production.
	Now func() time.Time
	// Senders overrides the outbound channels (tests).
	Senders Senders
}

// Server is the wired application: the HTTP app plus the domain services
// the CLI and background jobs share.
type Server struct {
	App    *fiber.App
	Intake *triage.Intake
	Cases  *triage.Cases
	Staff  *staff.Handler
	// Inviting takes discharges and runs the invitation clock.
	Inviting *inviting.Handler
	// Conversations answers webhooks, survey pages and follow-ups.
	Conversations *conversations.Handler
	Dispatcher    *sending.Dispatcher
	Escalator     *triage.Escalator
	Reports       *reports.Service
	live          *staff.Live
	deps          Deps
}

// Senders are the outbound channels; nil fields are chosen from config
// (Twilio and SMTP when configured, else the development outbox).
type Senders struct {
	SMS   sending.SMSSender
	Email sending.EmailSender
}

func senders(cfg *config.Config, in Senders) (Senders, error) {
	if in.SMS == nil {
		if cfg.Twilio.Enabled() {
			t, err := sending.NewTwilio(cfg)
			if err != nil {
				return in, err
			}
			in.SMS = t
		} else {
			in.SMS = &sending.DevSMS{}
		}
	}
	if in.Email == nil {
		if cfg.SMTP.Enabled() {
			in.Email = sending.NewSMTP(cfg)
		} else {
			in.Email = sending.DevEmail{}
		}
	}
	return in, nil
}

// New wires every package and builds the Fiber app with every route.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	views, err := templates.New()
	if err != nil {
		return nil, err
	}
	catalog, err := translations.Load()
	if err != nil {
		return nil, err
	}
	// Who hears about cases: the on-call alerts and the live queue.
	live := staff.NewLive(d.Store, d.Log, 2*time.Second, d.Config.SessionIdle)
	notify := triage.Notifiers{alerts.New(d.Config, d.Store, d.Log), live}
	sla := triage.SLAFrom(d.Config.SLA)
	intake := triage.NewIntake(d.Store, sla, notify, d.Now)
	cases := triage.NewCases(d.Store, sla, notify, d.Now)
	esc := triage.NewEscalator(d.Store, notify, d.Log, d.Now, time.Minute)
	kh := kiosk.New(d.Config, d.Store, intake, catalog, d.Log, d.Now)
	inv := inviting.New(d.Config, d.Store, catalog, d.Log, d.Now)
	conv := conversations.New(d.Config, d.Store, intake, inv.Links(), catalog, d.Log, d.Now)
	rep := reports.New(d.Config, d.Store, d.Now)
	st := staff.New(d.Config, d.Store, cases, live, conv, conv, inv, rep, catalog, d.Log, d.Now)
	capi := triage.NewAPI(d.Store, cases)
	snd, err := senders(d.Config, d.Senders)
	if err != nil {
		return nil, err
	}
	disp := sending.NewDispatcher(d.Store, snd.SMS, snd.Email, d.Config.Twilio.Rate, inv.Links(), d.Log, d.Now)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newRetryCollector(d.Store.Retries()))
	m := newMetrics(reg)

	app := fiber.New(fiber.Config{
		AppName:               "patientvoice",
		Views:                 views,
		ErrorHandler:          errorHandler(d.Log, d.Config.OrgName, catalog),
		BodyLimit:             MaxBody,
		Immutable:             true,
		DisableStartupMessage: true,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          60 * time.Second,
		IdleTimeout:           120 * time.Second,
		ProxyHeader:           "",
	})
	app.Use(recover.New())
	app.Use(requestid.New())
	app.Use(accessLog(d.Log, m))
	app.Use(securityHeaders(strings.HasPrefix(d.Config.BaseURL, "https://")))
	// kiosk and webhook answers are a few dozen bytes: compressing them
	// costs more than it saves
	app.Use(compress.New(compress.Config{Next: func(c *fiber.Ctx) bool {
		p := c.Path()
		return strings.HasPrefix(p, "/api/kiosk/") || strings.HasPrefix(p, "/webhooks/") || p == "/healthz"
	}}))
	// small forms everywhere but the API (its own limits) and uploads
	app.Use([]string{"/webhooks", "/s", "/f", "/unsubscribe", "/staff"}, bodyLimit(MaxFormBody, map[string]bool{"/staff/import": true}))
	// links in patients' email can be guessed at; counted per address and
	// overall, in the database
	th := d.Config.Throttles
	links := throttle.New(d.Store, "link", th.Link, th.LinkTotal, d.Now, "Too many requests from your network. Wait a minute and try again.")
	signin := throttle.New(d.Store, "signin", th.Login, th.LoginTotal, d.Now, "Too many sign-in attempts from your network. Wait a minute and try again.")

	app.Get("/healthz", health(d.Store))
	app.Get("/metrics", adaptor.HTTPHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	app.Use("/static", cacheStatic, filesystem.New(filesystem.Config{Root: http.FS(static.FS)}))
	app.Get("/", func(c *fiber.Ctx) error {
		return c.Render("index", fiber.Map{"Org": d.Config.OrgName})
	})

	api := app.Group("/api", jsonLimit(MaxJSONBody), withTimeout(10*time.Second, map[string]time.Duration{"/api/discharges/import": 10 * time.Minute}))
	api.Get("/departments", RequireScope(d.Store, ""), departments(d.Store))
	api.Get("/surveys/:key", RequireScope(d.Store, models.ScopeSurveysRead), kh.SurveyAPI)

	api.Post("/discharges", RequireScope(d.Store, models.ScopeDischargesWrite), inv.Discharge)
	api.Post("/discharges/import", RequireScope(d.Store, models.ScopeDischargesWrite), inv.ImportCSV)
	fhirRoutes(api, d, inv)
	api.Get("/cases", RequireScope(d.Store, models.ScopeCasesRead), capi.List)
	api.Get("/cases/:id", RequireScope(d.Store, models.ScopeCasesRead), capi.Get)
	api.Get("/reports/summary", RequireScope(d.Store, models.ScopeReportsRead), rep.SummaryAPI)
	api.Patch("/cases/:id", RequireScope(d.Store, models.ScopeCasesWrite), capi.Patch)

	app.Get("/kiosk/:token", kh.Page)
	kapi := api.Group("/kiosk", kh.Auth)
	kapi.Get("/survey", kh.Survey)
	kapi.Post("/responses", kh.Submit)
	kapi.Post("/heartbeat", kh.Heartbeat)

	app.Post("/webhooks/twilio/sms", conv.InboundSMS)
	app.Post("/webhooks/twilio/status", conv.Status)
	app.Get("/s/:token", links.Handler, conv.SurveyForm)
	app.Post("/s/:token", links.Handler, conv.SurveySubmit)
	app.Get("/f/:token", links.Handler, conv.FollowupForm)
	app.Post("/f/:token", links.Handler, conv.FollowupSubmit)
	app.Get("/unsubscribe/:token", links.Handler, conv.UnsubscribePage)
	app.Post("/unsubscribe/:token", links.Handler, conv.Unsubscribe)

	staffRoutes(app, st, signin.Handler)

	app.Use(func(c *fiber.Ctx) error { return fiber.NewError(fiber.StatusNotFound, "no such page") })
	return &Server{App: app, Intake: intake, Cases: cases, Staff: st, Inviting: inv, Conversations: conv, Dispatcher: disp, Escalator: esc, Reports: rep, live: live, deps: d}, nil
}

// fhirRoutes registers the FHIR R4 API under /api/fhir: the token check,
// then content negotiation (406, 415); errors on these paths become
// OperationOutcomes in the error handler.
func fhirRoutes(api fiber.Router, d Deps, inv *inviting.Handler) {
	fh := fhirapi.New(fhirapi.Deps{Config: d.Config, Store: d.Store, Intake: inv, Token: apiToken, Log: d.Log, Now: d.Now})
	g := api.Group("/fhir")
	scoped := func(scope string) fiber.Handler { return RequireScope(d.Store, scope) }
	g.Get("/metadata", fhirapi.Negotiate, fh.Capabilities)
	g.Get("/Questionnaire/:id", scoped(models.ScopeSurveysRead), fhirapi.Negotiate, fh.Questionnaire)
	g.Get("/QuestionnaireResponse", scoped(models.ScopeReportsRead), fhirapi.Negotiate, fh.SearchResponses)
	g.Get("/QuestionnaireResponse/:id", scoped(models.ScopeReportsRead), fhirapi.Negotiate, fh.ReadResponse)
	g.Post("/Encounter", scoped(models.ScopeDischargesWrite), fhirapi.Negotiate, fh.PostEncounter)
	// a transaction Bundle is posted to the base by FHIR's rules
	g.Post("/", scoped(models.ScopeDischargesWrite), fhirapi.Negotiate, fh.PostEncounter)
}

// staffRoutes registers the staff web app. Sign-in pages are public; every
// other /staff/ route needs a session and a CSRF token on POST, and admin
// routes the admin role.
func staffRoutes(app *fiber.App, st *staff.Handler, signin fiber.Handler) {
	admin := staff.RequireRole(models.RoleAdmin)
	managers := staff.RequireRole(models.RoleManager, models.RoleAdmin)
	app.Get("/staff/login", st.LoginPage)
	app.Post("/staff/login", signin, st.Login)
	app.Get("/staff/login/mfa", st.MFAPage)
	app.Post("/staff/login/mfa", signin, st.MFAVerify)
	app.Get("/staff/mfa/setup", st.MFASetupPage)
	app.Post("/staff/mfa/setup", signin, st.MFASetup)

	sg := app.Group("/staff", st.RequireSession, st.CSRF)
	sg.Get("/", st.Queue)
	sg.Get("/events", st.Events)
	sg.Post("/logout", st.Logout)
	sg.Get("/account", st.Account)
	sg.Get("/account/password", st.PasswordPage)
	sg.Post("/account/password", st.ChangePassword)
	sg.Post("/account/mfa", st.StartReplaceMFA)
	sg.Post("/account/mfa/confirm", st.ConfirmReplaceMFA)
	sg.Post("/account/recovery", st.NewRecoveryCodes)
	sg.Get("/cases/new", st.NewCaseForm)
	sg.Post("/cases/new", st.NewCase)
	sg.Get("/cases/:id", st.CasePage)
	sg.Post("/cases/:id", st.CaseAction)
	sg.Post("/cases/:id/reveal", st.Reveal)
	sg.Post("/cases/:id/contact", st.ContactPatient)
	sg.Post("/cases/:id/followup", st.Followup)
	sg.Get("/cases/:id/letter", st.LetterForm)
	sg.Post("/cases/:id/letter", st.Letter)
	sg.Get("/reports", st.Reports)
	sg.Post("/reports/export", st.Export)
	sg.Post("/reports/weekly", admin, st.SaveWeekly)
	sg.Post("/reports/weekly/send", managers, st.SendWeekly)
	sg.Get("/kiosks", st.Kiosks)
	sg.Get("/outbox", st.Outbox)
	sg.Get("/invitations", st.Invitations)
	sg.Get("/import", managers, st.ImportPage)
	sg.Post("/import", managers, st.ImportUpload)
	sg.Get("/import/:id", managers, st.ImportStatus)
	sg.Get("/simulator", st.Simulator)
	sg.Post("/simulator", st.SimulatorSend)
	sg.Post("/kiosks", admin, st.EnrolKiosk)
	sg.Post("/kiosks/:id", admin, st.KioskAction)
	sg.Get("/admin/users", admin, st.Users)
	sg.Post("/admin/users", admin, st.CreateUser)
	sg.Get("/admin/users/:id", admin, st.UserPage)
	sg.Post("/admin/users/:id", admin, st.UserAction)
	sg.Get("/admin/audit", admin, st.Audit)
	sg.Get("/admin/rules", admin, st.Rules)
	sg.Post("/admin/rules", admin, st.SaveRules)
	sg.Get("/admin/surveys", admin, st.Surveys)
	sg.Post("/admin/surveys", admin, st.NewSurvey)
	sg.Get("/admin/surveys/:key", admin, st.EditSurvey)
	sg.Post("/admin/surveys/:key", admin, st.SaveSurvey)
	sg.Get("/admin/info", admin, st.InfoScreens)
	sg.Post("/admin/info", admin, st.SaveInfoScreens)
}

// Serve runs the HTTP server on ln and the background jobs until ctx ends,
// then stops accepting, lets in-flight requests and jobs finish (30 s at
// most) and returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	bg, stopBG := context.WithCancel(context.Background())
	var jobs sync.WaitGroup
	for _, job := range s.jobs() {
		jobs.Add(1)
		go func() { defer jobs.Done(); job(bg) }()
	}
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listener(ln) }()
	var err error
	select {
	case err = <-errc:
		stopBG()
		jobs.Wait()
	case <-ctx.Done():
		s.deps.Log.Info("shutting down")
		// background jobs first: that also ends live-queue streams, which
		// would otherwise hold the HTTP shutdown open
		stopBG()
		jobs.Wait()
		err = s.App.ShutdownWithTimeout(30 * time.Second)
	}
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}

// jobs are the background loops every server runs; each must stop when its
// context ends and be safe to run on several servers at once.
func (s *Server) jobs() []func(context.Context) {
	return []func(context.Context){s.live.Run, s.Staff.RunHousekeeping,
		func(ctx context.Context) { throttle.Run(ctx, s.deps.Store, s.deps.Now, s.deps.Log) }, s.Escalator.Run, s.Dispatcher.Run, s.Conversations.SweepInbound, s.Inviting.RunHousekeeping,
		func(ctx context.Context) {
			s.Reports.Run(ctx, time.Minute, func(err error) { s.deps.Log.Error("report rollup", "err", err) })
		},
		func(ctx context.Context) {
			s.Reports.RunWeekly(ctx, time.Minute, func(err error) { s.deps.Log.Error("weekly report", "err", err) })
		}}
}

func cacheStatic(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Next()
}

func health(store *models.Store) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
		defer cancel()
		c.Set(fiber.HeaderCacheControl, "no-store")
		if err := store.Ping(ctx); err != nil {
			return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "error": "database is not answering"})
		}
		return c.JSON(fiber.Map{"status": "ok"})
	}
}

type departmentJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func departments(store *models.Store) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ds, err := store.Departments(c.UserContext())
		if err != nil {
			return err
		}
		out := make([]departmentJSON, 0, len(ds))
		for _, d := range ds {
			out = append(out, departmentJSON{d.Code, d.Name})
		}
		return c.JSON(fiber.Map{"departments": out})
	}
}

func isNotFound(err error) bool { return errors.Is(err, models.ErrNotFound) }
