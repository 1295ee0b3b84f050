package archive_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

const protocolID = "0000000000000000000fa017"

var protocolPDF = []byte("%PDF-1.7 the protocol\n%%EOF\n")

// protocolConsistent checks what every reader sees of protocol id: no
// record, found neither by id nor by its meeting nor in the list; or a
// record whose every object is stored with the checksum it holds, versions
// 1…n in order, found by its meeting and its organisation. It returns the
// record (nil when there is none).
func protocolConsistent(t *testing.T, store storage.Store, id string) *archive.ProtocolRecord {
	t.Helper()
	ctx := context.Background()
	a := archive.New(store)
	want := protocolRecord(t, id)
	rec, err := a.GetProtocol(ctx, id)
	ofMeeting, merr := a.ProtocolsOfMeeting(ctx, want.Organisation.ID, want.Organ, want.MeetingDate)
	listed, lerr := a.ListProtocols(ctx, want.Organisation.ID)
	if merr != nil || lerr != nil {
		t.Fatalf("finding the protocol: %v, %v", merr, lerr)
	}
	if errors.Is(err, archive.ErrNotFound) {
		if len(ofMeeting) != 0 || len(listed) != 0 {
			t.Errorf("no record, yet %d of the meeting and %d listed", len(ofMeeting), len(listed))
		}
		if r, _, err := a.FindProtocol(ctx, archive.Checksum(protocolPDF)); !errors.Is(err, archive.ErrNotFound) {
			t.Errorf("no record, yet its checksum finds %v, %v", r, err)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("reading the record: %v", err)
	}
	if len(ofMeeting) != 1 || len(listed) != 1 {
		t.Errorf("a record, yet %d of the meeting and %d listed", len(ofMeeting), len(listed))
	}
	if b, err := a.ProtocolPDF(ctx, rec); err != nil || len(b) != rec.Bytes {
		t.Errorf("the record's PDF: %v", err)
	}
	if r, e, err := a.FindProtocol(ctx, rec.SHA256); err != nil || r.ID != id || e.Version != 0 {
		t.Errorf("the protocol's checksum finds %v version %d, %v", r, e.Version, err)
	}
	for i, c := range rec.Certifications {
		if c.Version != i+1 {
			t.Errorf("certification %d has version %d", i, c.Version)
		}
		if r, e, err := a.FindProtocol(ctx, c.SHA256); err != nil || r.ID != id || e.Version != c.Version {
			t.Errorf("version %d's checksum finds %v version %d, %v", c.Version, r, e.Version, err)
		}
		if b, err := a.ProtocolCertified(ctx, rec, c.Version); err != nil || len(b) != c.Bytes {
			t.Errorf("certified version %d: %v", c.Version, err)
		}
	}
	return rec
}

// TestProtocolCreateStoppedAtEveryStep stops a protocol's create at each
// of its writes, before the write and after it: no reader sees anything
// of it; the next identical create adopts what was written; a janitor
// pass instead clears it all, markers included, and a create after it
// succeeds.
func TestProtocolCreateStoppedAtEveryStep(t *testing.T) {
	createStoppedAtEveryStep(t, createSubject{
		what: "a protocol's create", metaKey: archive.ProtocolMetaKey(protocolID), sum: archive.Checksum(protocolPDF),
		writes: func(t *testing.T, writes []string) {
			if len(writes) != 6 {
				t.Fatalf("a protocol's create writes %d objects, want PDF, HTML, checksum index, two markers, record", len(writes))
			}
		},
		create: func(ctx context.Context, a *archive.Archive) (string, bool, error) {
			rec, created, err := a.CreateProtocol(ctx, protocolRecord(t, protocolID), protocolPDF, html)
			if rec == nil {
				return "", created, err
			}
			return rec.SHA256, created, err
		},
		recorded: func(t *testing.T, store storage.Store) bool {
			return protocolConsistent(t, store, protocolID) != nil
		},
		folders: func(rep archive.JanitorReport) int { return rep.Protocols },
	})
}

// TestProtocolJanitorLeavesYoungAndHeld: the janitor leaves what is
// younger than its grace period, and a folder another writer has claimed.
func TestProtocolJanitorLeavesYoung(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			f := &storagetest.Faults{Store: store, At: 5}
			if _, _, err := archive.New(f).CreateProtocol(ctx, protocolRecord(t, protocolID), protocolPDF, html); err == nil {
				t.Fatal("the create was not stopped")
			}
			before := keys(t, store, "")
			rep, err := archive.New(store).Janitor(ctx, archive.JanitorOptions{Grace: time.Hour})
			if err != nil || len(rep.Removed) != 0 || rep.Young == 0 {
				t.Fatalf("janitor with an hour's grace: %+v, %v", rep, err)
			}
			if after := keys(t, store, ""); len(after) != len(before) {
				t.Errorf("young objects went: %v → %v", before, after)
			}
		})
	}
}

