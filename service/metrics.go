package service

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"utdrag/compose"
	"utdrag/extract"
	"utdrag/render"
	"utdrag/storage"
)

// defaultStorageTimeout bounds one storage operation when
// Config.StorageTimeout is zero: a stalled object store becomes a 503, not
// a request that hangs.
const defaultStorageTimeout = 10 * time.Second

// metrics are the service's Prometheus metrics, in a registry of their own
// (one per Server, so tests and embedders never share counters).
type metrics struct {
	reg             *prometheus.Registry
	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	renderDuration  prometheus.Histogram
	pages           prometheus.Counter
	bytes           prometheus.Counter
	storageDuration *prometheus.HistogramVec
	storageErrors   *prometheus.CounterVec
	certifications  prometheus.Counter
	messages        *prometheus.CounterVec
	breakerOpen     *prometheus.GaugeVec
	mismatches      *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "utdrag_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "utdrag_http_request_duration_seconds", Help: "Time to answer an HTTP request.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route", "method"}),
		renderDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "utdrag_render_duration_seconds", Help: "Time to typeset and draw one extract.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		pages: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "utdrag_rendered_pages_total", Help: "Pages rendered.",
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "utdrag_rendered_bytes_total", Help: "PDF bytes rendered.",
		}),
		storageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "utdrag_storage_operation_duration_seconds", Help: "Time of one storage operation, by operation.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"op"}),
		storageErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "utdrag_storage_errors_total",
			Help: "Storage operations that failed, by operation and kind (unavailable, immutable, other); " +
				"not-found and lost conditional writes are answers, not errors.",
		}, []string{"op", "kind"}),
		certifications: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "utdrag_certifications_total", Help: "Extracts certified.",
		}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "utdrag_messages_total", Help: "Distribution messages by outcome (sent, failed, …).",
		}, []string{"state"}),
		breakerOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "utdrag_storage_breaker_open",
			Help: "1 while storage operations of that side (read, write) fail at once because the store is known to be down.",
		}, []string{"side"}),
		mismatches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "utdrag_storage_mismatches_total",
			Help: "Reads of stored PDFs that differ from what their record holds (checksum, size) or are gone, by outcome: " +
				"refused (answered 500) or recovered (the recorded bytes were found in another version and served).",
		}, []string{"outcome"}),
	}
	m.mismatches.WithLabelValues("refused")
	m.mismatches.WithLabelValues("recovered")
	m.breakerOpen.WithLabelValues("read")
	m.breakerOpen.WithLabelValues("write")
	m.reg.MustRegister(m.requests, m.requestDuration, m.renderDuration, m.pages, m.bytes,
		m.storageDuration, m.storageErrors, m.certifications, m.messages, m.breakerOpen, m.mismatches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() gin.HandlerFunc {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
	return gin.WrapH(h)
}

// request counts one answered request. Every label comes from a closed
// set: route is the pattern the router matched (never the path, so an id
// never becomes a label), method one of the standard methods, status a
// code the server wrote. A caller can add no series.
func (m *metrics) request(route, method string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	method = methodLabel(method)
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Inc()
	m.requestDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// methodLabel is the method as metrics and logs name it: a standard
// method, or "other" for anything a caller invented.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "other"
}

// rendered records one finished render.
func (m *metrics) rendered(pages, bytes int, d time.Duration) {
	m.renderDuration.Observe(d.Seconds())
	m.pages.Add(float64(pages))
	m.bytes.Add(float64(bytes))
}

// certified counts one certification.
func (m *metrics) certified() { m.certifications.Inc() }

// message counts one distribution message that reached state ("sent",
// "failed", …).
func (m *metrics) message(state string) { m.messages.WithLabelValues(state).Inc() }

// renderObserved is renderBounded with the render recorded in the metrics.
func (s *Server) renderObserved(ctx context.Context, x *extract.Extract, cert *compose.Certification, r extract.Rendition) (*render.Result, error) {
	start := time.Now()
	res, err := s.renderBounded(ctx, x, cert, r)
	if err == nil {
		s.metrics.rendered(res.Pages, len(res.PDF), time.Since(start))
	}
	return res, err
}

// observedStore is a storage.Store decorator: it bounds each operation by
// a timeout, records its latency and counts its errors, and fails
// operations at once while a breaker says the store is down (one breaker
// for reads, one for writes: MinIO without write quorum still serves
// reads).
type observedStore struct {
	next          storage.Store
	m             *metrics
	timeout       time.Duration
	reads, writes *breaker
}

var _ storage.Store = (*observedStore)(nil)

func (m *metrics) instrument(next storage.Store, timeout time.Duration, bc BreakerConfig) *observedStore {
	if timeout <= 0 {
		timeout = defaultStorageTimeout
	}
	side := func(name string) *breaker {
		return newBreaker(bc, func(open bool) {
			v := 0.0
			if open {
				v = 1
			}
			m.breakerOpen.WithLabelValues(name).Set(v)
		})
	}
	return &observedStore{next: next, m: m, timeout: timeout, reads: side("read"), writes: side("write")}
}

// breakerFor is the breaker guarding op.
func (o *observedStore) breakerFor(op string) *breaker {
	switch op {
	case "put", "delete", "ping":
		return o.writes
	}
	return o.reads
}

// Unwrap returns the decorated store.
func (o *observedStore) Unwrap() storage.Store { return o.next }

// do runs one operation with the timeout and records it. A timeout of its
// own is reported as ErrUnavailable, whatever the store made of it.
func (o *observedStore) do(ctx context.Context, op string, f func(context.Context) error) error {
	done, err := o.breakerFor(op).allow()
	if err != nil {
		o.m.storageErrors.WithLabelValues(op, "unavailable").Inc()
		return fmt.Errorf("storage %s: %w", op, err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	start := time.Now()
	err = f(ctx)
	o.m.storageDuration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil && ctx.Err() == context.DeadlineExceeded && !errors.Is(err, storage.ErrUnavailable) {
		err = fmt.Errorf("%w: %s timed out after %s: %w", storage.ErrUnavailable, op, o.timeout, err)
	}
	done(err)
	if kind := errorKind(err); kind != "" {
		o.m.storageErrors.WithLabelValues(op, kind).Inc()
	}
	return err
}

func errorKind(err error) string {
	switch {
	case err == nil, errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrPrecondition),
		errors.Is(err, storage.ErrTooLarge), errors.Is(err, context.Canceled):
		return ""
	case errors.Is(err, storage.ErrUnavailable):
		return "unavailable"
	case errors.Is(err, storage.ErrImmutable):
		return "immutable"
	}
	return "other"
}

func (o *observedStore) Put(ctx context.Context, key string, data []byte, opts storage.PutOptions) (obj storage.Object, err error) {
	err = o.do(ctx, "put", func(ctx context.Context) error {
		obj, err = o.next.Put(ctx, key, data, opts)
		return err
	})
	return obj, err
}

func (o *observedStore) Get(ctx context.Context, key string) (data []byte, obj storage.Object, err error) {
	err = o.do(ctx, "get", func(ctx context.Context) error {
		data, obj, err = o.next.Get(ctx, key)
		return err
	})
	return data, obj, err
}

func (o *observedStore) Read(ctx context.Context, key string, opts storage.ReadOptions) (data []byte, obj storage.Object, err error) {
	err = o.do(ctx, "get", func(ctx context.Context) error {
		data, obj, err = o.next.Read(ctx, key, opts)
		return err
	})
	return data, obj, err
}

func (o *observedStore) Stat(ctx context.Context, key string) (obj storage.Object, err error) {
	err = o.do(ctx, "stat", func(ctx context.Context) error {
		obj, err = o.next.Stat(ctx, key)
		return err
	})
	return obj, err
}

func (o *observedStore) List(ctx context.Context, prefix string) (objs []storage.Object, err error) {
	err = o.do(ctx, "list", func(ctx context.Context) error {
		objs, err = o.next.List(ctx, prefix)
		return err
	})
	return objs, err
}

func (o *observedStore) Versions(ctx context.Context, key string) (objs []storage.Object, err error) {
	err = o.do(ctx, "list", func(ctx context.Context) error {
		objs, err = o.next.Versions(ctx, key)
		return err
	})
	return objs, err
}

func (o *observedStore) Delete(ctx context.Context, key string) error {
	return o.do(ctx, "delete", func(ctx context.Context) error { return o.next.Delete(ctx, key) })
}

// Ping probes a write; when it works, reads are taken to work too.
func (o *observedStore) Ping(ctx context.Context) error {
	err := o.do(ctx, "ping", func(ctx context.Context) error { return o.next.Ping(ctx) })
	if err == nil {
		o.reads.reset()
	}
	return err
}

// metricsRoute serves /metrics.
func (s *Server) metricsRoute(r *gin.Engine) {
	r.GET("/metrics", s.metrics.handler())
}
