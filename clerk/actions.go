package clerk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/distribute"
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

type distributeView struct {
	ID, Heading                          string
	Titles                               []string
	Notice, NoticeClass, Error           string
	Planned                              []plannedRecipient
	Messages, Emails, Manual, Unresolved int
	Status                               *distView
}

// distributePage shows who will receive the extract before it is sent,
// and afterwards the outcome per recipient.
func (u *Pages) distributePage(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok {
		return
	}
	v := distributeView{ID: rec.ID, Heading: heading(rec), Titles: rec.Titles}
	title := "Expediera " + heading(rec)
	if rec.Certified() == nil {
		v.Error = "Utdraget måste bestyrkas innan det expedieras."
		u.render(c, http.StatusConflict, "distribute", title, "list", v)
		return
	}
	if na := u.d.CheckAdjusted(rec, "expedieras"); na != nil {
		v.Error = na.Detail
		u.render(c, http.StatusConflict, "distribute", title, "list", v)
		return
	}
	ctx := c.Request.Context()
	dist, err := u.distribution(ctx, rec.ID)
	if err != nil {
		u.fail(c, err)
		return
	}
	if dist != nil {
		v.Status = newDistView(dist, time.Now())
		v.Status.showRenditions(rec, dist)
		if c.Query("skickat") != "" {
			v.Notice, v.NoticeClass = sentNotice(dist)
		}
		u.render(c, http.StatusOK, "distribute", title, "list", v)
		return
	}
	msg, err := u.d.Message(ctx, rec)
	var rm *domain.RenditionsMissing
	if errors.As(err, &rm) {
		v.Error = fmt.Sprintf("Utdragets %s version är inte bestyrkt, och den ska till %s. Bestyrk den först.",
			rm.Rendition.Definite(), strings.Join(rm.Recipients, ", "))
		u.render(c, http.StatusConflict, "distribute", title, "list", v)
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	resolved := u.d.Resolve(msg.Organisation.ID, msg.Recipients)
	v.Planned, v.Messages, v.Emails, v.Manual, v.Unresolved = newPlan(resolved)
	for i, r := range resolved {
		v.Planned[i].Rendition = plannedRendition(rec, r)
	}
	if len(v.Planned) == 0 {
		v.Error = "Utdraget saknar mottagare under Expedieras till."
	}
	u.render(c, http.StatusOK, "distribute", title, "list", v)
}

// sentNotice sums up a distribution just made.
func sentNotice(r *distribute.Record) (string, string) {
	switch {
	case r.Counts.Pending > 0:
		return fmt.Sprintf("%d av %d e-postmeddelanden är skickade. Några adresser svarade inte; försök igen om en stund.",
			r.Counts.MessagesSent, r.Counts.Messages), "warn"
	case r.Counts.Failed > 0:
		return "Utdraget är skickat, men några adresser tog inte emot det. Se svaren nedan.", "error"
	}
	return fmt.Sprintf("Utdraget är expedierat: %d av %d e-postmeddelanden är skickade.", r.Counts.MessagesSent, r.Counts.Messages), "success"
}

// distribute sends the extract to every recipient that has not yet
// received it; a second call sends only to those left.
func (u *Pages) distribute(c *gin.Context) {
	rec, ok := u.record(c)
	if !ok {
		return
	}
	if rec.Certified() == nil {
		u.errorPage(c, http.StatusConflict, "Inte bestyrkt", "Utdraget måste bestyrkas innan det expedieras.")
		return
	}
	if u.refuseUnadjusted(c, rec, "expedieras") {
		return
	}
	msg, err := u.d.Message(c.Request.Context(), rec)
	if errors.As(err, new(*domain.RenditionsMissing)) {
		u.errorPage(c, http.StatusConflict, "Version inte bestyrkt", "En version av utdraget som mottagarna behöver är inte bestyrkt. Bestyrk den först.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	if len(msg.Recipients) == 0 {
		u.errorPage(c, http.StatusConflict, "Inga mottagare", "Utdraget saknar mottagare under Expedieras till.")
		return
	}
	_, err = u.d.Distribute(c.Request.Context(), msg)
	if errors.Is(err, distribute.ErrInProgress) {
		c.Header("Retry-After", "10")
		u.errorPage(c, http.StatusConflict, "Utskick pågår", "Utdraget expedieras redan från en annan flik eller av en kollega. Öppna sidan igen om en stund för att se resultatet.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.log.InfoContext(c.Request.Context(), "extract distributed", "id", rec.ID, "key", currentSession(c).Key)
	c.Redirect(http.StatusSeeOther, "/utdrag/"+rec.ID+"/expediera?skickat=1")
}
