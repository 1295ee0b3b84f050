package typeset

import (
	"math"
	"testing"
)

func TestMeasureCounts(t *testing.T) {
	sp := spaceWidth(testFaces{}, 0, 10) // 2.5 pt
	bold := spaceWidth(testFaces{}, Bold, 10)
	lines := []Line{
		{Justified: true, Hyphenated: true, Width: 100, Items: []Item{{W: 10, SpaceAfter: 2 * sp}, {X: 10 + 2*sp, W: 20}}},
		{Justified: true, Hyphenated: true, Width: 100, Items: []Item{{W: 10, SpaceAfter: sp}, {X: 10 + sp, W: 10, Style: Bold, SpaceAfter: 1.5 * bold}, {W: 5}}},
		{Justified: true, Width: 100, Items: []Item{{W: 10, SpaceAfter: sp}}},
		{Justified: true, Hyphenated: true, Width: 100},
		{Last: true, Justified: true, Width: 100, Items: []Item{{W: 10, SpaceAfter: 5 * sp}, {X: 200, W: 10}}}, // overfull, last
		{Justified: false, Width: 100, Items: []Item{{W: 10, SpaceAfter: 9 * sp}}},
	}
	s := Measure(lines, testFaces{}, 10)
	if s.Lines != 6 || s.Justified != 5 || s.Hyphenated != 3 || s.MaxHyphenRun != 2 || s.Overfull != 1 {
		t.Errorf("counts %+v", s)
	}
	if s.Spaces != 4 || math.Abs(s.MaxSpace-2) > 1e-9 || math.Abs(s.MinSpace-1) > 1e-9 ||
		math.Abs(s.MeanSpace-(2+1+1.5+1)/4) > 1e-9 {
		t.Errorf("spaces %+v", s)
	}
}
