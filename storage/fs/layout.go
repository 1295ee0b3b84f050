package fs

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"utdrag/storage"
)

// Object files carry their metadata in a one-line JSON header before the
// content, so that one rename publishes content and metadata together; a
// sidecar file could not be replaced in the same step.
type header struct {
	Version     int       `json:"v"`
	ETag        string    `json:"etag"`
	ContentType string    `json:"contentType"`
	RetainUntil time.Time `json:"retainUntil,omitzero"`
}

const (
	headerVersion = 1
	maxHeaderLen  = 16 << 10
	// Keys "a" and "a/b" may both exist, so a segment used as a folder and
	// one used as a file must map to different names.
	dirSuffix  = ".dir"
	fileSuffix = ".obj"
)

var errCorrupt = errors.New("corrupt object file")

// objectPath maps a valid key to its file below root.
func objectPath(root, key string) string {
	segs := strings.Split(key, "/")
	for i := range segs[:len(segs)-1] {
		segs[i] += dirSuffix
	}
	segs[len(segs)-1] += fileSuffix
	return filepath.Join(root, filepath.Join(segs...))
}

// dirPath maps the full segments of a prefix ("a/b/c" → a, b) to their
// folder below root.
func dirPath(root, prefix string) string {
	segs := strings.Split(prefix, "/")
	segs = segs[:len(segs)-1]
	for i := range segs {
		segs[i] += dirSuffix
	}
	return filepath.Join(root, filepath.Join(segs...))
}

// keyOf is the inverse of objectPath for a path relative to root; ok is
// false for anything objectPath would not produce.
func keyOf(rel string) (key string, ok bool) {
	segs := strings.Split(filepath.ToSlash(rel), "/")
	for i, s := range segs {
		suffix := dirSuffix
		if i == len(segs)-1 {
			suffix = fileSuffix
		}
		if segs[i], ok = strings.CutSuffix(s, suffix); !ok {
			return "", false
		}
	}
	key = strings.Join(segs, "/")
	return key, storage.ValidateKey(key) == nil
}

func encodeHeader(h header) ([]byte, error) {
	line, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	return append(line, '\n'), nil
}

func decodeHeader(line []byte) (header, error) {
	var h header
	if err := json.Unmarshal(bytes.TrimSuffix(line, []byte("\n")), &h); err != nil {
		return h, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	if h.Version != headerVersion || h.ETag == "" {
		return h, fmt.Errorf("%w: header version %d", errCorrupt, h.Version)
	}
	return h, nil
}

// splitFile separates a whole object file into header and content.
func splitFile(data []byte) (header, []byte, error) {
	i := bytes.IndexByte(data, '\n')
	if i < 0 {
		return header{}, nil, fmt.Errorf("%w: no header", errCorrupt)
	}
	h, err := decodeHeader(data[:i])
	return h, data[i+1:], err
}

// readHeader reads only the header of the object file at path and describes
// the object.
func readHeader(path, key string) (storage.Object, error) {
	f, err := os.Open(path)
	if err != nil {
		return storage.Object{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return storage.Object{}, err
	}
	line, err := bufio.NewReader(io.LimitReader(f, maxHeaderLen)).ReadBytes('\n')
	if err != nil {
		return storage.Object{}, fmt.Errorf("%w: reading header: %w", errCorrupt, err)
	}
	h, err := decodeHeader(line)
	if err != nil {
		return storage.Object{}, err
	}
	return describe(key, h, fi.Size()-int64(len(line)), fi.ModTime()), nil
}

func describe(key string, h header, size int64, modified time.Time) storage.Object {
	return storage.Object{
		Key:         key,
		Size:        size,
		ETag:        h.ETag,
		ContentType: h.ContentType,
		Modified:    modified,
		RetainUntil: h.RetainUntil,
	}
}
