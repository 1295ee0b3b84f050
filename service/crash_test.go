package service_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/index"
	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// tracked is a service whose requests the test can wait for, also those
// whose client hung up.
type tracked struct {
	*env
	running sync.WaitGroup
}

func startTracked(t *testing.T, store storage.Store, ix *index.Index) *tracked {
	t.Helper()
	cfg := service.Defaults()
	cfg.Mail.Outbox = t.TempDir()
	srv, err := service.New(cfg, service.Deps{Store: store, Render: servicetest.Engine(t), Index: ix,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	tr := &tracked{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.running.Add(1)
		defer tr.running.Done()
		srv.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	tr.env = &env{t: t, url: ts.URL, store: store}
	return tr
}

// processes start services on one store, each a process of its own
// sharing the index, as replicas and restarts do.
type processes struct {
	t     *testing.T
	store storage.Store
	ix    *index.Index
}

func newProcesses(t *testing.T, store storage.Store) *processes {
	return &processes{t: t, store: store, ix: indextest.SQLite(t)}
}

// start starts a process on store (the shared store, or a wrapper of it).
func (p *processes) start(store storage.Store) *env {
	return startWith(p.t, store, service.Deps{Index: p.ix})
}

// reconcile runs the index's reconciler once, as a running service does
// every few seconds: a process killed between its storage write and its
// index write left the index behind storage.
func (p *processes) reconcile() {
	p.t.Helper()
	rc := index.Reconciler{Index: p.ix, Source: index.Source{Archive: archive.New(p.store)}, Grace: time.Nanosecond}
	if _, err := rc.Pass(context.Background()); err != nil {
		p.t.Fatal(err)
	}
}

// certifyCut posts a certification whose client hangs up when the store
// is about to make write number at; it waits until the service is done
// with the request.
func (tr *tracked) certifyCut(f *storagetest.Faults, id, body string, at int) {
	tr.t.Helper()
	tr.postCut(f, "/v1/extracts/"+id+"/certification", []byte(body), at)
}

// postCut posts body to path with a client that hangs up when the store
// is about to make write number at; it waits until the service is done
// with the request.
func (tr *tracked) postCut(f *storagetest.Faults, path string, body []byte, at int) {
	tr.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.OnWrite = func(n int, _ string) {
		if n == at {
			cancel()
			time.Sleep(100 * time.Millisecond) // the server sees the connection go
		}
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", tr.url+path, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	tr.running.Wait()
	f.OnWrite = nil
}

var certifiedName = regexp.MustCompile(`/certified-(\d+)\.pdf$`)

// certifiedPDFs returns the checksums of the certified PDFs stored for id,
// by version.
func certifiedPDFs(t *testing.T, store storage.Store, id string) map[int]string {
	t.Helper()
	ctx := context.Background()
	objs, err := store.List(ctx, "extracts/"+id+"/")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, o := range objs {
		if m := certifiedName.FindStringSubmatch(o.Key); m != nil {
			b, _, err := store.Get(ctx, o.Key)
			if err != nil {
				t.Fatal(err)
			}
			out[atoi(m[1])] = archive.Checksum(b)
		}
	}
	return out
}

// requireTruthful checks what readers see of extract id through the API:
// every version the record lists is served with its checksum and verified
// as genuine and certified; every certified PDF in storage verifies without
// a fault (genuine once recorded, else not found). It returns the versions
// the record lists.
func requireTruthful(t *testing.T, e *env, id string) int {
	t.Helper()
	resp, body := e.do("GET", "/v1/extracts/"+id, nil)
	var v struct {
		Certifications []struct {
			Version int
			SHA256  string
		}
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &v) != nil {
		t.Fatalf("the record: %d %s", resp.StatusCode, body)
	}
	stored := certifiedPDFs(t, e.store, id)
	for i, c := range v.Certifications {
		if c.Version != i+1 || stored[c.Version] != c.SHA256 {
			t.Errorf("the record lists version %d with %s; storage holds %s", c.Version, c.SHA256, stored[c.Version])
		}
		resp, pdf := e.do("GET", fmt.Sprintf("/v1/extracts/%s/certified?version=%d", id, c.Version), nil)
		if resp.StatusCode != 200 || archive.Checksum(pdf) != c.SHA256 {
			t.Errorf("certified version %d: %d, %s", c.Version, resp.StatusCode, archive.Checksum(pdf))
		}
	}
	for n, sum := range stored {
		resp, body := e.do("GET", "/v1/verify/"+sum, nil)
		var ver verification
		_ = json.Unmarshal(body, &ver)
		recorded := n <= len(v.Certifications)
		switch {
		case resp.StatusCode >= 500:
			t.Errorf("verifying stored version %d: %d %s", n, resp.StatusCode, body)
		case recorded && (resp.StatusCode != 200 || !ver.Genuine || !ver.Certified || ver.Version != n):
			t.Errorf("verifying recorded version %d: %d %s", n, resp.StatusCode, body)
		case !recorded && resp.StatusCode == 200 && ver.Version != n:
			t.Errorf("verifying stored version %d: %s", n, body)
		}
	}
	return len(v.Certifications)
}

// certifyWrites counts the writes of a certification on a fresh store.
func certifyWrites(t *testing.T, open func(*testing.T) storage.Store) []string {
	t.Helper()
	f := &storagetest.Faults{Store: open(t)}
	e := start(t, f)
	id := e.create("rs-157-2023.json")
	before := len(f.Writes())
	if resp, v := e.certify(id, clerk); resp.StatusCode != 201 {
		t.Fatalf("certify: %d %+v", resp.StatusCode, v)
	}
	return withoutAudit(f.Writes()[before:])
}

// TestSecurityCertifyInterrupted reproduces a certification that stopped
// after its certified PDF was stored but before its record was written
// (the process killed there): the PDF's checksum verifies as a genuine,
// certified extract, not a fault; the extract is certified, so a second
// certification is refused unless a new version is asked for, which then
// becomes version 2.
func TestSecurityCertifyInterrupted(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			writes := certifyWrites(t, open)
			at := 0
			for i, k := range writes {
				if strings.HasSuffix(k, "/meta.json") {
					at = i + 1
				}
			}
			store := open(t)
			ps := newProcesses(t, store)
			e := ps.start(store)
			id := e.create("rs-157-2023.json")
			f := &storagetest.Faults{Store: store, At: at}
			killed := ps.start(f)
			if resp, _ := killed.certify(id, clerk); resp.StatusCode != 503 {
				t.Errorf("certification stopped at its record: %d", resp.StatusCode)
			}
			stored := certifiedPDFs(t, store, id)
			if len(stored) != 1 {
				t.Fatalf("stored certified PDFs: %v", stored)
			}
			resp, body := e.do("GET", "/v1/verify/"+stored[1], nil)
			var ver verification
			_ = json.Unmarshal(body, &ver)
			if resp.StatusCode != 200 || !ver.Genuine || !ver.Certified || ver.Version != 1 {
				t.Errorf("verifying the stored certified PDF: %d %s", resp.StatusCode, body)
			}
			if resp, body := e.do("POST", "/v1/extracts/"+id+"/certification", []byte(clerk)); resp.StatusCode != 409 {
				t.Errorf("certifying the certified extract again: %d %s", resp.StatusCode, body)
			}
			resp, v := e.certify(id, `{"name":"Lena Nordin","title":"Nämndsekreterare","newVersion":true}`)
			if resp.StatusCode != 201 || v.Certification == nil || v.Certification.Version != 2 {
				t.Errorf("a new version: %d %+v", resp.StatusCode, v)
			}
			if n := requireTruthful(t, e, id); n != 2 {
				t.Errorf("%d versions recorded, want 2", n)
			}
		})
	}
}

// TestSecurityCertifyCutAtEveryStep cuts a certification at each of its
// writes in two ways: the client hangs up there, and the process is
// killed there (before the write, and after it with the answer lost; a new
// process then serves). Every time the record says only what storage
// holds, every certified PDF stored verifies, and the next certification
// (a new version) gets the next number and leaves nothing unrecorded.
func TestSecurityCertifyCutAtEveryStep(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			writes := certifyWrites(t, open)
			t.Logf("a certification writes %d objects: %s", len(writes), strings.Join(writes, ", "))
			for at := 1; at <= len(writes); at++ {
				for _, how := range []string{"client-hangs-up", "killed-before", "killed-after"} {
					t.Run(fmt.Sprintf("%d-%s", at, how), func(t *testing.T) {
						store := open(t)
						ps := newProcesses(t, store)
						first := ps.start(store)
						id := first.create("rs-157-2023.json")
						f := &storagetest.Faults{Store: store}
						next := first
						if how == "client-hangs-up" {
							tr := startTracked(t, f, ps.ix)
							tr.certifyCut(f, id, clerk, at)
							next = tr.env
						} else {
							f.At, f.After = at, how == "killed-after"
							if resp, body := ps.start(f).do("POST", "/v1/extracts/"+id+"/certification", []byte(clerk)); resp.StatusCode >= 500 && resp.StatusCode != 503 {
								t.Errorf("killed certification: %d %s", resp.StatusCode, body)
							}
						}
						before := requireTruthful(t, next, id)
						stored := len(certifiedPDFs(t, store, id))
						resp, v := next.certify(id, `{"name":"Lena Nordin","title":"Nämndsekreterare","newVersion":true}`)
						if resp.StatusCode != 201 || v.Certification == nil || v.Certification.Version != stored+1 {
							t.Fatalf("next certification after %d recorded, %d stored: %d %+v", before, stored, resp.StatusCode, v)
						}
						if n := requireTruthful(t, next, id); n != stored+1 || len(certifiedPDFs(t, store, id)) != n {
							t.Errorf("%d versions recorded, %d stored, want %d", n, len(certifiedPDFs(t, store, id)), stored+1)
						}
					})
				}
			}
		})
	}
}

