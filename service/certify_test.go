package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"utdrag/archive"
	"utdrag/internal/pdftest"
	"utdrag/storage"
)

type certView struct {
	ID            string `json:"id"`
	Certified     bool   `json:"certified"`
	Certification *struct {
		Version     int    `json:"version"`
		Name        string `json:"name"`
		Title       string `json:"title"`
		Date        string `json:"date"`
		SHA256      string `json:"sha256"`
		Fingerprint string `json:"fingerprint"`
		Development bool   `json:"development"`
	} `json:"certification"`
	Certifications []json.RawMessage `json:"certifications"`
}

type verification struct {
	Genuine   bool   `json:"genuine"`
	Certified bool   `json:"certified"`
	Version   int    `json:"version"`
	ID        string `json:"id"`
	Message   string `json:"message"`
	Signature *struct {
		Valid, Trusted, WholeDocument bool
	} `json:"signature"`
}

// create posts an example and returns its id.
func (e *env) create(name string) string {
	e.t.Helper()
	resp, body := e.do("POST", "/v1/extracts", example(e.t, name))
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("create %s: %d %s", name, resp.StatusCode, body)
	}
	var v view
	_ = json.Unmarshal(body, &v)
	return v.ID
}

func (e *env) certify(id, body string) (*http.Response, certView) {
	e.t.Helper()
	resp, raw := e.do("POST", "/v1/extracts/"+id+"/certification", []byte(body))
	var v certView
	_ = json.Unmarshal(raw, &v)
	return resp, v
}

const clerk = `{"name":"Lena Nordin","title":"Nämndsekreterare","place":"Östersund","date":"2023-10-09"}`

func TestCertifySignAndVerify(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t))
			id := e.create("rs-157-2023.json")
			if resp, body := e.do("GET", "/v1/extracts/"+id+"/certified", nil); resp.StatusCode != 404 {
				t.Errorf("certified PDF before certification: %d %s", resp.StatusCode, body)
			}
			resp, v := e.certify(id, clerk)
			if resp.StatusCode != http.StatusCreated || !v.Certified || v.Certification == nil {
				t.Fatalf("certify: %d %+v", resp.StatusCode, v)
			}
			c := v.Certification
			if c.Version != 1 || c.Name != "Lena Nordin" || c.Date != "2023-10-09" || !c.Development || len(c.Fingerprint) != 64 {
				t.Errorf("certification record %+v", c)
			}
			resp, signed := e.do("GET", "/v1/extracts/"+id+"/certified", nil)
			if resp.StatusCode != 200 || pdftestChecksum(signed) != c.SHA256 {
				t.Fatalf("certified PDF: %d, checksum matches %v", resp.StatusCode, pdftestChecksum(signed) == c.SHA256)
			}
			pdftest.QPDFCheck(t, signed)

			// The development CA kept in storage is what a recipient would trust.
			caPEM, _, err := e.store.Get(context.Background(), "keys/development-signing.pem")
			if err != nil {
				t.Fatal(err)
			}
			sig := pdftest.Sig(t, signed, pdftest.NSSDB(t, caPEM))
			for _, want := range []string{"Signature is Valid", "Total document signed", "Certificate is Trusted", "ETSI.CAdES.detached"} {
				if !strings.Contains(sig, want) {
					t.Errorf("pdfsig lacks %q:\n%s", want, sig)
				}
			}
			text := strings.ReplaceAll(pdftest.Text(t, signed), "\u00a0", " ")
			for _, want := range []string{"Rätt utdraget intygar", "Lena Nordin", "Nämndsekreterare", "2023-10-09", "/v/" + id + "/1"} {
				if !strings.Contains(text, want) {
					t.Errorf("certified PDF lacks %q", want)
				}
			}
			pages := pdftest.Info(t, signed)["Pages"]
			if n := strings.Count(text, "LN"); pages == "" || n < atoi(pages) {
				t.Errorf("initials LN appear %d times on %s pages", n, pages)
			}

			var ok verification
			resp, raw := e.do("GET", "/v1/verify/"+c.SHA256, nil)
			_ = json.Unmarshal(raw, &ok)
			if resp.StatusCode != 200 || !ok.Genuine || !ok.Certified || ok.ID != id || ok.Signature == nil ||
				!ok.Signature.Valid || !ok.Signature.Trusted || !ok.Signature.WholeDocument {
				t.Errorf("verify by checksum: %d %s", resp.StatusCode, raw)
			}
			resp, raw = e.do("POST", "/v1/verify", signed)
			_ = json.Unmarshal(raw, &ok)
			if resp.StatusCode != 200 || !ok.Genuine || ok.Version != 1 {
				t.Errorf("verify upload: %d %s", resp.StatusCode, raw)
			}
			tampered := bytes.Clone(signed)
			i := bytes.Index(tampered, []byte("/Producer"))
			tampered[i+2] ^= 0x20
			if out := pdftest.Sig(t, tampered, ""); strings.Contains(out, "Signature is Valid") {
				t.Errorf("pdfsig accepts a tampered file:\n%s", out)
			}
			var bad verification
			_, raw = e.do("POST", "/v1/verify", tampered)
			_ = json.Unmarshal(raw, &bad)
			if bad.Genuine || bad.Message == "" {
				t.Errorf("tampered file judged genuine: %s", raw)
			}
			resp, _ = e.do("GET", "/v1/verify/"+strings.Repeat("0", 64), nil)
			if resp.StatusCode != 404 {
				t.Errorf("unknown checksum: %d", resp.StatusCode)
			}
			_, plain := e.do("GET", "/v1/extracts/"+id+"/pdf", nil)
			var unc verification
			_, raw = e.do("POST", "/v1/verify", plain)
			_ = json.Unmarshal(raw, &unc)
			if !unc.Genuine || unc.Certified {
				t.Errorf("uncertified original: %s", raw)
			}
		})
	}
}

