package distribute

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"utdrag/internal/smtptest"
)

func TestOutboxWritesParseableEML(t *testing.T) {
	dir := t.TempDir()
	outbox, err := NewOutbox(dir, testFrom)
	if err != nil {
		t.Fatal(err)
	}
	m := seed000(testKey)
	rec, err := newDistributor(t, newFSStore(t), outbox, nil).Distribute(testContext(t), m)
	if err != nil {
		t.Fatalf("Distribute: %v", err)
	}
	// Written to the folder is not sent: the record and its words say so.
	if !rec.Done() || rec.Counts.MessagesSaved != 10 || rec.Counts.MessagesSent != 0 || rec.Counts.Saved != 3 {
		t.Fatalf("counts = %+v, want 10 messages saved and none sent", rec.Counts)
	}
	sum := Summarize(rec.Counts)
	if sum.Class == "ok" || strings.Contains(sum.Headline, "expedierat") ||
		!strings.Contains(strings.Join(sum.Lines, " "), "bara sparade i utkorgsmappen, inte skickade") {
		t.Errorf("summary of an outbox-only distribution = %+v", sum)
	}
	if label, class := Short(rec.Counts); label == "Expedierat" || class == "ok" {
		t.Errorf("short label %q/%s for an outbox-only distribution", label, class)
	}
	if l := rec.Recipients[0].State.Label(); strings.Contains(l, "Skickad") {
		t.Errorf("recipient label %q for a message only saved", l)
	}
	files := emlFiles(t, dir)
	if len(files) != 10 {
		t.Fatalf("outbox holds %d .eml files, want 10: %v", len(files), files)
	}
	for _, a := range seed000Addresses {
		path := outbox.Path(MessageID("region-jh", m.ExtractID, a))
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("message to %s: %v", a, err)
		}
		checkMail(t, m, smtptest.Message{From: testFrom, To: a, MessageID: smtptest.MessageIDOf(data), Data: data})
		if to := parseMail(t, data).Header.Get("To"); !strings.Contains(to, a) {
			t.Errorf("To = %q, want %s", to, a)
		}
	}

	// The record is lost and everything is sent again: the files are
	// overwritten, not duplicated.
	before, _ := os.ReadFile(files[0])
	if _, err := newDistributor(t, newFSStore(t), outbox, nil).Distribute(testContext(t), m); err != nil {
		t.Fatalf("second Distribute: %v", err)
	}
	if n := len(emlFiles(t, dir)); n != 10 {
		t.Errorf("after a repeat the outbox holds %d files, want 10", n)
	}
	if after, _ := os.ReadFile(files[0]); !bytes.Equal(before[:200], after[:200]) {
		t.Errorf("repeated message starts differently:\n%s\n---\n%s", before[:200], after[:200])
	}
}

func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if filepath.Ext(f) != ".eml" {
			t.Errorf("outbox holds %s, want only .eml files", f)
		}
	}
	return files
}
