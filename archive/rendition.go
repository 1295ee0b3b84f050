package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"utdrag/extract"
)

// An extract with parts marked confidential is kept in two renditions. The
// record (meta.json), the PDF and HTML beside it and everything listing,
// search and verification read are the public rendition's: the record's
// Extract is the masked copy (compose.Mask), which holds none of the
// secret text. What only the internal rendition needs lies apart, under
// internal/, each object named in the record by its checksum:
//
//	extracts/{id}/internal/extract.pdf   the internal rendition
//	extracts/{id}/internal/extract.html  its HTML rendition
//	extracts/{id}/internal/source.json   the input as received (canonical
//	                                     JSON), to render it again
//
// A certified version is of one rendition (Certification.Rendition); the
// versions of both are numbered in one sequence.

// InternalPDFKey, InternalHTMLKey and SourceKey are where the internal
// rendition's objects are kept.
func InternalPDFKey(id string) string  { return dir(id) + "internal/extract.pdf" }
func InternalHTMLKey(id string) string { return dir(id) + "internal/extract.html" }
func SourceKey(id string) string       { return dir(id) + "internal/source.json" }

// Internal describes the internal rendition of an extract: its PDF, HTML
// and source by checksum and size.
type Internal struct {
	SHA256       string `json:"sha256"`
	Bytes        int    `json:"bytes"`
	Pages        int    `json:"pages"`
	HTMLSHA256   string `json:"htmlSha256"`
	HTMLBytes    int    `json:"htmlBytes"`
	SourceSHA256 string `json:"sourceSha256"`
	SourceBytes  int    `json:"sourceBytes"`
}

// Has reports whether rec has rendition r. A record from before renditions
// were kept has the public one alone.
func (r *Record) Has(rendition extract.Rendition) bool {
	if rendition == extract.Internal {
		return r.Internal != nil
	}
	return rendition == extract.Public
}

// RenditionsKept lists the renditions of rec: internal first when it has
// one.
func (r *Record) RenditionsKept() []extract.Rendition {
	if len(r.Renditions) > 0 {
		return r.Renditions
	}
	return []extract.Rendition{extract.Public}
}

// RenditionOf is the rendition of a certification (records from before
// renditions were kept certified the public one).
func (c *Certification) RenditionOf() extract.Rendition {
	if c.Rendition == "" {
		return extract.Public
	}
	return c.Rendition
}

// CertifiedAs returns the newest certification of rendition r, or nil.
func (r *Record) CertifiedAs(rendition extract.Rendition) *Certification {
	for i := len(r.Certifications) - 1; i >= 0; i-- {
		if r.Certifications[i].RenditionOf() == rendition {
			return &r.Certifications[i]
		}
	}
	return nil
}

// AddInternal describes the internal rendition of rec (its PDF, HTML and
// the input as received) in rec, before rec is created: Create stores the
// objects with the public rendition's, create-once and adopted alike, and
// indexes the PDF's checksum as the internal rendition.
func (r *Record) AddInternal(pdf, html, source []byte, pages int) {
	r.Internal = &Internal{SHA256: Checksum(pdf), Bytes: len(pdf), Pages: pages,
		HTMLSHA256: Checksum(html), HTMLBytes: len(html), SourceSHA256: Checksum(source), SourceBytes: len(source)}
	r.Renditions = []extract.Rendition{extract.Internal, extract.Public}
	r.internal = []object{
		{SourceKey(r.ID), "application/json", source},
		{InternalPDFKey(r.ID), "application/pdf", pdf},
		{InternalHTMLKey(r.ID), "text/html; charset=utf-8", html},
	}
}

// InternalPDF returns the internal rendition's PDF exactly as rec
// recorded it; ErrNotFound when rec has none.
func (a *Archive) InternalPDF(ctx context.Context, rec *Record) ([]byte, error) {
	if rec.Internal == nil {
		return nil, fmt.Errorf("%w: %s has no internal rendition", ErrNotFound, rec.ID)
	}
	return a.recorded(ctx, rec, InternalPDFKey(rec.ID), rec.Internal.SHA256, rec.Internal.Bytes)
}

// InternalHTML returns the internal rendition's HTML exactly as rec
// recorded it.
func (a *Archive) InternalHTML(ctx context.Context, rec *Record) ([]byte, error) {
	if rec.Internal == nil {
		return nil, fmt.Errorf("%w: %s has no internal rendition", ErrNotFound, rec.ID)
	}
	return a.recorded(ctx, rec, InternalHTMLKey(rec.ID), rec.Internal.HTMLSHA256, rec.Internal.HTMLBytes)
}

// Source returns the extract the renditions of rec are made from: the input
// as received for a record with an internal rendition, else the record's
// own Extract.
func (a *Archive) Source(ctx context.Context, rec *Record) (*extract.Extract, error) {
	if rec.Internal == nil {
		return rec.Extract, nil
	}
	raw, err := a.recorded(ctx, rec, SourceKey(rec.ID), rec.Internal.SourceSHA256, rec.Internal.SourceBytes)
	if err != nil {
		return nil, err
	}
	var x extract.Extract
	if err := json.Unmarshal(raw, &x); err != nil {
		return nil, fmt.Errorf("archive: decoding the source of %s: %w", rec.ID, err)
	}
	return &x, nil
}

// Objects lists the keys of the objects of rendition r of rec as the
// record names them, the record itself included for the public one: what
// a reader of that rendition can be given.
func (r *Record) Objects(rendition extract.Rendition) []string {
	var keys []string
	if rendition == extract.Internal {
		if r.Internal != nil {
			keys = append(keys, InternalPDFKey(r.ID), InternalHTMLKey(r.ID), SourceKey(r.ID))
		}
	} else {
		keys = append(keys, MetaKey(r.ID), PDFKey(r.ID))
		if r.HTML {
			keys = append(keys, HTMLKey(r.ID))
		}
	}
	for _, c := range r.Certifications {
		if c.RenditionOf() == rendition {
			keys = append(keys, CertifiedKey(r.ID, c.Version))
			for _, rv := range c.Revisions {
				keys = append(keys, CertifiedRevisionKey(r.ID, c.Version, rv.Revision))
			}
		}
	}
	return slices.Clip(keys)
}
