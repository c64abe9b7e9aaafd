package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

// backupManifest describes a backup file.
type backupManifest struct {
	Format     string    `json:"format"`
	Created    time.Time `json:"created"`
	Version    string    `json:"xuncha_version"`
	Analysis   string    `json:"analysis"`
	StoreSeq   uint64    `json:"store_seq"`
	IndexSeq   uint64    `json:"index_seq"`
	IndexFiles int       `json:"index_files"`
}

const backupFormat = "xuncha-backup-1"

// backupTmpDir, in the data directory, holds the working copies of the
// backups in progress.
const backupTmpDir = "backup-tmp"

// errBackupShared: a PostgreSQL store is backed up by PostgreSQL's tools;
// a node's index is derived data, rebuilt from the store.
var errBackupShared = errors.New("backup: the store is PostgreSQL: back it up with pg_dump or pg_basebackup (xuncha backup copies the embedded store; a node's index is rebuilt from the store)")

// writeBackup writes a consistent hot backup (a gzipped tar: the index
// generation, the store file, a manifest) to w. The index is copied first
// and the store after it, so the store's sequence is never behind the
// index's: a restore only has to let the index catch up.
//
// Its working copies go to a directory under the data directory's
// backup-tmp, which openApp empties: a process killed during a backup
// leaves nothing behind for long.
func writeBackup(ctx context.Context, w io.Writer, s Store, ix *indexer.Index, dataDir string) error {
	store, ok := s.(*corpus.BoltStore)
	if !ok {
		return errBackupShared
	}
	parent := filepath.Join(dataDir, backupTmpDir)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	addFile := func(name, src string) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		info, err := f.Stat()
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: info.Size(), ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = io.Copy(tw, f)
		return err
	}
	indexDir := filepath.Join(tmp, "index")
	indexSeq, err := ix.CopyTo(indexDir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	files := 0
	err = filepath.WalkDir(indexDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(indexDir, p)
		if err != nil {
			return err
		}
		files++
		return addFile("index/"+filepath.ToSlash(rel), p)
	})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	storeTmp := filepath.Join(tmp, "store.db")
	sf, err := os.Create(storeTmp)
	if err != nil {
		return err
	}
	storeSeq, _, err := store.Snapshot(ctx, sf)
	if cerr := sf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := addFile("store.db", storeTmp); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m, _ := json.MarshalIndent(backupManifest{Format: backupFormat, Created: time.Now().UTC(), Version: version,
		Analysis: ix.Analyzer().Version(), StoreSeq: storeSeq, IndexSeq: indexSeq, IndexFiles: files}, "", "  ") // marshalling a plain struct cannot fail
	if err := tw.WriteHeader(&tar.Header{Name: "manifest.json", Mode: 0o600, Size: int64(len(m)), ModTime: time.Now(), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(m); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// maxRestoreBytes bounds what a restore unpacks.
const maxRestoreBytes = 256 << 30

// restoreBackup unpacks a backup into dataDir, which must be empty or
// absent. It refuses entries with unexpected names or paths out of the
// directory, and leaves dataDir empty if anything fails.
func restoreBackup(ctx context.Context, r io.Reader, dataDir string) (*backupManifest, error) {
	if entries, err := os.ReadDir(dataDir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("restore: the data directory %s is not empty; restore into an empty one", dataDir)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	m, err := unpackBackup(ctx, r, dataDir)
	if err != nil {
		// Leave nothing half-restored behind.
		entries, _ := os.ReadDir(dataDir)
		for _, e := range entries {
			os.RemoveAll(filepath.Join(dataDir, e.Name()))
		}
		return nil, fmt.Errorf("restore: %w", err)
	}
	return m, nil
}

func unpackBackup(ctx context.Context, r io.Reader, dataDir string) (*backupManifest, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("not a xuncha backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	var total int64
	var m *backupManifest
	sawStore := false
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("damaged backup: %w", err)
		}
		name := h.Name
		clean := path.Clean(name)
		if h.Typeflag != tar.TypeReg || clean != name || strings.HasPrefix(name, "/") || strings.Contains(name, "..") ||
			!(name == "manifest.json" || name == "store.db" || strings.HasPrefix(name, "index/")) {
			return nil, fmt.Errorf("unexpected entry %q in the backup", name)
		}
		total += h.Size
		if h.Size < 0 || total > maxRestoreBytes {
			return nil, fmt.Errorf("the backup unpacks to more than %d bytes", int64(maxRestoreBytes))
		}
		if name == "manifest.json" {
			m = new(backupManifest)
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(m); err != nil || m.Format != backupFormat {
				return nil, fmt.Errorf("not a %s manifest", backupFormat)
			}
			continue
		}
		dst := filepath.Join(dataDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, err
		}
		n, err := io.Copy(f, io.LimitReader(tr, h.Size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil || n != h.Size {
			return nil, fmt.Errorf("damaged backup: %s is truncated", name)
		}
		sawStore = sawStore || name == "store.db"
	}
	if m == nil || !sawStore {
		return nil, errors.New("damaged backup: no manifest or no store")
	}
	s, err := corpus.OpenBolt(ctx, filepath.Join(dataDir, "store.db"), corpus.StoreOptions{})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if err := s.Check(ctx); err != nil {
		return nil, err
	}
	if seq, err := s.LastSeq(ctx); err != nil || seq != m.StoreSeq {
		return nil, fmt.Errorf("the store holds change %d, the manifest says %d", seq, m.StoreSeq)
	}
	return m, nil
}

// runBackup writes a backup FILE: from a running server (--server, with an
// admin --token), or from the data directory when no server holds it.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var server, token string
	cfg, rest, err := loadConfig("backup", args, os.LookupEnv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&server, "server", "", "back up a running server at this URL (hot backup)")
		fs.StringVar(&token, "token", os.Getenv("XUNCHA_TOKEN"), "admin token for --server (env XUNCHA_TOKEN)")
	})
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"backup FILE"}
	}
	if cfg.Store != "" && server == "" {
		return errBackupShared
	}
	out := rest[0]
	tmp := out + ".partial"
	f, err := os.Create(tmp)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.Remove(tmp)
	if server != "" {
		err = fetchBackup(ctx, server, token, f)
	} else {
		var a *app
		a, err = openApp(ctx, cfg, newLogger(cfg, stderr))
		if err == nil {
			err = writeBackup(ctx, f, a.store, a.index, cfg.DataDir)
			a.close()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	info, _ := os.Stat(out)
	fmt.Fprintf(stdout, "backup written to %s (%d bytes)\n", out, info.Size())
	return nil
}

func fetchBackup(ctx context.Context, server, token string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(server, "/")+"/api/v1/admin/backup", nil)
	if err != nil {
		return fmt.Errorf("backup: --server: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		return fmt.Errorf("backup: the server answered %s: %s", res.Status, b)
	}
	_, err = io.Copy(w, res.Body)
	return err
}

// runRestore restores a backup FILE into an empty data directory, then lets
// the index catch up with the store.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("restore", args, os.LookupEnv, stderr, nil)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"restore FILE"}
	}
	if cfg.Store != "" {
		// A backup holds an embedded store; restoring it beside a
		// PostgreSQL store would serve neither.
		return errors.New("restore: the store is PostgreSQL (--store, XUNCHA_STORE): restore it with PostgreSQL's tools; xuncha restore restores the embedded store's backups")
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	m, err := restoreBackup(ctx, f, cfg.DataDir)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, newLogger(cfg, stderr))
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer a.close()
	n, err := a.sync(ctx, nil)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored a backup of %s (store at change %d, index at %d; %d changes caught up)\n", m.Created.Format(time.RFC3339), m.StoreSeq, m.IndexSeq, n)
	return nil
}
