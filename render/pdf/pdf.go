// Package pdf draws laid-out pages as a PDF with fpdf: every text run at the
// position layout gave it, in embedded subsets of the template's TrueType
// faces, with the document information and language set from the
// document's metadata. fpdf writes the document's structure; the pages'
// content is written here (content.go) when every face is drawn with its
// simple font, through fpdf otherwise (draw.go), and a finishing pass
// compresses the streams and writes the fonts (finish.go). The same pages
// and metadata give the same bytes.
//
// It may import layout, compose, fonts and fpdf.
package pdf

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/layout"
)

// Renderer writes PDFs. Build one at start-up and share it: it holds only
// the parsed fonts and is safe for concurrent use.
type Renderer struct {
	fonts     *fonts.Set
	toUnicode []byte // the simple fonts' ToUnicode CMap, compressed
	// simple holds the objects of each face's simple font, in the order
	// of fs.Faces(); nil sends the face through the UTF-8 path.
	simple []*simpleFont
}

// New returns a Renderer embedding faces from fs.
func New(fs *fonts.Set) *Renderer {
	r := &Renderer{fonts: fs, toUnicode: compress(fs.ToUnicode())}
	for i, f := range fs.Faces() {
		sf, err := newSimpleFont(f)
		if err != nil {
			sf = nil // the face is still drawn, as a UTF-8 font
		} else {
			sf.res = "U" + string(rune('a'+i))
		}
		r.simple = append(r.simple, sf)
	}
	return r
}

func compress(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression) // the level is valid
	zw.Write(b)                                              // a bytes.Buffer does not fail
	zw.Close()
	return buf.Bytes()
}

// Render draws the pages and returns the PDF.
func (r *Renderer) Render(p *layout.Pages, meta compose.Meta) ([]byte, error) {
	return r.RenderContext(context.Background(), p, meta)
}

// RenderContext is Render that stops, with ctx's error, once ctx is done:
// it looks before each page and before the finishing pass.
func (r *Renderer) RenderContext(ctx context.Context, p *layout.Pages, meta compose.Meta) ([]byte, error) {
	if p == nil || len(p.Pages) == 0 {
		return nil, fmt.Errorf("pdf: nothing to render")
	}
	date, err := documentDate(meta.Date)
	if err != nil {
		return nil, fmt.Errorf("pdf: metadata: %w", err)
	}
	doc := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P", UnitStr: "pt",
		Size: fpdf.SizeType{Wd: p.Width, Ht: p.Height},
	})
	setInfo(doc, meta, date)
	embedded, err := r.addFonts(doc, p)
	if err != nil {
		return nil, err
	}
	w := writers.Get().(*writer)
	defer w.release()
	w.direct = allSimple(embedded)
	for i := range p.Pages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if w.direct {
			// fpdf keeps the page; its content is written here, into a
			// buffer of our own, and finish puts it in the page's place.
			doc.AddPage()
			doc.RawWriteStr(pageMark + strconv.Itoa(i))
			writeContent(w.page(i), &p.Pages[i], embedded, p.Height)
			continue
		}
		drawPage(doc, &p.Pages[i], embedded, &w.text)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	w.in.Reset()
	if err := doc.Output(&w.in); err != nil {
		return nil, fmt.Errorf("pdf: writing: %w", err)
	}
	out, err := w.finish(renameFonts(w.in.Bytes(), embedded), len(p.Pages), simpleFonts(embedded), r.toUnicode)
	if err != nil {
		return nil, fmt.Errorf("pdf: finishing: %w", err)
	}
	return out, nil
}

// allSimple reports whether every face is drawn with its simple font:
// then no text goes through fpdf, and the pages' content is written
// directly (writeContent). A UTF-8 font needs fpdf's Text to learn which
// glyphs to embed.
func allSimple(embedded map[*fonts.Face]embedding) bool {
	for _, e := range embedded {
		if !e.simple {
			return false
		}
	}
	return true
}

// simpleFonts lists the simple fonts, sorted by name.
func simpleFonts(embedded map[*fonts.Face]embedding) []*simpleFont {
	var out []*simpleFont
	for _, e := range embedded {
		if e.simple {
			out = append(out, e.sf)
		}
	}
	slices.SortFunc(out, func(a, b *simpleFont) int { return strings.Compare(a.name, b.name) })
	return out
}

// setInfo fills the document information and the catalog's language, and
// fixes everything fpdf would otherwise take from the clock or from map
// order.
func setInfo(doc *fpdf.Fpdf, meta compose.Meta, date time.Time) {
	doc.SetCompression(false) // finish compresses, with pooled writers
	doc.SetCatalogSort(true)
	doc.SetAutoPageBreak(false, 0)
	doc.SetMargins(0, 0, 0)
	doc.SetCreationDate(date)
	doc.SetModificationDate(date)
	doc.SetTitle(meta.Title, true)
	doc.SetSubject(meta.Subject, true)
	doc.SetAuthor(meta.Author, true)
	doc.SetKeywords(meta.Keywords, true)
	doc.SetCreator("Utdrag", true)
	doc.SetProducer("Utdrag (fpdf)", true)
	doc.SetDisplayMode("fullwidth", "single")
	lang := meta.Language
	if lang == "" {
		lang = "sv-SE"
	}
	doc.SetLang(lang)
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
