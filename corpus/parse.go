package corpus

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Errors a parser reports; each is wrapped in a *ParseError naming the file.
var (
	// ErrFormat: the file is not of a format xuncha reads, or not of the
	// format its name says.
	ErrFormat = errors.New("unsupported or mismatched file format")
	// ErrEmpty: the file has no text.
	ErrEmpty = errors.New("no text in file")
	// ErrTooLarge: the file, a paragraph, or an archive inside it exceeds a limit.
	ErrTooLarge = errors.New("too large")
	// ErrDamaged: the file is truncated or malformed.
	ErrDamaged = errors.New("damaged file")
)

// ParseError is a failure to read one file; it wraps one of the errors above
// (or ErrEncoding) with details.
type ParseError struct {
	File string
	Err  error
}

func (e *ParseError) Error() string { return fmt.Sprintf("parse %s: %v", e.File, e.Err) }

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// Limits bound what a parser accepts, so that a hostile file is refused
// instead of exhausting memory or time.
type Limits struct {
	// MaxFileBytes is the largest file accepted.
	MaxFileBytes int64
	// MaxParagraphRunes is the longest paragraph accepted.
	MaxParagraphRunes int
	// MaxZipEntries, MaxZipBytes bound a DOCX archive: number of entries and
	// total uncompressed size.
	MaxZipEntries int
	MaxZipBytes   int64
}

// DefaultLimits are generous for real documents: the longest law paragraph
// in the shared corpus is under 3,000 characters.
var DefaultLimits = Limits{
	MaxFileBytes:      64 << 20,
	MaxParagraphRunes: 100_000,
	MaxZipEntries:     2_000,
	MaxZipBytes:       256 << 20,
}

// PDFExtractor turns a PDF into lines of text. Production wiring runs the
// extraction in a child process with memory and time limits (see
// ChildPDFExtractor); tests may run it in process.
type PDFExtractor interface {
	ExtractPDF(ctx context.Context, data []byte) ([]string, error)
}

// ParseOptions configures Parse.
type ParseOptions struct {
	Limits Limits
	// PDF extracts PDF text; nil refuses PDF files with ErrFormat.
	PDF PDFExtractor
	// Now stamps the import time; nil means time.Now.
	Now func() time.Time
	// Who is recorded as the importer.
	Who string
}

// Formats lists the file formats Parse reads, by extension.
var Formats = []string{".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".pdf"}

// sniff names the format the content looks like.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return "zip"
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "ole" // legacy .doc/.xls
	}
	head := bytes.ToLower(data[:min(len(data), 1024)])
	if bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<body")) {
		return "html"
	}
	return "text"
}

// Parse reads one file into a structured document. name is the file's name
// (its extension selects the parser, and it may carry a title, a date or an
// edition). It returns a *ParseError for a file that is empty, too large,
// damaged, in an unknown encoding, or of a format other than its name says.
func Parse(ctx context.Context, name string, data []byte, opts ParseOptions) (*Document, error) {
	if opts.Limits == (Limits{}) {
		opts.Limits = DefaultLimits
	}
	fail := func(err error) (*Document, error) { return nil, &ParseError{File: filepath.Base(name), Err: err} }
	if len(data) == 0 {
		return fail(fmt.Errorf("%w: the file is empty (0 bytes)", ErrEmpty))
	}
	if int64(len(data)) > opts.Limits.MaxFileBytes {
		return fail(fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), opts.Limits.MaxFileBytes))
	}
	ext := strings.ToLower(filepath.Ext(name))
	kind := sniff(data)
	var (
		lines    []string
		markdown bool
		format   = strings.TrimPrefix(ext, ".")
		enc      string
		err      error
	)
	switch ext {
	case ".txt", ".md", ".markdown", "":
		if kind != "text" && kind != "html" {
			return fail(fmt.Errorf("%w: named %q but the content is %s", ErrFormat, ext, kind))
		}
		var text string
		text, enc, err = DecodeText(data)
		if err != nil {
			return fail(err)
		}
		lines = strings.Split(text, "\n")
		markdown = ext == ".md" || ext == ".markdown"
		if format == "" {
			format = "txt"
		}
	case ".html", ".htm":
		if kind != "text" && kind != "html" {
			return fail(fmt.Errorf("%w: named %q but the content is %s", ErrFormat, ext, kind))
		}
		lines, enc, err = htmlLines(data)
		if err != nil {
			return fail(err)
		}
		markdown, format = true, "html"
	case ".docx":
		if kind != "zip" {
			return fail(fmt.Errorf("%w: named .docx but the content is %s, not a Word document", ErrFormat, kind))
		}
		lines, err = docxLines(data, opts.Limits)
		if err != nil {
			return fail(err)
		}
		markdown, enc = true, "UTF-8"
	case ".pdf":
		if kind != "pdf" {
			return fail(fmt.Errorf("%w: named .pdf but the content is %s", ErrFormat, kind))
		}
		if opts.PDF == nil {
			return fail(fmt.Errorf("%w: PDF extraction is not configured", ErrFormat))
		}
		lines, err = opts.PDF.ExtractPDF(ctx, data)
		if err != nil {
			return fail(err)
		}
	default:
		return fail(fmt.Errorf("%w: %q files are not read (xuncha reads %s)", ErrFormat, ext, strings.Join(Formats, " ")))
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > opts.Limits.MaxParagraphRunes {
			return fail(fmt.Errorf("%w: line %d has %d characters, the limit is %d", ErrTooLarge, i+1, n, opts.Limits.MaxParagraphRunes))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := structure(name, lines, markdown)
	if err := finish(d, name, format, enc, opts); err != nil {
		return fail(err)
	}
	return d, nil
}

// finish assigns IDs and the source record.
func finish(d *Document, name, format, enc string, opts ParseOptions) error {
	text := d.Text()
	if strings.TrimSpace(text) == "" {
		return fmt.Errorf("%w: no paragraphs after parsing", ErrEmpty)
	}
	sum := sha256.Sum256([]byte(text))
	d.ID = DocumentID(text)
	for i := range d.Sections {
		for j := range d.Sections[i].Paragraphs {
			p := &d.Sections[i].Paragraphs[j]
			p.ID = ParagraphID(d.ID, p.N)
		}
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	d.Source = Source{
		FileName:    filepath.Base(name),
		Format:      format,
		Encoding:    enc,
		ImportedAt:  now().UTC().Truncate(time.Second),
		ImportedBy:  opts.Who,
		ContentHash: hex.EncodeToString(sum[:]),
	}
	return nil
}