// createCut posts a create whose client hangs up when the store is about
// to make write number at; it waits until the service is done with it.
func (tr *tracked) createCut(f *storagetest.Faults, body []byte, at int) {
	tr.t.Helper()
	tr.postCut(f, "/v1/extracts", body, at)
}

// TestCreateCutAtEveryStep cuts a create at each of its writes (the client
// hangs up; the process is killed before the write, or after it with the
// answer lost): a reader finds the extract whole or not at all, by id, in
// the list and by its checksum; the next identical create succeeds; and a
// janitor pass after the grace period leaves no object of a create that
// never got its record.
func TestCreateCutAtEveryStep(t *testing.T) {
	body := example(t, "rs-157-2023.json")
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			f := &storagetest.Faults{Store: open(t)}
			e := start(t, f)
			id := e.create("rs-157-2023.json")
			writes := withoutAudit(f.Writes())
			_, pdf := e.do("GET", "/v1/extracts/"+id+"/pdf", nil)
			sum := archive.Checksum(pdf)
			t.Logf("a create writes %s", strings.Join(writes, ", "))
			for at := 1; at <= len(writes); at++ {
				for _, how := range []string{"client-hangs-up", "killed-before", "killed-after"} {
					t.Run(fmt.Sprintf("%d-%s", at, how), func(t *testing.T) {
						store := open(t)
						ps := newProcesses(t, store)
						f := &storagetest.Faults{Store: store}
						if how == "client-hangs-up" {
							startTracked(t, f, ps.ix).createCut(f, body, at)
						} else {
							f.At, f.After = at, how == "killed-after"
							if resp, body := ps.start(f).do("POST", "/v1/extracts", body); resp.StatusCode != 503 {
								t.Errorf("killed create: %d %s", resp.StatusCode, body)
							}
						}
						ps.reconcile()
						e := ps.start(store)
						resp, _ := e.do("GET", "/v1/extracts/"+id, nil)
						recorded := resp.StatusCode == 200
						if !recorded && resp.StatusCode != 404 {
							t.Fatalf("reading the extract: %d", resp.StatusCode)
						}
						requireReadable(t, e, id, sum, recorded)
						if !recorded {
							rep, err := archive.New(store).Janitor(t.Context(), archive.JanitorOptions{Grace: time.Nanosecond})
							if err != nil || len(rep.Kept) != 0 || len(rep.Errors) != 0 {
								t.Fatalf("janitor: %+v %v", rep, err)
							}
							for _, k := range e.objects() {
								if k != archive.MetaKey(id) && k != "keys/development-signing.pem" {
									t.Errorf("left after the janitor: %s", k)
								}
							}
						}
						resp, _ = e.do("POST", "/v1/extracts", body)
						if want := map[bool]int{true: 200, false: 201}[recorded]; resp.StatusCode != want {
							t.Errorf("the next create: %d, want %d", resp.StatusCode, want)
						}
						requireReadable(t, e, id, sum, true)
					})
				}
			}
		})
	}
}

