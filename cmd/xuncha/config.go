package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// Config is the service's configuration. Each setting can come from a flag,
// an XUNCHA_* environment variable or a JSON config file (--config), in
// increasing order of precedence: file, environment, flag.
type Config struct {
	DataDir           string
	Store             string
	Addr              string
	PublicReads       bool
	UserDict          string
	MaxUploadBytes    int64
	CORSOrigins       []string
	RatePerSecond     float64
	Burst             int
	LogLevel          string
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	PDFTimeout        time.Duration
	NoDemo            bool
	QueryCache        int
	IndexMemory       int64
}

// setting is one configuration setting.
type setting struct {
	name, env, def, help string
	set                  func(c *Config, v string) error
}

// isBool reports whether a setting is a switch (a bare --flag means true).
func (s setting) isBool() bool { return s.def == "true" || s.def == "false" }

func settings() []setting {
	dur := func(dst func(*Config) *time.Duration) func(*Config, string) error {
		return func(c *Config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return fmt.Errorf("%q is not a positive duration (30s, 2m)", v)
			}
			*dst(c) = d
			return nil
		}
	}
	return []setting{
		{"data", "XUNCHA_DATA", "data", "directory of the store and the index", func(c *Config, v string) error {
			if strings.TrimSpace(v) == "" {
				return errors.New("must not be empty")
			}
			c.DataDir = v
			return nil
		}},
		{"store", "XUNCHA_STORE", "", "empty: the embedded store in the data directory; postgres://user:password@host:port/database: a PostgreSQL store shared by several nodes (the data directory then holds only this node's index)", func(c *Config, v string) error {
			if v != "" && !corpus.IsPostgresURL(v) {
				// Not quoted: it may be a URL holding a password.
				return errors.New("must be empty (the embedded store) or a postgres:// URL")
			}
			c.Store = v
			return nil
		}},
		{"addr", "XUNCHA_ADDR", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)", func(c *Config, v string) error {
			if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
				return fmt.Errorf("%q is not host:port", v)
			}
			c.Addr = v
			return nil
		}},
		{"public-reads", "XUNCHA_PUBLIC_READS", "false", "let requests without a token search and read", func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			c.PublicReads = b
			return nil
		}},
		{"user-dict", "XUNCHA_USER_DICT", "", "user dictionary file (one word a line, optionally frequency and part of speech)", func(c *Config, v string) error {
			if v != "" {
				if _, err := os.Stat(v); err != nil {
					return err
				}
			}
			c.UserDict = v
			return nil
		}},
		{"max-upload", "XUNCHA_MAX_UPLOAD", "52428800", "largest upload in bytes", func(c *Config, v string) error {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 1024 || n > 1<<30 {
				return fmt.Errorf("%q is not a number of bytes from 1024 to 1073741824", v)
			}
			c.MaxUploadBytes = n
			return nil
		}},
		{"cors-origins", "XUNCHA_CORS_ORIGINS", "", "comma-separated origins allowed cross-origin requests (empty: CORS off)", func(c *Config, v string) error {
			c.CORSOrigins = nil
			for _, o := range strings.Split(v, ",") {
				if o = strings.TrimSpace(o); o != "" {
					if !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
						return fmt.Errorf("origin %q must start with http:// or https://", o)
					}
					c.CORSOrigins = append(c.CORSOrigins, o)
				}
			}
			return nil
		}},
		{"rate", "XUNCHA_RATE", "50", "requests per second allowed per token or client", func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 || f > 1e6 {
				return fmt.Errorf("%q is not a positive rate", v)
			}
			c.RatePerSecond = f
			return nil
		}},
		{"burst", "XUNCHA_BURST", "100", "requests a client may make at once above the rate", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 1e6 {
				return fmt.Errorf("%q is not a positive whole number", v)
			}
			c.Burst = n
			return nil
		}},
		{"log-level", "XUNCHA_LOG_LEVEL", "info", "debug, info, warn or error", func(c *Config, v string) error {
			switch v {
			case "debug", "info", "warn", "error":
				c.LogLevel = v
				return nil
			}
			return fmt.Errorf("%q is not debug, info, warn or error", v)
		}},
		{"read-header-timeout", "XUNCHA_READ_HEADER_TIMEOUT", "5s", "time to read a request's headers", dur(func(c *Config) *time.Duration { return &c.ReadHeaderTimeout })},
		{"read-timeout", "XUNCHA_READ_TIMEOUT", "60s", "time to read a whole request (uploads included)", dur(func(c *Config) *time.Duration { return &c.ReadTimeout })},
		{"write-timeout", "XUNCHA_WRITE_TIMEOUT", "60s", "time to write a response", dur(func(c *Config) *time.Duration { return &c.WriteTimeout })},
		{"idle-timeout", "XUNCHA_IDLE_TIMEOUT", "120s", "time an idle keep-alive connection stays open", dur(func(c *Config) *time.Duration { return &c.IdleTimeout })},
		{"pdf-timeout", "XUNCHA_PDF_TIMEOUT", "60s", "time allowed to extract one PDF", dur(func(c *Config) *time.Duration { return &c.PDFTimeout })},
		{"query-cache", "XUNCHA_QUERY_CACHE", "1024", "search results kept for repeated searches until the index next changes (0: off)", func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return fmt.Errorf("%q is not a number of results from 0 to 1000000", v)
			}
			c.QueryCache = n
			return nil
		}},
		{"index-memory", "XUNCHA_INDEX_MEMORY", "2GiB", "heap a rebuild (or a long sync) may grow to before Go's collector runs (0: Go's own settings throughout; ignored when GOGC or GOMEMLIMIT is set)", func(c *Config, v string) error {
			n, err := parseBytes(v)
			if err != nil || n != 0 && (n < indexer.MinBulkMemory || n > 1<<40) {
				return fmt.Errorf("%q is not 0 or a size from 1GiB to 1TiB (2GiB, 4096MiB)", v)
			}
			c.IndexMemory = n
			return nil
		}},
		{"no-demo", "XUNCHA_NO_DEMO", "false", "do not load the demo corpus into an empty data directory", func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			c.NoDemo = b
			return nil
		}},
	}
}

