package clerk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/domain"
	"utdrag/extract"
)

// The distribution page: the plan (who is to get the extract, resolved
// against the recipient directory) before anything is signed or sent; the
// outcome per recipient and address afterwards, with what a clerk can do
// about each: send a new certified version to chosen recipients, send
// again what failed temporarily, correct an address refused for good, add
// a recipient, mark a manual recipient as served. Every change is a POST
// that redirects back here (post/redirect/get), so reloading repeats
// nothing.

type distributeView struct {
	ID, Heading                string
	Titles                     []string
	Notice, NoticeClass, Error string
	// Blocked says why nothing can be sent yet (not certified, not
	// justerat, a rendition a recipient needs not certified); the plan is
	// shown all the same.
	Blocked string
	// Version is the current certified version (of the public
	// rendition); zero when none is.
	Version int
	Plan    *planView
	Status  *distView
	// Outbox: no mail server is configured; messages only go to the
	// outbox folder.
	Outbox bool
	// By is who the forms record as acting; Today the date to offer.
	By, Today string
	// Errors are a refused form's messages, keyed by form; Kept what the
	// clerk typed into it.
	Errors map[string]string
	Kept   map[string]string
}

// planView is the plan of a distribution.
type planView struct {
	Recipients []plannedRecipient
	Sentence   string
	Messages   int
}

// plannedRecipient is one name of "Expedieras till" before sending.
type plannedRecipient struct {
	Name, Entry, Kind, Note, Rendition string
	Addresses                          []string
}

func newPlanView(rec *archive.Record, p distribute.Plan) *planView {
	v := &planView{Sentence: p.Sentence(), Messages: p.Messages}
	two := rec.Has(extract.Internal)
	for _, r := range p.Recipients {
		pr := plannedRecipient{Name: r.Name, Entry: r.Entry, Kind: r.Kind, Note: r.Note, Addresses: r.Addresses}
		if two && r.Rendition != "" {
			pr.Rendition = extract.Rendition(r.Rendition).Definite()
		}
		v.Recipients = append(v.Recipients, pr)
	}
	return v
}

// distView is the distribution record of an extract.
type distView struct {
	Summary      distribute.Summary
	Short, Class string
	// UpdatedDay and UpdatedAt are when the record last changed.
	UpdatedDay, UpdatedAt string
	Counts                distribute.Counts
	Recipients            []recipientView
	// Retry: some addresses failed temporarily or wait, and sending again
	// tries them.
	Retry bool
	// Outdated counts the recipients that have an earlier certified
	// version than the current one.
	Outdated int
	// Renditions: the extract has two, and each recipient's is shown.
	Renditions bool
	// Refused: some address was refused for good and can be corrected;
	// ManualLeft: some recipient without addresses is not yet served.
	Refused, ManualLeft bool
}

type recipientView struct {
	Name, Entry, State, Class, Note string
	Rendition                       string // the rendition sent, for an extract with two
	Added                           string // who added the recipient, when
	// Manual: no addresses; the clerk can mark it served.
	Manual   bool
	Served   []string
	Outdated bool // has an earlier version than the current one
	Version  int  // the newest version it has or is due
	// Email: the recipient gets e-mail and can be chosen for a send.
	Email      bool
	Deliveries []deliveryView
}

type deliveryView struct {
	Address, State, Class, Explain string
	// Day and At are when the last attempt was: "2026-12-06", "kl. 14.05".
	Day, At           string
	Version, Attempts int
	// Refused: the address was refused for good and can be corrected.
	Refused    bool
	Correction string
	Earlier    []string
}

// stateClass is the colour of a state: sent and served green, refused
// and unknown red, the rest yellow.
func stateClass(s distribute.State) string {
	switch s {
	case distribute.StateSent, distribute.StateServed:
		return "ok"
	case distribute.StateFailed, distribute.StateUnresolved:
		return "bad"
	default:
		return "warn"
	}
}

// distSummary says in a word or two how far the distribution has come,
// for a list.
func distSummary(r *distribute.Record, now time.Time) (label, class string) {
	switch {
	case r == nil:
		return "Inte expedierat", "none"
	case r.Lease != nil && now.Before(r.Lease.Until):
		return "Utskick pågår", "warn"
	}
	return distribute.Short(r.Counts)
}

