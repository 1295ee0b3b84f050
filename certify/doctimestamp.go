package certify

import (
	"context"
	"crypto/sha256"
	"fmt"
)

// docTimestampRoom is the room first reserved for a document timestamp
// token: its signature, TSTInfo and the TSA's certificates.
const docTimestampRoom = 8 * 1024

// addDocTimestamp appends a document timestamp (ETSI EN 319 142-1, 5.4.2:
// Type DocTimeStamp, SubFilter ETSI.RFC3161) from the authority at tsaURL:
// an RFC 3161 token over the SHA-256 of the whole file but the token
// itself, the DSS before it included.
func addDocTimestamp(ctx context.Context, pdf []byte, tsaURL string) ([]byte, error) {
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, fmt.Errorf("read PDF: %w", err)
	}
	room := docTimestampRoom
	for range 2 {
		u, err := newUpdate(doc, kindDocTimestamp, Options{}, room)
		if err != nil {
			return nil, fmt.Errorf("write document timestamp objects: %w", err)
		}
		h := sha256.New()
		for _, part := range u.covered() {
			h.Write(part)
		}
		token, err := requestTimestampDigest(ctx, tsaURL, h.Sum(nil))
		if err != nil {
			return nil, err
		}
		if len(token) > room {
			room = len(token) + 1024
			continue
		}
		if err := u.fillContents(token); err != nil {
			return nil, err
		}
		return u.out, nil
	}
	return nil, fmt.Errorf("document timestamp does not fit in %d bytes", room)
}
