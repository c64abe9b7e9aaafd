package indexer

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xuncha/xuncha/corpus"
	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// TestKillDuringSync kills a syncing process with SIGKILL after its first
// committed batches, restarts the sync, and checks that the index then
// equals the store: same passage IDs, same count.
func TestKillDuringSync(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	files := sharedcorpus.Files(t, ".md", "corpus", "laws")
	stride := 25
	if testing.Short() {
		stride = 100
	}
	var sample []string
	for i := 0; i < len(files); i += stride {
		sample = append(sample, files[i])
	}
	s, err := corpus.OpenBolt(ctx, filepath.Join(dir, "store.db"), corpus.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := corpus.ImportFiles(ctx, s, sample, corpus.ParseOptions{}, nil); err != nil {
		t.Fatal(err)
	}
	want := expectedIDs(t, s)
	s.Close()

	for round, killAt := range []int{1, 3} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "XUNCHA_SYNC_CHILD="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		seen := 0
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "ERR") {
				t.Fatalf("child: %s", line)
			}
			if strings.HasPrefix(line, "SEQ") {
				if seen++; seen == killAt {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		cmd.Wait() // killed: its error is expected
		t.Logf("round %d: killed after %d committed batches", round, seen)
	}

	s, err = corpus.OpenBolt(ctx, filepath.Join(dir, "store.db"), corpus.StoreOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ix, err := Open(ctx, filepath.Join(dir, "index"), testAnalyzer(t), Options{})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer ix.Close()
	before, _ := ix.AppliedSeq()
	if _, err := ix.Sync(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := ix.AppliedSeq()
	last, _ := s.LastSeq(ctx)
	t.Logf("applied seq %d after the kills, %d after catching up (store at %d); %d passages", before, after, last, len(want))
	if after != last {
		t.Errorf("applied seq %d, store at %d", after, last)
	}
	if diff := cmp.Diff(want, indexedIDs(t, ix)); diff != "" {
		t.Errorf("index differs from store after a crash (-store +index):\n%s", diff)
	}
}
