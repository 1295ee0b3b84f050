package distribute

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"utdrag/storage"
	"utdrag/storage/fs"
)

const testFrom = "registrator@regionjh.example.se"

// seed000 is the distribution of the first seed extract: § 157 of
// Regionstyrelsen, 2023-10-06.
func seed000(key string) Message {
	return Message{
		ExtractID:    "7d914e7f9a7df728",
		Organisation: Organisation{ID: "region-jh", Name: "Region Jämtland Härjedalen"},
		Organ:        "Regionstyrelsen",
		MeetingDate:  "2023-10-06",
		Paragraphs:   []string{"§ 157"},
		Title:        "Framtida uppdrag och syfte för Gemensam nämnd för samverkan inom drift och service, utveckling samt specialistfunktioner (GNS)",
		CaseNumbers:  []string{"RS/412/2023"},
		Recipients:   []string{"Regional utvecklingsdirektör, länets kommuner, Regionens revisorer"},
		VerifyURL:    "https://utdrag.regionjh.example.se/v1/verify/7d914e7f9a7df728",
		Filename:     "Protokollsutdrag Regionstyrelsen 2023-10-06 § 157.pdf",
		PDF:          testPDF(),
		RecordKey:    key,
	}
}

// seed000Addresses are the ten addresses seed000 resolves to.
var seed000Addresses = []string{
	"utvecklingsdirektor@regionjh.example.se",
	"registrator@berg.example.se", "registrator@bracke.example.se",
	"registrator@harjedalen.example.se", "registrator@krokom.example.se",
	"registrator@ragunda.example.se", "registrator@stromsund.example.se",
	"registrator@are.example.se", "registrator@ostersund.example.se",
	"revisionen@regionjh.example.se",
}

// testPDF has every byte value, long lines and CRLFs, so any damage in
// transfer encoding shows.
func testPDF() []byte {
	b := []byte("%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n")
	for i := range 3000 {
		b = append(b, byte(i), byte(i*7))
	}
	return append(b, "\n%%EOF\n"...)
}

var testNow = time.Date(2023, 10, 9, 10, 0, 0, 0, time.UTC)

func loadExampleDirectory(t *testing.T) *Directory {
	t.Helper()
	data, err := os.ReadFile("../examples/recipients.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := LoadDirectory(data)
	if err != nil {
		t.Fatalf("loading examples/recipients.yaml: %v", err)
	}
	return dir
}

func newFSStore(t *testing.T) storage.Store {
	t.Helper()
	s, err := fs.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func newSMTPMailer(t *testing.T, addr string) *SMTP {
	t.Helper()
	m, err := NewSMTP(SMTPConfig{Addr: addr, StartTLS: StartTLSNone, From: testFrom, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// newDistributor wires the example directory, the store and the mailer with
// quick retries.
func newDistributor(t *testing.T, store storage.Store, mailer Mailer, onResult func(State)) *Distributor {
	t.Helper()
	d, err := New(Config{
		Store: store, Directory: loadExampleDirectory(t), Mailer: mailer,
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxAttempts: 3, Backoff: 5 * time.Millisecond,
		Now: func() time.Time { return testNow }, OnResult: onResult,
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// parsedMail is a message as a mail client would read it, with the tools
// of the standard library.
type parsedMail struct {
	Header       mail.Header
	Subject      string // decoded
	Body         string
	Filename     string // from Content-Disposition, as parsed by mime
	FilenameQ    string // the quoted filename, RFC 2047-decoded
	AttachmentCT string
	Attachment   []byte
}

func parseMail(t *testing.T, data []byte) parsedMail {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("reading message: %v", err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decoding subject %q: %v", m.Header.Get("Subject"), err)
	}
	p := parsedMail{Header: m.Header, Subject: subject}
	mediaType, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mediaType, "multipart/") {
		t.Fatalf("content type %q: want multipart (%v)", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading MIME part: %v", err)
		}
		p.readPart(t, part)
	}
	return p
}

func (p *parsedMail) readPart(t *testing.T, part *multipart.Part) {
	t.Helper()
	data, err := io.ReadAll(part) // quoted-printable is decoded by multipart
	if err != nil {
		t.Fatalf("reading part: %v", err)
	}
	if part.FileName() == "" {
		p.Body = string(data)
		return
	}
	p.Filename = part.FileName()
	p.AttachmentCT = part.Header.Get("Content-Type")
	if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
		clean := strings.Join(strings.Fields(string(data)), "")
		if data, err = base64.StdEncoding.DecodeString(clean); err != nil {
			t.Fatalf("decoding attachment: %v", err)
		}
	}
	p.Attachment = data
	p.FilenameQ = quotedFilename(t, part.Header.Get("Content-Disposition"))
}

// quotedFilename reads the plain filename="…" parameter and decodes the
// RFC 2047 words in it, as clients that ignore filename* do.
func quotedFilename(t *testing.T, disposition string) string {
	t.Helper()
	_, rest, ok := strings.Cut(disposition, `filename="`)
	if !ok {
		t.Fatalf("no quoted filename in %q", disposition)
	}
	raw, _, _ := strings.Cut(rest, `"`)
	var dec mime.WordDecoder
	name, err := dec.DecodeHeader(raw)
	if err != nil {
		t.Fatalf("decoding filename %q: %v", raw, err)
	}
	return name
}

func newTestOutbox(t *testing.T) *Outbox {
	t.Helper()
	o, err := NewOutbox(t.TempDir(), testFrom)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
