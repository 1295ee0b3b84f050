package anslag

import (
	"errors"
	"testing"
	"time"
)

// The dates a registrar writes on the anslagsbevis, worked out by hand
// from the almanac: the day posted, the last day to appeal, the first day
// the notice may come down.
func TestAppealDeadlineEdgeDates(t *testing.T) {
	c := NewCalendar()
	cases := []struct {
		why                    string
		posted, last, takeDown string
	}{
		{"an ordinary Wednesday", "2025-09-03", "2025-09-24", "2025-09-25"},
		{"ends on a Saturday", "2025-03-01", "2025-03-24", "2025-03-25"},
		{"ends on a Sunday", "2026-01-11", "2026-02-02", "2026-02-03"},
		{"ends on midsummer eve 2025", "2025-05-30", "2025-06-23", "2025-06-24"},
		{"ends on midsummer eve 2030", "2030-05-31", "2030-06-24", "2030-06-25"},
		{"ends on Christmas eve, a Wednesday", "2025-12-03", "2025-12-29", "2025-12-30"},
		{"ends on Christmas eve, a Monday", "2029-12-03", "2029-12-27", "2029-12-28"},
		{"ends on New Year's eve, new year on a Thursday", "2025-12-10", "2026-01-02", "2026-01-03"},
		{"ends on New Year's eve, new year on a Friday", "2026-12-10", "2027-01-04", "2027-01-05"},
		{"ends on New Year's eve 2030", "2030-12-10", "2031-01-02", "2031-01-03"},
		{"ends on Easter Monday", "2026-03-16", "2026-04-07", "2026-04-08"},
		{"ends on Good Friday, Easter follows", "2027-03-05", "2027-03-30", "2027-03-31"},
		{"ends on Ascension Day 2028", "2028-05-04", "2028-05-26", "2028-05-27"},
		{"ends on Ascension Day 2030", "2030-05-09", "2030-05-31", "2030-06-01"},
		{"ends on National Day, a Tuesday", "2028-05-16", "2028-06-07", "2028-06-08"},
		{"ends on National Day, a Wednesday", "2029-05-16", "2029-06-07", "2029-06-08"},
		{"ends on All Saints' Day", "2025-10-11", "2025-11-03", "2025-11-04"},
		{"ends on All Saints' Eve, a working day", "2025-10-10", "2025-10-31", "2025-11-01"},
		{"ends on Epiphany", "2027-12-16", "2028-01-07", "2028-01-08"},
		{"ends on Twelfth Night, a working day", "2026-12-15", "2027-01-05", "2027-01-06"},
		{"ends on the first of May", "2029-04-10", "2029-05-02", "2029-05-03"},
		{"ends on Whit Monday, a working day since 2005", "2025-05-19", "2025-06-09", "2025-06-10"},
	}
	for _, tc := range cases {
		t.Run(tc.posted+" "+tc.why, func(t *testing.T) {
			p := mustDate(t, tc.posted)
			if got := c.AppealDeadline(p).Format(DateLayout); got != tc.last {
				t.Errorf("last day to appeal after posting %s = %s, want %s", tc.posted, got, tc.last)
			}
			if got := c.EarliestTakeDown(p).Format(DateLayout); got != tc.takeDown {
				t.Errorf("earliest take-down after posting %s = %s, want %s", tc.posted, got, tc.takeDown)
			}
			// Förvaltningsbesvär runs the same three weeks from the
			// notification.
			if got := c.AdministrativeAppealDeadline(p).Format(DateLayout); got != tc.last {
				t.Errorf("last day of förvaltningsbesvär after notification %s = %s, want %s", tc.posted, got, tc.last)
			}
		})
	}
}

func TestPostingDeadline(t *testing.T) {
	c := NewCalendar()
	cases := []struct{ justering, by string }{
		{"2025-06-16", "2025-06-18"}, // Monday: Wednesday
		{"2025-09-04", "2025-09-08"}, // Thursday: Saturday, so Monday
		{"2025-06-18", "2025-06-23"}, // Wednesday: midsummer eve, so Monday
		{"2025-12-22", "2025-12-29"}, // Monday: Christmas eve, so the Monday after
		{"2026-12-29", "2027-01-04"}, // Tuesday: New Year's eve, so Monday
		{"2028-05-23", "2028-05-26"}, // Tuesday: Ascension Day, so Friday
	}
	for _, tc := range cases {
		if got := c.PostingDeadline(mustDate(t, tc.justering)).Format(DateLayout); got != tc.by {
			t.Errorf("notice of justering %s goes up by %s, want %s", tc.justering, got, tc.by)
		}
	}
}