// requireReadable checks that extract id is whole for every reader when
// recorded, and invisible to all when not.
func requireReadable(t *testing.T, e *env, id, sum string, recorded bool) {
	t.Helper()
	resp, pdf := e.do("GET", "/v1/extracts/"+id+"/pdf", nil)
	_, list := e.do("GET", "/v1/extracts", nil)
	vresp, ver := e.do("GET", "/v1/verify/"+sum, nil)
	listed := strings.Contains(string(list), id)
	if recorded {
		if resp.StatusCode != 200 || archive.Checksum(pdf) != sum || !listed || vresp.StatusCode != 200 {
			t.Errorf("recorded extract: PDF %d (%s), listed %v, verify %d %s", resp.StatusCode, archive.Checksum(pdf)[:8], listed, vresp.StatusCode, ver)
		}
		return
	}
	if resp.StatusCode != 404 || listed || vresp.StatusCode != 404 || strings.Contains(string(ver), `"genuine":true`) {
		t.Errorf("an extract without a record is seen: PDF %d, listed %v, verify %d %s", resp.StatusCode, listed, vresp.StatusCode, ver)
	}
}

// TestSecurityCertifiedLeftByAnOlderRelease: storage as an interrupted
// certification of an earlier release left it — the certified PDF stored,
// the record without it, no description beside it. Verifying the PDF
// adopts it, described by its signature and marked recovered, and the
// extract then counts as certified.
func TestSecurityCertifiedLeftByAnOlderRelease(t *testing.T) {
	store := stores["fs"](t)
	e := start(t, store)
	id := e.create("rs-157-2023.json")
	if resp, v := e.certify(id, clerk); resp.StatusCode != 201 {
		t.Fatalf("certify: %d %+v", resp.StatusCode, v)
	}
	ctx := t.Context()
	a := archive.New(store)
	rec, etag, err := a.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	sum := rec.Certifications[0].SHA256
	rec.Certifications = nil
	if err := a.Update(ctx, rec, etag); err != nil {
		t.Fatal(err)
	}
	resp, body := e.do("GET", "/v1/verify/"+sum, nil)
	var ver struct {
		verification
		Certification struct {
			Name, Title, Place, Fingerprint string
			Recovered                       bool
		}
	}
	_ = json.Unmarshal(body, &ver)
	c := ver.Certification
	if resp.StatusCode != 200 || !ver.Genuine || ver.Version != 1 || !c.Recovered || c.Name != "Lena Nordin" ||
		c.Place != "Östersund" || c.Title != "" || len(c.Fingerprint) != 64 || !strings.Contains(ver.Message, "Lena Nordin, 20") {
		t.Errorf("verifying the unrecorded certified PDF: %d %s", resp.StatusCode, body)
	}
	if resp, _ := e.certify(id, clerk); resp.StatusCode != 409 {
		t.Errorf("certifying again: %d, want 409", resp.StatusCode)
	}
	if n := requireTruthful(t, e, id); n != 1 {
		t.Errorf("%d versions recorded", n)
	}
}

// withoutAudit leaves out the audit event a create or certification
// writes after its record: once the record is written the operation has
// happened and its answer stands, whether or not the event could be
// stored (see service/audit.go and TestAuditEventLostIsLoggedAndCounted).
func withoutAudit(writes []string) []string {
	var out []string
	for _, w := range writes {
		if !strings.HasPrefix(w, audit.Prefix) {
			out = append(out, w)
		}
	}
	return out
}
