// Package triage is the patient relations queue: it turns flagged responses
// and contact requests into routed cases, keeps the SLA and grievance
// clocks, and carries the staff workflow.
package triage

import (
	"strconv"
	"time"

	"github.com/patientvoice/patientvoice/config"
)

// Priorities of the contract, most urgent first.
const (
	PriorityUrgent = "urgent"
	PriorityHigh   = "high"
	PriorityNormal = "normal"
	PriorityLow    = "low"
)

// ValidPriority reports whether p is a contract priority.
func ValidPriority(p string) bool {
	return p == PriorityUrgent || p == PriorityHigh || p == PriorityNormal || p == PriorityLow
}

// Deadline is how long a case may wait to be acknowledged and resolved.
type Deadline struct {
	Acknowledge, Resolve time.Duration
}

// SLA holds deadlines per priority and the CMS grievance clock.
type SLA struct {
	ByPriority map[string]Deadline
	Grievance  Deadline
}

// SLAFrom turns the configured deadlines into the triage clock.
func SLAFrom(c config.SLA) SLA {
	s := SLA{ByPriority: map[string]Deadline{}, Grievance: Deadline(c.Grievance)}
	for p, d := range c.ByPriority {
		s.ByPriority[p] = Deadline(d)
	}
	return s
}

// DefaultSLA is the contract's default: urgent 1 h / 24 h, high 24 h /
// 3 days, normal 3 days / 14 days, low 7 days / 30 days; a grievance
// acknowledges within 7 days and resolves within 30.
func DefaultSLA() SLA {
	day := 24 * time.Hour
	return SLA{
		ByPriority: map[string]Deadline{
			PriorityUrgent: {time.Hour, day},
			PriorityHigh:   {day, 3 * day},
			PriorityNormal: {3 * day, 14 * day},
			PriorityLow:    {7 * day, 30 * day},
		},
		Grievance: Deadline{7 * day, 30 * day},
	}
}

// Deadlines returns acknowledge-by and resolve-by for a case opened at
// from. A grievance takes the stricter of the two clocks for each deadline.
func (s SLA) Deadlines(priority string, grievance bool, from time.Time) (ack, resolve time.Time) {
	d, ok := s.ByPriority[priority]
	if !ok {
		d = s.ByPriority[PriorityNormal]
	}
	if grievance {
		d.Acknowledge = min(d.Acknowledge, s.Grievance.Acknowledge)
		d.Resolve = min(d.Resolve, s.Grievance.Resolve)
	}
	return from.Add(d.Acknowledge), from.Add(d.Resolve)
}

func itoa(id uint) string { return strconv.FormatUint(uint64(id), 10) }
