package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/xuncha/xuncha/indexer"
)

// runAnalyze prints the analysis of its arguments (or of each line of stdin).
func runAnalyze(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "segment", "what to show: segment (the plain cut), words (query words), index (words and sub-words), bigrams")
	userDict := fs.String("user-dict", "", "a user dictionary file (one word a line, optionally frequency and part of speech)")
	timing := fs.Bool("time", false, "print how long loading the dictionary took")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	switch *mode {
	case "segment", "words", "index", "bigrams":
	default:
		return usageError{fmt.Sprintf("analyze: --mode must be segment, words, index or bigrams, not %q", *mode)}
	}
	start := time.Now()
	a, err := newAnalyzer(ctx, *userDict)
	if err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	if *timing {
		took := time.Since(start).Round(time.Millisecond)
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		fmt.Fprintf(stderr, "dictionary loaded in %v, heap in use %d MiB, resident %s (%s)\n",
			took, m.HeapInuse>>20, residentSize(), a.Version())
	}
	show := func(text string) {
		var toks []indexer.Token
		switch *mode {
		case "segment":
			toks = a.Segment(text)
		case "words":
			toks = a.Words(text, indexer.QueryMode)
		case "index":
			toks = a.Words(text, indexer.IndexMode)
		case "bigrams":
			toks = indexer.Bigrams(text)
		}
		if *mode == "segment" {
			parts := make([]string, len(toks))
			for i, t := range toks {
				parts[i] = text[t.Start:t.End]
			}
			fmt.Fprintln(stdout, strings.Join(parts, " / "))
			return
		}
		for _, t := range toks {
			fmt.Fprintf(stdout, "%s\t%d\t%d\t%d\t%s\n", t.Term, t.Start, t.End, t.Position, text[t.Start:t.End])
		}
	}
	if fs.NArg() > 0 {
		show(strings.Join(fs.Args(), " "))
		return nil
	}
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 64*1024), 16<<20)
	for sc.Scan() {
		show(sc.Text())
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("analyze: read input: %w", err)
	}
	return nil
}

// newAnalyzer builds the analyzer of the embedded dictionaries plus an
// optional user dictionary.
func newAnalyzer(ctx context.Context, userDict string) (*indexer.Analyzer, error) {
	opts := indexer.SegmenterOptions{}
	if userDict != "" {
		domain, err := indexer.DomainLexicon()
		if err != nil {
			return nil, err
		}
		user, err := indexer.LoadLexiconFile(userDict)
		if err != nil {
			return nil, err
		}
		opts.Lexicons = []*indexer.Lexicon{domain, user}
	}
	seg, err := indexer.NewSegmenter(ctx, opts)
	if err != nil {
		return nil, err
	}
	return indexer.NewAnalyzer(seg), nil
}

// runVersion prints the program's version and the analysis version an index
// built now would record.
func runVersion(ctx context.Context, stdout io.Writer) error {
	a, err := newAnalyzer(ctx, "")
	if err != nil {
		return fmt.Errorf("version: %w", err)
	}
	fmt.Fprintf(stdout, "xuncha %s\nanalysis %s\n", version, a.Version())
	return nil
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// residentSize returns the process's resident set size as reported by Linux,
// or "unknown" elsewhere.
func residentSize() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}
