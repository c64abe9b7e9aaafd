// Command xuncha is the 巡察知识库 search service and its command-line tools.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "xuncha:", err)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "xuncha:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line; main exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `xuncha — 巡察知识库: search for inspection findings, regulations and speeches

Usage:
  xuncha serve [flags]          the HTTP service (loads the demo corpus into an empty data directory)
  xuncha import [flags] PATH…   import files and directories (txt, md, html, docx, pdf; jsonl, csv, xlsx ledgers)
  xuncha search [flags] QUERY…  search from the terminal (--json for scripts)
  xuncha reindex [flags]        rebuild the index from the store, beside the live one
  xuncha backup [--server URL --token T] FILE
                                a consistent backup of store and index (hot, through --server)
  xuncha restore FILE           restore a backup into an empty data directory
  xuncha token create NAME ROLE [VALIDITY] | list | revoke ID
                                API tokens (roles: reader, editor, admin)
  xuncha stats [flags]          counts and versions
  xuncha check [flags]          verify store and index (checksums; index equals store)
  xuncha lexicon list|add|remove|import|export|preview|suggest
                                the words editors add to or take out of the dictionary
  xuncha synonyms show | set --why TEXT FILE
                                the synonym file queries are expanded with
  xuncha quote TEXT…            the sources of a quotation, with differences and citations
  xuncha cite [--format gbt7714|plain|ris] PARAGRAPH_ID
  xuncha report [--xlsx F] [--csv F] ROUND
                                a round's report and its 整改台账
  xuncha profile UNIT           a unit's profile (JSON)
  xuncha bench --corpus PATH [--connections 16] [--duration 30s] [--under-load PATH]
               [--store postgres://… [--nodes N]]
                                import a corpus, serve it, load it over HTTP, print a table
  xuncha analyze [--mode=segment|words|index|bigrams] [--user-dict=FILE] TEXT...
                      show how TEXT is normalised and cut (reads stdin without TEXT)
  xuncha version      print the version of xuncha and of its analysis

Run 'xuncha COMMAND -h' for a command's flags. Every flag also comes from an
XUNCHA_* environment variable or a JSON --config file (see README).
`

// run is the whole program: it parses args and runs one command, writing to
// stdout and stderr. It returns a usageError for a bad command line.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], stdout, stderr)
	case "search":
		return runSearch(ctx, args[1:], stdout, stderr)
	case "reindex":
		return runReindex(ctx, args[1:], stdout, stderr)
	case "quote":
		return runQuote(ctx, args[1:], stdout, stderr)
	case "cite":
		return runCite(ctx, args[1:], stdout, stderr)
	case "report":
		return runReport(ctx, args[1:], stdout, stderr)
	case "profile":
		return runProfile(ctx, args[1:], stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr)
	case "token":
		return runToken(ctx, args[1:], stdout, stderr)
	case "stats":
		return runStats(ctx, args[1:], stdout, stderr)
	case "check":
		return runCheck(ctx, args[1:], stdout, stderr)
	case "synonyms":
		return runSynonyms(ctx, args[1:], stdout, stderr)
	case "lexicon":
		return runLexicon(ctx, args[1:], stdout, stderr)
	case "pdf-extract":
		return runPDFExtract(ctx, stdin, stdout)
	case "analyze":
		return runAnalyze(ctx, args[1:], stdin, stdout, stderr)
	case "version":
		return runVersion(ctx, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return usageError{fmt.Sprintf("unknown command %q", args[0])}
	}
}
