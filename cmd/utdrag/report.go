package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/fonts"
	"utdrag/report"
	"utdrag/templates"
	"utdrag/typeset"
)

// typesetReport lays each input out with the Knuth–Plass typesetter and
// with the greedy baseline and prints what each measures.
func typesetReport(w io.Writer, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: utdrag typeset-report in.json [more.json …]")
	}
	fs, err := fonts.Load()
	if err != nil {
		return err
	}
	hy, err := typeset.NewHyphenator()
	if err != nil {
		return err
	}
	set, err := templates.Load()
	if err != nil {
		return err
	}
	for _, name := range args {
		x, err := decodeFile(name, fs.Covers)
		if err != nil {
			return err
		}
		t, ok := set.Get(x.Template)
		if !ok {
			return fmt.Errorf("%s: unknown template %q", name, x.Template)
		}
		doc := compose.Build(x, t, nil)
		kp, kpLists, err := report.Measure("knuth-plass", fs, typeset.New(hy), doc, t)
		if err != nil {
			return err
		}
		greedy, greedyLists, err := report.Measure("greedy", fs, report.Greedy{}, doc, t)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\n", name)
		if err := report.Write(w, kp, greedy, kpLists, greedyLists); err != nil {
			return err
		}
		fmt.Fprintf(w, "knuth-plass, every justified line of every block kind: widest space %.2f× normal (limit %.2f×), %d lines set flush left\n\n",
			max(kp.MaxSpace, kpLists.MaxSpace), typeset.MaxSpace, kp.Flush+kpLists.Flush)
	}
	return nil
}

// decodeFile reads and validates an extract as of today; drawable is
// extract.Limits.Drawable (nil: any character).
func decodeFile(name string, drawable func(rune) bool) (*extract.Extract, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	x, err := extract.Decode(f, extract.Limits{Drawable: drawable, Today: today()})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return x, nil
}

// today is the date in Sweden: it decides whether an input's justering
// day has come.
func today() string {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return time.Now().In(loc).Format(time.DateOnly)
}
