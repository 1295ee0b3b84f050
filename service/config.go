package service

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"utdrag/extract"
	"utdrag/storage/s3"
)

// Config is the service's configuration, from the environment with
// embedded defaults that run without any external server.
type Config struct {
	Addr    string // UTDRAG_ADDR
	Storage string // UTDRAG_STORAGE: fs:DIR or s3://BUCKET
	// Index names the index database: sqlite:PATH (one replica) or
	// postgres://… (several).
	Index     string // UTDRAG_INDEX
	S3        S3Config
	PublicURL string // UTDRAG_PUBLIC_URL: base of verification addresses
	MaxBody   int64  // UTDRAG_MAX_BODY bytes
	// MaxRenders bounds concurrent renders (default: twice the cores); a
	// request waits at most RenderWait for a slot, then gets 503 +
	// Retry-After: a short, bounded wait instead of a growing queue.
	MaxRenders    int           // UTDRAG_MAX_RENDERS
	RenderWait    time.Duration // UTDRAG_RENDER_WAIT
	RenderTimeout time.Duration // UTDRAG_RENDER_TIMEOUT
	Retention     time.Duration // UTDRAG_RETENTION of certified PDFs
	Signing       SigningConfig
	// SessionKey signs the clerk interface's session cookies
	// (UTDRAG_SESSION_KEY, at least 32 characters); replicas must share it.
	// Unset: random at start-up.
	SessionKey string
	Mail       MailConfig
	// AuthFile names the API key file; without one the service runs open
	// and only on a loopback address.
	AuthFile string // UTDRAG_AUTH_FILE
	// StorageTimeout bounds one storage operation (zero: 10s).
	StorageTimeout time.Duration // UTDRAG_STORAGE_TIMEOUT
	// Breaker fails storage operations at once while the store is known
	// to be down.
	Breaker BreakerConfig
	// Limits bound an extract's size (zero fields: extract.DefaultLimits).
	Limits extract.Limits // UTDRAG_MAX_PARAGRAPHS, UTDRAG_MAX_TEXT
}

// S3Config is the object store's address and keys.
type S3Config struct {
	Endpoint  string // UTDRAG_S3_ENDPOINT
	AccessKey string // UTDRAG_S3_ACCESS_KEY
	SecretKey string // UTDRAG_S3_SECRET_KEY
	Secure    bool   // UTDRAG_S3_SECURE
	Region    string // UTDRAG_S3_REGION
	// RetentionMode of certified PDFs under object lock: s3.Governance
	// (the default) or s3.Compliance.
	RetentionMode string // UTDRAG_RETENTION_MODE: governance or compliance
}

// Defaults are the embedded defaults.
func Defaults() Config {
	c := Config{
		Addr:          "127.0.0.1:8080",
		Storage:       "fs:./data",
		Index:         "sqlite:./data/index.db",
		PublicURL:     "http://127.0.0.1:8080",
		MaxBody:       1 << 20,
		MaxRenders:    2 * runtime.GOMAXPROCS(0),
		RenderWait:    200 * time.Millisecond,
		RenderTimeout: 10 * time.Second,
		Retention:     10 * 365 * 24 * time.Hour,
		Breaker:       BreakerConfig{Failures: defaultBreakerFailures, Open: defaultBreakerOpen},
	}
	c.S3.RetentionMode = s3.Governance
	c.Mail = mailFromEnv(func(string) string { return "" }, c.Storage)
	return c
}

// FromEnv reads the configuration from getenv (os.Getenv in production).
func FromEnv(getenv func(string) string) (Config, error) {
	c := Defaults()
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	str("UTDRAG_ADDR", &c.Addr)
	str("UTDRAG_STORAGE", &c.Storage)
	str("UTDRAG_INDEX", &c.Index)
	str("UTDRAG_S3_ENDPOINT", &c.S3.Endpoint)
	str("UTDRAG_S3_ACCESS_KEY", &c.S3.AccessKey)
	str("UTDRAG_S3_SECRET_KEY", &c.S3.SecretKey)
	str("UTDRAG_S3_REGION", &c.S3.Region)
	str("UTDRAG_AUTH_FILE", &c.AuthFile)
	if getenv("UTDRAG_PUBLIC_URL") == "" {
		c.PublicURL = "http://" + c.Addr
	}
	str("UTDRAG_PUBLIC_URL", &c.PublicURL)
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	var errs []string
	parse := func(name string, f func(string) error) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			if err := f(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", name, v, err))
			}
		}
	}
	parse("UTDRAG_S3_SECURE", func(v string) (err error) { c.S3.Secure, err = strconv.ParseBool(v); return })
	parse("UTDRAG_MAX_BODY", func(v string) (err error) { c.MaxBody, err = strconv.ParseInt(v, 10, 64); return })
	parse("UTDRAG_MAX_RENDERS", func(v string) (err error) { c.MaxRenders, err = strconv.Atoi(v); return })
	parse("UTDRAG_RENDER_WAIT", func(v string) (err error) { c.RenderWait, err = time.ParseDuration(v); return })
	parse("UTDRAG_RENDER_TIMEOUT", func(v string) (err error) { c.RenderTimeout, err = time.ParseDuration(v); return })
	parse("UTDRAG_RETENTION", func(v string) (err error) { c.Retention, err = parseRetention(v); return })
	positive := func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err == nil && n < 1 {
			err = fmt.Errorf("must be at least 1")
		}
		return n, err
	}
	parse("UTDRAG_STORAGE_TIMEOUT", func(v string) (err error) { c.StorageTimeout, err = time.ParseDuration(v); return })
	parse("UTDRAG_RETENTION_MODE", func(v string) (err error) { c.S3.RetentionMode, err = parseRetentionMode(v); return })
	parse("UTDRAG_BREAKER_FAILURES", func(v string) (err error) { c.Breaker.Failures, err = strconv.Atoi(v); return })
	parse("UTDRAG_BREAKER_OPEN", func(v string) (err error) {
		if c.Breaker.Open, err = time.ParseDuration(v); err == nil && c.Breaker.Open <= 0 {
			err = fmt.Errorf("must be longer than zero")
		}
		return
	})
	parse("UTDRAG_MAX_PARAGRAPHS", func(v string) (err error) { c.Limits.MaxParagraphs, err = positive(v); return })
	parse("UTDRAG_MAX_TEXT", func(v string) (err error) { c.Limits.MaxText, err = positive(v); return })
	c.Signing = signingFromEnv(getenv)
	c.SessionKey = getenv("UTDRAG_SESSION_KEY")
	c.Mail = mailFromEnv(getenv, c.Storage)
	if len(errs) > 0 {
		return c, fmt.Errorf("service: configuration: %s", strings.Join(errs, "; "))
	}
	return c, nil
}

// parseRetentionMode takes "governance" or "compliance", in any case.
func parseRetentionMode(v string) (string, error) {
	switch strings.ToUpper(v) {
	case s3.Governance:
		return s3.Governance, nil
	case s3.Compliance:
		return s3.Compliance, nil
	}
	return "", fmt.Errorf("want governance or compliance")
}

// parseRetention takes a Go duration or a number of years ("10y").
func parseRetention(v string) (time.Duration, error) {
	if y, ok := strings.CutSuffix(v, "y"); ok {
		n, err := strconv.Atoi(y)
		return time.Duration(n) * 365 * 24 * time.Hour, err
	}
	return time.ParseDuration(v)
}
