// Package anslag computes the dates of a protocol's notice on the digital
// notice board (anslagstavla) and of the appeals that run from it:
//
//   - kommunallagen (2017:725) 8 kap. 12 §: the justering is announced no
//     later than the second day after it;
//   - 13 kap. 5 §: an appeal by laglighetsprövning reaches the court within
//     three weeks of the day the notice was posted, and the notice is not
//     taken down before that period has run out;
//   - förvaltningslagen (2017:900) 44 §: an appeal by förvaltningsbesvär is
//     made within three weeks of the day the party was notified;
//   - lag (1930:173) om beräkning av lagstadgad tid 2 §: a last day that
//     falls on a Saturday, Sunday or other public holiday, midsummer eve,
//     Christmas eve or New Year's eve moves to the next working day.
//
// Dates are calendar days: a time.Time at midnight UTC, or an ISO 8601 date
// ("2025-06-02") at the edges. The Swedish public holidays come from
// github.com/rickar/cal/v2/se, which also names the three eves; the
// calendar adds them again explicitly, so a change in how the library
// classes them cannot make an eve a working day.
//
// It may import the standard library and github.com/rickar/cal/v2.
package anslag

import (
	"fmt"
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/se"
)

// DateLayout is the ISO 8601 date form used at the edges.
const DateLayout = time.DateOnly

// Periods in days.
const (
	// PostingDays: the notice goes up no later than the second day after
	// the justering.
	PostingDays = 2
	// AppealDays: three weeks, laglighetsprövning and förvaltningsbesvär
	// alike.
	AppealDays = 21
)

// Calendar decides which days are working days in Sweden. It is built
// once and safe for concurrent use: it only reads its holiday table.
type Calendar struct {
	bc *cal.BusinessCalendar
}

// NewCalendar builds the Swedish calendar of lag (1930:173): weekends,
// public holidays and the eves it names are not working days.
func NewCalendar() *Calendar {
	bc := cal.NewBusinessCalendar()
	bc.AddHoliday(se.Holidays...)
	// The eves the law names alongside the holidays, by their own rule,
	// whatever type the library gives them.
	bc.AddHoliday(se.Midsommarafton, se.Julafton, se.Nyarsafton)
	return &Calendar{bc: bc}
}

// Day is the calendar day of t, at midnight UTC.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// ParseDate reads an ISO 8601 date.
func ParseDate(s string) (time.Time, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("anslag: reading date %q: %w", s, err)
	}
	return t, nil
}

// WorkingDay reports whether d is a working day: not a Saturday or Sunday,
// not a public holiday, not midsummer eve, Christmas eve or New Year's eve.
func (c *Calendar) WorkingDay(d time.Time) bool { return c.bc.IsWorkday(Day(d)) }

// LastDay is the last day of a time limit that by law ends on d: d itself
// when it is a working day, else the next working day (lag (1930:173)
// 2 §).
func (c *Calendar) LastDay(d time.Time) time.Time {
	d = Day(d)
	for !c.WorkingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// PostingDeadline is the last day the notice of the justering may go up:
// the second day after the justering, moved to the next working day when
// it is not one.
func (c *Calendar) PostingDeadline(justering time.Time) time.Time {
	return c.LastDay(Day(justering).AddDate(0, 0, PostingDays))
}

// AppealDeadline is the last day an appeal by laglighetsprövning may reach
// the court: three weeks after the day the notice was posted, moved to the
// next working day when it is not one.
func (c *Calendar) AppealDeadline(posted time.Time) time.Time {
	return c.LastDay(Day(posted).AddDate(0, 0, AppealDays))
}

// EarliestTakeDown is the first day the notice may be taken down: the day
// after the last day to appeal, so that it stays up for the whole appeal
// period, its last day included.
func (c *Calendar) EarliestTakeDown(posted time.Time) time.Time {
	return c.AppealDeadline(posted).AddDate(0, 0, 1)
}

// AdministrativeAppealDeadline is the last day of an appeal by
// förvaltningsbesvär: three weeks after the day the party was notified of
// the decision, moved to the next working day when it is not one.
func (c *Calendar) AdministrativeAppealDeadline(notified time.Time) time.Time {
	return c.LastDay(Day(notified).AddDate(0, 0, AppealDays))
}

// Notice is the anslag of a justerat protocol, with the dates that follow
// from it. Dates are ISO 8601.
type Notice struct {
	// Justering is the day the protocol was justerat.
	Justering string `json:"justering"`
	// PostBy is the last day the notice may go up.
	PostBy string `json:"postBy"`
	// Posted is the day the notice went up.
	Posted string `json:"posted"`
	// LastAppealDay is the last day to appeal by laglighetsprövning.
	LastAppealDay string `json:"lastAppealDay"`
	// TakeDown is the day the notice is taken down: at the earliest the
	// day after LastAppealDay.
	TakeDown string `json:"takeDown"`
}

// Error is a date that breaks a rule of the notice; Field names the date
// ("posted", "takeDown").
type Error struct {
	Field string
	Rule  string
}

func (e *Error) Error() string { return "anslag: " + e.Field + ": " + e.Rule }

// Notice computes the notice of a protocol justerat on justering and
// posted on posted; takeDown is the day the notice is to be taken down,
// empty for the earliest allowed. It refuses a notice posted before the
// justering or after the day the law allows, and one taken down before the
// appeal period has run out.
func (c *Calendar) Notice(justering, posted, takeDown string) (Notice, error) {
	j, err := ParseDate(justering)
	if err != nil {
		return Notice{}, &Error{Field: "justering", Rule: "ska vara ett datum ÅÅÅÅ-MM-DD"}
	}
	p, err := ParseDate(posted)
	if err != nil {
		return Notice{}, &Error{Field: "posted", Rule: "ska vara ett datum ÅÅÅÅ-MM-DD"}
	}
	by := c.PostingDeadline(j)
	switch {
	case p.Before(j):
		return Notice{}, &Error{Field: "posted", Rule: "anslaget kan inte sättas upp före justeringen " + justering}
	case p.After(by):
		return Notice{}, &Error{Field: "posted", Rule: "anslaget ska sättas upp senast " + by.Format(DateLayout) + " (kommunallagen 8 kap. 12 §)"}
	}
	n := Notice{
		Justering:     j.Format(DateLayout),
		PostBy:        by.Format(DateLayout),
		Posted:        p.Format(DateLayout),
		LastAppealDay: c.AppealDeadline(p).Format(DateLayout),
	}
	earliest := c.EarliestTakeDown(p)
	if takeDown == "" {
		n.TakeDown = earliest.Format(DateLayout)
		return n, nil
	}
	t, err := ParseDate(takeDown)
	if err != nil {
		return Notice{}, &Error{Field: "takeDown", Rule: "ska vara ett datum ÅÅÅÅ-MM-DD"}
	}
	if t.Before(earliest) {
		return Notice{}, &Error{Field: "takeDown", Rule: "anslaget får tas ned tidigast " + earliest.Format(DateLayout) + ", när tiden för överklagande har gått ut"}
	}
	n.TakeDown = t.Format(DateLayout)
	return n, nil
}
