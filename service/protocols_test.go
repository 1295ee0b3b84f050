package service_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"utdrag/internal/pdftest"
)

const protocolExample = "protocols/ragunda-ks-44-57-2025.json"

type protocolDoc struct {
	ID         string `json:"id"`
	Organ      string `json:"organ"`
	Paragraphs []int  `json:"paragraphs"`
	Digests    []struct {
		Number int    `json:"number"`
		Digest string `json:"digest"`
	} `json:"digests"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
	Anslag *struct {
		Posted, LastAppealDay, TakeDown string
	} `json:"anslag"`
	Links map[string]string `json:"links"`
}

type verifyDoc struct {
	Genuine  bool   `json:"genuine"`
	ID       string `json:"id"`
	Protocol *struct {
		Agrees     bool   `json:"agrees"`
		Protocol   string `json:"protocol"`
		TakenFrom  bool   `json:"takenFrom"`
		Message    string `json:"message"`
		Paragraphs []struct {
			Number                 int
			Agrees                 bool
			Digest, ProtocolDigest string
		} `json:"paragraphs"`
	} `json:"protocol"`
}

// protocolJSON is the example protocol, changed by edit.
func protocolJSON(t *testing.T, edit func(map[string]any)) []byte {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(example(t, protocolExample), &doc); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(doc)
	}
	b, _ := json.Marshal(doc)
	return b
}

// paragraphAlone is paragraph i of the example protocol as an extract a
// case-management system posts on its own, with change applied to it.
func paragraphAlone(t *testing.T, i int, change func(par map[string]any)) []byte {
	return protocolJSON(t, func(doc map[string]any) {
		par := doc["paragraphs"].([]any)[i].(map[string]any)
		if change != nil {
			change(par)
		}
		doc["paragraphs"] = []any{par}
		delete(doc, "members")
		delete(doc, "others")
		delete(doc, "anslag")
	})
}

// changeOneWord replaces one word of the paragraph's decision.
func changeOneWord(par map[string]any) {
	dec := par["decision"].([]any)
	for i, b := range dec {
		if s, ok := b.(string); ok {
			w := strings.Fields(s)
			w[len(w)/2] = "inte"
			dec[i] = strings.Join(w, " ")
			return
		}
	}
	panic("no decision text")
}

func TestProtocolExtractsAgreeWithTheProtocol(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t))
			before := len(e.objects())
			for _, bad := range []struct {
				edit  func(map[string]any)
				field string
			}{
				{func(d map[string]any) { delete(d, "members") }, "members"},
				{func(d map[string]any) {
					pars := d["paragraphs"].([]any)
					d["paragraphs"] = append(pars[:3:3], pars[4:]...)
				}, "paragraphs[3].number"},
				{func(d map[string]any) { d["source"] = map[string]any{"protocol": "x"} }, "source"},
			} {
				resp, body := e.do("POST", "/v1/protocols", protocolJSON(t, bad.edit))
				var p problemDoc
				_ = json.Unmarshal(body, &p)
				if resp.StatusCode != 422 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") ||
					!slices.ContainsFunc(p.Errors, func(fe struct{ Field, Rule, Message string }) bool { return fe.Field == bad.field }) {
					t.Errorf("bad protocol (%s): %d %s", bad.field, resp.StatusCode, body)
				}
			}
			if n := len(e.objects()); n != before {
				t.Fatalf("refused protocols left %d objects", n-before)
			}

			resp, body := e.do("POST", "/v1/protocols", example(t, protocolExample))
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("create protocol: %d %s", resp.StatusCode, body)
			}
			var p protocolDoc
			_ = json.Unmarshal(body, &p)
			if resp.Header.Get("Location") != "/v1/protocols/"+p.ID || len(p.Paragraphs) < 12 || len(p.Digests) != len(p.Paragraphs) {
				t.Fatalf("protocol %s", body)
			}
			if p.Anslag == nil || p.Anslag.LastAppealDay == "" || p.Anslag.TakeDown <= p.Anslag.LastAppealDay {
				t.Errorf("anslag %+v", p.Anslag)
			}
			again, body2 := e.do("POST", "/v1/protocols", example(t, protocolExample))
			var p2 protocolDoc
			_ = json.Unmarshal(body2, &p2)
			if again.StatusCode != http.StatusOK || p2.ID != p.ID || p2.SHA256 != p.SHA256 {
				t.Errorf("repost: %d %s", again.StatusCode, body2)
			}
			resp, body = e.do("GET", "/v1/protocols", nil)
			if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"`+p.ID+`"`) {
				t.Errorf("list: %d %s", resp.StatusCode, body)
			}
			resp, pdf := e.do("GET", p.Links["pdf"], nil)
			if resp.StatusCode != 200 || len(pdf) != p.Bytes || pdftestChecksum(pdf) != p.SHA256 {
				t.Fatalf("protocol pdf: %d, %d bytes", resp.StatusCode, len(pdf))
			}
			if text := pdftest.Text(t, pdf); !strings.Contains(text, "PROTOKOLL") || !strings.Contains(text, "ANSLAG/BEVIS") {
				t.Error("the stored protocol lacks its header or anslagsbevis")
			}
			if resp, _ := e.do("GET", "/v1/protocols/000000000000000000000000", nil); resp.StatusCode != 404 {
				t.Errorf("unknown protocol: %d", resp.StatusCode)
			}
			for _, bad := range []string{`{"paragraphs":[]}`, `{"paragraphs":[999]}`, fmt.Sprintf(`{"paragraphs":[%d,%d]}`, p.Paragraphs[0], p.Paragraphs[0])} {
				if resp, body := e.do("POST", p.Links["extracts"], []byte(bad)); resp.StatusCode != 422 {
					t.Errorf("extract %s: %d %s", bad, resp.StatusCode, body)
				}
			}
			if resp, body := e.do("POST", p.Links["extracts"], []byte(`{"paragraph":[44]}`)); resp.StatusCode != 400 {
				t.Errorf("unknown field: %d %s", resp.StatusCode, body)
			}

			verify := func(pdf []byte) verifyDoc {
				t.Helper()
				resp, body := e.do("POST", "/v1/verify", pdf, "Content-Type", "application/pdf")
				var v verifyDoc
				if err := json.Unmarshal(body, &v); err != nil || resp.StatusCode != 200 || !v.Genuine {
					t.Fatalf("verify: %d %s", resp.StatusCode, body)
				}
				return v
			}
			create := func(path string, body []byte) []byte {
				t.Helper()
				resp, raw := e.do("POST", path, body)
				var v view
				if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != http.StatusCreated {
					t.Fatalf("create %s: %d %s", path, resp.StatusCode, raw)
				}
				_, pdf := e.do("GET", v.Links["pdf"], nil)
				return pdf
			}
			for i, d := range p.Digests {
				taken := create(p.Links["extracts"], fmt.Appendf(nil, `{"paragraphs":[%d]}`, d.Number))
				kw := pdftest.Info(t, taken)["Keywords"]
				if !strings.Contains(kw, "protokoll "+p.ID) || !strings.Contains(kw, d.Digest) {
					t.Errorf("§ %d taken from the protocol: keywords %q", d.Number, kw)
				}
				v := verify(taken)
				if v.Protocol == nil || !v.Protocol.Agrees || !v.Protocol.TakenFrom || v.Protocol.Protocol != p.ID {
					t.Errorf("§ %d taken from the protocol: %+v", d.Number, v.Protocol)
				}

				same := create("/v1/extracts", paragraphAlone(t, i, nil))
				if v := verify(same); v.Protocol == nil || !v.Protocol.Agrees || v.Protocol.TakenFrom || v.Protocol.Protocol != p.ID {
					t.Errorf("§ %d posted on its own, unchanged: %+v", d.Number, v.Protocol)
				}
				changed := create("/v1/extracts", paragraphAlone(t, i, changeOneWord))
				v = verify(changed)
				if v.Protocol == nil || v.Protocol.Agrees || v.Protocol.Protocol != p.ID ||
					len(v.Protocol.Paragraphs) != 1 || v.Protocol.Paragraphs[0].ProtocolDigest != d.Digest ||
					!strings.Contains(v.Protocol.Message, "inte") {
					t.Errorf("§ %d with one changed word: %+v", d.Number, v.Protocol)
				}
			}
			// A second paragraph range from the protocol in one extract.
			pair := create(p.Links["extracts"], fmt.Appendf(nil, `{"paragraphs":[%d,%d]}`, p.Paragraphs[5], p.Paragraphs[1]))
			if v := verify(pair); v.Protocol == nil || !v.Protocol.Agrees || len(v.Protocol.Paragraphs) != 2 {
				t.Errorf("two paragraphs taken from the protocol: %+v", v.Protocol)
			}
		})
	}
}

