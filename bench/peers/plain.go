package main

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"utdrag/compose"
	"utdrag/fonts"
	"utdrag/typeset"
)

// plain draws a document the simplest way fpdf offers: every block as a
// MultiCell in one face per kind of block, no hyphenation, no keep-together
// rules, and the three TrueType faces added to every document with
// AddUTF8FontFromBytes, as fpdf's documentation shows (Utdrag prepares its
// fonts once, when the engine is built).
type plain struct {
	serif, sansBold, sans []byte
}

func newPlain(fs *fonts.Set) (*plain, error) {
	p := &plain{}
	for _, f := range []struct {
		dst    *[]byte
		family string
		style  fonts.Style
	}{
		{&p.serif, fonts.Serif, fonts.Style{}},
		{&p.sansBold, fonts.Sans, fonts.Style{Bold: true}},
		{&p.sans, fonts.Sans, fonts.Style{}},
	} {
		face := fs.Face(f.family, f.style)
		if face == nil {
			return nil, fmt.Errorf("peers: no %s face", f.family)
		}
		*f.dst = face.Bytes()
	}
	return p, nil
}

func spanText(ss []typeset.Span) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(s.Text)
	}
	return b.String()
}

func (p *plain) render(doc compose.Document) ([]byte, error) {
	f := fpdf.New("P", "mm", "A4", "")
	f.SetCompression(true)
	f.SetCreationDate(time.Date(2023, 10, 6, 0, 0, 0, 0, time.UTC))
	f.SetMargins(25, 36, 22)
	f.SetAutoPageBreak(true, 28)
	f.AddUTF8FontFromBytes("serif", "", p.serif)
	f.AddUTF8FontFromBytes("sans", "B", p.sansBold)
	f.AddUTF8FontFromBytes("sans", "", p.sans)
	f.AliasNbPages("{nb}")
	h := doc.Header
	f.SetHeaderFunc(func() {
		f.SetY(12)
		f.SetFont("sans", "B", 12)
		f.CellFormat(90, 6, h.Organisation, "", 0, "L", false, 0, "")
		f.SetFont("sans", "B", 10.5)
		f.CellFormat(50, 6, h.Kind, "", 0, "L", false, 0, "")
		f.SetFont("sans", "", 10.5)
		f.CellFormat(0, 6, strconv.Itoa(f.PageNo())+" ({nb})", "", 1, "R", false, 0, "")
		f.CellFormat(90, 6, h.Organ, "", 0, "L", false, 0, "")
		f.CellFormat(0, 6, h.DateLabel+" "+h.Date, "", 1, "L", false, 0, "")
		f.Line(25, 30, 188, 30)
	})
	f.SetFooterFunc(func() {
		f.SetY(-24)
		f.SetFont("sans", "", 7)
		for _, b := range h.Boxes {
			f.CellFormat(45, 14, b.Label+" "+b.Content, "1", 0, "LT", false, 0, "")
			f.CellFormat(4, 14, "", "", 0, "", false, 0, "")
		}
	})
	f.AddPage()
	for _, bl := range doc.Blocks {
		switch b := bl.(type) {
		case compose.Heading:
			f.SetFont("sans", "B", 13-float64(b.Level))
			f.Ln(3)
			f.MultiCell(0, 6, spanText(b.Text), "", "L", false)
		case compose.Paragraph:
			f.SetFont("serif", "", 11)
			f.SetX(25 + 8*float64(b.Indent))
			f.MultiCell(0, 5.2, spanText(b.Text), "", "J", false)
			f.Ln(1.5)
		case compose.Note:
			f.SetFont("serif", "", 8)
			f.MultiCell(0, 4, spanText(b.Text), "", "L", false)
		case compose.List:
			f.SetFont("serif", "", 11)
			for i, it := range b.Items {
				mark := "•"
				if b.Ordered {
					mark = strconv.Itoa(b.Start+i) + "."
				}
				f.SetX(25 + 8*float64(b.Indent))
				f.MultiCell(0, 5.2, mark+" "+spanText(it), "", "J", false)
			}
			f.Ln(1.5)
		case compose.Table:
			f.SetFont("sans", "", 9.5)
			for _, r := range b.Rows {
				f.MultiCell(0, 5, strings.Join(r, "   "), "B", "L", false)
			}
		case compose.Signatures:
			f.SetFont("serif", "", 10)
			for _, s := range b.Signers {
				f.Ln(8)
				f.MultiCell(80, 5, s.Role+"\n\n"+s.Name+"\n"+s.Title, "T", "L", false)
			}
		case compose.Separator:
			f.Ln(2)
		case compose.PageBreak:
			f.AddPage()
		}
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("peers: plain fpdf: %w", err)
	}
	return buf.Bytes(), nil
}
