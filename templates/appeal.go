package templates

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"
)

// The appeal instruction (överklagandehänvisning) sent to a party with a
// decision: Swedish texts per route of appeal (laglighetsprövning,
// förvaltningsbesvär, none), each a text/template filled in with the
// decision and the computed dates. The default texts are embedded; an
// organisation may replace any of them, and name its court and address,
// in a JSON file read once at start-up (LoadAppeals).

//go:embed appeal/sv.json
var defaultAppeal []byte

// Appeal routes, as extract names them.
var appealRoutes = []string{"legality", "administrative", "none"}

// AppealData is what an appeal text may use.
type AppealData struct {
	Organisation string // "Ragunda kommun"
	Organ        string // "Kommunstyrelsen"
	MeetingDate  string // ISO date
	Paragraph    string // "§ 47"
	Title        string // the paragraph's title
	CaseNumber   string
	// Statute is the provision förvaltningsbesvär lies under, as the
	// decision names it; may be empty.
	Statute string
	// Posted and LastDay are, for laglighetsprövning, the day the
	// justering was announced and the last day to appeal, in running text
	// ("30 maj 2025"); empty while the protocol is not posted.
	Posted, LastDay string
	// From the organisation's settings.
	Court, CourtAddress, Address, NoticeBoard string
}

// AppealSection is one route's instruction, filled in.
type AppealSection struct {
	Heading    string
	Paragraphs []string
}

// AppealTexts are one organisation's texts, parsed.
type AppealTexts struct {
	// Version of the texts: the default's, or the organisation's own.
	Version string
	Kind    string // ÖVERKLAGANDEHÄNVISNING: the running header
	Title   string // Hur man överklagar
	// Settings filled into AppealData.
	Court, CourtAddress, Address, NoticeBoard string

	decision *template.Template
	routes   map[string]appealRoute
}

type appealRoute struct {
	heading    string
	paragraphs []*template.Template
}

// appealFile is the JSON of the texts: the embedded default, or an
// organisation's changes to it (every field optional there).
type appealFile struct {
	Version      string `json:"version"`
	Kind         string `json:"kind"`
	Title        string `json:"title"`
	Decision     string `json:"decision"`
	Court        string `json:"court"`
	CourtAddress string `json:"courtAddress"`
	Address      string `json:"address"`
	NoticeBoard  string `json:"noticeBoard"`
	Routes       map[string]struct {
		Heading    string   `json:"heading"`
		Paragraphs []string `json:"paragraphs"`
	} `json:"routes"`
}

// Appeals are the default texts and each organisation's.
type Appeals struct {
	def   *AppealTexts
	byOrg map[string]*AppealTexts
}

// LoadAppeals parses the default texts and, when orgs is not empty, the
// organisations' changes: {"organisations": {"ragunda": {"court":
// "Förvaltningsrätten i Härnösand", "routes": {"legality": {...}}}}}. A
// field given replaces the default's, a route given replaces that route.
// Every text is parsed and tried once here, so a broken one stops the
// start.
func LoadAppeals(orgs []byte) (*Appeals, error) {
	var base appealFile
	if err := strictJSON(defaultAppeal, &base); err != nil {
		return nil, fmt.Errorf("templates: the default appeal texts: %w", err)
	}
	def, err := base.parse()
	if err != nil {
		return nil, fmt.Errorf("templates: the default appeal texts: %w", err)
	}
	a := &Appeals{def: def, byOrg: map[string]*AppealTexts{}}
	if len(bytes.TrimSpace(orgs)) == 0 {
		return a, nil
	}
	var file struct {
		Organisations map[string]appealFile `json:"organisations"`
	}
	if err := strictJSON(orgs, &file); err != nil {
		return nil, fmt.Errorf("templates: the organisations' appeal texts: %w", err)
	}
	for id, own := range file.Organisations {
		merged := base.with(own)
		t, err := merged.parse()
		if err != nil {
			return nil, fmt.Errorf("templates: the appeal texts of %s: %w", id, err)
		}
		a.byOrg[id] = t
	}
	return a, nil
}

