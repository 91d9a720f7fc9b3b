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

// writeTable renders the terminal format: per day a heading line (marked "provisional" and
// "out of date" when the day is) and the column names, then per row (the total first, then each breakdown value,
// indented under its label) one line per stage with the count, the step and overall
// conversion, in ordered mode the median and mean time from the entry (and, when the table
// has them, from the previous stage), and a bar of the count relative to the row's largest
// count (the first stage's, unless a later stage has more). With percentiles or a histogram,
// the row's stage lines are followed by its distributions: under their own column names, a
// line per later stage and series (from the entry, from the previous stage) with the
// percentiles and the users in each histogram bucket. A report of several days ends with a
// block of the whole range: the day totals added up, with a note on what a summed count
// means. Columns are aligned across the whole report; lines carry no trailing spaces and no
// colors. Notes (the attribution, the breakdown limit, what the times are) come first.
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
	w := newTableWriter(b, r)
	cells := make(map[*Row]rowCells, len(r.Rows))
	for i := range r.Rows {
		cells[&r.Rows[i]] = w.rowCells(&r.Rows[i])
	}
	days := r.days()
	var whole *sum
	var wholeCells rowCells
	if len(days) > 1 {
		if whole, _ = r.rangeSum(days); whole != nil {
			wholeCells = w.sumCells(whole)
		}
	}
	// The stage column is as wide in the stage and the distribution lines.
	if w.distWidths != nil {
		w.distWidths[0] = max(w.distWidths[0], w.widths[0])
		w.widths[0] = w.distWidths[0]
	}
	w.notes()
	for i, d := range days {
		if i > 0 {
			b.WriteByte('\n')
		}
		w.day(d, cells)
	}
	if whole != nil {
		w.sum(days, whole, wholeCells)
	}
	return nil
}

// tableWriter writes a report in the table format. Its columns fit every
// text of the report: the cells are made first (rowCells, sumCells), which
// widens them, and then written.
type tableWriter struct {
	b *bytes.Buffer
	r *Report

	header []string // of the stage lines: counts, rates, times
	widths []int
	// The distributions' lines have columns of their own but for the
	// first, the stage.
	distHeader []string
	distWidths []int
}

// rowCells are the texts of the lines of a row: one per stage, then the
// distribution lines.
type rowCells struct{ stages, dist [][]string }

func newTableWriter(b *bytes.Buffer, r *Report) *tableWriter {
	w := &tableWriter{b: b, r: r, header: []string{"stage", "count", "step", "overall"}}
	for _, k := range r.timeKinds() {
		w.header = append(w.header, pick(k, "median time", "avg time", "step median", "step avg"))
	}
	w.widths = make([]int, len(w.header))
	widen(w.widths, w.header)
	if r.distributions() {
		w.distHeader = append(append([]string{"time to", "from"}, r.Percentiles...), r.Buckets...)
		w.distWidths = make([]int, len(w.distHeader))
		widen(w.distWidths, w.distHeader)
	}
	return w
}

// widen widens the columns ws to fit the texts c.
func widen(ws []int, c []string) {
	for j, s := range c {
		ws[j] = max(ws[j], displayWidth(s))
	}
}

// rowCells returns the texts of a row of the report.
func (w *tableWriter) rowCells(row *Row) rowCells {
	r := w.r
	var times [][]string
	for _, k := range r.timeKinds() {
		times = append(times, w.seconds(pick(k, row.MedianSeconds, row.AvgSeconds, row.StepMedianSeconds, row.StepAvgSeconds)))
	}
	c := rowCells{stages: w.stageLines(row.Counts, times)}
	if r.distributions() {
		c.dist = w.distLines(func(step bool, k, i int) string { return formatSeconds(pct(row, step, k, i)) },
			func(step bool, k, j int) string { return countText(bucket(row, step, k, j)) })
	}
	return c
}

