package corpus

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

func TestDiffText(t *testing.T) {
	got := DiffText("监察机关依法独立行使监察权", "监察委员会依照法律规定独立行使监察权")
	want := []DiffOp{{"=", "监察"}, {"-", "机关"}, {"+", "委员会"}, {"=", "依"}, {"+", "照"}, {"=", "法"}, {"+", "律规定"}, {"=", "独立行使监察权"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Reassembling either side gives the texts back.
	var a, b strings.Builder
	for _, o := range got {
		if o.Op != "+" {
			a.WriteString(o.Text)
		}
		if o.Op != "-" {
			b.WriteString(o.Text)
		}
	}
	if a.String() != "监察机关依法独立行使监察权" || b.String() != "监察委员会依照法律规定独立行使监察权" {
		t.Errorf("sides: %q, %q", a.String(), b.String())
	}
}

// TestCompareEditions compares 第一条 of the 2018 and 2024 监察法: the 2024
// amendment reordered its purposes.
func TestCompareEditions(t *testing.T) {
	old := parseFile(t, sharedcorpus.Path(t, "corpus", "laws", "宪法相关法", "监察法(2018-03-20).md"))
	neu := parseFile(t, sharedcorpus.Path(t, "corpus", "laws", "宪法相关法", "监察法(2024-12-25).md"))
	var id string
	for _, p := range old.Paragraphs() {
		if p.Article == "第一条" {
			id = p.ID
		}
	}
	c, err := CompareArticle(old, id, neu)
	if err != nil {
		t.Fatal(err)
	}
	if c.FromArticle != "第一条" || c.ToArticle != "第一条" || c.FromEdition != "2018" || c.ToEdition != "2024" {
		t.Errorf("compared %+v", c)
	}
	if !strings.Contains(c.ToText, "深入开展廉政建设和反腐败工作") || len(c.Diff) < 3 {
		t.Errorf("diff %+v", c.Diff)
	}
}
