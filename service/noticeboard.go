package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
	"utdrag/web"

	"github.com/gin-gonic/gin"

	"utdrag/anslag"
	"utdrag/compose"
	"utdrag/index"
)

// The digital notice board (anslagstavla, kommunallagen 8 kap. 12 §): a
// public page per organisation listing its justerade protocols whose
// justering has been announced, with the anslag dates and the last day to
// appeal, and an Atom feed of the same entries. Both are the same for
// every reader (no session, no cookie), so they may be cached; only
// public renditions are stored as protocols, so nothing secret is shown.
// They are read from the index, never by listing the object store.

// noticeBoardMaxAge is how long a cache may keep the board: the status of
// a notice changes at most once a day.
const noticeBoardMaxAge = 300

func (s *Server) noticeBoardRoutes(r *gin.Engine) {
	r.GET("/anslagstavla/:org", s.noticeBoardPage)
	r.GET("/anslagstavla/:org/atom.xml", s.noticeBoardFeed)
}

// notice is one entry of the board.
type notice struct {
	ID, Organ, MeetingDate, Paragraphs, KeptAt string
	anslag.Notice
	// Up: the notice is on the board today (posted, not yet taken down).
	Up bool
}

// Title is the entry's heading: "Kommunstyrelsen 2025-03-11, §§ 44–57".
func (n notice) Title() string { return n.Organ + " " + n.MeetingDate + ", " + n.Paragraphs }

// noticeBoard collects the notices of organisation org posted by today,
// the newest first; name is the organisation's name, ok false when the
// service knows nothing of it.
func (s *Server) noticeBoard(c *gin.Context) (name string, notices []notice, ok bool) {
	org := c.Param("org")
	ctx := c.Request.Context()
	today := s.today()
	recs, err := s.index.Protocols(ctx, index.ProtocolFilter{Organisation: org, PostedBy: today})
	if err != nil {
		s.fail(c, err)
		return "", nil, false
	}
	if s.keys != nil {
		name, ok = s.keys.OrganisationName(org)
	}
	if name == "" {
		o, found, err := s.index.ProtocolOrganisation(ctx, org)
		if err != nil {
			s.fail(c, err)
			return "", nil, false
		}
		name, ok = o.Name, found
	}
	for _, r := range recs {
		n, posted, err := r.Protocol.Notice(s.calendar)
		if err != nil || !posted || n.Posted > today {
			continue
		}
		notices = append(notices, notice{ID: r.ID, Organ: r.Organ, MeetingDate: r.MeetingDate,
			Paragraphs: compose.ParagraphLabel(r.Paragraphs), KeptAt: r.Protocol.Anslag.KeptAt,
			Notice: n, Up: today < n.TakeDown})
	}
	sortNotices(notices)
	if !ok {
		problem(c, http.StatusNotFound, "not-found", "Hittades inte", "Det finns ingen anslagstavla för den organisationen.")
	}
	return name, notices, ok
}

func sortNotices(ns []notice) {
	for i := 1; i < len(ns); i++ { // insertion sort: a board holds few
		for j := i; j > 0 && (ns[j].Posted > ns[j-1].Posted || ns[j].Posted == ns[j-1].Posted && ns[j].ID < ns[j-1].ID); j-- {
			ns[j], ns[j-1] = ns[j-1], ns[j]
		}
	}
}

// cacheable sets the headers of a public answer that caches may keep, and
// answers 304 when the client holds the same body.
func cacheable(c *gin.Context, body []byte, contentType string) {
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	c.Header("Cache-Control", fmt.Sprintf("public, max-age=%d", noticeBoardMaxAge))
	c.Header("ETag", etag)
	if match := c.GetHeader("If-None-Match"); match != "" && strings.Contains(match, etag) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, contentType, body)
}

