package pdf

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"

	"utdrag/compose"
)

// producer names the writer in the document information and the XMP.
const producer = "Utdrag"

// info writes the document information dictionary.
func info(o *objects, n int, meta *compose.Meta, date time.Time) {
	b := o.begin(n)
	b.WriteString("<<")
	for _, e := range []struct{ key, val string }{
		{"Title", meta.Title}, {"Author", meta.Author}, {"Subject", meta.Subject},
		{"Keywords", meta.Keywords}, {"Creator", producer}, {"Producer", producer},
	} {
		if e.val != "" {
			b.WriteString("/" + e.key)
			writeText(b, e.val)
		}
	}
	d := date.Format("20060102150405")
	b.WriteString("/CreationDate(D:" + d + "+00'00')/ModDate(D:" + d + "+00'00')>>")
	o.end()
}

// xmp is the document's XMP metadata: the document information again
// (PDF/A requires the two to agree), the PDF/A part and conformance level,
// the PDF/UA part, and the description of the PDF/UA schema that PDF/A
// asks for every schema it does not know itself.
func xmp(meta *compose.Meta, date time.Time, part int, lang string) []byte {
	var b bytes.Buffer
	b.Grow(xmpFixed + 2*(len(meta.Title)+len(meta.Author)+len(meta.Subject)+len(meta.Keywords)+len(lang)))
	esc := func(s string) { escapeXML(&b, s) }
	var date0 [32]byte
	d := date.AppendFormat(date0[:0], "2006-01-02T15:04:05")
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
		"<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"" +
		" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"" +
		" xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n<dc:format>application/pdf</dc:format>\n")
	if meta.Title != "" {
		b.WriteString("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">")
		esc(meta.Title)
		b.WriteString("</rdf:li></rdf:Alt></dc:title>\n")
	}
	if meta.Author != "" {
		b.WriteString("<dc:creator><rdf:Seq><rdf:li>")
		esc(meta.Author)
		b.WriteString("</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if meta.Subject != "" {
		b.WriteString("<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">")
		esc(meta.Subject)
		b.WriteString("</rdf:li></rdf:Alt></dc:description>\n")
	}
	b.WriteString("<dc:language><rdf:Bag><rdf:li>")
	esc(lang)
	b.WriteString("</rdf:li></rdf:Bag></dc:language>\n")
	if meta.Keywords != "" {
		b.WriteString("<pdf:Keywords>")
		esc(meta.Keywords)
		b.WriteString("</pdf:Keywords>\n")
	}
	b.WriteString("<pdf:Producer>" + producer + "</pdf:Producer>\n<xmp:CreatorTool>" + producer + "</xmp:CreatorTool>\n" +
		"<xmp:CreateDate>")
	b.Write(d)
	b.WriteString("+00:00</xmp:CreateDate>\n<xmp:ModifyDate>")
	b.Write(d)
	b.WriteString("+00:00</xmp:ModifyDate>\n<pdfaid:part>")
	b.Write(strconv.AppendInt(date0[:0], int64(part), 10))
	b.WriteString("</pdfaid:part>\n<pdfaid:conformance>A</pdfaid:conformance>\n" +
		"<pdfuaid:part>1</pdfuaid:part>\n</rdf:Description>\n" +
		"<rdf:Description rdf:about=\"\" xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"" +
		" xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\" xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">\n" +
		"<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">\n" +
		"<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\n" +
		"<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\n" +
		"<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\n" +
		"<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType=\"Resource\">\n" +
		"<pdfaProperty:name>part</pdfaProperty:name>\n<pdfaProperty:valueType>Integer</pdfaProperty:valueType>\n" +
		"<pdfaProperty:category>internal</pdfaProperty:category>\n" +
		"<pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>\n" +
		"</rdf:li></rdf:Seq></pdfaSchema:property>\n</rdf:li></rdf:Bag></pdfaExtension:schemas>\n</rdf:Description>\n" +
		"</rdf:RDF></x:xmpmeta>\n<?xpacket end=\"r\"?>")
	return b.Bytes()
}

// xmpFixed is about the size of the metadata without its text fields.
const xmpFixed = 2304

// escapeXML writes s escaped as XML character data, as xml.EscapeText
// does: printable ASCII without a character to escape as it is.
func escapeXML(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7F, c == '"', c == '\'', c == '&', c == '<', c == '>':
			xml.EscapeText(b, []byte(s)) // a bytes.Buffer does not fail
			return
		}
	}
	b.WriteString(s)
}

// documentDate parses the metadata date: the PDF's dates come from the
// data, never from the clock.
func documentDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("no document date")
	}
	for _, layout := range []string{time.DateOnly, time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("document date %q is not an ISO date", s)
}
