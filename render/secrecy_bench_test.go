package render_test

import (
	"context"
	"testing"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/render"
)

// BenchmarkRenditions measures what a marked extract costs at creation:
// its public rendition alone (what an unmarked extract costs), both
// renditions (what a create of a marked one renders), and the masking.
func BenchmarkRenditions(b *testing.B) {
	eng := newEngine(b)
	x := load(b, "storuman-ks-88-2024.json")
	labels := exampletest.Template(b).Labels
	ctx := context.Background()
	b.Run("public", func(b *testing.B) {
		for b.Loop() {
			if _, err := eng.RenderWith(ctx, x, nil, render.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("both", func(b *testing.B) {
		for b.Loop() {
			for _, r := range []extract.Rendition{extract.Public, extract.Internal} {
				if _, err := eng.RenderWith(ctx, x, nil, render.Options{Rendition: r}); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("mask", func(b *testing.B) {
		for b.Loop() {
			compose.Mask(x, labels)
		}
	})
}
