package clerk

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/bundle"
	"utdrag/distribute"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/internal/download"
)

// The meeting view: one organ's meeting with all its extracts, where a
// registry works a meeting at a time. Certifying several §§ at once goes
// through the same checks and the same confirmation as one (the pages of
// each are rendered as they would be signed before anything is); sending
// several sends each as its own page would. A meeting is named by organ
// and date (?organ=…&datum=…) or by a stored protocol (?protokoll=id).

// meetingRow is one extract of the meeting.
type meetingRow struct {
	listRow
	Justering string // "§ 157 justerad 2023-10-06"
	Adjusted  bool   // every § justerad: it may be certified and sent
	Version   int    // its newest certified version of the public rendition, 0: none
	Chosen    bool
}

type meetingView struct {
	Organ, Date string
	Heading     string
	Rows        []meetingRow
	Certified   int // extracts with a certified version
	Errors      map[string]string
	Notice      string
	NoticeClass string
	// The batch form's fields, kept when it is shown again.
	Name, Title, Place, Key string
	NameFixed, TitleFixed   bool
	// Confirm: the batch's confirmation, with Preview what each chosen
	// extract's certification prints (the same block on each) and
	// Previews the address of each one's rendered pages.
	Confirm  bool
	Preview  *domain.CertificationPreview
	Previews []meetingPreview
	// URL is the meeting's address, ZipURL and PDFURL its downloads.
	URL, ZipURL, PDFURL string
}

type meetingPreview struct {
	ID, Paragraphs, Title, URL string
	Pages, Version             int
}

// meetingOf reads the meeting the request names: organ and datum, or a
// protocol's. It shows an error page and reports false when it cannot.
func (u *Pages) meetingOf(c *gin.Context, get func(string) string) (organ, date string, ok bool) {
	if id := get("protokoll"); id != "" {
		p, err := u.d.Protocol(c.Request.Context(), u.caller(c), id)
		if err != nil {
			if errors.Is(err, archive.ErrNotFound) {
				u.errorPage(c, http.StatusNotFound, "Hittades inte", "Det finns inget protokoll med den identiteten, eller så saknar du behörighet att se det.")
				return "", "", false
			}
			u.fail(c, err)
			return "", "", false
		}
		return p.Organ, p.MeetingDate, true
	}
	organ, date = strings.TrimSpace(get("organ")), strings.TrimSpace(get("datum"))
	if _, err := time.Parse(time.DateOnly, date); organ == "" || err != nil {
		u.errorPage(c, http.StatusBadRequest, "Ange ett sammanträde", "Ange organet och sammanträdets datum (ÅÅÅÅ-MM-DD), till exempel från ett utdrags sida.")
		return "", "", false
	}
	return organ, date, true
}

func meetingQuery(organ, date string) string {
	return url.Values{"organ": {organ}, "datum": {date}}.Encode()
}

// meetingItems lists the meeting's extracts, in paragraph order.
func (u *Pages) meetingItems(c *gin.Context, organ, date string) ([]index.Item, bool) {
	items, err := u.d.Meeting(c.Request.Context(), u.caller(c), organ, date)
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	slices.SortStableFunc(items, func(a, b index.Item) int {
		return slices.Compare(a.Record.Paragraphs, b.Record.Paragraphs)
	})
	return items, true
}

func (u *Pages) meetingView(c *gin.Context, organ, date string, items []index.Item, chosen []string) meetingView {
	q := meetingQuery(organ, date)
	v := meetingView{Organ: organ, Date: date, Heading: organ + " " + date,
		URL: "/sammantrade?" + q, ZipURL: "/sammantrade/bestyrkta.zip?" + q, PDFURL: "/sammantrade/bestyrkta.pdf?" + q}
	if len(items) > 0 {
		v.Organ = items[0].Record.Organ // as the extracts spell it
		v.Heading = v.Organ + " " + date
	}
	now := time.Now()
	for _, it := range items {
		rec := it.Record
		r := meetingRow{listRow: row(it, now), Justering: justeringText(rec.Justering), Adjusted: len(extract.Pending(rec.Justering)) == 0,
			Chosen: slices.Contains(chosen, rec.ID)}
		if cert := rec.CertifiedAs(extract.Public); cert != nil {
			r.Version = cert.Version
			v.Certified++
		}
		v.Rows = append(v.Rows, r)
	}
	v.NameFixed, v.TitleFixed = fixedFields(c)
	return v
}

