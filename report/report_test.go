package report_test

import (
	"strings"
	"testing"
	"utdrag/internal/exampletest"

	"utdrag/compose"
	"utdrag/report"
	"utdrag/typeset"
)

// TestExamplesMeetTheTargets holds the typesetter to the targets on both
// examples, and to beating the greedy baseline clearly.
func TestExamplesMeetTheTargets(t *testing.T) {
	fs, hy, tp := exampletest.Fonts(t), exampletest.Hyphenator(t), exampletest.Template(t)
	// The widest space allowed in any justified line, lists included, is
	// typeset.MaxSpace (1.7×): letter spacing brings run-59's line before
	// the unbreakable "6 746 750 kronor" within it, though its spaces alone
	// could not (TestWidestSpaceBeforeSumIsOptimal).
	for _, name := range []string{"rs-157-2023.json", "run-59-2022.json"} {
		t.Run(name, func(t *testing.T) {
			doc := compose.Build(exampletest.Load(t, name), tp, nil)
			kp, kpLists, err := report.Measure("knuth-plass", fs, typeset.New(hy), doc, tp)
			if err != nil {
				t.Fatal(err)
			}
			greedy, greedyLists, err := report.Measure("greedy", fs, report.Greedy{}, doc, tp)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			_ = report.Write(&b, kp, greedy, kpLists, greedyLists)
			t.Log("\n" + b.String())
			switch {
			case kp.Lines+kpLists.Lines < 60:
				t.Errorf("only %d justified lines measured", kp.Lines+kpLists.Lines)
			case kp.MaxSpace > typeset.MaxSpace || kpLists.MaxSpace > typeset.MaxSpace:
				t.Errorf("widest interword space %.2f× normal in body text, %.2f× in lists, target ≤ %.2f×", kp.MaxSpace, kpLists.MaxSpace, typeset.MaxSpace)
			case kp.Flush > 0:
				t.Errorf("%d body lines set flush left", kp.Flush)
			case kp.MeanSpace > 1.2:
				t.Errorf("mean interword space %.2f× normal, target ≤ 1.2×", kp.MeanSpace)
			case kp.MaxHyphenRun > 2:
				t.Errorf("%d hyphenated lines in a row, target ≤ 2", kp.MaxHyphenRun)
			case kp.Clubs+kp.Widows > 0:
				t.Errorf("%d club and %d widow lines", kp.Clubs, kp.Widows)
			case kp.Overfull > 0:
				t.Errorf("%d overfull lines", kp.Overfull)
			case kpLists.MaxHyphenRun > 2 || kpLists.Overfull > 0 || kpLists.MeanSpace > 1.2 ||
				kpLists.MeanSpace >= greedyLists.MeanSpace:
				t.Errorf("lists: %+v", kpLists)
			case kp.MaxSpace >= greedy.MaxSpace || kp.MeanSpace >= greedy.MeanSpace:
				t.Errorf("not better than greedy: max %.2f vs %.2f, mean %.2f vs %.2f",
					kp.MaxSpace, greedy.MaxSpace, kp.MeanSpace, greedy.MeanSpace)
			}
		})
	}
}