// TestProtocolCertifyStoppedAtEveryStep stops a protocol's certification
// at each of its writes: the record never lies; a version whose PDF was
// stored is recorded by the next certification (which takes the next
// number) or by the janitor; a description whose PDF never came is
// removed by the janitor. Certified PDFs are never removed.
func TestProtocolCertifyStoppedAtEveryStep(t *testing.T) {
	certsOf := func(rec *archive.ProtocolRecord, err error) ([]archive.Certification, error) {
		if rec == nil {
			return nil, err
		}
		return rec.Certifications, err
	}
	certifyStoppedAtEveryStep(t, certSubject{
		what: "a protocol's certification", folder: "protocols/", index: "protocol-sha256/",
		setup: func(ctx context.Context, store storage.Store) error {
			_, _, err := archive.New(store).CreateProtocol(ctx, protocolRecord(t, protocolID), protocolPDF, html)
			return err
		},
		certify: func(ctx context.Context, a *archive.Archive, c archive.Certification, signed []byte) ([]archive.Certification, error) {
			return certsOf(a.CertifyProtocol(ctx, protocolID, c, signed, retain))
		},
		complete: func(ctx context.Context, a *archive.Archive) ([]archive.Certification, error) {
			return certsOf(a.CompleteProtocol(ctx, protocolID))
		},
		find: func(ctx context.Context, a *archive.Archive, sum string) ([]archive.Certification, archive.IndexEntry, error) {
			rec, e, err := a.FindProtocol(ctx, sum)
			certs, _ := certsOf(rec, nil)
			return certs, e, err
		},
		consistent: func(t *testing.T, store storage.Store, _ string) []archive.Certification {
			return protocolConsistent(t, store, protocolID).Certifications
		},
		certifiedKey: func(n int) string { return archive.ProtocolCertifiedKey(protocolID, n) },
	})
}

// TestProtocolCertifyConflict: a second certification of the same
// version is told ErrConflict and the record holds the first.
func TestProtocolCertifyConflict(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			a := archive.New(open(t))
			if _, _, err := a.CreateProtocol(ctx, protocolRecord(t, protocolID), protocolPDF, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := a.CertifyProtocol(ctx, protocolID, certification(1, "first"), signedPDF(1, "first"), retain); err != nil {
				t.Fatal(err)
			}
			if _, err := a.CertifyProtocol(ctx, protocolID, certification(1, "second"), signedPDF(1, "second"), retain); !errors.Is(err, archive.ErrConflict) {
				t.Errorf("second version 1: %v", err)
			}
			rec, err := a.GetProtocol(ctx, protocolID)
			if err != nil || len(rec.Certifications) != 1 || rec.Certified().Name != "first" {
				t.Fatalf("record after the conflict: %+v, %v", rec, err)
			}
			if _, err := a.ProtocolCertified(ctx, rec, 2); !errors.Is(err, archive.ErrNotFound) {
				t.Errorf("version 2 before it exists: %v", err)
			}
			if _, _, err := a.CreateProtocol(ctx, protocolRecord(t, protocolID), protocolPDF, nil); err != nil {
				t.Errorf("repeating the create of a certified protocol: %v", err)
			}
			if again, _ := a.GetProtocol(ctx, protocolID); len(again.Certifications) != 1 {
				t.Errorf("a repeated create lost the certification")
			}
		})
	}
}

// TestProtocolIndexedByAThoroughPass: a protocol stored before its
// checksums were indexed is found by them after a thorough janitor pass.
func TestProtocolIndexedByAThoroughPass(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			store := open(t)
			a := archive.New(store)
			if _, _, err := a.CreateProtocol(ctx, protocolRecord(t, protocolID), protocolPDF, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := a.CertifyProtocol(ctx, protocolID, certification(1, "first"), signedPDF(1, "first"), retain); err != nil {
				t.Fatal(err)
			}
			for _, k := range keys(t, store, "protocol-sha256/") {
				if err := store.Delete(ctx, k); err != nil {
					t.Fatal(err)
				}
			}
			if _, _, err := a.FindProtocol(ctx, archive.Checksum(protocolPDF)); !errors.Is(err, archive.ErrNotFound) {
				t.Fatalf("found without an index entry: %v", err)
			}
			if _, err := a.Janitor(ctx, archive.JanitorOptions{Grace: time.Hour, Thorough: true}); err != nil {
				t.Fatal(err)
			}
			for sum, v := range map[string]int{archive.Checksum(protocolPDF): 0, archive.Checksum(signedPDF(1, "first")): 1} {
				if r, e, err := a.FindProtocol(ctx, sum); err != nil || r.ID != protocolID || e.Version != v {
					t.Errorf("version %d after the thorough pass: %v, %v", v, e, err)
				}
			}
		})
	}
}
