package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "CURRENT")
	for _, s := range []string{"1\n", "22\n"} {
		if err := Write(path, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, err := os.ReadFile(path); err != nil || string(b) != s {
			t.Fatalf("read %q, %v; want %q", b, err, s)
		}
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
	if err := Write(filepath.Join(t.TempDir(), "no", "such", "dir"), []byte("x")); err == nil {
		t.Error("writing into a missing directory succeeded")
	}
}
