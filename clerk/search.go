package clerk

import (
	"context"

	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/compose"
	"utdrag/distribute"
	"utdrag/extract"
	"utdrag/index"
)

// The search page: a registrar's searches on the index, and the way back
// to them from every page an extract leads to.

// listQuery is the search form as the clerk filled it in.
type listQuery struct {
	Organ, From, To, CaseNumber, Paragraph, Text string
	Certified, Distributed, Adjusted, Sort       string
}

// readQuery reads the form from the request's query.
func readQuery(c *gin.Context) listQuery {
	q := func(name string) string { return strings.TrimSpace(c.Query(name)) }
	return listQuery{
		Organ: q("organ"), From: q("from"), To: q("to"), CaseNumber: q("caseNumber"),
		Paragraph: q("paragraph"), Text: q("q"),
		Certified: q("bestyrkt"), Distributed: q("expedierat"), Adjusted: q("justerad"), Sort: q("sortera"),
	}
}

// sortOption is one order of the results: its value in the address, its
// name in the menu and in the sentence over the results, and the column
// it orders (for aria-sort).
type sortOption struct {
	value, label, phrase string
	sort                 index.Sort
	column, direction    string
}

// sorts, the default first.
var sorts = []sortOption{
	{"nyast", "Nyast sammanträde först", "nyast sammanträde först", index.Newest, "date", "descending"},
	{"aldst", "Äldst sammanträde först", "äldst sammanträde först", index.Oldest, "date", "ascending"},
	{"paragraf", "Lägst paragraf först", "lägst paragraf först", index.ParagraphAsc, "paragraph", "ascending"},
	{"paragraf-fallande", "Högst paragraf först", "högst paragraf först", index.ParagraphDesc, "paragraph", "descending"},
	{"organ", "Organ A–Ö", "organ i bokstavsordning", index.OrganAsc, "organ", "ascending"},
	{"organ-fallande", "Organ Ö–A", "organ i omvänd bokstavsordning", index.OrganDesc, "organ", "descending"},
}

func (q listQuery) sortOption() (sortOption, bool) {
	if q.Sort == "" {
		return sorts[0], true
	}
	for _, s := range sorts {
		if s.value == q.Sort {
			return s, true
		}
	}
	return sorts[0], false
}

// maxField bounds what one field of the form may hold.
const maxField = 200

// filter checks the form and turns it into the index's filter. Clerks
// type parts of names and numbers: the organ matches anywhere in its
// name, the case number from the start of any of its parts ("2024/0112"
// finds "KS 2024/0112", "KS 2024" every KS number of 2024).
func (q listQuery) filter() (index.Filter, map[string]string) {
	f := index.Filter{Organ: q.Organ, OrganMatch: index.Partial, From: q.From, To: q.To,
		CaseNumber: q.CaseNumber, CaseMatch: index.Partial, Text: q.Text}
	errs := map[string]string{}
	for name, v := range map[string]string{"organ": q.Organ, "caseNumber": q.CaseNumber, "paragraph": q.Paragraph, "q": q.Text} {
		if len(v) > maxField {
			errs[name] = "Sökningen är för lång: högst " + strconv.Itoa(maxField) + " tecken."
		}
	}
	for name, v := range map[string]string{"from": q.From, "to": q.To} {
		if _, err := time.Parse(time.DateOnly, v); v != "" && err != nil {
			errs[name] = "Ange datumet som ÅÅÅÅ-MM-DD."
		}
	}
	if q.From != "" && q.To != "" && q.From > q.To && len(errs) == 0 {
		errs["to"] = "Slutdatumet ligger före startdatumet."
	}
	if q.Paragraph != "" && errs["paragraph"] == "" {
		from, to, err := index.ParseParagraphs(q.Paragraph)
		if err != nil {
			errs["paragraph"] = err.Error()
		}
		f.Paragraph, f.ParagraphTo = from, to
	}
	for _, yn := range []struct {
		name, value string
		dst         **bool
	}{{"bestyrkt", q.Certified, &f.Certified}, {"expedierat", q.Distributed, &f.Distributed}, {"justerad", q.Adjusted, &f.Adjusted}} {
		switch yn.value {
		case "":
		case "ja", "nej":
			b := yn.value == "ja"
			*yn.dst = &b
		default:
			errs[yn.name] = "Välj Alla, ja eller nej."
		}
	}
	s, ok := q.sortOption()
	if !ok {
		errs["sortera"] = "Välj en ordning i listan."
	}
	f.Sort = s.sort
	return f, errs
}

// empty reports whether the form asks for nothing but an order.
func (q listQuery) empty() bool {
	q.Sort = ""
	return q == listQuery{}
}

// values is the address of the results' page: the form's fields, the
// page, and the results as the place to start from.
func (q listQuery) values(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"organ": q.Organ, "from": q.From, "to": q.To, "caseNumber": q.CaseNumber,
		"paragraph": q.Paragraph, "q": q.Text, "bestyrkt": q.Certified, "expedierat": q.Distributed,
		"justerad": q.Adjusted, "sortera": q.Sort} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("sida", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode() + "#resultat"
}

type listRow struct {
	ID, Organ, MeetingDate, Paragraphs, Title, CaseNumbers string
	Certified, Draft                                       bool
	Distributed, DistributedClass                          string
}

// choice is a select of Alla, ja and nej.
type choice struct{ Name, Label, Value, Yes, No, Error string }