// meeting shows the meeting's extracts and the forms to certify and send
// several at once.
func (u *Pages) meeting(c *gin.Context) {
	organ, date, ok := u.meetingOf(c, c.Query)
	if !ok {
		return
	}
	if c.Query("protokoll") != "" {
		c.Redirect(http.StatusSeeOther, "/sammantrade?"+meetingQuery(organ, date))
		return
	}
	items, ok := u.meetingItems(c, organ, date)
	if !ok {
		return
	}
	v := u.meetingView(c, organ, date, items, nil)
	var req domain.CertifyRequest
	u.certifier(c, &req)
	v.Name, v.Title, v.Key = req.Name, req.Title, rand.Text()
	v.Notice, v.NoticeClass = meetingNotice(c)
	status := http.StatusOK
	if len(items) == 0 {
		status = http.StatusNotFound
	}
	u.render(c, status, "meeting", "Sammanträde "+v.Heading, "list", v)
}

// meetingNotice sums up what a batch just did, from the redirect's query.
func meetingNotice(c *gin.Context) (string, string) {
	n := func(k string) int { return atoiOr(c.Query(k), 0) }
	switch {
	case c.Query("bestyrkta") != "":
		done, again, failed := n("bestyrkta"), n("igen"), n("fel")
		msg := fmt.Sprintf("%s digitalt.", count(done, "utdrag bestyrkt och signerat", "utdrag bestyrkta och signerade"))
		if again > 0 {
			msg += fmt.Sprintf(" %s med de här uppgifterna; ingen ny version skapades.", count(again, "utdrag var redan bestyrkt", "utdrag var redan bestyrkta"))
		}
		if failed > 0 {
			return msg + fmt.Sprintf(" %s kunde inte bestyrkas; se tabellen.", count(failed, "utdrag", "utdrag")), "warn"
		}
		return msg, "success"
	case c.Query("expedierade") != "":
		done, failed := n("expedierade"), n("fel")
		msg := fmt.Sprintf("%s till sina mottagare. Se varje utdrags sida för svaren per mottagare.", count(done, "utdrag skickat", "utdrag skickade"))
		if failed > 0 {
			return msg + fmt.Sprintf(" %s eller utan mottagare.", count(failed, "utdrag kunde inte skickas: inte bestyrkt, inte justerat", "utdrag kunde inte skickas: inte bestyrkta, inte justerade")), "warn"
		}
		return msg, "success"
	}
	return "", ""
}

// count is "1 utdrag", "3 utdrag": a number with its noun's form.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// chosenRecords reads the chosen extracts of the meeting; an id not of
// the meeting (or not visible) is an error on the field.
func (u *Pages) chosenRecords(c *gin.Context, items []index.Item, ids []string) ([]*archive.Record, map[string]string) {
	errs := map[string]string{}
	if len(ids) == 0 {
		errs["id"] = "Välj minst en paragraf i tabellen."
		return nil, errs
	}
	var recs []*archive.Record
	for _, it := range items {
		if !slices.Contains(ids, it.Record.ID) {
			continue
		}
		rec, err := u.d.Extract(c.Request.Context(), u.caller(c), it.Record.ID)
		if err != nil {
			errs["id"] = "Ett av de valda utdragen kunde inte läsas. Ladda om sidan och försök igen."
			return nil, errs
		}
		recs = append(recs, rec)
	}
	if len(recs) != len(slices.Compact(slices.Sorted(slices.Values(ids)))) {
		errs["id"] = "Ett av de valda utdragen hör inte till sammanträdet. Ladda om sidan och välj igen."
	}
	return recs, errs
}

// checkBatch is every check of a batch certification before anything is
// rendered: the fields, and each chosen extract justerad and allowed.
func (u *Pages) checkBatch(c *gin.Context, recs []*archive.Record, req *domain.CertifyRequest, errs map[string]string) {
	for _, e := range u.d.CheckCertification(req) {
		if _, seen := errs[e.Field]; !seen {
			errs[e.Field] = certifyFieldError(e)
		}
	}
	var draft []string
	for _, rec := range recs {
		if u.d.CheckAdjusted(rec, "bestyrkas") != nil {
			draft = append(draft, heading(rec))
		}
	}
	if len(draft) > 0 {
		errs["id"] = "Inte justerat, kan inte bestyrkas än: " + strings.Join(draft, "; ") + "."
	}
}

func (u *Pages) batchRequest(c *gin.Context, get func(string) string) (domain.CertifyRequest, string) {
	req := domain.CertifyRequest{Name: get("name"), Title: get("title"), Place: get("place"), NewVersion: true}
	u.certifier(c, &req)
	key := get("nyckel")
	if len(key) > domain.MaxIdempotencyKey {
		key = ""
	}
	return req, key
}

