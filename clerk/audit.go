package clerk

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/audit"
	"utdrag/auth"
)

// The pages' part of the audit trail: who is acting (put in each request's
// context, so the domain operations record it), the events of logging in
// and out, and the trail shown per extract, per meeting, and filtered for
// an administrator.

func keyActor(k *auth.Key) audit.Actor {
	return audit.Actor{Kind: audit.ActorKey, Name: k.Name, Organisation: k.Organisation}
}

// actorOf is who a logged-in session acts as.
func actorOf(s session) audit.Actor {
	if s.Person != "" {
		return audit.Actor{Kind: audit.ActorPerson, Name: s.Name, Subject: s.Person, Organisation: s.Org}
	}
	return audit.Actor{Kind: audit.ActorKey, Name: s.Key, Organisation: s.Org}
}

// withWho puts the session's actor and the client's address into the
// request's context: the operations the page calls record them.
func (u *Pages) withWho(c *gin.Context, s session) {
	a := audit.Actor{Kind: audit.ActorNone}
	switch {
	case u.d.Open():
		a = audit.Actor{Kind: audit.ActorOpen}
	case s.Key != "":
		a = actorOf(s)
	}
	c.Request = c.Request.WithContext(audit.WithWho(c.Request.Context(), audit.Who{Actor: a, Address: c.ClientIP()}))
}

// loginFailed records a refused login (the event's failure is logged by
// the domain and changes nothing for the person refused).
func (u *Pages) loginFailed(c *gin.Context, a audit.Actor, why string) {
	u.d.Record(c.Request.Context(), audit.Event{Action: audit.LoginFailed, Actor: a, Organisation: a.Organisation, Detail: why})
}

// recordLogin records the login of sess and reports whether it may go
// on: a login that cannot be recorded is refused, since nothing has
// happened yet and the person can try again.
func (u *Pages) recordLogin(c *gin.Context, sess session) bool {
	a := actorOf(sess)
	if err := u.d.Record(c.Request.Context(), audit.Event{Action: audit.Login, Actor: a, Organisation: a.Organisation}); err != nil {
		c.Header("Retry-After", "5")
		u.errorPage(c, http.StatusServiceUnavailable, "Inloggningen kunde inte registreras",
			"Varje inloggning skrivs i händelseloggen, och loggen kan inte skrivas just nu. Försök igen om en stund.")
		return false
	}
	return true
}

// actionLabels name the actions in Swedish.
var actionLabels = map[audit.Action]string{
	audit.Create:      "Skapat",
	audit.Certify:     "Bestyrkt",
	audit.Distribute:  "Expedierat",
	audit.Resend:      "Skickat igen",
	audit.MarkServed:  "Markerat som delgivet",
	audit.Login:       "Inloggning",
	audit.LoginFailed: "Misslyckad inloggning",
	audit.Logout:      "Utloggning",
}

// eventView is one row of a trail.
type eventView struct {
	At, Action, Who, Version, Address, Detail string
	Extract, Link                             string
	Failed                                    bool
}

func eventViews(evs []audit.Event) []eventView {
	out := make([]eventView, 0, len(evs))
	for i := len(evs) - 1; i >= 0; i-- { // newest first
		e := evs[i]
		v := eventView{
			At: e.At.In(stockholm).Format("2006-01-02 15:04:05"), Action: actionLabels[e.Action],
			Address: e.Address, Detail: e.Detail, Extract: e.Extract, Failed: e.Action == audit.LoginFailed,
		}
		switch e.Actor.Kind {
		case audit.ActorPerson:
			v.Who = e.Actor.Name
		case audit.ActorKey:
			v.Who = "API-nyckel " + e.Actor.Name
		case audit.ActorOpen:
			v.Who = "Öppet läge (ingen inloggning)"
		default:
			v.Who = "Okänd"
		}
		if e.Version > 0 {
			v.Version = strconv.Itoa(e.Version)
		}
		if e.Extract != "" {
			v.Link = "/utdrag/" + e.Extract
		}
		out = append(out, v)
	}
	return out
}

