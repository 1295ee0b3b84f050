package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/compose"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pkitest"
	"utdrag/render"
	"utdrag/service"
	"utdrag/storage/fs"
)

// TestArchiveTimestampCommand: the command, configured as serve is, takes
// a certified version signed with a timestamp only to B-LT plus an archive
// timestamp, and with the default margin finds nothing due the next time.
func TestArchiveTimestampCommand(t *testing.T) {
	p := pkitest.Shared(t)
	dir := t.TempDir()
	t.Setenv("UTDRAG_STORAGE", "fs:"+dir)
	t.Setenv("UTDRAG_TSA_URL", p.TSAURL)
	t.Setenv("UTDRAG_INDEX", "sqlite:"+filepath.Join(dir, "index.db"))
	store, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := service.ArchiveOn(store)
	ctx := context.Background()
	rec := &archive.Record{Summary: archive.Summary{ID: "0123456789abcdef01234567", Organ: "Regionstyrelsen",
		Organisation: extract.Organisation{ID: "region-jh"}, MeetingDate: "2023-10-06"}, Extract: &extract.Extract{}}
	if _, _, err := a.Create(ctx, rec, []byte("%PDF-1.7 utdrag"), nil); err != nil {
		t.Fatal(err)
	}
	eng, err := render.New()
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Render(exampletest.Load(t, "rs-157-2023.json"), &compose.Certification{Name: "Lena Nordin",
		Title: "Nämndsekreterare", Date: "2023-10-09", Initials: "LN"})
	if err != nil {
		t.Fatal(err)
	}
	chain, key := p.Signer(t)
	id, err := certify.LoadPEM(chain, key)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := certify.Sign(ctx, res.PDF, id, certify.Options{TSAURL: p.TSAURL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Certify(ctx, rec.ID, archive.Certification{Version: 1, Name: "Lena Nordin", Title: "Nämndsekreterare",
		Date: "2023-10-09", Time: time.Now().UTC(), Pages: res.Pages, Seal: archive.Seal{Level: "B-T"}}, signed, time.Hour); err != nil {
		t.Fatal(err)
	}

	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	if err := archiveTimestamp(ctx, &out, nil, log); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "1 certified versions, 1 due: 1 stamped") {
		t.Errorf("first run: %s", out.String())
	}
	got, _, err := a.Get(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Certifications[0].Current(); r == nil || r.Level != "B-LTA" {
		t.Fatalf("after the command the record holds %+v", got.Certifications[0].Revisions)
	}
	out.Reset()
	if err := archiveTimestamp(ctx, &out, nil, log); err != nil || !strings.Contains(out.String(), "1 certified versions, 0 due") {
		t.Errorf("second run with the default margin: %v, %s", err, out.String())
	}
	if err := archiveTimestamp(ctx, &out, []string{"extra"}, log); err == nil {
		t.Error("an argument was accepted")
	}
}
