package layout_test

import (
	"fmt"
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/layout"
	"utdrag/typeset"
)

// TestEntriesInColumns: a plain paragraph in two columns sets its entries
// down the first column and then the second, as such a list is read, and
// its content keeps the text's order; an entry too long for its column
// wraps within it and pushes the next entry of its column down; a long
// list is set in blocks of at most twenty rows, which a page may break
// between.
func TestEntriesInColumns(t *testing.T) {
	e, tmpl := setup(t)
	names := []string{"Anna-Karin Lövgren (C), ordförande", "Stefan Hedlund (S), förste vice ordförande", "Eva Strand (S)",
		"Henrik Sjödin (S), ersättare för Birgitta Olsson (S) och för ännu en ledamot som inte kom", "Lena Forsberg (KD)"}
	doc := compose.Document{Header: compose.Header{Kind: "PROTOKOLL"}, Blocks: []compose.Block{
		compose.Paragraph{Text: []typeset.Span{{Text: strings.Join(names, "\n"), Style: typeset.NoHyphen}}, Plain: true, Columns: 2},
	}}
	ps, err := e.Layout(doc, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	p := ps.Pages[0]
	var body []layout.Text
	var words []string
	for _, tx := range p.Texts {
		if tx.Role == layout.RoleBody {
			body = append(body, tx)
			words = append(words, tx.Text)
		}
	}
	if got := strings.Join(words, " "); got != strings.Join(strings.Fields(strings.Join(names, " ")), " ") {
		t.Errorf("the content's order is not the text's:\n%s", got)
	}
	first := func(word string) layout.Text {
		for _, tx := range body {
			if tx.Text == word {
				return tx
			}
		}
		t.Fatalf("no %q", word)
		return layout.Text{}
	}
	anna, stefan, eva, henrik, lena := first("Anna-Karin"), first("Stefan"), first("Eva"), first("Henrik"), first("Lena")
	if stefan.X != anna.X || eva.X != anna.X || !(anna.Y < stefan.Y && stefan.Y < eva.Y) {
		t.Errorf("the first column: %+v, %+v, %+v", anna, stefan, eva)
	}
	var right float64
	for _, tx := range body {
		right = max(right, tx.X+tx.Width)
	}
	if henrik.Y != anna.Y || henrik.X < right/3 {
		t.Errorf("the second column starts at %+v (first %+v)", henrik, anna)
	}
	if kom := first("kom"); kom.Y <= henrik.Y || kom.X < henrik.X || lena.X != henrik.X || lena.Y <= kom.Y {
		t.Errorf("the long entry ends at %+v, the next starts at %+v", kom, lena)
	}

	var many []string
	for i := range 50 {
		many = append(many, fmt.Sprintf("Ledamot %d", i+1))
	}
	doc.Blocks[0] = compose.Paragraph{Text: []typeset.Span{{Text: strings.Join(many, "\n")}}, Plain: true, Columns: 2}
	if ps, err = e.Layout(doc, tmpl); err != nil {
		t.Fatal(err)
	}
	var blocks int
	for _, b := range ps.Pages[0].Blocks {
		if b.Source == 0 {
			blocks++
		}
	}
	if blocks != 2 {
		t.Errorf("50 entries in two columns make %d blocks, want 2 of at most 20 rows", blocks)
	}
}

// TestSignersInOneRow: four signers asked for in one row stand side by
// side, each within its own quarter of the measure.
func TestSignersInOneRow(t *testing.T) {
	e, tmpl := setup(t)
	sig := compose.Signatures{PerRow: 4}
	for _, r := range []string{"Sekreterare", "Ordförande", "Justerare", "Justerare"} {
		sig.Signers = append(sig.Signers, compose.Signer{Role: r, Name: "Namn " + r})
	}
	ps, err := e.Layout(compose.Document{Header: compose.Header{Kind: "PROTOKOLL"}, Blocks: []compose.Block{sig}}, tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var roles []layout.Text
	for _, tx := range ps.Pages[0].Texts {
		if tx.Role == layout.RoleSignature && tx.Text != "Namn" && strings.HasSuffix(tx.Text, "e") && tx.Size < 10 {
			roles = append(roles, tx)
		}
	}
	if len(roles) != 4 {
		t.Fatalf("%d role labels: %+v", len(roles), roles)
	}
	for i := 1; i < 4; i++ {
		if roles[i].Y != roles[0].Y || roles[i].X <= roles[i-1].X+roles[i-1].Width {
			t.Errorf("signer %d at (%.0f, %.0f), the one before at (%.0f, %.0f)", i, roles[i].X, roles[i].Y, roles[i-1].X, roles[i-1].Y)
		}
	}
	var rules []layout.Rule
	for _, r := range ps.Pages[0].Rules {
		if r.Role == layout.RoleSignature {
			rules = append(rules, r)
		}
	}
	if len(rules) != 4 {
		t.Fatalf("%d lines to sign on", len(rules))
	}
	for i := 1; i < 4; i++ {
		if rules[i].X1 < rules[i-1].X2 {
			t.Errorf("signature lines %d and %d overlap", i-1, i)
		}
	}
}
