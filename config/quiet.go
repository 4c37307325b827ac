package config

import "time"

// In reports whether t, read on the wall clock of loc, falls in the window.
func (q QuietHours) In(t time.Time, loc *time.Location) bool {
	if !q.Enabled {
		return false
	}
	lt := t.In(loc)
	m := lt.Hour()*60 + lt.Minute()
	if q.Start < q.End {
		return m >= q.Start && m < q.End
	}
	return m >= q.Start || m < q.End
}

// Next returns t when it is outside the window, else the window's end on the
// recipient's wall clock, so a message scheduled at night waits for morning.
func (q QuietHours) Next(t time.Time, loc *time.Location) time.Time {
	if !q.In(t, loc) {
		return t
	}
	lt := t.In(loc)
	end := time.Date(lt.Year(), lt.Month(), lt.Day(), q.End/60, q.End%60, 0, 0, loc)
	if !end.After(lt) {
		end = time.Date(lt.Year(), lt.Month(), lt.Day()+1, q.End/60, q.End%60, 0, 0, loc)
	}
	return end
}
