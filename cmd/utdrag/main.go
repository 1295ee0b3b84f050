// Command utdrag is the Utdrag service and its offline tools:
//
//	utdrag serve                      run the HTTP service (configured by UTDRAG_* variables)
//	utdrag reindex                    rebuild the index (UTDRAG_INDEX) from storage (UTDRAG_STORAGE)
//	utdrag archive-timestamp          add validation data and archive timestamps where due (PAdES B-LTA)
//	utdrag render in.json -o out.pdf  render an extract to PDF, no storage
//	utdrag typeset-report in.json     measure the typography: Knuth–Plass against a greedy baseline
//	utdrag janitor [-grace 1h]        finish interrupted certifications, clear what interrupted writes left
//
// It may import service, clerk, render and the packages they build on.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"utdrag/archive"
	"utdrag/auth/openid"
	"utdrag/clerk"
	"utdrag/extract"
	"utdrag/index"
	"utdrag/render"
	"utdrag/service"
	"utdrag/storage"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(context.Background(), os.Args[1:], log); err != nil {
		fmt.Fprintln(os.Stderr, "utdrag:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	if len(args) == 0 {
		return errors.New("usage: utdrag serve | utdrag reindex | utdrag archive-timestamp | utdrag render in.json -o out.pdf | utdrag typeset-report in.json | utdrag janitor")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, log)
	case "reindex":
		return reindex(ctx, log)
	case "archive-timestamp":
		return archiveTimestamp(ctx, os.Stdout, args[1:], log)
	case "render":
		return renderFile(args[1:])
	case "typeset-report":
		return typesetReport(os.Stdout, args[1:])
	case "janitor":
		return janitor(ctx, os.Stdout, args[1:], log)
	default:
		return fmt.Errorf("unknown command %q: use serve, reindex, archive-timestamp, render, typeset-report or janitor", args[0])
	}
}

func serve(ctx context.Context, log *slog.Logger) error {
	cfg, err := service.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := untilStopped(ctx)
	defer stop()
	eng, err := render.New()
	if err != nil {
		return err
	}
	store, ix, err := openStoreAndIndex(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	provider, err := openIDProvider(ctx, cfg, log)
	if err != nil {
		return err
	}
	srv, err := service.New(cfg, service.Deps{Store: store, Render: eng, Logger: log, Index: ix, Pages: clerkPages(cfg, provider)})
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}

// clerkPages builds the clerk interface over the server's domain
// operations; the server mounts it beside the API (see package clerk for
// why the program, not service, joins the two).
func clerkPages(cfg service.Config, provider *openid.Provider) func(*service.Server) (service.Pages, error) {
	return func(s *service.Server) (service.Pages, error) {
		return clerk.New(s, clerk.Config{SessionKey: cfg.SessionKey, AuthFile: cfg.AuthFile, PublicURL: cfg.PublicURL, OpenID: provider})
	}
}

// openIDProvider discovers the provider people log in through, when one
// is configured (nil otherwise); a provider that does not answer is
// asked again for half a minute before the service gives up starting.
func openIDProvider(ctx context.Context, cfg service.Config, log *slog.Logger) (*openid.Provider, error) {
	if cfg.OpenID.Issuer == "" {
		return nil, nil
	}
	var err error
	for try := 1; try <= 6; try++ {
		var p *openid.Provider
		if p, err = openid.New(ctx, cfg.OpenID); err == nil {
			log.Info("personal login through the OpenID provider", "issuer", cfg.OpenID.Issuer)
			return p, nil
		}
		log.Warn("the OpenID provider does not answer; trying again", "issuer", cfg.OpenID.Issuer, "try", try, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Second):
		}
	}
	return nil, err
}

// untilStopped is ctx until the process is told to stop (SIGINT, SIGTERM).
func untilStopped(ctx context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
}

// openStoreAndIndex opens the storage and the index cfg names.
func openStoreAndIndex(ctx context.Context, cfg service.Config, log *slog.Logger) (storage.Store, *index.Index, error) {
	store, err := service.OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	ix, err := index.Open(ctx, cfg.Index, index.Options{Logger: log})
	if err != nil {
		return nil, nil, err
	}
	return store, ix, nil
}

