package typeset

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func newTypesetter(tb testing.TB) *Typesetter {
	tb.Helper()
	return New(newHyphenator(tb))
}

// styled is one non-space rune of set text with its style.
type styled struct {
	r  rune
	st Style
}

// fromSpans lists the non-space runes of spans with their styles.
func fromSpans(spans []Span) []styled {
	var out []styled
	for _, s := range spans {
		for _, r := range s.Text {
			if r != ' ' && r != '\n' {
				out = append(out, styled{r, s.Style})
			}
		}
	}
	return out
}

// fromLines reads set lines back, dropping inserted hyphens and giving a
// restored consonant back (till-|låta → tillåta).
func fromLines(t *testing.T, lines []Line) []styled {
	t.Helper()
	var out []styled
	for li, l := range lines {
		for i, it := range l.Items {
			text := it.Text
			if l.Hyphenated && i == len(l.Items)-1 {
				if !strings.HasSuffix(text, "-") || it.Added < 1 {
					t.Fatalf("line %d is hyphenated but ends %q, %d bytes added", li, text, it.Added)
				}
			}
			if it.Added > 0 && (!l.Hyphenated || i != len(l.Items)-1) {
				t.Fatalf("line %d: %d bytes added to %q, not at a hyphenated end", li, it.Added, text)
			}
			text = text[:len(text)-it.Added]
			for _, r := range text {
				if r != ' ' {
					out = append(out, styled{r, it.Style})
				}
			}
		}
	}
	return out
}

func sameStyled(t *testing.T, got, want []styled) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("set text has %d runes, source %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("rune %d: set %q style %d, source %q style %d", i, got[i].r, got[i].st, want[i].r, want[i].st)
		}
	}
}

// checkGeometry: items in order, justified lines exactly fill the measure,
// no line overflows.
func checkGeometry(t *testing.T, lines []Line, p Params) {
	t.Helper()
	for li, l := range lines {
		x := 0.0
		if li == 0 {
			x = p.FirstIndent
		}
		for i, it := range l.Items {
			if d := it.X - x; d > 1e-6 || d < -1e-6 {
				t.Fatalf("line %d item %d at %.3f, want %.3f", li, i, it.X, x)
			}
			x += it.W + it.SpaceAfter
		}
		end := x
		if l.Justified && !l.Last && (end-p.Width > 0.01 || p.Width-end > 0.01) {
			t.Errorf("justified line %d ends at %.2f, measure %.2f", li, end, p.Width)
		}
		if end > p.Width+0.01 {
			t.Errorf("line %d overflows: %.2f > %.2f", li, end, p.Width)
		}
		if l.Last != (li == len(lines)-1) {
			t.Errorf("line %d: Last = %v", li, l.Last)
		}
	}
}

func TestSetKeepsTextAndFillsMeasure(t *testing.T) {
	ts := newTypesetter(t)
	for _, mm := range []float64{150, 120, 90, 70} {
		p := bodyParams()
		p.Width = mm / 25.4 * 72
		p.FirstIndent = 12
		for _, para := range seedParagraphs(t) {
			spans := []Span{{Text: Normalize(para)}}
			lines := ts.Set(spans, testFaces{}, p)
			sameStyled(t, fromLines(t, lines), fromSpans(spans))
			checkGeometry(t, lines, p)
		}
	}
}

// Lines set into a reused buffer are the lines Set returns.
func TestSetIntoMatchesSet(t *testing.T) {
	ts := newTypesetter(t)
	var buf Lines
	p := bodyParams()
	paras := append(seedParagraphs(t), "", "kort")
	for i := range 2 * len(paras) {
		spans := []Span{{Text: Normalize(paras[(i*7)%len(paras)])}}
		want := ts.Set(spans, testFaces{}, p)
		got := ts.SetInto(&buf, spans, testFaces{}, p)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("paragraph %d: SetInto differs from Set", i)
		}
	}
	buf.Reset()
}