// TestProtocolCheckOnThePublicPage uploads, on the public verification
// page, an extract taken from the protocol and one with a changed word.
func TestProtocolCheckOnThePublicPage(t *testing.T) {
	e := startUI(t)
	resp, body := e.api("POST", "/v1/protocols", example(t, protocolExample))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create protocol: %d %s", resp.StatusCode, body)
	}
	var p protocolDoc
	_ = json.Unmarshal(body, &p)
	pdfOf := func(path string, in []byte) []byte {
		resp, body := e.api("POST", path, in)
		var v view
		if err := json.Unmarshal(body, &v); err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("create: %d %s", resp.StatusCode, body)
		}
		_, pdf := e.api("GET", v.Links["pdf"], nil)
		return pdf
	}
	visitor := &uiEnv{e.Visitor()}
	for name, tc := range map[string]struct {
		pdf  []byte
		want string
	}{
		"taken":   {pdfOf(p.Links["extracts"], fmt.Appendf(nil, `{"paragraphs":[%d]}`, p.Paragraphs[4])), "Överensstämmer med protokollet."},
		"changed": {pdfOf("/v1/extracts", paragraphAlone(t, 4, changeOneWord)), "Överensstämmer inte med protokollet."},
	} {
		resp, page := visitor.Verify(tc.pdf)
		if resp.StatusCode != 200 || !strings.Contains(page, tc.want) || !strings.Contains(page, p.ID) {
			t.Errorf("%s: %d, want %q and the protocol's id", name, resp.StatusCode, tc.want)
		}
	}
}

