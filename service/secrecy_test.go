package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"utdrag/archive"
	"utdrag/distribute"
	"utdrag/extract"
	"utdrag/internal/exampletest"
	"utdrag/internal/pdftest"
	"utdrag/internal/secrettest"
	"utdrag/internal/servicetest"
	"utdrag/internal/smtptest"
	"utdrag/service"
	"utdrag/storage"
	"utdrag/storage/storagetest"
)

// markedExamples are the examples with parts marked confidential.
var markedExamples = []string{"storuman-ks-88-2024.json", "ostersund-sn-45-2024.json"}

type secrecyEnv struct {
	*api
	store storage.Store
	dir   string // the file store's folder; "" on MinIO
	smtp  *smtptest.Server
}

func startSecrecy(t *testing.T, backend string) *secrecyEnv {
	t.Helper()
	e := &secrecyEnv{smtp: smtptest.Start(t)}
	if backend == "fs" {
		e.dir = t.TempDir()
		e.store = openFS(t, e.dir)
	} else {
		e.store = storagetest.S3(t)
	}
	dirFile := filepath.Join(t.TempDir(), "recipients.yaml")
	if err := os.WriteFile(dirFile, []byte(servicetest.SecretDirectory), 0o600); err != nil {
		t.Fatal(err)
	}
	e.api = startAPI(t, e.store, func(c *service.Config) {
		c.AuthFile = servicetest.SecrecyKeyFile(t)
		c.Mail.Recipients = dirFile
		c.Mail.SMTPAddr = e.smtp.Addr
		c.Mail.StartTLS = "none"
	})
	return e
}

// record reads an extract's record as the archive keeps it.
func (e *secrecyEnv) record(id string) *archive.Record {
	e.t.Helper()
	rec, _, err := archive.New(e.store).Get(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return rec
}

// stored is every reading of the object at key: as the store serves it,
// and on the file store the file on disk too.
func (e *secrecyEnv) stored(key string) map[string][]byte {
	e.t.Helper()
	b, _, err := e.store.Get(context.Background(), key)
	if err != nil {
		e.t.Fatalf("%s: %v", key, err)
	}
	out := map[string][]byte{"store": b}
	if e.dir != "" {
		segs := strings.Split(key, "/")
		for i := range segs[:len(segs)-1] {
			segs[i] += ".dir"
		}
		segs[len(segs)-1] += ".obj"
		raw, err := os.ReadFile(filepath.Join(append([]string{e.dir, "objects"}, segs...)...))
		if err != nil {
			e.t.Fatalf("%s on disk: %v", key, err)
		}
		out["file on disk"] = raw
	}
	return out
}

// readings are what tools read from bytes: those of a PDF (pdftotext,
// qpdf's uncompressed rewrite, pdfinfo, pdfinfo -meta, strings), or strings
// and the bytes themselves of anything else.
func readings(t *testing.T, b []byte) map[string]string {
	t.Helper()
	if i := bytes.Index(b, []byte("%PDF-")); i >= 0 && i < 1024 {
		return pdftest.Readings(t, b[i:]) // a file on disk has the store's header first
	}
	return map[string]string{"strings": pdftest.Strings(t, b), "bytes": string(b)}
}

type renditionView struct {
	ID         string            `json:"id"`
	Renditions []string          `json:"renditions"`
	Links      map[string]string `json:"links"`
	Titles     []string          `json:"titles"`
}

func (e *secrecyEnv) create(name string) renditionView {
	e.t.Helper()
	resp, raw := e.as(servicetest.KeySecretSystem).do("POST", "/v1/extracts", example(e.t, name))
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("create %s: %d %s", name, resp.StatusCode, raw)
	}
	var v renditionView
	if err := json.Unmarshal(raw, &v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

// certify certifies renditions of id with the confidential clerk's key.
func (e *secrecyEnv) certify(id string, renditions ...string) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"name": "Maria Öhman", "title": "Nämndsekreterare", "date": "2024-05-21",
		"renditions": renditions, "newVersion": true})
	if resp, raw := e.as(servicetest.KeySecretClerk).do("POST", "/v1/extracts/"+id+"/certification", body); resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("certify %s %v: %d %s", id, renditions, resp.StatusCode, raw)
	}
}

