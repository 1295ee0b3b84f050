package service_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"testing"
	"time"

	"utdrag/index/indextest"
	"utdrag/internal/servicetest"
	"utdrag/service"
)

// TestGracefulShutdown cancels Run while a request is still sending its
// body: new connections are refused at once, the request in flight is
// answered in full, and Run then returns without error.
func TestGracefulShutdown(t *testing.T) {
	addr, cancel, ran := running(t)
	defer cancel()

	body := example(t, "run-59-2022.json")
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/extracts/preview", pr)
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	type result struct {
		resp *http.Response
		pdf  []byte
		err  error
	}
	answered := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			answered <- result{err: err}
			return
		}
		defer resp.Body.Close()
		pdf, err := io.ReadAll(resp.Body)
		answered <- result{resp, pdf, err}
	}()
	if _, err := pw.Write(body[:len(body)/2]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the server is reading the body now

	cancel()
	waitRefused(t, addr)
	select {
	case err := <-ran:
		t.Fatalf("Run returned with a request in flight: %v", err)
	default:
	}

	if _, err := pw.Write(body[len(body)/2:]); err != nil {
		t.Fatalf("finishing the body after shutdown began: %v", err)
	}
	pw.Close()
	r := <-answered
	if r.err != nil || r.resp.StatusCode != 200 || !bytes.HasPrefix(r.pdf, []byte("%PDF-")) {
		t.Fatalf("request in flight: %v %+v", r.err, r.resp)
	}
	select {
	case err := <-ran:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("Run did not return after the last request")
	}
}

// running starts Run of a server with a SQLite index, a file store and no
// log on a free address and waits until it listens. It returns the
// address, the cancel that begins the shutdown and the channel Run's
// result arrives on; the test's end cancels too.
func running(t *testing.T) (addr string, cancel context.CancelFunc, ran <-chan error) {
	t.Helper()
	cfg := service.Defaults()
	cfg.Addr = freeAddr(t)
	srv, err := service.New(cfg, service.Deps{Index: indextest.SQLite(t), Store: stores["fs"](t), Render: servicetest.Engine(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	result := make(chan error, 1)
	go func() { result <- srv.Run(ctx) }()
	waitListening(t, cfg.Addr)
	return cfg.Addr, cancel, result
}

func waitListening(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("nothing listens on %s", addr)
}

func waitRefused(t *testing.T, addr string) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		// A dial may still reach the closing listener's backlog and be
		// reset; only a refusal shows the listener is gone.
		var c net.Conn
		if c, err = net.Dial("tcp", addr); errors.Is(err, syscall.ECONNREFUSED) {
			break
		}
		if c != nil {
			c.Close()
		}
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("new connections after shutdown began: %v, want connection refused", err)
	}
}
