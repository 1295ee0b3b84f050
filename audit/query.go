package audit

import (
	"strconv"
	"time"
)

// QueryError is a query parameter that is not valid: its name, the rule
// it breaks, and a message in Swedish.
type QueryError struct {
	Field, Rule, Message string
}

// ParseQuery reads a query from parameters by the names the API and the
// clerk pages use (extract, organisation, organ, meetingDate, actor,
// action, from, to, limit). A date as from or to is a day in loc: from
// its start, or to its end.
func ParseQuery(get func(string) string, loc *time.Location) (Query, []QueryError) {
	q := Query{
		Extract: get("extract"), Organisation: get("organisation"), Organ: get("organ"),
		MeetingDate: get("meetingDate"), Actor: get("actor"), Action: Action(get("action")),
	}
	var errs []QueryError
	if q.Action != "" && !q.Action.Valid() {
		errs = append(errs, QueryError{"action", "enum", "okänd händelse"})
	}
	if q.MeetingDate != "" {
		if _, err := time.Parse(time.DateOnly, q.MeetingDate); err != nil {
			errs = append(errs, QueryError{"meetingDate", "format", "ange ett datum som ÅÅÅÅ-MM-DD"})
		}
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"from", &q.From, false}, {"to", &q.To, true}} {
		v := get(f.name)
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			*f.dst = t
		} else if d, err := time.ParseInLocation(time.DateOnly, v, loc); err == nil {
			if f.end { // a date as the end means the whole of that day
				d = d.AddDate(0, 0, 1)
			}
			*f.dst = d
		} else {
			errs = append(errs, QueryError{f.name, "format", "ange ett datum (ÅÅÅÅ-MM-DD) eller en tidpunkt enligt RFC 3339"})
		}
	}
	if v := get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLimit {
			errs = append(errs, QueryError{"limit", "range", "ange 1–" + strconv.Itoa(MaxLimit)})
		}
		q.Limit = n
	}
	return q, errs
}
