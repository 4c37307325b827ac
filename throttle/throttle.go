// Package throttle limits requests per client address and overall, per
// minute, on routes a stranger can hammer: the staff sign-in steps and the
// patients' link routes. Counts live in the database (one upsert per
// bucket), so the limits hold behind a load balancer; a refused request
// answers 429 with Retry-After, and each minute's refusals become one
// audit row, not one per request.
package throttle

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
)

// Counter is the store method a Limiter counts with.
type Counter interface {
	CountRequest(ctx context.Context, class, bucket, address string, window time.Time, limit int) (int, error)
}

// Limiter refuses requests of one class of routes past perAddress a
// minute from one client address, or past total a minute overall.
type Limiter struct {
	store           Counter
	class, message  string
	perAddress, all int
	now             func() time.Time
}

// New builds a limiter; a limit of 0 is off. message is what a refused
// client reads.
func New(store Counter, class string, perAddress, total int, now func() time.Time, message string) *Limiter {
	return &Limiter{store: store, class: class, perAddress: perAddress, all: total, now: now, message: message}
}

// Handler is the middleware. Requests refused per address do not count
// towards the overall limit, so one noisy client cannot lock everyone out.
func (l *Limiter) Handler(c *fiber.Ctx) error {
	if l.perAddress == 0 && l.all == 0 {
		return c.Next()
	}
	ctx := c.UserContext()
	now := l.now().UTC()
	win := now.Truncate(time.Minute)
	if l.perAddress > 0 {
		addr := c.IP()
		n, err := l.store.CountRequest(ctx, l.class, l.class+":"+addr, addr, win, l.perAddress)
		if err != nil {
			return err
		}
		if n > l.perAddress {
			return l.refuse(c, win, now)
		}
	}
	if l.all > 0 {
		n, err := l.store.CountRequest(ctx, l.class, l.class+":all", "", win, l.all)
		if err != nil {
			return err
		}
		if n > l.all {
			return l.refuse(c, win, now)
		}
	}
	return c.Next()
}

func (l *Limiter) refuse(c *fiber.Ctx, win, now time.Time) error {
	wait := int(math.Ceil(win.Add(time.Minute).Sub(now).Seconds()))
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(wait, 1)))
	return fiber.NewError(fiber.StatusTooManyRequests, l.message)
}

// Store is what the summary job needs.
type Store interface {
	SummarizeThrottles(ctx context.Context, before time.Time) ([]models.ThrottleSummary, error)
	PurgeThrottles(ctx context.Context, before time.Time) error
	Audit(ctx context.Context, actor, action, record, ip, detail string) error
}

// Summarize writes one audit row per class and past minute that refused
// requests, and deletes counts older than an hour. Safe on every server:
// each summary is claimed once.
func Summarize(ctx context.Context, store Store, now time.Time) error {
	sums, err := store.SummarizeThrottles(ctx, now.UTC().Truncate(time.Minute))
	if err != nil {
		return err
	}
	for _, s := range sums {
		if err := store.Audit(ctx, "system", "throttle."+s.Class, "", "", s.String()); err != nil {
			return err
		}
	}
	return store.PurgeThrottles(ctx, now.Add(-time.Hour))
}

// Run summarizes every minute until ctx ends.
func Run(ctx context.Context, store Store, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := Summarize(ctx, store, now()); err != nil && ctx.Err() == nil {
				log.Warn("throttle summary failed", "err", err.Error())
			}
		}
	}
}