// reindex rebuilds the index from storage and says how long it took.
func reindex(ctx context.Context, log *slog.Logger) error {
	cfg, err := service.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := untilStopped(ctx)
	defer stop()
	store, ix, err := openStoreAndIndex(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer ix.Close()
	last := time.Now()
	st, err := ix.Rebuild(ctx, index.Source{Archive: archive.New(store)}, 16, func(done int) {
		if time.Since(last) > 5*time.Second {
			last = time.Now()
			fmt.Fprintf(os.Stderr, "reindex: %d records\n", done)
		}
	})
	if err != nil {
		return err
	}
	rate := float64(st.Records) / st.Duration.Seconds()
	fmt.Printf("reindex: %d records and %d protocols in %.1f s (%.0f records/s), %d removed\n",
		st.Records, st.Protocols, st.Duration.Seconds(), rate, st.Removed)
	return nil
}

// archiveTimestamp runs the archive-timestamp job once: every certified
// version not at PAdES B-LTA is completed, and every one whose newest
// timestamp's certificate expires within the renewal margin gets fresh
// validation data and a new archive timestamp. Another replica running it
// makes this run do nothing (the job's lease).
func archiveTimestamp(ctx context.Context, out io.Writer, args []string, log *slog.Logger) error {
	cfg, err := service.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	fl := flag.NewFlagSet("archive-timestamp", flag.ContinueOnError)
	renew := fl.Duration("renew-before", cfg.Archive.RenewBefore,
		"stamp again what the newest timestamp's chain stops covering within this (UTDRAG_ARCHIVE_RENEW_BEFORE)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 || *renew < 0 {
		return errors.New("usage: utdrag archive-timestamp [-renew-before 2160h]")
	}
	cfg.Archive.RenewBefore = *renew
	ctx, stop := untilStopped(ctx)
	defer stop()
	store, err := service.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	job := service.NewArchiveJob(cfg, store, log)
	if cfg.Index != "" {
		ix, err := index.Open(ctx, cfg.Index, index.Options{Logger: log})
		if err != nil {
			return err
		}
		defer ix.Close()
		job.Archive.SetIndexer(ix)
	}
	start := time.Now()
	rep, err := job.Run(ctx)
	if err != nil {
		return err
	}
	if rep.Busy {
		fmt.Fprintln(out, "archive-timestamp: another replica is running the job; nothing done")
		return nil
	}
	fmt.Fprintf(out, "archive-timestamp: %d certified versions, %d due: %d stamped, %d adopted, %d unchanged, %d failed (%.1f s)\n",
		rep.Examined, rep.Due, rep.Stamped, rep.Adopted, rep.Unchanged, rep.Failed, time.Since(start).Seconds())
	if rep.Failed > 0 {
		return fmt.Errorf("%d certified versions could not be extended; see the log", rep.Failed)
	}
	return nil
}

func renderFile(args []string) error {
	fl := flag.NewFlagSet("render", flag.ContinueOnError)
	out := fl.String("o", "", "output PDF (default: the input name with .pdf)")
	pdfa := fl.Int("pdfa", 0, "PDF/A part: 1, 2 or 3 (with the source attached); 0 the template's")
	rendition := fl.String("rendition", "public", "public (secret parts replaced by a placeholder) or internal (everything, secret parts marked)")
	// Allow "render in.json -o out.pdf" as well as flags first.
	var inputs []string
	for len(args) > 0 {
		if err := fl.Parse(args); err != nil {
			return err
		}
		if fl.NArg() == 0 {
			break
		}
		inputs = append(inputs, fl.Arg(0))
		args = fl.Args()[1:]
	}
	if len(inputs) != 1 {
		return errors.New("usage: utdrag render in.json -o out.pdf")
	}
	eng, err := render.New()
	if err != nil {
		return err
	}
	r, ok := extract.ParseRendition(*rendition)
	if !ok {
		return fmt.Errorf("render: -rendition is public or internal, not %q", *rendition)
	}
	x, err := decodeFile(inputs[0], eng.Drawable)
	if err != nil {
		return err
	}
	res, err := eng.RenderWith(context.Background(), x, nil, render.Options{PDFA: *pdfa, Rendition: r})
	if err != nil {
		return err
	}
	if *out == "" {
		*out = inputs[0] + ".pdf"
	}
	if err := os.WriteFile(*out, res.PDF, 0o644); err != nil {
		return err
	}
	fmt.Printf("%s: %d sidor, %d byte\n", *out, res.Pages, len(res.PDF))
	return nil
}
