package config

import (
	"strconv"
	"strings"
	"time"
)

// Deadline is how long a case may wait to be acknowledged and resolved.
type Deadline struct {
	Acknowledge, Resolve time.Duration
}

// SLA is the hospital's case deadlines: per priority (PV_SLA_URGENT,
// PV_SLA_HIGH, PV_SLA_NORMAL, PV_SLA_LOW) and the CMS grievance clock
// (PV_SLA_GRIEVANCE). Each variable is "ACK/RESOLVE", e.g. "1h/24h" or
// "3d/14d", so a policy change needs no rebuild.
type SLA struct {
	ByPriority map[string]Deadline
	Grievance  Deadline
}

// slaDefaults are the contract's defaults.
var slaDefaults = []struct{ priority, env, def string }{
	{"urgent", "PV_SLA_URGENT", "1h/24h"},
	{"high", "PV_SLA_HIGH", "24h/3d"},
	{"normal", "PV_SLA_NORMAL", "3d/14d"},
	{"low", "PV_SLA_LOW", "7d/30d"},
}

func (p *parser) sla() SLA {
	s := SLA{ByPriority: map[string]Deadline{}}
	for _, d := range slaDefaults {
		s.ByPriority[d.priority] = p.deadline(d.env, d.def)
	}
	s.Grievance = p.deadline("PV_SLA_GRIEVANCE", "7d/30d")
	return s
}

// deadline parses "ACK/RESOLVE"; both positive, ACK no later than RESOLVE.
func (p *parser) deadline(name, def string) Deadline {
	v := p.str(name, def)
	a, r, ok := strings.Cut(v, "/")
	ack, err1 := longDuration(a)
	res, err2 := longDuration(r)
	switch {
	case !ok || err1 != nil || err2 != nil:
		p.fail(name, "%q is not ACK/RESOLVE durations (e.g. 1h/24h or 3d/14d)", v)
	case ack <= 0 || res <= 0:
		p.fail(name, "%q: both deadlines must be longer than 0", v)
	case ack > res:
		p.fail(name, "%q: the acknowledge deadline must not be later than the resolve deadline", v)
	}
	return Deadline{ack, res}
}

// longDuration is a Go duration or a whole number of days ("14d").
func longDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return 0, err
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}
