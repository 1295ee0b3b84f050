package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"utdrag/archive"
	"utdrag/service"
)

// janitor runs janitor passes over the configured storage (UTDRAG_STORAGE
// and the S3 variables, as serve reads them): once, printing the report as
// JSON, or with -every until stopped, logging each.
func janitor(ctx context.Context, out io.Writer, args []string, log *slog.Logger) error {
	fl := flag.NewFlagSet("janitor", flag.ContinueOnError)
	grace := fl.Duration("grace", time.Hour, "leave alone what is younger: longer than any request takes")
	thorough := fl.Bool("thorough", false, "read every record and check every checksum index entry (storage of older releases)")
	every := fl.Duration("every", 0, "pass again after this long, until stopped (0: one pass)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if fl.NArg() > 0 || *grace <= 0 || *every < 0 {
		return fmt.Errorf("usage: utdrag janitor [-grace 1h] [-thorough] [-every 0]")
	}
	cfg, err := service.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	ctx, stop := untilStopped(ctx)
	defer stop()
	store, err := service.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	a := service.ArchiveOn(store)
	opt := archive.JanitorOptions{Grace: *grace, Thorough: *thorough}
	if *every == 0 {
		rep, err := a.Janitor(ctx, opt)
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if eerr := enc.Encode(rep); eerr != nil && err == nil {
			err = eerr
		}
		return err
	}
	for {
		start := time.Now()
		rep, err := a.Janitor(ctx, opt)
		if err != nil {
			log.ErrorContext(ctx, "janitor pass failed", "err", err)
		} else {
			log.InfoContext(ctx, "janitor pass", "folders", rep.Folders, "protocols", rep.Protocols, "adopted", len(rep.Adopted),
				"removed", len(rep.Removed), "kept", rep.Kept, "young", rep.Young, "errors", rep.Errors,
				"duration", time.Since(start).Round(time.Millisecond).String())
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(*every):
		}
	}
}
