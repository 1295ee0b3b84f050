package service

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/compose"
)

type verifyView struct {
	Short  bool // the page of a verification address (/v/{id}/{version})
	Result *verifyResult
	Error  string
}

// verifyResult is the service's verdict on one file, for a reader.
type verifyResult struct {
	Class, Heading, Message              string
	Filename, SHA256                     string
	ID, Organisation, Organ, MeetingDate string
	Paragraphs, CaseNumbers              string
	Titles                               []string
	Latest                               bool
	Cert                                 *certView
	Signature                            *SignatureCheck
	Problems                             []string
}

func newVerifyResult(v *Verification, rec *archive.Record) *verifyResult {
	r := &verifyResult{
		Message: v.Message, SHA256: v.SHA256, ID: v.ID, Organisation: v.Organisation, Organ: v.Organ,
		MeetingDate: v.MeetingDate, CaseNumbers: strings.Join(v.CaseNumbers, ", "), Titles: v.Titles,
		Latest: v.Latest, Signature: v.Signature,
	}
	if len(v.Paragraphs) > 0 {
		r.Paragraphs = compose.ParagraphLabel(v.Paragraphs)
	}
	if v.Certification != nil && rec != nil {
		cv := newCertView(rec, *v.Certification)
		r.Cert = &cv
	}
	if v.Signature != nil && !v.Signature.Valid {
		r.Problems = v.Signature.Problems
	}
	switch {
	case v.Genuine && v.Certified:
		r.Class, r.Heading = "ok", "Äkta och bestyrkt utdrag"
	case v.Genuine:
		r.Class, r.Heading = "warn", "Äkta utdrag, men inte bestyrkt"
	case v.ID != "":
		r.Class, r.Heading = "bad", "Signaturen är inte giltig"
	default:
		r.Class, r.Heading = "bad", "Inte ett äkta utdrag"
	}
	return r
}

func (u *ui) verifyPage(c *gin.Context) {
	u.render(c, http.StatusOK, "verify", "Kontrollera ett utdrag", "verify", verifyView{})
}

// verifyUpload checks an uploaded file with the API's verification: its
// checksum against the issued extracts, and its digital signature.
func (u *ui) verifyUpload(c *gin.Context) {
	title := "Kontrollera ett utdrag"
	fh, err := c.FormFile("file")
	if err != nil {
		u.render(c, http.StatusBadRequest, "verify", title, "verify", verifyView{Error: "Välj en PDF-fil att kontrollera."})
		return
	}
	f, err := fh.Open()
	if err != nil {
		u.fail(c, err)
		return
	}
	defer f.Close()
	pdf, err := io.ReadAll(io.LimitReader(f, maxVerifyBody))
	if err != nil || len(pdf) == 0 {
		u.render(c, http.StatusBadRequest, "verify", title, "verify", verifyView{Error: "Filen är tom eller kunde inte läsas."})
		return
	}
	ctx := c.Request.Context()
	v, err := u.s.verify(ctx, archive.Checksum(pdf), pdf)
	if err != nil {
		u.fail(c, err)
		return
	}
	var rec *archive.Record
	if v.ID != "" {
		if rec, _, err = u.s.archive.Get(ctx, v.ID); err != nil {
			u.fail(c, err)
			return
		}
	}
	res := newVerifyResult(v, rec)
	res.Filename = fh.Filename
	u.render(c, http.StatusOK, "verify", title, "verify", verifyView{Result: res})
}

// verifyShort is the verification address printed on a certified extract
// and in its QR code: the status of that certified version, checked
// against the stored copy.
func (u *ui) verifyShort(c *gin.Context) {
	ctx := c.Request.Context()
	rec, _, err := u.s.archive.Get(ctx, c.Param("id"))
	n := atoiOr(c.Param("version"), 0)
	if err == nil && (n < 1 || n > len(rec.Certifications)) {
		err = archive.ErrNotFound
	}
	if errors.Is(err, archive.ErrNotFound) {
		u.errorPage(c, http.StatusNotFound, "Okänd kontrolladress",
			"Tjänsten har inte utfärdat något bestyrkt utdrag med den här adressen. Kontrollera att adressen är rätt skriven, eller välj filen på sidan Kontrollera ett utdrag.")
		return
	}
	if err != nil {
		u.fail(c, err)
		return
	}
	v, err := u.s.verify(ctx, rec.Certifications[n-1].SHA256, nil)
	if err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "verify", "Kontroll av "+heading(rec), "verify", verifyView{Short: true, Result: newVerifyResult(v, rec)})
}
