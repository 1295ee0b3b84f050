package service

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/distribute"
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
}

func (u *ui) certifyView(c *gin.Context, rec *archive.Record, req CertifyRequest) certifyView {
	v := certifyView{ID: rec.ID, Heading: heading(rec), Titles: rec.Titles, Name: req.Name, Title: req.Title, Place: req.Place}
	_, v.Current = certViews(rec)
	v.Renditions = u.renditionChoices(c, rec, req)
	return v
}

func (u *ui) certifyForm(c *gin.Context) {
	rec, _, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	u.render(c, http.StatusOK, "certify", "Bestyrk "+heading(rec), "list", u.certifyView(c, rec, CertifyRequest{}))
}

// certify runs the form's steps: "review" checks the fields and asks for
// confirmation, "edit" goes back to the form, "sign" certifies.
func (u *ui) certify(c *gin.Context) {
	rec, _, ok := u.record(c)
	if !ok || u.refuseUnadjusted(c, rec, "bestyrkas") {
		return
	}
	req := CertifyRequest{
		Name: c.PostForm("name"), Title: c.PostForm("title"),
		Place: c.PostForm("place"), NewVersion: c.PostForm("newVersion") != "",
	}
	for _, r := range c.PostFormArray("rendition") {
		req.Renditions = append(req.Renditions, extract.Rendition(r))
	}
	req.normalize()
	v := u.certifyView(c, rec, req)
	title := "Bestyrk " + heading(rec)
	for _, r := range req.renditions() {
		if !u.uiRendition(c, rec, r, r == extract.Public || r == extract.Internal) {
			return
		}
	}
	errs := req.validate(u.s.cfg.Limits)
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
	for _, r := range req.renditions() {
		if rec.CertifiedAs(r) != nil && !req.NewVersion {
			u.errorPage(c, http.StatusConflict, "Redan bestyrkt", "Utdraget bestyrktes medan du fyllde i formuläret. Öppna utdraget igen för att se det.")
			return
		}
	}
	_, cert, err := u.s.certifyAndRecord(c, rec.ID, req)
	if errors.Is(err, errCertified) || errors.Is(err, errCertifiedMeanwhile) {
		u.errorPage(c, http.StatusConflict, "Redan bestyrkt", "Någon annan bestyrkte utdraget samtidigt. Öppna utdraget igen för att se den bestyrkta versionen.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.s.log.InfoContext(c.Request.Context(), "extract certified", "id", rec.ID, "version", cert.Version, "key", c.GetString(ctxKeyName))
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
func (u *ui) distributePage(c *gin.Context) {
	rec, _, ok := u.record(c)
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
	if na := u.s.checkAdjusted(rec, "expedieras"); na != nil {
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
	msg, err := u.s.message(c, rec)
	var rm *renditionsMissing
	if errors.As(err, &rm) {
		v.Error = fmt.Sprintf("Utdragets %s version är inte bestyrkt, och den ska till %s. Bestyrk den först.",
			rm.rendition.Definite(), strings.Join(rm.recipients, ", "))
		u.render(c, http.StatusConflict, "distribute", title, "list", v)
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	resolved := u.dir.Resolve(msg.Organisation.ID, msg.Recipients)
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
func (u *ui) distribute(c *gin.Context) {
	rec, _, ok := u.record(c)
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
	msg, err := u.s.message(c, rec)
	if errors.As(err, new(*renditionsMissing)) {
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
	_, err = u.s.distribute(c.Request.Context(), msg)
	if errors.Is(err, distribute.ErrInProgress) {
		c.Header("Retry-After", "10")
		u.errorPage(c, http.StatusConflict, "Utskick pågår", "Utdraget expedieras redan från en annan flik eller av en kollega. Öppna sidan igen om en stund för att se resultatet.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	u.s.log.InfoContext(c.Request.Context(), "extract distributed", "id", rec.ID, "key", c.GetString(ctxKeyName))
	c.Redirect(http.StatusSeeOther, "/utdrag/"+rec.ID+"/expediera?skickat=1")
}
