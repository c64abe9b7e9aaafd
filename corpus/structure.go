package corpus

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Heading levels, outermost first. Laws use 编/章/节; speeches and reports
// use 一、 （一） 1. （1） and sub-points (一是, 第一，, 首先).
const (
	levelPart       = 1 // 第X编
	levelChapter    = 2 // 第X章
	levelSection    = 3 // 第X节
	levelNumeral    = 4 // 一、
	levelParen      = 5 // （一）
	levelArabic     = 6 // 1.
	levelArabicPar  = 7 // （1）
	levelSubPoint   = 8 // 一是 / 第一， / 首先，
	levelMarkdownH2 = 3 // a Markdown heading without a numbering marker
)

const cn = `[一二三四五六七八九十百千零〇两]`

var (
	rePart       = regexp.MustCompile(`^第` + cn + `+编`)
	reChapter    = regexp.MustCompile(`^第` + cn + `+章`)
	reSection    = regexp.MustCompile(`^第` + cn + `+节`)
	reArticle    = regexp.MustCompile(`^(第` + cn + `+条)(之` + cn + `+)?`)
	reNumeral    = regexp.MustCompile(`^` + cn + `{1,3}、`)
	reParen      = regexp.MustCompile(`^[（(]` + cn + `{1,3}[）)]`)
	reArabic     = regexp.MustCompile(`^[0-9０-９]{1,2}[\.．、](?:[^0-9０-９]|$)`)
	reArabicPar  = regexp.MustCompile(`^[（(][0-9０-９]{1,2}[）)]`)
	reSubPoint   = regexp.MustCompile(`^(` + cn + `{1,3}是|第` + cn + `{1,3}[，,、]|首先[，,]|其次[，,]|再次[，,]|最后[，,])`)
	reHeaderLine = regexp.MustCompile(`^(标题|日期|来源|原文件|年份|发布日期|发文机关|作者)\s*[:：]\s*(.*)$`)
	reOutline    = regexp.MustCompile(`^【提纲】`)
	reFileStamp  = regexp.MustCompile(`_\d{10,}(_\d+)?$`)
	reIssued     = regexp.MustCompile(`通过|发布|印发|公布`)
	reOutlineNum = regexp.MustCompile(`(` + cn + `{1,3}、|[（(]` + cn + `{1,3}[）)]|` + cn + `{1,3}是)`)
	reSpeechTitl = regexp.MustCompile(`^在.{2,60}(会议|会|仪式|典礼|活动|讲座|座谈会)(上|中)?的(讲话|致辞|报告)$|讲话$|讲话稿$`)
	reDateNum    = regexp.MustCompile(`(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})`)
	reDateCN     = regexp.MustCompile(`([一二三四五六七八九〇零○]{4})年(` + cn + `{1,3})月(` + cn + `{1,3})日`)
	reEditionTag = regexp.MustCompile(`[_（(]?((?:19|20)\d{2})(?:[-年]\d{1,2}[-月]\d{1,2}日?)?[)）]?$`)
	reFileDate   = regexp.MustCompile(`\((\d{4}-\d{2}-\d{2})\)`)
	reSentence   = regexp.MustCompile(`^(.+?[。！？；：!?;:])`)
)

// headingLevel classifies a line: its heading level (0 if it is not a
// heading) and whether it is a 第X条 article.
func headingLevel(line string) (level int, article string) {
	switch {
	case rePart.MatchString(line):
		return levelPart, ""
	case reChapter.MatchString(line):
		return levelChapter, ""
	case reSection.MatchString(line):
		return levelSection, ""
	case reArticle.MatchString(line):
		return 0, reArticle.FindString(line)
	case reNumeral.MatchString(line):
		return levelNumeral, ""
	case reParen.MatchString(line):
		return levelParen, ""
	case reArabicPar.MatchString(line):
		return levelArabicPar, ""
	case reArabic.MatchString(line):
		return levelArabic, ""
	case reSubPoint.MatchString(line):
		return levelSubPoint, ""
	}
	return 0, ""
}

