package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"utdrag/archive"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// genuine creates and certifies an extract and returns its id with the
// bytes served for its PDF and its certified PDF.
func genuine(t *testing.T, a *api) (id string, pdf, certified []byte) {
	t.Helper()
	resp, body := a.do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, clip(body))
	}
	var v struct{ ID string }
	_ = json.Unmarshal(body, &v)
	if resp, body := a.do("POST", "/v1/extracts/"+v.ID+"/certification", []byte(clerk)); resp.StatusCode != http.StatusCreated {
		t.Fatalf("certify: %d %s", resp.StatusCode, clip(body))
	}
	_, pdf = a.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil)
	_, certified = a.do("GET", "/v1/extracts/"+v.ID+"/certified", nil)
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || !bytes.HasPrefix(certified, []byte("%PDF-")) {
		t.Fatal("the extract's PDFs are not PDFs")
	}
	return v.ID, pdf, certified
}

// TestRecordedVersionsServedAfterOverwriteAndDelete: on MinIO with object
// lock, anyone holding the bucket's keys can PUT over a certified PDF (the
// server keeps the locked version and adds one above it) or DELETE it (a
// delete marker above it). Neither changes what the service serves: the
// PDF and the certified PDF are read by the versions the record pinned,
// and verification still finds the stored copy genuine.
func TestRecordedVersionsServedAfterOverwriteAndDelete(t *testing.T) {
	cfg := storagetest.S3Config(t)
	store := openS3(t, cfg)
	a := startAPI(t, store).as(keyAdmin)
	id, pdf, certified := genuine(t, a)
	raw := storagetest.Client(t, cfg)
	keys := []string{archive.PDFKey(id), archive.CertifiedKey(id, 1)}

	served := func(when string) {
		t.Helper()
		for path, want := range map[string][]byte{"/pdf": pdf, "/certified": certified, "/certified?version=1": certified} {
			resp, body := a.do("GET", "/v1/extracts/"+id+path, nil)
			if resp.StatusCode != 200 || !bytes.Equal(body, want) || resp.Header.Get("ETag") != `"`+pdftestChecksum(want)+`"` {
				t.Errorf("%s: GET %s = %d, %d bytes (ETag %s), want the %d bytes recorded", when, path, resp.StatusCode, len(body), resp.Header.Get("ETag"), len(want))
			}
		}
		resp, body := a.do("GET", "/v1/verify/"+pdftestChecksum(certified), nil)
		var v verification
		_ = json.Unmarshal(body, &v)
		if resp.StatusCode != 200 || !v.Genuine || !v.Certified || v.Signature == nil || !v.Signature.Valid {
			t.Errorf("%s: verify of the certified PDF: %d %s", when, resp.StatusCode, clip(body))
		}
	}

	forged := []byte("sixteen bytes!!\n")
	for _, key := range keys {
		if _, err := raw.PutObject(t.Context(), cfg.Bucket, key, bytes.NewReader(forged), int64(len(forged)), minio.PutObjectOptions{}); err != nil {
			t.Fatalf("overwriting %s around the service: %v", key, err)
		}
		if cur, _, err := store.Get(t.Context(), key); err != nil || !bytes.Equal(cur, forged) {
			t.Fatalf("%s after the overwrite holds %q, %v: nothing reproduced", key, clip(cur), err)
		}
	}
	served("after a PUT over each PDF")

	for _, key := range keys {
		if err := raw.RemoveObject(t.Context(), cfg.Bucket, key, minio.RemoveObjectOptions{}); err != nil {
			t.Fatalf("deleting %s around the service: %v", key, err)
		}
		if _, err := store.Stat(t.Context(), key); err == nil {
			t.Fatalf("%s is still current after the delete: nothing reproduced", key)
		}
	}
	served("after a DELETE of each PDF")
	text := scrape(t, a)
	for _, outcome := range []string{"refused", "recovered"} {
		if n := metricValue(text, `utdrag_storage_mismatches_total{outcome="`+outcome+`"}`); n != 0 {
			t.Errorf("%v mismatches %s, want 0: the pinned versions are read first", n, outcome)
		}
	}
}

