package corpus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
)

// InProcessPDF extracts PDF text in the calling process. A hostile PDF can
// make the PDF library loop or exhaust memory, so the server uses
// ChildPDFExtractor; this type is what the child runs, and what tests use.
type InProcessPDF struct{}

// ExtractPDF returns the text lines of a PDF, pages in order, lines top to
// bottom, wrapped lines joined back into paragraphs. It returns an error
// wrapping ErrDamaged for a PDF the library cannot read (a panic inside the
// library is recovered and reported the same way).
func (InProcessPDF) ExtractPDF(ctx context.Context, data []byte) (lines []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			lines, err = nil, fmt.Errorf("%w: the PDF library failed: %v", ErrDamaged, r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	var raw []string
	for i := 1; i <= r.NumPage(); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		// Content-stream order is the reading order of generated PDFs; a
		// sort by coordinates is not (some writers flip the y axis). A new
		// line starts where the baseline moves by more than half a glyph.
		var b strings.Builder
		lastY, lastSize := 0.0, 0.0
		flush := func() {
			if s := strings.TrimSpace(b.String()); s != "" {
				raw = append(raw, s)
			}
			b.Reset()
		}
		for _, t := range p.Content().Text {
			size := t.FontSize
			if size <= 0 {
				size = 10
			}
			if b.Len() > 0 && math.Abs(t.Y-lastY) > math.Max(size, lastSize)/2 {
				flush()
			}
			b.WriteString(t.S)
			lastY, lastSize = t.Y, size
		}
		flush()
	}
	return joinWrappedLines(raw), nil
}

// joinWrappedLines rebuilds paragraphs from the visual lines of a page: a
// line continues the previous one unless the previous one ends a sentence or
// this one starts with a heading marker.
func joinWrappedLines(raw []string) []string {
	var out []string
	for _, l := range raw {
		if len(out) == 0 {
			out = append(out, l)
			continue
		}
		prev := out[len(out)-1]
		last, _ := utf8.DecodeLastRuneInString(prev)
		level, art := headingLevel(l)
		prevLevel, _ := headingLevel(prev)
		prevIsHeading := prevLevel > 0 && prevLevel <= levelSection && utf8.RuneCountInString(prev) < 30
		if strings.ContainsRune("。！？：；”」!?:;", last) || level > 0 || art != "" || prevIsHeading || len(out) == 1 && utf8.RuneCountInString(prev) < 30 {
			out = append(out, l)
			continue
		}
		out[len(out)-1] = prev + l
	}
	return out
}

// ChildPDFExtractor runs PDF extraction in a child process: Command (for
// xuncha, its own binary with the hidden "pdf-extract" command) reads the PDF
// on stdin and writes JSON lines on stdout. The child caps its own memory;
// the parent kills it after Timeout. A crash, a kill or garbage output is
// reported as a damaged PDF, and the parent carries on.
type ChildPDFExtractor struct {
	Command []string
	// Env is added to the child's environment.
	Env     []string
	Timeout time.Duration
	// MaxOutputBytes bounds what the parent reads from the child.
	MaxOutputBytes int64
}

// ExtractPDF implements PDFExtractor.
func (c ChildPDFExtractor) ExtractPDF(ctx context.Context, data []byte) ([]string, error) {
	if len(c.Command) == 0 {
		return nil, errors.New("pdf extractor: no command configured")
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	maxOut := c.MaxOutputBytes
	if maxOut <= 0 {
		maxOut = 64 << 20
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Command[0], c.Command[1:]...)
	cmd.Stdin = bytes.NewReader(data)
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &limitedWriter{w: &stderr, n: 4096}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("pdf extractor: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("pdf extractor: start: %w", err)
	}
	out, readErr := io.ReadAll(io.LimitReader(stdout, maxOut+1))
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() == context.DeadlineExceeded:
		return nil, fmt.Errorf("%w: PDF extraction took longer than %v and was stopped", ErrDamaged, timeout)
	case int64(len(out)) > maxOut:
		return nil, fmt.Errorf("%w: PDF text larger than %d bytes", ErrTooLarge, maxOut)
	case readErr != nil:
		return nil, fmt.Errorf("%w: reading PDF text: %v", ErrDamaged, readErr)
	}
	var res pdfChildResult
	if err := json.Unmarshal(out, &res); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if waitErr != nil {
			return nil, fmt.Errorf("%w: PDF extraction failed (%v) %s", ErrDamaged, waitErr, msg)
		}
		return nil, fmt.Errorf("%w: PDF extraction returned no result %s", ErrDamaged, msg)
	}
	if res.Error != "" {
		return nil, fmt.Errorf("%w: %s", ErrDamaged, res.Error)
	}
	return res.Lines, nil
}

type pdfChildResult struct {
	Lines []string `json:"lines,omitempty"`
	Error string   `json:"error,omitempty"`
}

type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n <= 0 {
		return len(p), nil
	}
	k := min(len(p), l.n)
	l.n -= k
	_, err := l.w.Write(p[:k])
	return len(p), err
}

// RunPDFChild is the body of the PDF child process: it caps its memory at
// memLimit bytes, reads a PDF (at most maxIn bytes) from stdin, and writes
// the extraction result as JSON to stdout. It returns an error only when it
// cannot write its answer.
func RunPDFChild(ctx context.Context, stdin io.Reader, stdout io.Writer, memLimit, maxIn int64) error {
	debug.SetMemoryLimit(memLimit)
	limitAddressSpace(memLimit * 4)
	var res pdfChildResult
	data, err := io.ReadAll(io.LimitReader(stdin, maxIn+1))
	switch {
	case err != nil:
		res.Error = err.Error()
	case int64(len(data)) > maxIn:
		res.Error = fmt.Sprintf("PDF larger than %d bytes", maxIn)
	default:
		lines, err := InProcessPDF{}.ExtractPDF(ctx, data)
		if err != nil {
			res.Error = strings.TrimPrefix(err.Error(), ErrDamaged.Error()+": ")
		}
		res.Lines = lines
	}
	return json.NewEncoder(stdout).Encode(res)
}
