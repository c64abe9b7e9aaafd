package corpus

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Posts that follow a unit's name in a notice headline, longest first so
// that 副主任 is preferred to 主任.
var postWords = []string{
	"党组副书记", "党委副书记", "党组书记", "党委书记", "党支部书记", "党工委书记", "党组成员", "党委委员", "党委常委",
	"区委副书记", "区委书记", "县委书记", "市委书记",
	"一级巡视员", "二级巡视员", "副巡视员", "巡视员",
	"专职副主任", "副总队长", "总队长", "副总经理", "总经理", "副董事长", "董事长", "副理事长", "理事长", "副秘书长", "秘书长",
	"总会计师", "安全总监", "副总裁", "副主席", "主席", "副主任", "主任", "副局长", "局长", "副部长", "部长", "副厅长", "厅长",
	"副司长", "司长", "副处长", "处长", "副省长", "副市长", "副区长", "副县长", "副院长", "院长", "副行长", "行长",
	"副师长", "师长", "副团长", "团长", "副书记", "书记", "常委", "委员", "负责人",
}

// orgEnd holds the characters a unit's name ends with.
const orgEnd = "委会局厅部院司处府协队站心所行团师库区县市省镇乡办组室社司馆校"

// problemStart matches the words that open the problem part of a headline.
var problemStart = regexp.MustCompile(`^(等人|违规|违反|接受|搞|干预|虚假|挪用|在|长期|举办|套取|盲目|应付式|漠视|以考察|以培训|政绩观|不作为|乱作为|慢作为|贯彻|“|组织|热衷|借|提供|调研|超标准|公款|由他人|下达|要求|重复|制定|推进|任性|对审计|违规决策|急功近利|多次|利用)`)

var (
	reCaseNumber  = regexp.MustCompile(`^\s*(?:[0-9０-９]{1,2}[\.．、]|[（(][0-9一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)\s*`)
	reInnerFormer = regexp.MustCompile(`([省市县区])原`)
	reDisposal    = regexp.MustCompile(`开除|处分|处理|移送|问责|警告|免职|撤职|追究|给予|受到|立案|审查起诉|判处|诫勉|责令`)
	reUnitInText  = regexp.MustCompile(`(?:查处了|时任)([^，。；、]{2,40}?)(?:（[^）]*）)?(?:原)?(` + strings.Join(postWords, "|") + `)`)
	reCaseCount   = regexp.MustCompile(`^[一二三四五六七八九十\d]+起`)
)

// problemCategories maps words in a case to the problem types it is filed
// under.
var problemCategories = []struct {
	words []string
	typ   string
}{
	{[]string{"收受礼品", "收受礼金", "礼品、礼金", "收受购物卡", "敛财"}, "违规收受礼品礼金"},
	{[]string{"公款吃喝", "违规吃喝", "宴请", "吃公函", "酒局"}, "违规吃喝"},
	{[]string{"公款旅游", "旅游安排", "旅游活动安排"}, "公款旅游"},
	{[]string{"私人会所"}, "违规出入私人会所"},
	{[]string{"公车私用", "违规使用公车", "借用车辆", "借用下属单位车辆", "借用管理和服务对象车辆"}, "违规使用公务用车"},
	{[]string{"办公用房"}, "违规占用办公用房"},
	{[]string{"形象工程"}, "形象工程"},
	{[]string{"政绩工程"}, "政绩工程"},
	{[]string{"面子工程"}, "面子工程"},
	{[]string{"层层加码"}, "层层加码"},
	{[]string{"过多过频"}, "督查检查考核过多过频"},
	{[]string{"过度留痕"}, "过度留痕"},
	{[]string{"不作为"}, "不作为"},
	{[]string{"慢作为"}, "慢作为"},
	{[]string{"乱作为"}, "乱作为"},
	{[]string{"假作为"}, "假作为"},
	{[]string{"加重基层负担"}, "加重基层负担"},
	{[]string{"婚丧喜庆", "婚宴", "乔迁宴", "操办婚礼", "操办丧事"}, "违规操办婚丧喜庆事宜"},
	{[]string{"发放和领取补贴", "津贴补贴"}, "违规发放津贴补贴"},
	{[]string{"楼堂馆所"}, "违规建设楼堂馆所"},
	{[]string{"受贿"}, "受贿"},
	{[]string{"挪用公款"}, "挪用公款"},
	{[]string{"贪污"}, "贪污侵占"},
	{[]string{"形式主义"}, "形式主义"},
	{[]string{"官僚主义"}, "官僚主义"},
}

