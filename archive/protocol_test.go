package archive_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"utdrag/anslag"
	"utdrag/archive"
	"utdrag/extract"
	"utdrag/storage"
)

func protocolRecord(t *testing.T, id string) *archive.ProtocolRecord {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "protocols", "ragunda-ks-44-57-2025.json"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := extract.DecodeProtocol(bytes.NewReader(raw), extract.Limits{}, anslag.NewCalendar())
	if err != nil {
		t.Fatal(err)
	}
	return &archive.ProtocolRecord{ID: id, Organisation: p.Organisation, Organ: p.Organ, MeetingDate: p.Meeting.Date,
		Paragraphs: p.Numbers(), Digests: p.Digests(), Template: "standard@2", Pages: 9, Protocol: p}
}

// TestProtocolCreateOnce: a protocol is stored once; the identical create
// answers the stored record; a create interrupted after its PDF is
// adopted by the next; a marker without a record is passed over; other
// bytes under the id are refused and never replaced; a PDF that differs
// from its record is never served.
func TestProtocolCreateOnce(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			a := archive.New(store)
			pdf, html := []byte("%PDF-1.7 protocol"), []byte("<!doctype html>")

			// An interrupted create: the PDF and the meeting's marker, no record.
			id := "00000000000000000000abcd"
			if _, err := store.Put(ctx, archive.ProtocolPDFKey(id), pdf, storage.PutOptions{IfNoneMatch: true}); err != nil {
				t.Fatal(err)
			}
			rec := protocolRecord(t, id)
			if ps, err := a.ProtocolsOfMeeting(ctx, rec.Organisation.ID, rec.Organ, rec.MeetingDate); err != nil || len(ps) != 0 {
				t.Fatalf("before the record: %d protocols, %v", len(ps), err)
			}
			if _, err := a.GetProtocol(ctx, id); !errors.Is(err, archive.ErrNotFound) {
				t.Fatalf("get before the record: %v", err)
			}
			got, created, err := a.CreateProtocol(ctx, rec, pdf, html)
			if err != nil || !created || got.SHA256 != archive.Checksum(pdf) || got.HTMLSHA256 != archive.Checksum(html) {
				t.Fatalf("create: %v created=%v", err, created)
			}
			again, created, err := a.CreateProtocol(ctx, protocolRecord(t, id), pdf, html)
			if err != nil || created || !again.Created.Equal(got.Created) {
				t.Fatalf("repeat: %v created=%v", err, created)
			}
			ps, err := a.ProtocolsOfMeeting(ctx, rec.Organisation.ID, "kommunstyrelsen", rec.MeetingDate)
			if err != nil || len(ps) != 1 || ps[0].ID != id || len(ps[0].Digests) != len(rec.Paragraphs) {
				t.Fatalf("protocols of the meeting: %d, %v", len(ps), err)
			}
			if d, ok := ps[0].Digest(rec.Paragraphs[3]); !ok || d != rec.Protocol.Paragraphs[3].Digest() {
				t.Errorf("digest of § %d: %q", rec.Paragraphs[3], d)
			}
			if ps, _ := a.ProtocolsOfMeeting(ctx, rec.Organisation.ID, rec.Organ, "2025-01-01"); len(ps) != 0 {
				t.Errorf("another meeting finds %d protocols", len(ps))
			}
			if b, err := a.ProtocolPDF(ctx, got); err != nil || !bytes.Equal(b, pdf) {
				t.Errorf("pdf: %v", err)
			}
			for _, org := range []string{rec.Organisation.ID, ""} {
				list, err := a.ListProtocols(ctx, org)
				if err != nil || len(list) != 1 || list[0].ID != id || list[0].Protocol == nil {
					t.Errorf("list of %q: %d, %v", org, len(list), err)
				}
			}
			if list, _ := a.ListProtocols(ctx, "annan"); len(list) != 0 {
				t.Errorf("another organisation lists %d", len(list))
			}

			// Other bytes under another id: refused, left as they are.
			other := "00000000000000000000beef"
			if _, err := store.Put(ctx, archive.ProtocolPDFKey(other), []byte("%PDF other"), storage.PutOptions{IfNoneMatch: true}); err != nil {
				t.Fatal(err)
			}
			if _, _, err := a.CreateProtocol(ctx, protocolRecord(t, other), pdf, nil); err == nil {
				t.Error("a create over other bytes succeeded")
			}
			if _, err := a.GetProtocol(ctx, other); !errors.Is(err, archive.ErrNotFound) {
				t.Errorf("the refused create left a record: %v", err)
			}

			// A stored PDF that no longer matches its record is not served.
			if err := store.Delete(ctx, archive.ProtocolPDFKey(id)); err != nil {
				t.Fatal(err)
			}
			if _, err := store.Put(ctx, archive.ProtocolPDFKey(id), []byte("%PDF changed"), storage.PutOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := a.ProtocolPDF(ctx, got); !errors.Is(err, archive.ErrMismatch) {
				t.Errorf("a changed PDF: %v, want ErrMismatch", err)
			}
		})
	}
}
