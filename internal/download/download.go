// Package download answers a request with a stored file the way every
// route of Utdrag does: its checksum as ETag (304 when it matches) and a
// readable Swedish file name in Content-Disposition.
//
// It may import the standard library only.
package download

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// PDF answers with b as an attachment named filename; sum is its SHA-256.
func PDF(w http.ResponseWriter, r *http.Request, b []byte, sum, filename string) {
	etag := `"` + sum + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Cache-Control", "private, max-age=0, must-revalidate")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Disposition", Disposition("attachment", filename))
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// Disposition writes a Content-Disposition with an ASCII fallback and the
// UTF-8 name (RFC 6266, RFC 8187).
func Disposition(kind, name string) string {
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, kind, asciiName(name), extValue(name))
}

// extValue percent-encodes s as an RFC 8187 ext-value: every byte but
// attr-char (letters, digits and !#$&+-.^_`|~) as %XX.
func extValue(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || strings.IndexByte("!#$&+-.^_`|~", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[ch>>4])
		b.WriteByte(hex[ch&15])
	}
	return b.String()
}

func asciiName(s string) string {
	r := strings.NewReplacer("å", "a", "ä", "a", "ö", "o", "Å", "A", "Ä", "A", "Ö", "O", "é", "e", "§", "", "\"", "", "\\", "")
	var b strings.Builder
	for _, ch := range r.Replace(s) {
		if ch < 0x20 || ch > 0x7e {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(ch)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
