package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// ErrLedger is wrapped by the error ParseLedger returns when any row of a
// findings ledger is invalid; nothing of the file is imported then.
var ErrLedger = errors.New("invalid findings ledger")

// CellError is one bad value in a ledger: file, row (1-based, counting the
// header row of CSV and XLSX files), column header, value and what is wrong.
type CellError struct {
	File   string `json:"file"`
	Row    int    `json:"row"`
	Column string `json:"column,omitempty"`
	Value  string `json:"value,omitempty"`
	Msg    string `json:"message"`
}

func (e CellError) String() string {
	col := ""
	if e.Column != "" {
		col = fmt.Sprintf(", column %s", e.Column)
	}
	val := ""
	if e.Value != "" {
		val = fmt.Sprintf(" (%q)", truncate(e.Value, 40))
	}
	return fmt.Sprintf("%s row %d%s: %s%s", e.File, e.Row, col, e.Msg, val)
}

// LedgerError is the validation report of a rejected ledger; it wraps
// ErrLedger.
type LedgerError struct {
	Problems []CellError
}

func (e *LedgerError) Error() string {
	lines := make([]string, 0, min(len(e.Problems), 20)+1)
	for i, p := range e.Problems {
		if i == 20 {
			lines = append(lines, fmt.Sprintf("… and %d more", len(e.Problems)-20))
			break
		}
		lines = append(lines, p.String())
	}
	return fmt.Sprintf("%d problem(s) in the ledger, nothing imported:\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Unwrap returns ErrLedger.
func (e *LedgerError) Unwrap() error { return ErrLedger }

// ledgerField is a Finding field a ledger column can fill.
type ledgerField string

const (
	colUnit        ledgerField = "unit"
	colRound       ledgerField = "round"
	colGroup       ledgerField = "group"
	colFocus       ledgerField = "focus"
	colProblems    ledgerField = "problems"
	colDescription ledgerField = "description"
	colFacts       ledgerField = "facts"
	colDisposition ledgerField = "disposition"
	colPerson      ledgerField = "person"
	colPost        ledgerField = "post"
	colDate        ledgerField = "date"
	colStatus      ledgerField = "status"
	colMeasures    ledgerField = "measures"
	colResponsible ledgerField = "responsible"
	colDeadline    ledgerField = "deadline"
	colCompleted   ledgerField = "completed_at"
	colSample      ledgerField = "sample"
	colIgnored     ledgerField = ""
)

// headerNames maps the column headers inspectors use, in Chinese or English,
// to fields. Headers are compared after trimming and lower-casing.
var headerNames = map[string]ledgerField{
	"单位": colUnit, "被巡察单位": colUnit, "被巡视单位": colUnit, "被巡察党组织": colUnit, "被巡视党组织": colUnit, "被巡察单位（党组织）": colUnit, "unit": colUnit,
	"轮次": colRound, "巡察轮次": colRound, "巡视轮次": colRound, "round": colRound,
	"巡察组": colGroup, "巡视组": colGroup, "组别": colGroup, "group": colGroup,
	"四个聚焦": colFocus, "聚焦": colFocus, "监督重点": colFocus, "focus": colFocus,
	"类别": colProblems, "问题类型": colProblems, "问题类别": colProblems, "问题性质": colProblems, "problems": colProblems, "problem_types": colProblems, "category": colProblems,
	"问题描述": colDescription, "问题": colDescription, "问题表现": colDescription, "具体问题": colDescription, "存在问题": colDescription, "description": colDescription, "headline": colDescription,
	"具体事实": colFacts, "事实": colFacts, "问题详情": colFacts, "facts": colFacts, "text": colFacts,
	"处理结果": colDisposition, "处理情况": colDisposition, "处置情况": colDisposition, "disposition": colDisposition,
	"涉及人员": colPerson, "当事人": colPerson, "person": colPerson,
	"职务": colPost, "post": colPost,
	"发现日期": colDate, "日期": colDate, "反馈日期": colDate, "date": colDate,
	"整改状态": colStatus, "状态": colStatus, "整改情况": colStatus, "status": colStatus,
	"整改措施": colMeasures, "measures": colMeasures,
	"责任人": colResponsible, "整改责任人": colResponsible, "责任领导": colResponsible, "responsible": colResponsible,
	"整改时限": colDeadline, "完成时限": colDeadline, "整改期限": colDeadline, "deadline": colDeadline,
	"完成日期": colCompleted, "整改完成时间": colCompleted, "完成时间": colCompleted, "completed_at": colCompleted,
	"示例数据": colSample, "sample": colSample,
	"序号": colIgnored, "编号": colIgnored, "id": colIgnored, "备注": colIgnored, "source_article": colIgnored, "source_title": colIgnored,
}

// MaxLedgerRows bounds a ledger; a larger one is refused before parsing.
const MaxLedgerRows = 100_000

// ParseLedger reads a findings ledger: .jsonl (one object a line), .csv (any
// encoding DecodeText knows; Excel writes GBK) or .xlsx (the first sheet).
// It returns every finding, or a *LedgerError listing every bad value and
// no findings at all.
func ParseLedger(ctx context.Context, name string, data []byte, lim Limits) ([]*Finding, error) {
	if lim == (Limits{}) {
		lim = DefaultLimits
	}
	file := filepath.Base(name)
	if len(data) == 0 {
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: the file is empty (0 bytes)", ErrEmpty)}
	}
	if int64(len(data)) > lim.MaxFileBytes {
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: %d bytes, the limit is %d", ErrTooLarge, len(data), lim.MaxFileBytes)}
	}
	var (
		rows []map[string]string // header → value
		nums []int               // row numbers as the user sees them
		err  error
	)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		rows, nums, err = jsonlRows(data)
	case ".csv":
		rows, nums, err = csvRows(data)
	case ".xlsx":
		if sniff(data) != "zip" {
			return nil, &ParseError{File: file, Err: fmt.Errorf("%w: named .xlsx but not a zip archive", ErrFormat)}
		}
		if _, zerr := openZip(data, lim); zerr != nil {
			return nil, &ParseError{File: file, Err: zerr}
		}
		rows, nums, err = xlsxRows(data, lim)
	default:
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: findings are imported from .jsonl, .csv or .xlsx files", ErrFormat)}
	}
	if err != nil {
		return nil, &ParseError{File: file, Err: err}
	}
	if len(rows) > MaxLedgerRows {
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: %d rows, the limit is %d", ErrTooLarge, len(rows), MaxLedgerRows)}
	}
	if len(rows) == 0 {
		return nil, &ParseError{File: file, Err: fmt.Errorf("%w: no data rows", ErrEmpty)}
	}
	var problems []CellError
	var out []*Finding
	seen := map[string]int{}
	for i, row := range rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, errs := rowFinding(file, nums[i], row)
		problems = append(problems, errs...)
		if f == nil {
			continue
		}
		if first, dup := seen[f.ID]; dup {
			problems = append(problems, CellError{File: file, Row: nums[i], Msg: fmt.Sprintf("the same finding (unit, round and description) as row %d", first)})
			continue
		}
		seen[f.ID] = nums[i]
		out = append(out, f)
	}
	if len(problems) > 0 {
		return nil, &LedgerError{Problems: problems}
	}
	return out, nil
}