// NoticeCase is one case of a notice, split into its parts.
type NoticeCase struct {
	Headline    string
	Unit        string
	Person      string
	Post        string
	Problem     string
	Facts       string
	Disposition string
	Problems    []string
	// Paragraph is the notice paragraph the case came from.
	Paragraph Paragraph
}

// isCaseParagraph reports whether a notice paragraph is a case: its first
// sentence names a problem (…问题。) or a case (…案。).
func isCaseParagraph(p string) (headline string, ok bool) {
	first, _, found := strings.Cut(p, "。")
	if !found || utf8.RuneCountInString(first) > 160 {
		return "", false
	}
	if strings.HasPrefix(first, "中央纪委国家监委") || strings.HasPrefix(first, "日前") || strings.Contains(first, "公开通报") {
		return "", false
	}
	if strings.HasSuffix(first, "问题") || strings.HasSuffix(first, "案") || strings.HasSuffix(first, "等问题") {
		return first, true
	}
	return "", false
}

// SplitNotice splits a CCDI-style notice into its cases. A notice whose
// paragraphs are not one case each (a notice about a single case) yields one
// case made of the whole text, its unit taken from the first person named.
func SplitNotice(d *Document) []NoticeCase {
	var cases []NoticeCase
	for _, p := range d.Paragraphs() {
		para := p.Paragraph
		para.Text = reCaseNumber.ReplaceAllString(para.Text, "")
		if h, ok := isCaseParagraph(para.Text); ok {
			if c := parseCase(h, para); plausibleUnit(c.Unit) {
				cases = append(cases, c)
			}
		}
	}
	if len(cases) > 0 {
		return cases
	}
	paras := d.Paragraphs()
	if len(paras) == 0 {
		return nil
	}
	var all []string
	for _, p := range paras {
		all = append(all, p.Text)
	}
	text := strings.Join(all, "\n")
	c := NoticeCase{Headline: d.Title, Problem: strings.TrimPrefix(d.Title, "中央纪委国家监委公开通报"), Facts: text, Paragraph: paras[0].Paragraph}
	c.Unit, c.Post, c.Person = unitInText(text)
	c.Disposition = disposition(text)
	c.Problems = problemsIn(d.Title + text)
	return []NoticeCase{c}
}

// parseCase splits one case paragraph whose first sentence is headline.
func parseCase(headline string, p Paragraph) NoticeCase {
	c := NoticeCase{Headline: headline, Paragraph: p}
	c.Unit, c.Post, c.Person, c.Problem = splitHeadline(headline)
	rest := strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(p.Text, headline), "。"))
	c.Disposition = disposition(rest)
	c.Facts = strings.TrimSpace(strings.TrimSuffix(rest, c.Disposition))
	c.Problems = problemsIn(headline)
	return c
}

// splitHeadline takes a headline apart: unit, post, person, problem.
func splitHeadline(h string) (unit, post, person, problem string) {
	s := strings.TrimPrefix(h, "原")
	cut := -1 // where the unit ends
	// 1. A former post: …原党组成员…
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "原")
		if j < 0 {
			break
		}
		at := i + j
		rest := s[at+len("原"):]
		if at > 0 && startsWithPost(rest) {
			cut = at
			break
		}
		i = at + len("原")
	}
	// 2. A current post right after a unit's last character.
	if cut < 0 {
		for i := range s {
			if i == 0 || !startsWithPost(s[i:]) {
				continue
			}
			prev, _ := utf8.DecodeLastRuneInString(s[:i])
			if strings.ContainsRune(orgEnd, prev) {
				cut = i
				break
			}
		}
	}
	// 3. No post: the unit itself is the subject, up to the problem.
	if cut < 0 {
		for i := range s {
			if i > 0 && problemStart.MatchString(s[i:]) {
				prev, _ := utf8.DecodeLastRuneInString(s[:i])
				if strings.ContainsRune(orgEnd, prev) {
					unit = cleanUnit(s[:i])
					problem = strings.TrimSpace(s[i:])
					return unit, "", "", problem
				}
			}
		}
		return "", "", "", h // no unit recognisable
	}
	unit = cleanUnit(s[:cut])
	rest := s[cut:]
	// The person's name follows the last post, before the problem.
	end := -1
	for i := range rest {
		if problemStart.MatchString(rest[i:]) && i > 0 {
			end = i
			break
		}
	}
	if end < 0 {
		return unit, "", "", strings.TrimSpace(rest)
	}
	chain := rest[:end]
	lastPost := -1
	for _, w := range postWords {
		if k := strings.LastIndex(chain, w); k >= 0 && k+len(w) > lastPost {
			lastPost = k + len(w)
		}
	}
	if lastPost > 0 && lastPost < len(chain) {
		post, person = strings.Trim(chain[:lastPost], "，、 "), strings.Trim(chain[lastPost:], "，、 ")
	} else {
		post = chain
	}
	problem = strings.TrimSpace(strings.TrimPrefix(rest[end:], "等人"))
	return unit, post, person, problem
}

