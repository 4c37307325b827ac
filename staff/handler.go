package staff

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/reports"
	"github.com/patientvoice/patientvoice/translations"
	"github.com/patientvoice/patientvoice/triage"
	"golang.org/x/crypto/bcrypt"
)

// Handler holds what the staff pages need.
type Handler struct {
	cfg     *config.Config
	store   *models.Store
	cases   *triage.Cases
	catalog *translations.Catalog
	log     *slog.Logger
	now     func() time.Time
	// sleep slows failed logins down; tests replace it.
	sleep func(time.Duration)
	live  *Live
	// sim takes the SMS simulator's texts as if Twilio had sent them.
	sim SMSReceiver
	// importer reads uploaded discharge CSVs.
	importer Importer
	// followup asks a resolved case's patient whether they are satisfied.
	followup FollowupSender
	reports  *reports.Service

	dummyOnce sync.Once
	dummy     []byte
}

// dummyHash makes a login for an unknown email cost as much as a real one.
func (h *Handler) dummyHash() []byte {
	h.dummyOnce.Do(func() {
		h.dummy, _ = bcrypt.GenerateFromPassword([]byte("patientvoice-timing-equaliser"), bcrypt.DefaultCost)
	})
	return h.dummy
}

// New builds the staff app handlers from everything the pages use: the
// case workflow, the live queue, the SMS simulator's receiver and the
// follow-up sender (conversations), the discharge importer (inviting), the
// reports, and the translation catalog the patient-facing parts speak
// (letters, kiosk texts, survey languages).
func New(cfg *config.Config, store *models.Store, cases *triage.Cases, live *Live, sim SMSReceiver, followup FollowupSender,
	importer Importer, rep *reports.Service, catalog *translations.Catalog, log *slog.Logger, now func() time.Time) *Handler {
	return &Handler{cfg: cfg, store: store, cases: cases, live: live, sim: sim, followup: followup, importer: importer, reports: rep,
		catalog: catalog, log: log, now: now, sleep: time.Sleep}
}

// SetSleep replaces the failed-login delay (tests make it instant).
func (h *Handler) SetSleep(f func(time.Duration)) { h.sleep = f }

// page is the data every staff page renders with.
type page struct {
	Org               string
	Title             string
	Nav               string
	User              models.StaffUser
	CSRF              string
	OverdueGrievances int64
	Loc               *time.Location
	Now               time.Time
	Flash             string
	Data              any
}

// render shows a staff page inside the staff layout, with the overdue
// grievance count every page carries.
func (h *Handler) render(c *fiber.Ctx, name, title, nav string, data any) error {
	p := principal(c)
	n, err := h.overdueGrievances(c.UserContext(), p.User)
	if err != nil {
		return err
	}
	return c.Render(name, page{Org: h.cfg.OrgName, Title: title, Nav: nav, User: p.User, CSRF: p.Session.CSRFToken,
		OverdueGrievances: n, Loc: h.cfg.Location, Now: h.now(), Flash: flash(c.Query("flash")), Data: data})
}

func (h *Handler) overdueGrievances(ctx context.Context, u models.StaffUser) (int64, error) {
	yes := true
	codes, limited := scope(u)
	return h.store.CountCases(ctx, models.CaseFilter{Grievance: &yes, OverdueAt: h.now(), Departments: codes, Scoped: limited})
}

// ip is the client address for the audit log.
func ip(c *fiber.Ctx) string { return c.IP() }

// RunHousekeeping deletes ended sessions and lapsed stream leases every
// few minutes until ctx ends; safe on every server.
func (h *Handler) RunHousekeeping(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.store.PurgeSessions(ctx, h.cfg.SessionIdle); err != nil && ctx.Err() == nil {
				h.log.Warn("session purge failed", "err", err.Error())
			}
		}
	}
}
