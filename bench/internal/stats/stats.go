// Package stats summarises timings of the benchmark programs: median,
// percentiles and a ratio against a baseline.
//
// It may import the standard library only.
package stats

import (
	"slices"
	"time"
)

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of ds.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	rank := int(p/100*float64(len(s))+0.999999) - 1
	return s[min(max(rank, 0), len(s)-1)]
}

// Median is the 50th percentile.
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 50) }

// Ratio is a/b as a float; 0 when b is 0.
func Ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Ms formats a duration in milliseconds with three decimals.
func Ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
