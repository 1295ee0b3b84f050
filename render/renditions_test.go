package render_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/render"
)

var ref = regexp.MustCompile(`^\d+ \d+ R$`)

// canon writes a qpdf JSON value with every indirect reference as "R", so
// that objects compare across files whose objects are numbered apart.
func canon(v any) string {
	switch v := v.(type) {
	case string:
		if ref.MatchString(v) {
			return "R"
		}
		return v
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = canon(x)
		}
		return "[" + strings.Join(parts, " ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString("<<")
		for _, k := range keys {
			b.WriteString(k + " " + canon(v[k]) + " ")
		}
		b.WriteString(">>")
		return b.String()
	}
	return fmt.Sprint(v)
}

// objectsOf lists a PDF's objects as qpdf reads them (object streams
// included), each as its kind and its canonical form: the value, or a
// stream's dictionary (without Length and Filter) and a digest of its
// decoded data.
func objectsOf(t *testing.T, pdf []byte) map[string][]string {
	t.Helper()
	out := pdftest.Run(t, false, "qpdf", "--json=2", "--json-key=qpdf", "--json-stream-data=inline",
		"--decode-level=generalized", pdftest.File(t, pdf))
	var dump struct{ Qpdf []json.RawMessage }
	if err := json.Unmarshal([]byte(out), &dump); err != nil || len(dump.Qpdf) < 2 {
		t.Fatalf("qpdf JSON: %v", err)
	}
	var objs map[string]struct {
		Value  any
		Stream *struct {
			Dict map[string]any
			Data string
		}
	}
	if err := json.Unmarshal(dump.Qpdf[1], &objs); err != nil {
		t.Fatal(err)
	}
	kinds := map[string][]string{}
	for id, o := range objs {
		if id == "trailer" {
			continue
		}
		var kind, form string
		if o.Stream != nil {
			d := o.Stream.Dict
			delete(d, "/Length")
			delete(d, "/Filter")
			kind = "stream " + kindOf(d)
			sum := sha256.Sum256([]byte(o.Stream.Data))
			form = canon(d) + " " + hex.EncodeToString(sum[:8])
		} else {
			d, _ := o.Value.(map[string]any)
			kind = kindOf(d)
			form = canon(o.Value)
		}
		kinds[kind] = append(kinds[kind], form)
	}
	return kinds
}

// kindOf names an object by its Type, a structure element by its type, a
// font program or page content by what it holds.
func kindOf(d map[string]any) string {
	switch {
	case d == nil:
		return "array or value"
	case d["/Type"] != nil && d["/S"] != nil && d["/Type"] != "/StructElem":
		return fmt.Sprint(d["/Type"], " ", d["/S"])
	case d["/Type"] != nil:
		return fmt.Sprint(d["/Type"])
	case d["/S"] != nil:
		return "/StructElem"
	case d["/Length1"] != nil:
		return "font program"
	case d["/N"] != nil:
		return "ICC profile"
	case d["/Nums"] != nil:
		return "parent tree"
	case d["/Font"] != nil:
		return "resources"
	case len(d) == 0:
		return "content or CMap"
	}
	return "other"
}

// difference lists, by kind, the objects of a that b lacks.
func difference(a, b map[string][]string) map[string]int {
	out := map[string]int{}
	for kind, forms := range a {
		rest := slices.Clone(b[kind])
		for _, f := range forms {
			if i := slices.Index(rest, f); i >= 0 {
				rest = slices.Delete(rest, i, i+1)
				continue
			}
			out[kind]++
		}
	}
	return out
}

// The three PDF/A parts come from one writer and differ only where the
// parts do, as qpdf reads them: PDF/A-2 keeps its objects in an object
// stream with a cross-reference stream where PDF/A-1 has a table, and
// leaves out the CIDSet PDF/A-1 wants of a subset (so the font descriptors
// differ by it); PDF/A-3 adds the source as an embedded file with its file
// specification, named in the catalog; the XMP says the part. Pages,
// content, fonts, the structure tree and the output intent are the same
// objects. The test logs the table of what differs.
func TestRenditionsDifferOnlyWhereThePartsDo(t *testing.T) {
	e := newEngine(t)
	x := exampletest.Load(t, "rs-157-2023.json")
	parts := map[int]map[string][]string{}
	for _, part := range []int{1, 2, 3} {
		res, err := e.RenderWith(context.Background(), x, nil, render.Options{PDFA: part})
		if err != nil {
			t.Fatal(err)
		}
		parts[part] = objectsOf(t, res.PDF)
	}
	allowed := map[string]map[string]bool{
		"only in PDF/A-1": {"stream content or CMap": true, "/FontDescriptor": true, "stream /Metadata": true},
		"only in PDF/A-2": {"stream /ObjStm": true, "stream /XRef": true, "/FontDescriptor": true, "stream /Metadata": true},
		"A-3 beyond A-2":  {"stream /EmbeddedFile": true, "/Filespec": true, "/Catalog": true, "stream /Metadata": true, "stream /ObjStm": true, "stream /XRef": true},
		"A-2 beyond A-3":  {"/Catalog": true, "stream /Metadata": true, "stream /ObjStm": true, "stream /XRef": true},
	}
	for name, d := range map[string]map[string]int{
		"only in PDF/A-1": difference(parts[1], parts[2]),
		"only in PDF/A-2": difference(parts[2], parts[1]),
		"A-3 beyond A-2":  difference(parts[3], parts[2]),
		"A-2 beyond A-3":  difference(parts[2], parts[3]),
	} {
		var rows []string
		for kind, n := range d {
			rows = append(rows, fmt.Sprintf("%d %s", n, kind))
			if !allowed[name][kind] {
				t.Errorf("%s: %d objects of kind %s", name, n, kind)
			}
		}
		sort.Strings(rows)
		t.Logf("%s: %s", name, strings.Join(rows, ", "))
	}
	if n := len(parts[2]["/StructElem"]); n < 50 {
		t.Errorf("only %d structure elements", n)
	}
}
