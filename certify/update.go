package certify

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf16"
)

// byteRangeWidth is the room for "[0 a b c]" written over the placeholder.
const byteRangeWidth = len("[0 0000000000 0000000000 0000000000]")

// update is a PDF with an incremental update appended: a signature
// dictionary (or a document timestamp's), its field, a new catalog
// revision, cross-reference table and trailer. The signature dictionary's Contents is a run of zeros until
// fillContents writes the CMS into it.
type update struct {
	out           []byte
	byteRangeAt   int // offset of the ByteRange array
	contentsStart int // offset of the '<' of Contents
	contentsEnd   int // offset after the '>' of Contents
}

// xrefEntry is one object written in the update.
type xrefEntry struct{ num, gen, offset int }

// signatureFields are the signature fields already in the document, with
// the other entries of its AcroForm dictionary.
type signatureFields struct {
	refs  []pdfRef
	other pdfDict
}

// sigKind is the kind of signature dictionary an update writes.
type sigKind int

const (
	// kindSignature is a PAdES signature: SubFilter ETSI.CAdES.detached.
	kindSignature sigKind = iota
	// kindDocTimestamp is a document timestamp: Type DocTimeStamp,
	// SubFilter ETSI.RFC3161, an RFC 3161 token over the ByteRange.
	kindDocTimestamp
)

// newUpdate appends a signature dictionary of the given kind, its field and
// a new catalog revision listing the field to doc, with room bytes
// reserved for the CMS, and fills in the ByteRange.
func newUpdate(doc *document, kind sigKind, opt Options, room int) (*update, error) {
	rootRef, err := doc.rootRef()
	if err != nil {
		return nil, err
	}
	catalog, err := doc.dict(rootRef)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	fields, err := existingFields(doc, catalog)
	if err != nil {
		return nil, fmt.Errorf("read AcroForm: %w", err)
	}
	page, _ := doc.firstPage(catalog)
	if err := doc.budget.err(); err != nil {
		return nil, err
	}
	a, err := newAppender(doc, 2*room)
	if err != nil {
		return nil, err
	}
	u := &update{}
	sigNum, fieldNum, apNum := a.alloc(), a.alloc(), a.alloc()
	a.begin(sigNum, 0)
	u.writeSignature(a.b, kind, opt, room)
	a.end()
	a.begin(fieldNum, 0)
	writeField(a.b, page, kind, sigNum, apNum, len(fields.refs)+1)
	a.end()
	a.begin(apNum, 0)
	a.b.WriteString("<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0 >>\nstream\n\nendstream")
	a.end()
	a.catalog(rootRef, catalog, [2]string{"AcroForm", acroForm(fields, pdfRef{num: fieldNum})})
	u.out = a.finish()
	u.setByteRange()
	return u, nil
}

func existingFields(doc *document, catalog pdfDict) (signatureFields, error) {
	v, ok := catalog.get("AcroForm")
	if !ok {
		return signatureFields{}, nil
	}
	acro, err := doc.dict(v)
	if err != nil {
		return signatureFields{}, err
	}
	var f signatureFields
	for _, e := range acro {
		if e.key != "Fields" && e.key != "SigFlags" {
			f.other = append(f.other, e)
		}
	}
	list, err := doc.lookup(acro, "Fields")
	if err != nil {
		return f, nil
	}
	arr, _ := list.(pdfArray)
	for _, v := range arr {
		ref, ok := v.(pdfRef)
		if !ok {
			return f, errors.New("form field is not an indirect object")
		}
		f.refs = append(f.refs, ref)
	}
	return f, nil
}

func (u *update) writeSignature(b *bytes.Buffer, kind sigKind, opt Options, room int) {
	if kind == kindDocTimestamp {
		b.WriteString("<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161\n/ByteRange ")
	} else {
		b.WriteString("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/ByteRange ")
	}
	u.byteRangeAt = b.Len()
	b.WriteString(strings.Repeat(" ", byteRangeWidth))
	b.WriteString("\n/Contents ")
	u.contentsStart = b.Len()
	b.WriteByte('<')
	b.Write(bytes.Repeat([]byte("0"), 2*room))
	b.WriteByte('>')
	u.contentsEnd = b.Len()
	if kind == kindSignature {
		b.WriteString("\n/M " + pdfDate(opt.Time))
		for _, e := range []struct{ key, text string }{
			{"Name", opt.Name}, {"Reason", opt.Reason}, {"Location", opt.Location}, {"ContactInfo", opt.Contact},
		} {
			if e.text != "" {
				fmt.Fprintf(b, "\n/%s %s", e.key, textString(e.text))
			}
		}
	}
	b.WriteString("\n>>")
}

