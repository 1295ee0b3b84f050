package clerk

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/domain"
	"utdrag/extract"
)

// The clerk pages show both renditions of an extract with parts marked
// confidential: the public one to every clerk, the internal one to a
// clerk whose key is allowed confidential content (as the API does).

// renditionView is one rendition on the extract page.
type renditionView struct {
	Name, Label string
	Pages       int
	SHA256      string
	// Allowed: the clerk may open it; PDF, HTML and Certified are its
	// links (Certified empty while no version of it is certified).
	Allowed              bool
	PDF, HTML, Certified string
	CertifiedVersion     int
}

// renditionViews describes the renditions of rec for the clerk of c; nil
// for an extract with one rendition, which the page shows as before.
func (u *Pages) renditionViews(c *gin.Context, rec *archive.Record) []renditionView {
	if !rec.Has(extract.Internal) {
		return nil
	}
	base := "/utdrag/" + rec.ID
	var out []renditionView
	for _, r := range rec.RenditionsKept() {
		v := renditionView{Name: string(r), Label: r.Label(), Pages: rec.Pages, SHA256: rec.SHA256,
			Allowed: r == extract.Public || u.d.MayReadConfidential(u.caller(c)),
			PDF:     base + "/pdf?rendition=" + string(r), HTML: base + "/html?rendition=" + string(r)}
		if r == extract.Internal {
			v.Pages, v.SHA256 = rec.Internal.Pages, rec.Internal.SHA256
		}
		if cert := rec.CertifiedAs(r); cert != nil {
			v.CertifiedVersion = cert.Version
			v.Certified = base + "/bestyrkt?version=" + strconv.Itoa(cert.Version)
		}
		out = append(out, v)
	}
	return out
}

// uiRendition reads ?rendition= for a page and shows an error page when
// rec has no such rendition or the clerk may not have it.
func (u *Pages) uiRendition(c *gin.Context, rec *archive.Record, r extract.Rendition, ok bool) bool {
	switch {
	case !ok:
		u.errorPage(c, http.StatusBadRequest, "Okänd version", "Ange den offentliga eller den interna versionen.")
	case !rec.Has(r):
		u.errorPage(c, http.StatusNotFound, "Ingen sådan version", "Utdraget har ingen intern version: inget i det är sekretessmarkerat.")
	case r == extract.Internal && !u.d.MayReadConfidential(u.caller(c)):
		u.errorPage(c, http.StatusForbidden, "Sekretessbelagda uppgifter",
			"Den interna versionen innehåller sekretessbelagda uppgifter, och din behörighet omfattar dem inte. Den offentliga versionen kan du öppna.")
	default:
		return true
	}
	return false
}

// newestAllowed is the newest certification of rec the clerk may have,
// or nil.
func (u *Pages) newestAllowed(c *gin.Context, rec *archive.Record) *archive.Certification {
	for i := len(rec.Certifications) - 1; i >= 0; i-- {
		if rec.Certifications[i].RenditionOf() == extract.Public || u.d.MayReadConfidential(u.caller(c)) {
			return &rec.Certifications[i]
		}
	}
	return nil
}

// renditionLabel is the label of a recorded rendition for an extract with
// two ("" for one with a single rendition, which needs none).
func renditionLabel(rec *archive.Record, r extract.Rendition) string {
	if !rec.Has(extract.Internal) {
		return ""
	}
	return r.Label()
}

// renditionChoice is a rendition the certify form offers.
type renditionChoice struct {
	Name, Label      string
	Checked, Allowed bool
}

// renditionChoices are the renditions of rec to certify, for an extract
// with two: checked as req asks, or, on a new form, the public one and,
// for a clerk allowed confidential content, the internal one too.
func (u *Pages) renditionChoices(c *gin.Context, rec *archive.Record, req domain.CertifyRequest) []renditionChoice {
	if !rec.Has(extract.Internal) {
		return nil
	}
	var out []renditionChoice
	for _, r := range rec.RenditionsKept() {
		allowed := r == extract.Public || u.d.MayReadConfidential(u.caller(c))
		checked := allowed && (len(req.Renditions) == 0 || slices.Contains(req.Renditions, r))
		out = append(out, renditionChoice{Name: string(r), Label: r.Label(), Checked: checked, Allowed: allowed})
	}
	return out
}