// TestSecrecyGoneFromEveryPublicObject creates both marked examples on
// MinIO and on the file store, certifies both renditions and searches
// every stored object of the public rendition (record, PDF, HTML,
// certified version, checksum index entries), the answers that show an
// extract (metadata, search, verification, the public verification page)
// and the service's log for every secret string and word: none is found
// by pdftotext, qpdf, pdfinfo or strings, as the store serves the object
// and, on the file store, in the file on disk. The internal rendition's
// objects hold them all.
func TestSecrecyGoneFromEveryPublicObject(t *testing.T) {
	labels := exampletest.Template(t).Labels
	for _, backend := range []string{"fs", "s3"} {
		t.Run(backend, func(t *testing.T) {
			e := startSecrecy(t, backend)
			// What the service writes around any extract's text (labels,
			// messages, JSON keys), read from an extract of a few words
			// with nothing secret: a public copy holds those words for
			// that reason.
			resp, raw := e.as(servicetest.KeySecretSystem).do("POST", "/v1/extracts", []byte(servicetest.MinimalExtract))
			var base renditionView
			if json.Unmarshal(raw, &base); resp.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", resp.StatusCode, raw)
			}
			e.certify(base.ID, "public")
			var baseText []string
			for _, r := range e.publicReadings(base.ID) {
				for _, text := range r {
					baseText = append(baseText, text)
				}
			}
			var minimal extract.Extract
			if err := json.Unmarshal([]byte(servicetest.MinimalExtract), &minimal); err != nil {
				t.Fatal(err)
			}
			common := secrettest.Furniture(&minimal, append(baseText, renditionLines)...)
			for _, name := range markedExamples {
				x := exampletest.Load(t, name)
				all := secrettest.Of(x, labels)
				sec := all.Without(common)
				v := e.create(name)
				if strings.Join(v.Renditions, " ") != "internal public" || v.Links["internalPdf"] == "" {
					t.Fatalf("%s: renditions %v, links %v", name, v.Renditions, v.Links)
				}
				e.certify(v.ID, "internal", "public")
				rec := e.record(v.ID)
				if len(rec.Certifications) != 2 || rec.Certifications[0].Rendition != extract.Internal || rec.Certifications[1].Rendition != extract.Public {
					t.Fatalf("%s: certifications %+v", name, rec.Certifications)
				}
				searched := 0
				for where, r := range e.publicReadings(v.ID) {
					searched += servicetest.NoSecret(t, name+" "+where, r, sec)
				}
				e.searchFindsNoSecret(v.ID, x)
				// Verification says which rendition a file is.
				for i, want := range []string{"internal", "public"} {
					_, raw := e.do("GET", "/v1/verify/"+rec.Certifications[i].SHA256, nil)
					var ver struct{ Rendition string }
					if json.Unmarshal(raw, &ver); ver.Rendition != want {
						t.Errorf("%s: verification of version %d says rendition %q", name, i+1, ver.Rendition)
					}
				}
				_, raw := e.do("GET", "/v1/verify/"+rec.Internal.SHA256, nil)
				if !strings.Contains(string(raw), `"rendition":"internal"`) {
					t.Errorf("%s: verification of the internal PDF: %s", name, raw)
				}
				// The internal rendition holds everything.
				inText := pdftest.Text(t, e.stored(archive.InternalPDFKey(v.ID))["store"])
				for _, w := range all.Printed {
					if !pdftest.HasWord(inText, w) {
						t.Errorf("%s internal PDF: misses %q", name, w)
					}
				}
				source := string(e.stored(archive.SourceKey(v.ID))["store"])
				for _, s := range all.Strings {
					if !pdftest.Contains(source, s) {
						t.Errorf("%s internal source: misses %q", name, s)
					}
				}
				t.Logf("%s: %d secret strings and %d words (%d more the service writes anyway) searched for in %d readings of the public rendition",
					name, len(sec.Strings), len(sec.Words), len(all.Words)-len(sec.Words), searched)
				servicetest.NoSecret(t, name+" log", map[string]string{"log": e.logs.String()}, sec)
			}
		})
	}
}

