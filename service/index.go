package service

import (
	"context"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"utdrag/archive"
	"utdrag/audit"
	"utdrag/distribute"
	"utdrag/index"
)

// Reconciliation of the index: how long a mark may belong to a request
// still running, and how often the marks are looked at.
const (
	indexGrace = time.Minute
	indexEvery = 15 * time.Second
)

// indexMetrics follow the index's lag behind storage.
type indexMetrics struct {
	lag         prometheus.Gauge
	repaired    prometheus.Counter
	writeErrors prometheus.Counter
}

func (s *Server) useIndex(ix *index.Index, writes archive.Indexer) {
	s.index = ix
	if writes == nil {
		writes = ix
	}
	s.archive.SetIndexer(writes)
	s.indexMetrics = &indexMetrics{
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "utdrag_index_lag_seconds",
			Help: "Age of the oldest write to storage the index may not show yet, at the last reconciliation pass (0: none).",
		}),
		repaired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "utdrag_index_repaired_total", Help: "Extracts the reconciler brought up to date from storage.",
		}),
		writeErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "utdrag_index_write_errors_total", Help: "Index writes that failed after storage was written (repaired by the reconciler).",
		}),
	}
	s.metrics.reg.MustRegister(s.indexMetrics.lag, s.indexMetrics.repaired, s.indexMetrics.writeErrors)
	ix.OnWriteError(s.indexMetrics.writeErrors.Inc)
}

// reconciler is the index's reconciler with the server's metrics.
func (s *Server) reconciler() *index.Reconciler {
	return &index.Reconciler{
		Index: s.index, Source: index.Source{Archive: s.archive},
		Grace: indexGrace, Every: indexEvery, Log: s.log,
		Observe: func(lag time.Duration, repaired int) {
			s.indexMetrics.lag.Set(lag.Seconds())
			s.indexMetrics.repaired.Add(float64(repaired))
		},
	}
}

// indexed runs a change of an extract's distribution record and records
// the outcome in the index, marked first so that the reconciler learns of
// a distribution whose index update never came.
func (s *Server) indexed(ctx context.Context, id string, f func() (*distribute.Record, error)) (*distribute.Record, error) {
	token, err := s.index.Begin(ctx, id)
	if err != nil {
		return nil, err
	}
	out, err := f()
	s.index.DistributionDone(ctx, id, token, out)
	return out, err
}

// distribute sends an extract to all its recipients.
func (s *Server) distribute(ctx context.Context, msg distribute.Message) (*distribute.Record, error) {
	return s.DistributeTo(ctx, msg, nil)
}

// DistributeTo sends the current certified version of an extract to the
// recipients named (all when none): see distribute.DistributeTo.
func (s *Server) DistributeTo(ctx context.Context, msg distribute.Message, names []string) (*distribute.Record, error) {
	started := s.now()
	out, err := s.indexed(ctx, msg.ExtractID, func() (*distribute.Record, error) {
		return s.distributor.DistributeTo(ctx, msg, names)
	})
	s.recordDistribution(ctx, msg, started, out, err, names)
	return out, err
}

// OutboxOnly reports whether distribution only writes messages to the
// outbox folder, no mail server being configured.
func (s *Server) OutboxOnly() bool { return s.distributor.OutboxOnly() }

// AddRecipient adds a recipient to an extract's distribution and sends
// it the extract.
func (s *Server) AddRecipient(ctx context.Context, msg distribute.Message, n distribute.NewRecipient) (*distribute.Record, error) {
	out, err := s.indexed(ctx, msg.ExtractID, func() (*distribute.Record, error) {
		return s.distributor.AddRecipient(ctx, msg, n)
	})
	s.recordChange(ctx, audit.Distribute, msg, out, err, "mottagare tillagd: "+n.Name+" <"+n.Address+">")
	return out, err
}

// Correct replaces an address refused for good and sends to the new one.
func (s *Server) Correct(ctx context.Context, msg distribute.Message, ch distribute.AddressChange) (*distribute.Record, error) {
	out, err := s.indexed(ctx, msg.ExtractID, func() (*distribute.Record, error) {
		return s.distributor.Correct(ctx, msg, ch)
	})
	s.recordChange(ctx, audit.Resend, msg, out, err, "adress rättad: "+ch.Address+" → "+ch.NewAddress)
	return out, err
}

// MarkServed records that a manual recipient was served.
func (s *Server) MarkServed(ctx context.Context, msg distribute.Message, m distribute.ServedMark) (*distribute.Record, error) {
	out, err := s.indexed(ctx, msg.ExtractID, func() (*distribute.Record, error) {
		return s.distributor.MarkServed(ctx, msg, m)
	})
	detail := fmt.Sprintf("%s delgiven %s (%s) av %s", m.Recipient, m.Date, m.How, m.By)
	if m.Note != "" {
		detail += ": " + m.Note
	}
	s.recordChange(ctx, audit.MarkServed, msg, out, err, detail)
	return out, err
}

// distributeAll is DistributeAll with each distribution marked and
// indexed; an extract that cannot be marked is reported with the error.
func (s *Server) distributeAll(ctx context.Context, msgs []distribute.Message, progress func(i int, rec *distribute.Record, err error)) {
	tokens := make([]string, len(msgs))
	var send []distribute.Message
	var at []int
	for i, m := range msgs {
		t, err := s.index.Begin(ctx, m.ExtractID)
		if err != nil {
			progress(i, nil, err)
			continue
		}
		tokens[i] = t
		send, at = append(send, m), append(at, i)
	}
	started := s.now()
	s.distributor.DistributeAll(ctx, send, func(j int, rec *distribute.Record, err error) {
		i := at[j]
		s.index.DistributionDone(ctx, msgs[i].ExtractID, tokens[i], rec)
		s.recordDistribution(ctx, msgs[i], started, rec, err, nil)
		progress(i, rec, err)
	})
}
