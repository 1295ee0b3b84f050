package clerk

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"utdrag/archive"
	"utdrag/compose"
	"utdrag/domain"
	"utdrag/extract"
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
	Signature                            *domain.SignatureCheck
	LongTerm                             *longTermView
	Problems                             []string
	// Rendition says which rendition the file is, for an extract with two.
	Rendition string
	// Protocol is the comparison with the stored protocol of the meeting.
	Protocol *domain.ProtocolCheck
}

// longTermView is what an archivist reads of a signature: its level, when
// it was made, its chain and each certificate's revocation status then,
// and the archive timestamps.
type longTermView struct {
	Level, SigningTime, LastArchive, RenewBy string
	Timestamped, ValidAtSigning              bool
	Chain, Revocation                        []string
}

func newLongTermView(sc *domain.SignatureCheck) *longTermView {
	lv := &longTermView{
		Level: levelName(sc.Level), SigningTime: clock(sc.SigningTime), Timestamped: sc.Timestamped,
		ValidAtSigning: sc.ValidAtSigningTime, RenewBy: dateOf(sc.RenewBy),
	}
	if !sc.LastArchiveTimestamp.IsZero() {
		lv.LastArchive = clock(sc.LastArchiveTimestamp)
	}
	for _, c := range sc.Chain {
		lv.Chain = append(lv.Chain, fmt.Sprintf("%s (giltigt %s – %s)", c.Subject, dateOf(c.NotBefore), dateOf(c.NotAfter)))
	}
	for _, r := range sc.Revocation {
		lv.Revocation = append(lv.Revocation, r.Subject+": "+revocationText(r))
	}
	return lv
}

// revocationText says a certificate's status at signing in Swedish.
func revocationText(r domain.RevocationStatus) string {
	source := ""
	if r.Source != "" {
		source = " (" + r.Source + " " + clock(r.Issued) + ")"
	}
	switch {
	case r.Status == "good" && !r.RevokedAt.IsZero():
		return "giltigt vid signeringen, återkallat senare (" + clock(r.RevokedAt) + ")" + source
	case r.Status == "good":
		return "inte återkallat" + source
	case r.Status == "revoked":
		return "återkallat " + clock(r.RevokedAt) + ", före signeringen" + source
	}
	return "okänd: filen saknar spärrinformation"
}

func newVerifyResult(v *domain.Verification, rec *archive.Record) *verifyResult {
	r := &verifyResult{
		Message: v.Message, SHA256: v.SHA256, ID: v.ID, Organisation: v.Organisation, Organ: v.Organ,
		MeetingDate: v.MeetingDate, CaseNumbers: strings.Join(v.CaseNumbers, ", "), Titles: v.Titles,
		Latest: v.Latest, Signature: v.Signature, Protocol: v.Protocol,
	}
	if len(v.Paragraphs) > 0 {
		r.Paragraphs = compose.ParagraphLabel(v.Paragraphs)
	}
	if rec != nil && rec.Has(extract.Internal) && v.Genuine {
		r.Rendition = "Offentlig: de sekretessbelagda uppgifterna är ersatta med en hänvisning till sekretessgrunden"
		if v.Rendition == extract.Internal {
			r.Rendition = "Intern: innehåller sekretessbelagda uppgifter"
		}
	}
	if v.Certification != nil && rec != nil {
		cv := newCertView(rec, *v.Certification)
		r.Cert = &cv
	}
	if v.Signature != nil && !v.Signature.Valid {
		r.Problems = v.Signature.Problems
	}
	if v.Signature != nil && v.Signature.Valid {
		r.LongTerm = newLongTermView(v.Signature)
		if v.Signature.RevokedBeforeSigning {
			r.Problems = v.Signature.Problems
		}
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

func (u *Pages) verifyPage(c *gin.Context) {
	u.render(c, http.StatusOK, "verify", "Kontrollera ett utdrag", "verify", verifyView{})
}

// verifyUpload checks an uploaded file with the API's verification: its
// checksum against the issued extracts, and the stored copy's digital
// signature. It takes a verification slot before reading the body, and
// reads the form's token before the file (see readVerifyForm).
func (u *Pages) verifyUpload(c *gin.Context) {
	title := "Kontrollera ett utdrag"
	ctx := c.Request.Context()
	release, ok := u.d.VerifySlot(ctx)
	if !ok {
		c.Header("Retry-After", "1")
		u.errorPage(c, http.StatusServiceUnavailable, "Tjänsten är upptagen", "Tjänsten kontrollerar just nu så många filer den kan. Försök igen om en stund.")
		return
	}
	defer release()
	_, params, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		params = nil
	}
	sess := currentSession(c)
	up, err := readVerifyForm(c.Request.Body, params["boundary"], func(token string) bool {
		return u.sessions.validCSRF(sess, token)
	})
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errFormToken):
		u.refuseForm(c)
		return
	case errors.As(err, &mbe):
		u.render(c, http.StatusRequestEntityTooLarge, "verify", title, "verify", verifyView{Error: "Filen är för stor för att vara ett utdrag från tjänsten."})
		return
	case err != nil:
		u.render(c, http.StatusBadRequest, "verify", title, "verify", verifyView{Error: "Välj en PDF-fil att kontrollera. Filen var tom eller kunde inte läsas."})
		return
	}
	v, err := u.d.Verify(ctx, up.SHA256)
	if err != nil {
		u.fail(c, err)
		return
	}
	var rec *archive.Record
	if v.ID != "" {
		if rec, err = u.d.Issued(ctx, v.ID); err != nil {
			u.fail(c, err)
			return
		}
	}
	res := newVerifyResult(v, rec)
	res.Filename = up.Filename
	u.render(c, http.StatusOK, "verify", title, "verify", verifyView{Result: res})
}

// verifyShort is the verification address printed on a certified extract
// and in its QR code: the status of that certified version, checked
// against the stored copy.
func (u *Pages) verifyShort(c *gin.Context) {
	ctx := c.Request.Context()
	rec, err := u.d.Issued(ctx, c.Param("id"))
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
	v, err := u.d.Verify(ctx, rec.Certifications[n-1].CurrentSHA256())
	if err != nil {
		u.fail(c, err)
		return
	}
	u.render(c, http.StatusOK, "verify", "Kontroll av "+heading(rec), "verify", verifyView{Short: true, Result: newVerifyResult(v, rec)})
}