var noticeBoardTemplate = template.Must(template.New("anslagstavla").Parse(`<!doctype html>
<html lang="sv">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anslagstavla – {{.Name}}</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="alternate" type="application/atom+xml" title="Anslagstavla – {{.Name}} (Atom)" href="{{.Feed}}">
</head>
<body>
<a class="skip" href="#main">Hoppa till innehållet</a>
<header class="site"><div class="bar"><span class="brand">{{.Name}}</span></div></header>
<main id="main" tabindex="-1">
<h1>Anslagstavla</h1>
<p class="lead">Här tillkännages att protokollen från {{.Name}}s sammanträden är justerade (kommunallagen 8&nbsp;kap. 12&nbsp;§). Den som är medlem i kommunen eller regionen kan överklaga ett beslut genom laglighetsprövning. Överklagandet ska ha kommit in till förvaltningsrätten senast den dag som anges nedan, tre veckor efter den dag då justeringen tillkännagavs.</p>
<p><a href="{{.Feed}}">Prenumerera på anslagstavlan (Atom-flöde)</a></p>
{{if .Notices}}
<ul class="notices">
{{range .Notices}}
<li id="p-{{.ID}}">
<article aria-labelledby="h-{{.ID}}">
<h2 id="h-{{.ID}}">{{.Title}}</h2>
<p>Protokollet är justerat. Justeringen har tillkännagivits genom anslag.{{if .Up}} Anslaget är uppsatt.{{else}} Anslaget är nedtaget.{{end}}</p>
<dl>
<dt>Organ</dt><dd>{{.Organ}}</dd>
<dt>Sammanträdesdatum</dt><dd><time datetime="{{.MeetingDate}}">{{.MeetingDate}}</time></dd>
<dt>Paragrafer</dt><dd>{{.Paragraphs}}</dd>
<dt>Protokollet justerat</dt><dd><time datetime="{{.Justering}}">{{.Justering}}</time></dd>
<dt>Datum då anslaget sätts upp</dt><dd><time datetime="{{.Posted}}">{{.Posted}}</time></dd>
<dt>Sista dag för överklagande</dt><dd><time datetime="{{.LastAppealDay}}">{{.LastAppealDay}}</time></dd>
<dt>Datum då anslaget tas ned</dt><dd><time datetime="{{.TakeDown}}">{{.TakeDown}}</time></dd>
<dt>Förvaringsplats för protokollet</dt><dd>{{.KeptAt}}</dd>
</dl>
</article>
</li>
{{end}}
</ul>
{{else}}
<p>Inga protokoll är anslagna.</p>
{{end}}
</main>
</body>
</html>
`))

func (s *Server) noticeBoardPage(c *gin.Context) {
	name, notices, ok := s.noticeBoard(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	err := noticeBoardTemplate.Execute(&buf, struct {
		Name, Feed string
		Notices    []notice
	}{name, "/anslagstavla/" + c.Param("org") + "/atom.xml", notices})
	if err != nil {
		s.fail(c, fmt.Errorf("service: writing the notice board: %w", err))
		return
	}
	c.Header("Content-Security-Policy", "default-src 'self'; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'")
	c.Header("X-Content-Type-Options", "nosniff")
	cacheable(c, web.KeepDatesWhole(buf.Bytes()), "text/html; charset=utf-8")
}

// atomFeed is an Atom feed (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string   `xml:"id"`
	Title     string   `xml:"title"`
	Updated   string   `xml:"updated"`
	Published string   `xml:"published"`
	Link      atomLink `xml:"link"`
	Summary   string   `xml:"summary"`
}

// atomTime is the start of an ISO date in Swedish time, as RFC 3339.
func atomTime(date string) string {
	t, err := time.ParseInLocation(time.DateOnly, date, stockholm)
	if err != nil {
		return "1970-01-01T00:00:00Z"
	}
	return t.Format(time.RFC3339)
}

func (s *Server) noticeBoardFeed(c *gin.Context) {
	name, notices, ok := s.noticeBoard(c)
	if !ok {
		return
	}
	page := "/anslagstavla/" + c.Param("org")
	f := atomFeed{Lang: "sv", ID: "urn:utdrag:anslagstavla:" + c.Param("org"), Title: "Anslagstavla – " + name,
		Updated: "1970-01-01T00:00:00Z", Author: atomPerson{Name: name},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: page + "/atom.xml"}, {Rel: "alternate", Type: "text/html", Href: page}}}
	for i, n := range notices {
		if i == 0 {
			f.Updated = atomTime(n.Posted)
		}
		f.Entries = append(f.Entries, atomEntry{ID: "urn:utdrag:protokoll:" + n.ID, Title: n.Title(),
			Updated: atomTime(n.Posted), Published: atomTime(n.Posted),
			Link: atomLink{Rel: "alternate", Type: "text/html", Href: page + "#p-" + n.ID},
			Summary: fmt.Sprintf("Protokollet är justerat %s. Anslaget sätts upp %s och tas ned %s. Sista dag för överklagande: %s. Förvaringsplats: %s.",
				n.Justering, n.Posted, n.TakeDown, n.LastAppealDay, n.KeptAt)})
	}
	out, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		s.fail(c, fmt.Errorf("service: writing the notice board feed: %w", err))
		return
	}
	cacheable(c, append([]byte(xml.Header), out...), "application/atom+xml; charset=utf-8")
}
