package service_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"slices"
	"testing"
	"time"

	"utdrag/archive"
	"utdrag/index"
	"utdrag/index/indextest"
	"utdrag/service"
)

// TestProtocolListingReadsTheIndex: the protocol listing, the notice
// board and its feed never list the object store; they list what storage
// holds, in the archive's order, and follow a create and a certification
// at once; a protocol whose index write never came (a crash after
// storage) is missing until the reconciler's pass, then listed again.
func TestProtocolListingReadsTheIndex(t *testing.T) {
	for name, open := range stores {
		for db, newURL := range indextest.Backends() {
			t.Run(name+"/"+db, func(t *testing.T) {
				ctx := t.Context()
				counting := &listCounting{Store: open(t)}
				ix := indextest.Open(t, newURL(t))
				e := startWith(t, counting, service.Deps{Index: ix})
				create := func(body []byte) string {
					t.Helper()
					resp, raw := e.do("POST", "/v1/protocols", body)
					var p protocolDoc
					if resp.StatusCode != http.StatusCreated || json.Unmarshal(raw, &p) != nil {
						t.Fatalf("create: %d %s", resp.StatusCode, raw)
					}
					return p.ID
				}
				ks := create(example(t, protocolExample))
				sn := create(protocolJSON(t, func(d map[string]any) { d["organ"] = "Socialnämnden" }))
				draft := create(protocolJSON(t, func(d map[string]any) { delete(d, "anslag") }))

				stored, err := archive.New(counting.Store).ListProtocols(ctx, "ragunda")
				if err != nil || len(stored) != 3 {
					t.Fatalf("stored protocols: %d, %v", len(stored), err)
				}
				var inStorage []string
				for _, r := range stored {
					inStorage = append(inStorage, r.ID)
				}

				counting.lists.Store(0)
				list := func(q string) []map[string]any {
					t.Helper()
					resp, raw := e.do("GET", "/v1/protocols"+q, nil)
					var doc struct {
						Items []map[string]any `json:"items"`
						Total int              `json:"total"`
					}
					if resp.StatusCode != 200 || json.Unmarshal(raw, &doc) != nil || doc.Total != len(doc.Items) {
						t.Fatalf("GET /v1/protocols%s: %d %s", q, resp.StatusCode, raw)
					}
					return doc.Items
				}
				idsOf := func(items []map[string]any) []string {
					out := []string{}
					for _, it := range items {
						out = append(out, it["id"].(string))
					}
					return out
				}
				items := list("")
				if got := idsOf(items); !slices.Equal(got, inStorage) {
					t.Errorf("listing %v, storage in the archive's order %v", got, inStorage)
				}
				for _, it := range items {
					_, raw := e.do("GET", "/v1/protocols/"+it["id"].(string), nil)
					var one map[string]any
					_ = json.Unmarshal(raw, &one)
					a, _ := json.Marshal(it)
					b, _ := json.Marshal(one)
					if string(a) != string(b) {
						t.Errorf("listed protocol differs from the protocol:\n%s\n%s", a, b)
					}
				}
				if got := idsOf(list("?organ=%20kommunSTYRELSEN")); !slices.Contains(got, ks) || !slices.Contains(got, draft) || len(got) != 2 {
					t.Errorf("organ filter: %v", got)
				}
				if got := idsOf(list("?organ=Kommun")); len(got) != 0 {
					t.Errorf("organ filter on part of a name: %v", got)
				}
				board := func() []string {
					t.Helper()
					resp, body := e.do("GET", "/anslagstavla/ragunda", nil)
					if resp.StatusCode != 200 {
						t.Fatalf("board: %d %s", resp.StatusCode, body)
					}
					var ids []string
					for _, m := range boardEntry.FindAllStringSubmatch(string(body), -1) {
						ids = append(ids, m[1])
					}
					return ids
				}
				onBoard := []string{ks, sn}
				slices.Sort(onBoard) // posted the same day: by id
				if got := board(); !slices.Equal(got, onBoard) {
					t.Errorf("board %v, want the posted %v", got, onBoard)
				}
				resp, body := e.do("GET", "/anslagstavla/ragunda/atom.xml", nil)
				var feed atomDoc
				if resp.StatusCode != 200 || xml.Unmarshal(body, &feed) != nil || len(feed.Entries) != 2 {
					t.Errorf("feed: %d, %d entries", resp.StatusCode, len(feed.Entries))
				}

				if resp, raw := e.do("POST", "/v1/protocols/"+ks+"/certification", []byte(clerkCertifies)); resp.StatusCode != http.StatusCreated {
					t.Fatalf("certify: %d %s", resp.StatusCode, raw)
				}
				counting.lists.Store(0)
				for _, it := range list("") {
					if want := it["id"] == ks; it["certified"] != want {
						t.Errorf("after certification %s lists certified %v", it["id"], it["certified"])
					}
				}

				// Storage holds sn, the index write never came.
				if _, err := ix.BeginProtocol(ctx, sn); err != nil {
					t.Fatal(err)
				}
				if err := ix.RemoveProtocol(ctx, sn); err != nil {
					t.Fatal(err)
				}
				if got := idsOf(list("")); slices.Contains(got, sn) || len(got) != 2 {
					t.Errorf("before the pass: %v", got)
				}
				if got := board(); !slices.Equal(got, []string{ks}) {
					t.Errorf("board before the pass %v", got)
				}
				if n := counting.lists.Load(); n != 0 {
					t.Errorf("listing, board and feed listed the object store %d times", n)
				}
				rc := index.Reconciler{Index: ix, Source: index.Source{Archive: archive.New(counting.Store)}, Grace: time.Nanosecond}
				time.Sleep(2 * time.Millisecond)
				if n, err := rc.Pass(ctx); err != nil || n != 1 {
					t.Fatalf("pass: %d, %v", n, err)
				}
				if got := idsOf(list("")); !slices.Equal(got, inStorage) {
					t.Errorf("after the pass %v, want %v", got, inStorage)
				}
				if got := board(); !slices.Equal(got, onBoard) {
					t.Errorf("board after the pass %v, want %v", got, onBoard)
				}
			})
		}
	}
}