// Body text at 150 mm and 11 pt must meet the grey targets and beat the
// first-fit baseline.
func TestQualityTargets(t *testing.T) {
	ts := newTypesetter(t)
	p := bodyParams()
	var kp, greedy []Line
	for _, para := range seedParagraphs(t) {
		spans := []Span{{Text: Normalize(para)}}
		kp = append(kp, ts.Set(spans, testFaces{}, p)...)
		greedy = append(greedy, Greedy(spans, testFaces{}, p)...)
	}
	k, g := Measure(kp, testFaces{}, p.Size), Measure(greedy, testFaces{}, p.Size)
	t.Logf("Knuth–Plass: %+v", k)
	t.Logf("greedy:      %+v", g)
	if k.MaxSpace > 1.7 {
		t.Errorf("widest space %.2f× normal, want ≤ 1.7", k.MaxSpace)
	}
	if k.MeanSpace > 1.2 {
		t.Errorf("mean space %.2f× normal, want ≤ 1.2", k.MeanSpace)
	}
	if k.MinSpace < 2.0/3-0.01 {
		t.Errorf("narrowest space %.2f× normal: shrunk more than the glue allows", k.MinSpace)
	}
	if k.MaxHyphenRun > 2 {
		t.Errorf("%d hyphenated lines in a row", k.MaxHyphenRun)
	}
	if k.Overfull > 0 {
		t.Errorf("%d overfull lines", k.Overfull)
	}
	if k.Hyphenated*4 > k.Lines {
		t.Errorf("%d of %d lines hyphenated: too eager", k.Hyphenated, k.Lines)
	}
	if k.MaxSpace >= g.MaxSpace || k.MeanSpace >= g.MeanSpace {
		t.Errorf("Knuth–Plass (max %.2f, mean %.2f) does not beat greedy (max %.2f, mean %.2f)",
			k.MaxSpace, k.MeanSpace, g.MaxSpace, g.MeanSpace)
	}
}

func TestHyphenRunsAtNarrowMeasures(t *testing.T) {
	ts := newTypesetter(t)
	for _, mm := range []float64{120, 100, 80} {
		p := bodyParams()
		p.Width = mm / 25.4 * 72
		for _, para := range seedParagraphs(t) {
			lines := ts.Set([]Span{{Text: Normalize(para)}}, testFaces{}, p)
			if s := Measure(lines, testFaces{}, p.Size); s.MaxHyphenRun > 2 {
				t.Errorf("%v mm: %d hyphenated lines in a row in %.40q…", mm, s.MaxHyphenRun, para)
			}
		}
	}
}

func TestRichTextKeepsStyles(t *testing.T) {
	ts := newTypesetter(t)
	spans := []Span{
		{Text: "Regionstyrelsen beslutar att "},
		{Text: "samverkansöverenskommelsen", Style: Bold},
		{Text: " ska "},
		{Text: "upphandlings", Style: Strike},
		{Text: "lagstiftningen", Style: Underline},
		{Text: " gälla för "},
		{Text: "Lars-Erik Olofsson (KD)", Style: NoHyphen | Italic},
		{Text: " och personuppgiftsbehandlingen i dokumenthanteringssystemet.", Style: Italic},
	}
	hyphenatedBold := false
	for w := 120.0; w <= 260; w += 4 {
		p := Params{Width: w, Size: 11, Justify: true, Hyphenate: true}
		lines := ts.Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		checkGeometry(t, lines, p)
		for _, l := range lines {
			last := l.Items[len(l.Items)-1]
			if l.Hyphenated && last.Style&NoHyphen != 0 {
				t.Errorf("width %v: NoHyphen text hyphenated: %q", w, last.Text)
			}
			if l.Hyphenated && last.Style == Bold {
				hyphenatedBold = true
			}
			for _, it := range l.Items {
				if strings.Contains(it.Text, "Olofs") && it.Text != "Olofsson" || it.Text == "Lars-" {
					t.Errorf("width %v: a name was broken: %q", w, it.Text)
				}
			}
		}
	}
	if !hyphenatedBold {
		t.Error("the bold compound was never hyphenated at any width: the test proves nothing")
	}
}

func TestExplicitHyphenBreaksOnlyThere(t *testing.T) {
	ts := newTypesetter(t)
	spans := []Span{{Text: "Nämnden antog ett nytt EU-direktivförslag om IT-driftsamverkan i regionen."}}
	broke := false
	for w := 80.0; w <= 300; w += 3 {
		lines := ts.Set(spans, testFaces{}, Params{Width: w, Size: 11, Justify: true, Hyphenate: true})
		for _, l := range lines {
			for _, it := range l.Items {
				if strings.HasPrefix(it.Text, "direktiv") || strings.HasPrefix(it.Text, "driftsamv") {
					broke = true
				}
				if strings.Contains(it.Text, "direktiv") && !strings.HasPrefix(it.Text, "EU-direktivförslag") && !strings.HasPrefix(it.Text, "direktivförslag") {
					t.Errorf("width %v: %q: a word with a hyphen broken elsewhere", w, it.Text)
				}
			}
			if l.Hyphenated && strings.Contains(l.Items[len(l.Items)-1].Text, "EU") {
				t.Errorf("width %v: inserted hyphen in EU-direktivförslag", w)
			}
		}
	}
	if !broke {
		t.Error("never broke after an explicit hyphen")
	}
}

