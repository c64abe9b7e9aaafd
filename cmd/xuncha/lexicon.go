package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/indexer"
)

const lexiconUsage = `lexicon list [--history]
lexicon add --why TEXT WORD [FREQ [POS]]
lexicon remove --why TEXT WORD…
lexicon import --why TEXT FILE   (one word a line, optionally frequency and part of speech)
lexicon export                   (the stored words, in the same format)
lexicon preview [--add WORD…] [--remove WORD…] [--json]
                                 how a change would cut the indexed text, without storing it
lexicon suggest [--n 30] [--min 5] [--json]
                                 terms frequent in the corpus that the segmenter splits`

// runLexicon edits the lexicon kept in the store: the words editors add to
// or take out of the segmenter's dictionary, each change recorded with who,
// when and why under a new version. A change takes effect the next time
// xuncha starts, which rebuilds the index for the new analysis.
func runLexicon(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var why string
	var history, asJSON bool
	var top, minCount int
	var adds, removes stringList
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&why, "why", "", "why the change is made (recorded with it)")
		fs.BoolVar(&history, "history", false, "list the recorded changes instead of the words")
		fs.BoolVar(&asJSON, "json", false, "preview as JSON")
		fs.Var(&adds, "add", "a word to add (preview; repeat the flag)")
		fs.Var(&removes, "remove", "a word to remove (preview; repeat the flag)")
		fs.IntVar(&top, "n", 30, "how many new words to suggest")
		fs.IntVar(&minCount, "min", 5, "the fewest occurrences of a suggested word")
	}
	if len(args) == 0 {
		return usageError{lexiconUsage}
	}
	sub := args[0]
	if sub == "suggest" {
		return withApp(ctx, "lexicon suggest", args[1:], stderr, extra, func(a *app, rest []string) error {
			return lexiconSuggest(ctx, a, top, minCount, asJSON, stdout)
		})
	}
	if sub == "preview" {
		return withApp(ctx, "lexicon preview", args[1:], stderr, extra, func(a *app, rest []string) error {
			return lexiconPreview(ctx, a, adds, removes, asJSON, stdout)
		})
	}
	return withStore(ctx, "lexicon "+sub, args[1:], stderr, extra, func(a *app, rest []string) error {
		rest = append([]string{sub}, rest...)
		change := func(cs []corpus.LexiconChange) error {
			v, err := a.store.ChangeLexicon(ctx, cs, "cli", why)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "lexicon version %d: %d words changed; it applies when xuncha next starts, re-indexing only the passages containing the words (a running server applies changes made through its API at once)\n", v, len(cs))
			return nil
		}
		switch rest[0] {
		case "list":
			return lexiconList(ctx, a.store, history, stdout)
		case "add":
			if len(rest) < 2 || len(rest) > 4 {
				return usageError{lexiconUsage}
			}
			c := corpus.LexiconChange{Word: rest[1]}
			if len(rest) > 2 {
				f, err := strconv.ParseFloat(rest[2], 64)
				if err != nil {
					return usageError{fmt.Sprintf("lexicon add: frequency %q is not a number", rest[2])}
				}
				c.Freq = f
			}
			if len(rest) > 3 {
				c.POS = rest[3]
			}
			return change([]corpus.LexiconChange{c})
		case "remove":
			if len(rest) < 2 {
				return usageError{lexiconUsage}
			}
			var cs []corpus.LexiconChange
			for _, w := range rest[1:] {
				cs = append(cs, corpus.LexiconChange{Word: w, Remove: true})
			}
			return change(cs)
		case "import":
			if len(rest) != 2 {
				return usageError{lexiconUsage}
			}
			lex, err := indexer.LoadLexiconFile(rest[1])
			if err != nil {
				return err
			}
			var cs []corpus.LexiconChange
			for _, e := range lex.Entries {
				cs = append(cs, corpus.LexiconChange{Word: e.Word, Freq: e.Freq, POS: e.POS})
			}
			return change(cs)
		case "export":
			v, words, err := a.store.Lexicon(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "# xuncha stored lexicon\n# version: v%d\n", v)
			for _, w := range words {
				switch {
				case w.Removed:
					fmt.Fprintf(stdout, "# removed: %s\n", w.Word)
				case w.Freq > 0 || w.POS != "":
					fmt.Fprintf(stdout, "%s %s %s\n", w.Word, strconv.FormatFloat(w.Freq, 'f', -1, 64), w.POS)
				default:
					fmt.Fprintln(stdout, w.Word)
				}
			}
			return nil
		}
		return usageError{lexiconUsage}
	})
}

