package indexer

import (
	"strings"
	"time"
	"unicode/utf8"

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
	N       int
	Article string
	Unit    string
	// Mentions are further units a speech or report paragraph names (the
	// first one is Unit); they count in unit facets and grouping.
	Mentions    []string
	Focus       string
	Disposition string
	Problems    []string
	Round       string
	Status      string
	Date        time.Time
	Issuer      string
	Work        string
	Edition     string
	Sample      bool
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
		ID:          f.ID,
		Kind:        corpus.KindFinding,
		Title:       f.Description,
		Text:        f.Text(),
		Unit:        f.Unit,
		Focus:       string(f.Focus),
		Problems:    f.Problems,
		Round:       f.Round,
		Disposition: f.Disposition,
		Status:      string(f.Rectification.Status),
		Date:        f.Date,
		Sample:      f.Sample,
	}
	if f.Source != nil {
		p.DocumentID = f.Source.DocumentID
	}
	if p.Title == "" {
		p.Title, _, _ = strings.Cut(p.Text, "\n")
	}
	return p
}

// mentionUnits sets Unit and Mentions of speech and report paragraphs to
// the known units their text names (normalised substring match).
func mentionUnits(ps []Passage, units []string) {
	if len(units) == 0 {
		return
	}
	norm := make([]string, len(units))
	for i, u := range units {
		norm[i] = NormalizeString(u)
	}
	for i := range ps {
		p := &ps[i]
		if p.Unit != "" || (p.Kind != corpus.KindSpeech && p.Kind != corpus.KindReport) {
			continue
		}
		text := strings.ReplaceAll(NormalizeString(p.Text), " ", "")
		for k, u := range norm {
			if utf8.RuneCountInString(u) >= 3 && strings.Contains(text, u) {
				if p.Unit == "" {
					p.Unit = units[k]
				} else {
					p.Mentions = append(p.Mentions, units[k])
				}
			}
		}
	}
}
