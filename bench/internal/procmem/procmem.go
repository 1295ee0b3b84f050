// Package procmem reads memory figures of processes from /proc: the
// resident set of a process and all its descendants (a browser is many
// processes), sampled while it works, and this process's peak.
//
// It may import the standard library only.
package procmem

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// status reads a "Name:   123 kB" field of /proc/PID/status, in bytes.
func status(pid int, field string) (int64, map[string]string, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, nil, err
	}
	defer f.Close()
	var v int64
	all := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		all[k] = val
		if k == field {
			n, _ := strconv.ParseInt(strings.TrimSuffix(val, " kB"), 10, 64)
			v = n << 10
		}
	}
	return v, all, sc.Err()
}

// SelfPeak is this process's peak resident set (VmHWM), in bytes.
func SelfPeak() int64 {
	v, _, _ := status(os.Getpid(), "VmHWM")
	return v
}

// Peak is a process's peak resident set (VmHWM), in bytes; 0 once it has
// ended.
func Peak(pid int) int64 {
	v, _, _ := status(pid, "VmHWM")
	return v
}

// RSS is a process's resident set (VmRSS), in bytes; 0 once it has ended.
func RSS(pid int) int64 {
	v, _, _ := status(pid, "VmRSS")
	return v
}

// TreeRSS is the resident set of pid and all its descendants, in bytes.
func TreeRSS(pid int) int64 {
	var total int64
	for _, p := range tree(pid) {
		if v, _, err := status(p, "VmRSS"); err == nil {
			total += v
		}
	}
	return total
}

// Sampler records the peak of a figure sampled at an interval.
type Sampler struct {
	mu   sync.Mutex
	peak int64
	stop context.CancelFunc
	done chan struct{}
}

// Sample starts sampling f every interval until Stop.
func Sample(interval time.Duration, f func() int64) *Sampler {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sampler{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.observe(f())
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *Sampler) observe(v int64) {
	s.mu.Lock()
	s.peak = max(s.peak, v)
	s.mu.Unlock()
}

// Stop ends sampling and returns the peak.
func (s *Sampler) Stop() int64 {
	s.stop()
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// MiB formats bytes as mebibytes.
func MiB(b int64) string { return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB" }

// ResetPeak resets this process's peak resident set (VmHWM) to its current
// size, so the next SelfPeak covers what follows (Linux 4.0 and later).
func ResetPeak() {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// TreeCPU is the CPU time used by pid and its living descendants (utime
// and stime of /proc/PID/stat, at the usual 100 ticks a second).
func TreeCPU(pid int) time.Duration {
	var ticks int64
	for _, p := range tree(pid) {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p))
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses.
		i := strings.LastIndexByte(string(raw), ')')
		f := strings.Fields(string(raw[i+1:]))
		if len(f) < 13 {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// tree lists pid and its descendants.
func tree(pid int) []int {
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		p, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		_, st, err := status(p, "")
		if err != nil {
			continue
		}
		pp, _ := strconv.Atoi(st["PPid"])
		children[pp] = append(children[pp], p)
	}
	out := []int{}
	var walk func(int)
	walk = func(p int) {
		out = append(out, p)
		for _, c := range children[p] {
			walk(c)
		}
	}
	walk(pid)
	return out
}