func TestTripleConsonantBreak(t *testing.T) {
	ts := newTypesetter(t)
	// nattåg is not the last word: its stub alone would be too short a
	// last line (TestNoStubOnTheLastLine).
	spans := []Span{{Text: "Styrelsen beslutar att tillåta nattåg i länet."}}
	seen := map[string]bool{}
	for w := 60.0; w <= 200; w += 1 {
		lines := ts.Set(spans, testFaces{}, Params{Width: w, Size: 11, Justify: true, Hyphenate: true})
		for i, l := range lines {
			if !l.Hyphenated {
				continue
			}
			end := l.Items[len(l.Items)-1].Text
			seen[end+"|"+lines[i+1].Items[0].Text] = true
		}
	}
	for _, want := range []string{"till-|låta", "natt-|tåg"} {
		if !seen[want] {
			t.Errorf("never broke as %s; breaks seen: %v", want, seen)
		}
	}
	for s := range seen {
		if strings.HasPrefix(s, "til-") || strings.HasPrefix(s, "nat-") {
			t.Errorf("wrong break %s", s)
		}
	}
}

func TestForcedBreakAndLastLine(t *testing.T) {
	ts := newTypesetter(t)
	spans := []Span{{Text: "Beslutet skickas till:\nRegiondirektör, länets kommuner och Regionens revisorer som underlag för fortsatt arbete med frågan."}}
	p := Params{Width: 250, Size: 11, Justify: true, Hyphenate: true}
	lines := ts.Set(spans, testFaces{}, p)
	if got := lines[0].Items[len(lines[0].Items)-1].Text; got != "till:" || len(lines[0].Items) != 3 {
		t.Fatalf("first line ends %q with %d items, want the forced break after till:", got, len(lines[0].Items))
	}
	if lines[0].Justified {
		t.Error("the line before a forced break is justified")
	}
	last := lines[len(lines)-1]
	if !last.Last || last.Justified {
		t.Errorf("last line: Last %v, Justified %v", last.Last, last.Justified)
	}
	sp := spaceWidth(testFaces{}, 0, p.Size)
	for _, it := range last.Items[:len(last.Items)-1] {
		if it.SpaceAfter != sp {
			t.Errorf("last line space %.2f, want natural %.2f", it.SpaceAfter, sp)
		}
	}
	checkGeometry(t, lines, p)
}

func TestRaggedRight(t *testing.T) {
	ts := newTypesetter(t)
	p := bodyParams()
	p.Justify = false
	sp := spaceWidth(testFaces{}, 0, p.Size)
	for _, para := range seedParagraphs(t) {
		spans := []Span{{Text: Normalize(para)}}
		lines := ts.Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		checkGeometry(t, lines, p)
		for li, l := range lines {
			if l.Justified {
				t.Errorf("ragged line %d justified", li)
			}
			for _, it := range l.Items {
				if it.SpaceAfter != 0 && it.SpaceAfter != sp {
					t.Errorf("ragged line %d has a space of %.2f", li, it.SpaceAfter)
				}
			}
		}
	}
}

func TestOverlongWordStillSet(t *testing.T) {
	ts := newTypesetter(t)
	spans := []Span{{Text: "Se https://www.regionjh.se/politik-och-paverkan/protokoll/regionstyrelsen/2023 för protokollet."}}
	lines := ts.Set(spans, testFaces{}, Params{Width: 120, Size: 11, Justify: true, Hyphenate: true})
	sameStyled(t, fromLines(t, lines), fromSpans(spans))
	for _, l := range lines {
		if l.Hyphenated {
			t.Errorf("a URL was hyphenated: %q", l.Items[len(l.Items)-1].Text)
		}
	}
}

func TestEmptyParagraph(t *testing.T) {
	lines := newTypesetter(t).Set(nil, testFaces{}, bodyParams())
	if len(lines) != 1 || !lines[0].Last || len(lines[0].Items) != 0 {
		t.Errorf("empty paragraph: %+v", lines)
	}
}

