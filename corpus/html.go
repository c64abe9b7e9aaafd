package corpus

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
)

// htmlLines extracts the text of an HTML page, one line per block element,
// headings as Markdown "#" lines, the <title> as the first heading when the
// page has no <h1>. Scripts, styles and comments are dropped.
func htmlLines(data []byte) ([]string, string, error) {
	enc, name, certain := charset.DetermineEncoding(data, "")
	var text string
	if certain {
		out, err := enc.NewDecoder().Bytes(data)
		if err != nil {
			return nil, "", fmt.Errorf("%w: %s: %v", ErrEncoding, name, err)
		}
		text = string(out)
	} else {
		var err error
		text, name, err = DecodeText(data)
		if err != nil {
			return nil, "", err
		}
	}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	var (
		lines   []string
		cur     bytes.Buffer
		prefix  string
		title   string
		sawH1   bool
		flush   func()
		walk    func(n *html.Node)
		skipped = map[string]bool{"script": true, "style": true, "noscript": true, "template": true, "head": true, "svg": true, "iframe": true}
		blocks  = map[string]bool{"p": true, "div": true, "li": true, "tr": true, "section": true, "article": true, "blockquote": true, "pre": true, "table": true, "ul": true, "ol": true, "dd": true, "dt": true, "header": true, "footer": true, "main": true, "br": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}
	)
	flush = func() {
		if s := strings.Join(strings.Fields(cur.String()), " "); s != "" {
			lines = append(lines, prefix+s)
		}
		cur.Reset()
		prefix = ""
	}
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "title" && n.FirstChild != nil {
				title = strings.TrimSpace(n.FirstChild.Data)
			}
			if skipped[n.Data] {
				return
			}
			if blocks[n.Data] {
				flush()
			}
			if len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
				prefix = strings.Repeat("#", int(n.Data[1]-'0')) + " "
				if n.Data == "h1" {
					sawH1 = true
				}
			}
			if n.Data == "td" || n.Data == "th" {
				if cur.Len() > 0 {
					cur.WriteString(" | ")
				}
			}
		}
		if n.Type == html.TextNode {
			cur.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && blocks[n.Data] {
			flush()
		}
	}
	// The <title> lives in <head>, which walk skips; read it first.
	var findTitle func(n *html.Node)
	findTitle = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "title" && n.FirstChild != nil {
			title = strings.TrimSpace(n.FirstChild.Data)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			findTitle(c)
		}
	}
	findTitle(root)
	walk(root)
	flush()
	if !sawH1 && title != "" {
		lines = append([]string{"# " + title}, lines...)
	}
	return lines, name, nil
}
