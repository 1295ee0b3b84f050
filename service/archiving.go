package service

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"utdrag/archive"
	"utdrag/certify"
	"utdrag/preserve"
	"utdrag/storage"
)

// ArchiveConfig schedules the archive-timestamp job in the service.
type ArchiveConfig struct {
	// Every is how often each replica tries the job (default 24h; 0
	// turns the schedule off, leaving `utdrag archive-timestamp`). The
	// job's lease lets one replica at a time run it.
	Every time.Duration // UTDRAG_ARCHIVE_EVERY
	// RenewBefore is how long before the newest timestamp's certificate
	// chain expires a certified version gets a new archive timestamp
	// (default 90 days).
	RenewBefore time.Duration // UTDRAG_ARCHIVE_RENEW_BEFORE
}

const defaultArchiveEvery = 24 * time.Hour

func archiveFromEnv(getenv func(string) string) (ArchiveConfig, error) {
	c := ArchiveConfig{Every: defaultArchiveEvery, RenewBefore: preserve.DefaultRenewBefore}
	for name, dst := range map[string]*time.Duration{"UTDRAG_ARCHIVE_EVERY": &c.Every, "UTDRAG_ARCHIVE_RENEW_BEFORE": &c.RenewBefore} {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return c, fmt.Errorf("%s=%q: want a duration such as 24h (0: off)", name, v)
			}
			*dst = d
		}
	}
	return c, nil
}

// NewArchiveJob is the archive-timestamp job on store as the configuration
// describes it: the timestamp authority, the fetch timeouts, the renewal
// margin and the retention of certified files. `utdrag archive-timestamp`
// runs it once; the service on its schedule.
func NewArchiveJob(cfg Config, store storage.Store, log *slog.Logger) *preserve.Job {
	fetch := cfg.Signing.FetchTimeout
	if fetch <= 0 {
		fetch = defaultFetchTimeout
	}
	return archiveJob(cfg, ArchiveOn(store), certify.NewFetcher(certify.FetchOptions{Timeout: fetch}), log)
}

func archiveJob(cfg Config, a *archive.Archive, f *certify.Fetcher, log *slog.Logger) *preserve.Job {
	if log == nil {
		log = slog.Default()
	}
	return &preserve.Job{
		Archive: a, Fetcher: f, TSAURL: cfg.Signing.TSAURL, RenewBefore: cfg.Archive.RenewBefore,
		Retention: cfg.Retention, Log: log,
	}
}

// ArchiveJob is the server's archive-timestamp job: its archive (with the
// index kept in step) and its fetcher's cache.
func (s *Server) ArchiveJob() *preserve.Job {
	return archiveJob(s.cfg, s.archive, s.signer.fetcher, s.log)
}

// archiveLoop runs the job every cfg.Archive.Every, the first time after a
// random part of that (so that replicas started together spread out),
// until ctx ends.
func (s *Server) archiveLoop(ctx context.Context) {
	every := s.cfg.Archive.Every
	if every <= 0 {
		return
	}
	job := s.ArchiveJob()
	wait := time.Duration(rand.Int64N(int64(min(every, 10*time.Minute)))) + time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		rep, err := job.Run(ctx)
		if err != nil {
			s.log.ErrorContext(ctx, "archive-timestamp run failed", "error", err)
		} else if !rep.Busy {
			s.log.InfoContext(ctx, "archive-timestamp run", "examined", rep.Examined, "due", rep.Due,
				"stamped", rep.Stamped, "adopted", rep.Adopted, "unchanged", rep.Unchanged, "failed", rep.Failed)
		}
		wait = every
	}
}