func lexiconList(ctx context.Context, s Store, history bool, stdout io.Writer) error {
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	if history {
		events, err := s.LexiconHistory(ctx, 1000)
		if err != nil {
			return err
		}
		fmt.Fprintln(tw, "VERSION\tAT\tWHO\tWHY\tCHANGES")
		for _, e := range events {
			var cs []string
			for _, c := range e.Changes {
				sign := "+"
				if c.Remove {
					sign = "-"
				}
				cs = append(cs, sign+c.Word)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", e.Version, e.At.Format("2006-01-02 15:04"), e.Who, e.Why, strings.Join(cs, " "))
		}
		return tw.Flush()
	}
	v, words, err := s.Lexicon(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "stored lexicon version %d, %d words\n", v, len(words))
	fmt.Fprintln(tw, "WORD\tFREQ\tPOS\tSTATE\tVERSION")
	for _, w := range words {
		state := "added"
		if w.Removed {
			state = "removed"
		}
		fmt.Fprintf(tw, "%s\t%g\t%s\t%s\t%d\n", w.Word, w.Freq, w.POS, state, w.Version)
	}
	return tw.Flush()
}

// previewLexicon builds the analysis a change would give and compares it
// with the running one over the index.
func (a *app) previewLexicon(ctx context.Context, adds, removes []string) (indexer.LexiconPreview, error) {
	v, words, err := a.store.Lexicon(ctx)
	if err != nil {
		return indexer.LexiconPreview{}, err
	}
	next := indexer.StoreLexicon(v, words)
	next.Version += "+preview"
	for _, w := range adds {
		next.Entries = append(next.Entries, indexer.LexiconEntry{Word: w})
	}
	for _, w := range removes {
		next.Entries = append(next.Entries, indexer.LexiconEntry{Word: w, Remove: true})
	}
	lexicons, err := a.baseLexicons()
	if err != nil {
		return indexer.LexiconPreview{}, err
	}
	seg, err := indexer.NewSegmenter(ctx, indexer.SegmenterOptions{Lexicons: append(lexicons, next)})
	if err != nil {
		return indexer.LexiconPreview{}, err
	}
	return a.index.PreviewLexicon(ctx, indexer.NewAnalyzer(seg), append(adds, removes...), 10)
}

// lexiconPreview prints a preview.
func lexiconPreview(ctx context.Context, a *app, adds, removes []string, asJSON bool, stdout io.Writer) error {
	if len(adds)+len(removes) == 0 {
		return usageError{"lexicon preview: name words with --add and --remove"}
	}
	if _, err := a.sync(ctx, nil); err != nil {
		return err
	}
	p, err := a.previewLexicon(ctx, adds, removes)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	capped := ""
	if p.Capped {
		capped = " (at least; the count stops at 1000 a word)"
	}
	fmt.Fprintf(stdout, "%d passages contain the words%s; %d would be cut differently\n", p.Candidates, capped, p.Changed)
	for _, s := range p.Samples {
		fmt.Fprintf(stdout, "\n%s  %s\n  now:   %s\n  after: %s\n", s.ID, s.Title, strings.Join(s.Before, " / "), strings.Join(s.After, " / "))
	}
	return nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// lexiconSuggest lists new-word candidates from every paragraph and
// finding in the store.
func lexiconSuggest(ctx context.Context, a *app, top, minCount int, asJSON bool, stdout io.Writer) error {
	if top < 1 || top > 1000 || minCount < 2 {
		return usageError{"lexicon suggest: --n from 1 to 1000, --min at least 2"}
	}
	f := indexer.NewNewWordFinder(a.analyzer)
	err := a.store.EachDocument(ctx, func(d *corpus.Document) error {
		for _, p := range d.Paragraphs() {
			f.Add(p.Text)
		}
		return nil
	})
	if err == nil {
		err = a.store.EachFinding(ctx, func(fd *corpus.Finding) error { f.Add(fd.Description + "\n" + fd.Facts); return nil })
	}
	if err != nil {
		return err
	}
	words := f.Top(ctx, top, minCount)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(words)
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WORD\tCOUNT\tNEIGHBOUR ENTROPY\tCUT NOW")
	for _, w := range words {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%s\n", w.Word, w.Count, w.Entropy, strings.Join(w.Cut, " / "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "\naccept one with: xuncha lexicon add --why \"…\" WORD")
	return nil
}

const synonymsUsage = `synonyms show             the synonym file queries are expanded with (stored, or the embedded one)
synonyms set --why TEXT FILE
                          replace it (checked first; an error names the line)`

// runSynonyms shows or replaces the synonym file kept in the store. A
// running server picks an edit made through its API at once, and one made
// on another node of a shared store at its next poll; an edit made here
// applies when the server next starts (or at once on the nodes of a shared
// store).
func runSynonyms(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var why string
	if len(args) == 0 {
		return usageError{synonymsUsage}
	}
	sub := args[0]
	return withStore(ctx, "synonyms "+sub, args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&why, "why", "", "why the change is made (recorded with it)")
	}, func(a *app, rest []string) error {
		switch {
		case sub == "show" && len(rest) == 0:
			cur, err := a.store.Synonyms(ctx)
			if err != nil {
				return err
			}
			if cur.Version == 0 {
				fmt.Fprintln(stderr, "# the embedded synonym file (none stored)")
				_, err = io.WriteString(stdout, indexer.EmbeddedSynonymFile())
				return err
			}
			fmt.Fprintf(stderr, "# stored version %d, %s by %s: %s\n", cur.Version, cur.At.Format("2006-01-02 15:04"), cur.Who, cur.Why)
			_, err = io.WriteString(stdout, cur.Text)
			return err
		case sub == "set" && len(rest) == 1:
			b, err := os.ReadFile(rest[0])
			if err != nil {
				return err
			}
			if len(b) > corpus.MaxSynonymBytes {
				return fmt.Errorf("synonyms set: %s has %d bytes (at most %d)", rest[0], len(b), corpus.MaxSynonymBytes)
			}
			if _, err := indexer.ParseSynonyms(strings.NewReader(string(b)), rest[0]); err != nil {
				return err
			}
			v, err := a.store.SetSynonyms(ctx, string(b), "cli", why)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "synonyms version %d stored; a running server applies it at its next start (the nodes of a shared store within a second)\n", v)
			return nil
		}
		return usageError{synonymsUsage}
	})
}