// newDistView describes r; current is the current certified version of
// each rendition ("public", "internal"), to tell which recipients have an
// earlier one.
func newDistView(r *distribute.Record, current map[string]int, now time.Time) *distView {
	if r == nil {
		return nil
	}
	v := &distView{UpdatedDay: dateOf(r.Updated), UpdatedAt: at(r.Updated), Counts: r.Counts, Summary: distribute.Summarize(r.Counts),
		Retry: r.Counts.Pending > 0}
	v.Short, v.Class = distSummary(r, now)
	for _, rs := range r.Recipients {
		rv := recipientView{Name: rs.Name, Entry: rs.Entry, State: rs.State.Label(), Class: stateClass(rs.State), Note: rs.Note,
			Manual: len(rs.Deliveries) == 0, Email: len(rs.Deliveries) > 0}
		if a := rs.Added; a != nil {
			rv.Added = fmt.Sprintf("Tillagd av %s %s", a.By, clock(a.Time))
		}
		for _, s := range rs.Served {
			line := fmt.Sprintf("Expedierad %s av %s %s (version %d)", distribute.HowLabel(s.How), s.By, s.Date, s.Version)
			if s.Note != "" {
				line += ": " + s.Note
			}
			if s.Marked != "" {
				line += fmt.Sprintf(". Markerad av %s %s", s.Marked, clock(s.Recorded))
			}
			rv.Served = append(rv.Served, line)
		}
		want := max(current[rendition(rs.Rendition)], 1)
		rv.Version = max(rs.Version, 1)
		for _, d := range rs.Deliveries {
			dv := deliveryView{Address: d.Address, State: d.State.Label(), Class: stateClass(d.State), Explain: d.Explain(),
				Day: dateOf(d.Time), At: at(d.Time), Version: d.VersionOf(), Attempts: d.Attempts, Refused: d.State == distribute.StateFailed}
			if c := d.Correction; c != nil {
				dv.Correction = fmt.Sprintf("Rättad av %s %s från %s, som avvisade utdraget (%s).",
					c.By, clock(c.Time), c.Replaced.Address, c.Replaced.LastReply)
			}
			for _, e := range d.Earlier {
				dv.Earlier = append(dv.Earlier, fmt.Sprintf("Version %d: %s %s", e.VersionOf(), strings.ToLower(e.State.Label()), clock(e.Time)))
			}
			rv.Version = d.VersionOf()
			if d.State != distribute.StateFailed && d.VersionOf() < want {
				rv.Outdated = true
			}
			rv.Deliveries = append(rv.Deliveries, dv)
		}
		if rv.Manual && rv.Version < want && len(rs.Served) > 0 {
			rv.Outdated = true
		}
		if rv.Outdated {
			v.Outdated++
		}
		for _, d := range rv.Deliveries {
			v.Refused = v.Refused || d.Refused
		}
		v.ManualLeft = v.ManualLeft || rv.Manual && rs.State != distribute.StateServed
		v.Recipients = append(v.Recipients, rv)
	}
	if v.Outdated > 0 {
		// They have the extract, but not as it is now certified.
		v.Summary.Lines = append(v.Summary.Lines, fmt.Sprintf("%s har en tidigare version än den gällande (version %d).",
			distribute.Count(v.Outdated, "mottagare", "mottagare"), max(current[distribute.RenditionPublic], current[distribute.RenditionInternal])))
		if v.Summary.Class == "ok" {
			v.Summary.Class, v.Short, v.Class = "warn", "Ny version ej skickad", "warn"
			v.Summary.Headline = strings.Replace(v.Summary.Headline, "Utdraget är expedierat: ", "", 1)
		}
	}
	return v
}

// at is the time of day as Swedish documents write it: "kl. 14.05".
func at(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return "kl. " + t.In(stockholm).Format("15.04")
}

func rendition(r string) string {
	if r == distribute.RenditionInternal {
		return r
	}
	return distribute.RenditionPublic
}

