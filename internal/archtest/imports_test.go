package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportGraph checks the layering rules of STYLE.md: corpus depends on
// none of bleve, gse or echo; only indexer imports bleve and gse; only api
// imports echo.
func TestImportGraph(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not on PATH")
	}
	// Direct imports of every package of the module.
	out, err := exec.Command(goTool, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/xuncha/xuncha/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const mod = "github.com/xuncha/xuncha/"
	owners := map[string]string{
		"github.com/blevesearch/": mod + "indexer",
		"github.com/go-ego/gse":   mod + "indexer",
		"github.com/labstack/":    mod + "api",
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		pkg := f[0]
		seen++
		for _, imp := range f[1:] {
			for prefix, owner := range owners {
				if strings.HasPrefix(imp, prefix) && pkg != owner && !strings.HasPrefix(pkg, owner+"/") {
					t.Errorf("%s imports %s; only %s may", pkg, imp, owner)
				}
			}
		}
	}
	if seen < 4 {
		t.Fatalf("go list saw %d packages; expected the whole module", seen)
	}

	// Everything corpus depends on, transitively.
	out, err = exec.Command(goTool, "list", "-deps", mod+"corpus/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"github.com/blevesearch/", "github.com/go-ego/", "github.com/labstack/", mod + "indexer", mod + "api"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("corpus depends on %s", dep)
			}
		}
	}
}
