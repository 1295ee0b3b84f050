package storage_test

import (
	"errors"
	"strings"
	"testing"

	"utdrag/storage"
)

func TestValidateKey(t *testing.T) {
	good := []string{
		"a", "a/b", "org/organ/2026-01-31/x1/extract.pdf", "..a", "a/.b", "a b/ö.pdf",
		strings.Repeat("k", storage.MaxKeyLen),
	}
	for _, k := range good {
		if err := storage.ValidateKey(k); err != nil {
			t.Errorf("ValidateKey(%q) = %v, want nil", k, err)
		}
	}
	bad := []string{
		"", "/a", "a/", "a//b", ".", "..", "a/../b", "a/./b", "../a", "a\\b",
		"a\x00b", "a\nb", "\xff", strings.Repeat("k", storage.MaxKeyLen+1),
	}
	for _, k := range bad {
		if err := storage.ValidateKey(k); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("ValidateKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

func TestValidatePrefix(t *testing.T) {
	good := []string{"", "a", "a/", "a/b/", "a/.", "a/..", "a/b."}
	for _, p := range good {
		if err := storage.ValidatePrefix(p); err != nil {
			t.Errorf("ValidatePrefix(%q) = %v, want nil", p, err)
		}
	}
	bad := []string{"/", "/a", "a//", "../", "a/../b", "./a", "a\\", "a\x01"}
	for _, p := range bad {
		if err := storage.ValidatePrefix(p); !errors.Is(err, storage.ErrInvalidKey) {
			t.Errorf("ValidatePrefix(%q) = %v, want ErrInvalidKey", p, err)
		}
	}
}