// publicReadings are what tools read from every stored object of the
// public rendition of extract id (record, PDF, HTML, certified public
// versions, their checksum index entries), as the store serves it and on
// the file store as the file on disk, and from what the API and the
// public pages show of it.
func (e *secrecyEnv) publicReadings(id string) map[string]map[string]string {
	e.t.Helper()
	rec := e.record(id)
	out := map[string]map[string]string{}
	keys := append(rec.Objects(extract.Public), "sha256/"+rec.SHA256)
	paths := []string{"/v1/extracts/" + id, "/v1/extracts?organ=" + url.QueryEscape(rec.Organ)}
	for _, c := range rec.Certifications {
		keys = append(keys, "sha256/"+c.SHA256)
		paths = append(paths, "/v1/verify/"+c.SHA256, fmt.Sprintf("/v/%s/%d", id, c.Version))
	}
	for _, key := range keys {
		for how, b := range e.stored(key) {
			out[key+" ("+how+")"] = readings(e.t, b)
		}
	}
	for _, path := range paths {
		resp, raw := e.as(servicetest.KeyPlainClerk).do("GET", path, nil)
		if resp.StatusCode != http.StatusOK {
			e.t.Errorf("%s: %d", path, resp.StatusCode)
		}
		out["GET "+path] = map[string]string{"answer": string(raw)}
	}
	return out
}

// searchFindsNoSecret: the index holds only public text. A search for
// all the words of a secret title or decision text (words all of which
// must occur) does not find the extract; one for the words of a public
// decision item does.
func (e *secrecyEnv) searchFindsNoSecret(id string, x *extract.Extract) {
	e.t.Helper()
	found := func(words []string) bool {
		_, raw := e.as(servicetest.KeyPlainClerk).do("GET", "/v1/extracts?q="+url.QueryEscape(strings.Join(words[:min(len(words), 8)], " ")), nil)
		return strings.Contains(string(raw), id)
	}
	asked := 0
	for _, f := range x.Fields() {
		if !strings.Contains(f.Path, ".decision") && !strings.HasSuffix(f.Path, "].title") || strings.HasSuffix(f.Path, ".type") {
			continue
		}
		words := pdftest.Words(f.Text)
		if len(words) == 0 {
			continue
		}
		if f.Ground != "" {
			asked++
			if found(words) {
				e.t.Errorf("searching for the secret words of %s (%v) finds the extract", f.Path, words)
			}
		} else if !found(words) {
			e.t.Errorf("searching for the public words of %s (%v) does not find the extract", f.Path, words)
		}
	}
	if asked == 0 {
		e.t.Error("no secret title or decision to search for")
	}
}

