package corpus

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

func parseFile(t *testing.T, path string) *Document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Parse(context.Background(), path, data, testOpts())
	if err != nil {
		t.Fatalf("%v", err)
	}
	return d
}

// TestParseWholeSharedCorpus parses every document file under
// ../shared/corpus and reports the counts by kind.
func TestParseWholeSharedCorpus(t *testing.T) {
	root := sharedcorpus.Path(t, "corpus")
	counts := map[Kind]int{}
	var files, paragraphs, empty int
	err := filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		switch {
		case ext == ".jsonl", de.Name() == "README.md", strings.Contains(p, "/lexicon/"):
			return nil
		case testing.Short() && ext == ".md" && files%20 != 0:
			files++
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		d, err := Parse(context.Background(), p, data, testOpts())
		if onlyFrontMatter(data) {
			// Hugo section pages (_index.md): front matter and no text.
			if !errors.Is(err, ErrEmpty) {
				t.Errorf("%s has no text; Parse returned %v, want ErrEmpty", p, err)
			}
			empty++
			return nil
		}
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		files++
		counts[d.Kind]++
		paragraphs += len(d.Paragraphs())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d files, %d paragraphs; by kind: %v; %d front-matter-only pages refused as empty", files, paragraphs, counts, empty)
	if files < 3700 && !testing.Short() {
		t.Errorf("parsed %d files, the shared corpus has about 3,800", files)
	}
}

// onlyFrontMatter reports whether a Markdown file holds nothing but a
// "---" front-matter block.
func onlyFrontMatter(data []byte) bool {
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 || strings.TrimSpace(lines[0]) != "---" || strings.TrimSpace(lines[len(lines)-1]) != "---" {
		return false
	}
	for _, l := range lines[1 : len(lines)-1] {
		if !strings.Contains(l, ":") {
			return false
		}
	}
	return true
}

func TestSpeechStructure(t *testing.T) {
	d := parseFile(t, sharedcorpus.Files(t, ".txt", "corpus", "speeches")[0])
	if d.Kind != KindSpeech || d.Title != "在2025年全区巡察工作会议暨区委巡察动员部署会上的讲话" {
		t.Errorf("kind %s, title %q", d.Kind, d.Title)
	}
	var top []string
	subs := map[string][]string{}
	var last string
	for _, e := range d.Outline {
		if e.Level == levelNumeral {
			top = append(top, e.Text)
			last = e.Text
		} else if e.Level == levelSubPoint {
			subs[last] = append(subs[last], e.Text)
		}
	}
	wantTop := []string{"一、肯定成绩", "二、提高站位", "三、突出重点", "四、同题共答"}
	if len(top) != 4 {
		t.Fatalf("outline has %d top-level sections %q, want 4", len(top), top)
	}
	for i, w := range wantTop {
		if !strings.HasPrefix(top[i], w) {
			t.Errorf("section %d = %q, want it to start %q", i+1, top[i], w)
		}
	}
	if n := len(subs[top[0]]); n != 4 {
		t.Errorf("section 一 has %d sub-points (%q), want 一是…四是", n, subs[top[0]])
	}
	// Body paragraphs know their section path.
	found := false
	for _, p := range d.Paragraphs() {
		if strings.HasPrefix(p.Text, "一是政治监督定位更加精准") {
			found = true
			if len(p.Path) != 2 || !strings.HasPrefix(p.Path[0], "一、肯定成绩") || p.Path[1] != "一是政治监督定位更加精准" {
				t.Errorf("一是 paragraph has path %q", p.Path)
			}
		}
	}
	if !found {
		t.Error("no 一是 paragraph in the body")
	}
	// Redaction marks are kept as they are.
	if !strings.Contains(d.Text(), "_总书记") || !strings.Contains(d.Text(), "*区") {
		t.Error("redaction marks * and _ were not kept")
	}
}

func TestLawStructure(t *testing.T) {
	d := parseFile(t, sharedcorpus.Path(t, "corpus", "laws", "宪法相关法", "监察法(2018-03-20).md"))
	if d.Title != "中华人民共和国监察法" || d.Kind != KindRegulation {
		t.Errorf("title %q kind %s", d.Title, d.Kind)
	}
	if got := d.Date.Format("2006-01-02"); got != "2018-03-20" {
		t.Errorf("date %s, want 2018-03-20", got)
	}
	if d.Issuer != "全国人民代表大会" {
		t.Errorf("issuer %q", d.Issuer)
	}
	articles := map[string][]string{}
	for _, p := range d.Paragraphs() {
		if p.Article != "" {
			articles[p.Article] = p.Path
		}
	}
	if len(articles) < 69 {
		t.Errorf("%d articles, the 2018 监察法 has 69", len(articles))
	}
	if p := articles["第七条"]; len(p) != 1 || p[0] != "第二章 监察机关及其职责" {
		t.Errorf("第七条 is under %q, want 第二章 监察机关及其职责", p)
	}
	// A continuation paragraph belongs to the article above it.
	for _, p := range d.Paragraphs() {
		if strings.HasPrefix(p.Text, "监察机关办理职务违法和职务犯罪案件，应当与审判机关") && p.Article != "第四条" {
			t.Errorf("continuation paragraph has article %q, want 第四条", p.Article)
		}
	}
}

func TestPartyRegulationEditions(t *testing.T) {
	files := sharedcorpus.Files(t, ".md", "corpus", "party-regulations")
	editions := map[string]string{}
	for _, f := range files {
		if strings.Contains(f, "中国共产党纪律处分条例") {
			d := parseFile(t, f)
			editions[d.Edition] = d.Work
		}
	}
	for _, y := range []string{"1997", "2003", "2015", "2018", "2023"} {
		w, ok := editions[y]
		if !ok {
			t.Errorf("edition %s of 纪律处分条例 not recognised (got %v)", y, editions)
			continue
		}
		if w != "中国共产党纪律处分条例" {
			t.Errorf("edition %s belongs to work %q", y, w)
		}
	}
}

// TestArticleItemsAreNotHeadings: （一）… items inside an article belong to
// the article, under its chapter, not to a section of their own.
func TestArticleItemsAreNotHeadings(t *testing.T) {
	d := testDoc(t, "第二章 监察机关\n第十一条 监察委员会依照本法履行下列职责：\n（一）对公职人员开展廉政教育；\n（二）对涉嫌职务违法的进行调查。\n第十二条 派驻机构。")
	for _, p := range d.Paragraphs() {
		if strings.HasPrefix(p.Text, "（") {
			if p.Article != "第十一条" || len(p.Path) != 1 || p.Path[0] != "第二章 监察机关" {
				t.Errorf("item %q: article %q, path %q", p.Text, p.Article, p.Path)
			}
		}
	}
}
