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
