package s3_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"utdrag/storage"
	"utdrag/storage/s3"
	"utdrag/storage/storagetest"
)

func TestContract(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := storagetest.S3(t)
		if !s.Locking() {
			t.Fatal("a bucket created by New has no object lock")
		}
		return s
	})
}

// Without object lock the store still keeps the contract, Retain included.
func TestContractWithoutObjectLock(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		cfg := storagetest.S3Config(t)
		if err := rawClient(t, cfg).MakeBucket(t.Context(), cfg.Bucket, minio.MakeBucketOptions{}); err != nil {
			t.Fatalf("MakeBucket: %v", err)
		}
		s, err := s3.New(t.Context(), cfg)
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if s.Locking() {
			t.Fatal("Locking() = true on a bucket made without object lock")
		}
		return s
	})
}

func rawClient(t *testing.T, cfg s3.Config) *minio.Client {
	t.Helper()
	c, err := minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetainSetsObjectLock(t *testing.T) {
	cfg := storagetest.S3Config(t)
	s, err := s3.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	obj, err := s.Put(t.Context(), "cert.pdf", []byte("%PDF"), storage.PutOptions{Retain: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	c := rawClient(t, cfg)
	mode, until, err := c.GetObjectRetention(t.Context(), cfg.Bucket, "cert.pdf", "")
	if err != nil {
		t.Fatalf("GetObjectRetention: %v", err)
	}
	if mode == nil || *mode != minio.Governance || until == nil || !until.Equal(obj.RetainUntil) {
		t.Fatalf("retention = %v until %v, want GOVERNANCE until %v", mode, until, obj.RetainUntil)
	}
	// The server itself refuses to remove the version, not only the store.
	info, err := c.StatObject(t.Context(), cfg.Bucket, "cert.pdf", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = c.RemoveObject(t.Context(), cfg.Bucket, "cert.pdf", minio.RemoveObjectOptions{VersionID: info.VersionID})
	if err == nil {
		t.Fatal("server removed a retained version")
	}

	// Refused overwrites and deletes leave no versions or delete markers.
	_, _ = s.Put(t.Context(), "cert.pdf", []byte("forged"), storage.PutOptions{})
	_ = s.Delete(t.Context(), "cert.pdf")
	var versions int
	for v := range c.ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Prefix: "cert.pdf", WithVersions: true}) {
		if v.Err != nil {
			t.Fatal(v.Err)
		}
		versions++
	}
	if versions != 1 {
		t.Fatalf("%d versions of cert.pdf, want 1", versions)
	}
}

// TestRetentionModes: in governance mode the root user may still remove a
// retained version early, with the bypass header; in compliance mode even
// that is refused, and so is shortening the retention.
func TestRetentionModes(t *testing.T) {
	for _, tc := range []struct {
		mode        string
		want        minio.RetentionMode
		bypassWorks bool
	}{
		{"", minio.Governance, true},
		{s3.Governance, minio.Governance, true},
		{s3.Compliance, minio.Compliance, false},
	} {
		t.Run("mode="+tc.mode, func(t *testing.T) {
			cfg := storagetest.S3Config(t)
			cfg.RetentionMode = tc.mode
			s, err := s3.New(t.Context(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			obj, err := s.Put(t.Context(), "certified-1.pdf", []byte("%PDF certified"), storage.PutOptions{Retain: 3 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			c := rawClient(t, cfg)
			mode, _, err := c.GetObjectRetention(t.Context(), cfg.Bucket, "certified-1.pdf", obj.Version)
			if err != nil || mode == nil || *mode != tc.want {
				t.Fatalf("retention mode = %v, %v; want %s", mode, err, tc.want)
			}
			err = c.RemoveObject(t.Context(), cfg.Bucket, "certified-1.pdf", minio.RemoveObjectOptions{VersionID: obj.Version})
			if err == nil {
				t.Fatal("the server removed a retained version without the bypass")
			}
			if !tc.bypassWorks {
				soon := time.Now().Add(time.Second)
				err = c.PutObjectRetention(t.Context(), cfg.Bucket, "certified-1.pdf", minio.PutObjectRetentionOptions{
					GovernanceBypass: true, Mode: &tc.want, RetainUntilDate: &soon, VersionID: obj.Version,
				})
				if err == nil {
					t.Error("compliance retention was shortened")
				}
			}
			err = c.RemoveObject(t.Context(), cfg.Bucket, "certified-1.pdf", minio.RemoveObjectOptions{VersionID: obj.Version, GovernanceBypass: true})
			if tc.bypassWorks != (err == nil) {
				t.Fatalf("governance-bypass removal of a %s version: %v", tc.want, err)
			}
			if tc.bypassWorks {
				return
			}
			data, _, err := s.Read(t.Context(), "certified-1.pdf", storage.ReadOptions{Version: obj.Version})
			if err != nil || string(data) != "%PDF certified" {
				t.Fatalf("compliance version after the refused removal: %q, %v", data, err)
			}
			// Nobody can remove it early: wait it out so the bucket can go.
			time.Sleep(time.Until(obj.RetainUntil) + 100*time.Millisecond)
			if err := s.Delete(t.Context(), "certified-1.pdf"); err != nil {
				t.Fatalf("Delete after retention: %v", err)
			}
		})
	}
}

// TestRecordedVersionOutlivesOverwriteAndDelete reproduces what a root key
// can do around the store: an unconditional PUT of 16 bytes over a retained
// PDF (the server adds a version above the locked one) and a plain DELETE
// (a delete marker). The current object changes each time; the version
// Put reported still reads as it was written.
func TestRecordedVersionOutlivesOverwriteAndDelete(t *testing.T) {
	cfg := storagetest.S3Config(t)
	s, err := s3.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7 certified extract, signed")
	obj, err := s.Put(t.Context(), "certified-1.pdf", pdf, storage.PutOptions{Retain: time.Hour, ContentType: "application/pdf"})
	if err != nil {
		t.Fatal(err)
	}
	if obj.Version == "" {
		t.Fatal("Put on a bucket with object lock reported no version")
	}
	c := rawClient(t, cfg)
	forged := []byte("sixteen bytes!!\n")
	if _, err := c.PutObject(t.Context(), cfg.Bucket, "certified-1.pdf", bytes.NewReader(forged), int64(len(forged)), minio.PutObjectOptions{}); err != nil {
		t.Fatalf("raw overwrite: %v", err)
	}
	if cur, _, err := s.Get(t.Context(), "certified-1.pdf"); err != nil || !bytes.Equal(cur, forged) {
		t.Fatalf("the overwrite did not land (%q, %v): the test reproduces nothing", cur, err)
	}
	readRecorded := func(when string) {
		t.Helper()
		got, o, err := s.Read(t.Context(), "certified-1.pdf", storage.ReadOptions{Version: obj.Version, MaxSize: int64(len(pdf))})
		if err != nil || !bytes.Equal(got, pdf) || o.Version != obj.Version {
			t.Fatalf("recorded version %s: %q, %v", when, got, err)
		}
	}
	readRecorded("after an overwrite")
	if err := c.RemoveObject(t.Context(), cfg.Bucket, "certified-1.pdf", minio.RemoveObjectOptions{}); err != nil {
		t.Fatalf("raw delete: %v", err)
	}
	if _, _, err := s.Get(t.Context(), "certified-1.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after the raw delete: %v, want ErrNotFound: the test reproduces nothing", err)
	}
	readRecorded("under a delete marker")
}

// TestDeleteRemovesTheVersionItFound: deleting an object of one version
// leaves no version and no delete marker; deleting an overwritten one
// does not bring the older version back.
func TestDeleteRemovesTheVersionItFound(t *testing.T) {
	cfg := storagetest.S3Config(t)
	s, err := s3.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := rawClient(t, cfg)
	versions := func(key string) (n, markers int) {
		for v := range c.ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Prefix: key, WithVersions: true}) {
			if v.Err != nil {
				t.Fatal(v.Err)
			}
			if v.Key != key {
				continue
			}
			n++
			if v.IsDeleteMarker {
				markers++
			}
		}
		return n, markers
	}
	if _, err := s.Put(t.Context(), "orphan.pdf", []byte("x"), storage.PutOptions{IfNoneMatch: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(t.Context(), "orphan.pdf"); err != nil {
		t.Fatal(err)
	}
	if n, _ := versions("orphan.pdf"); n != 0 {
		t.Errorf("%d versions or markers of a deleted object of one version, want none", n)
	}

	for _, b := range []string{"first", "second"} {
		if _, err := s.Put(t.Context(), "twice.pdf", []byte(b), storage.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(t.Context(), "twice.pdf"); err != nil {
		t.Fatal(err)
	}
	if data, _, err := s.Get(t.Context(), "twice.pdf"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("Get after Delete of an overwritten object: %q, %v; want ErrNotFound", data, err)
	}
	if n, markers := versions("twice.pdf"); n != 2 || markers != 1 {
		t.Errorf("%d versions, %d delete markers; want the first version under one marker", n, markers)
	}
}

// TestPingWrites: Ping fails while the server answers reads but refuses
// writes (as MinIO does without write quorum), and leaves no version
// behind when it succeeds.
func TestPingWrites(t *testing.T) {
	cfg := storagetest.S3Config(t)
	proxy := newFaultyProxy(t, cfg.Endpoint)
	viaProxy := cfg
	viaProxy.Endpoint = proxy.srv.Listener.Addr().String()
	s, err := s3.New(t.Context(), viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	proxy.failWrites.Store(true)
	if _, err := s.Stat(t.Context(), "absent"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("reads fail too (%v): the test checks nothing", err)
	}
	if err := s.Ping(t.Context()); !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("Ping while writes fail: %v, want ErrUnavailable", err)
	}
	proxy.failWrites.Store(false)
	for range 3 {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping after writes came back: %v", err)
		}
	}
	for v := range rawClient(t, cfg).ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Recursive: true, WithVersions: true}) {
		t.Errorf("left in the bucket: %s version %s (marker %v) %v", v.Key, v.VersionID, v.IsDeleteMarker, v.Err)
	}
}

func TestUnknownRetentionMode(t *testing.T) {
	_, err := s3.New(t.Context(), s3.Config{Endpoint: "127.0.0.1:1", Bucket: "b", RetentionMode: "forever"})
	if err == nil {
		t.Fatal("New accepted an unknown retention mode")
	}
}

// faultyProxy forwards to the test MinIO until told to fail.
type faultyProxy struct {
	srv        *httptest.Server
	fail       atomic.Bool  // answer 503 instead of forwarding
	failWrites atomic.Bool  // answer PUTs and DELETEs 503 as MinIO does without write quorum
	starting   atomic.Int32 // answer this many more requests as a starting MinIO does
	answered   atomic.Int32 // requests answered with "not initialized"
}

func newFaultyProxy(t *testing.T, endpoint string) *faultyProxy {
	target := &url.URL{Scheme: "http", Host: endpoint}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(target)
		r.Out.Host = r.In.Host // the request is signed for this host
	}}
	p := &faultyProxy{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.starting.Add(-1) >= 0 {
			p.answered.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<Error><Code>XMinioServerNotInitialized</Code>` +
				`<Message>Server not initialized yet, please try again.</Message></Error>`))
			return
		}
		if p.fail.Load() || p.failWrites.Load() && (r.Method == http.MethodPut || r.Method == http.MethodDelete) {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<Error><Code>ServiceUnavailable</Code><Message>down</Message></Error>`))
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func TestUnavailable(t *testing.T) {
	cfg := storagetest.S3Config(t)
	proxy := newFaultyProxy(t, cfg.Endpoint)
	viaProxy := cfg
	viaProxy.Endpoint = proxy.srv.Listener.Addr().String()
	s, err := s3.New(t.Context(), viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(t.Context(), "k", []byte("x"), storage.PutOptions{}); err != nil {
		t.Fatalf("Put through the proxy: %v", err)
	}

	proxy.fail.Store(true)
	checkUnavailable(t, "503", s)
	proxy.fail.Store(false)
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping after recovery: %v", err)
	}

	proxy.srv.Close()
	checkUnavailable(t, "closed", s)
	_, err = s3.New(t.Context(), viaProxy)
	if !errors.Is(err, storage.ErrUnavailable) {
		t.Fatalf("New with the server gone: %v, want ErrUnavailable", err)
	}
}

// TestNewWaitsForStartingServer: a MinIO that reports ready on its health
// endpoint may still answer bucket calls with "not initialized" for a
// moment; New waits for it instead of failing.
func TestNewWaitsForStartingServer(t *testing.T) {
	cfg := storagetest.S3Config(t)
	proxy := newFaultyProxy(t, cfg.Endpoint)
	proxy.starting.Store(6)
	viaProxy := cfg
	viaProxy.Endpoint = proxy.srv.Listener.Addr().String()
	s, err := s3.New(t.Context(), viaProxy)
	if err != nil {
		t.Fatalf("New on a starting server: %v", err)
	}
	if n := proxy.answered.Load(); n != 6 {
		t.Errorf("%d requests answered \"not initialized\", want 6", n)
	}
	if !s.Locking() {
		t.Error("bucket made while the server started has no object lock")
	}

	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	proxy.starting.Store(1 << 20) // never ready
	if _, err := s3.New(ctx, viaProxy); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("New on a server that never starts: %v, want ErrUnavailable", err)
	}
}

func checkUnavailable(t *testing.T, what string, s *s3.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	calls := map[string]func() error{
		"Ping": func() error { return s.Ping(ctx) },
		"Stat": func() error { _, err := s.Stat(ctx, "k"); return err },
		"Get":  func() error { _, _, err := s.Get(ctx, "k"); return err },
		"List": func() error { _, err := s.List(ctx, ""); return err },
		"Put": func() error {
			_, err := s.Put(ctx, "k", []byte("y"), storage.PutOptions{IfNoneMatch: true})
			return err
		},
		"Delete": func() error { return s.Delete(ctx, "k") },
	}
	var wg sync.WaitGroup
	for name, call := range calls {
		wg.Go(func() {
			if err := call(); !errors.Is(err, storage.ErrUnavailable) {
				t.Errorf("%s (%s): %v, want ErrUnavailable", name, what, err)
			}
		})
	}
	wg.Wait()
}

// TestPingOnBucketWithDefaultRetention: where the bucket locks every new
// object, the probe's first object cannot be removed; Ping still succeeds
// and from then on writes nothing, so probes do not pile up.
func TestPingOnBucketWithDefaultRetention(t *testing.T) {
	cfg := storagetest.S3Config(t)
	c := rawClient(t, cfg)
	if err := c.MakeBucket(t.Context(), cfg.Bucket, minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	mode, days, unit := minio.Governance, uint(1), minio.Days
	if err := c.SetObjectLockConfig(t.Context(), cfg.Bucket, &mode, &days, &unit); err != nil {
		t.Fatalf("setting a default retention: %v", err)
	}
	s, err := s3.New(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := s.Ping(t.Context()); err != nil {
			t.Fatalf("Ping %d: %v", i, err)
		}
	}
	var versions int
	for v := range c.ListObjects(t.Context(), cfg.Bucket, minio.ListObjectsOptions{Prefix: s3.ProbePrefix, Recursive: true, WithVersions: true}) {
		if v.Err != nil {
			t.Fatal(v.Err)
		}
		versions++
	}
	if versions != 1 {
		t.Errorf("%d probe versions after 5 probes, want the one the retention keeps", versions)
	}
}
