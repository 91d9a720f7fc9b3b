package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/internal/bizdate"
)

// The page is one file that needs nothing else: inline CSS, inline SVG, no script, no fonts,
// images or links to fetch (the only links point into the page). Every text goes through
// html/template, and the markup is written so that it is also well-formed XML (void elements
// self-closed), which the tests check. It reads on a phone: below 640 px the layout stacks,
// and only tables scroll sideways, in their own box.
//
// Charts are drawn in SVG user units but labelled in HTML: a plot's SVG stretches to the
// width of its box (preserveAspectRatio="none", strokes that do not scale), and its axis
// labels are HTML text placed at percentages of the box, so text keeps its size at any width.
//
//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"n": svgNum,
	// panelOf hands a panel and its kind ("rates" or "counts") to the panel template.
	"panelOf": func(p any, kind string) map[string]any {
		if v, ok := p.(panel); ok {
			p = &v
		}
		return map[string]any{"P": p, "Kind": kind}
	},
}).Parse(pageTemplate))

// writeHTML renders one page of the reports rs: a table of contents when there are several,
// then per funnel a section with the funnel over the whole range (key figures and a bar per
// stage), the trend over the days (conversion rates and counts per day), the breakdowns
// summed over the range (a chart of the largest values and a table), a table of the days,
// and the breakdown values of each day behind a disclosure.
func writeHTML(b *bytes.Buffer, rs []*Report) error {
	return page.Execute(b, buildPage(rs))
}

type htmlPage struct {
	Title   string
	Meta    []string
	TOC     []tocEntry // when there are several funnels
	Funnels []htmlFunnel
}

type tocEntry struct {
	ID, Name, Mode string
	Rate, RateOf   string // the overall conversion of the range: "3.43%", "purchase / browse"
	Days           string // e.g. "7 days, 1 provisional"
}

type htmlFunnel struct {
	ID          string
	Sub         bool // an h2 under the page's h1 (several funnels), else the page's h1
	Name        string
	Description string
	Meta        []string
	Stages      []string
	Notes       []note
	Empty       string
	Range       *rangeView
	Trend       *trendView
	Dist        *distView // ordered mode with percentiles or a histogram
	Groups      []groupView
	Days        *dataTable
	DayDetails  []dayDetail
	ByWhat      string // "device_brand, system_type"
}

type note struct {
	Text string
	Warn bool // about numbers that may change: provisional or out-of-date days
}

type rangeView struct {
	Heading string // "2021-03-03 to 2021-03-09" or the one day
	Sub     string // "7 days, summed"
	Tiles   []tile
	Bars    []stageBar
	Notes   []string
}

type tile struct {
	Label, Value, Sub string
	Muted             bool
	Long              bool // a range such as "1m01s–1m03s", set smaller
}

type stageBar struct {
	Name, Count     string
	Width           string // of the largest bar, "34.3%"
	Fill            string
	Step            string // before the bar, k >= 1: "34.29% of browse"
	Share           string // k >= 1: "3.43% of browse"
	Timing          string // ordered: "median 5m00s · avg 7m12s"
	Zero, StepMuted bool
}

type dataTable struct {
	Head []cell
	Rows []tableRow
}

type tableRow struct {
	Total bool
	Cells []cell
}

type cell struct {
	Text  string
	Num   bool   // right-aligned, tabular figures
	Muted bool   // undefined value
	Badge string // a mark after the text, e.g. "provisional"
	Title string // tooltip
	Other bool   // the label of merged values ("other")
}

type groupView struct {
	Title      string // "By device_brand"
	Sub        string // "7 days summed"
	VolumeHead string // "browse"
	RateHead   string // "purchase / browse"; "" when the funnel has one stage
	Rows       []groupBar
	Ref        string // the total's rate as a position, "" when undefined
	RefText    string // "all: 3.43%"
	Table      *dataTable
}

type groupBar struct {
	Label, Title    string
	Volume, Count   string // width and text
	Rate, RateText  string // width ("" when undefined) and text
	Other, RateNull bool
}

type dayDetail struct {
	Date    string
	Badge   string // "provisional", "out of date", both or ""
	Summary string // "9 rows"
	Table   *dataTable
}

