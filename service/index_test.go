package service_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"utdrag/storage"
)

// listCounting passes every call to a real store and counts its List
// calls.
type listCounting struct {
	storage.Store
	lists atomic.Int64
}

func (l *listCounting) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	l.lists.Add(1)
	return l.Store.List(ctx, prefix)
}

// TestListingAnswersFromTheIndex: listing, search and the clerk's search
// page never list the object store; what they show follows creates,
// certification and distribution at once.
func TestListingAnswersFromTheIndex(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			counting := &listCounting{}
			e, _ := mailEnv(t, func(t *testing.T) storage.Store {
				counting.Store = open(t)
				return counting
			})
			rs := e.create("rs-157-2023.json")
			run := e.create("run-59-2022.json")
			if resp, _ := e.certify(rs, clerk); resp.StatusCode != 201 {
				t.Fatalf("certify: %d", resp.StatusCode)
			}
			if resp, raw := e.do("POST", "/v1/extracts/"+rs+"/distribution", nil); resp.StatusCode != 200 {
				t.Fatalf("distribute: %d %s", resp.StatusCode, raw)
			}
			counting.lists.Store(0)
			cases := map[string][]string{
				"":                                      {rs, run},
				"?sort=oldest":                          {run, rs},
				"?certified=true":                       {rs},
				"?certified=false":                      {run},
				"?distributed=true":                     {rs},
				"?distributed=false":                    {run},
				"?organ=*STYRELSE":                      {rs},
				"?organ=region*":                        {rs, run},
				"?organ=region":                         {},
				"?caseNumber=*412":                      {rs},
				"?caseNumber=rs/4*":                     {rs},
				"?q=gemensam+nämnd":                     {rs},
				"?q=uppdraget+nämnder&paragraph=157":    {rs},
				"?q=gemensam+nämnd&organ=*nämnden":      {},
				"?paragraph=150-160":                    {rs},
				"?paragraph=%C2%A7%C2%A7+50%E2%80%9360": {run},
				"?paragraph=59-157":                     {rs, run},
				"?sort=paragraph":                       {run, rs},
				"?sort=paragraph-desc":                  {rs, run},
				"?sort=organ":                           {run, rs},
				"?sort=organ-desc":                      {rs, run},
				"?adjusted=true":                        {rs, run},
				"?adjusted=false":                       {},
			}
			for q, want := range cases {
				resp, body := e.do("GET", "/v1/extracts"+q, nil)
				var list struct {
					Items []struct {
						ID        string `json:"id"`
						Certified bool   `json:"certified"`
					} `json:"items"`
					Total int `json:"total"`
				}
				if err := json.Unmarshal(body, &list); err != nil || resp.StatusCode != 200 {
					t.Errorf("list%s: %d %s", q, resp.StatusCode, body)
					continue
				}
				var got []string
				for _, it := range list.Items {
					got = append(got, it.ID)
				}
				if strings.Join(got, ",") != strings.Join(want, ",") || list.Total != len(want) {
					t.Errorf("list%s: %v (total %d), want %v", q, got, list.Total, want)
				}
			}
			resp, body := e.do("GET", "/?organ=styrelse&q=uppdrag&bestyrkt=ja", nil)
			page := string(body)
			if resp.StatusCode != 200 || !strings.Contains(page, "/utdrag/"+rs) || strings.Contains(page, "/utdrag/"+run) ||
				!strings.Contains(page, `<span class="badge ok">Ja</span>`) {
				t.Errorf("clerk search page: %d, finds %v and %v", resp.StatusCode, strings.Contains(page, rs), strings.Contains(page, run))
			}
			if n := counting.lists.Load(); n != 0 {
				t.Errorf("listing and search listed the object store %d times", n)
			}
			for q, field := range map[string]string{"?certified=kanske": "certified", "?sort=alfabetisk": "sort", "?offset=20000": "offset",
				"?paragraph=82-80": "paragraph", "?adjusted=kanske": "adjusted"} {
				if resp, body := e.do("GET", "/v1/extracts"+q, nil); resp.StatusCode != http.StatusBadRequest ||
					!strings.Contains(string(body), `"field":"`+field+`"`) {
					t.Errorf("list%s: %d %s", q, resp.StatusCode, body)
				}
			}
			_, metrics := e.do("GET", "/metrics", nil)
			for _, m := range []string{"utdrag_index_lag_seconds", "utdrag_index_repaired_total", "utdrag_index_write_errors_total 0"} {
				if !strings.Contains(string(metrics), m) {
					t.Errorf("/metrics lacks %s", m)
				}
			}
		})
	}
}
