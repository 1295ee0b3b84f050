// Package templates holds the layout templates per organisation: page size,
// margins, fonts and sizes, the Swedish labels of the protocol, and the
// fields of the running header and footer. Templates are versioned and
// embedded; Load parses them once at start-up.
//
// It may import the standard library and fonts.
package templates

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

//go:embed */template.json
var files embed.FS

// Default is the template used when neither the extract nor its
// organisation names one.
const Default = "standard"

// Template is one layout template.
type Template struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Page    Page   `json:"page"`
	Fonts   Fonts  `json:"fonts"`
	Labels  Labels `json:"labels"`
	// PDFA is the PDF/A part the template's extracts are written in: 1,
	// 2 or 3; 0 is 2.
	PDFA int `json:"pdfa,omitempty"`
}

// Page geometry in millimetres (as fpdf takes it).
type Page struct {
	Width        float64 `json:"width"`
	Height       float64 `json:"height"`
	MarginTop    float64 `json:"marginTop"`
	MarginBottom float64 `json:"marginBottom"`
	MarginLeft   float64 `json:"marginLeft"`
	MarginRight  float64 `json:"marginRight"`
	HeaderHeight float64 `json:"headerHeight"` // running header band below MarginTop
	FooterHeight float64 `json:"footerHeight"` // footer boxes above MarginBottom
	// ParagraphPerPage starts each paragraph (§) of a multi-paragraph
	// extract on a new page.
	ParagraphPerPage bool `json:"paragraphPerPage"`
}

// Fonts names the faces and sizes (points).
type Fonts struct {
	Body      string  `json:"body"`    // family of running text
	Heading   string  `json:"heading"` // family of headings and furniture
	BodySize  float64 `json:"bodySize"`
	Leading   float64 `json:"leading"` // line height as a multiple of size
	H1Size    float64 `json:"h1Size"`
	H2Size    float64 `json:"h2Size"`
	H3Size    float64 `json:"h3Size"`
	SmallSize float64 `json:"smallSize"`
}

// Labels are the words printed on the extract, in Swedish. A pair is the
// singular and the plural form: the label follows the number.
type Labels struct {
	Kind                string    `json:"kind"`                // PROTOKOLLSUTDRAG
	MeetingDate         string    `json:"meetingDate"`         // Sammanträdesdatum
	Draft               string    `json:"draft"`               // Ej justerat: running header of a draft
	Page                string    `json:"page"`                // "%d (%d)"
	PlaceAndTime        string    `json:"placeAndTime"`        // Plats och tid
	CaseNumber          string    `json:"caseNumber"`          // Dnr, before the case number in the heading
	Proposal            string    `json:"proposal"`            // Förslag till beslut
	Motions             string    `json:"motions"`             // Yrkanden
	Propositions        string    `json:"propositions"`        // Proposition
	Vote                string    `json:"vote"`                // Votering
	Decision            string    `json:"decision"`            // Beslut
	Reservations        [2]string `json:"reservations"`        // Reservation, Reservationer
	Notes               [2]string `json:"notes"`               // Protokollsanteckning, Protokollsanteckningar
	Disqualifications   string    `json:"disqualifications"`   // Jäv
	DistributeTo        string    `json:"distributeTo"`        // Expedieras till
	Basis               string    `json:"basis"`               // Beslutsunderlag
	ImmediatelyAdjusted string    `json:"immediatelyAdjusted"` // Paragrafen förklaras omedelbart justerad.
	AdjustersSign       string    `json:"adjustersSign"`       // Justerandes sign
	ExtractCertified    string    `json:"extractCertified"`    // Utdragsbestyrkande
	Certifies           string    `json:"certifies"`           // Rätt utdraget intygar
	Adjuster            string    `json:"adjuster"`            // Justerare
	Chair               string    `json:"chair"`               // Ordförande
	Secretary           string    `json:"secretary"`           // Sekreterare
	Member              string    `json:"member"`              // Ledamot
	Yes                 string    `json:"yes"`                 // Ja
	No                  string    `json:"no"`                  // Nej
	Abstain             string    `json:"abstain"`             // Avstår
	Remark              string    `json:"remark"`              // Anmärkning: why a member called did not vote
	BallotDisqualified  string    `json:"ballotDisqualified"`  // jäv, deltar inte
	BallotAbsent        string    `json:"ballotAbsent"`        // frånvarande
	Sum                 string    `json:"sum"`                 // Summa
	VoteResult          string    `json:"voteResult"`          // "Omröstningsresultat: %s, %s och %d avstår."
	VoteResultAll       string    `json:"voteResultAll"`       // "Omröstningsresultat: %s och %s.": nobody abstained
	YesVotes            [2]string `json:"yesVotes"`            // "ja-röst", "ja-röster": one, several
	NoVotes             [2]string `json:"noVotes"`             // "nej-röst", "nej-röster"
	DisqualifiedDefault string    `json:"disqualifiedDefault"` // anmäler jäv och deltar inte …
	ElectronicSigned    string    `json:"electronicSigned"`    // Signerat elektroniskt
	Adjustment          string    `json:"adjustment"`          // Justeringens plats och tid
	// Secrecy. Each %s is the legal ground: "OSL 26 kap. 1 §".
	Withheld              string `json:"withheld"`              // [Uppgift borttagen enligt %s]: a secret part in the public rendition
	ConfidentialHeader    string `json:"confidentialHeader"`    // Innehåller sekretessbelagda uppgifter: running header of the internal rendition
	ConfidentialMark      string `json:"confidentialMark"`      // [Sekretess enligt %s]: after a secret part in the internal rendition
	ConfidentialSection   string `json:"confidentialSection"`   // Avsnittet omfattas av sekretess enligt %s.
	ConfidentialParagraph string `json:"confidentialParagraph"` // Paragrafen omfattas av sekretess enligt %s.
	ConfidentialNames     string `json:"confidentialNames"`     // Skuggade namn omfattas av sekretess enligt %s.
	WithheldNote          string `json:"withheldNote"`          // above the signatures of a public rendition with parts removed
}