// currentVersions are the current certified versions of rec's renditions.
func currentVersions(rec *archive.Record) map[string]int {
	out := map[string]int{}
	if c := rec.CertifiedAs(extract.Public); c != nil {
		out[distribute.RenditionPublic] = c.Version
	}
	if c := rec.CertifiedAs(extract.Internal); c != nil {
		out[distribute.RenditionInternal] = c.Version
	}
	return out
}

// showRenditions labels each recipient of v with the rendition it got,
// for an extract with two.
func (v *distView) showRenditions(rec *archive.Record, r *distribute.Record) {
	if v == nil || r == nil || !rec.Has(extract.Internal) {
		return
	}
	v.Renditions = true
	for i, rs := range r.Recipients {
		if rs.Rendition != "" {
			v.Recipients[i].Rendition = distribute.RenditionLabel(rs.Rendition)
		}
	}
}

// distributePage shows the plan, and after a first send the outcome per
// recipient with what can be done next.
func (u *Pages) distributePage(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok {
		return
	}
	v, err := u.distributeView(c, rec)
	if err != nil {
		u.fail(c, err)
		return
	}
	v.Notice, v.NoticeClass = doneNotice(c.Query("klart"), v.Status)
	u.render(c, http.StatusOK, "distribute", "Expediera "+heading(rec), "list", v)
}

func (u *Pages) distributeView(c *gin.Context, rec *archive.Record) (distributeView, error) {
	ctx := c.Request.Context()
	v := distributeView{ID: rec.ID, Heading: heading(rec), Titles: rec.Titles, By: u.server(c),
		Today: time.Now().In(stockholm).Format(time.DateOnly), Outbox: u.d.OutboxOnly()}
	if cert := rec.CertifiedAs(extract.Public); cert != nil {
		v.Version = cert.Version
	}
	plan, err := u.d.Plan(ctx, rec)
	if err != nil {
		return v, err
	}
	v.Plan = newPlanView(rec, plan)
	dist, err := u.distribution(ctx, rec.ID)
	if err != nil {
		return v, err
	}
	v.Status = newDistView(dist, currentVersions(rec), time.Now())
	v.Status.showRenditions(rec, dist)
	v.Blocked = u.blocked(c, rec)
	if v.Blocked == "" && len(plan.Recipients) == 0 && dist == nil {
		v.Blocked = "Utdraget saknar mottagare under Expedieras till. Lägg till en mottagare när det är bestyrkt, eller expediera det på annat sätt."
	}
	return v, nil
}

// blocked says why the extract cannot be sent now; empty when it can.
func (u *Pages) blocked(c *gin.Context, rec *archive.Record) string {
	if rec.Certified() == nil {
		return "Utdraget är inte bestyrkt än. Kontrollera mottagarna nu; utdraget kan skickas när det är bestyrkt."
	}
	if na := u.d.CheckAdjusted(rec, "expedieras"); na != nil {
		return na.Detail
	}
	_, err := u.d.Message(c.Request.Context(), rec)
	var rm *domain.RenditionsMissing
	if errors.As(err, &rm) {
		return fmt.Sprintf("Utdragets %s version är inte bestyrkt, och den ska till %s. Bestyrk den först.",
			rm.Rendition.Definite(), strings.Join(rm.Recipients, ", "))
	}
	return ""
}

// doneNotice says what the change just made did, from the record as it
// now is: green only when every recipient has the extract.
func doneNotice(what string, v *distView) (string, string) {
	if v == nil || what == "" {
		return "", ""
	}
	var did string
	switch what {
	case "skickat":
		did = "Utskicket är gjort."
		if v.Counts.MessagesSaved > 0 && v.Counts.MessagesSent == 0 {
			did = "Meddelandena är sparade i utkorgsmappen, inte skickade."
		}
	case "tillagd":
		did = "Mottagaren är tillagd."
	case "rattad":
		did = "Adressen är rättad."
	case "markerad":
		did = "Expedieringen är registrerad."
	default:
		return "", ""
	}
	class := "success"
	if v.Summary.Class != "ok" {
		class = v.Summary.Class
		if class == "bad" {
			class = "error"
		}
	}
	return did + " " + v.Summary.Headline, class
}

