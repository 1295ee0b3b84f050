// Command pkihttp is the HTTP side of the test PKI that scripts/pki.sh
// makes, one service per process (-serve) so that each can be stopped on
// its own: OpenSSL's OCSP responder, run once per request as `openssl ocsp
// -index … -reqin … -respout …`; the CRLs and CA certificates the
// certificates point at; and the timestamp authority, run once per request
// as `openssl ts -reply`. The cryptography is OpenSSL's; this is only the
// transport, on a loopback address.
//
//	-serve ocsp  POST /, GET /{base64 request}  an OCSPResponse (application/ocsp-response)
//	-serve crl   GET /crl/NAME.crl    DIR/crl/NAME.crl   (application/pkix-crl)
//	             GET /certs/NAME.cer  DIR/certs/NAME.cer (application/pkix-cert)
//	-serve tsa   POST /tsa            a TimeStampResp    (application/timestamp-reply)
//
// It imports only the standard library.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	dir := flag.String("dir", ".", "the PKI folder scripts/pki.sh made")
	serve := flag.String("serve", "", "ocsp, crl or tsa")
	flag.Parse()
	s := &server{dir: *dir}
	mux := http.NewServeMux()
	switch *serve {
	case "ocsp":
		mux.HandleFunc("POST /", s.ocspPost)
		mux.HandleFunc("GET /{req...}", s.ocspGet)
	case "crl":
		mux.HandleFunc("GET /crl/{name}", s.file("crl", "application/pkix-crl"))
		mux.HandleFunc("GET /certs/{name}", s.file("certs", "application/pkix-cert"))
	case "tsa":
		mux.HandleFunc("POST /tsa", s.timestamp)
	default:
		log.Fatalf("pkihttp: -serve %q: use ocsp, crl or tsa", *serve)
	}
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Printf("pkihttp: serving %s on %s", *dir, *addr)
	log.Fatal(srv.ListenAndServe())
}

type server struct {
	dir string
	mu  sync.Mutex // openssl ts -reply updates the serial file
}

const maxRequest = 64 << 10

var fileName = regexp.MustCompile(`^[a-z0-9-]+\.(crl|cer)$`)

func (s *server) file(sub, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !fileName.MatchString(name) {
			http.NotFound(w, r)
			return
		}
		b, err := os.ReadFile(filepath.Join(s.dir, sub, name))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	}
}

func (s *server) ocspPost(w http.ResponseWriter, r *http.Request) {
	req, err := io.ReadAll(io.LimitReader(r.Body, maxRequest))
	if err != nil || len(req) == 0 {
		http.Error(w, "no OCSP request", http.StatusBadRequest)
		return
	}
	s.ocsp(w, r, req)
}

func (s *server) ocspGet(w http.ResponseWriter, r *http.Request) {
	enc, err := url.PathUnescape(r.PathValue("req"))
	if err == nil {
		var req []byte
		if req, err = base64.StdEncoding.DecodeString(enc); err == nil && len(req) > 0 {
			s.ocsp(w, r, req)
			return
		}
	}
	http.Error(w, "no OCSP request", http.StatusBadRequest)
}

func (s *server) ocsp(w http.ResponseWriter, r *http.Request, req []byte) {
	resp, err := s.openssl(r.Context(), req, "ocsp", "-index", s.path("issuing", "index.txt"),
		"-CA", s.path("issuing.pem"), "-rsigner", s.path("ocsp.pem"), "-rkey", s.path("ocsp.key"),
		"-nmin", "60", "-reqin", "{in}", "-respout", "{out}")
	if err != nil {
		log.Printf("pkihttp: %v", err)
		http.Error(w, "OCSP responder failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(resp)
}

func (s *server) timestamp(w http.ResponseWriter, r *http.Request) {
	query, err := io.ReadAll(io.LimitReader(r.Body, maxRequest))
	if err != nil || len(query) == 0 {
		http.Error(w, "no timestamp query", http.StatusBadRequest)
		return
	}
	reply, err := s.openssl(r.Context(), query, "ts", "-reply", "-config", s.path("openssl.cnf"),
		"-queryfile", "{in}", "-out", "{out}")
	if err != nil {
		log.Printf("pkihttp: %v", err)
		http.Error(w, "timestamp authority failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	_, _ = w.Write(reply)
}

func (s *server) path(parts ...string) string {
	return filepath.Join(append([]string{s.dir}, parts...)...)
}

// openssl runs openssl with args, {in} standing for a file holding in and
// {out} for the file whose content it returns. Runs are one at a time:
// openssl ts -reply updates the serial file.
func (s *server) openssl(ctx context.Context, in []byte, args ...string) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "pkihttp-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	inFile, outFile := filepath.Join(tmp, "in.der"), filepath.Join(tmp, "out.der")
	if err := os.WriteFile(inFile, in, 0o600); err != nil {
		return nil, err
	}
	for i, a := range args {
		switch a {
		case "{in}":
			args[i] = inFile
		case "{out}":
			args[i] = outFile
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cmd := exec.CommandContext(ctx, "openssl", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("openssl %s: %v: %s", args[0], err, stderr.String())
	}
	return os.ReadFile(outFile)
}
