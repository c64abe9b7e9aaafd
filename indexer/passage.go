package indexer

import (
	"strings"
	"time"

	"github.com/xuncha/xuncha/corpus"
)

// Passage is the unit of search: one paragraph of a document, carrying its
// document's metadata, or one finding.
type Passage struct {
	ID string
	// DocumentID is the parent document of a paragraph, or the source
	// document of a finding extracted from a notice.
	DocumentID string
	Kind       corpus.Kind
	Title      string
	Path       []string
	Text       string
	// N is a paragraph's ordinal in its document (0 for findings).
	N        int
	Article  string
	Unit     string
	Focus    string
	Problems []string
	Round    string
	Status   string
	Date     time.Time
	Issuer   string
	Work     string
	Edition  string
	Sample   bool
}

// ParagraphPassage returns the passage of a stored paragraph.
func ParagraphPassage(r *corpus.ParagraphRecord) Passage {
	return Passage{
		ID: r.ID, DocumentID: r.DocumentID, Kind: r.Kind, Title: r.Title, Path: r.Path, Text: r.Text,
		N: r.N, Article: r.Article, Unit: r.Unit, Problems: r.Problems, Date: r.Date, Issuer: r.Issuer,
		Work: r.Work, Edition: r.Edition,
	}
}

// PassagesOf returns the passages of a document, one per paragraph.
func PassagesOf(d *corpus.Document) []Passage {
	recs := corpus.ParagraphRecords(d)
	out := make([]Passage, len(recs))
	for i := range recs {
		out[i] = ParagraphPassage(&recs[i])
	}
	return out
}

// FindingPassage returns the passage of a finding.
func FindingPassage(f *corpus.Finding) Passage {
	p := Passage{
		ID:       f.ID,
		Kind:     corpus.KindFinding,
		Title:    f.Description,
		Text:     f.Text(),
		Unit:     f.Unit,
		Focus:    string(f.Focus),
		Problems: f.Problems,
		Round:    f.Round,
		Status:   string(f.Rectification.Status),
		Date:     f.Date,
		Sample:   f.Sample,
	}
	if f.Source != nil {
		p.DocumentID = f.Source.DocumentID
	}
	if p.Title == "" {
		p.Title, _, _ = strings.Cut(p.Text, "\n")
	}
	return p
}
