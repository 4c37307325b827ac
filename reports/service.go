package reports

import (
	"context"
	"time"

	"github.com/patientvoice/patientvoice/config"
	"github.com/patientvoice/patientvoice/models"
)

// Service computes reports from one store in the hospital's time zone.
type Service struct {
	store *models.Store
	cfg   *config.Config
	now   func() time.Time
}

// New builds the reports service.
func New(cfg *config.Config, store *models.Store, now func() time.Time) *Service {
	return &Service{store: store, cfg: cfg, now: now}
}

// Location is the hospital time zone reports are in.
func (s *Service) Location() *time.Location { return s.cfg.Location }

// Refresh folds new responses into the rollups; every report calls it
// first so figures are never stale, and a background job keeps it warm.
func (s *Service) Refresh(ctx context.Context) error {
	_, err := s.store.RefreshReports(ctx, s.cfg.Location)
	return err
}

// FreezeFunnel stores the funnel of days whose invitations can no longer
// change (expired, with two days' grace for late delivery receipts), up
// to maxDays at a time.
func (s *Service) FreezeFunnel(ctx context.Context, maxDays int) (int, error) {
	through := s.now().Add(-s.cfg.InvitationTTL-48*time.Hour).In(s.cfg.Location).AddDate(0, 0, -1).Format(dayLayout)
	return s.store.FreezeFunnel(ctx, s.cfg.Location, through, maxDays)
}

// Run refreshes the rollups and freezes finished funnel days every
// interval until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration, onErr func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		err := s.Refresh(ctx)
		if err == nil {
			_, err = s.FreezeFunnel(ctx, 31)
		}
		if err != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeptJSON is one department of the summary.
type DeptJSON struct {
	Code       string   `json:"code"`
	Responses  int64    `json:"responses"`
	CSATTopBox *float64 `json:"csat_top_box"`
	NPS        *float64 `json:"nps"`
}

// SummaryJSON is the contract's GET /api/reports/summary body.
type SummaryJSON struct {
	Responses    int64      `json:"responses"`
	CSATTopBox   *float64   `json:"csat_top_box"`
	NPS          *float64   `json:"nps"`
	ByDepartment []DeptJSON `json:"by_department"`
}

// Summary is the contract's summary: completed, non-suspicious responses
// in the range, all channels unless one is given, departments with at
// least one response ordered by code.
func (s *Service) Summary(ctx context.Context, r Range, channel string) (SummaryJSON, error) {
	if err := s.Refresh(ctx); err != nil {
		return SummaryJSON{}, err
	}
	f := models.ReportFilter{FromDay: r.From, ToDay: r.To, Source: channel}
	rows, err := s.store.ReportSums(ctx, f, "department_id", "kind")
	if err != nil {
		return SummaryJSON{}, err
	}
	codes, err := s.departmentCodes(ctx)
	if err != nil {
		return SummaryJSON{}, err
	}
	var total Score
	by := map[uint]*Score{}
	for _, row := range rows {
		total.Add(row)
		if by[row.DepartmentID] == nil {
			by[row.DepartmentID] = &Score{}
		}
		by[row.DepartmentID].Add(row)
	}
	out := SummaryJSON{Responses: total.Responses, CSATTopBox: total.TopBox(), NPS: total.NPS(), ByDepartment: []DeptJSON{}}
	for id, sc := range by {
		if sc.Responses == 0 {
			continue
		}
		out.ByDepartment = append(out.ByDepartment, DeptJSON{Code: codes[id], Responses: sc.Responses, CSATTopBox: sc.TopBox(), NPS: sc.NPS()})
	}
	sortDepts(out.ByDepartment)
	return out, nil
}

func sortDepts(d []DeptJSON) {
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && d[j].Code < d[j-1].Code; j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

func (s *Service) departmentCodes(ctx context.Context) (map[uint]string, error) {
	ds, err := s.store.Departments(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[uint]string, len(ds))
	for _, d := range ds {
		m[d.ID] = d.Code
	}
	return m, nil
}