// meetingForm is a batch form over a meeting's extracts: the meeting, its
// items, the extracts chosen (ids, recs) and the certification it names.
type meetingForm struct {
	organ, date string
	items       []index.Item
	ids         []string
	recs        []*archive.Record
	req         domain.CertifyRequest
	key         string
}

// readMeetingForm reads a batch form, whose fields get and list read (the
// posted form or the query), and checks the choice and, when certifying,
// the certification; on an error it shows the meeting again with them
// (or the page of the failure) and reports false.
func (u *Pages) readMeetingForm(c *gin.Context, get func(string) string, list func(string) []string, certifying bool) (*meetingForm, bool) {
	organ, date, ok := u.meetingOf(c, get)
	if !ok {
		return nil, false
	}
	items, ok := u.meetingItems(c, organ, date)
	if !ok {
		return nil, false
	}
	f := &meetingForm{organ: organ, date: date, items: items, ids: list("id")}
	f.req, f.key = u.batchRequest(c, get)
	var errs map[string]string
	f.recs, errs = u.chosenRecords(c, items, f.ids)
	if certifying {
		u.checkBatch(c, f.recs, &f.req, errs)
	}
	if len(errs) > 0 {
		u.meetingErrors(c, f, errs)
		return nil, false
	}
	return f, true
}

// meetingErrors shows the meeting again with the form's text and choice
// kept and each error.
func (u *Pages) meetingErrors(c *gin.Context, f *meetingForm, errs map[string]string) {
	v := u.meetingView(c, f.organ, f.date, f.items, f.ids)
	v.Name, v.Title, v.Place, v.Key, v.Errors = f.req.Name, f.req.Title, f.req.Place, f.key, errs
	u.render(c, http.StatusUnprocessableEntity, "meeting", "Sammanträde "+v.Heading, "list", v)
}

// certifyMeeting is the batch form: "review" checks and redirects to the
// confirmation (GET, post/redirect/get), "sign" certifies each chosen
// extract with the form's idempotency key, so signing again (Back,
// reload) makes no second version of any.
func (u *Pages) certifyMeeting(c *gin.Context) {
	f, ok := u.readMeetingForm(c, c.PostForm, c.PostFormArray, true)
	if !ok {
		return
	}
	organ, date, ids, recs, req, key := f.organ, f.date, f.ids, f.recs, f.req, f.key
	if c.PostForm("step") != "sign" {
		q := url.Values{"organ": {organ}, "datum": {date}, "name": {req.Name}, "title": {req.Title}, "nyckel": {key}, "id": ids}
		if req.Place != "" {
			q.Set("place", req.Place)
		}
		c.Redirect(http.StatusSeeOther, "/sammantrade/bestyrk?"+q.Encode())
		return
	}
	var done, again, failed int
	for _, rec := range recs {
		r := req
		r.NewVersion = rec.Certified() != nil
		out, err := u.d.Certify(c.Request.Context(), rec.ID, r, key)
		switch {
		case err != nil:
			failed++
			u.log.WarnContext(c.Request.Context(), "certifying a meeting's extract", "id", rec.ID, "err", err)
		case out.Repeated:
			again++
		default:
			done++
		}
	}
	if done > 0 {
		u.rememberCertifier(c, req)
	}
	u.log.InfoContext(c.Request.Context(), "meeting certified", "organ", organ, "date", date, "certified", done, "repeated", again, "failed", failed)
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sammantrade?%s&bestyrkta=%d&igen=%d&fel=%d#tabell", meetingQuery(organ, date), done, again, failed))
}

// confirmMeeting renders each chosen extract's certification as it would
// be signed (the same checks as one at a time: a name that does not fit
// goes back to the form) and asks for one confirmation.
func (u *Pages) confirmMeeting(c *gin.Context) {
	f, ok := u.readMeetingForm(c, c.Query, c.QueryArray, true)
	if !ok {
		return
	}
	v := u.meetingView(c, f.organ, f.date, f.items, f.ids)
	v.Name, v.Title, v.Place, v.Key, v.Confirm = f.req.Name, f.req.Title, f.req.Place, f.key, true
	for _, rec := range f.recs {
		r := f.req
		r.NewVersion = false
		p, err := u.d.PreviewCertification(c.Request.Context(), rec, r)
		var verr extract.ValidationError
		if errors.As(err, &verr) {
			errs := map[string]string{}
			for _, e := range verr {
				errs[e.Field] = certifyFieldError(e)
			}
			u.meetingErrors(c, f, errs)
			return
		}
		if err != nil {
			u.fail(c, err)
			return
		}
		v.Preview = p
		v.Previews = append(v.Previews, meetingPreview{ID: rec.ID, Paragraphs: heading(rec), Title: strings.Join(rec.Titles, "; "),
			URL: certifyQuery("/utdrag/"+rec.ID+"/bestyrk/forhandsvisning", r, "", false), Pages: p.Pages, Version: p.Version})
	}
	u.render(c, http.StatusOK, "meeting", "Bekräfta: bestyrk "+v.Heading, "list", v)
}

