package render_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"utdrag/internal/browser"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
)

// outline is what a reader navigates a tagged PDF by: its headings with
// their levels, its list items and its table cells, each with its text.
type outline struct {
	headings, items, cells []string
}

// compact is text as compared across the two renditions: without white
// space, which Chromium leaves out where it breaks a line and Utdrag
// writes.
func compact(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\u00a0", " ")), "")
}

func outlineOf(tree *node) outline {
	var o outline
	var walk func(n *node)
	walk = func(n *node) {
		switch {
		case len(n.typ) == 2 && n.typ[0] == 'H' && n.typ[1] >= '1' && n.typ[1] <= '6':
			o.headings = append(o.headings, n.typ+" "+compact(n.all()))
			return
		case n.typ == "LI":
			// The item's body: all but its label (Chromium draws its
			// bullets and leaves the label empty; Utdrag writes them).
			var body strings.Builder
			for _, k := range n.kids {
				if k.typ != "Lbl" {
					body.WriteString(k.all())
				}
			}
			o.items = append(o.items, compact(body.String()))
			return
		case n.typ == "TH" || n.typ == "TD":
			o.cells = append(o.cells, n.typ+" "+compact(n.all()))
			return
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(tree)
	return o
}

// same compares ours with Chromium's reading of one piece: equal, or, where
// poppler stops reading Chromium's text at a ligature Chromium set (fi,
// fl), ours goes on from what Chromium's has with those letters.
func same(ours, chromium string) bool {
	if ours == chromium {
		return true
	}
	cut := strings.IndexAny(chromium, "ﬁﬂﬀﬃﬄ")
	if cut < 0 || !strings.HasPrefix(ours, chromium[:cut]) {
		return false
	}
	lig, _ := utf8.DecodeRuneInString(chromium[cut:])
	spelt := map[rune]string{'ﬁ': "fi", 'ﬂ': "fl", 'ﬀ': "ff", 'ﬃ': "ffi", 'ﬄ': "ffl"}[lig]
	return strings.HasPrefix(ours[cut:], spelt)
}

// Headless Chromium prints the HTML rendition of every example as a tagged
// PDF; its structure tree and ours agree on the headings and their levels,
// the list items and the table cells, with their text. Differences of
// presentation are not compared (see README, "The tagged PDF and
// Chromium's"): Chromium tags the HTML's running header as content where
// Utdrag marks it as an artifact, wraps runs in NonStruct, draws list
// bullets without text and breaks lines without spaces.
func TestStructureAgreesWithChromiumsPrintOfTheHTML(t *testing.T) {
	if _, err := browser.Path(); err != nil {
		t.Fatalf("%v (make test installs chromium)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	b, err := browser.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	e := newEngine(t)
	dir := t.TempDir()
	for _, name := range conformanceExamples {
		res, err := e.Render(exampletest.Load(t, name), nil)
		if err != nil {
			t.Fatal(err)
		}
		html, err := e.HTML(res.Document)
		if err != nil {
			t.Fatal(err)
		}
		page := filepath.Join(dir, strings.TrimSuffix(name, ".json")+".html")
		if err := os.WriteFile(page, html, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(b.Ctx, chromedp.Navigate("file://"+page)); err != nil {
			t.Fatalf("%s: opening the HTML in Chromium: %v", name, err)
		}
		printed, err := chromedp.Run(b.Ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground(), chromedp.PDFOutlineAndTagged()))
		if err != nil {
			t.Fatalf("%s: printing with Chromium: %v", name, err)
		}
		if info := pdftest.Info(t, printed); info["Tagged"] != "yes" {
			t.Fatalf("%s: Chromium's PDF is not tagged", name)
		}
		ours, theirs := outlineOf(structTree(t, res.PDF)), outlineOf(structTree(t, printed))
		for _, c := range []struct {
			what     string
			ours, ch []string
		}{{"headings", ours.headings, theirs.headings}, {"list items", ours.items, theirs.items}, {"table cells", ours.cells, theirs.cells}} {
			if len(c.ours) != len(c.ch) {
				t.Errorf("%s: %d %s, Chromium's %d:\n ours %q\n chromium %q", name, len(c.ours), c.what, len(c.ch), c.ours, c.ch)
				continue
			}
			for i := range c.ours {
				if !same(c.ours[i], c.ch[i]) {
					t.Errorf("%s: %s %d: ours %q, Chromium's %q", name, c.what, i+1, c.ours[i], c.ch[i])
				}
			}
		}
		if len(ours.headings) == 0 || !slices.ContainsFunc(ours.headings, func(h string) bool { return strings.HasPrefix(h, "H1 ") }) {
			t.Errorf("%s: no H1 among %q", name, ours.headings)
		}
	}
}
