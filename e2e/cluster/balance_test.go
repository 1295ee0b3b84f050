//go:build cluster

package cluster

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// tcpBalancer spreads connections over MinIO's nodes, as a balancer in
// front of a cluster does: each new connection goes to the next node that
// is up; a node that refuses a connection, or fails its health check
// (/minio/health/live, every healthEvery), is left out for downFor.
type tcpBalancer struct {
	ln       net.Listener
	backends []string
	next     atomic.Uint64
	downTill []atomic.Int64 // unix nanoseconds

	mu    sync.Mutex
	conns map[net.Conn]struct{}
}

const (
	healthEvery = 250 * time.Millisecond
	downFor     = time.Second
)

func startTCPBalancer(t *testing.T, backends []string) *tcpBalancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &tcpBalancer{ln: ln, backends: backends, downTill: make([]atomic.Int64, len(backends)), conns: map[net.Conn]struct{}{}}
	ctx, cancel := context.WithCancel(context.Background())
	go b.serve()
	go b.check(ctx)
	t.Cleanup(func() {
		cancel()
		ln.Close()
		b.mu.Lock()
		for c := range b.conns {
			c.Close()
		}
		b.mu.Unlock()
	})
	return b
}

func (b *tcpBalancer) addr() string { return b.ln.Addr().String() }

func (b *tcpBalancer) serve() {
	for {
		c, err := b.ln.Accept()
		if err != nil {
			return
		}
		go b.handle(c)
	}
}

func (b *tcpBalancer) down(i int) { b.downTill[i].Store(time.Now().Add(downFor).UnixNano()) }

func (b *tcpBalancer) handle(c net.Conn) {
	start := b.next.Add(1)
	n := uint64(len(b.backends))
	for k := range n {
		i := int((start + k) % n)
		if time.Now().UnixNano() < b.downTill[i].Load() {
			continue
		}
		s, err := net.DialTimeout("tcp", b.backends[i], 500*time.Millisecond)
		if err != nil {
			b.down(i)
			continue
		}
		b.splice(c, s)
		return
	}
	c.Close()
}

func (b *tcpBalancer) splice(c, s net.Conn) {
	b.mu.Lock()
	b.conns[c], b.conns[s] = struct{}{}, struct{}{}
	b.mu.Unlock()
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(s, c); s.Close() })
	wg.Go(func() { _, _ = io.Copy(c, s); c.Close() })
	wg.Wait()
	b.mu.Lock()
	delete(b.conns, c)
	delete(b.conns, s)
	b.mu.Unlock()
}

func (b *tcpBalancer) check(ctx context.Context) {
	client := &http.Client{Timeout: healthEvery}
	tick := time.NewTicker(healthEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for i, addr := range b.backends {
			resp, err := client.Get("http://" + addr + "/minio/health/live")
			if err == nil {
				resp.Body.Close()
			}
			if err != nil || resp.StatusCode != 200 {
				b.down(i)
			}
		}
	}
}

// roundRobin is the balancer in front of the replicas: each request to
// the next one.
func roundRobin(t *testing.T, replicas []string) string {
	t.Helper()
	var next atomic.Uint64
	targets := make([]*url.URL, len(replicas))
	for i, r := range replicas {
		targets[i] = &url.URL{Scheme: "http", Host: r}
	}
	rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(targets[next.Add(1)%uint64(len(targets))])
		r.Out.Host = r.In.Host
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}
