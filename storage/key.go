package storage

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrInvalidKey: a key or prefix that no Store accepts. Both stores check
// keys the same way, so a key that works on local files works on S3 too.
var ErrInvalidKey = errors.New("storage: invalid key")

// MaxKeyLen is the longest key a Store accepts, in bytes (the S3 limit).
const MaxKeyLen = 1024

// ValidateKey reports whether key is a relative, slash-separated path without
// empty, "." or ".." segments, backslashes or control characters. The file
// store maps keys to paths, so these rules are what keeps a key inside its
// folder.
//
// A key must also not be the folder of another: "a" and "a/b" cannot both
// exist, since MinIO stores objects as folders and hides one of them. Stores
// do not check this (it would cost a request per segment); the key layout
// has to avoid it.
func ValidateKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if len(key) > MaxKeyLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	if err := checkChars(key); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if err := checkSegment(key, seg); err != nil {
			return err
		}
	}
	return nil
}

// ValidatePrefix checks a List prefix: empty, or a key whose last segment may
// be partial (empty, ".", ".." are allowed there, as a prefix of a longer
// segment).
func ValidatePrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if len(prefix) > MaxKeyLen {
		return fmt.Errorf("%w: prefix longer than %d bytes", ErrInvalidKey, MaxKeyLen)
	}
	if err := checkChars(prefix); err != nil {
		return err
	}
	segs := strings.Split(prefix, "/")
	for _, seg := range segs[:len(segs)-1] {
		if err := checkSegment(prefix, seg); err != nil {
			return err
		}
	}
	return nil
}

func checkChars(key string) error {
	if !utf8.ValidString(key) {
		return fmt.Errorf("%w: %q is not UTF-8", ErrInvalidKey, key)
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f || r == '\\' {
			return fmt.Errorf("%w: %q contains %q", ErrInvalidKey, key, r)
		}
	}
	return nil
}

func checkSegment(key, seg string) error {
	switch seg {
	case "":
		return fmt.Errorf("%w: %q has an empty segment or is absolute", ErrInvalidKey, key)
	case ".", "..":
		return fmt.Errorf("%w: %q has a %q segment", ErrInvalidKey, key, seg)
	}
	return nil
}
