package clerk

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/compose"
	"utdrag/distribute"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/internal/download"
)

// distribution reads an extract's distribution record; nil when it has not
// been distributed.
func (u *Pages) distribution(ctx context.Context, id string) (*distribute.Record, error) {
	return u.d.DistributionStatus(ctx, id)
}

// record reads the extract of the route's :id, if the caller may see it;
// otherwise it shows the error page and reports false.
func (u *Pages) record(c *gin.Context) (*archive.Record, bool) {
	id := c.Param("id")
	u.d.Tag(c, "", id)
	rec, err := u.d.Extract(c.Request.Context(), u.caller(c), id)
	if err != nil {
		u.fail(c, err)
		return nil, false
	}
	return rec, true
}

type extractView struct {
	ID, Heading, Organisation, Organ, MeetingDate, Paragraphs, CaseNumbers string
	MeetingURL                                                             string // the meeting view
	Titles                                                                 []string
	Pages                                                                  int
	Size, SHA256, Template, Filename, Created                              string
	Preview, HTML, Notice                                                  string
	// Justering says where each paragraph stands; Draft, for an extract
	// not yet justerad, why it cannot be certified or distributed.
	Justering, Draft string
	Certifications   []certView
	Current          *certView
	Distribution     *distView
	// Plan is who the extract is to go to, before it has been sent.
	Plan *planView
	// Renditions are the two renditions of an extract with parts marked
	// confidential (nil for one with a single rendition); PreviewLabel
	// says which the page shows.
	Renditions   []renditionView
	PreviewLabel string
	// Events are the extract's audit trail, newest first (EventsMissing:
	// it could not be read); MeetingLog the trail of its meeting.
	Events        []eventView
	EventsMissing bool
	MeetingLog    string
}

