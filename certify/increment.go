package certify

import (
	"bytes"
	"errors"
	"fmt"
)

// appender writes one incremental update after a document: new objects,
// new revisions of existing ones, a cross-reference table for them and a
// trailer pointing back at the previous one. Nothing before the update
// changes.
type appender struct {
	doc     *document
	b       *bytes.Buffer
	next    int // the next free object number
	entries []xrefEntry
}

// newAppender starts an update of doc, with room for extra bytes.
func newAppender(doc *document, extra int) (*appender, error) {
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
	b := bytes.NewBuffer(make([]byte, 0, len(doc.src)+extra+4096))
	b.Write(doc.src)
	if last := doc.src[len(doc.src)-1]; last != '\n' && last != '\r' {
		b.WriteByte('\n')
	}
	return &appender{doc: doc, b: b, next: size}, nil
}

// alloc reserves a new object number.
func (a *appender) alloc() int {
	n := a.next
	a.next++
	return n
}

// begin starts writing object num (generation gen) and records where.
func (a *appender) begin(num, gen int) {
	a.entries = append(a.entries, xrefEntry{num, gen, a.b.Len()})
	fmt.Fprintf(a.b, "%d %d obj\n", num, gen)
}

// end closes the object begin started.
func (a *appender) end() { a.b.WriteString("\nendobj\n") }

// object writes a whole object.
func (a *appender) object(num int, body string) {
	a.begin(num, 0)
	a.b.WriteString(body)
	a.end()
}

// stream writes a new stream object holding data, unfiltered.
func (a *appender) stream(data []byte) pdfRef {
	num := a.alloc()
	a.begin(num, 0)
	fmt.Fprintf(a.b, "<< /Length %d >>\nstream\n", len(data))
	a.b.Write(data)
	a.b.WriteString("\nendstream")
	a.end()
	return pdfRef{num: num}
}

// catalog writes a new revision of the catalog: its entries as they are,
// except those in replace, whose new values (PDF syntax) follow in order.
func (a *appender) catalog(ref pdfRef, catalog pdfDict, replace ...[2]string) {
	a.begin(ref.num, ref.gen)
	a.b.WriteString("<<")
	for _, e := range catalog {
		if !replaced(e.key, replace) {
			fmt.Fprintf(a.b, "\n/%s %s", encodeName(e.key), e.raw)
		}
	}
	for _, r := range replace {
		fmt.Fprintf(a.b, "\n/%s %s", encodeName(r[0]), r[1])
	}
	a.b.WriteString("\n>>")
	a.end()
}

func replaced(key string, replace [][2]string) bool {
	for _, r := range replace {
		if r[0] == key {
			return true
		}
	}
	return false
}

// finish writes the cross-reference table and the trailer and returns the
// updated file.
func (a *appender) finish() []byte {
	xrefAt := a.b.Len()
	writeXref(a.b, a.entries)
	writeTrailer(a.b, a.doc, a.next, xrefAt)
	return a.b.Bytes()
}
