package typeset

import (
	"slices"
	"testing"
)

// docPart is a run of blocks of one kind in a test document.
type docPart struct {
	kind     string // "para", "heading", "table", "signature"
	from, to int    // blocks [from, to)
}

// testDocument builds a protocol-like vertical list with the penalties the
// layout is told to use: paragraphs, headings, a vote table with a repeated
// header, and a signature block.
func testDocument(withRules bool) ([]Block, []docPart) {
	var blocks []Block
	var parts []docPart
	const line = 13.2
	para := func(n int) {
		from := len(blocks)
		pens := ParagraphPenalties(n)
		for i := 0; i < n; i++ {
			b := Block{Height: line}
			if i == 0 {
				b.SpaceBefore = 6
			}
			if withRules {
				b.Penalty = pens[i]
			}
			blocks = append(blocks, b)
		}
		parts = append(parts, docPart{"para", from, len(blocks)})
	}
	heading := func() {
		b := Block{Height: 16, SpaceBefore: 14}
		if withRules {
			b.Penalty = Never
		}
		blocks = append(blocks, b)
		parts = append(parts, docPart{"heading", len(blocks) - 1, len(blocks)})
	}
	table := func(rows int) {
		from := len(blocks)
		blocks = append(blocks, Block{Height: 18, SpaceBefore: 8})
		if withRules {
			blocks[from].Penalty = Never
		}
		for i := 0; i < rows; i++ {
			b := Block{Height: 15}
			if withRules {
				b.RepeatHeight = 18
			}
			blocks = append(blocks, b)
		}
		parts = append(parts, docPart{"table", from, len(blocks)})
	}
	for _, n := range []int{4, 1, 7, 3, 2} {
		heading()
		para(n)
	}
	heading()
	para(5)
	table(14)
	for _, n := range []int{6, 3, 9, 2, 5} {
		heading()
		para(n)
	}
	para(3)
	if withRules {
		blocks[len(blocks)-1].Penalty = Never
	}
	blocks = append(blocks, Block{Height: 90, SpaceBefore: 20})
	parts = append(parts, docPart{"signature", len(blocks) - 1, len(blocks)})
	return blocks, parts
}

// pageRuleViolations lists the Swedish page rules that pages break.
func pageRuleViolations(blocks []Block, parts []docPart, pages []Page, height float64) []string {
	var bad []string
	starts := map[int]bool{} // blocks that start a page
	for i, p := range pages {
		if i > 0 && p.From != pages[i-1].To || p.From >= p.To {
			return []string{"pages do not cover the blocks in order"}
		}
		starts[p.From] = true
		used := blocks[p.From].RepeatHeight
		for j := p.From; j < p.To; j++ {
			if j > p.From {
				used += blocks[j].SpaceBefore
			}
			used += blocks[j].Height
		}
		if used > height+1e-9 {
			bad = append(bad, "a page overflows")
		}
	}
	if len(pages) == 0 || pages[0].From != 0 || pages[len(pages)-1].To != len(blocks) {
		return []string{"pages do not cover the blocks"}
	}
	for k, part := range parts {
		n := part.to - part.from
		switch part.kind {
		case "para":
			if n >= 2 && starts[part.from+1] {
				bad = append(bad, "club line")
			}
			if n >= 2 && starts[part.to-1] {
				bad = append(bad, "widow line")
			}
		case "heading":
			next := parts[k+1]
			if starts[part.from+1] {
				bad = append(bad, "heading ends a page")
			}
			if next.to-next.from >= 2 && starts[part.from+2] {
				bad = append(bad, "heading with one line under it")
			}
		case "table":
			if starts[part.from+1] {
				bad = append(bad, "table header alone")
			}
		case "signature":
			if starts[part.from] {
				bad = append(bad, "signature alone at the top of a page")
			}
		}
	}
	return bad
}

func TestBreakPagesKeepsSwedishRules(t *testing.T) {
	blocks, parts := testDocument(true)
	for h := 150.0; h <= 900; h += 3 {
		pages := BreakPages(blocks, h)
		if bad := pageRuleViolations(blocks, parts, pages, h); len(bad) > 0 {
			t.Errorf("page height %v: %v", h, bad)
		}
	}
}

