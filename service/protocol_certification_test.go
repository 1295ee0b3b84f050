package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"utdrag/certify"
	"utdrag/internal/pdftest"
)

type certifiedProtocolDoc struct {
	protocolDoc
	Certified     bool `json:"certified"`
	Certification *struct {
		Version int    `json:"version"`
		Name    string `json:"name"`
		SHA256  string `json:"sha256"`
		Pages   int    `json:"pages"`
	} `json:"certification"`
	Certifications []json.RawMessage `json:"certifications"`
}

type protocolCheckDoc struct {
	Protocol *struct {
		Agrees    bool   `json:"agrees"`
		Protocol  string `json:"protocol"`
		Certified bool   `json:"certified"`
		Version   int    `json:"version"`
		TakenFrom bool   `json:"takenFrom"`
		Message   string `json:"message"`
	} `json:"protocol"`
}

// TestProtocolCertification certifies a justerat protocol, signs it and
// keeps every version; refuses a protocol not justerat; and verifies
// extracts against the certified protocol of their meeting rather than
// against a later, uncertified protocol of the same meeting, saying
// which.
func TestProtocolCertification(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t))
			post := func(path string, body []byte, want int) []byte {
				t.Helper()
				resp, raw := e.do("POST", path, body)
				if resp.StatusCode != want {
					t.Fatalf("POST %s: %d, want %d: %s", path, resp.StatusCode, want, raw)
				}
				return raw
			}
			var draft protocolDoc
			_ = json.Unmarshal(post("/v1/protocols", protocolJSON(t, func(d map[string]any) {
				d["justering"].(map[string]any)["state"] = "pending"
				d["justering"].(map[string]any)["date"] = "2099-01-02"
				delete(d, "anslag")
			}), http.StatusCreated), &draft)
			resp, raw := e.do("POST", "/v1/protocols/"+draft.ID+"/certification", []byte(clerk))
			if resp.StatusCode != http.StatusConflict || !strings.Contains(string(raw), "not-adjusted") {
				t.Errorf("certify a protocol not justerat: %d %s", resp.StatusCode, raw)
			}
			var p protocolDoc
			_ = json.Unmarshal(post("/v1/protocols", example(t, protocolExample), http.StatusCreated), &p)
			if resp, _ := e.do("GET", "/v1/protocols/"+p.ID+"/certified", nil); resp.StatusCode != 404 {
				t.Errorf("certified protocol before certification: %d", resp.StatusCode)
			}
			for _, bad := range []struct{ body, field string }{
				{`{"title":"Kommunsekreterare"}`, "name"},
				{`{"name":"Sofia Bäckström","title":"Kommunsekreterare","renditions":["internal"]}`, "renditions"},
				{`{"name":"Sofia Bäckström","title":"Kommunsekreterare","date":"28 maj"}`, "date"},
			} {
				resp, raw := e.do("POST", "/v1/protocols/"+p.ID+"/certification", []byte(bad.body))
				if resp.StatusCode != 422 || !strings.Contains(string(raw), `"field":"`+bad.field+`"`) {
					t.Errorf("certification %s: %d %s", bad.body, resp.StatusCode, raw)
				}
			}
			// An extract posted before the protocol is certified is
			// compared with the protocol as stored, which says so.
			taken := post(p.Links["extracts"], fmt.Appendf(nil, `{"paragraphs":[%d]}`, p.Paragraphs[6]), http.StatusCreated)
			var takenView view
			_ = json.Unmarshal(taken, &takenView)
			_, takenPDF := e.do("GET", takenView.Links["pdf"], nil)
			checkOf := func(pdf []byte) protocolCheckDoc {
				t.Helper()
				var v protocolCheckDoc
				resp, raw := e.do("POST", "/v1/verify", pdf, "Content-Type", "application/pdf")
				if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != 200 || v.Protocol == nil {
					t.Fatalf("verify: %d %s", resp.StatusCode, raw)
				}
				return v
			}
			if v := checkOf(takenPDF); !v.Protocol.Agrees || v.Protocol.Certified || !strings.Contains(v.Protocol.Message, "inte är bestyrkt") {
				t.Errorf("before certification: %+v", v.Protocol)
			}

			var c certifiedProtocolDoc
			_ = json.Unmarshal(post("/v1/protocols/"+p.ID+"/certification",
				[]byte(`{"name":"Sofia Bäckström","title":"Kommunsekreterare","place":"Hammarstrand","date":"2025-05-28"}`), http.StatusCreated), &c)
			if !c.Certified || c.Certification == nil || c.Certification.Version != 1 || c.Certification.Name != "Sofia Bäckström" ||
				len(c.Certifications) != 1 || c.Links["certified"] != "/v1/protocols/"+p.ID+"/certified" {
				t.Fatalf("certified protocol: %+v", c)
			}
			resp, signed := e.do("GET", c.Links["certified"], nil)
			if resp.StatusCode != 200 || pdftestChecksum(signed) != c.Certification.SHA256 ||
				!strings.Contains(resp.Header.Get("Content-Disposition"), "justerat") {
				t.Fatalf("certified protocol PDF: %d %q", resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
			pdftest.QPDFCheck(t, signed)
			caPEM, _, err := e.store.Get(context.Background(), "keys/development-signing.pem")
			if err != nil {
				t.Fatal(err)
			}
			sig := pdftest.Sig(t, signed, pdftest.NSSDB(t, caPEM))
			for _, want := range []string{"Signature is Valid", "Total document signed", "Certificate is Trusted", "ETSI.CAdES.detached"} {
				if !strings.Contains(sig, want) {
					t.Errorf("pdfsig on the certified protocol lacks %q:\n%s", want, sig)
				}
			}
			if r, err := certify.Verify(signed, nil); err != nil || !r.Signed || !strings.HasPrefix(r.Reason, "Justerat protokoll") || r.Name != "Sofia Bäckström" {
				t.Errorf("the certified protocol's signature: %+v, %v", r, err)
			}
			text := strings.ReplaceAll(pdftest.Text(t, signed), "\u00a0", " ")
			for _, want := range []string{"PROTOKOLL", "ANSLAG/BEVIS", "Justeringen bestyrks", "Sofia Bäckström", "Hammarstrand", "signerat digitalt (PAdES)"} {
				if !strings.Contains(text, want) {
					t.Errorf("the certified protocol lacks %q", want)
				}
			}
			if strings.Contains(text, "Rätt utdraget intygar") {
				t.Error("the certified protocol certifies an extract")
			}
			if pages := pdftest.Info(t, signed)["Pages"]; atoi(pages) != c.Certification.Pages {
				t.Errorf("the certified protocol has %s pages, its record %d", pages, c.Certification.Pages)
			}
			resp, trail := e.do("GET", "/v1/audit?action=certify", nil)
			if resp.StatusCode != 200 || !strings.Contains(string(trail), "protokoll "+p.ID) {
				t.Errorf("the audit trail lacks the protocol's certification: %d %s", resp.StatusCode, trail)
			}
			// The certified protocol, and the protocol as created, verify
			// as genuine protocols of the service; a changed byte does not.
			type protocolVerification struct {
				Genuine, Certified bool
				Document, ID       string
				Version            int
				Message            string
				Signature          *struct{ Valid, WholeDocument bool }
			}
			verifyFile := func(pdf []byte) protocolVerification {
				t.Helper()
				var v protocolVerification
				resp, raw := e.do("POST", "/v1/verify", pdf, "Content-Type", "application/pdf")
				if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != 200 {
					t.Fatalf("verify: %d %s", resp.StatusCode, raw)
				}
				return v
			}
			if v := verifyFile(signed); !v.Genuine || !v.Certified || v.Document != "protocol" || v.ID != p.ID || v.Version != 1 ||
				v.Signature == nil || !v.Signature.Valid || !v.Signature.WholeDocument || !strings.Contains(v.Message, "justerat protokoll") {
				t.Errorf("verifying the certified protocol: %+v", v)
			}
			_, created := e.do("GET", p.Links["pdf"], nil)
			if v := verifyFile(created); !v.Genuine || v.Certified || v.Document != "protocol" || v.ID != p.ID {
				t.Errorf("verifying the protocol as created: %+v", v)
			}
			var byChecksum protocolVerification
			resp, raw = e.do("GET", "/v1/verify/"+c.Certification.SHA256, nil)
			if err := json.Unmarshal(raw, &byChecksum); err != nil || resp.StatusCode != 200 || !byChecksum.Genuine || byChecksum.Document != "protocol" {
				t.Errorf("verifying the certified protocol by checksum: %d %s", resp.StatusCode, raw)
			}
			tampered := bytes.Clone(signed)
			i := bytes.Index(tampered, []byte("/Producer"))
			tampered[i+2] ^= 0x20
			if v := verifyFile(tampered); v.Genuine || v.Document != "" {
				t.Errorf("verifying a changed protocol: %+v", v)
			}
			if resp, raw := e.do("POST", "/v1/protocols/"+p.ID+"/certification", []byte(clerk)); resp.StatusCode != http.StatusConflict {
				t.Errorf("certify again without newVersion: %d %s", resp.StatusCode, raw)
			}
			_ = json.Unmarshal(post("/v1/protocols/"+p.ID+"/certification",
				[]byte(`{"name":"Sofia Bäckström","title":"Kommunsekreterare","newVersion":true}`), http.StatusCreated), &c)
			if c.Certification.Version != 2 || len(c.Certifications) != 2 {
				t.Errorf("second version: %+v", c.Certification)
			}
			resp, first := e.do("GET", c.Links["certified"]+"?version=1", nil)
			if resp.StatusCode != 200 || pdftestChecksum(first) != pdftestChecksum(signed) {
				t.Errorf("version 1 after version 2: %d", resp.StatusCode)
			}
			if resp, _ := e.do("GET", c.Links["certified"]+"?version=3", nil); resp.StatusCode != 404 {
				t.Errorf("version 3: %d", resp.StatusCode)
			}

			// The same extract now agrees with the certified protocol.
			if v := checkOf(takenPDF); !v.Protocol.Agrees || !v.Protocol.Certified || v.Protocol.Version != 2 ||
				v.Protocol.Protocol != p.ID || !strings.Contains(v.Protocol.Message, "det justerade protokollet") {
				t.Errorf("after certification: %+v", v.Protocol)
			}
			// A later protocol of the same meeting with one word changed,
			// not certified: extracts are still compared with the
			// certified one, the changed paragraph does not agree with it.
			var later protocolDoc
			_ = json.Unmarshal(post("/v1/protocols", protocolJSON(t, func(d map[string]any) {
				changeOneWord(d["paragraphs"].([]any)[6].(map[string]any))
			}), http.StatusCreated), &later)
			if later.ID == p.ID {
				t.Fatal("the changed protocol has the same id")
			}
			var fromLater view
			_ = json.Unmarshal(post(later.Links["extracts"], fmt.Appendf(nil, `{"paragraphs":[%d]}`, p.Paragraphs[6]), http.StatusCreated), &fromLater)
			_, laterPDF := e.do("GET", fromLater.Links["pdf"], nil)
			if v := checkOf(laterPDF); v.Protocol.Agrees || !v.Protocol.Certified || v.Protocol.Protocol != p.ID || v.Protocol.TakenFrom ||
				!strings.Contains(v.Protocol.Message, p.ID) {
				t.Errorf("an extract of the uncertified later protocol: %+v", v.Protocol)
			}
			if v := checkOf(takenPDF); !v.Protocol.Agrees || v.Protocol.Protocol != p.ID || !v.Protocol.TakenFrom {
				t.Errorf("the extract of the certified protocol beside a later one: %+v", v.Protocol)
			}
			var listed struct{ Items []certifiedProtocolDoc }
			_, raw = e.do("GET", "/v1/protocols", nil)
			_ = json.Unmarshal(raw, &listed)
			found := false
			for _, it := range listed.Items {
				if it.ID == p.ID {
					found = it.Certified && len(it.Certifications) == 2
				}
			}
			if !found {
				t.Errorf("the list does not show the certified protocol: %s", raw)
			}
		})
	}
}
