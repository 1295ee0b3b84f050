package clerk

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/domain"
	"utdrag/extract"
	"utdrag/internal/download"
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
	// Key is the form's idempotency key: one per certification the clerk
	// sets out to make, carried from the form through the confirmation,
	// so that signing twice with it (reload, Back, a double click) makes
	// one version.
	Key string
	// Preview is what signing would produce, on the confirmation;
	// PreviewURL the rendered pages as PDF.
	Preview    *domain.CertificationPreview
	PreviewURL string
	// NameFixed, TitleFixed: the logged-in person's own, from the provider.
	NameFixed, TitleFixed bool
}

func (u *Pages) certifyView(c *gin.Context, rec *archive.Record, req domain.CertifyRequest, key string) certifyView {
	v := certifyView{ID: rec.ID, Heading: heading(rec), Titles: rec.Titles, Name: req.Name, Title: req.Title, Place: req.Place, Key: key}
	_, v.Current = certViews(rec)
	v.Renditions = u.renditionChoices(c, rec, req)
	v.NameFixed, v.TitleFixed = fixedFields(c)
	return v
}

// certifyRequest reads the certification the form (or the confirmation's
// address) asks for, and its idempotency key.
func certifyRequest(get func(string) string, all func(string) []string) (domain.CertifyRequest, string) {
	req := domain.CertifyRequest{Name: get("name"), Title: get("title"), Place: get("place"), NewVersion: get("newVersion") != ""}
	for _, r := range all("rendition") {
		req.Renditions = append(req.Renditions, extract.Rendition(r))
	}
	key := get("nyckel")
	if len(key) > domain.MaxIdempotencyKey {
		key = ""
	}
	return req, key
}

// certifyQuery is the address of the confirmation (steg=granska) or of
// the preview of req.
func certifyQuery(path string, req domain.CertifyRequest, key string, step bool) string {
	q := url.Values{"name": {req.Name}, "title": {req.Title}}
	if req.Place != "" {
		q.Set("place", req.Place)
	}
	for _, r := range req.Renditions {
		q.Add("rendition", string(r))
	}
	if step {
		q.Set("steg", "granska")
		if key != "" {
			q.Set("nyckel", key)
		}
	}
	return path + "?" + q.Encode()
}

// certifyForm shows the form with a new idempotency key, or, with
// ?steg=granska (where the form's review redirects), the confirmation.
func (u *Pages) certifyForm(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	if c.Query("steg") == "granska" {
		req, key := certifyRequest(c.Query, c.QueryArray)
		u.certifier(c, &req)
		u.confirmCertification(c, rec, req, key)
		return
	}
	var req domain.CertifyRequest
	u.certifier(c, &req)
	u.render(c, http.StatusOK, "certify", "Bestyrk "+heading(rec), "list", u.certifyView(c, rec, req, rand.Text()))
}

// formErrors shows the form again with the clerk's text kept and each
// field's error.
func (u *Pages) formErrors(c *gin.Context, rec *archive.Record, req domain.CertifyRequest, key string, errs []extract.FieldError) {
	v := u.certifyView(c, rec, req, key)
	v.Errors = map[string]string{}
	for _, e := range errs {
		if _, seen := v.Errors[e.Field]; !seen {
			v.Errors[e.Field] = certifyFieldError(e)
		}
	}
	if _, ok := v.Errors["rendition"]; ok {
		v.Errors["rendition"] = "Välj minst en version att bestyrka."
	}
	u.render(c, http.StatusUnprocessableEntity, "certify", "Bestyrk "+heading(rec), "list", v)
}

// checkRequest is every check the form can make before rendering: the
// fields' rules and the choice of renditions.
func (u *Pages) checkRequest(c *gin.Context, rec *archive.Record, req *domain.CertifyRequest) ([]extract.FieldError, bool) {
	for _, r := range req.ToCertify() {
		if !u.uiRendition(c, rec, r, r == extract.Public || r == extract.Internal) {
			return nil, false
		}
	}
	errs := u.d.CheckCertification(req)
	if rec.Has(extract.Internal) && len(req.Renditions) == 0 {
		errs = append(errs, extract.FieldError{Field: "rendition", Rule: "required", Message: "välj minst en version"})
	}
	return errs, true
}

// checkForm checks the certification req of the form for rec, or shows
// the form again with its errors (or the page of a failure) and reports
// false.
func (u *Pages) checkForm(c *gin.Context, rec *archive.Record, req *domain.CertifyRequest, key string) bool {
	errs, ok := u.checkRequest(c, rec, req)
	if !ok {
		return false
	}
	if len(errs) > 0 {
		u.formErrors(c, rec, *req, key, errs)
		return false
	}
	return true
}