func TestWithoutHyphenator(t *testing.T) {
	p := bodyParams()
	for _, para := range seedParagraphs(t) {
		spans := []Span{{Text: para}}
		lines := New(nil).Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		for _, l := range lines {
			if l.Hyphenated {
				t.Fatal("hyphenated without a hyphenator")
			}
		}
	}
}

// Random paragraphs of real vocabulary, styles, forced breaks and measures:
// the text always survives and no line leaves the measure unless a single
// word is wider than it.
func TestSetRandomParagraphs(t *testing.T) {
	ts := newTypesetter(t)
	vocab := strings.Fields(Normalize(strings.Join(seedParagraphs(t), " ")))
	vocab = append(vocab, "tillåta", "nattåg", "EU-direktiv", "protokollsanteckning", "RS/412/2023", "(KD)")
	rng := rand.New(rand.NewPCG(1, 2))
	styles := []Style{0, Bold, Italic, Bold | Italic, Strike, Underline, NoHyphen}
	for round := 0; round < 300; round++ {
		var spans []Span
		for n := rng.IntN(60); n >= 0; n-- {
			text := vocab[rng.IntN(len(vocab))]
			switch rng.IntN(12) {
			case 0:
				text += "\n"
			case 1, 2:
				text += " "
			}
			if rng.IntN(3) > 0 {
				text = " " + text
			}
			spans = append(spans, Span{Text: text, Style: styles[rng.IntN(len(styles))]})
		}
		p := Params{Width: 60 + rng.Float64()*400, Size: 9 + rng.Float64()*4, Justify: rng.IntN(4) > 0, Hyphenate: rng.IntN(5) > 0}
		if rng.IntN(3) == 0 {
			p.FirstIndent = rng.Float64() * 30
		}
		lines := ts.Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		for li, l := range lines {
			if len(l.Items) == 0 {
				continue
			}
			last := l.Items[len(l.Items)-1]
			if end := last.X + last.W; end > p.Width+0.01 && len(l.Items) > 1 && !overlong(l, p, li == 0) {
				t.Fatalf("round %d: line %d ends at %.1f beyond %.1f: %+v", round, li, end, p.Width, l.Items)
			}
		}
	}
}

// overlong: the line holds a single word (no space in it) that is wider
// than the measure.
func overlong(l Line, p Params, first bool) bool {
	for _, it := range l.Items {
		if it.SpaceAfter > 0 {
			return false
		}
	}
	return true
}