func buildPage(rs []*Report) htmlPage {
	var p htmlPage
	var first, last string
	for _, r := range rs {
		for _, row := range r.Rows {
			if first == "" || row.Dt < first {
				first = row.Dt
			}
			if row.Dt > last {
				last = row.Dt
			}
		}
	}
	if len(rs) == 1 {
		p.Title = "fgen report: " + rs[0].Funnel
	} else {
		p.Title = fmt.Sprintf("fgen report: %d funnels", len(rs))
		p.Meta = append(p.Meta, fmt.Sprintf("%d funnels", len(rs)))
		switch {
		case first == "":
		case first == last:
			p.Meta = append(p.Meta, formatDate(first))
		default:
			p.Meta = append(p.Meta, formatDate(first)+" to "+formatDate(last))
		}
	}
	for i, r := range rs {
		f := buildFunnel(r)
		f.ID = fmt.Sprintf("f%d-%s", i+1, slug(r.Funnel))
		f.Sub = len(rs) > 1
		p.Funnels = append(p.Funnels, f)
		if len(rs) > 1 {
			p.TOC = append(p.TOC, tocEntryOf(r, f))
		}
	}
	return p
}

func tocEntryOf(r *Report, f htmlFunnel) tocEntry {
	e := tocEntry{ID: f.ID, Name: r.Funnel, Mode: r.modeText()}
	days := r.days()
	if len(days) == 0 {
		e.Days = "no rows"
		return e
	}
	e.Days = plural(len(days), "day")
	if p := provisionalDays(days); len(p) > 0 {
		e.Days += fmt.Sprintf(", %d provisional", len(p))
	}
	if stale, _ := outOfDate(days); len(stale) > 0 {
		e.Days += fmt.Sprintf(", %d out of date", len(stale))
	}
	if s, _ := r.rangeSum(days); s != nil && len(r.Stages) > 1 {
		last := len(r.Stages) - 1
		e.Rate, e.RateOf = overallPercent(s.Counts, last), r.Stages[last]+" / "+r.Stages[0]
	}
	return e
}

