// Package smtptest runs a real SMTP server on loopback for tests: it keeps
// what it receives and can be told how to answer each recipient address
// (temporary and permanent failures, dropped connections, a stop mid-batch).
//
// It may import the standard library and go-smtp.
package smtptest

import (
	"bytes"
	"errors"
	"io"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Server is a real SMTP server on loopback that keeps what it receives
// and can be told how to answer each recipient address.
type Server struct {
	t testing.TB
	// Addr is host:port of the server.
	Addr string

	mu sync.Mutex
	// srv is the running server; nil while stopped.
	srv *smtp.Server
	// accepted are the messages answered with 250; offered are all DATA
	// transactions, refused ones included.
	accepted, offered []Message
	// script holds, per address, answers for the next transactions: "451",
	// "550" or "close" (drop the connection); an empty queue accepts.
	script map[string][]string
	// always answers every transaction to the address with this code.
	always map[string]string
	// delay holds, per address, how long the server waits before it
	// answers the end of DATA.
	delay map[string]time.Duration
	// stopAfter, when > 0, stops the whole server as soon as a new
	// transaction begins after that many messages were accepted.
	stopAfter int
}

// Message is one DATA transaction.
type Message struct {
	From, To  string
	MessageID string
	Data      []byte
}

// Start listens on 127.0.0.1:0; the server stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for SMTP: %v", err)
	}
	s := &Server{t: t, Addr: l.Addr().String(), script: map[string][]string{}, always: map[string]string{},
		delay: map[string]time.Duration{}}
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(l net.Listener) {
	srv := smtp.NewServer(s)
	srv.Domain = "mx.test.example.se"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = discardLogger{}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			s.t.Logf("SMTP server stopped: %v", err)
		}
	}()
}

// stop closes the listener and every open connection.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

// Restart listens again on the same port.
func (s *Server) Restart() {
	s.t.Helper()
	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		s.t.Fatalf("listening again on %s: %v", s.Addr, err)
	}
	s.mu.Lock()
	s.stopAfter = 0
	s.mu.Unlock()
	s.serve(l)
}

// SetScript queues answers for the next transactions to address: "451",
// "550" or "close".
func (s *Server) SetScript(address string, answers ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script[address] = answers
}

// SetAlways answers every transaction to address with code.
func (s *Server) SetAlways(address, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.always[address] = code
}

// SetDelay makes the server wait d before it answers each message to
// address, as a slow or overloaded receiving server does: a client with a
// shorter timeout gives up.
func (s *Server) SetDelay(address string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay[address] = d
}

// SetStopAfter stops the server once n messages were accepted.
func (s *Server) SetStopAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stopAfter = n
}

// Accepted are the messages answered with 250.
func (s *Server) Accepted() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.accepted...)
}

// Offered are all DATA transactions, refused ones included.
func (s *Server) Offered() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.offered...)
}

// AcceptedTo counts accepted messages per recipient address.
func (s *Server) AcceptedTo() map[string]int {
	n := map[string]int{}
	for _, m := range s.Accepted() {
		n[m.To]++
	}
	return n
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{server: s, conn: c}, nil
}

type session struct {
	server   *Server
	conn     *smtp.Conn
	from, to string
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.server.shouldStop() {
		ss.server.Stop()
		return errors.New("stopping")
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.to != "" {
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3}, Message: "One recipient per message"}
	}
	ss.to = to
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg := Message{From: ss.from, To: ss.to, Data: data, MessageID: MessageIDOf(data)}
	if d := ss.server.delayFor(ss.to); d > 0 {
		time.Sleep(d)
	}
	answer := ss.server.answer(msg)
	switch answer {
	case "":
		return nil
	case "close":
		return ss.conn.Conn().Close()
	case "451":
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
	default:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable"}
	}
}

// answer picks the reply for a transaction and records it.
func (s *Server) answer(msg Message) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offered = append(s.offered, msg)
	answer := s.always[msg.To]
	if q := s.script[msg.To]; answer == "" && len(q) > 0 {
		answer, s.script[msg.To] = q[0], q[1:]
	}
	if answer == "" {
		s.accepted = append(s.accepted, msg)
	}
	return answer
}

func (s *Server) delayFor(address string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delay[address]
}

func (s *Server) shouldStop() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stopAfter > 0 && len(s.accepted) >= s.stopAfter
}

func (ss *session) Reset()        { ss.from, ss.to = "", "" }
func (ss *session) Logout() error { return nil }

// MessageIDOf reads the Message-ID header of a raw message.
func MessageIDOf(data []byte) string {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return ""
	}
	return m.Header.Get("Message-Id")
}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}