// isPureHeading reports whether a heading line is only a heading (short, no
// sentence inside it) rather than a paragraph that opens with a heading.
func isPureHeading(line string, level int) bool {
	if level == levelSubPoint {
		return false
	}
	if utf8.RuneCountInString(line) > 60 {
		return false
	}
	body := strings.TrimRight(line, "。.")
	return !strings.ContainsAny(body, "。！？；!?;")
}

// headingText returns the heading a line opens: the whole line for a pure
// heading, else its first sentence, at most 60 characters.
func headingText(line string, pure bool) string {
	h := line
	if !pure {
		if m := reSentence.FindStringSubmatch(line); m != nil {
			h = m[1]
		}
		h = strings.TrimRight(h, "。！？；：!?;:")
	}
	if r := []rune(h); len(r) > 60 {
		h = string(r[:60]) + "…"
	}
	return strings.TrimSpace(h)
}

// OutlineEntry is one line of a speech's 【提纲】 outline.
type OutlineEntry struct {
	Level int    `json:"level"`
	Text  string `json:"text"`
}

// parseOutline splits the text after 【提纲】 into its headings and sub-points.
func parseOutline(s string) []OutlineEntry {
	s = strings.TrimSpace(reOutline.ReplaceAllString(s, ""))
	// Split before every numbering marker.
	idx := reOutlineNum.FindAllStringIndex(s, -1)
	var out []OutlineEntry
	for i, loc := range idx {
		end := len(s)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		text := strings.TrimSpace(strings.TrimRight(s[loc[0]:end], "。；; "))
		if text == "" {
			continue
		}
		level, _ := headingLevel(text)
		if level == 0 {
			continue
		}
		out = append(out, OutlineEntry{Level: level, Text: text})
	}
	return out
}

// structure turns the lines of a text into a document: title, metadata and
// sections. name is the file's name (it may carry a date or an edition);
// markdown says whether # lines are headings.
func structure(name string, lines []string, markdown bool) *Document {
	d := &Document{}
	var (
		path      []string
		levels    []int
		article   string
		paraN     int
		current   *Section
		titleSeen bool
		inComment bool
	)
	header := map[string]string{}
	newSection := func() {
		d.Sections = append(d.Sections, Section{Path: append([]string(nil), path...)})
		current = &d.Sections[len(d.Sections)-1]
	}
	push := func(level int, heading string) {
		for len(levels) > 0 && levels[len(levels)-1] >= level {
			levels = levels[:len(levels)-1]
			path = path[:len(path)-1]
		}
		levels = append(levels, level)
		path = append(path, heading)
		article = ""
		current = nil
	}
	addPara := func(text, art string) {
		if current == nil {
			newSection()
		}
		paraN++
		current.Paragraphs = append(current.Paragraphs, Paragraph{N: paraN, Text: text, Article: art})
	}

	for i, raw := range lines {
		line := strings.TrimSpace(strings.TrimPrefix(raw, "\uFEFF"))
		line = strings.Trim(line, "\u3000 \t")
		if line == "" {
			continue
		}
		if markdown {
			if inComment {
				if strings.Contains(line, "-->") {
					inComment = false
				}
				continue
			}
			if strings.HasPrefix(line, "<!--") {
				inComment = !strings.Contains(line, "-->")
				continue
			}
			if line == "---" || strings.HasPrefix(line, "title:") || strings.HasPrefix(line, "bookCollapseSection:") || strings.HasPrefix(line, "weight:") {
				continue // front matter
			}
		}
		// Header lines of notices and reports: 标题: …, 日期: …
		if i < 8 && len(d.Sections) == 0 {
			if m := reHeaderLine.FindStringSubmatch(line); m != nil {
				header[m[1]] = strings.TrimSpace(m[2])
				continue
			}
		}
		mdLevel := 0
		if markdown && strings.HasPrefix(line, "#") {
			mdLevel = len(line) - len(strings.TrimLeft(line, "#"))
			line = strings.TrimSpace(strings.TrimLeft(line, "#"))
			if line == "" {
				continue
			}
		}
		if reOutline.MatchString(line) {
			d.Outline = parseOutline(line)
			push(levelPart, "【提纲】")
			addPara(line, "")
			levels, path, current = nil, nil, nil
			continue
		}
		level, art := headingLevel(line)
		switch {
		case mdLevel > 0 && level == 0 && art == "":
			if !titleSeen {
				d.Title, titleSeen = line, true
				continue
			}
			push(levelMarkdownH2+mdLevel-2, line)
			continue
		case !titleSeen && d.Title == "" && level == 0 && art == "" && reSpeechTitl.MatchString(line):
			d.Title, titleSeen = line, true
			d.Kind = KindSpeech
			continue
		case art != "":
			article = art
			addPara(line, article)
			continue
		case level >= levelNumeral && article != "":
			// Inside an article, （一） 1. and the like are its items.
			addPara(line, article)
			continue
		case level > 0:
			pure := isPureHeading(line, level)
			push(level, headingText(line, pure))
			if !pure {
				addPara(line, "")
			}
			continue
		}
		addPara(line, article)
	}

	// Paragraph IDs need the document ID, which needs the text: set later.
	if t := header["标题"]; t != "" {
		d.Title = t
	}
	if d.Title == "" {
		d.Title = titleFromName(name)
	}
	d.Title = strings.TrimSpace(d.Title)
	if d.Title == "" || d.Title == "." {
		// No title in the text or the name: the first paragraph stands
		// in, shortened.
		d.Title = "未命名文档"
		for _, s := range d.Sections {
			if len(s.Paragraphs) > 0 {
				d.Title = strings.TrimSpace(truncate(s.Paragraphs[0].Text, 40))
				break
			}
		}
	}
	d.Date = findDate(header, name, d)
	d.Edition, d.Work = edition(name, d.Title)
	d.Issuer = findIssuer(header, d)
	if d.Kind == "" {
		d.Kind = guessKind(d.Title, name)
	}
	return d
}

