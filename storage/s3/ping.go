package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/minio/minio-go/v7"

	"utdrag/storage"
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
	// kept is a probe object the server would not remove because the
	// bucket locks every new object (a default retention rule): Ping then
	// probes with a write to it that the condition refuses.
	kept string
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
//
// On a bucket whose default retention locks every new object, the probe's
// object cannot be removed: Ping keeps that one and from then on sends it
// a create-once write, which the server refuses (412) only after taking
// the namespace write lock, which needs a quorum of the nodes. That
// writes nothing, but no longer notices drives lost on nodes that still
// answer.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	p := &s.probe
	if kept := p.keptKey(); kept != "" {
		_, err := s.probeWrite(ctx, kept)
		if err == nil || errors.Is(err, storage.ErrPrecondition) {
			return nil
		}
		return fmt.Errorf("s3: ping: conditional write to %s: %w", kept, err)
	}
	key := fmt.Sprintf("%sprobe-%s-%d", ProbePrefix, p.instance, p.n.Add(1))
	info, err := s.probeWrite(ctx, key)
	if err != nil {
		return fmt.Errorf("s3: ping: writing %s: %w", key, err)
	}
	err = s.remove(ctx, key, version(info.VersionID))
	switch {
	case errors.Is(err, storage.ErrImmutable):
		p.keep(key)
		return nil // the write went through
	case err != nil:
		p.remember(leftover{key, version(info.VersionID)})
		return fmt.Errorf("s3: ping: removing %s: %w", key, err)
	}
	s.removeLeftovers(ctx)
	return nil
}

// probeWrite writes the probe's body to key, create-once.
func (s *Store) probeWrite(ctx context.Context, key string) (minio.UploadInfo, error) {
	po := minio.PutObjectOptions{ContentType: "text/plain", DisableMultipart: true}
	po.SetMatchETagExcept("*")
	body := []byte("utdrag readiness probe\n")
	info, err := s.client.PutObject(ctx, s.bucket, key, bytes.NewReader(body), int64(len(body)), po)
	return info, classify(err)
}

func (s *Store) remove(ctx context.Context, key, version string) error {
	return classify(s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{VersionID: version}))
}

func (p *prober) keptKey() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.kept
}

func (p *prober) keep(key string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.kept = key
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