func TestNotice(t *testing.T) {
	c := NewCalendar()
	n, err := c.Notice("2025-12-01", "2025-12-03", "")
	if err != nil {
		t.Fatal(err)
	}
	want := Notice{Justering: "2025-12-01", PostBy: "2025-12-03", Posted: "2025-12-03", LastAppealDay: "2025-12-29", TakeDown: "2025-12-30"}
	if n != want {
		t.Errorf("notice = %+v, want %+v", n, want)
	}
	if n, err := c.Notice("2025-12-01", "2025-12-02", "2026-01-07"); err != nil || n.TakeDown != "2026-01-07" {
		t.Errorf("a later take-down day: %+v, %v", n, err)
	}
	refused := []struct{ justering, posted, takeDown, field string }{
		{"2025-12-01", "2025-11-30", "", "posted"},             // before the justering
		{"2025-12-01", "2025-12-04", "", "posted"},             // third day after
		{"2025-12-01", "2025-12-03", "2025-12-29", "takeDown"}, // on the last appeal day
		{"2025-12-01", "3 dec", "", "posted"},
		{"1 dec", "2025-12-03", "", "justering"},
		{"2025-12-01", "2025-12-03", "snart", "takeDown"},
	}
	for _, r := range refused {
		_, err := c.Notice(r.justering, r.posted, r.takeDown)
		var e *Error
		if !errors.As(err, &e) || e.Field != r.field || e.Rule == "" {
			t.Errorf("Notice(%q, %q, %q) = %v, want a rule broken on %s", r.justering, r.posted, r.takeDown, err, r.field)
		}
	}
}

// Every day of 2025–2030 against a calendar built here from the rules
// themselves (Easter by the Gregorian computus, the fixed days, the
// Friday and Saturday between 19 and 26 June, the Saturday between
// 31 October and 6 November), not from the library.
func TestWorkingDaysAgainstTheRules(t *testing.T) {
	c := NewCalendar()
	off := make(map[string]bool)
	for y := 2025; y <= 2031; y++ {
		easter := gregorianEaster(y)
		for _, d := range []time.Time{
			easter.AddDate(0, 0, -2), easter, easter.AddDate(0, 0, 1),
			easter.AddDate(0, 0, 39), easter.AddDate(0, 0, 49),
		} {
			off[d.Format(DateLayout)] = true
		}
		for _, md := range [][2]int{{1, 1}, {1, 6}, {5, 1}, {6, 6}, {12, 24}, {12, 25}, {12, 26}, {12, 31}} {
			off[time.Date(y, time.Month(md[0]), md[1], 0, 0, 0, 0, time.UTC).Format(DateLayout)] = true
		}
		for d := 19; d <= 25; d++ {
			if e := time.Date(y, time.June, d, 0, 0, 0, 0, time.UTC); e.Weekday() == time.Friday {
				off[e.Format(DateLayout)] = true // midsommarafton
			}
		}
	}
	working := func(d time.Time) bool {
		return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && !off[d.Format(DateLayout)]
	}
	for d := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() <= 2030; d = d.AddDate(0, 0, 1) {
		if got, want := c.WorkingDay(d), working(d); got != want {
			t.Errorf("%s (%s): working day %v, want %v", d.Format(DateLayout), d.Weekday(), got, want)
		}
		last := d.AddDate(0, 0, 21)
		for !working(last) {
			last = last.AddDate(0, 0, 1)
		}
		if got := c.AppealDeadline(d); !got.Equal(last) {
			t.Errorf("posted %s: last appeal day %s, want %s", d.Format(DateLayout), got.Format(DateLayout), last.Format(DateLayout))
		}
	}
}

// gregorianEaster is Easter Sunday by the anonymous Gregorian algorithm.
func gregorianEaster(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