// sumCells returns the texts of the sum of the days: the ranges of the
// daily medians and percentiles, the sums of the counts.
func (w *tableWriter) sumCells(whole *sum) rowCells {
	r := w.r
	var times [][]string
	for _, k := range r.timeKinds() {
		avg, lo, hi := whole.times(k.step)
		if k.avg {
			times = append(times, w.seconds(avg))
		} else {
			times = append(times, w.ranges(lo, hi))
		}
	}
	c := rowCells{stages: w.stageLines(whole.Counts, times)}
	if r.distributions() {
		c.dist = w.distLines(func(step bool, k, i int) string {
			return rangeText(whole.PctLo[seriesIndex(step)][k][i], whole.PctHi[seriesIndex(step)][k][i])
		}, func(step bool, k, j int) string {
			if h := whole.Hist[seriesIndex(step)][k]; h != nil {
				return formatCount(h[j])
			}
			return undefined
		})
	}
	return c
}

// stageLines returns the texts of one line per stage of counts, rates and
// times, and widens the columns to fit them.
func (w *tableWriter) stageLines(counts []int64, times [][]string) [][]string {
	out := make([][]string, len(w.r.Stages))
	for k := range w.r.Stages {
		c := []string{w.r.Stages[k], formatCount(counts[k]), stepPercent(counts, k), overallPercent(counts, k)}
		for _, t := range times {
			c = append(c, t[k])
		}
		widen(w.widths, c)
		out[k] = c
	}
	return out
}

// distLines returns the distribution lines of stages 2.. (each from the
// entry, then from the previous stage): percentile texts and bucket counts.
func (w *tableWriter) distLines(pctText func(step bool, k, i int) string, bucketText func(step bool, k, b int) string) [][]string {
	r := w.r
	var out [][]string
	for k := 1; k < len(r.Stages); k++ {
		for _, step := range r.series() {
			from := "entry"
			if step {
				from = "previous"
			}
			c := []string{r.Stages[k], from}
			for i := range r.Percentiles {
				c = append(c, pctText(step, k, i))
			}
			for j := range r.Buckets {
				c = append(c, bucketText(step, k, j))
			}
			widen(w.distWidths, c)
			out = append(out, c)
		}
	}
	return out
}

// seconds returns the texts of times per stage.
func (w *tableWriter) seconds(v []*float64) []string {
	out := make([]string, len(w.r.Stages))
	for k := range out {
		out[k] = formatSeconds(at(v, k))
	}
	return out
}

// ranges returns the texts of the ranges of daily medians per stage.
func (w *tableWriter) ranges(lo, hi []*float64) []string {
	out := make([]string, len(w.r.Stages))
	for k := range out {
		out[k] = medianText(lo, hi, k)
	}
	return out
}

// line writes the texts c in columns of widths ws, the first left of them
// aligned left and the others right, and then bar.
func (w *tableWriter) line(indent string, ws []int, left int, c []string, bar string) {
	var l strings.Builder
	l.WriteString(indent)
	for j, s := range c {
		if j > 0 {
			l.WriteString("  ")
		}
		if j < left {
			l.WriteString(padRight(s, ws[j]))
		} else {
			l.WriteString(padLeft(s, ws[j]))
		}
	}
	l.WriteString("  ")
	l.WriteString(bar)
	w.b.WriteString(strings.TrimRight(l.String(), " "))
	w.b.WriteByte('\n')
}

// block writes the lines of a row: its stages with bars, then its
// distributions.
func (w *tableWriter) block(indent string, counts []int64, c rowCells) {
	top := max(0, slices.Max(counts)) // Validate: one count per stage, at least one stage
	for k := range c.stages {
		w.line(indent, w.widths, 1, c.stages[k], bar(counts[k], top))
	}
	if c.dist != nil {
		w.line(indent, w.distWidths, 2, w.distHeader, "")
		for _, d := range c.dist {
			w.line(indent, w.distWidths, 2, d, "")
		}
	}
}

// notes writes the notes before the first day.
func (w *tableWriter) notes() {
	r, b := w.r, w.b
	if r.Attribution != "" {
		b.WriteString("note: " + r.Attribution + "\n")
	}
	for _, n := range r.tableNotes() {
		wrap(b, n, "note: ", noteWidth)
	}
	if r.Attribution != "" || len(r.tableNotes()) > 0 {
		b.WriteByte('\n')
	}
}

