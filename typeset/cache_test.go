package typeset

import (
	"fmt"
	"slices"
	"sync"
	"testing"
)

// The cache gives the same breaks as the patterns, from many goroutines at
// once, and stays within its bound.
func TestBreakCacheConcurrent(t *testing.T) {
	h := newHyphenator(t)
	words := []string{"samverkansöverenskommelsen", "regionstyrelsen,", "(tillåta)", "och", "EU-direktiv", "Regionstyrelsens"}
	for _, c := range compoundJoints {
		words = append(words, c)
	}
	want := make([][]Break, len(words))
	for i, w := range words {
		want[i] = h.findBreaks(nil, w)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for round := range 50 {
				for i, w := range words {
					if got := h.Breaks(w); !slices.Equal(got, want[i]) {
						t.Errorf("round %d: Breaks(%q) = %v, want %v", round, w, got, want[i])
						return
					}
				}
				// Fill the cache past its bound.
				h.Breaks(fmt.Sprintf("ordlängd%dx%d", g, round))
			}
		})
	}
	wg.Wait()
	for i := range cacheShards * cacheShardWords * 2 {
		h.Breaks(fmt.Sprintf("utbildning%d", i))
	}
	for i := range h.cache.shards {
		if n := len(h.cache.shards[i].m); n > cacheShardWords {
			t.Errorf("shard %d holds %d words, more than %d", i, n, cacheShardWords)
		}
	}
}

// Paragraphs set at once from many goroutines, whose working arrays are
// reused, come out as when set one by one.
func TestSetConcurrent(t *testing.T) {
	ts := New(newHyphenator(t))
	paras := seedParagraphs(t)
	params := []Params{bodyParams(), {Width: 200, Size: 10, Justify: false, Hyphenate: true}, {Width: 120, Size: 11, FirstIndent: 12, Justify: true}}
	want := make([][]Line, len(paras)*len(params))
	for i, p := range paras {
		for j, pp := range params {
			want[i*len(params)+j] = ts.Set([]Span{{Text: p}}, testFaces{}, pp)
		}
	}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for round := range 5 {
				for i, p := range paras {
					for j, pp := range params {
						got := ts.Set([]Span{{Text: p}, {Text: " slut", Style: Bold}}[:1], testFaces{}, pp)
						if fmt.Sprint(got) != fmt.Sprint(want[i*len(params)+j]) {
							t.Errorf("round %d: paragraph %d with params %d set differently", round, i, j)
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
}
