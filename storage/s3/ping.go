package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/minio/minio-go/v7"
)

// ProbePrefix is where Ping writes; nothing else is kept there.
const ProbePrefix = "health/"

// maxLeftovers bounds the probe objects remembered for removal after a
// probe whose write landed but whose removal failed.
const maxLeftovers = 64

// prober names Ping's objects and remembers those it could not remove.
type prober struct {
	instance string // random, so replicas never write the same key
	n        atomic.Uint64

	mu        sync.Mutex
	leftovers []leftover
}

type leftover struct{ key, version string }

func newProber() prober {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prober{instance: hex.EncodeToString(b)}
}

// Ping checks that the server can take writes now: it writes a small
// object create-once, as the archive writes, and removes that version
// again. On MinIO a write needs write quorum (more than half the drives of
// the erasure set, and the namespace lock), while a read needs only read
// quorum: a cluster that lost write quorum still answers reads, and only a
// write tells. The probe works the same on any S3 server, goes through
// whatever balancer the service uses, with the service's own keys, so
// expired keys or a read-only policy fail it too.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	p := &s.probe
	key := fmt.Sprintf("%sprobe-%s-%d", ProbePrefix, p.instance, p.n.Add(1))
	po := minio.PutObjectOptions{ContentType: "text/plain", DisableMultipart: true}
	po.SetMatchETagExcept("*")
	body := []byte("utdrag readiness probe\n")
	info, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(body), int64(len(body)), po)
	if err != nil {
		return fmt.Errorf("s3: ping: writing %s: %w", key, classify(err))
	}
	if err := s.remove(ctx, key, version(info.VersionID)); err != nil {
		p.remember(leftover{key, version(info.VersionID)})
		return fmt.Errorf("s3: ping: removing %s: %w", key, err)
	}
	s.removeLeftovers(ctx)
	return nil
}

func (s *Store) remove(ctx context.Context, key, version string) error {
	return classify(s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{VersionID: version}))
}

func (p *prober) remember(l leftover) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.leftovers) < maxLeftovers {
		p.leftovers = append(p.leftovers, l)
	}
}

// removeLeftovers removes, once writes work again, what failed probes left.
func (s *Store) removeLeftovers(ctx context.Context) {
	p := &s.probe
	p.mu.Lock()
	todo := p.leftovers
	p.leftovers = nil
	p.mu.Unlock()
	for _, l := range todo {
		if err := s.remove(ctx, l.key, l.version); err != nil {
			p.remember(l)
		}
	}
}
