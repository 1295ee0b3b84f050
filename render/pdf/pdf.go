// Package pdf writes laid-out pages as an archival, accessible PDF:
// PDF/A (part 2 by default, 1 or 3 on request) at level a, tagged as
// PDF/UA-1 asks. It writes every object itself (writer.go): the pages'
// content with each text run at the position layout gave it (content.go),
// the fonts as Type 0 fonts with the document's own subset of each face
// (font.go), the structure tree that follows the composed document
// (tags.go), the document information agreeing with the XMP metadata and
// an sRGB output intent with a profile computed here (meta.go, srgb.go),
// and, for PDF/A-3, the source data as an associated file. One writer
// makes all three parts; they differ only where the parts do: PDF/A-1
// has no object streams and no attachments, PDF/A-3 carries the source.
// The same pages and options give the same bytes.
//
// It may import layout, compose and fonts.
package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/layout"
)

// Renderer writes PDFs. Build one at start-up and share it: it holds only
// read-only values and is safe for concurrent use.
type Renderer struct {
	fonts *fonts.Set
	icc   []byte // the output intent's profile, compressed once
}

// New returns a Renderer embedding faces from fs.
func New(fs *fonts.Set) *Renderer {
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression) // the level is valid
	zw.Write(sRGBProfile())                                // a bytes.Buffer does not fail
	zw.Close()
	return &Renderer{fonts: fs, icc: z.Bytes()}
}

// Options choose the rendition.
type Options struct {
	// Part is the PDF/A part: 1, 2 (also for 0) or 3.
	Part int
	// Classic writes every object plainly with a classic cross-reference
	// table, as PDF/A-1 must and as certify reads a file it signs; PDF/A-2
	// and -3 otherwise keep their objects in a compressed object stream.
	Classic bool
	// Source is, for PDF/A-3, the data the document was made from,
	// attached as its source (application/json) under the name
	// SourceName.
	Source     []byte
	SourceName string
}

// Conformance is the part and level an Options asks for: "PDF/A-2a".
func (o Options) Conformance() string { return "PDF/A-" + strconv.Itoa(o.part()) + "a" }

func (o Options) part() int {
	if o.Part == 1 || o.Part == 3 {
		return o.Part
	}
	return 2
}

// Render draws the pages of doc and returns the PDF.
func (r *Renderer) Render(p *layout.Pages, doc *compose.Document, opt Options) ([]byte, error) {
	return r.RenderContext(context.Background(), p, doc, opt)
}

