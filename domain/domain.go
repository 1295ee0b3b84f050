// Package domain is the vocabulary of Utdrag's domain operations, shared
// by their two clients: the HTTP API (service), which implements the
// operations, and the clerk pages (clerk), which call them through an
// interface of their own. It holds the requests, results and errors the
// operations speak, and no behaviour beyond checking a request.
//
// It may import the standard library and the domain's own packages
// (extract, archive); never service, clerk or anything that serves HTTP.
package domain

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"

	"utdrag/archive"
	"utdrag/extract"
)

// Errors the operations report.
var (
	// ErrCertified: a rendition asked for is certified and the request
	// asks for no new version.
	ErrCertified = errors.New("domain: extract already certified")
	// ErrCertifiedMeanwhile: another request took the version.
	ErrCertifiedMeanwhile = errors.New("domain: extract certified meanwhile by another request")
	// ErrBusy: every render slot is taken.
	ErrBusy = errors.New("domain: all render slots busy")
	// ErrRenderTimeout: rendering took longer than allowed.
	ErrRenderTimeout = errors.New("domain: render timed out")
)

// RenditionsMissing: a rendition some recipients need is not certified.
type RenditionsMissing struct {
	Rendition  extract.Rendition
	Recipients []string
}

func (e *RenditionsMissing) Error() string {
	return fmt.Sprintf("domain: the %s rendition is not certified, and %s need it", e.Rendition, strings.Join(e.Recipients, ", "))
}

// NotAdjusted is the refusal to certify or distribute an extract with a
// paragraph not yet justerad: an extract certifies that it agrees with
// the justerade protocol. The draft's text may still change at the
// justering, so a draft is never promoted: the case system sends the
// justerade paragraphs again, as a new extract.
type NotAdjusted struct {
	Detail string
	Errors []extract.FieldError
}

// CertifyRequest is the body of POST /v1/extracts/{id}/certification.
type CertifyRequest struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Place string `json:"place,omitempty"`
	// Date of the certification (ISO); default today in Sweden.
	Date string `json:"date,omitempty"`
	// NewVersion certifies again, keeping the earlier certified versions.
	NewVersion bool `json:"newVersion,omitempty"`
	// Renditions to certify, each as a version of its own: public (the
	// default), internal, or both.
	Renditions []extract.Rendition `json:"renditions,omitempty"`
}

// ToCertify are the renditions the request certifies, each once, the
// internal one first.
func (r CertifyRequest) ToCertify() []extract.Rendition {
	var out []extract.Rendition
	for _, want := range []extract.Rendition{extract.Internal, extract.Public} {
		if slices.Contains(r.Renditions, want) {
			out = append(out, want)
		}
	}
	if len(r.Renditions) == 0 {
		out = []extract.Rendition{extract.Public}
	}
	return out
}

// Normalize reads the texts as the extract's texts are read: Unicode NFC
// (a letter and a combining accent become the letter the fonts have),
// without surrounding white space.
func (r *CertifyRequest) Normalize() {
	for _, p := range []*string{&r.Name, &r.Title, &r.Place} {
		*p = strings.TrimSpace(norm.NFC.String(*p))
	}
}

// Validate checks the request; the texts are drawn on the certified
// extract, so they follow the rules of its texts, drawable included.
func (r CertifyRequest) Validate(lim extract.Limits) []extract.FieldError {
	var errs []extract.FieldError
	for _, f := range []struct {
		field, v string
		required bool
	}{{"name", r.Name, true}, {"title", r.Title, true}, {"place", r.Place, false}} {
		if f.required && f.v == "" {
			errs = append(errs, extract.FieldError{Field: f.field, Rule: "required", Message: "uppgiften saknas"})
			continue
		}
		errs = append(errs, extract.TextErrors(f.field, f.v, 200, lim)...)
	}
	if _, err := time.Parse(time.DateOnly, r.Date); r.Date != "" && err != nil {
		errs = append(errs, extract.FieldError{Field: "date", Rule: "format", Message: "ogiltigt datum: använd formen ÅÅÅÅ-MM-DD"})
	}
	for i, rd := range r.Renditions {
		if rd != extract.Public && rd != extract.Internal {
			errs = append(errs, extract.FieldError{Field: fmt.Sprintf("renditions[%d]", i), Rule: "enum", Message: "ange public (offentlig) eller internal (intern)"})
		}
	}
	return errs
}

// MaxVerifyBody bounds a verification upload. The upload is hashed as it
// arrives and never held, so the bound is on time and bandwidth, not
// memory.
const MaxVerifyBody = 50 << 20

// RenditionFilename is the file name of a rendition: the internal one of
// a marked extract says so ("… § 45 intern.pdf").
func RenditionFilename(name string, r extract.Rendition, marked bool) string {
	if r != extract.Internal || !marked {
		return name
	}
	return strings.TrimSuffix(name, ".pdf") + " intern.pdf"
}

// CertifiedFilename is the download name of certified version cert of
// rec: "… § 45 bestyrkt.pdf", "… bestyrkt v2.pdf" for later versions.
func CertifiedFilename(rec *archive.Record, cert archive.Certification) string {
	name := strings.TrimSuffix(RenditionFilename(rec.Filename, cert.RenditionOf(), rec.Has(extract.Internal)), ".pdf") + " bestyrkt"
	if cert.Version > 1 {
		name += " v" + strconv.Itoa(cert.Version)
	}
	return name + ".pdf"
}

// Errors of a repeated request (an idempotency key).
var (
	// ErrKeyReused: the idempotency key was used before for another
	// request (another extract or other details).
	ErrKeyReused = errors.New("domain: idempotency key used for another request")
	// ErrInProgress: the first request with the key is still running.
	ErrInProgress = errors.New("domain: the request with this idempotency key is still running")
)

// MaxIdempotencyKey bounds an idempotency key's length.
const MaxIdempotencyKey = 255

// CertificationPreview is what a certification would produce, before
// anything is signed: the rendered pages and the texts printed on them.
type CertificationPreview struct {
	// PDF is the rendition as it would be signed (without the signature),
	// Rendition which one: the public one when the request certifies it.
	PDF       []byte
	Pages     int
	Rendition extract.Rendition
	// Role, Name, Title, Place and Date are the "Rätt utdraget intygar"
	// block as the document prints it; Initials what stands in the
	// Utdragsbestyrkande box on every page.
	Role, Name, Title, Place, Date, Initials string
	// Version is the certified version the request would make.
	Version int
}

// Certified is the outcome of a certification: the record holding it,
// the first version it made, and whether it is the answer to a request
// already carried out (the same idempotency key), in which case nothing
// new was signed.
type Certified struct {
	Record        *archive.Record
	Certification *archive.Certification
	Repeated      bool
}