func TestGreedyBaseline(t *testing.T) {
	p := bodyParams()
	for _, para := range seedParagraphs(t) {
		spans := []Span{{Text: Normalize(para) + "\nSlut."}}
		lines := Greedy(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		checkGeometry(t, lines, p)
		if lines[len(lines)-2].Justified {
			t.Error("greedy justified the line before a forced break")
		}
	}
}

// One Typesetter and Hyphenator serve many goroutines (run with -race).
func TestConcurrentUse(t *testing.T) {
	ts := newTypesetter(t)
	paras := seedParagraphs(t)
	want := make([][]Line, len(paras))
	for i, para := range paras {
		want[i] = ts.Set([]Span{{Text: para}}, testFaces{}, bodyParams())
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for i, para := range paras {
				got := ts.Set([]Span{{Text: para}}, testFaces{}, bodyParams())
				ok = ok && len(got) == len(want[i]) && got[len(got)-1].Items[0].Text == want[i][len(want[i])-1].Items[0].Text
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Error("concurrent Set gave other lines")
		}
	}
}

// Long compounds on a narrow measure: no breaking within tolerance exists,
// and the last passes must spend hyphens before gaps. Each bound is the
// widest space of the best breaking the text allows (found by trying them
// all), rounded up; gaps half as wide again pass unnoticed otherwise.
func TestNarrowCompoundsPreferHyphens(t *testing.T) {
	ts := newTypesetter(t)
	const (
		committee = "Beslutsunderlagsframtagningen har skett i samråd med personalorganisationerna, pensionärsorganisationernas samverkansråd och funktionshindersorganisationernas samverkansgrupp."
		sami      = "Áile Ŋuvttás (S) och Máhtte Čoarvi (V) från Sametingets näringslivsavdelning har deltagit i beredningen av renskötselfrågorna och informationsutbytesöverenskommelsen med Jåhkåmåhke suohkan."
		proposal  = "Kommunstyrelsen föreslår att kommunfullmäktige godkänner samverkansöverenskommelsen om upphandlingssamordning och informationssäkerhetsarbete för perioden."
		report    = "Kommundirektören får i uppdrag att återrapportera informationssäkerhetsarbetet till kommunstyrelsens arbetsutskott senast 2025-06-30."
	)
	for _, c := range []struct {
		text     string
		width    float64
		maxSpace float64
	}{
		// The first line can only end after "samråd" (ratio 6.4) or after
		// "med", which leaves the second line two compounds and one space
		// (ratio 10.4, spaces 6.2×).
		{committee, 255, 4.2},
		{committee, 200, 4.8},
		{sami, 255, 2},
		{sami, 200, 2.05},
		{proposal, 255, 2},
		{proposal, 200, 2.05},
		{report, 255, 2},
	} {
		p := Params{Width: c.width, Size: 11, Justify: true, Hyphenate: true}
		spans := []Span{{Text: Normalize(c.text)}}
		lines := ts.Set(spans, testFaces{}, p)
		sameStyled(t, fromLines(t, lines), fromSpans(spans))
		checkGeometry(t, lines, p)
		s := Measure(lines, testFaces{}, p.Size)
		if s.MaxSpace > c.maxSpace || s.Hyphenated == 0 || s.MaxHyphenRun > maxHyphenRun+1 {
			t.Errorf("%v pt %.30q…: widest space %.2f× (want ≤ %.2f), %d hyphenated, run %d",
				c.width, c.text, s.MaxSpace, c.maxSpace, s.Hyphenated, s.MaxHyphenRun)
		}
	}
}

// A break ending a shorter hyphen run may cost more now and still win
// later, where the cheaper one may not hyphenate again.
func TestShorterHyphenRunKept(t *testing.T) {
	var best classes
	best[2][maxHyphenRun] = candidate{demerits: 1000, ok: true}
	best[2][0] = candidate{demerits: 1000 + 3*adjDemerits, ok: true}
	best[0][maxHyphenRun] = candidate{demerits: 1000 + 2*adjDemerits, ok: true}
	bound := dominated(&best)
	if best[2][0].demerits > bound[0] {
		t.Error("the only class that may hyphenate next was dropped")
	}
	if best[0][maxHyphenRun].demerits <= bound[maxHyphenRun] {
		t.Error("a class beaten in every future was kept")
	}
}

// TestNoStubOnTheLastLine: a hyphen never leaves fewer than
// lastLineLetters letters on a paragraph's last line ("kro-" / "nor."),
// nor on a line a forced break ends, at any measure; hyphens earlier in
// the paragraph, and a last line carried by a long stub, stay allowed.
func TestNoStubOnTheLastLine(t *testing.T) {
	ts := newTypesetter(t)
	paragraphs := []string{
		"Nämnden beviljar föreningen ett bidrag för verksamhetsåret om sammanlagt 384 500 kronor.",
		"Kommunstyrelsen föreslår att fullmäktige godkänner den reviderade taxan för bygglov och anmälan enligt plan- och bygglagen samt att den gäller från och med den första januari.",
		"Ledamöterna informerades om arbetsläget inom äldreomsorgen och om rekryteringen av sjuksköterskor till hemsjukvården under sommaren. Förvaltningen återkommer med en redovisning av kostnaderna.\nUppdraget redovisas senast i december.",
		"Överklagandet avser beslutet att inte bevilja ekonomiskt bistånd för tandvårdskostnader under perioden.",
	}
	letterCount := func(s string) int {
		n := 0
		for _, r := range s {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || strings.ContainsRune("åäöÅÄÖ", r) || r >= '0' && r <= '9' {
				n++
			}
		}
		return n
	}
	late := 0 // hyphens on a paragraph's last but one line that stay allowed
	for _, text := range paragraphs {
		spans := []Span{{Text: Normalize(text)}}
		for w := 150.0; w <= 460; w += 1.5 {
			for _, track := range []float64{0, 0.01} {
				p := Params{Width: w, Size: 11, Justify: true, Hyphenate: true, Tracking: track}
				lines := ts.Set(spans, testFaces{}, p)
				sameStyled(t, fromLines(t, lines), fromSpans(spans))
				for i := 1; i < len(lines); i++ {
					prev, l := lines[i-1], lines[i]
					ends := l.Last || strings.HasSuffix(lineText(l), "redovisning av kostnaderna.")
					if !prev.Hyphenated || !ends {
						continue
					}
					if n := letterCount(lineText(l)); n < lastLineLetters {
						t.Errorf("width %.1f: %q / %q leaves %d letters on the last line", w, lineText(prev), lineText(l), n)
					} else {
						late++
					}
				}
			}
		}
	}
	if late == 0 {
		t.Error("no paragraph ends with a hyphen on its last but one line: the rule forbids too much")
	}
}

// TestNoJustifiedLinePastMaxSpace: at every measure from a narrow column to
// the full page, with letter spacing and without, no justified line's
// spaces pass MaxSpace; the lines that could not be kept within it are set
// flush left at natural spacing, and every line keeps within the measure.
func TestNoJustifiedLinePastMaxSpace(t *testing.T) {
	ts := newTypesetter(t)
	paragraphs := append(seedParagraphs(t),
		"Beslutsunderlagsframtagningen har skett i samråd med personalorganisationerna, pensionärsorganisationernas samverkansråd och funktionshindersorganisationernas samverkansgrupp.",
		"Genom överenskommelsen samfinansierar kommunerna Hembygdsarkivet Storsjöbygden med 1 456 000 kronor årligen.")
	space := (testFaces{}).Face(0).Width(" ")
	flush := 0
	for _, text := range paragraphs {
		spans := []Span{{Text: Normalize(text)}}
		for w := 150.0; w <= 460; w += 31 {
			for _, track := range []float64{0, 0.01} {
				p := Params{Width: w, Size: 11, Justify: true, Hyphenate: true, Tracking: track}
				lines := ts.Set(spans, testFaces{}, p)
				checkGeometry(t, lines, p)
				for i, l := range lines {
					for _, it := range l.Items {
						if m := it.SpaceAfter / (space * p.Size); m > MaxSpace+1e-9 {
							t.Errorf("width %.0f line %d %q: a space %.3f× normal", w, i, lineText(l), m)
						}
					}
					if l.Flush {
						flush++
						if l.Justified || l.Tracking != 0 {
							t.Errorf("width %.0f line %d %q: flush left, yet justified or letter-spaced", w, i, lineText(l))
						}
					}
				}
			}
		}
	}
	if flush == 0 {
		t.Error("no line had to be set flush left: the test proves nothing")
	}
}

// TestSkippingKeepsTheBreaks: the breaker skips lines surely too loose
// and stops walking the active list at the first node too far back; the
// lines are those of measuring every line from every active node, on the
// seed paragraphs at measures from a few words to a wide column,
// justified or ragged, hyphenated or not, with a first line indented,
// outdented or neither.
func TestSkippingKeepsTheBreaks(t *testing.T) {
	h := newHyphenator(t)
	ts, ref := New(h), New(h)
	ref.exhaustive = true
	texts := seedParagraphs(t)
	// A paragraph in two styles, with a forced break.
	texts = append(texts, "Kommunstyrelsen föreslår att fullmäktige godkänner den reviderade taxan.\nUppdraget redovisas senast i december.")
	settings := 0
	for i, text := range texts {
		spans := []Span{{Text: Normalize(text)}}
		if i%2 == 1 {
			cut := strings.IndexByte(spans[0].Text[20:], ' ') + 20
			spans = []Span{{Text: spans[0].Text[:cut], Style: Bold}, {Text: spans[0].Text[cut:]}}
		}
		for _, width := range []float64{60, 90, 120, 170, 230, 300, 360, 425, 500} {
			for _, justify := range []bool{true, false} {
				for _, hyphenate := range []bool{true, false} {
					for _, indent := range []float64{0, 20, -15} {
						p := Params{Width: width, Size: 11, Justify: justify, Hyphenate: hyphenate, FirstIndent: indent, Tracking: 0.01}
						got, want := fmt.Sprintf("%+v", ts.Set(spans, testFaces{}, p)), fmt.Sprintf("%+v", ref.Set(spans, testFaces{}, p))
						if got != want {
							t.Fatalf("paragraph %d at %v pt (justify %v, hyphenate %v, indent %v):\n got %s\nwant %s",
								i, width, justify, hyphenate, indent, got, want)
						}
						settings++
					}
				}
			}
		}
	}
	if settings < 500 {
		t.Errorf("only %d settings compared", settings)
	}
}
