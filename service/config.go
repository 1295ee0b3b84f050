package service

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"utdrag/auth/openid"
	"utdrag/extract"
	"utdrag/preserve"
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
	// MaxVerifies bounds concurrent verification uploads (POST /v1/verify
	// and the verify page); one waits at most VerifyWait for a slot, then
	// gets 503 + Retry-After before its body is read.
	MaxVerifies int           // UTDRAG_MAX_VERIFIES
	VerifyWait  time.Duration // UTDRAG_VERIFY_WAIT
	Retention   time.Duration // UTDRAG_RETENTION of certified PDFs
	Signing     SigningConfig
	Archive     ArchiveConfig // UTDRAG_ARCHIVE_EVERY, UTDRAG_ARCHIVE_RENEW_BEFORE
	// SessionKey signs the clerk interface's session cookies
	// (UTDRAG_SESSION_KEY, at least 32 characters); replicas must share it.
	// Unset: random at start-up.
	SessionKey string
	Mail       MailConfig
	// AuthFile names the API key file; without one the service runs open
	// and only on a loopback address.
	AuthFile string // UTDRAG_AUTH_FILE
	// StorageTimeout bounds one storage operation.
	StorageTimeout time.Duration // UTDRAG_STORAGE_TIMEOUT
	// Breaker fails storage operations at once while the store is known
	// to be down.
	Breaker BreakerConfig
	// TrustedProxies are the addresses (CIDR or IP) of reverse proxies whose
	// X-Forwarded-For names the client, for the limit on failed keys; none
	// by default: the client is the connection's peer.
	TrustedProxies []string // UTDRAG_TRUSTED_PROXIES, comma-separated
	// Limits bound an extract's size (zero fields: extract.DefaultLimits).
	Limits extract.Limits // UTDRAG_MAX_PARAGRAPHS, UTDRAG_MAX_TEXT

	// AuditRetention keeps each audit event under retention this long
	// (zero: as long as certified PDFs).
	AuditRetention time.Duration // UTDRAG_AUDIT_RETENTION

	// OpenID is the provider people log in through (UTDRAG_OIDC_*; an
	// empty Issuer: API keys only).
	OpenID openid.Config
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
		MaxVerifies:   2 * runtime.GOMAXPROCS(0),
		VerifyWait:    200 * time.Millisecond,
		Retention:     10 * 365 * 24 * time.Hour,
		Archive:       ArchiveConfig{Every: defaultArchiveEvery, RenewBefore: preserve.DefaultRenewBefore},
		Breaker:       BreakerConfig{Failures: defaultBreakerFailures, Open: defaultBreakerOpen},

		StorageTimeout: defaultStorageTimeout,
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
	parse("UTDRAG_MAX_VERIFIES", func(v string) (err error) { c.MaxVerifies, err = strconv.Atoi(v); return })
	parse("UTDRAG_VERIFY_WAIT", func(v string) (err error) { c.VerifyWait, err = time.ParseDuration(v); return })
	parse("UTDRAG_RETENTION", func(v string) (err error) { c.Retention, err = parseRetention(v); return })
	parse("UTDRAG_AUDIT_RETENTION", func(v string) (err error) { c.AuditRetention, err = parseRetention(v); return })
	parse("UTDRAG_STORAGE_TIMEOUT", func(v string) (err error) { c.StorageTimeout, err = time.ParseDuration(v); return })
	positive := func(v string) (int, error) {
		n, err := strconv.Atoi(v)
		if err == nil && n < 1 {
			err = fmt.Errorf("must be at least 1")
		}
		return n, err
	}
	parse("UTDRAG_RETENTION_MODE", func(v string) (err error) { c.S3.RetentionMode, err = parseRetentionMode(v); return })
	parse("UTDRAG_BREAKER_FAILURES", func(v string) (err error) { c.Breaker.Failures, err = strconv.Atoi(v); return })
	parse("UTDRAG_BREAKER_OPEN", func(v string) (err error) { c.Breaker.Open, err = time.ParseDuration(v); return })
	parse("UTDRAG_MAX_PARAGRAPHS", func(v string) (err error) { c.Limits.MaxParagraphs, err = positive(v); return })
	parse("UTDRAG_MAX_TEXT", func(v string) (err error) { c.Limits.MaxText, err = positive(v); return })
	if v := getenv("UTDRAG_TRUSTED_PROXIES"); strings.TrimSpace(v) != "" {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
		}
	}
	var err error
	if c.Signing, err = signingFromEnv(getenv); err != nil {
		errs = append(errs, err.Error())
	}
	if c.Archive, err = archiveFromEnv(getenv); err != nil {
		errs = append(errs, err.Error())
	}
	c.SessionKey = getenv("UTDRAG_SESSION_KEY")
	if c.OpenID, err = openIDFromEnv(getenv, c.PublicURL, c.AuthFile); err != nil {
		errs = append(errs, err.Error())
	}
	c.Mail = mailFromEnv(getenv, c.Storage)
	if len(errs) == 0 {
		errs = c.problems()
	}
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

