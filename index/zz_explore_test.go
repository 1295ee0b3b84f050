package index

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

func TestZZExplore(t *testing.T) {
	u := os.Getenv("ZZ_DB")
	if u == "" {
		t.Skip()
	}
	ctx := context.Background()
	ix, err := Open(ctx, u, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	no := false
	fs := map[string]Filter{
		"organ": {Organisation: "ostersunds", Organ: "Socialnämnden", Limit: 20},
		"case":  {Organisation: "ostersunds", CaseNumber: "SN 2023/001", CaseMatch: Prefix, Limit: 20},
		"text":  {Organisation: "ostersunds", Text: "ombyggnad badplatsen", Limit: 20},
		"cert":  {Organisation: "ostersunds", Certified: &no, Limit: 20},
	}
	for _, k := range []string{"organ", "case", "text", "cert"} {
		f := fs[k]
		plan, err := ix.Explain(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("== %s\n%s", k, plan)
		var ds []time.Duration
		var p Page
		for range 20 {
			st := time.Now()
			p, err = ix.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, time.Since(st))
		}
		fmt.Printf("items %d total %d capped %v; times %v\n", len(p.Items), p.Total, p.TotalCapped, ds[10:])
	}
}

func BenchmarkZZList(b *testing.B) {
	u := os.Getenv("ZZ_DB")
	if u == "" {
		b.Skip()
	}
	ctx := context.Background()
	ix, err := Open(ctx, u, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer ix.Close()
	no := false
	fs := map[string]Filter{
		"organ": {Organisation: "ostersunds", Organ: "Socialnämnden", Limit: 20},
		"case":  {Organisation: "ostersunds", CaseNumber: "SN 2023/001", CaseMatch: Prefix, Limit: 20},
		"text":  {Organisation: "ostersunds", Text: "ombyggnad badplatsen", Limit: 20},
		"cert":  {Organisation: "ostersunds", Certified: &no, Limit: 20},
	}
	for _, k := range []string{"organ", "case", "text", "cert"} {
		b.Run(k, func(b *testing.B) {
			for b.Loop() {
				if _, err := ix.List(ctx, fs[k]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