// day writes a day's rows: a block per breakdown value, or the day's one.
func (w *tableWriter) day(d day, cells map[*Row]rowCells) {
	r, b := w.r, w.b
	b.WriteString(r.Funnel + "  " + d.Dt + "  (" + r.modeText() + ")")
	if d.Provisional {
		b.WriteString("  provisional")
	}
	if d.OutOfDate != "" {
		b.WriteString("  out of date")
	}
	b.WriteByte('\n')
	indent := "  "
	if len(r.Breakdowns) > 0 {
		indent = "    "
	}
	w.line(indent, w.widths, 1, w.header, "")
	for _, row := range d.Rows {
		if len(r.Breakdowns) > 0 {
			label := r.label(row)
			if r.isOther(row) {
				label += fmt.Sprintf("  (the values beyond the top %d)", r.BreakdownLimit)
			}
			b.WriteString("  " + label + "\n")
		}
		w.block(indent, row.Counts, cells[row])
	}
}

// sum writes the sum of the days, and what of it cannot be added up.
func (w *tableWriter) sum(days []day, whole *sum, c rowCells) {
	r, b := w.r, w.b
	b.WriteString("\n" + r.Funnel + "  " + days[0].Dt + ".." + days[len(days)-1].Dt + "  (" + r.modeText() + ")  ")
	b.WriteString(fmt.Sprintf("sum of %d days", whole.Rows))
	// As the page's range card says: days whose rows are to change.
	if p := provisionalDays(days); len(p) > 0 {
		b.WriteString(fmt.Sprintf(", %d provisional", len(p)))
	}
	if stale, _ := outOfDate(days); len(stale) > 0 {
		b.WriteString(fmt.Sprintf(", %d out of date", len(stale)))
	}
	if len(r.Breakdowns) > 0 {
		b.WriteString(", totals")
	}
	b.WriteByte('\n')
	w.line("  ", w.widths, 1, w.header, "")
	w.block("  ", whole.Counts, c)
	text := r.countsText(whole.Rows)
	if r.distributions() && len(r.Percentiles) > 0 {
		text += " Medians and percentiles cannot be added up: the range's lies between the smallest and the largest daily value shown; the average is over all users who reached the stage."
	} else if r.ordered() && (!r.NoTimes || r.StepTimes) {
		// Of what the table has: a median, an average, or both.
		kinds := r.timeKinds()
		var how []string
		if slices.ContainsFunc(kinds, func(k timeKind) bool { return !k.avg }) {
			how = append(how, "medians cannot be added up: the range's median lies between the smallest and the largest daily median shown")
		}
		if slices.ContainsFunc(kinds, func(k timeKind) bool { return k.avg }) {
			how = append(how, "the average is over all users who reached the stage")
		}
		if len(how) > 0 {
			how[0] = strings.ToUpper(how[0][:1]) + how[0][1:]
			text += " " + strings.Join(how, "; ") + "."
		}
	}
	if r.distributions() && len(r.Buckets) > 0 {
		text += " Histogram counts are added up."
	}
	wrap(b, text, "  note: ", noteWidth)
}

// tableNotes are the notes before the first day of the table format, after the
// attribution.
func (r *Report) tableNotes() []string {
	var out []string
	if t := r.limitText(); t != "" {
		out = append(out, t)
	}
	if r.distributions() {
		t := "times to convert run from the entry (the chain's " + r.Stages[0] + ")"
		if r.StepTimes {
			t += `, and under "step" and "previous" from reaching the previous stage`
		}
		t += ", among the users who reached the stage"
		if len(r.Percentiles) > 0 {
			t += "; percentiles by nearest rank"
		}
		if len(r.Buckets) > 0 {
			t += "; a histogram bucket a–b counts the users from a to less than b"
		}
		out = append(out, t)
	}
	return out
}

// series are the series of times to convert a report has: from the entry (false) and, with
// step times, from the previous stage (true).
func (r *Report) series() []bool {
	if r.StepTimes {
		return []bool{false, true}
	}
	return []bool{false}
}

// countText formats a count, or undefined.
func countText(c *int64) string {
	if c == nil {
		return undefined
	}
	return formatCount(*c)
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
	if lo == nil {
		return undefined
	}
	return rangeText(lo[k], hi[k])
}

// rangeText shows a range of times: the one time, "40s–46s", or undefined.
func rangeText(lo, hi *float64) string {
	if lo == nil {
		return undefined
	}
	l, h := formatSeconds(lo), formatSeconds(hi)
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
