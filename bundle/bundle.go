// Package bundle puts several certified extracts into one download: a zip
// of the files as they are, or one combined PDF to read and print.
//
// The combined PDF is a reading copy. A PAdES signature covers the bytes
// of its own file; joined into another file, no signature can hold, so
// the combined PDF carries none: its pages are the certified pages, each
// with its printed certification, initials and verification address (and
// QR code), by which a reader checks every extract against the service,
// and the signed originals are the files of the zip. Joining is done by
// pdfcpu, which keeps each file's pages, fonts and structure.
//
// It may import the standard library and pdfcpu.
package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

func init() {
	// pdfcpu keeps its settings in a folder of the user's unless told
	// not to; the service reads and writes no such files.
	api.DisableConfigDir()
}

// File is one extract of a bundle.
type File struct {
	Name     string    // the file's name in the zip
	Modified time.Time // its time in the zip (the certification's)
	PDF      []byte
}

// Zip writes files into one zip, in order, with their own times, so the
// same files make the same bytes.
func Zip(files []File) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	seen := map[string]int{}
	for _, f := range files {
		name := f.Name
		if n := seen[f.Name]; n > 0 {
			name = fmt.Sprintf("%s (%d).pdf", trimPDF(f.Name), n+1)
		}
		seen[f.Name]++
		// PDFs are compressed already: stored, not deflated again.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: f.Modified.UTC()})
		if err != nil {
			return nil, fmt.Errorf("bundle: adding %s: %w", name, err)
		}
		if _, err := w.Write(f.PDF); err != nil {
			return nil, fmt.Errorf("bundle: adding %s: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("bundle: closing the zip: %w", err)
	}
	return buf.Bytes(), nil
}

func trimPDF(name string) string {
	if len(name) > 4 && name[len(name)-4:] == ".pdf" {
		return name[:len(name)-4]
	}
	return name
}

// PDF joins the files' pages, in order, into one PDF without signatures.
func PDF(files []File) ([]byte, error) {
	if len(files) == 0 {
		return nil, errors.New("bundle: no files to join")
	}
	rs := make([]io.ReadSeeker, len(files))
	for i, f := range files {
		rs[i] = bytes.NewReader(f.PDF)
	}
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	var joined bytes.Buffer
	if err := api.MergeRaw(rs, &joined, false, conf); err != nil {
		return nil, fmt.Errorf("bundle: joining %d files: %w", len(files), err)
	}
	ctx, err := api.ReadAndValidate(bytes.NewReader(joined.Bytes()), conf)
	if err != nil {
		return nil, fmt.Errorf("bundle: reading the joined file: %w", err)
	}
	if err := unsign(ctx); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := api.WriteContext(ctx, &out); err != nil {
		return nil, fmt.Errorf("bundle: writing the joined file: %w", err)
	}
	return out.Bytes(), nil
}

// unsign takes the signatures out of a joined file: each covered the bytes
// of its own file, and in this one would only be reported as broken. The
// form that holds them, the permissions they set and the validation data
// kept for them go; so do the pages' widget annotations, the signature
// fields' places on the page (the extracts have no other form fields).
func unsign(ctx *model.Context) error {
	root, err := ctx.Catalog()
	if err != nil {
		return fmt.Errorf("bundle: reading the catalog: %w", err)
	}
	for _, k := range []string{"AcroForm", "Perms", "DSS"} {
		root.Delete(k)
	}
	for n := 1; n <= ctx.PageCount; n++ {
		page, _, _, err := ctx.PageDict(n, false)
		if err != nil {
			return fmt.Errorf("bundle: reading page %d: %w", n, err)
		}
		obj, ok := page.Find("Annots")
		if !ok {
			continue
		}
		annots, err := ctx.DereferenceArray(obj)
		if err != nil {
			return fmt.Errorf("bundle: reading the annotations of page %d: %w", n, err)
		}
		var keep types.Array
		for _, a := range annots {
			d, err := ctx.DereferenceDict(a)
			if err != nil {
				return fmt.Errorf("bundle: reading an annotation of page %d: %w", n, err)
			}
			if st := d.Subtype(); st != nil && *st == "Widget" {
				continue
			}
			keep = append(keep, a)
		}
		if len(keep) == 0 {
			page.Delete("Annots")
		} else {
			page.Update("Annots", keep)
		}
	}
	return nil
}
