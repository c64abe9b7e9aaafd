package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuncha/xuncha/internal/sharedcorpus"
)

func readExpectedUnits(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("testdata/notice_units.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, unit, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("bad line %q", line)
		}
		m[id] = unit
	}
	return m
}

// TestNoticeUnits splits the 14 CCDI notices and compares each case with the
// reference cases (typical-cases.jsonl) and the units a person wrote down.
func TestNoticeUnits(t *testing.T) {
	want := readExpectedUnits(t)
	ref := map[string]struct{ Headline, Disposition string }{}
	f, err := os.Open(sharedcorpus.Path(t, "corpus", "ccdi", "typical-cases.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r struct {
			ID, Headline, Disposition string
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		ref[r.ID] = struct{ Headline, Disposition string }{r.Headline, r.Disposition}
	}

	right, total := 0, 0
	for _, path := range sharedcorpus.Files(t, ".txt", "corpus", "ccdi", "notices") {
		d := parseFile(t, path)
		if d.Kind != KindNotice {
			t.Errorf("%s: kind %s", path, d.Kind)
		}
		cases := SplitNotice(d)
		stem := strings.TrimSuffix(filepath.Base(path), ".txt")
		for i, c := range cases {
			id := fmt.Sprintf("%s_%02d", stem, i+1)
			if len(cases) == 1 {
				id = stem + "_00"
			}
			r, ok := ref[id]
			if !ok {
				t.Errorf("%s: case %d (%q) has no reference case", stem, i+1, c.Headline)
				continue
			}
			if len(cases) > 1 && c.Headline != strings.TrimSpace(r.Headline) {
				t.Errorf("%s: headline %q, reference %q", id, c.Headline, r.Headline)
			}
			total++
			if c.Unit == want[id] {
				right++
			} else {
				t.Logf("%s: unit %q, expected %q", id, c.Unit, want[id])
			}
			if c.Disposition == "" && len(cases) > 1 {
				t.Errorf("%s: no disposition found in %q", id, c.Paragraph.Text)
			}
		}
	}
	t.Logf("%d of %d cases have the right unit", right, total)
	if total != 105 {
		t.Errorf("split %d cases, the reference has 105", total)
	}
	if right < 95 {
		t.Errorf("%d of %d units right, want at least 95", right, total)
	}
}

func TestSplitHeadline(t *testing.T) {
	tests := []struct{ in, unit, post, person string }{
		{"浙江省委原常委、杭州市委原书记周江勇违规收受礼品、礼金，接受可能影响公正执行公务的宴请问题", "浙江省委", "原常委、杭州市委原书记", "周江勇"},
		{"山西省原粮食局党组书记、局长杨随亭违规决策造成国有资产损失、违反财经纪律、受贿案", "山西省粮食局", "党组书记、局长", "杨随亭"},
		{"河南省中原信托有限公司原党委书记、董事长赵卫华违规收受礼品、礼金问题", "河南省中原信托有限公司", "原党委书记、董事长", "赵卫华"},
		{"吉林省白城市政府办公室重复转发文件、照搬照抄上级文件内容问题", "吉林省白城市政府办公室", "", ""},
	}
	for _, tt := range tests {
		unit, post, person, _ := splitHeadline(tt.in)
		if unit != tt.unit || post != tt.post || person != tt.person {
			t.Errorf("splitHeadline(%q) = %q, %q, %q; want %q, %q, %q", tt.in, unit, post, person, tt.unit, tt.post, tt.person)
		}
	}
}
