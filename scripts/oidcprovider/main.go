// Command oidcprovider is the OpenID provider the tests log in through:
// the example server of github.com/zitadel/oidc (its OpenID provider
// library, in-memory storage and login page) on a loopback address, with
// two additions the tests need and the example lacks: each user's groups
// and title as claims ("groups", "title") in the ID token and at the
// userinfo endpoint, and redirect addresses on any loopback port, since
// the service under test listens on a port chosen at run time.
//
//	oidcprovider -addr 127.0.0.1:PORT -users users.json -client utdrag -secret S
//
// The users file is the example's (a JSON object of users by id: ID,
// Username, Password, FirstName, LastName, Email, EmailVerified, …) with
// Groups (a list) and Title added. The issuer is http://ADDR/.
//
// It is a module of its own, so that the service does not depend on it.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// extra is what the users file adds to the example's users.
type extra struct {
	Groups []string
	Title  string
}

// claims wraps the example's storage to add each user's groups and title.
type claims struct {
	*storage.Storage
	users map[string]extra
}

func (c *claims) add(info *oidc.UserInfo, userID string) {
	if u, ok := c.users[userID]; ok {
		if u.Groups != nil {
			info.AppendClaims("groups", u.Groups)
		}
		if u.Title != "" {
			info.AppendClaims("title", u.Title)
		}
	}
}

// SetUserinfoFromRequest fills the ID token's claims.
func (c *claims) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	if err := c.Storage.SetUserinfoFromRequest(ctx, info, req, scopes); err != nil {
		return err
	}
	c.add(info, req.GetSubject())
	return nil
}

// SetUserinfoFromToken fills the userinfo endpoint's answer.
func (c *claims) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, origin string) error {
	if err := c.Storage.SetUserinfoFromToken(ctx, info, tokenID, subject, origin); err != nil {
		return err
	}
	c.add(info, info.Subject)
	return nil
}

// GetClientByClientID lets the client redirect to any loopback port.
func (c *claims) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	cl, err := c.Storage.GetClientByClientID(ctx, id)
	if err != nil {
		return nil, err
	}
	return loopbackClient{cl}, nil
}

type loopbackClient struct{ op.Client }

func (loopbackClient) RedirectURIGlobs() []string {
	return []string{"http://127.0.0.1:*/*", "http://127.0.0.1:*/*/*", "http://127.0.0.1:*/*/*/*"}
}
func (loopbackClient) PostLogoutRedirectURIGlobs() []string {
	return []string{"http://127.0.0.1:*/*", "http://127.0.0.1:*/*/*"}
}

func main() {
	addr := flag.String("addr", "127.0.0.1:9998", "loopback address to listen on")
	users := flag.String("users", "", "users file (JSON)")
	client := flag.String("client", "utdrag", "client id")
	secret := flag.String("secret", "", "client secret")
	flag.Parse()
	if err := run(*addr, *users, *client, *secret); err != nil {
		fmt.Fprintln(os.Stderr, "oidcprovider:", err)
		os.Exit(1)
	}
}

func run(addr, usersFile, clientID, secret string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("-addr %q: want a loopback address and port", addr)
	}
	if usersFile == "" || secret == "" {
		return fmt.Errorf("-users and -secret are required")
	}
	us, err := storage.StoreFromFile(usersFile)
	if err != nil {
		return fmt.Errorf("reading %s: %w", usersFile, err)
	}
	raw, err := os.ReadFile(usersFile)
	if err != nil {
		return err
	}
	more := map[string]extra{}
	if err := json.Unmarshal(raw, &more); err != nil {
		return fmt.Errorf("reading groups of %s: %w", usersFile, err)
	}
	storage.RegisterClients(storage.WebClient(clientID, secret, "http://127.0.0.1/"))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	issuer := "http://" + addr + "/"
	router := exampleop.SetupServer(issuer, &claims{Storage: storage.NewStorage(us), users: more}, log, false)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: router, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	log.Info("oidcprovider listening", "issuer", issuer)
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