// Set is every template, parsed once.
type Set struct {
	byName map[string]*Template
}

// Load parses the embedded templates.
func Load() (*Set, error) {
	set := &Set{byName: map[string]*Template{}}
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) != "template.json" {
			return err
		}
		raw, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		var t Template
		if err := json.Unmarshal(raw, &t); err != nil {
			return fmt.Errorf("templates: parsing %s: %w", p, err)
		}
		if err := t.check(); err != nil {
			return fmt.Errorf("templates: %s: %w", p, err)
		}
		set.byName[t.Name] = &t
		return nil
	})
	if err != nil {
		return nil, err
	}
	if set.byName[Default] == nil {
		return nil, fmt.Errorf("templates: default template %q missing", Default)
	}
	return set, nil
}

// Get returns the named template; "" gives the default.
func (s *Set) Get(name string) (*Template, bool) {
	if name == "" {
		name = Default
	}
	t, ok := s.byName[name]
	return t, ok
}

// Names lists the templates, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ID is the template's name and version: it enters each extract's identity,
// so a new template version gives new extracts.
func (t *Template) ID() string { return t.Name + "@" + t.Version }

func (t *Template) check() error {
	var missing []string
	if t.Name == "" {
		missing = append(missing, "name")
	}
	if t.Version == "" {
		missing = append(missing, "version")
	}
	if t.Page.Width <= 0 || t.Page.Height <= 0 {
		missing = append(missing, "page size")
	}
	if t.Fonts.BodySize <= 0 || t.Fonts.Leading <= 0 {
		missing = append(missing, "font sizes")
	}
	if t.Labels.Kind == "" || t.Labels.Decision == "" || t.Labels.Draft == "" || t.Labels.ImmediatelyAdjusted == "" {
		missing = append(missing, "labels")
	}
	l := t.Labels
	for _, f := range []string{l.Withheld, l.ConfidentialMark, l.ConfidentialSection, l.ConfidentialParagraph, l.ConfidentialNames} {
		if strings.Count(f, "%s") != 1 || strings.Count(f, "%") != 1 {
			missing = append(missing, "secrecy labels (each with one %s for the ground)")
			break
		}
	}
	if l.ConfidentialHeader == "" || l.WithheldNote == "" {
		missing = append(missing, "confidentialHeader, withheldNote")
	}
	if len(missing) > 0 {
		return fmt.Errorf("incomplete template: %s", strings.Join(missing, ", "))
	}
	return nil
}
