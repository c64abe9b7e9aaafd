package corpus

import (
	"fmt"
	"strings"
	"time"
)

// Citation is how to cite one paragraph.
type Citation struct {
	// GBT7714 is the reference in GB/T 7714-2015 form, for example
	// 全国人民代表大会. 中华人民共和国监察法[EB/OL]. (2018-03-20)[2026-11-26].
	GBT7714 string `json:"gbt7714"`
	// Plain names the paragraph the way Chinese texts cite it:
	// 《中华人民共和国监察法》第十二条, or the title with the section path.
	Plain string `json:"plain"`
	// RIS is the reference for Zotero and EndNote.
	RIS string `json:"ris"`
}

// typeCode returns the GB/T 7714-2015 document type and carrier code of a
// kind: laws, regulations and notices read online are electronic bulletins
// ([EB/OL]); a report is [R]; a speech or other unpublished text is [Z].
func typeCode(k Kind) string {
	switch k {
	case KindRegulation, KindNotice:
		return "EB/OL"
	case KindReport:
		return "R"
	default:
		return "Z"
	}
}

// risType returns the RIS reference type of a kind.
func risType(k Kind) string {
	switch k {
	case KindRegulation:
		return "STAT" // statute
	case KindNotice:
		return "ELEC"
	case KindReport:
		return "RPRT"
	case KindSpeech:
		return "SOUND"
	default:
		return "GEN"
	}
}

// Cite returns the citations of a paragraph of d (accessed is the date of
// access GB/T 7714 asks for online sources). It returns an error wrapping
// ErrNotFound if the paragraph is not in d.
func Cite(d *Document, paragraphID string, accessed time.Time) (Citation, error) {
	var para *PathParagraph
	for _, p := range d.Paragraphs() {
		if p.ID == paragraphID {
			p := p
			para = &p
			break
		}
	}
	if para == nil {
		return Citation{}, fmt.Errorf("cite %s in %s: %w", paragraphID, d.ID, ErrNotFound)
	}
	code := typeCode(d.Kind)
	title := citedTitle(d)
	var b strings.Builder
	if d.Issuer != "" {
		b.WriteString(d.Issuer)
		b.WriteString(". ")
	}
	fmt.Fprintf(&b, "%s[%s]", title, code)
	// The publication date: the document's, else the year of its edition.
	published := ""
	if !d.Date.IsZero() {
		published = d.Date.Format("2006-01-02")
	} else if d.Edition != "" {
		published = d.Edition
	}
	switch {
	case code == "EB/OL":
		b.WriteString(". ")
		if published != "" {
			fmt.Fprintf(&b, "(%s)", published)
		}
		fmt.Fprintf(&b, "[%s].", accessed.Format("2006-01-02"))
	case published != "":
		fmt.Fprintf(&b, ". %s.", published[:4])
	default:
		b.WriteString(".")
	}
	c := Citation{GBT7714: b.String(), Plain: plainLocator(d, para)}
	c.RIS = ris(d, para, c.Plain, accessed)
	return c, nil
}

// plainLocator names the paragraph: 《title》第X条 for an article, else the
// title with the section path, else the paragraph number.
func plainLocator(d *Document, p *PathParagraph) string {
	title := "《" + citedTitle(d) + "》"
	if d.Edition != "" && d.Work != "" && d.Work != d.Title {
		title += "(" + d.Edition + "年版)"
	}
	switch {
	case p.Article != "":
		return title + p.Article
	case len(p.Path) > 0:
		return title + strings.Join(p.Path, " ")
	default:
		return fmt.Sprintf("%s第%d段", title, p.N)
	}
}

func ris(d *Document, p *PathParagraph, locator string, accessed time.Time) string {
	var b strings.Builder
	line := func(tag, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s  - %s\r\n", tag, v)
		}
	}
	line("TY", risType(d.Kind))
	line("TI", citedTitle(d))
	line("AU", d.Issuer)
	if !d.Date.IsZero() {
		line("PY", fmt.Sprint(d.Date.Year()))
		line("DA", d.Date.Format("2006/01/02"))
	}
	line("ET", d.Edition)
	line("N1", locator)
	line("Y2", accessed.Format("2006/01/02"))
	line("LA", "zh")
	b.WriteString("ER  - \r\n")
	return b.String()
}

// citedTitle is the title to cite: the work's name when the title carries
// the edition (中国共产党纪律处分条例 2018 → 中国共产党纪律处分条例).
func citedTitle(d *Document) string {
	if d.Work != "" && d.Edition != "" && strings.HasPrefix(d.Title, d.Work) {
		return d.Work
	}
	return d.Title
}