// Without the penalties the same checks find broken rules: they can fail.
func TestPageRuleChecksCanFail(t *testing.T) {
	blocks, parts := testDocument(false)
	found := map[string]bool{}
	for h := 150.0; h <= 900; h += 3 {
		for _, b := range pageRuleViolations(blocks, parts, BreakPages(blocks, h), h) {
			found[b] = true
		}
	}
	for _, rule := range []string{"club line", "widow line", "heading ends a page", "signature alone at the top of a page"} {
		if !found[rule] {
			t.Errorf("no page height breaks the rule %q without penalties", rule)
		}
	}
}

func TestParagraphPenalties(t *testing.T) {
	for n, want := range map[int][]int{
		0: {},
		1: {0},
		2: {Never, 0},
		3: {Never, Never, 0},
		4: {Never, 0, Never, 0},
		6: {Never, 0, 0, 0, Never, 0},
	} {
		if got := ParagraphPenalties(n); !slices.Equal(got, want) {
			t.Errorf("ParagraphPenalties(%d) = %v, want %v", n, got, want)
		}
	}
}

func TestRepeatedHeaderRoom(t *testing.T) {
	blocks := []Block{{Height: 18, Penalty: Never}}
	for i := 0; i < 40; i++ {
		blocks = append(blocks, Block{Height: 15, RepeatHeight: 18})
	}
	pages := BreakPages(blocks, 200)
	if len(pages) < 3 {
		t.Fatalf("%d pages", len(pages))
	}
	for _, p := range pages[1:] {
		used := blocks[p.From].RepeatHeight
		for j := p.From; j < p.To; j++ {
			used += blocks[j].Height
		}
		if used > 200 || blocks[p.From].RepeatHeight == 0 {
			t.Errorf("page %v uses %v with the repeated header", p, used)
		}
		// 18 + 12 rows of 15 = 198: each page after the first holds 12 rows.
		if p.To-p.From != 12 && p.To != len(blocks) {
			t.Errorf("page %v holds %d rows, want 12", p, p.To-p.From)
		}
	}
}

func TestBreakPagesForcedAndOversized(t *testing.T) {
	blocks := []Block{{Height: 10}, {Height: 10, Penalty: Always}, {Height: 10}, {Height: 500}, {Height: 10}}
	got := BreakPages(blocks, 100)
	want := []Page{{0, 2}, {2, 3}, {3, 4}, {4, 5}}
	if !slices.Equal(got, want) {
		t.Errorf("pages %v, want %v", got, want)
	}
	if got := BreakPages(nil, 100); len(got) != 0 {
		t.Errorf("empty list gives pages %v", got)
	}
}

func TestKeepTogether(t *testing.T) {
	group := []Block{{Height: 10}, {Height: 10}, {Height: 10, Penalty: 7}}
	KeepTogether(group)
	if group[0].Penalty != Never || group[1].Penalty != Never || group[2].Penalty != 7 {
		t.Errorf("penalties %v", group)
	}
}

// TestDiscardedAtTheTopOfAPage: a Discard block (a rule between parts)
// that would open a page is left out, and its height does not count; kept
// with what follows it, it never ends a page either.
func TestDiscardedAtTheTopOfAPage(t *testing.T) {
	rule := Block{Height: 8, Discard: true, Penalty: Never}
	// Nine lines fill a page of 90; the rule and the heading after them
	// cannot join them, so the page breaks before the rule.
	var blocks []Block
	for range 9 {
		blocks = append(blocks, Block{Height: 10})
	}
	blocks = append(blocks, rule, Block{Height: 10, Penalty: Never}, Block{Height: 10}, Block{Height: 10})
	got := BreakPages(blocks, 90)
	want := []Page{{0, 9}, {10, 13}}
	if !slices.Equal(got, want) {
		t.Errorf("pages %v, want %v: the rule opens the second page", got, want)
	}
	// With room for it, the rule stays where it is.
	got = BreakPages(blocks[5:], 90)
	if want := []Page{{0, 8}}; !slices.Equal(got, want) {
		t.Errorf("pages %v, want %v", got, want)
	}
	// A rule first of all is dropped too; one alone makes no page.
	if got := BreakPages([]Block{rule, {Height: 10}}, 90); !slices.Equal(got, []Page{{1, 2}}) {
		t.Errorf("pages %v, want [{1 2}]", got)
	}
	if got := BreakPages([]Block{rule}, 90); len(got) != 0 {
		t.Errorf("a lone rule gives pages %v", got)
	}
}
