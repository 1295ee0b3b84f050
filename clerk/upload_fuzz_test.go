package clerk

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"strings"
	"testing"
)

const (
	fuzzBoundary = "utdrag-fuzz-boundary"
	fuzzToken    = "good-token"
)

// formBody builds a multipart body of parts (name, filename, content),
// in order.
func formBody(parts ...[3]string) []byte {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.SetBoundary(fuzzBoundary)
	for _, p := range parts {
		var pw io.Writer
		if p[1] != "" {
			pw, _ = w.CreateFormFile(p[0], p[1])
		} else {
			pw, _ = w.CreateFormField(p[0])
		}
		io.WriteString(pw, p[2])
	}
	w.Close()
	return buf.Bytes()
}

// countingReader counts what was read of a body.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// reference reads body with the standard library alone, as the form's
// rules say it must be read: the first part is the token; the file is the
// first part named "file". ok is false when the form does not meet them.
func reference(body []byte) (token string, tokenFirst bool, sum string, size int, ok bool) {
	mr := multipart.NewReader(bytes.NewReader(body), fuzzBoundary)
	p, err := mr.NextRawPart()
	if err != nil {
		return "", false, "", 0, false
	}
	if p.FormName() != "csrf" {
		return "", false, "", 0, false
	}
	t, err := io.ReadAll(io.LimitReader(p, 512))
	if err != nil {
		return "", false, "", 0, false
	}
	for {
		p, err = mr.NextRawPart()
		if err != nil {
			return string(t), true, "", 0, false
		}
		if p.FormName() == "file" {
			break
		}
		if _, err := io.Copy(io.Discard, p); err != nil {
			return string(t), true, "", 0, false
		}
	}
	content, err := io.ReadAll(p)
	if err != nil {
		return string(t), true, "", 0, false
	}
	h := sha256.Sum256(content)
	return string(t), true, hex.EncodeToString(h[:]), len(content), true
}

// FuzzVerifyForm feeds the verify page's form reader arbitrary bodies.
// It must never panic; it must accept a file only after the right token
// as the form's first part, and then report the checksum and size the
// standard library reads for the first part named "file"; and when it
// refuses the token it must have read no more than maxFormHead bytes.
func FuzzVerifyForm(f *testing.F) {
	pdf := "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	f.Add(formBody([3]string{"csrf", "", fuzzToken}, [3]string{"file", "utdrag.pdf", pdf}))
	f.Add(formBody([3]string{"csrf", "", "wrong"}, [3]string{"file", "utdrag.pdf", pdf}))
	f.Add(formBody([3]string{"file", "utdrag.pdf", pdf}, [3]string{"csrf", "", fuzzToken}))
	f.Add(formBody([3]string{"csrf", "", fuzzToken}, [3]string{"note", "", "x"}, [3]string{"file", "ö \"x\".pdf", pdf}))
	f.Add(formBody([3]string{"csrf", "", fuzzToken}, [3]string{"file", "tom.pdf", ""}))
	f.Add(formBody([3]string{"csrf", "", fuzzToken}))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n" +
		"X-Padding: " + strings.Repeat("a", 20000) + "\r\n\r\n" + fuzzToken + "\r\n--" + fuzzBoundary + "--\r\n"))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken +
		"\r\n--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n%PDF=2D1.7=\r\n\r\n--" + fuzzBoundary + "--\r\n"))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + fuzzToken +
		"\r\n--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n" + pdf))
	f.Add([]byte("not a form at all"))
	f.Fuzz(func(t *testing.T, body []byte) {
		cr := &countingReader{r: bytes.NewReader(body)}
		up, err := readVerifyForm(cr, fuzzBoundary, func(token string) bool { return token == fuzzToken })
		token, tokenFirst, sum, size, ok := reference(body)
		if err == nil {
			if !tokenFirst || token != fuzzToken {
				t.Fatalf("a file accepted without the token as the first part (first part token %q, %v)", token, tokenFirst)
			}
			if !ok || up.SHA256 != sum || up.Size != int64(size) {
				t.Fatalf("read %d bytes with checksum %s; the standard library reads %d bytes, %s (ok %v)", up.Size, up.SHA256, size, sum, ok)
			}
			if len([]rune(up.Filename)) > maxFilename+1 {
				t.Fatalf("file name of %d characters", len([]rune(up.Filename)))
			}
			return
		}
		if errors.Is(err, errFormToken) && cr.n > maxFormHead {
			t.Fatalf("read %d bytes before refusing the token", cr.n)
		}
		if ok && tokenFirst && token == fuzzToken && size > 0 && len(body) < maxFormHead/2 && !errors.Is(err, errFormNoFile) {
			// A small, well-formed form with the token first and a file
			// must be read.
			t.Fatalf("a small valid form refused: %v", err)
		}
	})
}