// TestSecurityInternalRenditionNeedsPermission: only a key allowed
// confidential content gets the internal rendition (PDF, HTML, certified
// version); without it a clerk, and an admin, get 403 and the public
// rendition by default. An extract with nothing marked has no internal
// rendition (404). A preview shows the caller what it sent.
func TestSecurityInternalRenditionNeedsPermission(t *testing.T) {
	e := startSecrecy(t, "fs")
	v := e.create("ostersund-sn-45-2024.json")
	e.certify(v.ID, "internal")
	rec := e.record(v.ID)
	internal := e.stored(archive.InternalPDFKey(v.ID))["store"]
	base := "/v1/extracts/" + v.ID
	for _, path := range []string{base + "/pdf?rendition=internal", base + "/html?rendition=internal", base + "/certified?version=1",
		base + "/certified?rendition=internal"} {
		for _, key := range []string{servicetest.KeyPlainClerk, servicetest.KeyPlainAdmin} {
			if resp, raw := e.as(key).do("GET", path, nil); resp.StatusCode != http.StatusForbidden || !strings.Contains(string(raw), "problems/confidential") {
				t.Errorf("%s with a key not allowed confidential content: %d %s", path, resp.StatusCode, raw)
			}
		}
		if resp, _ := e.as(servicetest.KeySecretClerk).do("GET", path, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s with a key allowed confidential content: %d", path, resp.StatusCode)
		}
	}
	resp, raw := e.as(servicetest.KeySecretClerk).do("GET", base+"/pdf?rendition=internal", nil)
	if !bytes.Equal(raw, internal) || !strings.Contains(resp.Header.Get("Content-Disposition"), "intern.pdf") {
		t.Errorf("internal PDF: %d bytes, want the stored %d; %s", len(raw), len(internal), resp.Header.Get("Content-Disposition"))
	}
	resp, raw = e.as(servicetest.KeyPlainClerk).do("GET", base+"/pdf", nil)
	if resp.StatusCode != 200 || pdftestChecksum(raw) != rec.SHA256 {
		t.Errorf("public PDF by default: %d", resp.StatusCode)
	}
	if resp, _ := e.as(servicetest.KeyPlainClerk).do("GET", base+"/certified", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the public rendition is not certified, yet /certified answers %d", resp.StatusCode)
	}
	if resp, _ := e.as(servicetest.KeySecretClerk).do("GET", base+"/pdf?rendition=hemlig", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown rendition: %d", resp.StatusCode)
	}
	// Certifying the internal rendition needs the permission too.
	body := []byte(`{"name":"Per Ek","title":"Registrator","renditions":["internal"],"newVersion":true}`)
	if resp, _ := e.as(servicetest.KeyPlainClerk).do("POST", base+"/certification", body); resp.StatusCode != http.StatusForbidden {
		t.Errorf("certifying the internal rendition without the permission: %d", resp.StatusCode)
	}
	// An extract with nothing marked has one rendition.
	resp, raw = e.as(servicetest.KeySecretSystem).do("POST", "/v1/extracts", example(t, "rs-157-2023.json"))
	var plain renditionView
	_ = json.Unmarshal(raw, &plain)
	if resp.StatusCode != 201 || strings.Join(plain.Renditions, " ") != "public" || plain.Links["internalPdf"] != "" {
		t.Errorf("unmarked extract: %d %v %v", resp.StatusCode, plain.Renditions, plain.Links)
	}
	if resp, _ := e.as(servicetest.KeySecretClerk).do("GET", "/v1/extracts/"+plain.ID+"/pdf?rendition=internal", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the internal rendition of an unmarked extract: %d", resp.StatusCode)
	}
	// A preview shows the caller what it sent, marked, when asked.
	labels := exampletest.Template(t).Labels
	sec := secrettest.Of(exampletest.Load(t, "ostersund-sn-45-2024.json"), labels)
	_, pub := e.as(servicetest.KeySecretSystem).do("POST", "/v1/extracts/preview", example(t, "ostersund-sn-45-2024.json"))
	servicetest.NoSecret(t, "public preview", map[string]string{"pdftotext": pdftest.Text(t, pub)}, sec)
	_, in := e.as(servicetest.KeySecretSystem).do("POST", "/v1/extracts/preview?rendition=internal", example(t, "ostersund-sn-45-2024.json"))
	if !strings.Contains(pdftest.Text(t, in), labels.ConfidentialHeader) {
		t.Error("the internal preview does not say it holds secret text")
	}
}

