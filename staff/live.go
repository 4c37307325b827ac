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

// MaxStreams is how many live-queue streams one session may hold open (on
// all servers together): a few tabs, not an unbounded number.
const MaxStreams = 3

// Stream leases are renewed while a stream is open and lapse when its
// server dies, so a crashed server does not hold a session's slots.
const (
	leaseFor   = 60 * time.Second
	renewEvery = 20 * time.Second
)

// Live fans case changes out to open queue pages (Server-Sent Events).
// Changes made on this server are pushed at once; changes made by other
// servers are noticed by polling a fingerprint of the cases table, so the
// queue stays live behind a load balancer. The same poll closes the
// streams of sessions that ended (signed out on any server, idle, past
// their absolute limit): an open queue never keeps a session alive.
type Live struct {
	store *models.Store
	log   *slog.Logger
	every time.Duration
	idle  time.Duration

	mu   sync.Mutex
	subs map[*stream]struct{}
	done chan struct{}
	last string
}

// stream is one open /staff/events answer.
type stream struct {
	session, lease string
	user           uint
	changed        chan struct{}
	end            chan struct{}
	once           sync.Once
}

func (s *stream) close() { s.once.Do(func() { close(s.end) }) }

// NewLive builds the hub; Run must be started for cross-server updates
// and for closing the streams of ended sessions. idle is the session idle
// limit.
func NewLive(store *models.Store, log *slog.Logger, every, idle time.Duration) *Live {
	return &Live{store: store, log: log, every: every, idle: idle, subs: map[*stream]struct{}{}, done: make(chan struct{})}
}

// CaseEvent makes Live a triage.Notifier: any case event refreshes the
// open queue pages of this server at once.
func (l *Live) CaseEvent(context.Context, triage.CaseEvent, models.Case) { l.Notify() }

// Notify tells every open queue page that something changed.
func (l *Live) Notify() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs {
		select {
		case s.changed <- struct{}{}:
		default:
		}
	}
}

// EndSession closes this server's streams of a session at once (sign-out,
// expiry); other servers close theirs at their next poll.
func (l *Live) EndSession(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs {
		if s.session == id {
			s.close()
		}
	}
}

// EndUser closes this server's streams of every session of a user
// (disabled, password or second factor reset).
func (l *Live) EndUser(id uint) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs {
		if s.user == id {
			s.close()
		}
	}
}

// EndUserExcept closes a user's streams but those of one session (the
// user changed their password there).
func (l *Live) EndUserExcept(id uint, keep string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs {
		if s.user == id && s.session != keep {
			s.close()
		}
	}
}

func (l *Live) subscribe(session string, user uint, lease string) *stream {
	s := &stream{session: session, user: user, lease: lease, changed: make(chan struct{}, 1), end: make(chan struct{})}
	l.mu.Lock()
	l.subs[s] = struct{}{}
	l.mu.Unlock()
	return s
}

func (l *Live) unsubscribe(s *stream) {
	l.mu.Lock()
	delete(l.subs, s)
	l.mu.Unlock()
}

func (l *Live) open() (sessions, leases []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	seen := map[string]bool{}
	for s := range l.subs {
		if !seen[s.session] {
			seen[s.session] = true
			sessions = append(sessions, s.session)
		}
		leases = append(leases, s.lease)
	}
	return sessions, leases
}

// Run polls the database until ctx ends, then closes every stream.
func (l *Live) Run(ctx context.Context) {
	t := time.NewTicker(l.every)
	defer t.Stop()
	defer close(l.done)
	var renewed time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sessions, leases := l.open()
			if len(sessions) == 0 {
				continue
			}
			l.closeEnded(ctx, sessions)
			if now := l.store.Now(); now.Sub(renewed) >= renewEvery || now.Before(renewed) {
				if err := l.store.RenewStreams(ctx, leases, now.Add(leaseFor)); err == nil {
					renewed = now
				}
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

// closeEnded closes the streams whose session is gone, idle or expired.
func (l *Live) closeEnded(ctx context.Context, sessions []string) {
	live, err := l.store.LiveSessions(ctx, sessions, l.idle)
	if err != nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for s := range l.subs {
		if !live[s.session] {
			s.close()
		}
	}
}

// Events answers GET /staff/events: an SSE stream that says "changed"
// whenever the queue should refresh, with a comment every 20 s to keep
// proxies from closing it, and "ended" before it closes because the
// session ended (the page then reloads to the sign-in page, taking the
// patients' details off the screen). At most MaxStreams per session.
func (h *Handler) Events(c *fiber.Ctx) error {
	p := principal(c)
	lease, err := h.store.ClaimStream(c.UserContext(), p.Session.ID, MaxStreams, h.now().Add(leaseFor))
	if err != nil {
		return err
	}
	if lease == "" {
		c.Set(fiber.HeaderRetryAfter, "60")
		return fiber.NewError(fiber.StatusTooManyRequests, fmt.Sprintf("At most %d live queue windows per sign-in: close one, or reload this page later.", MaxStreams))
	}
	c.Set(fiber.HeaderContentType, "text/event-stream")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Accel-Buffering", "no")
	st := h.live.subscribe(p.Session.ID, p.User.ID, lease)
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer func() {
			h.live.unsubscribe(st)
			_ = h.store.ReleaseStream(context.Background(), lease)
		}()
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
			case <-st.end:
				fmt.Fprint(w, "event: ended\ndata: {}\n\n")
				_ = w.Flush()
				return
			case <-st.changed:
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