// actor is who a change is recorded as made by: the person logged in, or
// the key's name.
func (u *Pages) actor(c *gin.Context) string {
	if who := currentSession(c).user(); who != "" {
		return who
	}
	return "utan inloggning"
}

// server is who the served form offers as having served a recipient: the
// person logged in, or the name the session last certified with.
func (u *Pages) server(c *gin.Context) string {
	if s := currentSession(c); s.Name != "" {
		return s.Name
	}
	return u.actor(c)
}

// distributionMessage reads the extract of the route and builds its
// message, or shows why it cannot be sent and reports false.
func (u *Pages) distributionMessage(c *gin.Context) (*archive.Record, distribute.Message, bool) {
	rec, ok := u.record(c)
	if !ok {
		return nil, distribute.Message{}, false
	}
	if rec.Certified() == nil {
		u.errorPage(c, http.StatusConflict, "Inte bestyrkt", "Utdraget måste bestyrkas innan det expedieras.")
		return nil, distribute.Message{}, false
	}
	if u.refuseUnadjusted(c, rec, "expedieras") {
		return nil, distribute.Message{}, false
	}
	msg, err := u.d.Message(c.Request.Context(), rec)
	if errors.As(err, new(*domain.RenditionsMissing)) {
		u.errorPage(c, http.StatusConflict, "Version inte bestyrkt", "En version av utdraget som mottagarna behöver är inte bestyrkt. Bestyrk den först.")
		return nil, distribute.Message{}, false
	}
	if err != nil {
		u.fail(c, err)
		return nil, distribute.Message{}, false
	}
	return rec, msg, true
}