// writeField writes an invisible signature widget on the first page (none
// when the page tree could not be read: page is the zero reference),
// printable (PDF/A wants every annotation printed) and with an empty
// appearance (apNum), as PDF/A-1 wants one for every widget.
func writeField(b *bytes.Buffer, page pdfRef, kind sigKind, sigNum, apNum, ordinal int) {
	name, tip := "Signatur", "Digital signatur"
	if kind == kindDocTimestamp {
		name, tip = "Dokumenttidsstämpel", "Dokumenttidsstämpel"
	}
	fmt.Fprintf(b, "<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /TU %s /V %d 0 R /F 132 /Rect [0 0 0 0] /AP << /N %d 0 R >>",
		textString(fmt.Sprintf("%s%d", name, ordinal)), textString(tip), sigNum, apNum)
	if page != (pdfRef{}) {
		fmt.Fprintf(b, " /P %s", page)
	}
	b.WriteString(" >>")
}

// acroForm writes an AcroForm dictionary listing the existing fields and
// the new one.
func acroForm(fields signatureFields, field pdfRef) string {
	var b strings.Builder
	b.WriteString("<< /Fields [")
	for _, r := range append(slices.Clone(fields.refs), field) {
		fmt.Fprintf(&b, "%s ", r)
	}
	b.WriteString("] /SigFlags 3")
	for _, e := range fields.other {
		fmt.Fprintf(&b, " /%s %s", encodeName(e.key), e.raw)
	}
	b.WriteString(" >>")
	return b.String()
}

// writeXref writes a cross-reference table with one subsection per run of
// consecutive object numbers.
func writeXref(b *bytes.Buffer, entries []xrefEntry) {
	slices.SortFunc(entries, func(x, y xrefEntry) int { return x.num - y.num })
	b.WriteString("xref\n")
	for i := 0; i < len(entries); {
		j := i + 1
		for j < len(entries) && entries[j].num == entries[j-1].num+1 {
			j++
		}
		fmt.Fprintf(b, "%d %d\n", entries[i].num, j-i)
		for _, e := range entries[i:j] {
			fmt.Fprintf(b, "%010d %05d n \n", e.offset, e.gen)
		}
		i = j
	}
}

// writeTrailer copies the newest trailer with a new /Size and /Prev.
func writeTrailer(b *bytes.Buffer, doc *document, size, xrefAt int) {
	b.WriteString("trailer\n<< ")
	fmt.Fprintf(b, "/Size %d", size)
	for _, e := range doc.trailer {
		if e.key != "Size" && e.key != "Prev" {
			fmt.Fprintf(b, " /%s %s", encodeName(e.key), e.raw)
		}
	}
	fmt.Fprintf(b, " /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", doc.startxref, xrefAt)
}

// setByteRange covers everything but the Contents string.
func (u *update) setByteRange() {
	r := fmt.Sprintf("[0 %d %d %d]", u.contentsStart, u.contentsEnd, len(u.out)-u.contentsEnd)
	copy(u.out[u.byteRangeAt:], r)
}

// covered returns the signed bytes: all of the file except Contents.
func (u *update) covered() [][]byte {
	return [][]byte{u.out[:u.contentsStart], u.out[u.contentsEnd:]}
}

// fillContents writes the CMS as hex into the reserved Contents.
func (u *update) fillContents(cms []byte) error {
	if room := u.contentsEnd - u.contentsStart - 2; hex.EncodedLen(len(cms)) > room {
		return fmt.Errorf("signature of %d bytes does not fit in %d", len(cms), room/2)
	}
	hex.Encode(u.out[u.contentsStart+1:], cms)
	return nil
}

// pdfDate formats t as a PDF date string.
func pdfDate(t time.Time) string {
	_, offset := t.Zone()
	zone := "Z"
	if offset != 0 {
		sign := '+'
		if offset < 0 {
			sign, offset = '-', -offset
		}
		zone = fmt.Sprintf("%c%02d'%02d'", sign, offset/3600, offset/60%60)
	}
	return "(D:" + t.Format("20060102150405") + zone + ")"
}

// textString writes a PDF text string literal: plain ASCII as is, other
// text as UTF-16BE with a byte order mark. Bytes outside printable ASCII are
// written as octal escapes, since some readers ignore hex strings here.
func textString(s string) string {
	data := []byte(s)
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			units := utf16.Encode([]rune(s))
			data = []byte{0xfe, 0xff}
			for _, u := range units {
				data = append(data, byte(u>>8), byte(u))
			}
			break
		}
	}
	var b strings.Builder
	b.WriteByte('(')
	for _, c := range data {
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

// encodeName escapes a name's characters that cannot appear literally.
func encodeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '#' || isDelimiter(c) {
			fmt.Fprintf(&b, "#%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
