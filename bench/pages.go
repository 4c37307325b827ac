package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
	"github.com/patientvoice/patientvoice/sending"
	"github.com/patientvoice/patientvoice/server"
	"github.com/patientvoice/patientvoice/staff"
)

// ExportFigures is one CSV export measurement.
type ExportFigures struct {
	Rows     int
	Bytes    int64
	Elapsed  time.Duration
	PeakHeap uint64 // the largest heap seen while it streamed
	BaseHeap uint64 // the heap just before
}

func (e ExportFigures) String() string {
	return fmt.Sprintf("%-34s %6d rows  %8.0f rows/s  %.1f MB in %.2f s  heap before %.1f MB, peak during %.1f MB",
		"CSV export (responses)", e.Rows, float64(e.Rows)/e.Elapsed.Seconds(), float64(e.Bytes)/1e6, e.Elapsed.Seconds(),
		float64(e.BaseHeap)/1e6, float64(e.PeakHeap)/1e6)
}

// Pages measures what staff and integrations read all day, on whatever
// data PV_DB holds (see "patientvoice seed"): the queue page, a case page,
// GET /api/cases with common filters, the reports dashboard for 90 days,
// the summary API, and a CSV export of about exportRows rows (rows per
// second and the heap while it streams).
// PagesResult is what Pages measured, by step name.
type PagesResult struct {
	Steps  map[string]Latency
	Export ExportFigures
}

func Pages(ctx context.Context, cfg *config.Config, store *models.Store, n, conc, exportRows int, out io.Writer) (PagesResult, error) {
	res := PagesResult{Steps: map[string]Latency{}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	base, srv, err := serve(ctx, cfg, store, server.Senders{SMS: &sending.DevSMS{}, Email: sending.DevEmail{}})
	if err != nil {
		return res, err
	}
	_ = srv
	email := fmt.Sprintf("bench-%d@patientvoice.invalid", time.Now().UnixNano())
	u, err := store.CreateUser(ctx, models.NewUser{Email: email, Name: "Bench manager", Role: models.RoleManager, Password: models.NewToken("")})
	if err != nil {
		return res, err
	}
	// the session below is made directly: no forced password change
	if err := store.ChangePassword(ctx, u.ID, models.NewToken("")); err != nil {
		return res, err
	}
	tok, sess, err := store.CreateSession(ctx, u.ID, "127.0.0.1", false, 12*time.Hour)
	if err != nil {
		return res, err
	}
	apiTok, _, err := store.CreateAPIToken(ctx, "bench", []string{models.ScopeCasesRead, models.ScopeReportsRead})
	if err != nil {
		return res, err
	}
	open, err := store.ListCases(ctx, models.CaseFilter{Limit: 500})
	if err != nil {
		return res, err
	}
	if len(open) == 0 {
		return res, fmt.Errorf("bench pages: no cases in PV_DB; run \"patientvoice seed\" first")
	}
	var total int64
	if total, err = store.CountResponses(ctx); err != nil {
		return res, err
	}
	cases, _ := store.CountCases(ctx, models.CaseFilter{})
	fmt.Fprintf(out, "data: %d responses, %d cases\n\n", total, cases)
	c := client(conc)
	cookie := staff.SessionCookie + "=" + tok
	get := func(path, bearer string) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+path, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		} else {
			req.Header.Set("Cookie", cookie)
		}
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: status %d", path, resp.StatusCode)
		}
		return nil
	}
	loc := cfg.Location
	today := time.Now().In(loc)
	from90 := today.AddDate(0, 0, -89).Format("2006-01-02")
	to := today.Format("2006-01-02")
	rng := rand.New(rand.NewPCG(1, 2))
	var mu sync.Mutex
	pick := func() uint {
		mu.Lock()
		defer mu.Unlock()
		return open[rng.IntN(len(open))].ID
	}
	steps := []struct {
		name string
		fn   func(int) error
	}{
		{"queue page", func(int) error { return get("/staff/", "") }},
		{"queue page: new, ED, overdue", func(int) error { return get("/staff/?status=new&department=ED&overdue=yes", "") }},
		{"case page", func(int) error { return get(fmt.Sprintf("/staff/cases/%d", pick()), "") }},
		{"GET /api/cases", func(int) error { return get("/api/cases", apiTok) }},
		{"GET /api/cases?status=new&dept=ED", func(int) error { return get("/api/cases?status=new&department=ED&limit=100", apiTok) }},
		{"GET /api/cases?priority=high&src", func(int) error { return get("/api/cases?priority=high&source=kiosk", apiTok) }},
		{"GET /api/cases/{id}", func(int) error { return get(fmt.Sprintf("/api/cases/%d", pick()), apiTok) }},
		{"reports dashboard, 90 days", func(int) error { return get("/staff/reports?from="+from90+"&to="+to, "") }},
		{"GET /api/reports/summary 90 d", func(int) error { return get("/api/reports/summary?from="+from90+"&to="+to, apiTok) }},
	}
	for _, s := range steps {
		_ = s.fn(0) // warm caches
		l := run(s.name, n, conc, s.fn)
		res.Steps[s.name] = l
		fmt.Fprintln(out, l)
	}
	// export: a range holding about exportRows responses
	days := 1
	if total > 0 {
		perDay := float64(total) / 365
		days = max(1, int(float64(exportRows)/perDay+0.5))
	}
	exFrom := today.AddDate(0, 0, -(days - 1)).Format("2006-01-02")
	fig, err := export(ctx, c, base, cookie, sess.CSRFToken, exFrom, to)
	if err != nil {
		return res, err
	}
	res.Export = fig
	fmt.Fprintln(out, fig)
	return res, nil
}

func export(ctx context.Context, c *http.Client, base, cookie, csrf, from, to string) (ExportFigures, error) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fig := ExportFigures{BaseHeap: ms.HeapAlloc}
	stopPeak := peakOf(func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	})
	form := url.Values{"csrf": {csrf}, "kind": {"responses"}, "from": {from}, "to": {to}}
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/staff/reports/export", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", cookie)
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		stopPeak()
		return fig, err
	}
	lines := 0
	buf := make([]byte, 64<<10)
	for {
		k, err := resp.Body.Read(buf)
		fig.Bytes += int64(k)
		lines += strings.Count(string(buf[:k]), "\n")
		if err != nil {
			break
		}
	}
	resp.Body.Close()
	fig.Elapsed = time.Since(start)
	fig.PeakHeap = stopPeak()
	fig.Rows = lines - 1 // the header; comments never hold a raw newline in the seed
	if resp.StatusCode != 200 {
		return fig, fmt.Errorf("export: status %d", resp.StatusCode)
	}
	return fig, nil
}