const clerkCertifies = `{"name":"Lena Nordin","title":"Nämndsekreterare","place":"Östersund"}`

// exerciseProtocols drives the protocol routes for TestOpenAPI, which
// checks every answer against the document.
func exerciseProtocols(t *testing.T, public, sys, clerk, other *api) {
	t.Helper()
	body := protocolJSON(t, func(d map[string]any) {
		d["organisation"] = map[string]any{"id": "region-jh", "name": "Region Jämtland Härjedalen"}
	})
	resp, raw := public.do("GET", "/schema/protocol.schema.json", nil)
	expect(t, "protocol schema", resp, raw, 200)
	resp, raw = public.do("POST", "/v1/protocols", body)
	expect(t, "protocol without a key", resp, raw, 401)
	resp, raw = clerk.do("POST", "/v1/protocols", body)
	expect(t, "protocol by a clerk", resp, raw, 403)
	resp, raw = sys.do("POST", "/v1/protocols", []byte(`{"organ":`))
	expect(t, "malformed protocol", resp, raw, 400)
	resp, raw = sys.do("POST", "/v1/protocols", example(t, protocolExample))
	expect(t, "protocol of another organisation", resp, raw, 403)
	resp, raw = sys.do("POST", "/v1/protocols", protocolJSON(t, func(d map[string]any) {
		d["organisation"] = map[string]any{"id": "region-jh", "name": "Region Jämtland Härjedalen"}
		delete(d, "members")
	}))
	expect(t, "protocol without members", resp, raw, 422)
	resp, raw = sys.do("POST", "/v1/protocols", body)
	expect(t, "create protocol", resp, raw, 201)
	var receipt struct{ ID string }
	_ = json.Unmarshal(raw, &receipt)
	id := receipt.ID
	resp, raw = sys.do("POST", "/v1/protocols", body)
	expect(t, "repost protocol", resp, raw, 200)

	resp, raw = clerk.do("GET", "/v1/protocols", nil)
	expect(t, "list protocols", resp, raw, 200)
	resp, raw = clerk.do("GET", "/v1/protocols/"+id, nil)
	expect(t, "get protocol", resp, raw, 200)
	resp, raw = other.do("GET", "/v1/protocols/"+id, nil)
	expect(t, "protocol of another organisation", resp, raw, 404)
	resp, raw = clerk.do("GET", "/v1/protocols/"+id+"/pdf", nil)
	expect(t, "protocol pdf", resp, raw, 200)
	resp, raw = clerk.do("GET", "/v1/protocols/"+id+"/pdf", nil, "If-None-Match", resp.Header.Get("ETag"))
	expect(t, "protocol pdf unchanged", resp, raw, 304)
	resp, raw = public.do("GET", "/v1/protocols/"+id+"/pdf", nil)
	expect(t, "protocol pdf without a key", resp, raw, 401)
	resp, raw = clerk.do("GET", "/v1/protocols/000000000000000000000000/pdf", nil)
	expect(t, "unknown protocol pdf", resp, raw, 404)

	take := []byte(`{"paragraphs":[45,44]}`)
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/extracts", take)
	expect(t, "extract from the protocol", resp, raw, 201)
	var v struct{ ID string }
	_ = json.Unmarshal(raw, &v)
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/extracts", take)
	expect(t, "the same extract again", resp, raw, 200)
	var shown struct {
		Source struct {
			Protocol   string
			Paragraphs []struct{ Number int }
		}
		Links map[string]string
	}
	_ = json.Unmarshal(raw, &shown)
	if shown.Source.Protocol != id || len(shown.Source.Paragraphs) != 2 || shown.Source.Paragraphs[0].Number != 44 ||
		shown.Links["protocol"] != "/v1/protocols/"+id {
		t.Errorf("the extract's view does not name its protocol: %s", raw)
	}
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/extracts", []byte(`{"paragraphs":[9999]}`))
	expect(t, "a paragraph the protocol lacks", resp, raw, 422)
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/extracts", []byte(`[`))
	expect(t, "malformed selection", resp, raw, 400)
	resp, raw = clerk.do("POST", "/v1/protocols/000000000000000000000000/extracts", take)
	expect(t, "extract of an unknown protocol", resp, raw, 404)

	resp, raw = clerk.do("GET", "/v1/protocols/"+id+"/certified", nil)
	expect(t, "certified protocol before certification", resp, raw, 404)
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/certification", []byte(`{"title":"Nämndsekreterare"}`))
	expect(t, "protocol certification without a name", resp, raw, 422)
	resp, raw = sys.do("POST", "/v1/protocols/"+id+"/certification", []byte(clerkCertifies))
	expect(t, "protocol certification by a system key", resp, raw, 403)
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/certification", []byte(clerkCertifies))
	expect(t, "certify the protocol", resp, raw, 201)
	resp, raw = clerk.do("POST", "/v1/protocols/"+id+"/certification", []byte(clerkCertifies))
	expect(t, "certify the protocol again", resp, raw, 409)
	resp, raw = clerk.do("GET", "/v1/protocols/"+id+"/certified", nil)
	expect(t, "certified protocol", resp, raw, 200)
	resp, raw = clerk.do("GET", "/v1/protocols/"+id+"/certified", nil, "If-None-Match", resp.Header.Get("ETag"))
	expect(t, "certified protocol unchanged", resp, raw, 304)
	resp, raw = clerk.do("GET", "/v1/protocols/"+id+"/certified?version=9", nil)
	expect(t, "certified protocol version 9", resp, raw, 404)

	for _, path := range []string{"/anslagstavla/region-jh", "/anslagstavla/region-jh/atom.xml"} {
		resp, raw = public.do("GET", path, nil)
		expect(t, "notice board "+path, resp, raw, 200)
		resp, raw = public.do("GET", path, nil, "If-None-Match", resp.Header.Get("ETag"))
		expect(t, "notice board unchanged "+path, resp, raw, 304)
		resp, raw = public.do("GET", strings.Replace(path, "region-jh", "okand", 1), nil)
		expect(t, "notice board of no organisation "+path, resp, raw, 404)
	}

	_, pdf := clerk.do("GET", "/v1/extracts/"+v.ID+"/pdf", nil)
	resp, raw = public.do("POST", "/v1/verify", pdf, "Content-Type", "application/pdf")
	expect(t, "verify an extract taken from the protocol", resp, raw, 200)
	if !strings.Contains(string(raw), `"agrees":true`) {
		t.Errorf("verification of an extract taken from the protocol: %s", raw)
	}
}