func TestCertifiedIsImmutable(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e := start(t, open(t))
			id := e.create("run-59-2022.json")
			if resp, _ := e.certify(id, clerk); resp.StatusCode != 201 {
				t.Fatalf("certify: %d", resp.StatusCode)
			}
			_, first := e.do("GET", "/v1/extracts/"+id+"/certified", nil)
			resp, raw := e.do("POST", "/v1/extracts/"+id+"/certification", []byte(`{"name":"Per Åberg","title":"Registrator"}`))
			if resp.StatusCode != http.StatusConflict || !strings.Contains(string(raw), `"status":409`) {
				t.Errorf("second certification: %d %s", resp.StatusCode, raw)
			}
			_, again := e.do("GET", "/v1/extracts/"+id+"/certified", nil)
			if !bytes.Equal(first, again) {
				t.Error("the certified PDF changed after a refused certification")
			}
			key := archive.CertifiedKey(id, 1)
			if _, err := e.store.Put(context.Background(), key, []byte("x"), storage.PutOptions{}); !errors.Is(err, storage.ErrImmutable) {
				t.Errorf("overwriting a certified PDF: %v", err)
			}
			if err := e.store.Delete(context.Background(), key); !errors.Is(err, storage.ErrImmutable) {
				t.Errorf("deleting a certified PDF: %v", err)
			}
			resp, v := e.certify(id, `{"name":"Per Åberg","title":"Registrator","newVersion":true}`)
			if resp.StatusCode != 201 || v.Certification.Version != 2 || len(v.Certifications) != 2 {
				t.Fatalf("new version: %d %+v", resp.StatusCode, v)
			}
			_, v1 := e.do("GET", "/v1/extracts/"+id+"/certified?version=1", nil)
			if !bytes.Equal(first, v1) {
				t.Error("version 1 is no longer what it was")
			}
			resp, raw = e.do("POST", "/v1/extracts/"+id+"/certification", []byte(`{"title":"Registrator"}`))
			if resp.StatusCode != 422 || !strings.Contains(string(raw), `"field":"name"`) {
				t.Errorf("certification without a name: %d %s", resp.StatusCode, raw)
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