func jsonlRows(data []byte) ([]map[string]string, []int, error) {
	var rows []map[string]string
	var nums []int
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, nil, fmt.Errorf("%w: line %d is not a JSON object: %v", ErrDamaged, line, err)
		}
		row := map[string]string{}
		for k, v := range obj {
			switch t := v.(type) {
			case nil:
			case string:
				row[k] = t
			case []any:
				parts := make([]string, 0, len(t))
				for _, e := range t {
					parts = append(parts, fmt.Sprint(e))
				}
				row[k] = strings.Join(parts, "、")
			case bool:
				row[k] = strconv.FormatBool(t)
			case float64:
				row[k] = strconv.FormatFloat(t, 'f', -1, 64)
			default:
				b, _ := json.Marshal(t) // re-encoding a decoded value cannot fail
				row[k] = string(b)
			}
		}
		rows = append(rows, row)
		nums = append(nums, line)
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: line %d: %v", ErrTooLarge, line+1, err)
	}
	return rows, nums, nil
}

func csvRows(data []byte) ([]map[string]string, []int, error) {
	text, _, err := DecodeText(data)
	if err != nil {
		return nil, nil, err
	}
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	records, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	return tableRows(records, 1)
}

func xlsxRows(data []byte, lim Limits) ([]map[string]string, []int, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.MaxZipBytes, UnzipXMLSizeLimit: min(lim.MaxZipBytes, 64<<20)})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not a readable XLSX workbook: %v", ErrDamaged, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, fmt.Errorf("%w: the workbook has no sheets", ErrEmpty)
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	defer it.Close()
	var records [][]string
	for it.Next() {
		cols, err := it.Columns()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %v", ErrDamaged, err)
		}
		records = append(records, cols)
		if len(records) > MaxLedgerRows+1 {
			break
		}
	}
	return tableRows(records, 1)
}

// tableRows turns records (the first non-empty one is the header) into
// header → value maps; first is the number of the first record.
func tableRows(records [][]string, first int) ([]map[string]string, []int, error) {
	h := 0
	for h < len(records) && strings.TrimSpace(strings.Join(records[h], "")) == "" {
		h++
	}
	if h == len(records) {
		return nil, nil, nil
	}
	header := make([]string, len(records[h]))
	for i, c := range records[h] {
		header[i] = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
	}
	var rows []map[string]string
	var nums []int
	for i := h + 1; i < len(records); i++ {
		rec := records[i]
		if strings.TrimSpace(strings.Join(rec, "")) == "" {
			continue
		}
		row := map[string]string{}
		for j, v := range rec {
			if j < len(header) && header[j] != "" {
				row[header[j]] = v
			} else if strings.TrimSpace(v) != "" {
				row[fmt.Sprintf("(column %d)", j+1)] = v
			}
		}
		rows = append(rows, row)
		nums = append(nums, i+first)
	}
	return rows, nums, nil
}