// RenderContext is Render that stops, with ctx's error, once ctx is done:
// it looks before each page and before the fonts are written.
func (r *Renderer) RenderContext(ctx context.Context, p *layout.Pages, doc *compose.Document, opt Options) ([]byte, error) {
	if p == nil || len(p.Pages) == 0 {
		return nil, errors.New("pdf: nothing to render")
	}
	date, err := documentDate(doc.Meta.Date)
	if err != nil {
		return nil, fmt.Errorf("pdf: metadata: %w", err)
	}
	part := opt.part()
	if part == 3 && len(opt.Source) == 0 {
		return nil, errors.New("pdf: PDF/A-3 without source data")
	}
	var fs fontSet
	if err := fs.collect(p); err != nil {
		return nil, err
	}
	o := newObjects(part > 1 && !opt.Classic, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	defer o.release()
	catalog, pagesRoot, infoNum := o.alloc(), o.alloc(), o.alloc()
	structRoot, resources := o.alloc(), o.alloc()
	pageNums := make([]int, len(p.Pages))
	for i := range pageNums {
		pageNums[i] = o.alloc()
	}
	fontNums := make([]int, len(fs.list))
	for i := range fontNums {
		fontNums[i] = o.alloc()
	}

	t := o.tree.build(doc, len(p.Pages))
	if doc.Header.VerifyURL != "" {
		t.figure = t.add("Figure", 0)
		t.elems[t.figure].extra().alt = "QR-kod med kontrolladressen " + doc.Header.VerifyURL
	}
	cont := false
	content := &o.page
	for i := range p.Pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		content.Reset()
		w := page{b: content, n: i, h: p.Height, fonts: &fs, tree: t, cont: &cont, figure: i == 0 && t.figure >= 0}
		w.write(p)
		if w.figure {
			b := w.figureX
			t.elems[t.figure].extra().attr = "<</O/Layout/Placement/Block/BBox[" + fixed(b[0]) + " " + fixed(b[1]) + " " +
				fixed(b[2]) + " " + fixed(b[3]) + "]>>"
		}
		c := o.alloc()
		if err := o.stream(c, "", false, content.Bytes()); err != nil {
			return nil, fmt.Errorf("pdf: page %d: %w", i+1, err)
		}
		// The content's own checksum identifies it: zlib ends the stream
		// with the Adler-32 of what it compressed.
		z := o.z.Bytes()
		o.identify(z[len(z)-4:])
		o.object(pageNums[i], "<</Type/Page/Parent "+ref(pagesRoot)+"/Resources "+ref(resources)+
			"/Contents "+ref(c)+"/StructParents "+strconv.Itoa(i)+">>")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cmap := 0
	for _, f := range fs.list {
		if !f.wide && cmap == 0 {
			cmap = o.alloc()
			if err := o.stream(cmap, identity8Dict, true, []byte(identity8)); err != nil {
				return nil, err
			}
		}
	}
	for i, f := range fs.list {
		if err := f.write(o, fontNums[i], part == 1, cmap); err != nil {
			return nil, fmt.Errorf("pdf: font %s: %w", f.face.Name(), err)
		}
	}
	t.write(o, structRoot, pageNums, nil)

	b := o.begin(resources)
	b.WriteString("<</Font<<")
	for i, f := range fs.list {
		b.WriteString("/" + f.res + " " + ref(fontNums[i]))
	}
	b.WriteString(">>>>")
	o.end()
	b = o.begin(pagesRoot)
	b.WriteString("<</Type/Pages/MediaBox[0 0 " + fixed(p.Width) + " " + fixed(p.Height) + "]/Count " +
		strconv.Itoa(len(p.Pages)) + "/Kids[")
	for i, n := range pageNums {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(ref(n))
	}
	b.WriteString("]>>")
	o.end()

	info(o, infoNum, &doc.Meta, date)
	lang := doc.Meta.Language
	if lang == "" {
		lang = "sv-SE"
	}
	meta, icc, intent := o.alloc(), o.alloc(), o.alloc()
	x := xmp(&doc.Meta, date, part, lang)
	o.identify(x)
	if err := o.stream(meta, "/Type/Metadata/Subtype/XML", true, x); err != nil {
		return nil, err
	}
	o.compressed(icc, "/N 3", r.icc)
	o.object(intent, "<</Type/OutputIntent/S/GTS_PDFA1/OutputConditionIdentifier(sRGB IEC61966-2.1)"+
		"/RegistryName(http://www.color.org)/Info(sRGB IEC61966-2.1)/DestOutputProfile "+ref(icc)+">>")

	spec := 0
	if part == 3 {
		if spec, err = attach(o, opt, date); err != nil {
			return nil, err
		}
	}
	b = o.begin(catalog)
	b.WriteString("<</Type/Catalog/Pages " + ref(pagesRoot) + "/Metadata " + ref(meta) +
		"/OutputIntents[" + ref(intent) + "]/StructTreeRoot " + ref(structRoot) +
		"/MarkInfo<</Marked true>>/ViewerPreferences<</DisplayDocTitle true>>/Lang")
	writeText(b, lang)
	if spec > 0 {
		b.WriteString("/AF[" + ref(spec) + "]/Names<</EmbeddedFiles<</Names[")
		writeText(b, opt.SourceName)
		b.WriteString(" " + ref(spec) + "]>>>>")
	}
	b.WriteString(">>")
	o.end()
	out, err := o.finish(catalog, infoNum)
	if err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return out, nil
}

// attach writes the source data as an embedded file with its file
// specification, and returns the specification's number.
func attach(o *objects, opt Options, date time.Time) (int, error) {
	spec, file := o.alloc(), o.alloc()
	sum := md5.Sum(opt.Source)
	d := date.Format("20060102150405")
	if err := o.stream(file, "/Type/EmbeddedFile/Subtype/application#2Fjson/Params<</Size "+strconv.Itoa(len(opt.Source))+
		"/CheckSum<"+hex.EncodeToString(sum[:])+">/ModDate(D:"+d+"+00'00')>>", false, opt.Source); err != nil {
		return 0, err
	}
	var b bytes.Buffer
	b.WriteString("<</Type/Filespec/F")
	writeText(&b, opt.SourceName)
	b.WriteString("/UF")
	writeText(&b, opt.SourceName)
	b.WriteString("/Desc(Underlag: det validerade utdraget som JSON)/AFRelationship/Source/EF<</F " + ref(file) + "/UF " + ref(file) + ">>>>")
	o.object(spec, b.String())
	return spec, nil
}

func ref(n int) string { return strconv.Itoa(n) + " 0 R" }

// fixed formats v with at most two decimals.
func fixed(v float64) string { return string(appendFixed(nil, hundredths(v))) }
