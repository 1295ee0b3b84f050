package service_test

import (
	"log/slog"
	"testing"
	"time"
	"utdrag/internal/servicetest"
	"utdrag/service"
	"utdrag/storage"
)

// The service's tests run it as the program does, with the clerk pages
// mounted: several look at a page too (justering, verification), and the
// OpenAPI test checks that the pages' answers are the documented ones.
// Package clerk has the pages' own tests.

// uiEnv is a running service with the clerk interface, a browser-like
// client and a recording SMTP server.
type uiEnv struct{ *servicetest.UI }

func startUI(t *testing.T, tune ...func(*service.Config)) *uiEnv {
	t.Helper()
	return startUIOn(t, servicetest.FileStore(t), nil, servicetest.Log(t), tune...)
}

// startUIOn starts the service in open mode on store with clock now (nil:
// the real one) and logger log.
func startUIOn(t *testing.T, store storage.Store, now func() time.Time, log *slog.Logger, tune ...func(*service.Config)) *uiEnv {
	t.Helper()
	return &uiEnv{servicetest.StartUI(t, service.Deps{Store: store, Now: now, Logger: log}, tune...)}
}
