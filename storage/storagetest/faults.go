package storagetest

import (
	"context"
	"fmt"
	"sync"

	"utdrag/storage"
)

// Faults wraps a store to stop an operation at one of its writes (Put or
// Delete), counted from 1: at write At the write is refused, or, with
// After, carried out with its answer lost. From then on the store is dead:
// every call fails with storage.ErrUnavailable, as if the process using it
// had been killed there. A new process is a new wrapper (or the bare
// store) on the same store. With At zero it only counts, so a test learns
// how many writes an operation makes and then stops it at each.
//
// OnWrite, when set, is called before each write with its number and key
// (a test cuts its request there).
type Faults struct {
	storage.Store
	At      int
	After   bool
	OnWrite func(n int, key string)

	mu   sync.Mutex
	keys []string
	dead bool
}

// errKilled is what a dead store answers.
var errKilled = fmt.Errorf("%w: the process was stopped here", storage.ErrUnavailable)

// Writes returns the keys of the writes so far, in order, the stopped one
// included.
func (f *Faults) Writes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.keys...)
}

// Dead reports whether the fault was reached.
func (f *Faults) Dead() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.dead
}

// write runs do as write number n, or not, as the fault says.
func (f *Faults) write(key string, do func() error) error {
	f.mu.Lock()
	if f.dead {
		f.mu.Unlock()
		return errKilled
	}
	f.keys = append(f.keys, key)
	n := len(f.keys)
	hit := n == f.At
	if hit {
		f.dead = true
	}
	f.mu.Unlock()
	if f.OnWrite != nil {
		f.OnWrite(n, key)
	}
	if !hit {
		return do()
	}
	if f.After {
		_ = do()
	}
	return errKilled
}

func (f *Faults) alive() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return errKilled
	}
	return nil
}

func (f *Faults) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (storage.Object, error) {
	var obj storage.Object
	err := f.write(key, func() error {
		var err error
		obj, err = f.Store.Put(ctx, key, data, opts)
		return err
	})
	return obj, err
}

func (f *Faults) Delete(ctx context.Context, key string) error {
	return f.write(key, func() error { return f.Store.Delete(ctx, key) })
}

func (f *Faults) Get(ctx context.Context, key string) ([]byte, storage.Object, error) {
	if err := f.alive(); err != nil {
		return nil, storage.Object{}, err
	}
	return f.Store.Get(ctx, key)
}

func (f *Faults) Stat(ctx context.Context, key string) (storage.Object, error) {
	if err := f.alive(); err != nil {
		return storage.Object{}, err
	}
	return f.Store.Stat(ctx, key)
}

func (f *Faults) List(ctx context.Context, prefix string) ([]storage.Object, error) {
	if err := f.alive(); err != nil {
		return nil, err
	}
	return f.Store.List(ctx, prefix)
}

func (f *Faults) Read(ctx context.Context, key string, opts storage.ReadOptions) ([]byte, storage.Object, error) {
	if err := f.alive(); err != nil {
		return nil, storage.Object{}, err
	}
	return f.Store.Read(ctx, key, opts)
}

func (f *Faults) Ping(ctx context.Context) error {
	if err := f.alive(); err != nil {
		return err
	}
	return f.Store.Ping(ctx)
}

func (f *Faults) Versions(ctx context.Context, key string) ([]storage.Object, error) {
	if err := f.alive(); err != nil {
		return nil, err
	}
	return f.Store.Versions(ctx, key)
}
