package corpus

import (
	"io"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// StatusCounts counts findings by rectification state.
type StatusCounts struct {
	Found      int `json:"found"`
	Done       int `json:"rectified"`
	InProgress int `json:"in_progress"`
	NotStarted int `json:"not_started"`
	Ongoing    int `json:"ongoing"`
	Overdue    int `json:"overdue"`
}

func (c *StatusCounts) add(f *Finding, today time.Time) {
	c.Found++
	switch f.Rectification.Status {
	case StatusDone:
		c.Done++
	case StatusInProgress:
		c.InProgress++
	case StatusOngoing:
		c.Ongoing++
	default:
		c.NotStarted++
	}
	if f.Rectification.Overdue(today) {
		c.Overdue++
	}
}

// RectificationRate is the share of findings rectified or under long-term
// rectification (长期坚持), 0 without findings.
func (c StatusCounts) RectificationRate() float64 {
	if c.Found == 0 {
		return 0
	}
	return float64(c.Done+c.Ongoing) / float64(c.Found)
}

// roundOrder orders rounds by the date of their earliest finding (rounds
// without dates last, by name).
func roundOrder(fs []*Finding) []string {
	first := map[string]time.Time{}
	for _, f := range fs {
		if f.Round == "" {
			continue
		}
		d, seen := first[f.Round]
		if !seen || (!f.Date.IsZero() && (d.IsZero() || f.Date.Before(d))) {
			first[f.Round] = f.Date
		}
	}
	var rounds []string
	for r := range first {
		rounds = append(rounds, r)
	}
	sort.Slice(rounds, func(i, j int) bool {
		a, b := first[rounds[i]], first[rounds[j]]
		if a.IsZero() != b.IsZero() {
			return !a.IsZero()
		}
		if !a.Equal(b) {
			return a.Before(b)
		}
		return rounds[i] < rounds[j]
	})
	return rounds
}

// UnitProfile is everything the findings say about one unit.
type UnitProfile struct {
	Unit      string         `json:"unit"`
	Rounds    []string       `json:"rounds"`
	Counts    StatusCounts   `json:"counts"`
	Rate      float64        `json:"rectification_rate"`
	ByFocus   map[string]int `json:"by_focus"`
	ByProblem map[string]int `json:"by_problem"`
	Findings  []*Finding     `json:"findings"`
	Overdue   []*Finding     `json:"overdue"`
	Repeated  []Repeat       `json:"repeated"`
}

// ProfileOf builds the profile of unit from all findings (those of other
// units are ignored), as of today.
func ProfileOf(unit string, all []*Finding, today time.Time) UnitProfile {
	p := UnitProfile{Unit: unit, ByFocus: map[string]int{}, ByProblem: map[string]int{}, Findings: []*Finding{}, Overdue: []*Finding{}}
	for _, f := range all {
		if f.Unit != unit {
			continue
		}
		p.Findings = append(p.Findings, f)
		p.Counts.add(f, today)
		if f.Focus != "" {
			p.ByFocus[string(f.Focus)]++
		}
		for _, pr := range f.Problems {
			p.ByProblem[pr]++
		}
		if f.Rectification.Overdue(today) {
			p.Overdue = append(p.Overdue, f)
		}
	}
	p.Rounds = roundOrder(p.Findings)
	rank := map[string]int{}
	for i, r := range p.Rounds {
		rank[r] = i
	}
	sort.SliceStable(p.Findings, func(i, j int) bool { return rank[p.Findings[i].Round] < rank[p.Findings[j].Round] })
	p.Rate = p.Counts.RectificationRate()
	p.Repeated = RepeatedProblems(p.Findings)
	if p.Repeated == nil {
		p.Repeated = []Repeat{}
	}
	return p
}

// Repeat is a problem found at one unit in more than one round (屡查屡犯).
type Repeat struct {
	Unit string `json:"unit"`
	// Problem is the shared problem type, or the first description when
	// the findings are alike in text rather than by type.
	Problem  string   `json:"problem"`
	ByText   bool     `json:"by_text"`
	Rounds   []string `json:"rounds"`
	Findings []string `json:"findings"`
	// AfterRectified is set when a finding was reported 已整改 and the
	// problem was found again in a later round.
	AfterRectified bool `json:"after_rectified"`
}

// similarText reports whether two descriptions are near-identical: the
// Dice coefficient of their character bigrams (punctuation ignored) is at
// least 0.5.
func similarText(a, b string) bool {
	return dice(withoutPunctuation(a), withoutPunctuation(b)) >= 0.5
}

// withoutPunctuation drops the punctuation and spaces that decide nothing
// about whether two findings describe the same problem.
func withoutPunctuation(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("，。、；：！？,.;:!? \u3000“”\"()（）", r) {
			return -1
		}
		return r
	}, s)
}

// genericProblems are problem types too broad to call two findings the
// same problem on their own (整改不到位 is about whatever was not rectified).
var genericProblems = map[string]bool{"整改不到位": true}

