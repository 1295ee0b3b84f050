package certify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// developmentNote ends the reason of a signature made with a development
// certificate.
const developmentNote = "(utvecklingscertifikat, ej för skarp användning)"

// Options describe a signature. Time defaults to now; Name defaults to the
// signing certificate's common name. With TSAURL set, an RFC 3161 timestamp
// from that authority is added to the signature.
type Options struct {
	Name     string
	Reason   string
	Location string
	Contact  string
	Time     time.Time
	TSAURL   string
}

// contentsRoom is the CMS size reserved before the real size is known:
// the certificates, the signature and attributes, and a timestamp token.
func contentsRoom(id Identity, timestamped bool) int {
	room := 2048
	for _, c := range id.Chain {
		room += len(c.Raw)
	}
	if timestamped {
		room += 8 * 1024
	}
	return room
}

// Sign adds a PAdES baseline signature by id to pdf as an incremental update
// and returns the signed file. pdf itself is not changed.
func Sign(ctx context.Context, pdf []byte, id Identity, opt Options) ([]byte, error) {
	if len(id.Chain) == 0 || id.Key == nil {
		return nil, errors.New("certify: sign: identity has no certificate or key")
	}
	if len(pdf) == 0 {
		return nil, errors.New("certify: sign: empty PDF")
	}
	doc, err := readDocument(pdf)
	if err != nil {
		return nil, fmt.Errorf("certify: sign: read PDF: %w", err)
	}
	opt = opt.complete(id)
	var tsa timestamper
	if opt.TSAURL != "" {
		tsa = func(ctx context.Context, sig []byte) ([]byte, error) {
			return requestTimestamp(ctx, opt.TSAURL, sig)
		}
	}
	room := contentsRoom(id, tsa != nil)
	for {
		u, err := newUpdate(doc, kindSignature, opt, room)
		if err != nil {
			return nil, fmt.Errorf("certify: sign: write signature objects: %w", err)
		}
		cms, err := signCMS(ctx, u.covered(), id, tsa)
		if err != nil {
			return nil, fmt.Errorf("certify: sign: %w", err)
		}
		if len(cms) > room {
			if room > contentsRoom(id, true)*4 {
				return nil, fmt.Errorf("certify: sign: signature of %d bytes is too large", len(cms))
			}
			room = len(cms) + 1024
			continue
		}
		if err := u.fillContents(cms); err != nil {
			return nil, fmt.Errorf("certify: sign: %w", err)
		}
		return u.out, nil
	}
}

// complete fills in defaults and marks development signatures.
func (opt Options) complete(id Identity) Options {
	if opt.Time.IsZero() {
		opt.Time = time.Now()
	}
	if opt.Name == "" {
		opt.Name = id.Leaf().Subject.CommonName
	}
	if id.Development() && !strings.Contains(opt.Reason, developmentNote) {
		opt.Reason = strings.TrimSpace(opt.Reason + " " + developmentNote)
	}
	return opt
}