// rowFinding validates one row and builds its finding.
func rowFinding(file string, n int, row map[string]string) (*Finding, []CellError) {
	var errs []CellError
	bad := func(col, val, msg string) {
		errs = append(errs, CellError{File: file, Row: n, Column: col, Value: val, Msg: msg})
	}
	f := &Finding{}
	textFields := map[ledgerField]*string{
		colUnit: &f.Unit, colRound: &f.Round, colGroup: &f.Group, colDescription: &f.Description,
		colFacts: &f.Facts, colDisposition: &f.Disposition, colPerson: &f.Person, colPost: &f.Post,
		colMeasures: &f.Rectification.Measures, colResponsible: &f.Rectification.Responsible,
	}
	var headers []string
	for k := range row {
		headers = append(headers, k)
	}
	sort.Strings(headers)
	for _, col := range headers {
		val := strings.TrimSpace(row[col])
		field, known := headerNames[strings.ToLower(strings.TrimSpace(col))]
		if !known {
			if val != "" {
				bad(col, "", "unknown column (expected headers such as 被巡察单位, 轮次, 问题类型, 问题描述, 整改状态, 整改措施, 责任人, 整改时限)")
			}
			continue
		}
		if val == "" {
			continue
		}
		if p, ok := textFields[field]; ok {
			*p = val
			continue
		}
		switch field {
		case colFocus:
			if fc, ok := ParseFocus(val); ok {
				f.Focus = fc
			} else {
				bad(col, val, "not one of the 四个聚焦 (1–4 or its name)")
			}
		case colProblems:
			f.Problems = splitList(val)
		case colDate, colDeadline, colCompleted:
			t, ok := ParseDate(val)
			if !ok {
				bad(col, val, "not a date (write 2024-03-31 or 2024年3月31日)")
				continue
			}
			switch field {
			case colDate:
				f.Date = t
			case colDeadline:
				f.Rectification.Deadline = t
			default:
				f.Rectification.CompletedAt = t
			}
		case colStatus:
			if s, ok := ParseStatus(val); ok {
				f.Rectification.Status = s
			} else {
				bad(col, val, "not a rectification status (未整改, 整改中, 已整改 or 长期坚持)")
			}
		case colSample:
			f.Sample = val == "true" || val == "是" || val == "1" || val == "示例数据"
		}
	}
	if f.Unit == "" {
		bad("被巡察单位", "", "missing: every finding needs its unit")
	}
	if f.Description == "" {
		bad("问题描述", "", "missing: every finding needs a description")
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if f.Rectification.Status == "" {
		f.Rectification.Status = StatusNotStarted
	}
	f.ID = FindingID(f.Unit, f.Round, f.Description)
	return f, nil
}

var reListSep = regexp.MustCompile(`[、，,;；/|]+`)

func splitList(s string) []string {
	var out []string
	for _, p := range reListSep.Split(s, -1) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ParseDate reads a date as inspectors write it: 2024-03-31, 2024/3/31,
// 2024.3.31, 2024年3月31日 (optionally with a time after it), or an Excel
// serial day number. It reports false for anything else, including
// impossible dates (2024-02-30).
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if m := reFullDate.FindStringSubmatch(s); m != nil {
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		return makeDate(y, mo, d)
	}
	if n, err := strconv.Atoi(s); err == nil && n > 20000 && n < 80000 {
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n), true
	}
	return time.Time{}, false
}

var reFullDate = regexp.MustCompile(`^(\d{4})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$`)

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// WriteLedgerCSV writes findings as a CSV ledger with Chinese headers (the
// columns ParseLedger reads back).
func WriteLedgerCSV(w io.Writer, fs []*Finding) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(LedgerHeaders); err != nil {
		return err
	}
	for _, f := range fs {
		if err := cw.Write(LedgerRow(f)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// LedgerHeaders are the columns of an exported 整改台账.
var LedgerHeaders = []string{"被巡察单位", "轮次", "巡察组", "四个聚焦", "问题类型", "问题描述", "具体事实", "处理结果", "整改状态", "整改措施", "责任人", "整改时限", "完成日期", "发现日期"}

// LedgerRow returns a finding's cells in LedgerHeaders order.
func LedgerRow(f *Finding) []string {
	r := f.Rectification
	return []string{f.Unit, f.Round, f.Group, string(f.Focus), strings.Join(f.Problems, "、"), f.Description, f.Facts, f.Disposition,
		string(r.Status), r.Measures, r.Responsible, dateString(r.Deadline), dateString(r.CompletedAt), dateString(f.Date)}
}
