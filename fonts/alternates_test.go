package fonts

import (
	"bytes"
	"compress/zlib"
	"io"
	"strings"
	"testing"
)

// cmapRecords maps each (platform, encoding) record of a cmap table to
// its subtable's bytes.
func cmapRecords(t *testing.T, cmap []byte) map[[2]uint16][]byte {
	t.Helper()
	out := map[[2]uint16][]byte{}
	for i := range int(u16(cmap, 2)) {
		rec := cmap[4+8*i:]
		off := int(u32(rec, 4))
		l, err := cmapSubtableLength(cmap, off)
		if err != nil {
			t.Fatal(err)
		}
		out[[2]uint16{u16(rec, 0), u16(rec, 2)}] = cmap[off : off+l]
	}
	return out
}

// yMin is the lowest point of glyph g's outline, in font units.
func yMin(t *testing.T, font []byte, g uint16) int {
	t.Helper()
	src, err := newGlyphSource(font)
	if err != nil {
		t.Fatal(err)
	}
	b := src.glyph(int(g))
	if len(b) < 10 {
		t.Fatalf("glyph %d is empty", g)
	}
	return int(int16(u16(b, 4)))
}

// Every face draws Ŋ with its N-form alternate: the full file given to the
// PDF writer, the measure, and the simple font's subset agree on it, and
// nothing else of the font changes.
func TestSamiEngUsesTheNForm(t *testing.T) {
	for _, f := range load(t).Faces() {
		orig, err := files.ReadFile("files/" + f.Name())
		if err != nil {
			t.Fatal(err)
		}
		om, err := parseTrueType(orig)
		if err != nil {
			t.Fatal(err)
		}
		m, err := parseTrueType(f.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		tables, err := tableDirectory(f.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		alt, err := glyphNamed(tables["post"], "Eng.alt2")
		if err != nil {
			t.Fatal(err)
		}
		if m.cmap['Ŋ'] != uint16(alt) || om.cmap['Ŋ'] == uint16(alt) {
			t.Errorf("%s: Ŋ is glyph %d (was %d), want Eng.alt2 = %d", f.Name(), m.cmap['Ŋ'], om.cmap['Ŋ'], alt)
		}
		for r, g := range om.cmap {
			if r != 'Ŋ' && m.cmap[r] != g {
				t.Errorf("%s: %q moved from glyph %d to %d", f.Name(), r, g, m.cmap[r])
			}
		}
		if len(m.cmap) != len(om.cmap) {
			t.Errorf("%s: %d characters mapped, was %d", f.Name(), len(m.cmap), len(om.cmap))
		}
		// The N-form is as wide as N; the measure is the glyph's advance.
		if f.advance('Ŋ') != m.advances[alt] || f.advance('Ŋ') != f.advance('N') {
			t.Errorf("%s: Ŋ measures %d units, Eng.alt2 is %d, N %d", f.Name(), f.advance('Ŋ'), m.advances[alt], f.advance('N'))
		}
		// The hook descends; N stays on the baseline.
		if y := yMin(t, f.Bytes(), m.cmap['Ŋ']); float64(y) > -0.15*f.em {
			t.Errorf("%s: Ŋ reaches only %d units below the baseline", f.Name(), -y)
		}
		// Every other table is the shipped one; head differs only in its
		// checksum adjustment, and the file's checksum is right.
		ot, err := tableDirectory(orig)
		if err != nil {
			t.Fatal(err)
		}
		if len(ot) != len(tables) {
			t.Errorf("%s: %d tables, was %d", f.Name(), len(tables), len(ot))
		}
		for tag, b := range ot {
			switch tag {
			case "cmap":
			case "head":
				if !bytes.Equal(b[:8], tables[tag][:8]) || !bytes.Equal(b[12:], tables[tag][12:]) {
					t.Errorf("%s: head changed beyond its checksum adjustment", f.Name())
				}
			default:
				if !bytes.Equal(b, tables[tag]) {
					t.Errorf("%s: table %s changed", f.Name(), tag)
				}
			}
		}
		if sum := checksum(f.Bytes()); sum != 0xB1B0AFBA {
			t.Errorf("%s: file checksum %#x", f.Name(), sum)
		}
		// The non-Unicode subtables (Macintosh Roman) are kept as they are.
		or, nr := cmapRecords(t, ot["cmap"]), cmapRecords(t, tables["cmap"])
		if len(or) != len(nr) {
			t.Errorf("%s: %d cmap records, was %d", f.Name(), len(nr), len(or))
		}
		for k, b := range or {
			if k[0] == 1 && !bytes.Equal(b, nr[k]) {
				t.Errorf("%s: cmap subtable %v changed", f.Name(), k)
			}
		}
		// The simple font's subset maps Ŋ to the same outline, as wide as
		// its definition says.
		_, z := f.Simple()
		zr, err := zlib.NewReader(bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		sub, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		sm, err := parseTrueType(sub)
		if err != nil {
			t.Fatal(err)
		}
		g := sm.cmap['Ŋ']
		if sm.advances[g] != f.advance('N') || yMin(t, sub, g) != yMin(t, f.Bytes(), m.cmap['Ŋ']) {
			t.Errorf("%s: the subset's Ŋ is not the N-form", f.Name())
		}
	}
}

// A glyph choice the font cannot satisfy stops Load instead of silently
// drawing the other form.
func TestMissingAlternateIsAnError(t *testing.T) {
	data, err := files.ReadFile("files/LiberationSerif-Regular.ttf")
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseTrueType(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []alternate{
		{'Ŋ', "Eng.sami", "no such glyph"},
		{'\u4e2d', "Eng.alt2", "no such character"},
	} {
		if _, err := applyAlternates(data, m, []alternate{a}); err == nil {
			t.Errorf("%q → %s accepted", a.r, a.glyph)
		} else if !strings.Contains(err.Error(), a.glyph) {
			t.Errorf("error does not name the glyph: %v", err)
		}
	}
	if out, err := applyAlternates(data, m, nil); err != nil || !bytes.Equal(out, data) {
		t.Errorf("no alternates changed the file (%v)", err)
	}
}