// confirmCertification renders the certification req would make and asks
// the clerk to confirm it, showing the very pages that would be signed;
// a name or title that does not fit goes back to the form, text kept.
func (u *Pages) confirmCertification(c *gin.Context, rec *archive.Record, req domain.CertifyRequest, key string) {
	if !u.checkForm(c, rec, &req, key) {
		return
	}
	p, err := u.d.PreviewCertification(c.Request.Context(), rec, req)
	var verr extract.ValidationError
	if errors.As(err, &verr) {
		u.formErrors(c, rec, req, key, verr)
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	v := u.certifyView(c, rec, req, key)
	v.Confirm, v.Preview = true, p
	v.PreviewURL = certifyQuery("/utdrag/"+rec.ID+"/bestyrk/forhandsvisning", req, "", false)
	u.render(c, http.StatusOK, "certify", "Bekräfta: Bestyrk "+heading(rec), "list", v)
}

// certifyPreview sends the rendered pages of a certification not yet
// made, to show in the confirmation.
func (u *Pages) certifyPreview(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	req, _ := certifyRequest(c.Query, c.QueryArray)
	u.certifier(c, &req)
	errs, ok := u.checkRequest(c, rec, &req)
	if !ok {
		return
	}
	p, err := u.d.PreviewCertification(c.Request.Context(), rec, req)
	if len(errs) > 0 || errors.As(err, new(extract.ValidationError)) {
		u.errorPage(c, http.StatusUnprocessableEntity, "Kan inte förhandsvisas", "Uppgifterna i bestyrkandet är ofullständiga eller får inte plats. Gå tillbaka till formuläret och rätta dem.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	c.Header("Content-Security-Policy", "frame-ancestors 'self'")
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", download.Disposition("inline", "Förhandsvisning "+domain.RenditionFilename(rec.Filename, p.Rendition, rec.Has(extract.Internal))))
	c.Data(http.StatusOK, "application/pdf", p.PDF)
}

// certify runs the form's steps: "review" checks the fields and redirects
// to the confirmation (post/redirect/get: reloading it posts nothing),
// "edit" goes back to the form, "sign" certifies and redirects to the
// extract. Signing again with the form's key answers with the first
// result.
func (u *Pages) certify(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	req, key := certifyRequest(c.PostForm, c.PostFormArray)
	u.certifier(c, &req)
	title := "Bestyrk " + heading(rec)
	switch c.PostForm("step") {
	case "edit":
		u.d.CheckCertification(&req)
		u.render(c, http.StatusOK, "certify", title, "list", u.certifyView(c, rec, req, key))
		return
	case "sign":
	default:
		if !u.checkForm(c, rec, &req, key) {
			return
		}
		c.Redirect(http.StatusSeeOther, certifyQuery("/utdrag/"+rec.ID+"/bestyrk", req, key, true))
		return
	}
	if !u.checkForm(c, rec, &req, key) {
		return
	}
	out, err := u.d.Certify(c.Request.Context(), rec.ID, req, key)
	var verr extract.ValidationError
	switch {
	case errors.As(err, &verr):
		u.formErrors(c, rec, req, key, verr)
		return
	case errors.Is(err, domain.ErrInProgress):
		c.Header("Retry-After", "2")
		u.errorPage(c, http.StatusConflict, "Bestyrkandet pågår", "Utdraget bestyrks just nu med de här uppgifterna, från en annan flik eller ett tidigare klick. Öppna utdraget om en stund för att se den bestyrkta versionen.")
		return
	case errors.Is(err, domain.ErrKeyReused):
		u.errorPage(c, http.StatusConflict, "Formuläret är redan använt", "Formuläret har redan använts för ett annat bestyrkande. Öppna utdraget och börja om.")
		return
	case errors.Is(err, domain.ErrCertified), errors.Is(err, domain.ErrCertifiedMeanwhile):
		u.errorPage(c, http.StatusConflict, "Redan bestyrkt", "Någon annan bestyrkte utdraget samtidigt. Öppna utdraget igen för att se den bestyrkta versionen.")
		return
	case err != nil:
		u.fail(c, err)
		return
	}
	to := fmt.Sprintf("/utdrag/%s?bestyrkt=%d", rec.ID, out.Certification.Version)
	if out.Repeated {
		to += "&igen=1"
	} else {
		u.rememberCertifier(c, req)
		u.log.InfoContext(c.Request.Context(), "extract certified", "id", rec.ID, "version", out.Certification.Version, "key", currentSession(c).Key)
	}
	c.Redirect(http.StatusSeeOther, to)
}

func certifyFieldError(e extract.FieldError) string {
	switch e.Rule {
	case "required":
		return "Fyll i uppgiften."
	case "maxLength":
		return "Texten är för lång (högst 200 tecken)."
	case "characters", "encoding":
		return "Texten innehåller tecken som inte kan skrivas ut i utdraget, till exempel emojier eller styrtecken."
	case "fit":
		return "Namnet är för långt för utdraget: " + e.Message + "."
	}
	return "Uppgiften är felaktig."
}