// distributeMeeting sends each chosen extract, as its own page would.
func (u *Pages) distributeMeeting(c *gin.Context) {
	f, ok := u.readMeetingForm(c, c.PostForm, c.PostFormArray, false)
	if !ok {
		return
	}
	organ, date := f.organ, f.date
	var done, failed int
	for _, rec := range f.recs {
		if err := u.sendOne(c.Request.Context(), rec); err != nil {
			failed++
			u.log.WarnContext(c.Request.Context(), "distributing a meeting's extract", "id", rec.ID, "err", err)
			continue
		}
		done++
	}
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/sammantrade?%s&expedierade=%d&fel=%d#tabell", meetingQuery(organ, date), done, failed))
}

// sendOne distributes rec as its distribution page's send button does.
func (u *Pages) sendOne(ctx context.Context, rec *archive.Record) error {
	if rec.Certified() == nil {
		return errors.New("clerk: not certified")
	}
	if na := u.d.CheckAdjusted(rec, "expedieras"); na != nil {
		return errors.New("clerk: " + na.Detail)
	}
	msg, err := u.d.Message(ctx, rec)
	if err != nil {
		return err
	}
	if len(msg.Recipients) == 0 {
		return errors.New("clerk: no recipients")
	}
	_, err = u.d.DistributeTo(ctx, msg, nil) // to all, as the page's first send
	if errors.Is(err, distribute.ErrInProgress) {
		return nil // another request is sending it now
	}
	return err
}

// meetingFiles are the meeting's certified extracts: the current version
// of each one's public rendition, as certified and signed.
func (u *Pages) meetingFiles(c *gin.Context) (string, []bundle.File, bool) {
	organ, date, ok := u.meetingOf(c, c.Query)
	if !ok {
		return "", nil, false
	}
	items, ok := u.meetingItems(c, organ, date)
	if !ok {
		return "", nil, false
	}
	var files []bundle.File
	for _, it := range items {
		rec := it.Record
		cert := rec.CertifiedAs(extract.Public)
		if cert == nil {
			continue
		}
		b, err := u.d.CertifiedPDF(c.Request.Context(), rec, cert.Version)
		if err != nil {
			u.fail(c, err)
			return "", nil, false
		}
		files = append(files, bundle.File{Name: domain.CertifiedFilename(rec, *cert), Modified: cert.Time, PDF: b})
	}
	if len(files) == 0 {
		u.errorPage(c, http.StatusNotFound, "Inga bestyrkta utdrag", "Inget utdrag från sammanträdet är bestyrkt ännu.")
		return "", nil, false
	}
	name := "Bestyrkta utdrag " + fileSafeName(items[0].Record.Organ) + " " + date
	return name, files, true
}

// fileSafeName keeps a name to characters every file system takes.
func fileSafeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' || strings.ContainsRune(`:*?"<>|`, r) {
			return '-'
		}
		return r
	}, s)
}

// meetingZip sends the meeting's certified extracts, as signed, in a zip.
func (u *Pages) meetingZip(c *gin.Context) {
	name, files, ok := u.meetingFiles(c)
	if !ok {
		return
	}
	b, err := bundle.Zip(files)
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Header("Content-Disposition", download.Disposition("attachment", name+".zip"))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/zip", b)
}

// meetingPDF sends the meeting's certified extracts joined into one PDF
// to read and print; it carries no signature (see package bundle).
func (u *Pages) meetingPDF(c *gin.Context) {
	name, files, ok := u.meetingFiles(c)
	if !ok {
		return
	}
	release, err := u.acquireJoin(c.Request.Context(), joinWait)
	if err != nil {
		u.fail(c, err)
		return
	}
	b, err := bundle.PDF(files)
	release()
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Header("Content-Disposition", download.Disposition("attachment", name+" (läsexemplar).pdf"))
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, "application/pdf", b)
}

// acquireJoin takes one of the joins, waiting at most wait; it answers
// domain.ErrBusy when none came free in time.
func (u *Pages) acquireJoin(ctx context.Context, wait time.Duration) (release func(), err error) {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case u.joins <- struct{}{}:
		return func() { <-u.joins }, nil
	case <-t.C:
		return nil, domain.ErrBusy
	case <-ctx.Done():
		return nil, fmt.Errorf("clerk: waiting to join a meeting's extracts: %w", ctx.Err())
	}
}
