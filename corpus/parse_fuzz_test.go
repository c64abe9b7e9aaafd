package corpus

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// checkParse asserts what every parse must give: a document with IDs and
// valid UTF-8 text, or a ParseError.
func checkParse(t *testing.T, name string, data []byte) {
	d, err := Parse(context.Background(), name, data, ParseOptions{Limits: Limits{MaxFileBytes: 1 << 20, MaxParagraphRunes: 10_000, MaxZipEntries: 100, MaxZipBytes: 4 << 20}})
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error is not a ParseError: %v", err)
		}
		return
	}
	if d.ID == "" || d.ID != DocumentID(d.Text()) || d.Title == "" {
		t.Fatalf("document without ID or title: %+v", d)
	}
	for _, p := range d.Paragraphs() {
		if !utf8.ValidString(p.Text) || strings.TrimSpace(p.Text) == "" || p.ID != ParagraphID(d.ID, p.N) {
			t.Fatalf("bad paragraph %+v", p)
		}
	}
}

func FuzzParseText(f *testing.F) {
	for _, s := range []string{
		"【提纲】一、肯定成绩。一是政治监督定位更加精准。二、提高站位。\n在2025年全区巡察工作会议上的讲话\n同志们:\n一、肯定成绩\n一是政治监督定位更加精准。",
		"# 中华人民共和国监察法\n\n2018年3月20日 第十三届全国人民代表大会第一次会议通过\n\n## 第一章 总则\n\n第一条 为了深化国家监察体制改革。\n\n监察机关办理职务违法案件。",
		"标题: 中央纪委国家监委公开通报十起典型问题\n日期: 2022-09-05 18:00\n来源: 中央纪委国家监委网站\n\n吉林省白城市政府办公室重复转发文件问题。2020年8月，重复转发。负责人受到组织处理。",
		"\xef\xbb\xbf（一）第一，首先，1. （1）第一编 第二章 第三节",
		"\xff\xfe\x6c\x5f\x0a\x00",
		"<!-- c -->\n---\ntitle: x\n---\n",
	} {
		f.Add("a.md", []byte(s))
		f.Add("a.txt", []byte(s))
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if strings.HasSuffix(name, ".pdf") {
			return // PDF is fuzzed through its child process only
		}
		checkParse(t, name, data)
	})
}

func FuzzParseHTML(f *testing.F) {
	f.Add([]byte(`<html><head><title>通报</title><meta charset="gbk"></head><body><h1>标题</h1><p>第一条 内容。<script>alert(1)</script></p><table><tr><td>甲</td><td>乙</td></tr></table></body></html>`))
	f.Add([]byte(`<p>unclosed <b>tags <i>everywhere`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "a.html", data) })
}

func FuzzParseDOCX(f *testing.F) {
	doc := `<w:document xmlns:w="x"><w:body><w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>第一章 总则</w:t></w:r></w:p>` +
		`<w:p><w:r><w:t>第一条 为了规范巡视工作。</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:body></w:document>`
	f.Add(zipOf(&testing.T{}, map[string][]byte{"word/document.xml": []byte(doc)}))
	f.Add(zipOf(&testing.T{}, map[string][]byte{"word/document.xml": []byte("<w:document><w:p><w:t>未闭合")}))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "a.docx", data) })
}

func FuzzDecodeText(f *testing.F) {
	for _, s := range []string{"巡察", "\xef\xbb\xbf巡察", "\xff\xfe\xe1\x5d\x5f\x5b", "\xb2\xe9\xd1\xb2", "\xa8\x54\xa9\x78", "a\x00b\x00c\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		text, enc, err := DecodeText(data)
		if err != nil {
			if !errors.Is(err, ErrEncoding) {
				t.Fatalf("error does not wrap ErrEncoding: %v", err)
			}
			return
		}
		if !utf8.ValidString(text) || enc == "" || strings.ContainsRune(text, '\r') {
			t.Fatalf("DecodeText gave %q (%s)", text, enc)
		}
	})
}

func FuzzParseLedger(f *testing.F) {
	f.Add("a.csv", []byte(ledgerCSV))
	f.Add("a.jsonl", []byte(`{"unit":"区委办公室","description":"问题","status":"已整改","deadline":"2025-02-30"}`))
	f.Add("a.csv", []byte("被巡察单位,问题描述\n\"未闭合,引号\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		if strings.HasSuffix(strings.ToLower(name), ".xlsx") {
			name += ".csv"
		}
		fs, err := ParseLedger(context.Background(), name, data, Limits{MaxFileBytes: 1 << 20, MaxZipEntries: 100, MaxZipBytes: 4 << 20})
		if err != nil {
			var le *LedgerError
			var pe *ParseError
			if !errors.As(err, &le) && !errors.As(err, &pe) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		for _, fd := range fs {
			if err := ValidateFinding(fd); err != nil {
				t.Fatalf("ParseLedger returned an invalid finding: %v", err)
			}
		}
	})
}

func FuzzSplitNoticeHeadline(f *testing.F) {
	f.Add("浙江省委原常委、杭州市委原书记周江勇违规收受礼品、礼金，接受可能影响公正执行公务的宴请问题")
	f.Add("原")
	f.Add("原原原党组成员")
	f.Fuzz(func(t *testing.T, h string) {
		unit, post, person, problem := splitHeadline(h)
		parts := []string{unit, post, person, problem}
		total := 0
		for _, s := range parts {
			if utf8.ValidString(h) && !utf8.ValidString(s) {
				t.Fatalf("part %q of valid %q is not valid UTF-8", s, h)
			}
			total += len(s)
		}
		// The parts are pieces of the headline: together never longer.
		if total > len(h) {
			t.Fatalf("parts %q are longer than the headline %q", parts, h)
		}
	})
}

// FuzzParsePDF goes through the child-process extractor, as production
// does: the PDF library can loop on hostile input, and only the child's time
// limit stops it. Each input costs a process start, so this target is slow.
func FuzzParsePDF(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	f.Add([]byte("%PDF-"))
	pdf := ChildPDFExtractor{Command: []string{os.Args[0]}, Env: []string{"XUNCHA_PDF_CHILD=1"}, Timeout: 2 * time.Second}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !strings.HasPrefix(string(data), "%PDF-") {
			data = append([]byte("%PDF-"), data...)
		}
		_, err := Parse(context.Background(), "a.pdf", data, ParseOptions{PDF: pdf})
		var pe *ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("error is not a ParseError: %v", err)
		}
	})
}
