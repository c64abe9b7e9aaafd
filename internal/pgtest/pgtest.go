// Package pgtest gives tests a real PostgreSQL database.
//
// With XUNCHA_TEST_POSTGRES set to a server URL (a role allowed to create
// databases), each call makes a fresh database on that server. Otherwise it
// starts a private server: initdb into a temporary directory and postgres
// listening on a free loopback port, stopped when the test ends. Under root,
// which PostgreSQL refuses to run as, the server runs as the postgres system
// user (Debian's package creates it).
//
// Where PostgreSQL is not installed the test skips, saying so, except under
// CI=true, where it fails: .ci/run installs Debian's postgresql package.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names a PostgreSQL server to use instead of starting one.
const EnvVar = "XUNCHA_TEST_POSTGRES"

// Server is a running PostgreSQL server for a test.
type Server struct {
	// URL connects to the server's maintenance database as a role that
	// may create databases.
	URL string
}

var shared struct {
	sync.Mutex
	srv  *Server
	stop func()
}

// Shared returns a server for the whole test binary, started by the first
// call (see Start); a package's TestMain calls StopShared after m.Run. A
// server per test would cost an initdb each.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.srv == nil {
		srv, stop := start(tb)
		shared.srv, shared.stop = srv, stop
	}
	return shared.srv
}

// StopShared stops the server Shared started, if any.
func StopShared() {
	shared.Lock()
	defer shared.Unlock()
	if shared.stop != nil {
		shared.stop()
	}
	shared.srv, shared.stop = nil, nil
}

// Start returns a server: the one named by XUNCHA_TEST_POSTGRES, or a new
// private one stopped at the end of tb.
func Start(tb testing.TB) *Server {
	tb.Helper()
	srv, stop := start(tb)
	tb.Cleanup(stop)
	return srv
}

func start(tb testing.TB) (*Server, func()) {
	tb.Helper()
	if u := os.Getenv(EnvVar); u != "" {
		return &Server{URL: u}, func() {}
	}
	bin, err := findBin()
	if err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("PostgreSQL is needed under CI=true: %v (.ci/run installs Debian's postgresql)", err)
		}
		tb.Skipf("PostgreSQL not installed (%v): install Debian's postgresql or set %s to run this test", err, EnvVar)
	}
	dir, err := os.MkdirTemp("", "xuncha-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	var asUser []string // the command prefix that runs a program as the server's user
	if os.Geteuid() == 0 {
		pg, err := user.Lookup("postgres")
		if err != nil {
			tb.Fatalf("running as root, PostgreSQL needs another user, and there is no postgres user: %v", err)
		}
		if out, err := exec.Command("chown", "-R", pg.Uid+":"+pg.Gid, dir).CombinedOutput(); err != nil {
			tb.Fatalf("chown %s: %v: %s", dir, err, out)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			tb.Fatal(err)
		}
		asUser = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) {
		tb.Helper()
		full := append(append([]string{}, asUser...), args...)
		cmd := exec.Command(full[0], full[1:]...)
		cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
		if out, err := cmd.CombinedOutput(); err != nil {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			os.RemoveAll(dir)
			tb.Fatalf("%s: %v\n%s\n%s", strings.Join(args, " "), err, out, log)
		}
	}
	data := filepath.Join(dir, "data")
	// Data checksums on, as a production cluster should have them.
	run(filepath.Join(bin, "initdb"), "-D", data, "-U", "xuncha", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "--data-checksums")
	port := freePort(tb)
	opts := fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -c max_connections=200 -c shared_buffers=256MB", port, dir)
	run(filepath.Join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "start")
	stop := func() {
		full := append(append([]string{}, asUser...), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop")
		exec.Command(full[0], full[1:]...).Run()
		os.RemoveAll(dir)
	}
	return &Server{URL: fmt.Sprintf("postgres://xuncha@127.0.0.1:%d/postgres?sslmode=disable", port)}, stop
}

// NewDatabase creates an empty database on the server and returns its URL;
// it is dropped at the end of tb.
func (s *Server) NewDatabase(tb testing.TB) string {
	tb.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	name := "xuncha_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		tb.Fatalf("connect to the test PostgreSQL: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8'"); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, s.URL); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	u, err := url.Parse(s.URL)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Database returns a fresh database on the shared server.
func Database(tb testing.TB) string {
	tb.Helper()
	return Shared(tb).NewDatabase(tb)
}

// findBin returns the directory of PostgreSQL's server programs, the
// newest version installed.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i], nil
		}
	}
	return "", fmt.Errorf("no initdb on PATH or in /usr/lib/postgresql/*/bin")
}

func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
