package compose_test

import (
	"strings"
	"testing"

	"utdrag/compose"
	"utdrag/extract"
)

// TestStruckAndInsertedWordsApart: a struck run and an inserted run sent
// side by side ("200 000" struck, "275 000" inserted) are two readings: a
// space parts them, in either order, so neither the page nor the text
// layer reads "200 000275 000". Runs already parted by a space, and runs
// beside unmarked text, are left as sent.
func TestStruckAndInsertedWordsApart(t *testing.T) {
	del := func(s string) extract.Span { return extract.Span{Text: s, Deleted: true} }
	ins := func(s string) extract.Span { return extract.Span{Text: s, Inserted: true} }
	plain := func(s string) extract.Span { return extract.Span{Text: s} }
	for _, c := range []struct {
		wording extract.RichText
		want    string
	}{
		{extract.RichText{plain("höjs till "), del("200 000"), ins("275 000"), plain(" kronor.")}, "höjs till 200 000 275 000 kronor."},
		{extract.RichText{plain("ska "), ins("senast"), del("tidigast"), plain(" i juni.")}, "ska senast tidigast i juni."},
		{extract.RichText{plain("höjs till "), del("200 000 "), ins("275 000"), plain(" kronor.")}, "höjs till 200 000 275 000 kronor."},
		{extract.RichText{plain("höjs till "), del("200 000"), ins(" 275 000"), plain(" kronor.")}, "höjs till 200 000 275 000 kronor."},
		{extract.RichText{plain("verksamhet"), del("en"), plain(" i länet.")}, "verksamheten i länet."},
	} {
		x := &extract.Extract{Paragraphs: []extract.Paragraph{{Number: 31, Title: "Bidrag", CaseNumber: "KFN 2024/55",
			Motions: []extract.Motion{{By: extract.Person{Name: "Eva Lund", Party: "L"}, Text: extract.Text("yrkar följande ändring:"),
				Wording: []extract.Block{{Type: extract.BlockParagraph, Text: c.wording}}}}}}}
		doc := compose.Build(x, tmpl(t), nil)
		var got string
		for _, b := range doc.Blocks {
			if p, ok := b.(compose.Paragraph); ok && p.Indent == 1 {
				got = strings.ReplaceAll(text(p.Text), "\u00a0", " ")
			}
		}
		if got != c.want {
			t.Errorf("wording %+v reads %q, want %q", c.wording, got, c.want)
		}
	}
}
