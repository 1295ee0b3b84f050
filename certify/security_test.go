package certify_test

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"utdrag/certify"
)

// hostilePDF writes objects 1… (each given as the text between "n 0 obj"
// and "endobj") with a correct cross-reference table; object 1 is the
// catalog.
func hostilePDF(objects ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, len(objects))
	for i, o := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}

// manyReferences is a 160 KB file whose /Fields lists one large object
// 20 000 times: a parser that reads the object again for each reference
// does 20 000 times the work of the file.
func manyReferences() []byte {
	fields := strings.Repeat("3 0 R ", 20000)
	large := "<< /FT /Tx /T (Fält) /Opt [" + strings.Repeat("1 ", 20000) + "] >>"
	return hostilePDF(
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields ["+fields+"] >> >>",
		"<< /Type /Pages /Kids [] /Count 0 >>",
		large)
}

// nestedStrings is a file of n objects, each a literal string holding the
// next: each object is found inside the one before, and reading all of them
// separately scans the file n/2 times.
func nestedStrings(n int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offsets := make([]int, n+1)
	offsets[0] = b.Len()
	b.WriteString("1 0 obj\n<< /Type /Catalog /AcroForm << /Fields [")
	for i := 2; i <= n; i++ {
		fmt.Fprintf(&b, "%d 0 R ", i)
	}
	b.WriteString("] >> >>\nendobj\n")
	for i := 2; i <= n; i++ {
		offsets[i-1] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj (", i)
	}
	b.WriteString(strings.Repeat(")", n-1) + "\nendobj\n")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", n+1)
	for _, off := range offsets[:n] {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", n+1, xref)
	return b.Bytes()
}

// deepNesting is a file whose catalog opens 5 MB of arrays.
func deepNesting() []byte {
	return hostilePDF(strings.Repeat("[", 5<<20), "<< /Type /Pages /Kids [] /Count 0 >>")
}

// isolated runs the named test in a child process, so that a fatal error
// (a stack overflow cannot be recovered) or a runaway parse fails only the
// child: the parent reports it and kills the child after limit.
func isolated(t *testing.T, limit time.Duration) bool {
	t.Helper()
	if os.Getenv("UTDRAG_ISOLATED") == t.Name() {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "UTDRAG_ISOLATED="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	start := time.Now()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child process failed after %s: %v\n%s", time.Since(start).Round(time.Millisecond), err, clipOutput(out.String()))
		}
		t.Logf("child process passed in %s", time.Since(start).Round(time.Millisecond))
		for line := range strings.Lines(out.String()) {
			if strings.HasPrefix(line, "    ") {
				t.Log("child: " + strings.TrimSpace(line))
			}
		}
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still parsing after %s: the work is not bounded", limit)
	}
	return false
}

func clipOutput(s string) string {
	if len(s) > 4000 {
		return s[:2000] + "\n…\n" + s[len(s)-2000:]
	}
	return s
}

// TestSecurityParserDepth: 5 MB of "[" is refused as too deeply nested,
// not a goroutine stack overflow that kills the process.
func TestSecurityParserDepth(t *testing.T) {
	if !isolated(t, 2*time.Minute) {
		return
	}
	for name, f := range map[string]func([]byte) (certify.Result, error){"Verify": verifyUntrusted, "Sign": signDevelopment(t)} {
		_, err := f(deepNesting())
		if err == nil || !strings.Contains(err.Error(), "nested") {
			t.Errorf("%s of 5 MB of '[': %v, want an error saying the file is nested too deeply", name, err)
		}
	}
}

// TestSecurityParserDepthBound: nesting up to the bound is read, one level
// more is refused, whether in an array or a dictionary.
func TestSecurityParserDepthBound(t *testing.T) {
	const bound = 64 // the catalog dictionary is the first level
	for _, c := range []struct {
		depth      int
		open, shut string
	}{{bound - 1, "[", "]"}, {bound, "[", "]"}, {bound - 1, "<< /K ", ">>"}, {bound, "<< /K ", ">>"}} {
		catalog := "<< /Type /Catalog /Pages 2 0 R /X " + strings.Repeat(c.open, c.depth) + " 0 " + strings.Repeat(c.shut, c.depth) + " >>"
		res, err := certify.Verify(hostilePDF(catalog, "<< /Type /Pages /Kids [] /Count 0 >>"), nil)
		switch {
		case c.depth < bound && (err != nil || res.Signed):
			t.Errorf("%d levels of %q: %+v, %v; want read as unsigned", c.depth+1, c.open, res, err)
		case c.depth >= bound && (err == nil || !strings.Contains(err.Error(), "nested")):
			t.Errorf("%d levels of %q: %v, want refused as nested too deeply", c.depth+1, c.open, err)
		}
	}
}

// TestSecurityParserWork: a file that refers to one large object 20 000
// times is read in time proportional to its size (the references resolve to
// the object read once); a file that makes a parser scan it again for each
// object, or build millions of values, is refused instead of read.
func TestSecurityParserWork(t *testing.T) {
	if !isolated(t, 20*time.Second) {
		return
	}
	pdf := manyReferences()
	start := time.Now()
	res, err := certify.Verify(pdf, nil)
	if err != nil || res.Signed || len(res.Problems) == 0 {
		t.Errorf("Verify of a form without signatures: %+v, %v", res, err)
	}
	t.Logf("%d KB with 20 000 references verified in %s", len(pdf)>>10, time.Since(start).Round(time.Millisecond))

	for name, pdf := range map[string][]byte{
		"objects inside each other": nestedStrings(100_000),
		"two million values":        hostilePDF("<< /Type /Catalog /X [" + strings.Repeat("[] ", 2_000_000) + "] >>"),
	} {
		start := time.Now()
		_, err := certify.Verify(pdf, nil)
		if err == nil || !strings.Contains(err.Error(), "too much work") {
			t.Errorf("%s: Verify = %v, want refused as too much work", name, err)
		}
		t.Logf("%s (%d KB) refused in %s", name, len(pdf)>>10, time.Since(start).Round(time.Millisecond))
	}
}

func verifyUntrusted(pdf []byte) (certify.Result, error) { return certify.Verify(pdf, nil) }

func signDevelopment(t *testing.T) func([]byte) (certify.Result, error) {
	s := newTestSigner(t)
	return func(pdf []byte) (certify.Result, error) {
		_, err := certify.Sign(t.Context(), pdf, s.id, certify.Options{})
		return certify.Result{}, err
	}
}

// withDSS appends to the signed seed an update whose catalog's /DSS lists
// distinct compressed streams, each repeat times; each inflates to size
// bytes.
func withDSS(t *testing.T, distinct, repeat, size int) []byte {
	t.Helper()
	pdf, err := os.ReadFile("testdata/verify/signed-once.pdf")
	if err != nil {
		t.Fatal(err)
	}
	end := bytes.LastIndex(pdf, []byte("/Type /Catalog"))
	start := bytes.LastIndex(pdf[:end], []byte("13 0 obj"))
	close := bytes.Index(pdf[end:], []byte("endobj"))
	if start < 0 || close < 0 {
		t.Fatal("no catalog (object 13) in the seed")
	}
	var list strings.Builder
	for range repeat {
		for i := range distinct {
			fmt.Fprintf(&list, "%d 0 R ", 16+i)
		}
	}
	catalog := string(pdf[start+len("13 0 obj") : end+close])
	catalog = catalog[:strings.LastIndex(catalog, ">>")] + "/DSS << /Certs [" + list.String() + "] >>\n>>\n"
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	_, _ = w.Write(make([]byte, size))
	_ = w.Close()
	prev := bytes.LastIndex(pdf, []byte("startxref"))
	var b bytes.Buffer
	b.Write(pdf)
	offsets := make([]int, distinct)
	for i := range distinct {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n", 16+i, z.Len())
		b.Write(z.Bytes())
		b.WriteString("\nendstream\nendobj\n")
	}
	catalogAt := b.Len()
	fmt.Fprintf(&b, "13 0 obj%sendobj\n", catalog)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n13 1\n%010d 00000 n \n16 %d\n", catalogAt, distinct)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 13 0 R /Info 12 0 R /Prev %s >>\nstartxref\n%d\n%%%%EOF\n",
		16+distinct, strings.Fields(string(pdf[prev+len("startxref"):]))[0], xref)
	return b.Bytes()
}

// TestSecurityDSSStreams: a validation-data store that lists one stream
// 20 000 times inflates it once, and streams that would inflate past the
// bound are refused, however small the file.
func TestSecurityDSSStreams(t *testing.T) {
	if !isolated(t, 20*time.Second) {
		return
	}
	for _, c := range []struct {
		name                   string
		distinct, repeat, size int
		maxAlloc               uint64
	}{
		{"one 4 MiB stream 20 000 times", 1, 20000, 4 << 20, 64 << 20},
		{"100 streams of 4 MiB", 100, 1, 4 << 20, 256 << 20},
	} {
		pdf := withDSS(t, c.distinct, c.repeat, c.size)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		res, err := certify.Verify(pdf, nil)
		runtime.ReadMemStats(&after)
		if err != nil || !res.Signed || !res.Valid {
			t.Errorf("%s: Verify of a signed file with a DSS appended: %+v, %v", c.name, res, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > c.maxAlloc {
			t.Errorf("%s: %d MiB allocated, want at most %d", c.name, alloc>>20, c.maxAlloc>>20)
		}
		t.Logf("%s (%d KB) verified in %s, %d MiB allocated", c.name, len(pdf)>>10,
			time.Since(start).Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20)
	}
}
