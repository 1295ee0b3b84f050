// Package web holds the clerk interface's pages: html/template files, one
// stylesheet and a little JavaScript, embedded in the binary. The templates
// are parsed once, at start-up, into one set per page, each with the shared
// layout and partials. Every word a clerk reads is written here, in Swedish.
//
// It may import the standard library only.
package web

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates/*.html static/*
var files embed.FS

// Pages are the parsed page templates, safe for concurrent use.
type Pages struct {
	pages map[string]*template.Template
}

// Parse reads every page template with the layout and the given helper
// functions. A page is named after its file without ".html".
func Parse(funcs template.FuncMap) (*Pages, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: listing templates: %w", err)
	}
	p := &Pages{pages: map[string]*template.Template{}}
	for _, name := range names {
		page := strings.TrimSuffix(path.Base(name), ".html")
		if page == "layout" || page == "partials" {
			continue
		}
		t, err := template.New(page).Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", name)
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", name, err)
		}
		p.pages[page] = t
	}
	return p, nil
}

// Render writes page with data. Write into a buffer and send it only
// when Render succeeds, so a failing template never sends half a page.
func (p *Pages) Render(w io.Writer, page string, data any) error {
	t, ok := p.pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	if err := t.ExecuteTemplate(w, "layout", data); err != nil {
		return fmt.Errorf("web: rendering %s: %w", page, err)
	}
	return nil
}

// Static is the stylesheet and script, served under /static/.
func Static() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the folder is embedded above
	}
	return sub
}
