package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// Kind is what sort of text a document is.
type Kind string

// The kinds of document.
const (
	KindSpeech     Kind = "speech"     // 讲话
	KindRegulation Kind = "regulation" // 法律、行政法规、党内法规、规范性文件
	KindReport     Kind = "report"     // 工作报告、整改报告
	KindNotice     Kind = "notice"     // 通报
	KindFinding    Kind = "finding"    // 巡察发现的问题
	KindOther      Kind = "other"
)

// Kinds lists every kind, in the order the interface shows them.
var Kinds = []Kind{KindSpeech, KindRegulation, KindReport, KindNotice, KindFinding, KindOther}

// KindLabel returns the Chinese name of a kind.
func KindLabel(k Kind) string {
	switch k {
	case KindSpeech:
		return "讲话"
	case KindRegulation:
		return "法规"
	case KindReport:
		return "报告"
	case KindNotice:
		return "通报"
	case KindFinding:
		return "问题"
	default:
		return "其他"
	}
}

// ParseKind accepts a kind's English or Chinese name.
func ParseKind(s string) (Kind, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, k := range Kinds {
		if s == string(k) || s == KindLabel(k) {
			return k, true
		}
	}
	switch s {
	case "法律", "条例", "党内法规", "规定", "办法":
		return KindRegulation, true
	case "报告", "工作报告", "整改报告":
		return KindReport, true
	}
	return "", false
}

// Source says where a document came from.
type Source struct {
	// FileName is the base name of the imported file.
	FileName string `json:"file_name"`
	// Format is the parser that read it: txt, md, html, docx, pdf, jsonl …
	Format string `json:"format"`
	// Encoding is the character encoding the file was in.
	Encoding string `json:"encoding,omitempty"`
	// ImportedAt is when it was first imported.
	ImportedAt time.Time `json:"imported_at"`
	// ImportedBy names who imported it (a token's name, "demo", "cli").
	ImportedBy string `json:"imported_by,omitempty"`
	// ContentHash is the SHA-256 of the extracted text; the document ID is
	// derived from it.
	ContentHash string `json:"content_hash"`
}

// Paragraph is one numbered paragraph of a document.
type Paragraph struct {
	// ID is stable across re-imports of the same text: document ID and ordinal.
	ID string `json:"id"`
	// N is the 1-based ordinal of the paragraph in the document.
	N    int    `json:"n"`
	Text string `json:"text"`
	// Article is the 第X条 number this paragraph belongs to, if any (第十二条).
	Article string `json:"article,omitempty"`
}

// Section is a run of paragraphs under one heading path.
type Section struct {
	// Path is the headings above these paragraphs, outermost first:
	// ["第二章 监察机关及其职责"] or ["三、突出重点，精准发力…", "（二）…"].
	Path       []string    `json:"path"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// Document is a parsed, structured text.
type Document struct {
	ID    string `json:"id"`
	Kind  Kind   `json:"kind"`
	Title string `json:"title"`
	// Issuer is the issuing body or the speaker, where known.
	Issuer string `json:"issuer,omitempty"`
	// Date is the date of issue, adoption or speech (time of day zero, UTC),
	// zero if unknown.
	Date time.Time `json:"date,omitzero"`
	// Edition names the edition of a regulation that has several (2018),
	// and Work groups the editions of one regulation (its title without the
	// edition).
	Edition string   `json:"edition,omitempty"`
	Work    string   `json:"work,omitempty"`
	Tags    []string `json:"tags,omitempty"`
	Source  Source   `json:"source"`
	// Outline is a speech's 【提纲】, when it has one: the headings it
	// announces, which the body may not repeat in full.
	Outline  []OutlineEntry `json:"outline,omitempty"`
	Sections []Section      `json:"sections"`
}

// Paragraphs returns every paragraph with its section path, in order.
func (d *Document) Paragraphs() []PathParagraph {
	var out []PathParagraph
	for _, s := range d.Sections {
		for _, p := range s.Paragraphs {
			out = append(out, PathParagraph{Path: s.Path, Paragraph: p})
		}
	}
	return out
}

// PathParagraph is a paragraph with the heading path above it.
type PathParagraph struct {
	Path []string
	Paragraph
}

// Text returns the document's text, one paragraph a line.
func (d *Document) Text() string {
	var b strings.Builder
	for _, s := range d.Sections {
		for _, p := range s.Paragraphs {
			b.WriteString(p.Text)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Status is the state of a finding's rectification.
type Status string

// Rectification states.
const (
	StatusNotStarted Status = "未整改"
	StatusInProgress Status = "整改中"
	StatusDone       Status = "已整改"
	StatusOngoing    Status = "长期坚持"
)

// Statuses lists the rectification states in their usual order.
var Statuses = []Status{StatusNotStarted, StatusInProgress, StatusDone, StatusOngoing}

// ParseStatus accepts a status in Chinese or English (not_started,
// in_progress, done, ongoing).
func ParseStatus(s string) (Status, bool) {
	switch strings.TrimSpace(strings.ToLower(s)) {
	case "未整改", "not_started", "not started", "open":
		return StatusNotStarted, true
	case "整改中", "in_progress", "in progress":
		return StatusInProgress, true
	case "已整改", "已完成", "done", "completed", "closed":
		return StatusDone, true
	case "长期坚持", "ongoing", "long_term":
		return StatusOngoing, true
	}
	return "", false
}

// Focus is one of the 四个聚焦 a finding is filed under.
type Focus string

// The four focuses of inspection (四个聚焦).
const (
	FocusPolicy     Focus = "贯彻落实党的理论和路线方针政策和党中央决策部署"
	FocusCorruption Focus = "群众身边腐败问题和不正之风"
	FocusLeadership Focus = "基层党组织领导班子和干部队伍建设"
	FocusRectify    Focus = "巡察、审计等监督发现问题整改落实"
)

// Focuses lists the four focuses in their official order.
var Focuses = []Focus{FocusPolicy, FocusCorruption, FocusLeadership, FocusRectify}

// ParseFocus accepts a focus by its full name, its number (1–4, 一–四) or a
// short name (政策落实, 腐败, 班子建设, 整改).
func ParseFocus(s string) (Focus, bool) {
	s = strings.TrimSpace(s)
	for i, f := range Focuses {
		if s == string(f) || s == fmt.Sprint(i+1) || s == []string{"一", "二", "三", "四"}[i] {
			return f, true
		}
	}
	switch {
	case strings.Contains(s, "决策部署") || strings.Contains(s, "路线方针") || s == "政策落实" || s == "policy":
		return FocusPolicy, true
	case strings.Contains(s, "腐败") || strings.Contains(s, "不正之风") || s == "corruption":
		return FocusCorruption, true
	case strings.Contains(s, "领导班子") || strings.Contains(s, "干部队伍") || s == "班子建设" || s == "leadership":
		return FocusLeadership, true
	case strings.Contains(s, "整改") || s == "rectification":
		return FocusRectify, true
	}
	return "", false
}

// Rectification is what is being done about a finding.
type Rectification struct {
	Status      Status    `json:"status"`
	Measures    string    `json:"measures,omitempty"`
	Responsible string    `json:"responsible,omitempty"`
	Deadline    time.Time `json:"deadline,omitzero"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
}

