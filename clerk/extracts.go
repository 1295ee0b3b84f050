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
	"utdrag/index"
	"utdrag/internal/download"
)

// listQuery is the search form as the clerk filled it in.
type listQuery struct {
	Organ, From, To, CaseNumber, Paragraph, Text, Certified string
}

type listRow struct {
	ID, Organ, MeetingDate, Paragraphs, Title, CaseNumbers string
	Certified                                              bool
	Distributed, DistributedClass                          string
}

type listView struct {
	Query              listQuery
	Errors             map[string]string
	Rows               []listRow
	Total, First, Last int
	Capped             bool // more match than Total
	Page, Pages        int
	Prev, Next         string
}

// filter checks the form and turns it into the index's filter, scoped to
// the caller's organisation. Clerks type parts of names and numbers: the
// organ matches anywhere in its name, the case number from the start of
// any of its parts.
func (q listQuery) filter() (index.Filter, map[string]string) {
	f := index.Filter{Organ: q.Organ, OrganMatch: index.Partial, From: q.From, To: q.To,
		CaseNumber: q.CaseNumber, CaseMatch: index.Partial, Text: q.Text}
	errs := map[string]string{}
	switch q.Certified {
	case "ja":
		f.Certified = new(bool)
		*f.Certified = true
	case "nej":
		f.Certified = new(bool)
	}
	for name, v := range map[string]string{"from": q.From, "to": q.To} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			errs[name] = "Ange datumet som ÅÅÅÅ-MM-DD."
		}
	}
	if q.From != "" && q.To != "" && q.From > q.To && len(errs) == 0 {
		errs["to"] = "Slutdatumet ligger före startdatumet."
	}
	if q.Paragraph != "" {
		n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(q.Paragraph, "§")))
		if err != nil || n < 1 {
			errs["paragraph"] = "Ange paragrafen som ett positivt heltal, till exempel 157."
		}
		f.Paragraph = n
	}
	return f, errs
}

func (q listQuery) values(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"organ": q.Organ, "from": q.From, "to": q.To, "caseNumber": q.CaseNumber,
		"paragraph": q.Paragraph, "q": q.Text, "bestyrkt": q.Certified} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("sida", strconv.Itoa(page))
	}
	return "/?" + v.Encode()
}

func (u *Pages) list(c *gin.Context) {
	q := listQuery{
		Organ: strings.TrimSpace(c.Query("organ")), From: strings.TrimSpace(c.Query("from")),
		To: strings.TrimSpace(c.Query("to")), CaseNumber: strings.TrimSpace(c.Query("caseNumber")),
		Paragraph: strings.TrimSpace(c.Query("paragraph")), Text: strings.TrimSpace(c.Query("q")),
		Certified: c.Query("bestyrkt"),
	}
	f, errs := q.filter()
	v := listView{Query: q, Errors: errs}
	if len(errs) > 0 {
		u.render(c, http.StatusBadRequest, "list", "Sök utdrag", "list", v)
		return
	}
	v.Page = max(1, atoiOr(c.Query("sida"), 1))
	if (v.Page-1)*uiPageSize > index.MaxOffset {
		v.Page = index.MaxOffset/uiPageSize + 1
	}
	f.Limit, f.Offset = uiPageSize, (v.Page-1)*uiPageSize
	page, err := u.d.Search(c.Request.Context(), u.caller(c), f)
	if err != nil {
		u.fail(c, err)
		return
	}
	v.Total, v.Capped = page.Total, page.TotalCapped
	v.Pages = max(1, (min(v.Total, index.MaxOffset+uiPageSize)+uiPageSize-1)/uiPageSize)
	if v.Page > v.Pages {
		v.Page = v.Pages
		f.Offset = (v.Page - 1) * uiPageSize
		if page, err = u.d.Search(c.Request.Context(), u.caller(c), f); err != nil {
			u.fail(c, err)
			return
		}
	}
	v.First, v.Last = f.Offset+1, f.Offset+len(page.Items)
	if v.Page > 1 {
		v.Prev = q.values(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.Next = q.values(v.Page + 1)
	}
	now := time.Now()
	for _, it := range page.Items {
		v.Rows = append(v.Rows, row(it, now))
	}
	u.render(c, http.StatusOK, "list", "Sök utdrag", "list", v)
}

func atoiOr(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return def
}

// row is one search result, from the index alone.
func row(it index.Item, now time.Time) listRow {
	rec := it.Record
	row := listRow{
		ID: rec.ID, Organ: rec.Organ, MeetingDate: rec.MeetingDate, Paragraphs: compose.ParagraphLabel(rec.Paragraphs),
		Title: strings.Join(rec.Titles, "; "), CaseNumbers: strings.Join(rec.CaseNumbers, ", "),
		Certified: rec.Certified() != nil,
	}
	row.Distributed, row.DistributedClass = "Nej", "none"
	if d := it.Distribution; d != nil {
		dr := &distribute.Record{Updated: d.Updated, Counts: d.Counts}
		if !d.LeaseUntil.IsZero() {
			dr.Lease = &distribute.Lease{Until: d.LeaseUntil}
		}
		row.Distributed, row.DistributedClass = distSummary(dr, now)
		if row.DistributedClass == "ok" {
			row.Distributed = "Ja"
		}
	}
	return row
}

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
	// Renditions are the two renditions of an extract with parts marked
	// confidential (nil for one with a single rendition); PreviewLabel
	// says which the page shows.
	Renditions   []renditionView
	PreviewLabel string
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
		MeetingDate: rec.MeetingDate, Paragraphs: compose.ParagraphLabel(rec.Paragraphs),
		CaseNumbers: strings.Join(rec.CaseNumbers, ", "), Titles: rec.Titles, Pages: rec.Pages,
		Size: size(rec.Bytes), SHA256: rec.SHA256, Template: rec.Template, Filename: rec.Filename,
		Created: clock(rec.Created), Distribution: newDistView(dist, time.Now()),
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
	u.render(c, http.StatusOK, "extract", heading(rec), "list", v)
}

// pdf sends the extract's PDF: to download, or with ?visa=1 to show in the
// page.
func (u *Pages) pdf(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok {
		return
	}
	r, ok := extract.ParseRendition(c.Query("rendition"))
	if !u.uiRendition(c, rec, r, ok) {
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
	rec, ok := u.record(c)
	if !ok {
		return
	}
	r, ok := extract.ParseRendition(c.Query("rendition"))
	if !u.uiRendition(c, rec, r, ok) {
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
