// Package pace reads uploads into a hash at a bounded rate, so that the
// goroutines hashing verification uploads never keep the scheduler from
// the network for long. The API's and the clerk pages' verification
// uploads share it.
//
// It may import the standard library only.
package pace

import (
	"io"
	"sync"
	"time"
)

// maxHashRate bounds how fast one upload is read and hashed, in bytes a
// second: far above what a client sends over a real network, far below
// what a loopback or data-centre client can. An upload that would go
// faster waits between chunks, so that the slots together use a bounded
// share of the processors and the goroutines hashing never keep the
// scheduler from the network (health checks, other requests) for long.
const maxHashRate = 64 << 20

// Copy is io.Copy paced to maxHashRate: once it is more than a
// few milliseconds ahead, it sleeps them off.
func Copy(dst io.Writer, src io.Reader) (int64, error) {
	bp := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(bp)
	buf := *bp
	start := time.Now()
	var n int64
	for {
		k, err := src.Read(buf)
		if k > 0 {
			dst.Write(buf[:k]) // a hash.Hash never fails
			n += int64(k)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if ahead := time.Duration(float64(n)/maxHashRate*float64(time.Second)) - time.Since(start); ahead > 5*time.Millisecond {
			time.Sleep(ahead)
		}
	}
}

// copyBuffers are Copy's buffers, shared across uploads.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
