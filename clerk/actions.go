package clerk

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/domain"
	"utdrag/extract"
)

type certifyView struct {
	ID, Heading        string
	Titles             []string
	Name, Title, Place string
	Errors             map[string]string
	Current            *certView
	Confirm            bool
	// Renditions to choose among, for an extract with two.
	Renditions []renditionChoice

	// NameFixed, TitleFixed: the logged-in person's own, from the provider.
	NameFixed, TitleFixed bool
}

func (u *Pages) certifyView(c *gin.Context, rec *archive.Record, req domain.CertifyRequest) certifyView {
	v := certifyView{ID: rec.ID, Heading: heading(rec), Titles: rec.Titles, Name: req.Name, Title: req.Title, Place: req.Place}
	_, v.Current = certViews(rec)
	v.Renditions = u.renditionChoices(c, rec, req)
	v.NameFixed, v.TitleFixed = fixedFields(c)
	return v
}

func (u *Pages) certifyForm(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	var req domain.CertifyRequest
	u.certifier(c, &req)
	u.render(c, http.StatusOK, "certify", "Bestyrk "+heading(rec), "list", u.certifyView(c, rec, req))
}

// certify runs the form's steps: "review" checks the fields and asks for
// confirmation, "edit" goes back to the form, "sign" certifies.
func (u *Pages) certify(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	req := domain.CertifyRequest{
		Name: c.PostForm("name"), Title: c.PostForm("title"),
		Place: c.PostForm("place"), NewVersion: c.PostForm("newVersion") != "",
	}
	for _, r := range c.PostFormArray("rendition") {
		req.Renditions = append(req.Renditions, extract.Rendition(r))
	}
	u.certifier(c, &req)
	errs := u.d.CheckCertification(&req)
	v := u.certifyView(c, rec, req)
	title := "Bestyrk " + heading(rec)
	for _, r := range req.ToCertify() {
		if !u.uiRendition(c, rec, r, r == extract.Public || r == extract.Internal) {
			return
		}
	}
	if rec.Has(extract.Internal) && len(req.Renditions) == 0 && c.PostForm("step") != "edit" {
		errs = append(errs, extract.FieldError{Field: "rendition", Rule: "required", Message: "välj minst en version"})
	}
	if len(errs) > 0 || c.PostForm("step") == "edit" {
		v.Errors = map[string]string{}
		for _, e := range errs {
			v.Errors[e.Field] = certifyFieldError(e.Rule)
		}
		if _, ok := v.Errors["rendition"]; ok {
			v.Errors["rendition"] = "Välj minst en version att bestyrka."
		}
		status := http.StatusOK
		if len(errs) > 0 {
			status = http.StatusUnprocessableEntity
		}
		u.render(c, status, "certify", title, "list", v)
		return
	}
	if c.PostForm("step") != "sign" {
		v.Confirm = true
		u.render(c, http.StatusOK, "certify", "Bekräfta: "+title, "list", v)
		return
	}
	for _, r := range req.ToCertify() {
		if rec.CertifiedAs(r) != nil && !req.NewVersion {
			u.errorPage(c, http.StatusConflict, "Redan bestyrkt", "Utdraget bestyrktes medan du fyllde i formuläret. Öppna utdraget igen för att se det.")
			return
		}
	}
	_, cert, err := u.d.Certify(c.Request.Context(), rec.ID, req)
	if errors.Is(err, domain.ErrCertified) || errors.Is(err, domain.ErrCertifiedMeanwhile) {
		u.errorPage(c, http.StatusConflict, "Redan bestyrkt", "Någon annan bestyrkte utdraget samtidigt. Öppna utdraget igen för att se den bestyrkta versionen.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.rememberCertifier(c, req)
	u.log.InfoContext(c.Request.Context(), "extract certified", "id", rec.ID, "version", cert.Version, "key", currentSession(c).Key)
	c.Redirect(http.StatusSeeOther, fmt.Sprintf("/utdrag/%s?bestyrkt=%d", rec.ID, cert.Version))
}

func certifyFieldError(rule string) string {
	switch rule {
	case "required":
		return "Fyll i uppgiften."
	case "maxLength":
		return "Texten är för lång (högst 200 tecken)."
	case "characters", "encoding":
		return "Texten innehåller tecken som inte kan skrivas ut i utdraget, till exempel emojier eller styrtecken."
	}
	return "Uppgiften är felaktig."
}
