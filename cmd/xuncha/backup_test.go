package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs serve on port 0 over dataDir and returns its address and
// first admin token; the server stops at the end of the test.
func startServe(t *testing.T, dataDir string) (base, token string) {
	t.Helper()
	t.Setenv("XUNCHA_DATA", dataDir)
	ctx, cancel := context.WithCancel(context.Background())
	out := &lineWriter{lines: make(chan string, 100)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), out, io.Discard)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after a clean shutdown", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop")
		}
	})
	timeout := time.After(30 * time.Second)
	for base == "" {
		select {
		case line := <-out.lines:
			if m := tokenPattern.FindString(line); m != "" {
				token = m
			}
			if a, ok := strings.CutPrefix(line, "xuncha listening on "); ok {
				base = a
			}
		case err := <-done:
			t.Fatalf("serve stopped: %v", err)
		case <-timeout:
			t.Fatal("serve did not start")
		}
	}
	return base, token
}

func TestHotBackupAndRestore(t *testing.T) {
	src := t.TempDir()
	base, token := startServe(t, src)
	file := filepath.Join(t.TempDir(), "b.tar.gz")
	var out bytes.Buffer
	if err := run(context.Background(), []string{"backup", "--server", base, "--token", token, file}, nil, &out, io.Discard); err != nil {
		t.Fatalf("hot backup: %v", err)
	}
	if left, _ := os.ReadDir(filepath.Join(src, backupTmpDir)); len(left) != 0 {
		t.Errorf("the backup left its working copies: %v", left)
	}
	// A reader token may not take backups.
	if err := run(context.Background(), []string{"backup", "--server", base, "--token", "xct_nope", file + "2"}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("backup with a bad token: %v", err)
	}

	restored := t.TempDir()
	t.Setenv("XUNCHA_DATA", restored)
	out.Reset()
	if err := run(context.Background(), []string{"restore", file}, nil, &out, io.Discard); err != nil {
		t.Fatalf("restore: %v", err)
	}
	out.Reset()
	if err := run(context.Background(), []string{"search", "--json", "形式主义"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var res struct{ Total int }
	if json.Unmarshal(out.Bytes(), &res); res.Total < 10 {
		t.Errorf("restored data: %d hits for 形式主义\n%s", res.Total, out.String())
	}
	// Not into a directory that holds data.
	if err := run(context.Background(), []string{"restore", file}, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("restore over data: %v", err)
	}
}

// TestBackupLeftoversRemoved: the working copies of a backup whose process
// was killed are removed the next time the data directory is opened.
func TestBackupLeftoversRemoved(t *testing.T) {
	dir := t.TempDir()
	left := filepath.Join(dir, backupTmpDir, "backup-123", "index")
	if err := os.MkdirAll(left, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(left, "CURRENT"), []byte("gen-1"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XUNCHA_DATA", dir)
	if err := run(context.Background(), []string{"stats"}, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, backupTmpDir)); !os.IsNotExist(err) {
		t.Errorf("the leftover working copies are still there: %v", err)
	}
}

func TestRestoreRefusesHostileArchives(t *testing.T) {
	mk := func(name string, body []byte) string {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write(body)
		tw.Close()
		gz.Close()
		p := filepath.Join(t.TempDir(), "x.tar.gz")
		os.WriteFile(p, buf.Bytes(), 0o600)
		return p
	}
	for name, file := range map[string]string{
		"path escape":   mk("../../evil", []byte("x")),
		"absolute path": mk("/etc/evil", []byte("x")),
		"unknown entry": mk("other.txt", []byte("x")),
		"no manifest":   mk("store.db", []byte("not bbolt")),
		"not gzip":      func() string { p := filepath.Join(t.TempDir(), "y"); os.WriteFile(p, []byte("plain"), 0o600); return p }(),
	} {
		dir := t.TempDir()
		_, err := restoreBackup(context.Background(), mustOpen(t, file), dir)
		if err == nil {
			t.Errorf("%s: restored", name)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: left %d entries in the data directory", name, len(entries))
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "evil")); err == nil {
			t.Errorf("%s: wrote outside the data directory", name)
		}
	}
}

func mustOpen(t *testing.T, p string) io.Reader {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
