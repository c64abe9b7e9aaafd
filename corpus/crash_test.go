package corpus

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// TestKillDuringImport kills an importing process with SIGKILL at several
// moments and checks, each time, that every document it acknowledged is in
// the store, whole, and that nothing half-written is.
func TestKillDuringImport(t *testing.T) {
	files := sharedcorpus.Files(t, ".md", "corpus", "laws")
	files = files[:min(len(files), 400)]
	path := filepath.Join(t.TempDir(), "store.db")
	acked := map[string]bool{}
	for round, killAfter := range []int{5, 37, 120} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "XUNCHA_IMPORT_CHILD="+path, "XUNCHA_IMPORT_FILES="+strings.Join(files, "\n"))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ACK" {
				acked[f[1]] = true
				if n++; n == killAfter {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		cmd.Wait() // killed: its error is expected
		s, err := OpenBolt(context.Background(), path, StoreOptions{})
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		if err := s.Check(context.Background()); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for id := range acked {
			if _, err := s.GetDocument(context.Background(), id); err != nil {
				t.Errorf("round %d: acknowledged document %s lost: %v", round, id, err)
			}
		}
		stored := 0
		err = s.EachDocument(context.Background(), func(d *Document) error {
			stored++
			if DocumentID(d.Text()) != d.ID || len(d.Paragraphs()) == 0 {
				t.Errorf("round %d: document %s is not whole", round, d.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		changes, err := s.Changes(context.Background(), 0, 1<<20)
		if err != nil || len(changes) != stored {
			t.Errorf("round %d: %d changes for %d documents (%v)", round, len(changes), stored, err)
		}
		t.Logf("round %d: killed after %d acknowledgements; %d acknowledged in all, %d stored", round, killAfter, len(acked), stored)
		s.Close()
	}
}
