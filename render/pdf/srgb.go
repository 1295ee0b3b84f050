package pdf

import (
	"encoding/binary"
	"math"
)

// sRGBProfile builds the output intent's ICC profile: a version 2 display
// profile of sRGB (IEC 61966-2-1) computed here from the standard's
// published values, the primaries' and white point's chromaticities and
// the tone curve, so it carries no one's copyright. The colorants are
// adapted from the D65 white to the profile connection space's D50 with
// the Bradford transform, as ICC profiles do; the tone curve is sampled
// at curvePoints points, which readers interpolate linearly (the largest
// error, near black, is well under one 8-bit step). About 700 bytes.
func sRGBProfile() []byte {
	const curvePoints = 128
	xyz := sRGBColorants()
	d50 := [3]float64{0.9642, 1, 0.8249}
	type tag struct {
		sig  string
		data []byte
	}
	curve := make([]byte, 12+2*curvePoints)
	copy(curve, "curv")
	binary.BigEndian.PutUint32(curve[8:], curvePoints)
	for i := range curvePoints {
		v := float64(i) / (curvePoints - 1)
		lin := v / 12.92
		if v > 0.04045 {
			lin = math.Pow((v+0.055)/1.055, 2.4)
		}
		binary.BigEndian.PutUint16(curve[12+2*i:], uint16(math.Round(lin*65535)))
	}
	tags := []tag{
		{"desc", textDescription("sRGB IEC61966-2.1")},
		{"cprt", text("No copyright, use freely")},
		{"wtpt", xyzType(d50)},
		{"rXYZ", xyzType(xyz[0])},
		{"gXYZ", xyzType(xyz[1])},
		{"bXYZ", xyzType(xyz[2])},
		{"rTRC", curve},
		{"gTRC", nil}, // the same data as rTRC
		{"bTRC", nil},
	}
	out := make([]byte, 128+4+12*len(tags))
	binary.BigEndian.PutUint32(out[128:], uint32(len(tags)))
	curveAt := 0
	for i, t := range tags {
		at := len(out)
		data := t.data
		if data == nil {
			at, data = curveAt, curve
		} else {
			out = append(out, data...)
			for len(out)%4 != 0 {
				out = append(out, 0)
			}
		}
		if t.sig == "rTRC" {
			curveAt = at
		}
		e := out[132+12*i:]
		copy(e, t.sig)
		binary.BigEndian.PutUint32(e[4:], uint32(at))
		binary.BigEndian.PutUint32(e[8:], uint32(len(data)))
	}
	h := out[:128]
	binary.BigEndian.PutUint32(h[0:], uint32(len(out)))
	binary.BigEndian.PutUint32(h[8:], 0x02100000) // version 2.1
	copy(h[12:], "mntrRGB XYZ ")
	for i, v := range []uint16{2025, 1, 1, 0, 0, 0} { // the profile's date
		binary.BigEndian.PutUint16(h[24+2*i:], v)
	}
	copy(h[36:], "acsp")
	copy(h[68:], xyzType(d50)[8:]) // the PCS illuminant
	return out
}

// sRGBColorants are the XYZ of the red, green and blue primaries at full
// intensity, adapted to D50: the columns of the RGB-to-XYZ matrix built
// from the primaries' chromaticities and the D65 white point, multiplied
// by the Bradford adaptation from D65 to D50.
func sRGBColorants() [3][3]float64 {
	prim := [3][2]float64{{0.64, 0.33}, {0.30, 0.60}, {0.15, 0.06}}
	white := xyToXYZ(0.3127, 0.3290)
	var m [3][3]float64 // columns: the primaries' XYZ, unscaled
	for c, p := range prim {
		v := xyToXYZ(p[0], p[1])
		for r := range 3 {
			m[r][c] = v[r]
		}
	}
	s := mulVec(invert(m), white)
	for r := range 3 {
		for c := range 3 {
			m[r][c] *= s[c]
		}
	}
	bradford := [3][3]float64{{0.8951, 0.2664, -0.1614}, {-0.7502, 1.7135, 0.0367}, {0.0389, -0.0685, 1.0296}}
	src, dst := mulVec(bradford, white), mulVec(bradford, [3]float64{0.9642, 1, 0.8249})
	var scale [3][3]float64
	for i := range 3 {
		scale[i][i] = dst[i] / src[i]
	}
	adapt := mul(invert(bradford), mul(scale, bradford))
	am := mul(adapt, m)
	var out [3][3]float64
	for c := range 3 {
		for r := range 3 {
			out[c][r] = am[r][c]
		}
	}
	return out
}

func xyToXYZ(x, y float64) [3]float64 { return [3]float64{x / y, 1, (1 - x - y) / y} }

func mul(a, b [3][3]float64) (p [3][3]float64) {
	for i := range 3 {
		for j := range 3 {
			for k := range 3 {
				p[i][j] += a[i][k] * b[k][j]
			}
		}
	}
	return p
}

func mulVec(a [3][3]float64, v [3]float64) (p [3]float64) {
	for i := range 3 {
		for k := range 3 {
			p[i] += a[i][k] * v[k]
		}
	}
	return p
}

func invert(a [3][3]float64) (inv [3][3]float64) {
	det := a[0][0]*(a[1][1]*a[2][2]-a[1][2]*a[2][1]) - a[0][1]*(a[1][0]*a[2][2]-a[1][2]*a[2][0]) + a[0][2]*(a[1][0]*a[2][1]-a[1][1]*a[2][0])
	for i := range 3 {
		for j := range 3 {
			r1, r2 := (j+1)%3, (j+2)%3
			c1, c2 := (i+1)%3, (i+2)%3
			inv[i][j] = (a[r1][c1]*a[r2][c2] - a[r1][c2]*a[r2][c1]) / det
		}
	}
	return inv
}

// xyzType is an ICC XYZType element: s15Fixed16 numbers.
func xyzType(v [3]float64) []byte {
	b := make([]byte, 20)
	copy(b, "XYZ ")
	for i, x := range v {
		binary.BigEndian.PutUint32(b[8+4*i:], uint32(int32(math.Round(x*65536))))
	}
	return b
}

// textDescription is an ICC v2 textDescriptionType with ASCII only.
func textDescription(s string) []byte {
	b := make([]byte, 12, 12+len(s)+1+4+4+2+1+67)
	copy(b, "desc")
	binary.BigEndian.PutUint32(b[8:], uint32(len(s)+1))
	b = append(b, s...)
	b = append(b, 0)
	return append(b, make([]byte, 4+4+2+1+67)...)
}

// text is an ICC textType.
func text(s string) []byte {
	b := make([]byte, 8, 8+len(s)+1)
	copy(b, "text")
	return append(append(b, s...), 0)
}
