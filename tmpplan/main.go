package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"utdrag/index"
)

func main() {
	ctx := context.Background()
	ix, err := index.Open(ctx, "sqlite:"+os.Args[1], index.Options{})
	if err != nil {
		panic(err)
	}
	no := false
	fs := map[string]index.Filter{
		"text":    {Organisation: "borlange", Text: "ombyggnad badplatsen", Limit: 20},
		"organ":   {Organisation: "borlange", Organ: "Socialnämnden", Limit: 20},
		"case":    {Organisation: "borlange", CaseNumber: "SN-2015-00", CaseMatch: index.Prefix, Limit: 20},
		"notcert": {Organisation: "borlange", Certified: &no, Limit: 20},
	}
	for name, f := range fs {
		p, _ := ix.Explain(ctx, f)
		fmt.Println(name, "\n", p)
		for range 3 {
			t := time.Now()
			pg, err := ix.List(ctx, f)
			fmt.Println("  ", len(pg.Items), pg.Total, pg.TotalCapped, err, time.Since(t))
		}
	}
}