// Validate refuses limits that would disable or break what they bound:
// a body limit, a render time, a storage time or a retention of zero or
// less, fewer than one render or verification slot, a negative wait.
func (c Config) Validate() error {
	if errs := c.problems(); len(errs) > 0 {
		return fmt.Errorf("service: configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

func (c Config) problems() (errs []string) {
	need := func(bad bool, name string, v any, rule string) {
		if bad {
			errs = append(errs, fmt.Sprintf("%s=%v: %s", name, v, rule))
		}
	}
	need(c.MaxBody < 1, "UTDRAG_MAX_BODY", c.MaxBody, "must be at least 1 byte")
	need(c.MaxRenders < 1, "UTDRAG_MAX_RENDERS", c.MaxRenders, "must be at least 1")
	need(c.RenderWait < 0, "UTDRAG_RENDER_WAIT", c.RenderWait, "must not be negative")
	need(c.RenderTimeout <= 0, "UTDRAG_RENDER_TIMEOUT", c.RenderTimeout, "must be longer than zero")
	need(c.MaxVerifies < 1, "UTDRAG_MAX_VERIFIES", c.MaxVerifies, "must be at least 1")
	need(c.VerifyWait < 0, "UTDRAG_VERIFY_WAIT", c.VerifyWait, "must not be negative")
	need(c.Retention <= 0, "UTDRAG_RETENTION", c.Retention, "must be longer than zero")
	need(c.AuditRetention < 0, "UTDRAG_AUDIT_RETENTION", c.AuditRetention, "must not be negative")
	need(c.StorageTimeout <= 0, "UTDRAG_STORAGE_TIMEOUT", c.StorageTimeout, "must be longer than zero")
	need(c.Breaker.Failures < 0, "UTDRAG_BREAKER_FAILURES", c.Breaker.Failures, "must be 0 (off) or more")
	need(c.Breaker.Failures > 0 && c.Breaker.Open <= 0, "UTDRAG_BREAKER_OPEN", c.Breaker.Open, "must be longer than zero")
	// Zero paragraph and text limits mean the defaults (extract.DefaultLimits).
	need(c.Limits.MaxParagraphs < 0, "UTDRAG_MAX_PARAGRAPHS", c.Limits.MaxParagraphs, "must be at least 1")
	need(c.Limits.MaxText < 0, "UTDRAG_MAX_TEXT", c.Limits.MaxText, "must be at least 1")
	return errs
}

// parseRetention takes a Go duration or a number of years ("10y").
func parseRetention(v string) (time.Duration, error) {
	if y, ok := strings.CutSuffix(v, "y"); ok {
		n, err := strconv.Atoi(y)
		return time.Duration(n) * 365 * 24 * time.Hour, err
	}
	return time.ParseDuration(v)
}
