package staff

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/triage"
)

// Live fans case changes out to open queue pages (Server-Sent Events).
// Changes made on this server are pushed at once; changes made by other
// servers are noticed by polling a fingerprint of the cases table, so the
// queue stays live behind a load balancer.
type Live struct {
	store *models.Store
	log   *slog.Logger
	every time.Duration

	mu   sync.Mutex
	subs map[chan struct{}]struct{}
	done chan struct{}
	last string
}

// NewLive builds the hub; Run must be started for cross-server updates.
func NewLive(store *models.Store, log *slog.Logger, every time.Duration) *Live {
	return &Live{store: store, log: log, every: every, subs: map[chan struct{}]struct{}{}, done: make(chan struct{})}
}

// CaseEvent makes Live a triage.Notifier: any case event refreshes the
// open queue pages of this server at once.
func (l *Live) CaseEvent(context.Context, triage.CaseEvent, models.Case) { l.Notify() }

// Notify tells every open queue page that something changed.
func (l *Live) Notify() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for ch := range l.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (l *Live) subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch
}

func (l *Live) unsubscribe(ch chan struct{}) {
	l.mu.Lock()
	delete(l.subs, ch)
	l.mu.Unlock()
}

// Run polls the database until ctx ends, then closes every stream.
func (l *Live) Run(ctx context.Context) {
	t := time.NewTicker(l.every)
	defer t.Stop()
	defer close(l.done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.mu.Lock()
			n := len(l.subs)
			l.mu.Unlock()
			if n == 0 {
				continue
			}
			fp, err := l.store.CasesChanged(ctx)
			if err != nil {
				continue
			}
			if fp != l.last {
				l.last = fp
				l.Notify()
			}
		}
	}
}

// Events answers GET /staff/events: an SSE stream that says "changed"
// whenever the queue should refresh, with a comment every 20 s to keep
// proxies from closing it.
func (h *Handler) Events(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	ch := h.live.subscribe()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer h.live.unsubscribe(ch)
		keep := time.NewTicker(20 * time.Second)
		defer keep.Stop()
		fmt.Fprint(w, "retry: 3000\n\n")
		if w.Flush() != nil {
			return
		}
		for {
			select {
			case <-h.live.done:
				return
			case <-ch:
				fmt.Fprint(w, "event: changed\ndata: {}\n\n")
			case <-keep.C:
				fmt.Fprint(w, ": keep-alive\n\n")
			}
			if w.Flush() != nil {
				return
			}
		}
	})
	return nil
}