// Overdue reports whether the deadline has passed on day without the
// finding being rectified.
func (r Rectification) Overdue(day time.Time) bool {
	return !r.Deadline.IsZero() && r.Status != StatusDone && r.Status != StatusOngoing && day.After(r.Deadline.Add(24*time.Hour-time.Nanosecond))
}

// SourceRef points at the paragraph a finding was extracted from.
type SourceRef struct {
	DocumentID  string `json:"document_id"`
	ParagraphID string `json:"paragraph_id"`
}

// Finding is one problem found by an inspection, or one case of a notice.
type Finding struct {
	ID string `json:"id"`
	// Unit is the inspected unit (被巡察单位).
	Unit string `json:"unit"`
	// Round names the inspection round (九届区委第十轮).
	Round string `json:"round,omitempty"`
	// Group is the inspection group (第一巡察组).
	Group string `json:"group,omitempty"`
	Focus Focus  `json:"focus,omitempty"`
	// Problems are the problem types (形式主义, 违规吃喝 …).
	Problems    []string `json:"problems,omitempty"`
	Description string   `json:"description"`
	Facts       string   `json:"facts,omitempty"`
	Disposition string   `json:"disposition,omitempty"`
	Person      string   `json:"person,omitempty"`
	Post        string   `json:"post,omitempty"`
	// Date is when the problem was found or reported.
	Date          time.Time     `json:"date,omitzero"`
	Rectification Rectification `json:"rectification"`
	Source        *SourceRef    `json:"source,omitempty"`
	// Sample marks demonstration data (示例数据).
	Sample bool `json:"sample,omitempty"`
}

// Text returns everything searchable about a finding, one part a line.
func (f *Finding) Text() string {
	parts := []string{f.Description, f.Facts, f.Disposition, f.Rectification.Measures}
	var b strings.Builder
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString(p)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// contentID derives a stable ID from parts: the first 16 bytes of the
// SHA-256 of the parts joined by NUL, hex-encoded, with a prefix.
func contentID(prefix string, parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return prefix + hex.EncodeToString(h.Sum(nil)[:16])
}

// DocumentID returns the ID of a document with the given extracted text.
func DocumentID(text string) string { return contentID("d", text) }

// ParagraphID returns the ID of the n-th paragraph of a document.
func ParagraphID(docID string, n int) string { return fmt.Sprintf("%s-p%d", docID, n) }

// FindingID returns the ID of a finding: derived from its unit, round and
// description, so the same ledger row imported twice is the same finding.
func FindingID(unit, round, description string) string {
	return contentID("f", strings.TrimSpace(unit), strings.TrimSpace(round), strings.TrimSpace(description))
}
