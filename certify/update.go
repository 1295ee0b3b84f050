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
// dictionary, its field, a new catalog revision, cross-reference table and
// trailer. The signature dictionary's Contents is a run of zeros until
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

// newUpdate appends the signature objects to doc with room bytes reserved
// for the CMS, and fills in the ByteRange.
func newUpdate(doc *document, opt Options, room int) (*update, error) {
	if _, ok := doc.trailer.get("Encrypt"); ok {
		return nil, errors.New("encrypted PDFs are not supported")
	}
	if _, ok := doc.trailer.get("XRefStm"); ok {
		return nil, errXrefStream
	}
	size, err := doc.size()
	if err != nil {
		return nil, err
	}
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

	b := bytes.NewBuffer(make([]byte, 0, len(doc.src)+2*room+4096))
	b.Write(doc.src)
	if last := doc.src[len(doc.src)-1]; last != '\n' && last != '\r' {
		b.WriteByte('\n')
	}
	u := &update{}
	sigNum, fieldNum, apNum := size, size+1, size+2
	entries := []xrefEntry{{sigNum, 0, b.Len()}}
	u.writeSignature(b, sigNum, opt, room)
	entries = append(entries, xrefEntry{fieldNum, 0, b.Len()})
	writeField(b, page, fieldNum, sigNum, apNum, len(fields.refs)+1)
	entries = append(entries, xrefEntry{apNum, 0, b.Len()})
	writeAppearance(b, apNum)
	entries = append(entries, xrefEntry{rootRef.num, rootRef.gen, b.Len()})
	writeCatalog(b, rootRef, catalog, fields, pdfRef{num: fieldNum})
	xrefAt := b.Len()
	writeXref(b, entries)
	writeTrailer(b, doc, size+3, xrefAt)

	u.out = b.Bytes()
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

func (u *update) writeSignature(b *bytes.Buffer, num int, opt Options, room int) {
	fmt.Fprintf(b, "%d 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached\n/ByteRange ", num)
	u.byteRangeAt = b.Len()
	b.WriteString(strings.Repeat(" ", byteRangeWidth))
	b.WriteString("\n/Contents ")
	u.contentsStart = b.Len()
	b.WriteByte('<')
	b.Write(bytes.Repeat([]byte("0"), 2*room))
	b.WriteByte('>')
	u.contentsEnd = b.Len()
	b.WriteString("\n/M " + pdfDate(opt.Time))
	for _, e := range []struct{ key, text string }{
		{"Name", opt.Name}, {"Reason", opt.Reason}, {"Location", opt.Location}, {"ContactInfo", opt.Contact},
	} {
		if e.text != "" {
			fmt.Fprintf(b, "\n/%s %s", e.key, textString(e.text))
		}
	}
	b.WriteString("\n>>\nendobj\n")
}

// writeField writes an invisible signature widget on the first page (none
// when the page tree could not be read: page is the zero reference),
// printable (PDF/A wants every annotation printed) and with an empty
// appearance, as PDF/A-1 wants one for every widget.
func writeField(b *bytes.Buffer, page pdfRef, num, sigNum, apNum, ordinal int) {
	fmt.Fprintf(b, "%d 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T %s /TU %s /V %d 0 R /F 132 /Rect [0 0 0 0] /AP << /N %d 0 R >>",
		num, textString(fmt.Sprintf("Signatur%d", ordinal)), textString("Digital signatur"), sigNum, apNum)
	if page != (pdfRef{}) {
		fmt.Fprintf(b, " /P %s", page)
	}
	b.WriteString(" >>\nendobj\n")
}

// writeAppearance writes the invisible widget's appearance: an empty
// form.
func writeAppearance(b *bytes.Buffer, num int) {
	fmt.Fprintf(b, "%d 0 obj\n<< /Type /XObject /Subtype /Form /BBox [0 0 0 0] /Length 0 >>\nstream\n\nendstream\nendobj\n", num)
}

// writeCatalog writes a new revision of the catalog whose AcroForm lists the
// existing fields and the new one.
func writeCatalog(b *bytes.Buffer, ref pdfRef, catalog pdfDict, fields signatureFields, field pdfRef) {
	fmt.Fprintf(b, "%d %d obj\n<<", ref.num, ref.gen)
	for _, e := range catalog {
		if e.key != "AcroForm" {
			fmt.Fprintf(b, "\n/%s %s", encodeName(e.key), e.raw)
		}
	}
	b.WriteString("\n/AcroForm << /Fields [")
	for _, r := range append(slices.Clone(fields.refs), field) {
		fmt.Fprintf(b, "%s ", r)
	}
	b.WriteString("] /SigFlags 3")
	for _, e := range fields.other {
		fmt.Fprintf(b, " /%s %s", encodeName(e.key), e.raw)
	}
	b.WriteString(" >>\n>>\nendobj\n")
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