// RepeatedProblems finds, for each unit, problems of the same type or with
// near-identical descriptions in two or more rounds. Findings without a
// round are left out.
func RepeatedProblems(fs []*Finding) []Repeat {
	byUnit := map[string][]*Finding{}
	var units []string
	for _, f := range fs {
		if f.Round == "" {
			continue
		}
		if _, ok := byUnit[f.Unit]; !ok {
			units = append(units, f.Unit)
		}
		byUnit[f.Unit] = append(byUnit[f.Unit], f)
	}
	sort.Strings(units)
	var out []Repeat
	for _, u := range units {
		list := byUnit[u]
		rank := map[string]int{}
		for i, r := range roundOrder(list) {
			rank[r] = i
		}
		sort.SliceStable(list, func(i, j int) bool { return rank[list[i].Round] < rank[list[j].Round] })
		// By type.
		types := map[string][]*Finding{}
		var typeOrder []string
		for _, f := range list {
			for _, p := range f.Problems {
				if genericProblems[p] {
					continue
				}
				if _, ok := types[p]; !ok {
					typeOrder = append(typeOrder, p)
				}
				types[p] = append(types[p], f)
			}
		}
		covered := map[string]bool{}
		same := map[string]int{} // the findings of a repeat → its index in out
		for _, p := range typeOrder {
			r, ok := repeatOf(u, p, false, types[p], rank)
			if !ok {
				continue
			}
			// The same findings repeated under several types are one
			// repeat (形式主义、文山会海).
			key := strings.Join(r.Findings, ",")
			if i, dup := same[key]; dup {
				out[i].Problem += "、" + p
				continue
			}
			same[key] = len(out)
			out = append(out, r)
			for _, id := range r.Findings {
				covered[id] = true
			}
		}
		// By text, for findings not already joined by a type.
		for i, f := range list {
			if covered[f.ID] {
				continue
			}
			group := []*Finding{f}
			for _, g := range list[i+1:] {
				if !covered[g.ID] && g.Round != f.Round && similarText(f.Description, g.Description) {
					group = append(group, g)
				}
			}
			if r, ok := repeatOf(u, f.Description, true, group, rank); ok {
				out = append(out, r)
				for _, id := range r.Findings {
					covered[id] = true
				}
			}
		}
	}
	return out
}

// repeatOf makes a Repeat of findings when they span two or more rounds.
func repeatOf(unit, problem string, byText bool, fs []*Finding, rank map[string]int) (Repeat, bool) {
	r := Repeat{Unit: unit, Problem: problem, ByText: byText}
	seen := map[string]bool{}
	doneAt := -1
	for _, f := range fs {
		if !seen[f.Round] {
			seen[f.Round] = true
			r.Rounds = append(r.Rounds, f.Round)
		}
		r.Findings = append(r.Findings, f.ID)
		if f.Rectification.Status == StatusDone && (doneAt < 0 || rank[f.Round] < doneAt) {
			doneAt = rank[f.Round]
		}
	}
	for _, f := range fs {
		if doneAt >= 0 && rank[f.Round] > doneAt {
			r.AfterRectified = true
		}
	}
	return r, len(r.Rounds) >= 2
}

// RoundReport summarises one round: counts per unit and per focus.
type RoundReport struct {
	Round   string                  `json:"round"`
	Total   StatusCounts            `json:"total"`
	ByUnit  map[string]StatusCounts `json:"by_unit"`
	ByFocus map[string]StatusCounts `json:"by_focus"`
	// Findings are the round's findings, by unit.
	Findings []*Finding `json:"findings"`
}

// ReportOf builds the report of a round as of today.
func ReportOf(round string, all []*Finding, today time.Time) RoundReport {
	rep := RoundReport{Round: round, ByUnit: map[string]StatusCounts{}, ByFocus: map[string]StatusCounts{}, Findings: []*Finding{}}
	for _, f := range all {
		if f.Round != round {
			continue
		}
		rep.Findings = append(rep.Findings, f)
		rep.Total.add(f, today)
		u := rep.ByUnit[f.Unit]
		u.add(f, today)
		rep.ByUnit[f.Unit] = u
		focus := string(f.Focus)
		if focus == "" {
			focus = "未分类"
		}
		fc := rep.ByFocus[focus]
		fc.add(f, today)
		rep.ByFocus[focus] = fc
	}
	sort.SliceStable(rep.Findings, func(i, j int) bool { return rep.Findings[i].Unit < rep.Findings[j].Unit })
	return rep
}

// WriteLedgerXLSX writes findings as an XLSX 整改台账: one row per finding,
// the columns inspectors use, a header row, and the sheet named after the
// round (or 整改台账).
func WriteLedgerXLSX(w io.Writer, title string, fs []*Finding) error {
	x := excelize.NewFile()
	defer x.Close()
	sheet := "整改台账"
	if title != "" && len([]rune(title)) <= 31 && !strings.ContainsAny(title, `:\/?*[]`) {
		sheet = title
	}
	if err := x.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	header := append([]string{"序号"}, LedgerHeaders...)
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1) // fails only for coordinates below 1
		if err := x.SetCellStr(sheet, cell, h); err != nil {
			return err
		}
	}
	for r, f := range fs {
		row := append([]string{""}, LedgerRow(f)...)
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2) // as above
			var err error
			if c == 0 {
				err = x.SetCellInt(sheet, cell, int64(r+1))
			} else {
				err = x.SetCellStr(sheet, cell, v)
			}
			if err != nil {
				return err
			}
		}
	}
	_, err := x.WriteTo(w)
	return err
}
