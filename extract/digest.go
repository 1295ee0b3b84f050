package extract

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Source names the protocol an extract was taken from and the digest of
// each paragraph as that protocol holds it. Only the service sets it, when
// it makes an extract from a stored protocol (FromProtocol); an extract
// posted with a source is refused.
type Source struct {
	// Protocol is the id of the stored protocol.
	Protocol   string            `json:"protocol"`
	Paragraphs []ParagraphDigest `json:"paragraphs"`
}

// ParagraphDigest is one paragraph's number and ParagraphDigest.
type ParagraphDigest struct {
	Number int    `json:"number"`
	Digest string `json:"digest"`
}

// digestDomain opens the digested bytes, so that a paragraph's digest can
// never equal the digest of anything else the service hashes, and names the
// canonical form: a new form gets a new name.
const digestDomain = "utdrag-paragraph-v1\n"

// CanonicalParagraph is a paragraph's canonical content: the paragraph as
// Decode or DecodeProtocol leave it (validated, its text normalised: NFC,
// "\n" line breaks, no invisible characters), encoded as JSON with the
// fields in the order of the Paragraph type, empty optional fields left
// out, no insignificant white space, no HTML escapes and no final newline.
// It is the same whether the paragraph came in a whole protocol or in an
// extract, and does not depend on how the input was spelled or ordered.
func CanonicalParagraph(p *Paragraph) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p) // a Paragraph always encodes
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Digest is the paragraph's digest: "sha256:" and the hexadecimal SHA-256
// of "utdrag-paragraph-v1\n" followed by CanonicalParagraph. Two
// paragraphs have the same digest exactly when their canonical content is
// the same: one changed word changes it.
func (p *Paragraph) Digest() string {
	h := sha256.New()
	h.Write([]byte(digestDomain))
	h.Write(CanonicalParagraph(p))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Digests lists the digest of each paragraph of the protocol, in order.
func (p *Protocol) Digests() []ParagraphDigest {
	out := make([]ParagraphDigest, len(p.Paragraphs))
	for i := range p.Paragraphs {
		out[i] = ParagraphDigest{Number: p.Paragraphs[i].Number, Digest: p.Paragraphs[i].Digest()}
	}
	return out
}

// ID is the protocol's identity, as Extract.ID: a digest of its canonical
// JSON and the template version it is rendered with.
func (p *Protocol) ID(templateID string) string {
	sum := sha256.Sum256(append(p.Canonical(), templateID...))
	return hex.EncodeToString(sum[:12])
}

// FromProtocol is the extract of the paragraphs numbered numbers (in any
// order, without repeats) of protocol p, stored under the id protocolID:
// the meeting, justering, chair and secretary of the protocol and its
// paragraphs as they are, with the Source that names the protocol and each
// paragraph's digest. It cannot differ from the protocol. The error is a
// ValidationError on the field "paragraphs" for a number the protocol does
// not hold or named twice.
func FromProtocol(p *Protocol, protocolID string, numbers []int) (*Extract, error) {
	var errs ValidationError
	if len(numbers) == 0 {
		errs = append(errs, FieldError{Field: "paragraphs", Rule: "minItems", Message: "ange minst en paragraf"})
	}
	sorted := slices.Clone(numbers)
	slices.Sort(sorted)
	for i, n := range sorted {
		if i > 0 && sorted[i-1] == n {
			errs = append(errs, FieldError{Field: "paragraphs", Rule: "uniqueItems", Message: fmt.Sprintf("§ %d anges två gånger", n)})
		} else if _, ok := p.Paragraph(n); !ok {
			errs = append(errs, FieldError{Field: "paragraphs", Rule: "paragraph",
				Message: fmt.Sprintf("protokollet har ingen § %d", n)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	x := p.Extract // a copy; the slices below are new
	x.Paragraphs = make([]Paragraph, 0, len(sorted))
	x.Source = &Source{Protocol: protocolID}
	for _, n := range sorted {
		par, _ := p.Paragraph(n)
		x.Paragraphs = append(x.Paragraphs, *par)
		x.Source.Paragraphs = append(x.Source.Paragraphs, ParagraphDigest{Number: n, Digest: par.Digest()})
	}
	return &x, nil
}

// Keywords is the source as the PDF's document information and XMP carry
// it among the keywords: "protokoll <id>" and "§ <n> <digest>" for each
// paragraph, separated by ", ".
func (s *Source) Keywords() string {
	parts := []string{"protokoll " + s.Protocol}
	for _, d := range s.Paragraphs {
		parts = append(parts, fmt.Sprintf("§ %d %s", d.Number, d.Digest))
	}
	return strings.Join(parts, ", ")
}
