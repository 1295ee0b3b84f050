package typeset

import "math"

// Infinite penalties: a break is forbidden (Never) or forced (Always).
const (
	Never  = math.MaxInt32
	Always = math.MinInt32
)

// Block is one unbreakable box of a vertical list: a line of text, a table
// row, a whole signature block.
type Block struct {
	Height float64 // points
	// SpaceBefore is glue above the block, dropped at the top of a page.
	SpaceBefore float64
	// Penalty is the cost of a page break after this block: 0 ordinary,
	// Never to keep it with the next block (headings, club lines), Always
	// to force a new page.
	Penalty int
	// RepeatHeight is reserved at the top of a page that starts with this
	// block, for a repeated table header the caller draws there.
	RepeatHeight float64
	// Discard drops the block when it would open a page, as TeX drops glue
	// there: a rule between two parts says nothing under the running
	// header, where the page break already parts them.
	Discard bool
}

// Page is a run of blocks [From, To) that goes on one page.
type Page struct{ From, To int }

// ParagraphPenalties returns the penalty after each line of an n-line
// paragraph: Never after its first line (no club line alone at the foot of
// a page) and after its last but one (no widow alone at the head of the
// next), so a paragraph of two or three lines never splits. The entry after
// the last line is 0: what may follow the paragraph is the caller's choice.
func ParagraphPenalties(n int) []int {
	pens := make([]int, n)
	for i := 0; i < n-1; i++ {
		if i == 0 || i == n-2 {
			pens[i] = Never
		}
	}
	return pens
}

// KeepTogether forbids page breaks between the blocks of a group (a
// heading with what it introduces, a vote table's closing lines); the
// penalty after the group's last block is left as it is.
func KeepTogether(group []Block) {
	for i := 0; i < len(group)-1; i++ {
		group[i].Penalty = Never
	}
}

// BreakPages splits a vertical list into pages of the given height. Each page
// ends at the feasible break of least penalty, preferring fuller pages; when
// no break is allowed before the page overflows, it breaks anyway at the last
// block that fits (a block taller than a page gets a page of its own).
//
// Callers state the Swedish page rules with penalties:
//   - paragraph lines: ParagraphPenalties, so no club or widow line;
//   - a heading never ends a page: Never on the heading, and the paragraph
//     after it keeps its first two lines together (ParagraphPenalties does),
//     so a heading always has at least two lines under it;
//   - keep-together groups: KeepTogether, or Never between their blocks;
//   - a table: one block per row, RepeatHeight set to the header's height
//     on every row but the header, so a page that starts inside the table
//     has room for the header the renderer repeats there; Never after the
//     header row keeps it with the first row;
//   - a signature block: one block (never split), with Never on the blocks
//     before it that must share its page;
//   - a rule between parts: Discard, and Never after it, so that it stays
//     with what it introduces and vanishes at the top of a page;
//   - a forced new page: Always.
//
// A page never starts with a Discard block: the blocks it would open with
// are left out of every page.
func BreakPages(blocks []Block, height float64) []Page {
	var pages []Page
	start := 0
	for start < len(blocks) {
		for start < len(blocks) && blocks[start].Discard {
			start++
		}
		if start == len(blocks) {
			break
		}
		end := pageEnd(blocks, start, height)
		pages = append(pages, Page{From: start, To: end})
		start = end
	}
	return pages
}

// pageEnd picks where the page that starts at start ends (exclusive).
func pageEnd(blocks []Block, start int, height float64) int {
	used := blocks[start].RepeatHeight
	best, bestCost := -1, math.Inf(1)
	lastFit := start + 1
	for i := start; i < len(blocks); i++ {
		b := blocks[i]
		if i > start {
			used += b.SpaceBefore
		}
		used += b.Height
		if used > height && i > start {
			break
		}
		lastFit = i + 1
		if i == len(blocks)-1 {
			return len(blocks)
		}
		if b.Penalty == Always {
			return i + 1
		}
		if b.Penalty == Never {
			continue
		}
		// Prefer low penalties, then fuller pages.
		cost := float64(b.Penalty) + 100*math.Pow((height-used)/height, 2)
		if cost <= bestCost {
			best, bestCost = i+1, cost
		}
	}
	if best < 0 {
		return lastFit
	}
	return best
}