// TestSecrecyDistributionPerRendition: the recipient the directory allows
// confidential content gets the certified internal rendition, the other
// the certified public one, checked attachment by attachment in what the
// SMTP server received; the record says who got which; a rendition a
// recipient needs must be certified first.
func TestSecrecyDistributionPerRendition(t *testing.T) {
	labels := exampletest.Template(t).Labels
	sec := secrettest.Of(exampletest.Load(t, "storuman-ks-88-2024.json"), labels)
	for _, backend := range []string{"fs", "s3"} {
		t.Run(backend, func(t *testing.T) {
			e := startSecrecy(t, backend)
			v := e.create("storuman-ks-88-2024.json")
			path := "/v1/extracts/" + v.ID + "/distribution"
			e.certify(v.ID, "public")
			resp, raw := e.as(servicetest.KeySecretClerk).do("POST", path, nil)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(string(raw), "rendition-not-certified") || !strings.Contains(string(raw), "Ekonomienheten") {
				t.Fatalf("distribution with the internal rendition uncertified: %d %s", resp.StatusCode, raw)
			}
			if n := len(e.smtp.Offered()); n != 0 {
				t.Fatalf("%d messages sent before the refusal", n)
			}
			e.certify(v.ID, "internal")
			resp, raw = e.as(servicetest.KeySecretClerk).do("POST", path, nil)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("distribution: %d %s", resp.StatusCode, raw)
			}
			rec := e.record(v.ID)
			in, pub := rec.CertifiedAs(extract.Internal), rec.CertifiedAs(extract.Public)
			want := map[string]string{"ekonomi@storuman.example.se": in.SHA256, "kommunjurist@storuman.example.se": pub.SHA256}
			got := e.smtp.Accepted()
			if len(got) != 2 {
				t.Fatalf("the server accepted %d messages, want 2", len(got))
			}
			for _, m := range got {
				parts := mailParts(t, m.Data)
				if len(parts.attachments) != 1 {
					t.Fatalf("%s: %d attachments", m.To, len(parts.attachments))
				}
				for name, pdf := range parts.attachments {
					if pdftestChecksum(pdf) != want[m.To] {
						t.Errorf("%s got %s, not the rendition it may have", m.To, name)
					}
					text := pdftest.Text(t, pdf)
					if m.To == "kommunjurist@storuman.example.se" {
						r := pdftest.Readings(t, pdf)
						r["subject and body"] = parts.header + "\n" + parts.body
						r["attachment name"] = name
						servicetest.NoSecret(t, "mail to "+m.To, r, sec.Without(secrettest.Furniture(&extract.Extract{}, distribute.Message{}.Body(""))))
					} else {
						for _, w := range sec.Printed {
							if !pdftest.HasWord(text, w) {
								t.Errorf("mail to %s: the internal rendition misses %q", m.To, w)
							}
						}
						if !strings.Contains(name, "intern") || !strings.Contains(parts.body, "sekretess") {
							t.Errorf("mail to %s: %q, body %q", m.To, name, parts.body)
						}
					}
				}
			}
			// The record says who got which.
			_, raw = e.as(servicetest.KeyPlainClerk).do("GET", path, nil)
			var dr struct {
				InternalSHA string `json:"internalPdfSha256"`
				Recipients  []struct{ Name, Rendition, State string }
			}
			_ = json.Unmarshal(raw, &dr)
			renditionOf := map[string]string{}
			for _, r := range dr.Recipients {
				renditionOf[r.Name] = r.Rendition
			}
			if renditionOf["Ekonomienheten"] != "internal" || renditionOf["Kommunens ombud"] != "public" || dr.InternalSHA != in.SHA256 {
				t.Errorf("distribution record: %s", raw)
			}
			servicetest.NoSecret(t, "distribution.json", readings(t, e.stored(archive.DistributionKey(v.ID))["store"]), sec)
		})
	}
}

type mailRead struct {
	header, body string
	attachments  map[string][]byte
}

// mailParts reads a message as a mail client would: decoded subject, text
// body and attachments by file name.
func mailParts(t *testing.T, data []byte) mailRead {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(m.Header.Get("Subject"))
	out := mailRead{header: subject, attachments: map[string][]byte{}}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(decodePart(p)) // quoted-printable is decoded by the reader
		if err != nil {
			t.Fatal(err)
		}
		if name := p.FileName(); name != "" {
			out.attachments[name] = b
		} else {
			out.body += string(b)
		}
	}
	return out
}

// renditionLines are what a verification page says of the rendition of an
// extract with two, whatever the extract.
const renditionLines = "Offentlig: de sekretessbelagda uppgifterna är ersatta med en hänvisning till sekretessgrunden. Intern: innehåller sekretessbelagda uppgifter."
