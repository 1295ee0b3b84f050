package clerk

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"unicode/utf8"
	"utdrag/internal/pace"
)

// The verify page's form is read as a stream, in the order the page sends
// it: the CSRF token first, checked before anything else of the body is
// read, then the file, hashed as it arrives. Nothing is held beyond a
// buffer and nothing is spooled to disk, whatever the file's size.

// Errors of readVerifyForm; anything else is a read error of the body
// (an *http.MaxBytesError beyond the route's limit).
var (
	errFormToken  = errors.New("clerk: verify form: no valid token before the file")
	errFormNoFile = errors.New("clerk: verify form: no file")
	errFormSyntax = errors.New("clerk: verify form: not a multipart form")
)

// maxFormHead bounds what may come before the file's content: the token's
// part and the file part's headers.
const maxFormHead = 16 << 10

// maxFilename bounds the file name shown back to the reader, in
// characters.
const maxFilename = 200

// upload is what the verify form sent: the file's name, checksum and size.
type upload struct {
	Filename string
	SHA256   string
	Size     int64
}

// readVerifyForm reads the verify form from body, a multipart body with
// boundary. The first part must be the token, which valid must accept;
// then the first part named "file" is hashed. At most maxFormHead bytes of
// body are read before the file's content starts.
func readVerifyForm(body io.Reader, boundary string, valid func(token string) bool) (upload, error) {
	if boundary == "" {
		return upload{}, errFormToken // not the form: no token
	}
	g := &gate{r: body, left: maxFormHead}
	mr := multipart.NewReader(g, boundary)
	p, err := mr.NextRawPart()
	if err != nil {
		return upload{}, formError(g, err, errFormToken)
	}
	if p.FormName() != "csrf" {
		return upload{}, errFormToken
	}
	token, err := io.ReadAll(io.LimitReader(p, 512))
	if err != nil {
		return upload{}, formError(g, err, errFormToken)
	}
	if !valid(string(token)) {
		return upload{}, errFormToken
	}
	for {
		p, err = mr.NextRawPart()
		if err == io.EOF {
			return upload{}, errFormNoFile
		}
		if err != nil {
			return upload{}, formError(g, err, errFormSyntax)
		}
		if p.FormName() == "file" {
			break
		}
		// Another field: skip it, within what may come before the file.
		if _, err := io.Copy(io.Discard, p); err != nil {
			return upload{}, formError(g, err, errFormSyntax)
		}
	}
	g.open()
	h := sha256.New()
	n, err := pace.Copy(h, p)
	if err != nil {
		return upload{}, formError(g, err, errFormSyntax)
	}
	if n == 0 {
		return upload{}, errFormNoFile
	}
	return upload{Filename: shortName(p.FileName()), SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}, nil
}

// formError keeps a read error of the body itself (a body over its
// limit, a connection gone) and reports anything else, the multipart
// syntax or the gate, as kind.
func formError(g *gate, err, kind error) error {
	if g.bodyErr != nil && errors.Is(err, g.bodyErr) {
		return err
	}
	return fmt.Errorf("%w: %w", kind, err)
}

// shortName is a file name fit to show: valid UTF-8, at most maxFilename
// characters.
func shortName(s string) string {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // invalid bytes become U+FFFD
	}
	if utf8.RuneCountInString(s) > maxFilename {
		s = string([]rune(s)[:maxFilename]) + "…"
	}
	return s
}

// gate passes at most left bytes of r until it is opened: it bounds what
// is read before the file's content, where the multipart reader would
// otherwise accept megabytes of part headers.
type gate struct {
	r       io.Reader
	left    int64
	opened  bool
	bodyErr error // the last error of r itself
}

var errGateClosed = errors.New("clerk: verify form: too much before the file")

func (g *gate) Read(p []byte) (int, error) {
	if !g.opened {
		if g.left <= 0 {
			return 0, errGateClosed
		}
		if int64(len(p)) > g.left {
			p = p[:g.left]
		}
	}
	n, err := g.r.Read(p)
	if !g.opened {
		g.left -= int64(n)
	}
	if err != nil && err != io.EOF {
		g.bodyErr = err
	}
	return n, err
}

// open lets the rest of the body through.
func (g *gate) open() { g.opened = true }