// slug keeps letters, digits, '_' and '-' of s for an element id.
func slug(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

func provisionalDays(days []day) []string {
	var out []string
	for _, d := range days {
		if d.Provisional {
			out = append(out, formatDate(d.Dt))
		}
	}
	return out
}

// outOfDate returns the days whose rows apply would write again, in
// order, and the reasons, each once, in the order of their first day.
func outOfDate(days []day) (stale, reasons []string) {
	for _, d := range days {
		if d.OutOfDate != "" {
			stale = append(stale, formatDate(d.Dt))
			if !slices.Contains(reasons, d.OutOfDate) {
				reasons = append(reasons, d.OutOfDate)
			}
		}
	}
	return stale, reasons
}

// dayBadge marks a day's date: "provisional", "out of date", both or neither.
func dayBadge(d day) string {
	var marks []string
	if d.Provisional {
		marks = append(marks, "provisional")
	}
	if d.OutOfDate != "" {
		marks = append(marks, "out of date")
	}
	return strings.Join(marks, ", ")
}

func buildFunnel(r *Report) htmlFunnel {
	f := htmlFunnel{Name: r.Funnel, Description: r.Description, Stages: r.Stages}
	if r.Table != "" {
		f.Meta = append(f.Meta, r.Table)
	}
	f.Meta = append(f.Meta, r.modeText())
	days := r.days()
	switch len(days) {
	case 0:
		f.Empty = r.emptyText()
		if n, ok := r.withoutRowsNote(); ok {
			f.Notes = append(f.Notes, n)
		}
		return f
	case 1:
		f.Meta = append(f.Meta, "1 day, "+formatDate(days[0].Dt))
	default:
		f.Meta = append(f.Meta, fmt.Sprintf("%d days, %s to %s", len(days), formatDate(days[0].Dt), formatDate(days[len(days)-1].Dt)))
	}
	if r.Attribution != "" {
		f.Notes = append(f.Notes, note{Text: "Note: " + r.Attribution + "."})
	}
	if t := r.limitText(); t != "" {
		f.Notes = append(f.Notes, note{Text: "Breakdown limit: " + t + "."})
	}
	if r.crossMidnight() {
		f.Notes = append(f.Notes, note{Text: "Cross midnight: a day counts the users whose first step was that day; their later steps may fall on the next day, within the window. A day is final once the next day has landed."})
	}
	if p := provisionalDays(days); len(p) > 0 {
		f.Notes = append(f.Notes, note{Text: fmt.Sprintf("Provisional: %s, computed before all the data it depends on had landed. The numbers may still change.", strings.Join(p, ", ")), Warn: true})
	}
	if stale, reasons := outOfDate(days); len(stale) > 0 {
		// The reasons name partitions: a reload of many days has one each.
		// The page names two at most; each day's says its own.
		why := ""
		if len(reasons) <= 2 {
			why = " (" + strings.Join(reasons, "; ") + ")"
		}
		f.Notes = append(f.Notes, note{Text: fmt.Sprintf("Out of date: %s%s. The numbers are not what funnel.toml computes from the data now: 'fgen apply' of those days writes them again where their ODS partitions are still there.", strings.Join(stale, ", "), why), Warn: true})
	}
	if n, ok := r.withoutRowsNote(); ok {
		f.Notes = append(f.Notes, n)
	}
	if other := r.DaysOfOtherDefinition; len(other) > 0 {
		f.Notes = append(f.Notes, note{Text: fmt.Sprintf("Not in the report: %s, whose rows an earlier definition of the funnel wrote (%s: %s), which would read wrong as this one's; %s.", formatDayRuns(other), formatDate(other[0]), r.OtherDefinition[0], r.againText()), Warn: true})
	}
	whole, missing := r.rangeSum(days)
	if len(missing) > 0 {
		f.Notes = append(f.Notes, note{Text: fmt.Sprintf("No total row on %s: left out of the sums, and grey in the trend; the breakdown values are under the day.", formatDates(missing))})
	}
	if whole != nil {
		f.Range = buildRange(r, days, whole)
	}
	f.Trend = buildTrend(r, days)
	f.Dist = buildDist(r, days, whole)
	f.Groups = buildGroups(r, days)
	if len(days) > 1 {
		f.Days = &dataTable{Head: append([]cell{{Text: "date"}}, metricHead(r)...)}
		for _, d := range days {
			if d.Total == nil {
				continue
			}
			date := cell{Text: formatDate(d.Dt), Title: "dt=" + d.Dt, Badge: dayBadge(d)}
			if d.OutOfDate != "" {
				date.Title += ", out of date: " + d.OutOfDate
			}
			f.Days.Rows = append(f.Days.Rows, tableRow{Cells: append([]cell{date}, metricCells(r, d.Total.Counts, timingOf(d.Total))...)})
		}
	}
	if len(r.Breakdowns) > 0 {
		f.ByWhat = strings.Join(r.Breakdowns, ", ")
		for _, d := range days {
			dd := dayDetail{Date: formatDate(d.Dt), Badge: dayBadge(d), Summary: plural(len(d.Rows), "row")}
			t := &dataTable{}
			for _, b := range r.Breakdowns {
				t.Head = append(t.Head, cell{Text: b})
			}
			t.Head = append(t.Head, metricHead(r)...)
			for _, row := range d.Rows {
				var cs []cell
				for _, b := range r.Breakdowns {
					c := cell{Text: row.Dims[b]}
					if c.Text == r.OtherMarker && r.isOther(row) {
						c.Text, c.Title, c.Other = r.otherLabel(), r.limitText(), true
					}
					cs = append(cs, c)
				}
				t.Rows = append(t.Rows, tableRow{Total: r.isTotal(row), Cells: append(cs, metricCells(r, row.Counts, timingOf(row))...)})
			}
			dd.Table = t
			f.DayDetails = append(f.DayDetails, dd)
		}
	}
	return f
}

// formatDayRuns writes days (sorted business dates) as formatDate's runs of
// successive days: "2021-03-02, 2021-03-05..2021-03-10".
func formatDayRuns(days []string) string {
	var ds []string
	for _, r := range bizdate.DayRuns(days) {
		s := formatDate(r.First)
		if r.Last != r.First {
			s += ".." + formatDate(r.Last)
		}
		ds = append(ds, s)
	}
	return strings.Join(ds, ", ")
}

// formatDates lists days (yyyymmdd) as formatDate writes each.
func formatDates(days []string) string {
	ds := make([]string, len(days))
	for i, d := range days {
		ds[i] = formatDate(d)
	}
	return strings.Join(ds, ", ")
}

// pronouns are the subject and object pronouns of n days: they and them, or it.
func pronouns(n int) (subject, object string) {
	if n == 1 {
		return "it", "it"
	}
	return "they", "them"
}

// timing is the times to the last stage a row of the html tables shows: the median (or
// the range of the medians of several rows) and average from the entry, and from the
// previous stage (step).
type timing struct{ median, avg, stepMedian, stepAvg string }

// of is the time of kind k.
func (t timing) of(k timeKind) string { return pick(k, t.median, t.avg, t.stepMedian, t.stepAvg) }

// pick is the one of a median and an average from the entry, and a median and an
// average from the previous stage, that kind k names.
func pick[T any](k timeKind, median, avg, stepMedian, stepAvg T) T {
	switch k {
	case timeKind{}:
		return median
	case timeKind{avg: true}:
		return avg
	case timeKind{step: true}:
		return stepMedian
	}
	return stepAvg
}

// timeKind is one of the times to the last stage: the median or the average (avg), from
// the entry or from the previous stage (step).
type timeKind struct{ step, avg bool }

// label is the html tables' heading of the time of kind k to stage last.
func (k timeKind) label(last string) string {
	return pick(k, "median", "avg", "step median", "step avg") + " to " + last
}

// timeKinds are the times to the last stage the html format shows in ordered mode:
// those the report table has columns of.
func (r *Report) timeKinds() []timeKind {
	if !r.ordered() {
		return nil
	}
	var out []timeKind
	if r.times() && !r.NoMedian {
		out = append(out, timeKind{})
	}
	if r.times() && !r.NoAvg {
		out = append(out, timeKind{avg: true})
	}
	if r.StepTimes && !r.NoStepMedian {
		out = append(out, timeKind{step: true})
	}
	if r.StepTimes && !r.NoStepAvg {
		out = append(out, timeKind{step: true, avg: true})
	}
	return out
}

func timingOf(row *Row) timing {
	n := len(row.Counts)
	if n < 2 {
		return timing{}
	}
	at := func(v []*float64) string {
		if v == nil {
			return ""
		}
		return formatSeconds(v[n-1])
	}
	return timing{at(row.MedianSeconds), at(row.AvgSeconds), at(row.StepMedianSeconds), at(row.StepAvgSeconds)}
}

func timingOfSum(s *sum) timing {
	n := len(s.Counts)
	if n < 2 {
		return timing{}
	}
	at := func(k timeKind) string { return s.timeText(k, n-1) }
	return timing{at(timeKind{}), at(timeKind{avg: true}), at(timeKind{step: true}), at(timeKind{step: true, avg: true})}
}

// timeText is the time of kind k to stage i over the rows summed: the average, or the
// median as the range of the rows' medians; "" when s has no times of k's series.
func (s *sum) timeText(k timeKind, i int) string {
	avg, lo, hi := s.times(k.step)
	switch {
	case avg == nil:
		return ""
	case k.avg:
		return formatSeconds(avg[i])
	}
	return medianText(lo, hi, i)
}

// metricHead and metricCells are the numeric columns of the html tables: the count of every
// stage, every step conversion, the overall conversion of the last stage (when it differs from
// the only step), and in ordered mode the median and mean times to the last stage the
// report table has (timeKinds).
func metricHead(r *Report) []cell {
	var h []cell
	for _, s := range r.Stages {
		h = append(h, cell{Text: s, Num: true})
	}
	n := len(r.Stages)
	for k := 1; k < n; k++ {
		h = append(h, cell{Text: r.Stages[k] + " / " + r.Stages[k-1], Num: true})
	}
	if n > 2 {
		h = append(h, cell{Text: "overall", Num: true, Title: r.Stages[n-1] + " / " + r.Stages[0]})
	}
	if n > 1 {
		for _, k := range r.timeKinds() {
			title := "from the entry (" + r.Stages[0] + ") to " + r.Stages[n-1]
			if k.step {
				title = "from " + r.Stages[n-2] + " to " + r.Stages[n-1]
			}
			h = append(h, cell{Text: k.label(r.Stages[n-1]), Num: true, Title: title})
		}
	}
	return h
}

func metricCells(r *Report, counts []int64, t timing) []cell {
	var c []cell
	for _, v := range counts {
		c = append(c, cell{Text: formatCount(v), Num: true})
	}
	add := func(s string) { c = append(c, cell{Text: s, Num: true, Muted: s == undefined}) }
	n := len(r.Stages)
	for k := 1; k < n; k++ {
		add(stepPercent(counts, k))
	}
	if n > 2 {
		add(overallPercent(counts, n-1))
	}
	if n > 1 {
		for _, k := range r.timeKinds() {
			add(orUndefined(t.of(k)))
		}
	}
	return c
}

func orUndefined(s string) string {
	if s == "" {
		return undefined
	}
	return s
}

func buildRange(r *Report, days []day, s *sum) *rangeView {
	n := len(r.Stages)
	v := &rangeView{}
	if s.Rows == 1 {
		for _, d := range days {
			if d.Total != nil {
				v.Heading = formatDate(d.Dt)
			}
		}
		v.Sub = "the day"
	} else {
		v.Heading = formatDate(days[0].Dt) + " to " + formatDate(days[len(days)-1].Dt)
		v.Sub = plural(s.Rows, "day") + " added up"
	}
	unit := ""
	if s.Rows > 1 && r.Mode != "events" {
		unit = "user-days"
	}
	v.Tiles = append(v.Tiles, tile{Label: r.Stages[0], Value: formatCount(s.Counts[0]), Sub: unit})
	if n > 1 {
		last := n - 1
		v.Tiles = append(v.Tiles,
			tile{Label: r.Stages[last], Value: formatCount(s.Counts[last]), Sub: unit},
			tile{Label: "conversion", Value: overallPercent(s.Counts, last), Sub: r.Stages[last] + " / " + r.Stages[0], Muted: s.OverallRates[last] == nil})
		t := timingOfSum(s)
		for _, k := range r.timeKinds() {
			label, sub, value := pick(k, "median time", "average time", "median step time", "average step time"), "to "+r.Stages[last], t.of(k)
			if k.step {
				sub = "from " + r.Stages[last-1] + " to " + r.Stages[last]
			}
			if !k.avg && s.Rows > 1 && strings.Contains(value, "–") {
				sub += ", daily range"
			}
			v.Tiles = append(v.Tiles, tile{Label: label, Value: value, Sub: sub, Muted: value == undefined, Long: !k.avg && strings.Contains(value, "–")})
		}
	}
	if p := provisionalDays(days); len(days) > 1 || len(p) > 0 {
		t := tile{Label: "days", Value: strconv.Itoa(len(days))}
		if len(p) > 0 {
			t.Sub = fmt.Sprintf("%d provisional", len(p))
		}
		if s.Rows != len(days) {
			t.Sub = strings.TrimPrefix(t.Sub+fmt.Sprintf(", %d without a total", len(days)-s.Rows), ", ")
		}
		v.Tiles = append(v.Tiles, t)
	}
	top := max(0, slices.Max(s.Counts))
	for k, name := range r.Stages {
		b := stageBar{Name: name, Count: formatCount(s.Counts[k]), Fill: stageColor(k, n), Zero: s.Counts[k] <= 0, Width: "0%"}
		if top > 0 && s.Counts[k] > 0 {
			b.Width = svgNum(max(0.4, 100*float64(s.Counts[k])/float64(top))) + "%"
		}
		if k > 0 {
			b.Step = chartPercent(s.Counts[k], s.Counts[k-1]) + " of " + r.Stages[k-1]
			b.StepMuted = s.StepRates[k] == nil
			if k > 1 {
				b.Share = overallPercent(s.Counts, k) + " of " + r.Stages[0]
			}
			var timing []string
			for _, tk := range r.timeKinds() {
				if t := s.timeText(tk, k); t != "" {
					timing = append(timing, pick(tk, "median ", "avg ", "step median ", "step avg ")+t)
				}
			}
			b.Timing = strings.Join(timing, " · ")
		}
		v.Bars = append(v.Bars, b)
	}
	// What the times shown are, and, over several days, how they were combined.
	var entry, step, medians, avgs bool
	for _, k := range r.timeKinds() {
		entry, step = entry || !k.step, step || k.step
		medians, avgs = medians || !k.avg, avgs || k.avg
	}
	from := ""
	switch {
	case entry && step:
		from = "Times run from the entry to the stage, step times from reaching the previous stage"
	case entry:
		from = "Times run from the entry to the stage"
	case step:
		from = "Step times run from reaching the previous stage to the stage"
	}
	if s.Rows > 1 {
		v.Notes = append(v.Notes, r.countsText(s.Rows))
		var how []string
		if medians {
			how = append(how, "Daily medians cannot be added up: the range's median lies between the smallest and the largest daily median shown")
		}
		if avgs {
			how = append(how, "the average is over all users who reached the stage")
		}
		if from != "" {
			how[0] = strings.ToUpper(how[0][:1]) + how[0][1:]
			v.Notes = append(v.Notes, from+". "+strings.Join(how, "; ")+".")
		}
	} else if from != "" {
		v.Notes = append(v.Notes, from+", among the users who reached it.")
	}
	return v
}

// chartPercent is formatPercent for chart labels, where a lone dash reads badly.
func chartPercent(a, b int64) string {
	if b == 0 {
		return "n/a"
	}
	return formatPercent(a, b)
}

// stageColor shades the bars from a strong blue (first stage) to a light one (last).
func stageColor(k, n int) string {
	from, to := [3]float64{0x2f, 0x5f, 0xd0}, [3]float64{0x8e, 0xb4, 0xf4}
	t := 0.0
	if n > 1 {
		t = float64(k) / float64(n-1)
	}
	var s strings.Builder
	s.WriteByte('#')
	for i := range from {
		fmt.Fprintf(&s, "%02x", int(math.Round(from[i]+(to[i]-from[i])*t)))
	}
	return s.String()
}

func buildGroups(r *Report, days []day) []groupView {
	n := len(r.Stages)
	var out []groupView
	for _, g := range r.groups(days) {
		v := groupView{Title: "By " + strings.Join(g.Dims, " × "), VolumeHead: r.Stages[0]}
		if len(days) > 1 {
			v.Sub = plural(len(days), "day") + " added up"
		}
		last := n - 1
		rate := func(s *sum) *float64 {
			if n < 2 {
				return nil
			}
			return s.OverallRates[last]
		}
		if n > 1 {
			v.RateHead = r.Stages[last] + " / " + r.Stages[0]
		}
		topVol, topRate := int64(0), 0.0
		for _, gv := range g.Values {
			topVol = max(topVol, gv.Sum.Counts[0])
			if p := rate(gv.Sum); p != nil && !math.IsNaN(*p) && !math.IsInf(*p, 0) {
				topRate = max(topRate, *p)
			}
		}
		if g.Total != nil {
			if p := rate(g.Total); p != nil && !math.IsNaN(*p) && !math.IsInf(*p, 0) {
				topRate = max(topRate, *p)
			}
		}
		_, rateMax := niceScale(topRate * 100)
		pos := func(p *float64) string {
			if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) {
				return ""
			}
			return svgNum(min(100, max(0, *p*100/rateMax*100))) + "%"
		}
		for _, gv := range g.Values {
			b := groupBar{Label: gv.Label, Title: gv.Label, Count: formatCount(gv.Sum.Counts[0]), Volume: "0%", Other: gv.Merged > 0 || gv.Limit}
			switch {
			case gv.Limit:
				b.Label = r.otherLabel()
				b.Title = r.limitText()
			case gv.Merged > 0 && r.BreakdownLimit > 0: // not to be taken for the limit's row
				b.Label = fmt.Sprintf("%d more values", gv.Merged)
				b.Title = fmt.Sprintf("%d more values, each in the top %d on some day", gv.Merged, r.BreakdownLimit)
			case gv.Merged > 0:
				b.Label = fmt.Sprintf("other (%d)", gv.Merged)
				b.Title = fmt.Sprintf("%d other values", gv.Merged)
			}
			if topVol > 0 && gv.Sum.Counts[0] > 0 {
				b.Volume = svgNum(max(0.4, 100*float64(gv.Sum.Counts[0])/float64(topVol))) + "%"
			}
			if n > 1 {
				p := rate(gv.Sum)
				b.Rate, b.RateText, b.RateNull = pos(p), chartPercent(gv.Sum.Counts[last], gv.Sum.Counts[0]), p == nil
			}
			v.Rows = append(v.Rows, b)
		}
		if g.Total != nil && n > 1 {
			v.Ref = pos(rate(g.Total))
			v.RefText = r.TotalMarker + " " + chartPercent(g.Total.Counts[last], g.Total.Counts[0])
		}
		t := &dataTable{Head: append([]cell{{Text: strings.Join(g.Dims, " · ")}}, metricHead(r)...)}
		if g.Total != nil {
			t.Rows = append(t.Rows, tableRow{Total: true, Cells: append([]cell{{Text: r.TotalMarker}}, metricCells(r, g.Total.Counts, timingOfSum(g.Total))...)})
		}
		for i, gv := range g.Values {
			label := cell{Text: gv.Label, Title: v.Rows[i].Title}
			if gv.Merged > 0 || gv.Limit {
				label.Text, label.Other = v.Rows[i].Label, true
			}
			t.Rows = append(t.Rows, tableRow{Cells: append([]cell{label}, metricCells(r, gv.Sum.Counts, timingOfSum(gv.Sum))...)})
		}
		v.Table = t
		out = append(out, v)
	}
	return out
}

