package distribute

import (
	"bytes"
	"encoding/base64"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// attachments reads every attached file of an .eml as a mail client
// would: filename → bytes, and the plain-text body.
func attachments(t *testing.T, raw []byte) (map[string][]byte, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	files, body := map[string][]byte{}, ""
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files, body
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(part)
		if part.FileName() == "" {
			body = string(data)
			continue
		}
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			if data, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), "")); err != nil {
				t.Fatal(err)
			}
		}
		files[part.FileName()] = data
	}
}

// TestAppealOnlyToParties: the appeal instruction goes, as a second PDF
// beside the certified extract, to the recipients named as parties, and
// to no one else; the extract's attachment is the same for all.
func TestAppealOnlyToParties(t *testing.T) {
	dir, err := LoadDirectory([]byte(`organisations:
  ragunda:
    name: Ragunda kommun
    recipients:
      - name: Näsets Snickeri AB
        addresses: [info@naset.example.se]
      - name: Fastighetsenheten
        addresses: [fastighet@ragunda.example.se]
      - name: Kommunfullmäktige
        addresses: [kf@ragunda.example.se]
`))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	box, err := NewOutbox(out, testFrom)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Config{Store: newFSStore(t), Directory: dir, Mailer: box,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	appeal := []byte("%PDF-1.7 överklagandehänvisning")
	m := Message{
		ExtractID: "0123456789abcdef01234567", Organisation: Organisation{ID: "ragunda", Name: "Ragunda kommun"},
		Organ: "Kommunstyrelsen", MeetingDate: "2025-05-20", Paragraphs: []string{"§ 52"},
		Title:      "Försäljning av fastigheten Stugun 4:27",
		Recipients: []string{"Näsets Snickeri AB och Fastighetsenheten", "Kommunfullmäktige"},
		Filename:   "Protokollsutdrag Kommunstyrelsen 2025-05-20 § 52.pdf", PDF: testPDF(), RecordKey: "extracts/x/distribution.json",
		Appeals: []Appeal{{Parties: []string{"näsets snickeri  AB"}, Filename: "Överklagandehänvisning Kommunstyrelsen 2025-05-20 § 52.pdf", PDF: appeal}},
	}
	if _, err := d.Distribute(testContext(t), m); err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string][]byte{}
	bodies := map[string]string{}
	_ = filepath.WalkDir(out, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".eml") {
			return err
		}
		raw, _ := os.ReadFile(p)
		msg, _ := mail.ReadMessage(bytes.NewReader(raw))
		to := msg.Header.Get("To")
		got[to], bodies[to] = attachments(t, raw)
		return nil
	})
	if len(got) != 3 {
		t.Fatalf("%d messages, want 3", len(got))
	}
	for to, files := range got {
		party := strings.Contains(to, "naset")
		if !bytes.Equal(files[m.Filename], m.PDF) {
			t.Errorf("%s: the extract is not attached as certified", to)
		}
		if a, ok := files[m.Appeals[0].Filename]; ok != party || ok && !bytes.Equal(a, appeal) {
			t.Errorf("%s (party %v): appeal instruction attached %v", to, party, ok)
		}
		if len(files) != map[bool]int{true: 2, false: 1}[party] {
			t.Errorf("%s: %d files", to, len(files))
		}
		if strings.Contains(bodies[to], "överklagandehänvisning") != party {
			t.Errorf("%s (party %v): body %q", to, party, bodies[to])
		}
	}
}

func TestAppealNamesParties(t *testing.T) {
	a := Appeal{Parties: []string{"Anna Berg och Per Berg", "Hälso- och sjukvårdsnämnden", "AB Bygg, Lars Ek"}}
	for name, want := range map[string]bool{
		"Anna Berg": true, "per  berg": true, "Anna Berg och Per Berg": true, "Hälso- och sjukvårdsnämnden": true,
		"sjukvårdsnämnden": false, "Lars Ek": true, "AB Bygg": true, "Berg": false, "": false,
	} {
		if got := a.names(name); got != want {
			t.Errorf("%q: %v, want %v", name, got, want)
		}
	}
}