type option struct {
	Value, Label string
	Selected     bool
}

type listView struct {
	Query  listQuery
	Errors map[string]string
	Organs []string
	// More: a field of "Datum och status" is filled in, so it is shown open.
	More      bool
	Statuses  []choice
	Sorts     []option
	SortLabel string
	SortedBy  map[string]string // column → aria-sort
	// State tells why there are no rows: "invalid" (the form is wrong),
	// "failed" (the index could not be asked), "empty" (the archive holds
	// nothing the caller may see) or "none" (nothing matches).
	State              string
	Rows               []listRow
	Total, First, Last int
	Capped             bool // more match than Total
	Page, Pages        int
	Prev, Next         string
}

func newListView(q listQuery, errs map[string]string) listView {
	v := listView{Query: q, Errors: errs, More: q.From != "" || q.To != "" || q.Certified != "" || q.Distributed != "" || q.Adjusted != "",
		Statuses: []choice{
			{"justerad", "Justerad", q.Adjusted, "Justerade", "Ej justerade", errs["justerad"]},
			{"bestyrkt", "Bestyrkt", q.Certified, "Bestyrkta", "Ej bestyrkta", errs["bestyrkt"]},
			{"expedierat", "Expedierat", q.Distributed, "Expedierade", "Ej expedierade", errs["expedierat"]},
		}}
	for name := range errs {
		if name == "from" || name == "to" || name == "justerad" || name == "bestyrkt" || name == "expedierat" {
			v.More = true
		}
	}
	s, _ := q.sortOption()
	for _, o := range sorts {
		v.Sorts = append(v.Sorts, option{Value: o.value, Label: o.label, Selected: o.value == s.value})
	}
	v.SortLabel, v.SortedBy = s.phrase, map[string]string{s.column: s.direction}
	return v
}

// searchCookie keeps the address of the clerk's last search, for the way
// back to it from an extract and the pages after it.
const searchCookie = "utdrag_sok"

func (u *Pages) list(c *gin.Context) {
	ctx := c.Request.Context()
	q := readQuery(c)
	f, errs := q.filter()
	v := newListView(q, errs)
	organs, err := u.d.Organs(ctx, u.caller(c))
	if err != nil {
		u.searchFailed(c, v, err)
		return
	}
	v.Organs = organs
	if len(errs) > 0 {
		v.State = "invalid"
		u.render(c, http.StatusBadRequest, "list", "Sök utdrag", "list", v)
		return
	}
	v.Page = max(1, min(atoiOr(c.Query("sida"), 1), index.MaxOffset/uiPageSize+1))
	f.Limit, f.Offset = uiPageSize, (v.Page-1)*uiPageSize
	page, err := u.d.Search(ctx, u.caller(c), f)
	if err != nil {
		u.searchFailed(c, v, err)
		return
	}
	v.Total, v.Capped = page.Total, page.TotalCapped
	v.Pages = max(1, (min(v.Total, index.MaxOffset+uiPageSize)+uiPageSize-1)/uiPageSize)
	if v.Page > v.Pages {
		v.Page = v.Pages
		f.Offset = (v.Page - 1) * uiPageSize
		if page, err = u.d.Search(ctx, u.caller(c), f); err != nil {
			u.searchFailed(c, v, err)
			return
		}
	}
	if len(page.Items) == 0 {
		v.State = "none"
		if empty, err := u.archiveEmpty(ctx, c, q); err != nil {
			u.searchFailed(c, v, err)
			return
		} else if empty {
			v.State = "empty"
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
	http.SetCookie(c.Writer, &http.Cookie{Name: searchCookie, Value: url.QueryEscape(q.values(v.Page)), Path: "/",
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: u.secure(c.Request)})
	u.render(c, http.StatusOK, "list", "Sök utdrag", "list", v)
}

// archiveEmpty reports whether the caller's archive holds no extract at
// all, when a search found none: "no extracts yet" and "nothing matches"
// are different news.
func (u *Pages) archiveEmpty(ctx context.Context, c *gin.Context, q listQuery) (bool, error) {
	if q.empty() {
		return true, nil
	}
	p, err := u.d.Search(ctx, u.caller(c), index.Filter{Limit: 1})
	return len(p.Items) == 0, err
}

// searchFailed shows the search page with the form as filled in and
// says the search could not be made: not that nothing matched.
func (u *Pages) searchFailed(c *gin.Context, v listView, err error) {
	u.log.ErrorContext(c.Request.Context(), "search failed", "err", err)
	v.State, v.Rows = "failed", nil
	c.Header("Retry-After", "5")
	u.render(c, http.StatusServiceUnavailable, "list", "Sök utdrag", "list", v)
}

// lastSearch is the address of the clerk's last search, "/" when there is
// none. Only an address of the search page is taken from the cookie.
func lastSearch(r *http.Request) string {
	ck, err := r.Cookie(searchCookie)
	if err != nil {
		return "/"
	}
	s, err := url.QueryUnescape(ck.Value)
	if err != nil || !strings.HasPrefix(s, "/?") {
		return "/"
	}
	rest, _, _ := strings.Cut(s[2:], "#")
	vals, err := url.ParseQuery(rest)
	if err != nil {
		return "/"
	}
	return "/?" + vals.Encode() + "#resultat"
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
		Certified: rec.Certified() != nil, Draft: len(extract.Pending(rec.Justering)) > 0,
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