// titleFromName derives a title from a file name: no directory, extension,
// date in brackets or trailing import tags.
func titleFromName(name string) string {
	base := filepath.Base(name)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	base = reFileDate.ReplaceAllString(base, "")
	base = reFileStamp.ReplaceAllString(base, "")
	return strings.Trim(strings.ReplaceAll(base, "_", " "), " ")
}

// edition finds the edition of a regulation in its file name or title
// (纪律处分条例_2018, 纪律处分条例1997, 监察法(2018-03-20)) and returns it
// with the work's name (the title without the edition).
func edition(name, title string) (string, string) {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	work := strings.TrimSpace(reEditionTag.ReplaceAllString(strings.TrimSpace(title), ""))
	if m := reFileDate.FindStringSubmatch(base); m != nil {
		return m[1][:4], work
	}
	if m := reEditionTag.FindStringSubmatch(base); m != nil {
		return m[1], work
	}
	if m := reEditionTag.FindStringSubmatch(strings.TrimSpace(title)); m != nil {
		return m[1], work
	}
	return "", work
}

var cnDigit = map[rune]int{'〇': 0, '零': 0, '○': 0, '一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}

// cnNumber converts a Chinese number up to 99 (十二, 二十, 三十一).
func cnNumber(s string) int {
	r := []rune(s)
	switch {
	case len(r) == 0:
		return 0
	case len(r) == 1 && r[0] == '十':
		return 10
	case r[0] == '十':
		return 10 + cnDigit[r[1]]
	case len(r) >= 2 && r[1] == '十':
		n := cnDigit[r[0]] * 10
		if len(r) == 3 {
			n += cnDigit[r[2]]
		}
		return n
	}
	return cnDigit[r[0]]
}

func makeDate(y, m, d int) (time.Time, bool) {
	if y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// parseDateIn finds the first full date in s (2018-03-20, 2018年3月20日,
// 一九九七年二月十七日).
func parseDateIn(s string) (time.Time, bool) {
	if m := reDateNum.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		if t, ok := makeDate(y, mo, d); ok {
			return t, true
		}
	}
	if m := reDateCN.FindStringSubmatch(s); m != nil {
		y := 0
		for _, r := range m[1] {
			y = y*10 + cnDigit[r]
		}
		if t, ok := makeDate(y, cnNumber(m[2]), cnNumber(m[3])); ok {
			return t, true
		}
	}
	return time.Time{}, false
}

// findDate takes the date from a 日期 header, the file name, or the first
// paragraphs (a law's 通过 line, a report's byline), in that order.
func findDate(header map[string]string, name string, d *Document) time.Time {
	for _, k := range []string{"日期", "发布日期"} {
		if t, ok := parseDateIn(header[k]); ok {
			return t
		}
	}
	if m := reFileDate.FindStringSubmatch(filepath.Base(name)); m != nil {
		if t, ok := parseDateIn(m[1]); ok {
			return t
		}
	}
	seen := 0
	for _, s := range d.Sections {
		for _, p := range s.Paragraphs {
			if seen++; seen > 6 {
				return time.Time{}
			}
			if utf8.RuneCountInString(p.Text) > 80 {
				continue // a dated sentence in running text is not the document's date
			}
			if t, ok := parseDateIn(p.Text); ok {
				return t
			}
		}
	}
	return time.Time{}
}

var issuerPatterns = []struct {
	re     *regexp.Regexp
	issuer string
}{
	{regexp.MustCompile(`全国人民代表大会常务委员会`), "全国人民代表大会常务委员会"},
	{regexp.MustCompile(`全国人民代表大会`), "全国人民代表大会"},
	{regexp.MustCompile(`中共中央办公厅`), "中共中央办公厅"},
	{regexp.MustCompile(`中共中央`), "中共中央"},
	{regexp.MustCompile(`中央纪委国家监委`), "中央纪委国家监委"},
	{regexp.MustCompile(`中央纪委`), "中央纪委"},
	{regexp.MustCompile(`国务院`), "国务院"},
	{regexp.MustCompile(`最高人民法院`), "最高人民法院"},
	{regexp.MustCompile(`最高人民检察院`), "最高人民检察院"},
}

// findIssuer takes the issuer from a 来源 or 发文机关 header, or from a short
// 通过/发布 line near the top.
func findIssuer(header map[string]string, d *Document) string {
	for _, k := range []string{"发文机关", "来源"} {
		v := header[k]
		if v == "" || strings.HasPrefix(v, "http") {
			continue
		}
		for _, p := range issuerPatterns {
			if p.re.MatchString(v) {
				return p.issuer
			}
		}
		return strings.TrimSuffix(v, "网站")
	}
	seen := 0
	for _, s := range d.Sections {
		for _, p := range s.Paragraphs {
			if seen++; seen > 4 {
				return ""
			}
			if utf8.RuneCountInString(p.Text) > 80 || !reIssued.MatchString(p.Text) {
				continue
			}
			for _, ip := range issuerPatterns {
				if ip.re.MatchString(p.Text) {
					return ip.issuer
				}
			}
		}
	}
	return ""
}

// guessKind decides a document's kind from its title and file name.
func guessKind(title, name string) Kind {
	t := title + " " + filepath.Base(name)
	switch {
	case strings.Contains(t, "通报"):
		return KindNotice
	case strings.Contains(t, "讲话") || strings.Contains(t, "致辞"):
		return KindSpeech
	case strings.Contains(t, "报告"):
		return KindReport
	}
	for _, suffix := range []string{"法", "条例", "规定", "办法", "细则", "准则", "规则", "解释", "决定", "意见", "规程", "批复", "通知", "标准", "章程", "纲要", "指引", "清单"} {
		if strings.Contains(title, suffix) {
			return KindRegulation
		}
	}
	return KindOther
}