// extractEvents are the trail of one extract for its page; nil when it
// cannot be read (the page shows that it is missing, not an error).
func (u *Pages) extractEvents(c *gin.Context, id string) ([]eventView, bool) {
	evs, err := u.d.AuditEvents(c.Request.Context(), u.caller(c), audit.Query{Extract: id, Limit: 200})
	if err != nil {
		u.log.WarnContext(c.Request.Context(), "clerk: reading the audit trail", "extract", id, "err", err)
		return nil, false
	}
	return eventViews(evs), true
}

// auditView is the trail page.
type auditView struct {
	Admin   bool
	Heading string
	Query   map[string]string
	Actions []actionOption
	Events  []eventView
	Export  string
	Errors  map[string]string
	Capped  bool
}

type actionOption struct {
	Value, Label string
	Selected     bool
}

const auditPageLimit = 500

// auditQuery reads the trail page's query and checks that the caller may
// ask it: an administrator anything, a clerk the trail of an extract or
// of a meeting (organ and meeting date).
func (u *Pages) auditQuery(c *gin.Context) (audit.Query, auditView, bool) {
	admin := u.may(c, "GET /v1/audit")
	q, errs := audit.ParseQuery(c.Query, stockholm)
	v := auditView{Admin: admin, Query: map[string]string{}, Errors: map[string]string{}}
	for _, k := range []string{"extract", "organisation", "organ", "meetingDate", "actor", "action", "from", "to"} {
		v.Query[k] = c.Query(k)
	}
	for _, e := range errs {
		v.Errors[e.Field] = e.Message
	}
	for _, a := range audit.Actions {
		v.Actions = append(v.Actions, actionOption{Value: string(a), Label: actionLabels[a], Selected: a == q.Action})
	}
	switch {
	case q.Extract != "":
		v.Heading = "Händelser för utdraget"
	case q.Organ != "" && q.MeetingDate != "":
		v.Heading = "Händelser för " + q.Organ + " " + q.MeetingDate
	case admin:
		v.Heading = "Händelselogg"
	default:
		u.errorPage(c, http.StatusForbidden, "Åtkomst nekas",
			"Hela händelseloggen visas bara för administratörer. Öppna händelserna från ett utdrag eller ett sammanträde.")
		return q, v, false
	}
	if !admin { // a clerk's view of one extract or meeting, nothing wider
		q.Actor, q.Action, q.From, q.To = "", "", time.Time{}, time.Time{}
	}
	if q.Limit == 0 {
		q.Limit = auditPageLimit
	}
	return q, v, len(errs) == 0
}

func (u *Pages) auditPage(c *gin.Context) {
	q, v, ok := u.auditQuery(c)
	if c.IsAborted() {
		return
	}
	status := http.StatusOK
	if ok {
		evs, err := u.d.AuditEvents(c.Request.Context(), u.caller(c), q)
		if err != nil {
			u.fail(c, err)
			return
		}
		v.Events, v.Capped = eventViews(evs), len(evs) >= q.Limit
		export := url.Values{}
		for k, val := range v.Query {
			if val != "" {
				export.Set(k, val)
			}
		}
		v.Export = "/logg.jsonl?" + export.Encode()
	} else {
		status = http.StatusUnprocessableEntity
	}
	u.render(c, status, "audit", v.Heading, "audit", v)
}

// auditExport sends what the trail page shows as JSON Lines.
func (u *Pages) auditExport(c *gin.Context) {
	q, _, ok := u.auditQuery(c)
	if c.IsAborted() {
		return
	}
	if !ok {
		u.errorPage(c, http.StatusUnprocessableEntity, "Ogiltig sökning", "Sökningen har fel; gå tillbaka och rätta den.")
		return
	}
	evs, err := u.d.AuditEvents(c.Request.Context(), u.caller(c), q)
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Header("Content-Type", "application/x-ndjson")
	c.Header("Content-Disposition", `attachment; filename="utdrag-logg.jsonl"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	if err := audit.WriteJSONLines(c.Writer, evs); err != nil {
		u.log.WarnContext(c.Request.Context(), "clerk: writing the audit export", "err", err)
	}
}