// TestStoredFileMismatchIsNeverServed: where the store keeps no versions
// (local files, S3 without versioning) a PDF or HTML rendition changed or
// removed behind the record's back is caught by its checksum (and size)
// before a byte goes out: 500 with a problem that says so, logged and
// counted.
func TestStoredFileMismatchIsNeverServed(t *testing.T) {
	backends := map[string]func(t *testing.T) (storage.Store, func(key string, data []byte)){
		"fs": func(t *testing.T) (storage.Store, func(string, []byte)) {
			store := storagetest.FS(t)
			return store, func(key string, data []byte) {
				if data == nil {
					if err := store.Delete(context.Background(), key); err != nil {
						t.Fatalf("deleting %s: %v", key, err)
					}
					return
				}
				if _, err := store.Put(context.Background(), key, data, storage.PutOptions{}); err != nil {
					t.Fatalf("overwriting %s: %v", key, err)
				}
			}
		},
		"s3-unversioned": func(t *testing.T) (storage.Store, func(string, []byte)) {
			store := storagetest.S3Unversioned(t)
			raw := storagetest.Client(t, storagetest.S3Config(t))
			return store, func(key string, data []byte) {
				var err error
				if data == nil {
					err = raw.RemoveObject(context.Background(), store.Bucket(), key, minio.RemoveObjectOptions{})
				} else {
					_, err = raw.PutObject(context.Background(), store.Bucket(), key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{})
				}
				if err != nil {
					t.Fatalf("changing %s around the service: %v", key, err)
				}
			}
		},
	}
	for name, open := range backends {
		t.Run(name, func(t *testing.T) {
			store, change := open(t)
			a := startAPI(t, store).as(keyAdmin)
			id, pdf, certified := genuine(t, a)

			// Same size, one byte changed; longer than recorded; gone.
			changed := bytes.Clone(pdf)
			changed[len(changed)/2] ^= 1
			longer := append(bytes.Clone(certified), bytes.Repeat([]byte("%"), 4096)...)
			cases := []struct {
				key, path string
				data      []byte
			}{
				{archive.PDFKey(id), "/pdf", changed},
				{archive.CertifiedKey(id, 1), "/certified", longer},
				{archive.PDFKey(id), "/pdf", nil},
				{archive.HTMLKey(id), "/html", []byte("<p>ändrad</p>")},
			}
			if name == "fs" {
				cases[1].key = "" // the file store itself refuses to touch a retained file
			}
			for i, tc := range cases {
				if tc.key == "" {
					continue
				}
				change(tc.key, tc.data)
				resp, body := a.do("GET", "/v1/extracts/"+id+tc.path, nil)
				var p service.Problem
				_ = json.Unmarshal(body, &p)
				if resp.StatusCode != 500 || !strings.HasSuffix(p.Type, "/stored-file-mismatch") || bytes.Contains(body, []byte("%PDF")) || bytes.Contains(body, []byte("ändrad")) {
					t.Errorf("case %d: GET %s after changing %s: %d %s", i, tc.path, tc.key, resp.StatusCode, clip(body))
				}
				if !strings.Contains(a.logs.String(), tc.key) {
					t.Errorf("case %d: no log line names %s", i, tc.key)
				}
			}
			if resp, body := a.do("GET", "/v1/extracts/"+id, nil); resp.StatusCode != 200 {
				t.Errorf("the record itself: %d %s", resp.StatusCode, clip(body))
			}
			want := 0.0
			for _, tc := range cases {
				if tc.key != "" {
					want++
				}
			}
			if n := metricValue(scrape(t, a), `utdrag_storage_mismatches_total{outcome="refused"}`); n != want {
				t.Errorf("%v mismatches refused, want %v", n, want)
			}
		})
	}
}

// TestUnpinnedRecordFindsRecordedVersion: a record written before versions
// were pinned (or read from a bucket copied elsewhere, where versions get
// new IDs) reads the current object; when that was written over or
// deleted, the version under it that holds the recorded bytes is found and
// served, and the change is logged and counted as recovered.
func TestUnpinnedRecordFindsRecordedVersion(t *testing.T) {
	cfg := storagetest.S3Config(t)
	store := openS3(t, cfg)
	a := startAPI(t, store).as(keyAdmin)
	id, pdf, certified := genuine(t, a)

	// Strip the pins, as a record of an earlier release has none.
	raw, obj, err := store.Get(t.Context(), archive.MetaKey(id))
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal(raw, &rec); err != nil || rec["versions"] == nil {
		t.Fatalf("the record pins no versions (%v): nothing to strip", err)
	}
	delete(rec, "versions")
	raw, _ = json.Marshal(rec)
	if _, err := store.Put(t.Context(), archive.MetaKey(id), raw, storage.PutOptions{IfMatch: obj.ETag, ContentType: "application/json"}); err != nil {
		t.Fatal(err)
	}

	c := storagetest.Client(t, cfg)
	forged := []byte("sixteen bytes!!\n")
	if _, err := c.PutObject(t.Context(), cfg.Bucket, archive.CertifiedKey(id, 1), bytes.NewReader(forged), int64(len(forged)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveObject(t.Context(), cfg.Bucket, archive.PDFKey(id), minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]byte{"/pdf": pdf, "/certified": certified} {
		resp, body := a.do("GET", "/v1/extracts/"+id+path, nil)
		if resp.StatusCode != 200 || !bytes.Equal(body, want) {
			t.Errorf("GET %s of an unpinned record after the change: %d, %d bytes, want the %d recorded", path, resp.StatusCode, len(body), len(want))
		}
	}
	if n := metricValue(scrape(t, a), `utdrag_storage_mismatches_total{outcome="recovered"}`); n != 2 {
		t.Errorf("%v reads recovered, want 2", n)
	}
	if !strings.Contains(a.logs.String(), "served the version that is as recorded") {
		t.Error("the recovery is not logged")
	}
}
