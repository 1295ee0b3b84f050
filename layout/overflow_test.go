package layout_test

import (
	"strings"
	"testing"

	"utdrag/layout"
	"utdrag/layout/layouttest"
)

// TestOverflowsFindTheInitialsThatSpill fills the Utdragsbestyrkande box
// with initials that fit, then with the initials of a 200-character name:
// only the second is reported, on the box it spills from, and the spilling
// text really does cross the box's right edge.
func TestOverflowsFindTheInitialsThatSpill(t *testing.T) {
	e, tmpl := setup(t)
	for _, tc := range []struct {
		initials string
		spills   bool
	}{{"LN", false}, {"ABCDEFGH", false}, {strings.Repeat("AB", 20), true}} {
		doc := layouttest.Document()
		doc.Header.Boxes[1].Content = tc.initials
		ps, err := e.Layout(doc, tmpl)
		if err != nil {
			t.Fatal(err)
		}
		got := ps.Overflows()
		if !tc.spills {
			if len(got) != 0 {
				t.Errorf("%q: overflows %+v", tc.initials, got)
			}
			continue
		}
		if len(got) != 1 || got[0].Text != tc.initials || got[0].Box != "Utdragsbestyrkande" {
			t.Fatalf("%q: overflows %+v, want the initials in Utdragsbestyrkande", tc.initials, got)
		}
		// Independently of Overflows: the text is wider than the footer
		// frame it is centred in.
		p := ps.Pages[0]
		found := false
		for _, x := range p.Texts {
			if x.Text != tc.initials {
				continue
			}
			mid := x.X + x.Width/2
			for _, r := range p.Rects {
				if r.Role == layout.RoleFooter && r.X <= mid && mid < r.X+r.W {
					found = true
					if x.Width <= r.W {
						t.Errorf("%q is %.1f pt wide in a box of %.1f pt: it fits", tc.initials, x.Width, r.W)
					}
				}
			}
		}
		if !found {
			t.Fatal("the initials are not in a footer box")
		}
	}
}
