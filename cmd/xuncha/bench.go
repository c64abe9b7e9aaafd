package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
	"github.com/xuncha/xuncha/internal/procstat"
)

// runBench is a capacity benchmark, like Elasticsearch's Rally: it imports
// a corpus into a fresh data directory (a child xuncha import), starts a
// server (a child xuncha serve), drives its HTTP API from this process with
// the fixed query mix at a given concurrency for a given time, and prints
// a table.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusPath := fs.String("corpus", "", "files or directory to import (required)")
	conns := fs.Int("connections", 16, "concurrent HTTP connections")
	duration := fs.Duration("duration", 30*time.Second, "how long to send queries")
	facets := fs.Bool("facets", true, "ask for facets with every search")
	keep := fs.String("data", "", "data directory to use (default: a temporary one, removed afterwards)")
	underLoad := fs.String("under-load", "", "after the idle run, upload these files or directory over HTTP and reindex, querying all the while; compare latencies")
	storeURL := fs.String("store", "", "an empty PostgreSQL database (postgres://…) to import into and serve from, instead of the embedded store")
	nodes := fs.Int("nodes", 1, "serving nodes (more than one needs --store); the queries are spread over them")
	rate := fs.Float64("rate", 0, "target queries per second over all connections, as Rally's target-throughput (0, the default: as fast as the connections go); latency then counts from when a query was due, so it includes any wait behind a slow server")
	queryCache := fs.Int("query-cache", 0, "the servers' result cache (entries; 0, the default, measures every search computed: the query mix repeats)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if *corpusPath == "" || *conns < 1 || *conns > 1024 || *duration <= 0 || *nodes < 1 || *nodes > 16 || !(*rate >= 0 && *rate <= 1e6) {
		return usageError{"bench --corpus PATH [--connections N (1–1024)] [--duration D] [--rate QPS (0–1000000)] [--store postgres://…] [--nodes N (1–16)]"}
	}
	if *nodes > 1 && *storeURL == "" {
		return usageError{"bench: --nodes above 1 needs --store postgres://…: nodes share a PostgreSQL store"}
	}
	if *storeURL != "" {
		if !corpus.IsPostgresURL(*storeURL) {
			return usageError{"bench: --store must be a postgres:// URL"}
		}
		pg, err := corpus.OpenPostgres(ctx, *storeURL, corpus.StoreOptions{})
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		last, err := pg.LastSeq(ctx)
		pg.Close()
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if last > 0 {
			return errors.New("bench: the --store database already holds data: give an empty one (the figures would mix the two)")
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	dir := *keep
	if dir == "" {
		if dir, err = os.MkdirTemp("", "xuncha-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	env := append(os.Environ(), "XUNCHA_DATA="+dir, "XUNCHA_NO_DEMO=true", "XUNCHA_LOG_LEVEL=warn", fmt.Sprintf("XUNCHA_QUERY_CACHE=%d", *queryCache))
	if *storeURL != "" {
		env = append(env, "XUNCHA_STORE="+*storeURL)
	}

	// 1. Import. A --data directory may hold an earlier run's import:
	// only what this one adds is timed.
	before := 0
	if *keep != "" {
		if n, err := countParagraphs(ctx, exe, env); err == nil {
			before = n
		}
	}
	fmt.Fprintf(stderr, "importing %s …\n", *corpusPath)
	start := time.Now()
	imp := exec.CommandContext(ctx, exe, "import", *corpusPath)
	imp.Env, imp.Stderr = env, stderr
	out, err := imp.Output()
	if err != nil {
		return fmt.Errorf("bench: import: %w\n%s", err, out)
	}
	importSecs := time.Since(start).Seconds()
	// The import prints how long its index update took; the rest went
	// into parsing and the store.
	var indexSecs float64
	if m := regexp.MustCompile(`index updated with \d+ changes in (\S+)`).FindSubmatch(out); m != nil {
		if d, err := time.ParseDuration(string(m[1])); err == nil {
			indexSecs = d.Seconds()
		}
	}
	paragraphs, err := countParagraphs(ctx, exe, env)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}

	// 2. Serve (with an admin token for the uploads and the reindex).
	token := ""
	if *underLoad != "" {
		tok := exec.CommandContext(ctx, exe, "token", "create", "bench", "admin")
		tok.Env, tok.Stderr = env, stderr
		out, err := tok.Output()
		if err != nil {
			return fmt.Errorf("bench: token: %w", err)
		}
		token = tokenPattern.FindString(string(out))
	}
	srv, err := startServer(ctx, exe, env, stderr, "--addr", "127.0.0.1:0", "--public-reads", "--rate", "1000000", "--burst", "1000000")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer srv.Stop()
	base := srv.Base
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns}, Timeout: 30 * time.Second}
	if err := waitReady(ctx, client, base); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	// 2b. More nodes on the shared store, each starting with an empty
	// index that it builds from the store before it is ready.
	bases := []string{base}
	var catchUp []float64
	for k := 2; k <= *nodes; k++ {
		fmt.Fprintf(stderr, "starting node %d (an empty index, built from the store) …\n", k)
		nodeEnv := append(append([]string{}, env...), "XUNCHA_DATA="+filepath.Join(dir, fmt.Sprintf("node%d", k)))
		t0 := time.Now()
		n, err := startServer(ctx, exe, nodeEnv, stderr, "--addr", "127.0.0.1:0", "--public-reads", "--rate", "1000000", "--burst", "1000000")
		if err != nil {
			return fmt.Errorf("bench: node %d: %w", k, err)
		}
		defer n.Stop()
		if err := waitReady(ctx, client, n.Base); err != nil {
			return fmt.Errorf("bench: node %d: %w", k, err)
		}
		catchUp = append(catchUp, time.Since(t0).Seconds())
		bases = append(bases, n.Base)
	}

	// 3. Load.
	fmt.Fprintf(stderr, "querying with %d connections over %d node(s) for %v …\n", *conns, len(bases), *duration)
	res := drive(ctx, client, bases, *conns, *duration, *facets, *rate)

	// 3b. Load while importing and reindexing.
	var loaded *loadResult
	var load loadReport
	if *underLoad != "" {
		fmt.Fprintf(stderr, "querying with %d connections while uploading %s and reindexing …\n", *conns, *underLoad)
		lctx, stopQueries := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { loaded = drive(lctx, client, bases, *conns, 24*time.Hour, *facets, *rate); close(done) }()
		load, err = uploadAndReindex(ctx, &http.Client{Timeout: 10 * time.Minute}, base, token, *underLoad)
		stopQueries()
		<-done
		if err != nil {
			return fmt.Errorf("bench: under load: %w", err)
		}
	}

	// 4. Report.
	indexBytes := dirBytes(filepath.Join(dir, "index"))
	rss := procstat.PeakRSS(srv.cmd.Process.Pid)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\t\n", k, v) }
	imported := paragraphs - before
	row("paragraphs imported", strconv.Itoa(imported))
	if before > 0 {
		row("paragraphs indexed", strconv.Itoa(paragraphs))
	}
	storeName := "embedded"
	if *storeURL != "" {
		storeName = "PostgreSQL"
	}
	row("store", storeName)
	if imported > 0 {
		row("import + index, paragraphs/s", fmt.Sprintf("%.0f", float64(imported)/importSecs))
		if indexSecs > 0 && indexSecs < importSecs {
			row("  parse + store, paragraphs/s", fmt.Sprintf("%.0f", float64(imported)/(importSecs-indexSecs)))
			row("  index, paragraphs/s", fmt.Sprintf("%.0f", float64(imported)/indexSecs))
		}
	} else {
		row("import + index, paragraphs/s", "— (nothing new: --data held the corpus)")
	}
	for i, secs := range catchUp {
		row(fmt.Sprintf("node %d: empty to ready", i+2), fmt.Sprintf("%.1f s", secs))
	}
	row("serving nodes", strconv.Itoa(len(bases)))
	row("result cache", fmt.Sprintf("%d entries", *queryCache))
	row("index size", fmt.Sprintf("%.1f MiB", float64(indexBytes)/(1<<20)))
	row("server peak RSS", fmt.Sprintf("%.0f MiB", float64(rss)/(1<<20)))
	row("queries", strconv.Itoa(res.n))
	if *rate > 0 {
		row("target rate, QPS", fmt.Sprintf("%.0f", *rate))
	}
	row("QPS", fmt.Sprintf("%.0f", float64(res.n)/res.elapsed.Seconds()))
	row("latency p50", ms(res.pct(0.50)))
	row("latency p99", ms(res.pct(0.99)))
	row("latency max", ms(res.pct(1)))
	if *rate > 0 {
		row("service time p50", ms(pct(res.service, 0.50)))
		row("service time p99", ms(pct(res.service, 0.99)))
	}
	row("errors", strconv.Itoa(res.errors))
	if loaded != nil {
		row("under load: files uploaded", fmt.Sprintf("%d (%d imported) in %.1f s", load.files, load.imported, load.uploadSecs))
		row("under load: reindex", fmt.Sprintf("%.1f s", load.reindexSecs))
		row("under load: queries", strconv.Itoa(loaded.n))
		row("under load: QPS", fmt.Sprintf("%.0f", float64(loaded.n)/loaded.elapsed.Seconds()))
		row("under load: latency p50", ms(loaded.pct(0.50)))
		row("under load: latency p99", ms(loaded.pct(0.99)))
		row("under load: latency max", ms(loaded.pct(1)))
		row("under load: p99 / idle p99", fmt.Sprintf("%.1f×", float64(loaded.pct(0.99))/float64(max(res.pct(0.99), time.Microsecond))))
		row("under load: errors", strconv.Itoa(loaded.errors))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if res.errors > 0 {
		return fmt.Errorf("bench: %d of %d queries failed (first: %s)", res.errors, res.n, res.firstErr)
	}
	if loaded != nil && loaded.errors > 0 {
		return fmt.Errorf("bench: under load, %d of %d queries failed (first: %s)", loaded.errors, loaded.n, loaded.firstErr)
	}
	return nil
}

// loadReport is what uploadAndReindex did.
type loadReport struct {
	files, imported         int
	uploadSecs, reindexSecs float64
}

// uploadAndReindex uploads files over HTTP, twenty to a request, as an
// editor would, and starts a reindex after the first request; it returns
// once both have finished.
func uploadAndReindex(ctx context.Context, client *http.Client, base, token, path string) (loadReport, error) {
	var rep loadReport
	files, err := corpus.ListImportable([]string{path})
	if err != nil {
		return rep, err
	}
	rep.files = len(files)
	call := func(method, target string, body io.Reader, contentType string, out any) error {
		req, err := http.NewRequestWithContext(ctx, method, base+target, body)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		if res.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %s: %.200s", method, target, res.Status, b)
		}
		return json.Unmarshal(b, out)
	}
	type task struct {
		ID, State, Error string
		Imported         int
	}
	wait := func(id string) (task, error) {
		for {
			var t task
			if err := call("GET", "/api/v1/tasks/"+id, nil, "", &t); err != nil {
				return t, err
			}
			if t.State != "running" {
				return t, nil
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	start := time.Now()
	var reindexID string
	var reindexStart time.Time
	for i := 0; i < len(files); i += 20 {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, f := range files[i:min(i+20, len(files))] {
			data, err := os.ReadFile(f)
			if err != nil {
				return rep, err
			}
			part, err := mw.CreateFormFile("file", filepath.Base(f))
			if err != nil {
				return rep, err
			}
			part.Write(data)
		}
		mw.Close()
		var t task
		if err := call("POST", "/api/v1/documents", &buf, mw.FormDataContentType(), &t); err != nil {
			return rep, err
		}
		if t, err = wait(t.ID); err != nil {
			return rep, err
		}
		rep.imported += t.Imported
		if reindexID == "" {
			var r task
			if err := call("POST", "/api/v1/admin/reindex", nil, "", &r); err != nil {
				return rep, err
			}
			reindexID, reindexStart = r.ID, time.Now()
		}
	}
	rep.uploadSecs = time.Since(start).Seconds()
	if reindexID != "" {
		t, err := wait(reindexID)
		if err != nil {
			return rep, err
		}
		if t.State != "done" {
			return rep, fmt.Errorf("reindex %s: %s", t.State, t.Error)
		}
		rep.reindexSecs = time.Since(reindexStart).Seconds()
	}
	return rep, nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

type loadResult struct {
	n, errors int
	firstErr  string
	// lat is each query's latency, sorted: from when it was sent or, with
	// a target rate, from when it was due. service is from when it was
	// sent, sorted (kept only with a target rate).
	lat, service []time.Duration
	elapsed      time.Duration
}

func (r *loadResult) pct(p float64) time.Duration { return pct(r.lat, p) }

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(p*float64(len(sorted)-1))]
}

// drive sends the query mix from conns goroutines until duration has
// passed; connection i queries bases[i mod len(bases)]. With rate > 0 the
// queries are due at a fixed rate over all connections (query k at
// start + k/rate), each sent by the next free connection once due, and a
// query's latency counts from when it was due: a server that falls behind
// shows it in the latency instead of slowing the load (the "coordinated
// omission" of closed-loop benchmarks).
func drive(ctx context.Context, client *http.Client, bases []string, conns int, duration time.Duration, facets bool, rate float64) *loadResult {
	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var next atomic.Int64
	var mu sync.Mutex
	res := &loadResult{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range conns {
		base := bases[i%len(bases)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat, service []time.Duration
			errs, firstErr := 0, ""
			for ctx.Err() == nil {
				k := next.Add(1) - 1
				q := indexer.BenchQueries[int(k)%len(indexer.BenchQueries)]
				target := base + "/api/v1/search?q=" + url.QueryEscape(q)
				if facets {
					target += "&facets=1"
				}
				t0 := time.Now()
				due := t0
				if rate > 0 {
					due = start.Add(time.Duration(float64(k) / rate * float64(time.Second)))
					if wait := time.Until(due); wait > 0 {
						select {
						case <-time.After(wait):
						case <-ctx.Done():
						}
						if ctx.Err() != nil {
							break
						}
						t0 = time.Now()
					}
				}
				err := get(ctx, client, target)
				if ctx.Err() != nil {
					break // the run ended during this request
				}
				lat = append(lat, time.Since(due))
				if rate > 0 {
					service = append(service, time.Since(t0))
				}
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.service = append(res.service, service...)
			res.errors += errs
			if res.firstErr == "" {
				res.firstErr = firstErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.n = len(res.lat)
	slices.Sort(res.lat)
	slices.Sort(res.service)
	return res
}

func get(ctx context.Context, client *http.Client, target string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", target, res.Status)
	}
	return nil
}

// serverAddress reads the child's stdout up to its "listening on" line and
// keeps draining it after.
// serverProcess is a child process running xuncha serve.
type serverProcess struct {
	cmd *exec.Cmd
	// Base is the address it listens on (http://127.0.0.1:port), and Token
	// the first admin token it printed, if it loaded the demo.
	Base, Token string
	// stderr is what the process wrote there, when a test keeps it.
	stderr interface{ String() string }
}

// startServer starts exe serve with args in env and returns once it
// listens (not yet ready: see waitReady).
func startServer(ctx context.Context, exe string, env []string, stderr io.Writer, args ...string) (*serverProcess, error) {
	cmd := exec.CommandContext(ctx, exe, append([]string{"serve"}, args...)...)
	cmd.Env, cmd.Stderr = env, stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	p := &serverProcess{cmd: cmd}
	sc := bufio.NewScanner(pipe)
	for sc.Scan() {
		line := sc.Text()
		if m := tokenPattern.FindString(line); m != "" {
			p.Token = m
		}
		if a, ok := strings.CutPrefix(line, "xuncha listening on "); ok {
			p.Base = a
			go io.Copy(io.Discard, pipe)
			return p, nil
		}
	}
	p.Stop()
	return nil, errors.New("serve: the server exited before listening")
}

var tokenPattern = regexp.MustCompile(`xct_[A-Za-z0-9_-]+`)

// Stop interrupts the server and waits for it, killing it after 15 s; it
// reports whether the server stopped on the interrupt.
func (p *serverProcess) Stop() bool {
	p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(15 * time.Second):
		p.cmd.Process.Kill()
		<-done
		return false
	}
}

func waitReady(ctx context.Context, client *http.Client, base string) error {
	deadline := time.Now().Add(30 * time.Minute)
	for time.Now().Before(deadline) {
		if err := get(ctx, client, base+"/readyz"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return errors.New("the server never became ready")
}

// countParagraphs asks a child xuncha stats for the number of passages.
func countParagraphs(ctx context.Context, exe string, env []string) (int, error) {
	cmd := exec.CommandContext(ctx, exe, "stats")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("stats: %w", err)
	}
	m := regexp.MustCompile(`passages indexed (\d+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("stats: no passage count in %q", out)
	}
	return strconv.Atoi(string(m[1]))
}

func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
