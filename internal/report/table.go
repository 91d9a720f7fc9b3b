package report

import (
	"bytes"
	"slices"
	"strings"
)

// barWidth is the width in terminal cells of a full bar in the table format.
const barWidth = 40

// eighths are the partial block characters, index i being i/8 of a cell.
var eighths = [8]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// writeTable renders the terminal format: per day a heading line and the column names, then
// per row (the total first, then each breakdown value, indented under its label) one line per
// stage with the count, the step and overall conversion, in ordered mode the median and mean
// time from the first stage, and a bar of the count relative to the row's largest count (the
// first stage's, unless a later stage has more). Columns are aligned across the whole report;
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
	// cells[row][k] are the texts of stage k's line of row.
	cells := make(map[*Row][][]string, len(r.Rows))
	for i := range r.Rows {
		row := &r.Rows[i]
		lines := make([][]string, len(r.Stages))
		for k := range r.Stages {
			c := []string{r.Stages[k], formatCount(row.Counts[k]), formatPercent(row.StepRates[k]), formatPercent(row.OverallRates[k])}
			if r.ordered() {
				c = append(c, formatSeconds(row.MedianSeconds[k]), formatSeconds(row.AvgSeconds[k]))
			}
			for j, s := range c {
				widths[j] = max(widths[j], displayWidth(s))
			}
			lines[k] = c
		}
		cells[row] = lines
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

	if r.Attribution != "" {
		b.WriteString("note: " + r.Attribution + "\n\n")
	}
	for i, d := range r.days() {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(r.Funnel + "  " + d.Dt + "  (" + r.modeText() + ")\n")
		indent := "  "
		if len(r.Breakdowns) > 0 {
			indent = "    "
		}
		line(indent, header, "")
		for _, row := range d.Rows {
			if len(r.Breakdowns) > 0 {
				b.WriteString("  " + r.label(row) + "\n")
			}
			top := max(0, slices.Max(row.Counts)) // Validate: one count per stage, at least one stage
			for k, c := range cells[row] {
				line(indent, c, bar(row.Counts[k], top))
			}
		}
	}
	return nil
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
