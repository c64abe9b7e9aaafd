package corpus

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// openZip opens a DOCX (or XLSX) archive after checking it against limits:
// entry count, declared uncompressed size, and entry names that would
// escape the archive.
func openZip(data []byte, lim Limits) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: not a readable zip archive: %v", ErrDamaged, err)
	}
	if len(zr.File) > lim.MaxZipEntries {
		return nil, fmt.Errorf("%w: the archive has %d entries, the limit is %d", ErrTooLarge, len(zr.File), lim.MaxZipEntries)
	}
	var total uint64
	for _, f := range zr.File {
		name := f.Name
		if strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || path.Clean(name) != name || strings.HasPrefix(name, "../") || name == ".." {
			return nil, fmt.Errorf("%w: archive entry name %q escapes the archive", ErrDamaged, name)
		}
		total += f.UncompressedSize64
		if total > uint64(lim.MaxZipBytes) {
			return nil, fmt.Errorf("%w: the archive unpacks to more than %d bytes", ErrTooLarge, lim.MaxZipBytes)
		}
	}
	return zr, nil
}

// readZipEntry reads one entry, never more than max bytes whatever its
// header claims (a zip bomb may lie about its size).
func readZipEntry(zr *zip.Reader, name string, max int64) ([]byte, error) {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, max+1))
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, name, err)
		}
		if int64(len(b)) > max {
			return nil, fmt.Errorf("%w: %s unpacks to more than %d bytes", ErrTooLarge, name, max)
		}
		return b, nil
	}
	return nil, fmt.Errorf("%w: no %s in the archive", ErrNotFound, name)
}

// docxLines extracts a Word document's paragraphs in order: headings (by
// style or outline level) as Markdown "#" lines, each table row as one line
// with its cells separated by " | ".
func docxLines(data []byte, lim Limits) ([]string, error) {
	zr, err := openZip(data, lim)
	if err != nil {
		return nil, err
	}
	doc, err := readZipEntry(zr, "word/document.xml", lim.MaxZipBytes)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: a zip archive without word/document.xml is not a Word document", ErrFormat)
		}
		return nil, err
	}
	headings := map[string]int{}
	if styles, err := readZipEntry(zr, "word/styles.xml", lim.MaxZipBytes); err == nil {
		headings = docxHeadingStyles(styles)
	}
	return docxParagraphs(doc, headings)
}

// docxHeadingStyles maps paragraph style IDs to heading levels: styles named
// "heading N" / "标题 N" / "Title", or with an outline level.
func docxHeadingStyles(styles []byte) map[string]int {
	out := map[string]int{}
	dec := xml.NewDecoder(bytes.NewReader(styles))
	var id string
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "style":
			id = attr(se, "styleId")
		case "name":
			name := strings.ToLower(strings.ReplaceAll(attr(se, "val"), " ", ""))
			for _, prefix := range []string{"heading", "标题"} {
				if n, err := strconv.Atoi(strings.TrimPrefix(name, prefix)); err == nil && strings.HasPrefix(name, prefix) && n >= 1 && n <= 9 {
					out[id] = n
				}
			}
			if name == "title" {
				out[id] = 1
			}
		case "outlineLvl":
			if n, err := strconv.Atoi(attr(se, "val")); err == nil && n < 9 && id != "" {
				out[id] = n + 1
			}
		}
	}
}

func attr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

func docxParagraphs(doc []byte, headings map[string]int) ([]string, error) {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var (
		lines      []string
		para       strings.Builder
		level      int
		inText     bool
		tableDepth int
		cells      []string
		cell       []string
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: word/document.xml: %v", ErrDamaged, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "tbl":
				tableDepth++
			case "tr":
				cells = nil
			case "tc":
				cell = nil
			case "p":
				para.Reset()
				level = 0
			case "pStyle":
				level = headings[attr(t, "val")]
			case "outlineLvl":
				if n, err := strconv.Atoi(attr(t, "val")); err == nil && n < 9 {
					level = n + 1
				}
			case "t":
				inText = true
			case "tab":
				para.WriteByte('\t')
			case "br", "cr":
				para.WriteByte(' ')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				text := strings.TrimSpace(para.String())
				switch {
				case tableDepth > 0:
					if text != "" {
						cell = append(cell, text)
					}
				case text == "":
				case level > 0:
					lines = append(lines, strings.Repeat("#", min(level, 6))+" "+text)
				default:
					lines = append(lines, text)
				}
			case "tc":
				cells = append(cells, strings.Join(cell, " "))
			case "tr":
				if row := strings.TrimSpace(strings.Join(cells, " | ")); strings.Trim(row, " |") != "" {
					lines = append(lines, row)
				}
			case "tbl":
				tableDepth--
			}
		case xml.CharData:
			if inText {
				para.Write(t)
			}
		}
	}
	return lines, nil
}
