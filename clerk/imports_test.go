package clerk_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImportsStayOneWay reads the package's own files: the clerk pages are
// a client of the service's domain operations and never import service.
func TestImportsStayOneWay(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range ast.Imports {
			path, _ := strconv.Unquote(im.Path.Value)
			seen++
			if path == "utdrag/service" || strings.HasPrefix(path, "utdrag/service/") || path == "utdrag/cmd/utdrag" {
				t.Errorf("%s imports %s", f, path)
			}
		}
	}
	if seen == 0 {
		t.Fatal("no imports read")
	}
}
