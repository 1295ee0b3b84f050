// Package report measures the typographic quality of a laid-out extract:
// how loose or tight the justified lines are, how often and how many times
// in a row lines end in a hyphen, and whether any paragraph leaves a single
// line alone at the foot or head of a page. It lays a document out twice,
// with the Knuth–Plass typesetter and with a greedy first-fit baseline
// without hyphenation, so the two can be compared on the same text.
//
// Every justified line of every block kind (paragraphs of any section,
// reservations and protocol notes among them, list items, indented
// quotations) reaches the breaker with Params.Justify, and is measured
// there; what layout sets ragged (headings, notes, table cells, names
// under the signatures) has no stretched spaces to measure.
//
// It may import compose, layout, templates, fonts and typeset.
package report

import (
	"fmt"
	"io"
	"math"
	"sync"
	"text/tabwriter"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/layout"
	"utdrag/templates"
	"utdrag/typeset"
)

// Quality is what one layout of a document measures, over one kind of
// justified text: body paragraphs (the full measure) or the rest (list
// items, indented quotations), which have a narrower measure.
type Quality struct {
	Name         string
	Text         string // "body" or "lists"
	Pages        int
	Lines        int     // lines set justified
	Justified    int     // of those, lines whose spaces were stretched or shrunk
	Hyphenated   int     // lines ending in an inserted hyphen
	MaxHyphenRun int     // longest run of consecutive hyphenated lines
	MeanSpace    float64 // mean interword space, as a multiple of the normal space
	MaxSpace     float64
	MinSpace     float64
	Overfull     int     // lines wider than their measure
	Flush        int     // lines set flush left: no breaking kept their spaces within typeset.MaxSpace
	Tracked      int     // lines given letter spacing
	MaxTracking  float64 // the most letter spacing, in ems
	Clubs        int     // a paragraph's first line alone at the foot of a page
	Widows       int     // a paragraph's last line alone at the head of a page
}

// Measure lays doc out with breaker and measures the body paragraphs and
// the other justified text apart. Club and widow lines are counted over
// every paragraph and list item.
func Measure(name string, fs *fonts.Set, breaker layout.Breaker, doc compose.Document, t *templates.Template) (body, lists Quality, err error) {
	rec := &recorder{inner: breaker}
	pages, err := layout.New(fs, rec).Layout(doc, t)
	if err != nil {
		return body, lists, err
	}
	measure := pages.Body.W
	body = rec.quality(func(w float64) bool { return math.Abs(w-measure) < 0.01 })
	lists = rec.quality(func(w float64) bool { return math.Abs(w-measure) >= 0.01 })
	body.Text, lists.Text = "body", "lists"
	for _, q := range []*Quality{&body, &lists} {
		q.Name, q.Pages = name, len(pages.Pages)
		q.Clubs, q.Widows = clubsAndWidows(pages)
	}
	return body, lists, nil
}

// recorder passes paragraphs to the breaker and keeps the justified ones'
// lines to measure.
type recorder struct {
	inner layout.Breaker
	mu    sync.Mutex
	runs  []run
}

type run struct {
	lines []typeset.Line
	faces typeset.Faces
	size  float64
	width float64
}

func (r *recorder) Set(spans []typeset.Span, faces typeset.Faces, p typeset.Params) []typeset.Line {
	lines := r.inner.Set(spans, faces, p)
	if p.Justify {
		r.mu.Lock()
		r.runs = append(r.runs, run{lines, faces, p.Size, p.Width})
		r.mu.Unlock()
	}
	return lines
}

// quality measures the recorded paragraphs whose measure keep accepts.
func (r *recorder) quality(keep func(width float64) bool) Quality {
	q := Quality{MinSpace: math.Inf(1)}
	var sum float64
	var spaces int
	for _, run := range r.runs {
		if !keep(run.width) {
			continue
		}
		s := typeset.Measure(run.lines, run.faces, run.size)
		q.Lines += s.Lines
		q.Justified += s.Justified
		q.Hyphenated += s.Hyphenated
		q.MaxHyphenRun = max(q.MaxHyphenRun, s.MaxHyphenRun)
		q.Overfull += s.Overfull
		q.Flush += s.Flush
		q.Tracked += s.Tracked
		q.MaxTracking = max(q.MaxTracking, s.MaxTracking)
		if s.Spaces > 0 {
			sum += s.MeanSpace * float64(s.Spaces)
			spaces += s.Spaces
			q.MaxSpace = max(q.MaxSpace, s.MaxSpace)
			q.MinSpace = min(q.MinSpace, s.MinSpace)
		}
	}
	if spaces > 0 {
		q.MeanSpace = sum / float64(spaces)
	} else {
		q.MinSpace = 0
	}
	return q
}

// clubsAndWidows counts paragraphs of three or more lines that leave one
// line alone at the foot (club) or head (widow) of a page.
func clubsAndWidows(p *layout.Pages) (clubs, widows int) {
	for _, page := range p.Pages {
		body := page.Blocks
		if len(body) == 0 {
			continue
		}
		last, first := body[len(body)-1], body[0]
		if textLine(last) && last.Lines >= 3 && last.Line == 0 {
			clubs++
		}
		if textLine(first) && first.Lines >= 3 && first.Line == first.Lines-1 {
			widows++
		}
	}
	return clubs, widows
}

func textLine(b layout.Placed) bool {
	return b.Kind == layout.KindParagraph || b.Kind == layout.KindListItem || b.Kind == layout.KindNote
}

// Greedy is the baseline breaker: first-fit, no hyphenation.
type Greedy struct{}

// Set breaks a paragraph first-fit.
func (Greedy) Set(spans []typeset.Span, faces typeset.Faces, p typeset.Params) []typeset.Line {
	return typeset.Greedy(spans, faces, p)
}

// Write prints qualities side by side as a table.
func Write(w io.Writer, qs ...Quality) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "layout\ttext\tpages\tlines\tjustified\thyphenated\tmax hyphen run\tmean space\tmax space\tmin space\tletter-spaced\tmax letter spacing\tflush left\toverfull\tclubs\twidows\t")
	for _, q := range qs {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.2f×\t%.2f×\t%.2f×\t%d\t%.4f em\t%d\t%d\t%d\t%d\t\n", q.Name, q.Text, q.Pages, q.Lines,
			q.Justified, q.Hyphenated, q.MaxHyphenRun, q.MeanSpace, q.MaxSpace, q.MinSpace, q.Tracked, q.MaxTracking, q.Flush, q.Overfull, q.Clubs, q.Widows)
	}
	return tw.Flush()
}