// distribute sends: "skicka" the first time to all, "igen" what failed
// temporarily, "version" the current version to the recipients chosen.
func (u *Pages) distribute(c *gin.Context) {
	rec, msg, ok := u.distributionMessage(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	var names []string
	switch c.PostForm("step") {
	case "version":
		names = c.PostFormArray("recipient")
		if len(names) == 0 {
			u.refused(c, rec, "version", "Välj minst en mottagare att skicka den nya versionen till.", nil)
			return
		}
	case "igen":
		dist, err := u.distribution(ctx, rec.ID)
		if err != nil {
			u.fail(c, err)
			return
		}
		names = waiting(dist)
		if len(names) == 0 {
			c.Redirect(http.StatusSeeOther, "/utdrag/"+rec.ID+"/expediera")
			return
		}
	}
	if len(msg.Recipients) == 0 && len(names) == 0 {
		u.errorPage(c, http.StatusConflict, "Inga mottagare", "Utdraget saknar mottagare under Expedieras till.")
		return
	}
	_, err := u.d.DistributeTo(ctx, msg, names)
	u.changed(c, rec, "skickat", "", err)
}

// waiting are the recipients with an address still to be sent to.
func waiting(r *distribute.Record) []string {
	var names []string
	if r == nil {
		return nil
	}
	for _, rs := range r.Recipients {
		if rs.State == distribute.StatePending || rs.State == distribute.StateDeferred {
			names = append(names, rs.Name)
		}
	}
	return names
}

// addRecipient adds a recipient outside the protocol and sends to it.
func (u *Pages) addRecipient(c *gin.Context) {
	rec, msg, ok := u.distributionMessage(c)
	if !ok {
		return
	}
	n := distribute.NewRecipient{Name: c.PostForm("name"), Address: strings.TrimSpace(c.PostForm("address")), By: u.actor(c)}
	_, err := u.d.AddRecipient(c.Request.Context(), msg, n)
	u.changed(c, rec, "tillagd", "add", err)
}

// correct gives a refused address a new one and sends to it.
func (u *Pages) correct(c *gin.Context) {
	rec, msg, ok := u.distributionMessage(c)
	if !ok {
		return
	}
	ch := distribute.AddressChange{Address: c.PostForm("address"), NewAddress: strings.TrimSpace(c.PostForm("newAddress")), By: u.actor(c)}
	_, err := u.d.Correct(c.Request.Context(), msg, ch)
	u.changed(c, rec, "rattad", "correct:"+ch.Address, err)
}

// markServed records a manual service.
func (u *Pages) markServed(c *gin.Context) {
	rec, msg, ok := u.distributionMessage(c)
	if !ok {
		return
	}
	m := distribute.ServedMark{Recipient: c.PostForm("recipient"), By: strings.TrimSpace(c.PostForm("by")), How: c.PostForm("how"),
		Date: strings.TrimSpace(c.PostForm("date")), Note: c.PostForm("note"), Marked: u.actor(c)}
	_, err := u.d.MarkServed(c.Request.Context(), msg, m)
	u.changed(c, rec, "markerad", "served:"+m.Recipient, err)
}

// changed ends a change: back to the page on success (post/redirect/get),
// or the page again with the form's error and what was typed kept.
func (u *Pages) changed(c *gin.Context, rec *archive.Record, done, form string, err error) {
	var fe *distribute.FieldError
	switch {
	case err == nil:
		u.log.InfoContext(c.Request.Context(), "distribution changed", "id", rec.ID, "change", done, "key", currentSession(c).Key)
		c.Redirect(http.StatusSeeOther, "/utdrag/"+rec.ID+"/expediera?klart="+done)
	case errors.Is(err, distribute.ErrInProgress):
		c.Header("Retry-After", "10")
		u.errorPage(c, http.StatusConflict, "Utskick pågår", "Utdraget expedieras redan från en annan flik eller av en kollega. Öppna sidan igen om en stund för att se resultatet.")
	case errors.As(err, &fe):
		u.refused(c, rec, form, fieldText(fe), c.Request.PostForm)
	case errors.Is(err, distribute.ErrDuplicate):
		u.refused(c, rec, form, "Mottagaren eller adressen finns redan bland mottagarna.", c.Request.PostForm)
	case errors.Is(err, distribute.ErrNotRefused):
		u.refused(c, rec, form, "Adressen är inte avvisad för gott. En adress med tillfälligt fel får utdraget när du skickar igen.", c.Request.PostForm)
	case errors.Is(err, distribute.ErrNotManual):
		u.refused(c, rec, form, "Mottagaren får utdraget med e-post och markeras inte för hand.", c.Request.PostForm)
	case errors.Is(err, distribute.ErrUnknownRecipient):
		u.refused(c, rec, form, "Mottagaren eller adressen finns inte längre bland mottagarna. Sidan visar hur det ser ut nu.", c.Request.PostForm)
	default:
		u.fail(c, err)
	}
}

// refused shows the page again with a form's error, keeping what the
// clerk typed.
func (u *Pages) refused(c *gin.Context, rec *archive.Record, form, message string, typed map[string][]string) {
	v, err := u.distributeView(c, rec)
	if err != nil {
		u.fail(c, err)
		return
	}
	v.Errors = map[string]string{form: message}
	v.Kept = map[string]string{}
	for k, vals := range typed {
		if k != "csrf" && len(vals) > 0 {
			v.Kept[k] = vals[0]
		}
	}
	u.render(c, http.StatusUnprocessableEntity, "distribute", "Expediera "+heading(rec), "list", v)
}

// fieldText is a refused field in Swedish.
func fieldText(fe *distribute.FieldError) string {
	switch fe.Field + "/" + fe.Rule {
	case "address/required", "newAddress/required":
		return "Fyll i en e-postadress."
	case "address/format", "newAddress/format":
		return "Det är inte en e-postadress. Skriv den som namn@exempel.se."
	case "by/required":
		return "Fyll i vem som expedierade utdraget."
	case "how/enum":
		return "Välj hur utdraget expedierades."
	case "date/format":
		return "Skriv datumet som ÅÅÅÅ-MM-DD."
	case "date/notFuture":
		return "Datumet har inte varit än."
	}
	switch fe.Rule {
	case "maxLength":
		return "Texten är för lång (högst 200 tecken)."
	case "characters", "encoding":
		return "Texten innehåller tecken som inte kan sparas, till exempel styrtecken."
	}
	return "Uppgiften är felaktig."
}