// For returns the texts of organisation org: its own, or the default.
func (a *Appeals) For(org string) *AppealTexts {
	if t, ok := a.byOrg[org]; ok {
		return t
	}
	return a.def
}

func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// with is f changed by own.
func (f appealFile) with(own appealFile) appealFile {
	out := f
	for _, p := range []struct {
		dst *string
		src string
	}{
		{&out.Version, own.Version}, {&out.Kind, own.Kind}, {&out.Title, own.Title}, {&out.Decision, own.Decision},
		{&out.Court, own.Court}, {&out.CourtAddress, own.CourtAddress}, {&out.Address, own.Address}, {&out.NoticeBoard, own.NoticeBoard},
	} {
		if p.src != "" {
			*p.dst = p.src
		}
	}
	if own.Version == "" {
		out.Version = f.Version + "+org" // the organisation changed something: not the default's version
	}
	out.Routes = maps.Clone(f.Routes)
	for r, rt := range own.Routes {
		out.Routes[r] = rt
	}
	return out
}

// parse parses every text and tries it on sample data with and without
// the dates.
func (f appealFile) parse() (*AppealTexts, error) {
	t := &AppealTexts{Version: f.Version, Kind: f.Kind, Title: f.Title, Court: f.Court, CourtAddress: f.CourtAddress,
		Address: f.Address, NoticeBoard: f.NoticeBoard, routes: map[string]appealRoute{}}
	if f.Version == "" || f.Kind == "" || f.Title == "" || f.Court == "" || f.NoticeBoard == "" {
		return nil, fmt.Errorf("version, kind, title, court and noticeBoard are required")
	}
	var err error
	if t.decision, err = template.New("decision").Option("missingkey=error").Parse(f.Decision); err != nil {
		return nil, err
	}
	for name := range f.Routes {
		if !slices.Contains(appealRoutes, name) {
			return nil, fmt.Errorf("unknown route %q (%s)", name, strings.Join(appealRoutes, ", "))
		}
	}
	for _, name := range appealRoutes {
		r, ok := f.Routes[name]
		if !ok || r.Heading == "" || len(r.Paragraphs) == 0 {
			return nil, fmt.Errorf("route %s needs a heading and paragraphs", name)
		}
		ar := appealRoute{heading: r.Heading}
		for i, p := range r.Paragraphs {
			pt, err := template.New(fmt.Sprintf("%s[%d]", name, i)).Option("missingkey=error").Parse(p)
			if err != nil {
				return nil, err
			}
			ar.paragraphs = append(ar.paragraphs, pt)
		}
		t.routes[name] = ar
	}
	for _, d := range []AppealData{{}, {Posted: "1 januari 2025", LastDay: "22 januari 2025", Statute: "x"}} {
		if _, err := t.Decision(d); err != nil {
			return nil, err
		}
		for _, name := range appealRoutes {
			if _, err := t.Section(name, d); err != nil {
				return nil, err
			}
		}
	}
	return t, nil
}

// fill completes d with the organisation's settings.
func (t *AppealTexts) fill(d AppealData) AppealData {
	d.Court, d.CourtAddress, d.Address, d.NoticeBoard = t.Court, t.CourtAddress, t.Address, t.NoticeBoard
	return d
}

// Decision is the line naming the decision appealed.
func (t *AppealTexts) Decision(d AppealData) (string, error) {
	return run(t.decision, t.fill(d))
}

// Section is the instruction for route ("legality", "administrative",
// "none") filled in with d.
func (t *AppealTexts) Section(route string, d AppealData) (AppealSection, error) {
	r, ok := t.routes[route]
	if !ok {
		return AppealSection{}, fmt.Errorf("templates: no appeal text for route %q", route)
	}
	d = t.fill(d)
	s := AppealSection{Heading: r.heading}
	for _, p := range r.paragraphs {
		text, err := run(p, d)
		if err != nil {
			return AppealSection{}, err
		}
		s.Paragraphs = append(s.Paragraphs, text)
	}
	return s, nil
}

func run(t *template.Template, d AppealData) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, d); err != nil {
		return "", fmt.Errorf("templates: filling in %s: %w", t.Name(), err)
	}
	return strings.TrimSpace(b.String()), nil
}
