package corpus

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

// TestCiteGolden: one paragraph of each kind, with the references written by
// hand from GB/T 7714-2015 (type codes: [EB/OL] for texts read online, [R]
// for reports, [Z] for other texts).
func TestCiteGolden(t *testing.T) {
	accessed := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		file       []string
		find       func(PathParagraph) bool
		gbt, plain string
	}{
		{[]string{"corpus", "laws", "宪法相关法", "监察法(2018-03-20).md"},
			func(p PathParagraph) bool { return p.Article == "第七条" },
			"全国人民代表大会. 中华人民共和国监察法[EB/OL]. (2018-03-20)[2026-11-26].",
			"《中华人民共和国监察法》第七条"},
		{[]string{"corpus", "party-regulations", "党内法律法规", "中国共产党纪律处分条例_2018.md"},
			func(p PathParagraph) bool { return p.Article == "第六十九条" },
			"中国共产党纪律处分条例[EB/OL]. (2018)[2026-11-26].",
			"《中国共产党纪律处分条例》(2018年版)第六十九条"},
		{[]string{"corpus", "ccdi", "notices", "t20230711_274599.txt"},
			func(p PathParagraph) bool { return strings.HasPrefix(p.Text, "吉林省白城市政府办公室") },
			"中央纪委国家监委. 中央纪委国家监委公开通报十起加重基层负担的形式主义、官僚主义典型问题[EB/OL]. (2023-07-11)[2026-11-26].",
			"《中央纪委国家监委公开通报十起加重基层负担的形式主义、官僚主义典型问题》第2段"},
		{[]string{"corpus", "speeches", "2025年全区巡察工作会议暨区委巡察动员部署会讲话.txt"},
			func(p PathParagraph) bool { return strings.HasPrefix(p.Text, "一是政治监督定位更加精准") },
			"在2025年全区巡察工作会议暨区委巡察动员部署会上的讲话[Z].",
			"《在2025年全区巡察工作会议暨区委巡察动员部署会上的讲话》一、肯定成绩,总结经验,深刻把握新时代巡察工作的规律与使命 一是政治监督定位更加精准"},
		{[]string{"corpus", "gov-work-reports", "2023_2023年中华人民共和国国务院政府工作报告.txt"},
			func(p PathParagraph) bool {
				return strings.HasPrefix(p.Text, "2022年是党和国家历史上极为重要的一年")
			},
			"2023年中华人民共和国国务院政府工作报告[R]. 2023.",
			"《2023年中华人民共和国国务院政府工作报告》一、过去一年和五年工作回顾"},
	}
	for _, tt := range tests {
		d := parseFile(t, sharedcorpus.Path(t, tt.file...))
		var id string
		for _, p := range d.Paragraphs() {
			if tt.find(p) {
				id = p.ID
				break
			}
		}
		if id == "" {
			t.Fatalf("%s: paragraph not found", d.Title)
		}
		c, err := Cite(d, id, accessed)
		if err != nil {
			t.Fatal(err)
		}
		if c.GBT7714 != tt.gbt {
			t.Errorf("GB/T 7714:\n got %s\nwant %s", c.GBT7714, tt.gbt)
		}
		if c.Plain != tt.plain {
			t.Errorf("plain:\n got %s\nwant %s", c.Plain, tt.plain)
		}
		if !strings.HasPrefix(c.RIS, "TY  - ") || !strings.HasSuffix(c.RIS, "ER  - \r\n") || !strings.Contains(c.RIS, "N1  - "+tt.plain) {
			t.Errorf("RIS:\n%s", c.RIS)
		}
	}
	d := testDoc(t, "标题\n内容。")
	if _, err := Cite(d, "nope", accessed); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown paragraph: %v", err)
	}
}
