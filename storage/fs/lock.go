package fs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockStripes bounds the number of lock files: keys share a lock file by
// hash. Lock files are never removed, since removing one while another
// process waits on it would let two holders in.
const lockStripes = 64

// lockKey takes the exclusive lock guarding writes to key, across goroutines
// and processes (flock locks belong to the open file, so every call opens
// its own). It polls rather than blocks so that ctx can cancel the wait.
func (s *Store) lockKey(ctx context.Context, key string) (unlock func(), err error) {
	h := fnv.New32a()
	h.Write([]byte(key))
	path := filepath.Join(s.locks, fmt.Sprintf("%02x", h.Sum32()%lockStripes))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening lock file: %w", err)
	}
	wait := 100 * time.Microsecond
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing releases the lock
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking: %w", err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Millisecond)
	}
}
