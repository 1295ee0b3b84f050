package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"utdrag/archive"
	"utdrag/storage"
	"utdrag/storage/fs"
)

// TestJanitorCommand: one pass over the configured store removes a folder
// that an interrupted create left and reports it as JSON.
func TestJanitorCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("UTDRAG_STORAGE", "fs:"+dir)
	store, err := fs.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	id := "0123456789abcdef01234567"
	if _, err := store.Put(context.Background(), archive.PDFKey(id), []byte("%PDF-1.7"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var out bytes.Buffer
	if err := janitor(t.Context(), &out, []string{"-grace", "1h"}, log); err != nil {
		t.Fatal(err)
	}
	var rep archive.JanitorReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Folders != 1 || rep.Young != 1 || len(rep.Removed) != 0 {
		t.Fatalf("a pass within the grace period: %+v %v\n%s", rep, err, out.String())
	}
	out.Reset()
	if err := janitor(t.Context(), &out, []string{"-grace", "1ns"}, log); err != nil {
		t.Fatal(err)
	}
	rep = archive.JanitorReport{}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || len(rep.Removed) != 1 || rep.Removed[0] != archive.PDFKey(id) {
		t.Fatalf("a pass after the grace period: %+v %v\n%s", rep, err, out.String())
	}
	if _, err := store.Stat(context.Background(), archive.PDFKey(id)); err == nil {
		t.Error("the orphan is still there")
	}
	if err := janitor(t.Context(), &out, []string{"-grace", "0s"}, log); err == nil {
		t.Error("a grace of zero was accepted")
	}
}
