package certify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"
)

// maxTimestampResponse bounds what is read from a timestamp authority.
const maxTimestampResponse = 1 << 20

// maxTimestampWait bounds one request to a timestamp authority; the
// caller's context may bound it more.
const maxTimestampWait = 30 * time.Second

// requestTimestamp asks the RFC 3161 authority at url for a timestamp over
// signature and returns the TimeStampToken.
func requestTimestamp(ctx context.Context, url string, signature []byte) ([]byte, error) {
	sum := sha256.Sum256(signature)
	return requestTimestampDigest(ctx, url, sum[:])
}

// requestTimestampDigest asks the RFC 3161 authority at url for a
// timestamp over a SHA-256 digest and returns the TimeStampToken.
func requestTimestampDigest(ctx context.Context, url string, sum []byte) ([]byte, error) {
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, fmt.Errorf("make nonce: %w", err)
	}
	query, err := (&timestamp.Request{
		HashAlgorithm: crypto.SHA256, HashedMessage: sum, Certificates: true, Nonce: nonce,
	}).Marshal()
	if err != nil {
		return nil, fmt.Errorf("make timestamp request: %w", err)
	}
	body, err := postTimestampQuery(ctx, url, query)
	if err != nil {
		return nil, err
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("read timestamp response from %s: %w", url, err)
	}
	if ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, sum) {
		return nil, fmt.Errorf("timestamp from %s is not over what was sent", url)
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("timestamp from %s does not echo the nonce", url)
	}
	return ts.RawToken, nil
}

func postTimestampQuery(ctx context.Context, url string, query []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(query))
	if err != nil {
		return nil, fmt.Errorf("make request to %s: %w", url, err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	client := &http.Client{Timeout: maxTimestampWait}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ask %s for a timestamp: %w", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTimestampResponse))
	if err != nil {
		return nil, fmt.Errorf("read timestamp response from %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("timestamp authority %s answered %s", url, resp.Status)
	}
	if len(body) == 0 {
		return nil, errors.New("empty timestamp response")
	}
	return body, nil
}
