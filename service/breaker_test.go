package service_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"utdrag/service"
)

// TestBreakerFailsFast freezes MinIO (SIGSTOP): the first reads each wait
// for the storage timeout; once Failures of them in a row failed, the rest
// are answered 503 at once instead of each waiting again. After MinIO
// thaws and the open period ends, the next read goes through and closes
// the breaker.
func TestBreakerFailsFast(t *testing.T) {
	m := startOwnMinIO(t)
	const timeout, failures, open = time.Second, 3, 2 * time.Second
	a := startAPI(t, m.store(t), func(c *service.Config) {
		c.StorageTimeout = timeout
		c.Breaker = service.BreakerConfig{Failures: failures, Open: open}
	}).as(keyAdmin)
	a.client.Timeout = 20 * time.Second
	id, _, _ := genuine(t, a)

	m.signal(syscall.SIGSTOP)
	waitStopped(t, m.cmd.Process.Pid)
	var took []time.Duration
	for range 10 {
		start := time.Now()
		resp, body := a.do("GET", "/v1/extracts/"+id, nil)
		took = append(took, time.Since(start))
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("read %d with MinIO frozen (after %v): %d %s", len(took), took, resp.StatusCode, clip(body))
		}
	}
	for i, d := range took {
		if i < failures && d < timeout*9/10 {
			t.Errorf("read %d took %s, before the breaker opened it should wait for the %s timeout", i, d, timeout)
		}
		if i >= failures && d > timeout/3 { // far below the timeout, with room for a busy machine
			t.Errorf("read %d took %s with the breaker open, want an answer at once", i, d)
		}
	}
	t.Logf("reads with MinIO frozen took %v", took)
	if text := scrape(t, a); !strings.Contains(text, `utdrag_storage_breaker_open{side="read"} 1`) {
		t.Error("the open breaker is not in the metrics")
	}

	m.signal(syscall.SIGCONT)
	time.Sleep(open + 100*time.Millisecond)
	if resp, body := a.do("GET", "/v1/extracts/"+id, nil); resp.StatusCode != 200 {
		t.Fatalf("first read after MinIO thawed: %d %s", resp.StatusCode, clip(body))
	}
	if text := scrape(t, a); !strings.Contains(text, `utdrag_storage_breaker_open{side="read"} 0`) {
		t.Error("the breaker did not close in the metrics")
	}
}

// waitStopped waits until the kernel reports the process stopped: a
// signal is delivered after kill returns, and on a busy machine the
// server may still answer a request meanwhile.
func waitStopped(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			t.Fatal(err)
		}
		// pid (comm) state …: the state follows the last ')'.
		if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 < len(stat) && stat[i+2] == 'T' {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("process %d not stopped after SIGSTOP", pid)
}
