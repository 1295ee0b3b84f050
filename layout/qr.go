package layout

import (
	"fmt"
	"strings"

	"rsc.io/qr"
)

// Verification QR code in the footer of certified extracts: the code of
// the verification address at the right margin, the address in small type
// to its left, both clear of the footer boxes.
const (
	qrSide      = 15 * mm // the symbol without its quiet zone
	qrMinSide   = 10 * mm // smaller than this, a phone camera struggles
	qrQuiet     = 4       // modules of quiet zone on every side
	urlMaxSize  = 7.0     // points
	urlMinSize  = 5.0
	urlLeadRate = 1.25
	// qrRoom is kept beside the symbol for its quiet zone (4 modules of
	// a 10–15 mm symbol of 25–33 modules) when the footer boxes are sized.
	qrRoom = 3 * mm
)

// verification draws the QR code and the address in the footer band, to
// the right of x (where the footer boxes end).
func (s *style) verification(els *elements, url string, x float64) error {
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		return fmt.Errorf("verification address as QR code: %w", err)
	}
	right, bottom := s.footer.X+s.footer.W, s.footer.Y+s.footer.H
	side := min(qrSide, s.footer.H)
	module := side / float64(code.Size)
	if right-x < side+qrQuiet*module {
		side = max(right-x-qrQuiet*module, qrMinSide)
		module = side / float64(code.Size)
	}
	if right-x < side+qrQuiet*module {
		return fmt.Errorf("no room for the QR code in the footer (%.1f mm)", (right-x)/mm)
	}
	qx, qy := right-side, bottom-side
	els.rects = append(els.rects, qrModules(code, qx, qy, module)...)
	s.verifyText(els, url, x, qx-qrQuiet*module, qy, side)
	return nil
}

// qrModules turns the dark modules into filled rectangles, one per
// horizontal run.
func qrModules(code *qr.Code, x, y, module float64) []Rect {
	var rects []Rect
	for row := 0; row < code.Size; row++ {
		for col := 0; col < code.Size; {
			if !code.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < code.Size && code.Black(col, row) {
				col++
			}
			rects = append(rects, Rect{X: x + float64(start)*module, Y: y + float64(row)*module,
				W: float64(col-start) * module, H: module, Filled: true, Role: RoleQR})
		}
	}
	return rects
}

// verifyText sets the address right-aligned against the QR code's quiet
// zone, in the largest size from urlMaxSize down to urlMinSize that fits
// on one line, or on two lines broken after a slash; it is left out when
// even that does not fit between left and right.
func (s *style) verifyText(els *elements, url string, left, right, top, height float64) {
	face := s.heading[0]
	for size := urlMaxSize; size >= urlMinSize; size -= 0.5 {
		for _, lines := range [][]string{{url}, splitURL(url)} {
			if lines == nil || !fits(lines, face.Width, size, right-left) {
				continue
			}
			lead := urlLeadRate * size
			y := top + (height-float64(len(lines))*lead)/2 + face.Ascender()*size
			for i, l := range lines {
				w := face.Width(l) * size
				els.texts = append(els.texts, s.text(right-w, y+float64(i)*lead, l, face, size, RoleQR))
			}
			return
		}
	}
}

// splitURL breaks an address after the last slash of its first half, or
// returns nil when it has none.
func splitURL(url string) []string {
	i := strings.LastIndex(url[:len(url)/2+1], "/")
	if i <= 0 || i == len(url)-1 {
		return nil
	}
	return []string{url[:i+1], url[i+1:]}
}

func fits(lines []string, width func(string) float64, size, room float64) bool {
	for _, l := range lines {
		if width(l)*size > room {
			return false
		}
	}
	return true
}