func (u *Pages) show(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	dist, err := u.distribution(ctx, rec.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	v := extractView{
		ID: rec.ID, Heading: heading(rec), Organisation: rec.Organisation.Name, Organ: rec.Organ,
		MeetingDate: rec.MeetingDate, Paragraphs: compose.ParagraphLabel(rec.Paragraphs), MeetingURL: "/sammantrade?" + meetingQuery(rec.Organ, rec.MeetingDate),
		CaseNumbers: strings.Join(rec.CaseNumbers, ", "), Titles: rec.Titles, Pages: rec.Pages,
		Size: size(rec.Bytes), SHA256: rec.SHA256, Template: rec.Template, Filename: rec.Filename,
		Created: clock(rec.Created), Distribution: newDistView(dist, currentVersions(rec), time.Now()),
	}
	if dist == nil {
		plan, err := u.d.Plan(ctx, rec)
		if err != nil {
			u.fail(c, err)
			return
		}
		v.Plan = newPlanView(rec, plan)
	}
	v.Certifications, v.Current = certViews(rec)
	v.Distribution.showRenditions(rec, dist)
	v.Renditions = u.renditionViews(c, rec)
	v.Justering = justeringText(u.d.Justering(rec))
	if na := u.d.CheckAdjusted(rec, "bestyrkas eller expedieras"); na != nil {
		v.Draft = na.Detail
	}
	v.Preview = "/utdrag/" + rec.ID + "/pdf?visa=1"
	if v.Current != nil {
		v.Preview = "/utdrag/" + rec.ID + "/bestyrkt?visa=1"
	}
	if len(v.Renditions) > 0 {
		// The fullest rendition the clerk may read, certified if it is.
		r := v.Renditions[len(v.Renditions)-1]
		if v.Renditions[0].Allowed {
			r = v.Renditions[0]
		}
		v.Preview, v.PreviewLabel = r.PDF+"&visa=1", r.Label
		if r.Certified != "" {
			v.Preview = r.Certified + "&visa=1"
		}
	}
	if n := atoiOr(c.Query("bestyrkt"), 0); n > 0 && n <= len(rec.Certifications) {
		v.Notice = fmt.Sprintf("Utdraget är bestyrkt och signerat digitalt (version %d).", n)
		if c.Query("igen") != "" {
			v.Notice = fmt.Sprintf("Bestyrkandet var redan gjort: utdraget bestyrktes med de här uppgifterna som version %d. Ingen ny version skapades.", n)
		}
	}
	if u.d.HasHTML(ctx, rec) && u.may(c, "GET /v1/extracts/:id/html") {
		v.HTML = "/utdrag/" + rec.ID + "/html"
	}
	evs, ok := u.extractEvents(c, rec.ID)
	v.Events, v.EventsMissing = evs, !ok
	v.MeetingLog = "/logg?" + url.Values{"organ": {rec.Organ}, "meetingDate": {rec.MeetingDate}}.Encode()
	u.render(c, http.StatusOK, "extract", heading(rec), "list", v)
}

// pdf sends the extract's PDF: to download, or with ?visa=1 to show in the
// page.
func (u *Pages) pdf(c *gin.Context) {
	rec, r, ok := u.recordRendition(c)
	if !ok {
		return
	}
	b, err := u.d.ExtractPDF(c.Request.Context(), rec, r)
	if err != nil {
		u.fail(c, err)
		return
	}
	if r == extract.Internal {
		u.sendPDF(c, b, rec.Internal.SHA256, domain.RenditionFilename(rec.Filename, r, true))
		return
	}
	u.sendPDF(c, b, rec.SHA256, rec.Filename)
}

// recordRendition reads the extract and the rendition ?rendition= names
// (none: the public one) that the caller may see, or answers why not and
// reports false.
func (u *Pages) recordRendition(c *gin.Context) (*archive.Record, extract.Rendition, bool) {
	rec, ok := u.record(c)
	if !ok {
		return nil, "", false
	}
	r, ok := extract.ParseRendition(c.Query("rendition"))
	if !u.uiRendition(c, rec, r, ok) {
		return nil, "", false
	}
	return rec, r, true
}

// certifiedPDF sends the current certified version, or ?version=n.
func (u *Pages) certifiedPDF(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok {
		return
	}
	cert := u.newestAllowed(c, rec)
	if v := c.Query("version"); v != "" {
		n := atoiOr(v, 0)
		if n < 1 || n > len(rec.Certifications) {
			u.errorPage(c, http.StatusNotFound, "Hittades inte", "Det finns ingen bestyrkt version med det numret.")
			return
		}
		cert = &rec.Certifications[n-1]
		if !u.uiRendition(c, rec, cert.RenditionOf(), true) {
			return
		}
	}
	if cert == nil {
		u.errorPage(c, http.StatusNotFound, "Inte bestyrkt", "Utdraget är inte bestyrkt ännu.")
		return
	}
	b, err := u.d.CertifiedPDF(c.Request.Context(), rec, cert.Version)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.sendPDF(c, b, cert.CurrentSHA256(), certifiedFilename(domain.RenditionFilename(rec.Filename, cert.RenditionOf(), rec.Has(extract.Internal)), cert.Version))
}

// certifiedFilename is the download name of certified version n, as the
// API names it.
func certifiedFilename(filename string, n int) string {
	name := strings.TrimSuffix(filename, ".pdf") + " bestyrkt"
	if n > 1 {
		name += " v" + strconv.Itoa(n)
	}
	return name + ".pdf"
}

// sendPDF answers with the API's download, or inline for the page's
// viewer (?visa=1), which only this site may frame.
func (u *Pages) sendPDF(c *gin.Context, b []byte, sum, filename string) {
	if c.Query("visa") == "" {
		download.PDF(c.Writer, c.Request, b, sum, filename)
		return
	}
	c.Header("Content-Security-Policy", "frame-ancestors 'self'")
	c.Header("ETag", `"`+sum+`"`)
	c.Header("Cache-Control", "private, max-age=0, must-revalidate")
	c.Header("Content-Disposition", download.Disposition("inline", filename))
	c.Header("Content-Type", "application/pdf")
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(b))
}

// html shows the accessible HTML rendition, where one is stored.
func (u *Pages) html(c *gin.Context) {
	rec, r, ok := u.recordRendition(c)
	if !ok {
		return
	}
	b, err := u.d.ExtractHTML(c.Request.Context(), rec, r)
	if err != nil {
		u.fail(c, err)
		return
	}
	// The rendition carries its style sheet inline and nothing else.
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'")
	c.Data(http.StatusOK, "text/html; charset=utf-8", b)
}
