package clerk

import (
	"fmt"
	"strings"
	"time"
	"utdrag/auth"

	"utdrag/archive"
	"utdrag/compose"
	"utdrag/extract"
)

// The views below are what the templates show: plain strings prepared
// here, so the templates only place them.

// heading names an extract as a clerk would: "Regionstyrelsen 2023-10-06 § 157".
func heading(rec *archive.Record) string {
	return rec.Organ + " " + rec.MeetingDate + " " + compose.ParagraphLabel(rec.Paragraphs)
}

// clock is a time as written in Swedish documents: "2023-10-06 kl. 14.05".
func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(stockholm)
	return t.Format(time.DateOnly) + " kl. " + t.Format("15.04")
}

func size(n int) string {
	if n < 1024 {
		return fmt.Sprintf("%d byte", n)
	}
	return fmt.Sprintf("%d kB", (n+512)/1024)
}

type certView struct {
	Version                          int
	Name, Title, Place, Date, Time   string
	Certificate, Fingerprint, SHA256 string
	Development, Latest              bool
	Bytes, Pages                     int
	VerifyPath                       string
	// Level is the PAdES level of the newest revision; Missing says why
	// it is not B-LTA; RenewBy when the next archive timestamp is due.
	Level, RenewBy string
	Missing        []string
	Revisions      int
	// Rendition is the rendition certified, for an extract with two.
	Rendition string
}

func newCertView(rec *archive.Record, c archive.Certification) certView {
	return certView{
		Version: c.Version, Name: c.Name, Title: c.Title, Place: c.Place, Date: c.Date, Time: clock(c.Time),
		Certificate: c.Certificate, Fingerprint: c.Fingerprint, SHA256: c.SHA256, Development: c.Development,
		Latest: rec.CertifiedAs(c.RenditionOf()).Version == c.Version, Bytes: c.Bytes, Pages: c.Pages,
		VerifyPath: fmt.Sprintf("/v/%s/%d", rec.ID, c.Version),
		Level:      levelName(c.CurrentSeal().Level), Missing: c.CurrentSeal().Missing, Revisions: len(c.Revisions),
		RenewBy:   dateOf(c.CurrentSeal().RenewBy),
		Rendition: renditionLabel(rec, c.RenditionOf()),
	}
}

// levelName is a PAdES level for a reader.
func levelName(level string) string {
	switch level {
	case "":
		return "okänd (bestyrkt före nivåerna)"
	case "B-B":
		return "PAdES B-B (signatur utan tidsstämpel)"
	case "B-T":
		return "PAdES B-T (tidsstämplad)"
	case "B-LT":
		return "PAdES B-LT (med valideringsdata)"
	case "B-LTA":
		return "PAdES B-LTA (långtidsbevarad)"
	}
	return level
}

// dateOf is a date in Sweden, empty for the zero time.
func dateOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(stockholm).Format(time.DateOnly)
}

func certViews(rec *archive.Record) (all []certView, current *certView) {
	for _, c := range rec.Certifications {
		all = append(all, newCertView(rec, c))
	}
	if len(all) > 0 {
		current = &all[len(all)-1]
	}
	return all, current
}

// justeringText says where each paragraph stands, for the clerk:
// "§ 33 ej justerad (justeras 2026-12-01), § 34 omedelbart justerad
// 2026-11-23".
func justeringText(js []extract.ParagraphJustering) string {
	parts := make([]string, len(js))
	for i, j := range js {
		switch j.State {
		case extract.StateImmediate:
			parts[i] = fmt.Sprintf("§ %d omedelbart justerad %s", j.Number, j.Date)
		case extract.StateAdjusted:
			parts[i] = fmt.Sprintf("§ %d justerad %s", j.Number, j.Date)
		case extract.StatePending:
			parts[i] = fmt.Sprintf("§ %d ej justerad", j.Number)
			if j.Date != "" {
				parts[i] += " (justeras " + j.Date + ")"
			}
		}
	}
	return strings.Join(parts, ", ")
}

// stockholm is where the dates and times on the pages are told.
var stockholm = mustLocation("Europe/Stockholm")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}

// roleName is a role as a clerk reads it.
func roleName(r auth.Role) string {
	switch r {
	case auth.Clerk:
		return "handläggare"
	case auth.Admin:
		return "administratör"
	case auth.System:
		return "ärendesystem"
	}
	return string(r)
}