// loadConfig builds the configuration of a command from defaults, the
// config file, the environment and the flags in args; it returns the
// remaining arguments. Every error names the setting and where it came from.
func loadConfig(name string, args []string, lookupEnv func(string) (string, bool), stderr io.Writer, extra func(*flag.FlagSet)) (*Config, []string, error) {
	c := &Config{}
	all := settings()
	for _, s := range all {
		if err := s.set(c, s.def); err != nil && s.def != "" {
			return nil, nil, fmt.Errorf("default of %s: %w", s.name, err)
		}
	}
	// The config file, named by --config or XUNCHA_CONFIG.
	file, _ := lookupEnv("XUNCHA_CONFIG")
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			file = v
		} else if (a == "--config" || a == "-config") && i+1 < len(args) {
			file = args[i+1]
		}
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, nil, fmt.Errorf("config file: %w", err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, nil, fmt.Errorf("config file %s: not a JSON object: %w", file, err)
		}
	keys:
		for k, v := range m {
			for _, s := range all {
				if s.name == k {
					if err := s.set(c, fmt.Sprint(v)); err != nil {
						return nil, nil, fmt.Errorf("config file %s: %s: %w", file, k, err)
					}
					continue keys
				}
			}
			return nil, nil, fmt.Errorf("config file %s: unknown setting %q", file, k)
		}
	}
	for _, s := range all {
		if v, ok := lookupEnv(s.env); ok {
			if err := s.set(c, v); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", s.env, err)
			}
		}
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("config", "", "JSON config file (keys as the flags' names)")
	// The store URL may hold a password, which the flag package would quote
	// in its error: it is checked after parsing, by name only.
	var storeFlag *string
	for _, s := range all {
		s := s
		usage := fmt.Sprintf("%s (env %s, default %q)", s.help, s.env, s.def)
		switch {
		case s.name == "store":
			storeFlag = new(string)
			fs.Func(s.name, usage, func(v string) error { *storeFlag = v; return nil })
		case s.isBool():
			fs.BoolFunc(s.name, usage, func(v string) error { return s.set(c, v) })
		default:
			fs.Func(s.name, usage, func(v string) error { return s.set(c, v) })
		}
	}
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, usageError{err.Error()}
	}
	if storeFlag != nil && isFlagSet(fs, "store") {
		for _, s := range all {
			if s.name == "store" {
				if err := s.set(c, *storeFlag); err != nil {
					return nil, nil, usageError{fmt.Sprintf("--store: %v", err)}
				}
			}
		}
	}
	return c, fs.Args(), nil
}

// isFlagSet reports whether the command line set the flag.
func isFlagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// parseBytes reads a size: a number of bytes, or a number followed by KiB,
// MiB, GiB or TiB.
func parseBytes(v string) (int64, error) {
	v = strings.TrimSpace(v)
	mult := int64(1)
	for i, unit := range []string{"KiB", "MiB", "GiB", "TiB"} {
		if strings.HasSuffix(v, unit) {
			v, mult = strings.TrimSpace(strings.TrimSuffix(v, unit)), 1<<(10*(i+1))
			break
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size", v)
	}
	return n * mult, nil
}