// plausibleUnit rejects what a discussion paragraph yields when taken for a
// case: a long phrase with commas rather than an organisation's name.
func plausibleUnit(u string) bool {
	n := utf8.RuneCountInString(u)
	last, _ := utf8.DecodeLastRuneInString(u)
	return n >= 2 && n <= 40 && !strings.ContainsAny(u, "，。；：") && (strings.ContainsRune(orgEnd, last) || strings.HasSuffix(u, "公司") || strings.HasSuffix(u, "集团"))
}

func startsWithPost(s string) bool {
	for _, w := range postWords {
		if strings.HasPrefix(s, w) {
			return true
		}
	}
	return false
}

// cleanUnit drops a leading 原, a 原 inside the name (山西省原粮食局), and
// the parent of a subsidiary (…集团所属X公司 → X公司).
func cleanUnit(u string) string {
	u = strings.TrimPrefix(strings.TrimSpace(u), "原")
	u = reInnerFormer.ReplaceAllString(u, "$1")
	if _, after, ok := strings.Cut(u, "所属"); ok && after != "" {
		u = after
	}
	return strings.Trim(u, "，、 ")
}

// disposition returns the last sentence of s that says what was done.
func disposition(s string) string {
	sentences := strings.SplitAfter(s, "。")
	for i := len(sentences) - 1; i >= 0; i-- {
		if t := strings.TrimSpace(sentences[i]); t != "" && reDisposal.MatchString(t) {
			return t
		}
	}
	return ""
}

// unitInText finds the unit of the first person named in a running text:
// "…严肃查处了交通运输部安全与质量监督管理司（以下简称安质司）原副司长彭付平…".
func unitInText(text string) (unit, post, person string) {
	if m := reUnitInText.FindStringSubmatch(text); m != nil {
		return cleanUnit(m[1]), m[2], ""
	}
	return "", "", ""
}

// problemsIn lists the problem types named in s.
func problemsIn(s string) []string {
	var out []string
	for _, c := range problemCategories {
		for _, w := range c.words {
			if strings.Contains(s, w) {
				out = append(out, c.typ)
				break
			}
		}
	}
	return out
}

// noticeCategory takes the category from a notice title
// (…通报十起违反中央八项规定精神典型问题 → 违反中央八项规定精神).
func noticeCategory(title string) string {
	t := title
	if _, after, ok := strings.Cut(t, "通报"); ok {
		t = after
	}
	t = reCaseCount.ReplaceAllString(t, "")
	for _, suffix := range []string{"典型问题", "典型案例", "问题"} {
		t = strings.TrimSuffix(strings.TrimSpace(t), suffix)
	}
	return strings.TrimSpace(strings.TrimSuffix(t, "的"))
}

// NoticeFindings turns a notice into findings, one per case, each pointing
// back at its paragraph. Their IDs derive from the notice and the case, so
// importing the notice again changes nothing.
func NoticeFindings(d *Document) []*Finding {
	var out []*Finding
	category := noticeCategory(d.Title)
	for _, c := range SplitNotice(d) {
		if c.Unit == "" {
			continue
		}
		problems := c.Problems
		if category != "" {
			problems = append([]string{category}, problems...)
		}
		f := &Finding{
			Unit:        c.Unit,
			Round:       "",
			Problems:    dedupe(problems),
			Description: c.Headline,
			Facts:       c.Facts,
			Disposition: c.Disposition,
			Person:      c.Person,
			Post:        c.Post,
			Date:        d.Date,
			Source:      &SourceRef{DocumentID: d.ID, ParagraphID: c.Paragraph.ID},
		}
		if strings.Contains(category, "腐败") || strings.Contains(category, "不正之风") {
			f.Focus = FocusCorruption
		}
		f.ID = FindingID(f.Unit, d.ID, f.Description)
		out = append(out, f)
	}
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range s {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
