package typeset

// Stats describes the grey of set lines: how much the spaces were stretched
// and how often words were hyphenated.
type Stats struct {
	Lines      int
	Justified  int // lines whose spaces were stretched or shrunk
	Hyphenated int // lines ending with an inserted hyphen
	// MaxHyphenRun is the longest run of consecutive hyphenated lines.
	MaxHyphenRun int
	// Spaces counts the interword spaces of justified lines that are not a
	// paragraph's last; MeanSpace and MaxSpace are their widths as multiples
	// of the face's normal space (1 is natural), MinSpace the narrowest.
	Spaces    int
	MeanSpace float64
	MaxSpace  float64
	MinSpace  float64
	// Overfull counts lines wider than their measure.
	Overfull int
	// Tracked counts the lines given letter spacing; MaxTracking is the
	// most, in ems.
	Tracked     int
	MaxTracking float64
	// Flush counts the lines of justified paragraphs set flush left: no
	// breaking kept their spaces within MaxSpace.
	Flush int
}

// Measure computes Stats over lines set at the given font size. Lines of
// several paragraphs may be passed together: a line marked Last ends a
// paragraph and a hyphen run.
func Measure(lines []Line, faces Faces, size float64) Stats {
	var s Stats
	var sum float64
	run := 0
	for _, l := range lines {
		s.Lines++
		if l.Justified {
			s.Justified++
		}
		if l.Flush {
			s.Flush++
		}
		if l.Tracking > 0 {
			s.Tracked++
			s.MaxTracking = max(s.MaxTracking, l.Tracking/size)
		}
		if l.Hyphenated {
			s.Hyphenated++
			run++
			s.MaxHyphenRun = max(s.MaxHyphenRun, run)
		} else {
			run = 0
		}
		if len(l.Items) > 0 {
			last := l.Items[len(l.Items)-1]
			if last.X+last.W > l.Width+0.01 {
				s.Overfull++
			}
		}
		if !l.Justified || l.Last {
			continue
		}
		for _, it := range l.Items {
			if it.SpaceAfter == 0 {
				continue
			}
			normal := spaceWidth(faces, it.Style, size)
			if normal <= 0 {
				continue
			}
			m := it.SpaceAfter / normal
			if s.Spaces == 0 || m < s.MinSpace {
				s.MinSpace = m
			}
			s.MaxSpace = max(s.MaxSpace, m)
			sum += m
			s.Spaces++
		}
	}
	if s.Spaces > 0 {
		s.MeanSpace = sum / float64(s.Spaces)
	}
	return s
}
