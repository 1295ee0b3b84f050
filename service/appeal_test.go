package service_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"testing"

	"utdrag/internal/pdftest"
)

// mailFiles reads the attached files of a received message as a mail
// client would: filename → bytes.
func mailFiles(t *testing.T, raw []byte) map[string][]byte {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(part)
		if part.FileName() == "" {
			continue
		}
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			data, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(data)), ""))
		}
		files[part.FileName()] = data
	}
}

// TestAppealSentToParties distributes certified extracts of the example
// protocol: the party to § 52 receives the appeal instruction as a second
// PDF (PDF/A, tagged) with the last day computed from the protocol's
// anslag; the other recipient receives the certified extract alone, byte
// for byte; an extract without parties sends no instruction. An appeal
// that names a party not under Expedieras till, or an unknown route, is
// refused with its field path.
func TestAppealSentToParties(t *testing.T) {
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			e, smtp := mailEnv(t, open)
			for _, bad := range []struct {
				change func(map[string]any)
				field  string
			}{
				{func(p map[string]any) { p["appeal"] = map[string]any{"parties": []any{"Grannen"}} }, "paragraphs[0].appeal.parties[0]"},
				{func(p map[string]any) { p["appeal"] = map[string]any{"route": "besvär"} }, "paragraphs[0].appeal.route"},
				{func(p map[string]any) { p["appeal"] = map[string]any{"statute": "PBL"} }, "paragraphs[0].appeal.statute"},
			} {
				resp, raw := e.do("POST", "/v1/extracts", paragraphAlone(t, 8, bad.change))
				if resp.StatusCode != 422 || !strings.Contains(string(raw), `"field":"`+bad.field+`"`) {
					t.Errorf("appeal (%s): %d %s", bad.field, resp.StatusCode, raw)
				}
			}
			resp, raw := e.do("POST", "/v1/protocols", example(t, protocolExample))
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("protocol: %d %s", resp.StatusCode, raw)
			}
			var p protocolDoc
			_ = json.Unmarshal(raw, &p)
			if p.Anslag == nil {
				t.Fatal("the example protocol is not posted")
			}
			distribute := func(n int) (string, []byte) {
				t.Helper()
				resp, raw := e.do("POST", p.Links["extracts"], fmt.Appendf(nil, `{"paragraphs":[%d]}`, n))
				var v view
				if err := json.Unmarshal(raw, &v); err != nil || resp.StatusCode != http.StatusCreated {
					t.Fatalf("extract of § %d: %d %s", n, resp.StatusCode, raw)
				}
				if resp, _ := e.certify(v.ID, clerk); resp.StatusCode != http.StatusCreated {
					t.Fatalf("certify § %d: %d", n, resp.StatusCode)
				}
				_, certified := e.do("GET", "/v1/extracts/"+v.ID+"/certified", nil)
				if resp, raw := e.do("POST", "/v1/extracts/"+v.ID+"/distribution", nil); resp.StatusCode != 200 {
					t.Fatalf("distribute § %d: %d %s", n, resp.StatusCode, raw)
				}
				return v.ID, certified
			}
			_, certified := distribute(52)
			byAddress := map[string]map[string][]byte{}
			for _, m := range smtp.Accepted() {
				byAddress[m.To] = mailFiles(t, m.Data)
			}
			party, other := byAddress["info@nasetssnickeri.example.se"], byAddress["fastighet@ragunda.example.se"]
			if len(party) != 2 || len(other) != 1 {
				t.Fatalf("files sent: party %d, other recipient %d", len(party), len(other))
			}
			const appealName = "Överklagandehänvisning Kommunstyrelsen 2025-05-20 § 52.pdf"
			for name, b := range other {
				if !bytes.Equal(b, certified) {
					t.Errorf("the other recipient's %s is not the certified extract", name)
				}
			}
			appeal, ok := party[appealName]
			if !ok {
				t.Fatalf("the party's files: %v", keysOf(party))
			}
			for name, b := range party {
				if name != appealName && !bytes.Equal(b, certified) {
					t.Errorf("the party's %s is not the certified extract", name)
				}
			}
			text := strings.Join(strings.Fields(strings.ReplaceAll(pdftest.Text(t, appeal), "\u00a0", " ")), " ")
			for _, want := range []string{"ÖVERKLAGANDEHÄNVISNING", "§ 52", "Laglighetsprövning", "senast den 23 juni 2025", "30 maj 2025"} {
				if !strings.Contains(text, want) {
					t.Errorf("the appeal instruction lacks %q (anslag %+v):\n%s", want, p.Anslag, text)
				}
			}
			if info := pdftest.Info(t, appeal); info["Tagged"] != "yes" || info["Metadata Stream"] != "yes" {
				t.Errorf("the appeal instruction: tagged %q, metadata %q", info["Tagged"], info["Metadata Stream"])
			}

			before := len(smtp.Accepted())
			distribute(47)
			for _, m := range smtp.Accepted()[before:] {
				if files := mailFiles(t, m.Data); len(files) != 1 {
					t.Errorf("§ 47 has no parties, yet %s got %v", m.To, keysOf(files))
				}
			}
		})
	}
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
