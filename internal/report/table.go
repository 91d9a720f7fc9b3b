package report

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// barWidth is the width in terminal cells of a full bar in the table format.
const barWidth = 40

// eighths are the partial block characters, index i being i/8 of a cell.
var eighths = [8]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// writeTable renders the terminal format: per day a heading line (marked "provisional" when
// the day is) and the column names, then per row (the total first, then each breakdown value,
// indented under its label) one line per stage with the count, the step and overall
// conversion, in ordered mode the median and mean time from the first stage, and a bar of the
// count relative to the row's largest count (the first stage's, unless a later stage has
// more). A report of several days ends with a block of the whole range: the day totals added
// up, with a note on what a summed count means. Columns are aligned across the whole report;
// lines carry no trailing spaces and no colors. The attribution, if any, comes first as a note.
//
//	user_trace  20210303  (events mode)
//	  stage         count    step  overall
//	  browse      120,000       —        —  ████████████████████████████████████████
//	  click        41,148  34.29%   34.29%  █████████████▋
//	  purchase      4,115  10.00%    3.43%  █▍
func writeTable(b *bytes.Buffer, r *Report) error {
	if len(r.Rows) == 0 {
		b.WriteString(r.emptyText() + "\n")
		return nil
	}
	header := []string{"stage", "count", "step", "overall"}
	if r.ordered() {
		header = append(header, "median time", "avg time")
	}
	widths := make([]int, len(header))
	for i, h := range header {
		widths[i] = displayWidth(h)
	}
	// lines returns the texts of one line per stage of counts and rates, and widens the
	// columns to fit them.
	lines := func(counts []int64, step, overall, median, avg []string) [][]string {
		out := make([][]string, len(r.Stages))
		for k := range r.Stages {
			c := []string{r.Stages[k], formatCount(counts[k]), step[k], overall[k]}
			if r.ordered() {
				c = append(c, median[k], avg[k])
			}
			for j, s := range c {
				widths[j] = max(widths[j], displayWidth(s))
			}
			out[k] = c
		}
		return out
	}
	percents := func(v []*float64) []string {
		out := make([]string, len(v))
		for k, p := range v {
			out[k] = formatPercent(p)
		}
		return out
	}
	seconds := func(v []*float64) []string {
		out := make([]string, len(v))
		for k, p := range v {
			out[k] = formatSeconds(p)
		}
		return out
	}
	cells := make(map[*Row][][]string, len(r.Rows))
	for i := range r.Rows {
		row := &r.Rows[i]
		cells[row] = lines(row.Counts, percents(row.StepRates), percents(row.OverallRates), seconds(row.MedianSeconds), seconds(row.AvgSeconds))
	}
	days := r.days()
	var whole *sum
	var wholeCells [][]string
	if len(days) > 1 {
		if whole, _ = r.rangeSum(days); whole != nil {
			median := make([]string, len(r.Stages))
			for k := range median {
				median[k] = medianText(whole.MedianLo, whole.MedianHi, k)
			}
			wholeCells = lines(whole.Counts, percents(whole.StepRates), percents(whole.OverallRates), median, seconds(whole.AvgSeconds))
		}
	}
	line := func(indent string, c []string, bar string) {
		var l strings.Builder
		l.WriteString(indent)
		for j, s := range c {
			if j > 0 {
				l.WriteString("  ")
			}
			if j == 0 {
				l.WriteString(padRight(s, widths[j]))
			} else {
				l.WriteString(padLeft(s, widths[j]))
			}
		}
		l.WriteString("  ")
		l.WriteString(bar)
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
	block := func(indent string, counts []int64, c [][]string) {
		top := max(0, slices.Max(counts)) // Validate: one count per stage, at least one stage
		for k := range c {
			line(indent, c[k], bar(counts[k], top))
		}
	}

	if r.Attribution != "" {
		b.WriteString("note: " + r.Attribution + "\n\n")
	}
	for i, d := range days {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.Funnel + "  " + d.Dt + "  (" + r.modeText() + ")")
		if d.Provisional {
			b.WriteString("  provisional")
		}
		b.WriteByte('\n')
		indent := "  "
		if len(r.Breakdowns) > 0 {
			indent = "    "
		}
		line(indent, header, "")
		for _, row := range d.Rows {
			if len(r.Breakdowns) > 0 {
				b.WriteString("  " + r.label(row) + "\n")
			}
			block(indent, row.Counts, cells[row])
		}
	}
	if whole != nil {
		b.WriteString("\n" + r.Funnel + "  " + days[0].Dt + ".." + days[len(days)-1].Dt + "  (" + r.modeText() + ")  ")
		b.WriteString(fmt.Sprintf("sum of %d days", whole.Rows))
		if len(r.Breakdowns) > 0 {
			b.WriteString(", totals")
		}
		b.WriteByte('\n')
		line("  ", header, "")
		block("  ", whole.Counts, wholeCells)
		text := r.countsText(whole.Rows)
		if r.ordered() {
			text += " Medians cannot be added up: the range's median lies between the smallest and the largest daily median shown; the average is over all users who reached the stage."
		}
		wrap(b, text, "  note: ", noteWidth)
	}
	return nil
}

// noteWidth is the width in terminal cells a note is wrapped at.
const noteWidth = 96

// wrap writes text after prefix, broken at spaces into lines of at most width cells (a longer
// word gets a line of its own), continuation lines indented as deep as the prefix.
func wrap(b *bytes.Buffer, text, prefix string, width int) {
	indent := strings.Repeat(" ", displayWidth(prefix))
	line, n := prefix, displayWidth(prefix)
	fresh := true
	for _, w := range strings.Fields(text) {
		if !fresh && n+1+displayWidth(w) > width {
			b.WriteString(line + "\n")
			line, n, fresh = indent, len(indent), true
		}
		if !fresh {
			line += " "
			n++
		}
		line += w
		n += displayWidth(w)
		fresh = false
	}
	b.WriteString(line + "\n")
}

// medianText shows the median of stage k of a sum: the one median, or the range the medians
// of the summed rows span ("40s–46s"), or undefined.
func medianText(lo, hi []*float64, k int) string {
	if lo == nil || lo[k] == nil {
		return undefined
	}
	l, h := formatSeconds(lo[k]), formatSeconds(hi[k])
	if l == h {
		return l
	}
	return l + "–" + h
}

// bar draws n out of top as at most barWidth cells of block characters, to the nearest eighth
// of a cell; a non-zero n gets at least an eighth, so it never looks like zero.
func bar(n, top int64) string {
	if n <= 0 || top <= 0 {
		return ""
	}
	e := int(float64(n)/float64(top)*barWidth*8 + 0.5)
	e = min(max(e, 1), barWidth*8)
	return strings.Repeat("█", e/8) + eighths[e%8]
}
