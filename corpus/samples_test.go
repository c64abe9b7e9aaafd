package corpus

import (
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/width"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// squeeze folds width and drops whitespace: the text two renderings of one
// document must share.
func squeeze(s string) string {
	s = width.Fold.String(s)
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u3000' {
			return -1
		}
		return r
	}, s)
}

// coverage returns the share of source paragraphs (those with at least 8
// characters) found verbatim, after squeezing, in the extracted text.
func coverage(source *Document, extracted string) (float64, []string) {
	ext := squeeze(extracted)
	var n, found int
	var missing []string
	for _, p := range source.Paragraphs() {
		sp := squeeze(p.Text)
		if len([]rune(sp)) < 8 {
			continue
		}
		n++
		if strings.Contains(ext, sp) {
			found++
		} else if len(missing) < 3 {
			missing = append(missing, p.Text)
		}
	}
	if n == 0 {
		return 0, nil
	}
	return float64(found) / float64(n), missing
}

func TestFormatSamplesMatchTheirSources(t *testing.T) {
	// The DOCX carries the 2024 amendment, so its source is that edition.
	law := sharedcorpus.Path(t, "corpus", "laws", "宪法相关法", "监察法(2024-12-25).md")
	xunshi := sharedcorpus.Path(t, "corpus", "party-regulations", "党内法律法规", "中国共产党巡视工作条例.md")
	notice := sharedcorpus.Path(t, "corpus", "ccdi", "notices", "t20230711_274599.txt")
	tests := []struct {
		sample, source string
		min            float64
	}{
		{sharedcorpus.Path(t, "corpus", "files", "docx", "中华人民共和国监察法.docx"), law, 1},
		{sharedcorpus.Path(t, "corpus", "files", "docx", "中国共产党巡视工作条例_2015.docx"), xunshi, 1},
		{sharedcorpus.Path(t, "corpus", "files", "docx", "中央纪委国家监委公开通报十起加重基层负担的形式主义官僚主义典型问题_2023-07-11.docx"), notice, 1},
		{sharedcorpus.Path(t, "corpus", "files", "pdf", "中国共产党巡视工作条例_2015_cidfont-nonembedded.pdf"), xunshi, 1},
		{sharedcorpus.Path(t, "corpus", "files", "pdf", "中央纪委国家监委公开通报十起加重基层负担的形式主义官僚主义典型问题_embedded-ttf.pdf"), notice, 1},
	}
	for _, tt := range tests {
		d := parseFile(t, tt.sample)
		src := parseFile(t, tt.source)
		got, missing := coverage(src, d.Text())
		t.Logf("%s: %.1f%% of the source's paragraphs", d.Source.FileName, 100*got)
		if got < tt.min {
			t.Errorf("%s: only %.1f%% of the source's paragraphs found; missing e.g. %q", d.Source.FileName, 100*got, missing)
		}
	}
}

func TestGovernmentPDF(t *testing.T) {
	d := parseFile(t, sharedcorpus.Path(t, "corpus", "files", "pdf", "2024年北京市政府工作报告.pdf"))
	text := d.Text()
	if d.Kind != KindReport || len(d.Paragraphs()) < 30 || !strings.Contains(text, "京津冀") || strings.ContainsRune(text, '\uFFFD') {
		t.Errorf("kind %s, %d paragraphs, replacement characters: %v", d.Kind, len(d.Paragraphs()), strings.ContainsRune(text, '\uFFFD'))
	}
}

func TestLegacyEncodings(t *testing.T) {
	gbPath := sharedcorpus.Path(t, "corpus", "files", "txt_gbk", "pku_test_gb2312.txt")
	utf8Path := sharedcorpus.Path(t, "eval", "sighan", "pku_test.utf8")
	gb, err := os.ReadFile(gbPath)
	if err != nil {
		t.Fatal(err)
	}
	text, enc, err := DecodeText(gb)
	if err != nil || enc != "GB18030" {
		t.Fatalf("GB2312 sample: encoding %q, %v", enc, err)
	}
	want, err := os.ReadFile(utf8Path)
	if err != nil {
		t.Fatal(err)
	}
	if squeeze(text) != squeeze(normalizeNewlines(string(want))) {
		t.Error("the GB2312 sample does not decode to the UTF-8 original")
	}

	big5, err := os.ReadFile(sharedcorpus.Path(t, "corpus", "files", "txt_big5", "cityu_test_big5hkscs.txt"))
	if err != nil {
		t.Fatal(err)
	}
	text, enc, err = DecodeText(big5)
	if err != nil || enc != "Big5" {
		t.Fatalf("Big5 sample: encoding %q, %v", enc, err)
	}
	if first, _, _ := strings.Cut(text, "\n"); first != "「練得銅皮鐵骨」露宿早慣蚊叮" {
		t.Errorf("Big5 first line %q", first)
	}
	if n := strings.Count(text, "\uFFFD"); n > 0 {
		t.Errorf("Big5 sample decoded with %d replacement characters", n)
	}

	// Through Parse as a document, too.
	d, err := Parse(context.Background(), "cityu.txt", big5, testOpts())
	if err != nil || d.Source.Encoding != "Big5" {
		t.Fatalf("Parse Big5: %v, %+v", err, d)
	}
}