// svgNum writes a coordinate or a percentage with at most one decimal.
func svgNum(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10+0, 'f', -1, 64)
}

// niceScale returns a tick step and an axis maximum (a multiple of the step, at least top)
// for values from 0 to top, in about five steps of 1, 2, 2.5 or 5 times a power of ten.
func niceScale(top float64) (step, ymax float64) {
	if top <= 0 {
		return 20, 100
	}
	raw := top / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		step = m * mag
		if step >= raw {
			break
		}
	}
	ymax = math.Ceil(top/step-1e-9) * step
	return step, ymax
}

// LacksODS says why apply cannot fill n days, which names (a list of them,
// or a pronoun): they have no partition of the ODS table ods, or, of one
// partitioned by hour too, lack some of its hours, which plan (a command
// line) names.
func LacksODS(which string, n int, ods string, hourly bool, plan string) string {
	if hourly {
		lack := "lack"
		if n == 1 {
			lack = "lacks"
		}
		return fmt.Sprintf("%s %s hour partitions of %s ('%s' names them): load them first", which, lack, ods, plan)
	}
	has := "have"
	if n == 1 {
		has = "has"
	}
	_, it := pronouns(n)
	return fmt.Sprintf("%s %s no %s partition: load %s first", which, has, ods, it)
}

// withoutRowsNote is the page's note of the days asked for that the table
// has no rows of, and why apply cannot fill those it cannot; false when
// there are none.
func (r *Report) withoutRowsNote() (note, bool) {
	if len(r.DaysWithoutRows) == 0 {
		return note{}, false
	}
	_, them := pronouns(len(r.DaysWithoutRows))
	why := "apply has not written " + them
	if n := len(r.DaysWithoutODS); n > 0 {
		// The days, or, when they are all those without rows, a pronoun.
		which := formatDates(r.DaysWithoutODS)
		if n == len(r.DaysWithoutRows) {
			which, _ = pronouns(n)
		}
		why += "; " + LacksODS(which, n, r.ODS, r.ODSHourly, "fgen plan")
	}
	return note{Text: fmt.Sprintf("Not in the report: %s, which the table has no rows for (%s).", formatDates(r.DaysWithoutRows), why), Warn: true}, true
}
