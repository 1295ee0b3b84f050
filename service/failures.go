package service

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// failures slows down the guessing of API keys: every client address may
// present unknown keys (to the API or the login form) failureBurst times,
// then one more each failureEvery; until then each request of that address
// that presents a key, right or wrong, gets 429 with Retry-After. IPv6
// addresses count by their /64, which one client usually holds whole.
//
// The count is per replica and kept in memory: a client spread over n
// replicas guesses n times as fast, which the keys' length makes harmless;
// the limit is there to make guessing slow and loud, not impossible. The
// table is bounded; addresses beyond it share one count.
type failures struct {
	mu      sync.Mutex
	clients map[string]*bucket
	shared  bucket // for addresses the full table cannot take
	now     func() time.Time
}

const (
	failureBurst   = 10
	failureEvery   = 6 * time.Second
	failureClients = 10000
)

// bucket holds the failures an address may still make, as of at.
type bucket struct {
	left float64
	at   time.Time
}

func newFailures() *failures {
	return &failures{clients: map[string]*bucket{}, now: time.Now}
}

// refill brings b up to now.
func (b *bucket) refill(now time.Time) {
	if b.at.IsZero() {
		b.left, b.at = failureBurst, now
		return
	}
	b.left = math.Min(failureBurst, b.left+float64(now.Sub(b.at))/float64(failureEvery))
	b.at = now
}

// bucketOf returns the address's bucket, making room in the table when
// it is full; the caller holds mu.
func (f *failures) bucketOf(addr string, now time.Time) *bucket {
	if b, ok := f.clients[addr]; ok {
		return b
	}
	if len(f.clients) >= failureClients {
		for a, b := range f.clients {
			if b.refill(now); b.left >= failureBurst {
				delete(f.clients, a)
			}
		}
		if len(f.clients) >= failureClients {
			return &f.shared
		}
	}
	b := &bucket{}
	f.clients[addr] = b
	return b
}

// wait reports how long addr must wait before it may present a key
// again; zero when it may now.
func (f *failures) wait(addr string) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	b := f.bucketOf(clientKey(addr), now)
	b.refill(now)
	if b.left >= 1 {
		return 0
	}
	return time.Duration((1 - b.left) * float64(failureEvery))
}

// fail counts one unknown key presented by addr.
func (f *failures) fail(addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	b := f.bucketOf(clientKey(addr), now)
	b.refill(now)
	b.left = math.Max(b.left-1, 0)
}

// clientKey is the part of an address that names one client: the whole
// IPv4 address, the /64 of an IPv6 one.
func clientKey(addr string) string {
	ip := net.ParseIP(addr)
	if ip == nil || ip.To4() != nil {
		return addr
	}
	return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
}

// tooManyFailures answers 429 with Retry-After when the client must wait
// before presenting a key, and reports whether it did.
func (s *Server) tooManyFailures(c *gin.Context, page func(c *gin.Context)) bool {
	wait := s.failures.wait(c.ClientIP())
	if wait <= 0 {
		return false
	}
	c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	if page != nil {
		page(c)
		return true
	}
	problem(c, http.StatusTooManyRequests, "too-many-failures", "För många misslyckade försök",
		"För många okända API-nycklar från samma adress. Vänta så många sekunder som Retry-After anger.")
	return true
}
