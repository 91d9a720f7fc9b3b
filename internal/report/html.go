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
)

// The page is one file that needs nothing else: inline CSS, inline SVG, no script, no fonts,
// images or links to fetch. Every text goes through html/template, and the markup is written
// so that it is also well-formed XML (void elements self-closed), which the tests check.
//
//go:embed report.html.tmpl
var pageTemplate string

var page = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"n":   svgNum,
	"add": func(a, b float64) float64 { return a + b },
	"sub": func(a, b float64) float64 { return a - b },
}).Parse(pageTemplate))

// writeHTML renders the page: a heading with the funnel, table, mode and days; when the report
// spans more than one day, a line chart of the conversion rates of the day totals over time
// and a table of the day totals; then per day a funnel chart of the total row and, with
// breakdowns, a table of every breakdown value.
func writeHTML(b *bytes.Buffer, r *Report) error {
	return page.Execute(b, buildPage(r))
}

type htmlPage struct {
	Title       string
	Funnel      string
	Meta        []string // table, mode, days
	Stages      []string
	Attribution string
	Empty       string // the message for a report without rows
	Trend       *lineChart
	Daily       *dataTable // day totals, when more than one day
	Days        []htmlDay
}

type htmlDay struct {
	Date, Dt  string
	Note      string // e.g. no total row
	Funnel    *funnelChart
	Breakdown *dataTable
	ByWhat    string // "device_brand, system_type"
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
	Num   bool // right-aligned, tabular figures
	Muted bool // undefined value
}

func buildPage(r *Report) htmlPage {
	p := htmlPage{
		Title:       "fgen report: " + r.Funnel,
		Funnel:      r.Funnel,
		Stages:      r.Stages,
		Attribution: r.Attribution,
	}
	if r.Table != "" {
		p.Meta = append(p.Meta, r.Table)
	}
	p.Meta = append(p.Meta, r.modeText())
	days := r.days()
	switch len(days) {
	case 0:
		p.Empty = r.emptyText()
		return p
	case 1:
		p.Meta = append(p.Meta, "1 day, "+formatDate(days[0].Dt))
	default:
		p.Meta = append(p.Meta, fmt.Sprintf("%d days, %s to %s", len(days), formatDate(days[0].Dt), formatDate(days[len(days)-1].Dt)))
	}
	if len(days) > 1 {
		p.Trend = trendChart(r, days)
		p.Daily = &dataTable{Head: append([]cell{{Text: "date"}}, metricHead(r)...)}
		for _, d := range days {
			if d.Total == nil {
				continue
			}
			p.Daily.Rows = append(p.Daily.Rows, tableRow{Cells: append([]cell{{Text: formatDate(d.Dt)}}, metricCells(r, d.Total)...)})
		}
	}
	for _, d := range days {
		hd := htmlDay{Date: formatDate(d.Dt), Dt: d.Dt}
		if hd.Date == d.Dt {
			hd.Dt = ""
		}
		if d.Total != nil {
			hd.Funnel = buildFunnel(r, d.Total)
			if allZero(d.Total.Counts) {
				hd.Note = "Every count is 0 this day, so no rate is defined."
			}
		} else {
			hd.Note = "This day has no total row; the breakdown values are listed below."
		}
		if len(r.Breakdowns) > 0 {
			hd.ByWhat = strings.Join(r.Breakdowns, ", ")
			t := &dataTable{}
			for _, b := range r.Breakdowns {
				t.Head = append(t.Head, cell{Text: b})
			}
			t.Head = append(t.Head, metricHead(r)...)
			for _, row := range d.Rows {
				var cs []cell
				for _, b := range r.Breakdowns {
					cs = append(cs, cell{Text: row.Dims[b]})
				}
				t.Rows = append(t.Rows, tableRow{Total: r.isTotal(row), Cells: append(cs, metricCells(r, row)...)})
			}
			hd.Breakdown = t
		}
		p.Days = append(p.Days, hd)
	}
	return p
}

func allZero(counts []int64) bool {
	for _, n := range counts {
		if n != 0 {
			return false
		}
	}
	return true
}

// metricHead and metricCells are the numeric columns of the html tables: the count of every
// stage, every step conversion, the overall conversion of the last stage (when it differs from
// the only step), and in ordered mode the median and mean time to the last stage.
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
		h = append(h, cell{Text: "overall", Num: true})
	}
	if r.ordered() && n > 1 {
		h = append(h, cell{Text: "median to " + r.Stages[n-1], Num: true}, cell{Text: "avg to " + r.Stages[n-1], Num: true})
	}
	return h
}

func metricCells(r *Report, row *Row) []cell {
	var c []cell
	for _, v := range row.Counts {
		c = append(c, cell{Text: formatCount(v), Num: true})
	}
	add := func(s string) { c = append(c, cell{Text: s, Num: true, Muted: s == undefined}) }
	n := len(r.Stages)
	for k := 1; k < n; k++ {
		add(formatPercent(row.StepRates[k]))
	}
	if n > 2 {
		add(formatPercent(row.OverallRates[n-1]))
	}
	if r.ordered() && n > 1 {
		add(formatSeconds(row.MedianSeconds[n-1]))
		add(formatSeconds(row.AvgSeconds[n-1]))
	}
	return c
}

// svgNum writes an SVG coordinate with at most one decimal.
func svgNum(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10+0, 'f', -1, 64)
}

// The funnel chart: stage names on the left, bars centred on one axis with widths
// proportional to the counts (the largest count spans the full width), between two bars a
// light band that narrows from one to the next carrying the step conversion, and on the
// right the count, the overall conversion and (ordered mode) the times.
const (
	funnelW     = 1040.0
	funnelNameX = 150.0 // right edge of the stage names
	funnelCX    = 420.0 // axis of the bars
	funnelMaxW  = 500.0 // width of the largest bar
	funnelTextX = 690.0 // left edge of the numbers
	funnelBarH  = 40.0
	funnelLinkH = 30.0
	funnelPad   = 6.0
)

type funnelChart struct {
	W, H         float64
	NameX, TextX float64
	Bars         []funnelBar
	Links        []funnelLink
}

type funnelBar struct {
	X, Y, W, H, MidY float64
	Fill             string
	Name             string
	Count, Share     string // "41,148", "34.29% of browse"
	Timing           string // ordered mode: "median 5m00s · avg 7m12s from browse"
	Title            string // tooltip
}

type funnelLink struct {
	Points string
	X, Y   float64
	Text   string
}

func buildFunnel(r *Report, row *Row) *funnelChart {
	n := len(r.Stages)
	c := &funnelChart{W: funnelW, NameX: funnelNameX, TextX: funnelTextX, H: 2*funnelPad + float64(n)*funnelBarH + float64(n-1)*funnelLinkH}
	top := max(0, slices.Max(row.Counts)) // Validate: one count per stage, at least one stage
	width := func(k int) float64 {
		if top <= 0 || row.Counts[k] <= 0 {
			return 2
		}
		return max(2, funnelMaxW*float64(row.Counts[k])/float64(top))
	}
	y := func(k int) float64 { return funnelPad + float64(k)*(funnelBarH+funnelLinkH) }
	for k, name := range r.Stages {
		w := width(k)
		b := funnelBar{
			X: funnelCX - w/2, Y: y(k), W: w, H: funnelBarH, MidY: y(k) + funnelBarH/2,
			Fill:  stageColor(k, n),
			Name:  name,
			Count: formatCount(row.Counts[k]),
		}
		if row.Counts[k] == 0 {
			b.Fill = "#c9ced6"
		}
		title := name + ": " + b.Count
		if k > 0 {
			if v := row.StepRates[k]; v != nil {
				title += ", " + formatPercent(v) + " of " + r.Stages[k-1]
			}
			if v := row.OverallRates[k]; v != nil {
				b.Share = formatPercent(v) + " of " + r.Stages[0]
				title += ", " + b.Share
			}
			if r.ordered() && (row.MedianSeconds[k] != nil || row.AvgSeconds[k] != nil) {
				b.Timing = "median " + formatSeconds(row.MedianSeconds[k]) + " · avg " + formatSeconds(row.AvgSeconds[k]) + " from " + r.Stages[0]
			}
		}
		b.Title = title
		c.Bars = append(c.Bars, b)
		if k == 0 {
			continue
		}
		w0, yb, yt := width(k-1), y(k-1)+funnelBarH, y(k)
		c.Links = append(c.Links, funnelLink{
			Points: fmt.Sprintf("%s,%s %s,%s %s,%s %s,%s",
				svgNum(funnelCX-w0/2), svgNum(yb), svgNum(funnelCX+w0/2), svgNum(yb),
				svgNum(funnelCX+w/2), svgNum(yt), svgNum(funnelCX-w/2), svgNum(yt)),
			X: funnelCX, Y: (yb + yt) / 2,
			Text: "↓ " + chartPercent(row.StepRates[k]),
		})
	}
	return c
}

// chartPercent is formatPercent for chart labels, where a lone dash reads badly.
func chartPercent(r *float64) string {
	if r == nil {
		return "n/a"
	}
	return formatPercent(r)
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

// The conversion-over-time chart: one point per day (the day's total row), one series for the
// overall conversion of the last stage and one per step conversion; undefined rates leave a
// gap. Days sit in the middle of equal slots, so one tick label per day fits under its point.
const (
	lineW      = 1040.0
	lineH      = 300.0
	lineLeft   = 64.0
	lineRight  = 16.0
	lineTop    = 14.0
	lineBottom = 40.0
)

type lineChart struct {
	W, H           float64
	X0, X1, Y0, Y1 float64 // plot area; Y0 is the bottom
	YTicks         []tick
	XTicks         []tick
	Series         []series
	Gaps           bool // some rate is undefined
}

type tick struct {
	Pos   float64
	Label string
}

type series struct {
	Name   string
	Class  string  // c0, c1, ...: the colour
	Main   bool    // drawn thicker
	R      float64 // radius of the dots, smaller when days are dense
	Lines  []string
	Points []point
}

type point struct {
	X, Y  float64
	Title string
}

func trendChart(r *Report, days []day) *lineChart {
	n := len(r.Stages)
	if n < 2 {
		return nil
	}
	var ds []day
	for _, d := range days {
		if d.Total != nil {
			ds = append(ds, d)
		}
	}
	if len(ds) < 2 {
		return nil
	}
	type def struct {
		name  string
		rates func(*Row) *float64
		main  bool
	}
	var defs []def
	last := n - 1
	if n > 2 {
		defs = append(defs, def{"overall: " + r.Stages[last] + " / " + r.Stages[0], func(row *Row) *float64 { return row.OverallRates[last] }, true})
	}
	for k := 1; k < n; k++ {
		defs = append(defs, def{r.Stages[k] + " / " + r.Stages[k-1], func(row *Row) *float64 { return row.StepRates[k] }, n == 2})
	}

	top := 0.0
	for _, d := range ds {
		for _, s := range defs {
			if v := s.rates(d.Total); v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) {
				top = max(top, *v*100)
			}
		}
	}
	step, ymax := niceScale(top)
	c := &lineChart{W: lineW, H: lineH, X0: lineLeft, X1: lineW - lineRight, Y0: lineH - lineBottom, Y1: lineTop}
	yOf := func(pct float64) float64 { return c.Y0 - (c.Y0-c.Y1)*pct/ymax }
	decimals := 0
	for s := step; s < 1 && decimals < 6; s *= 10 {
		decimals++
	}
	if step != math.Trunc(step) && decimals == 0 {
		decimals = 1
	}
	for i := 0; float64(i)*step <= ymax*(1+1e-9); i++ {
		v := float64(i) * step
		c.YTicks = append(c.YTicks, tick{Pos: yOf(v), Label: strconv.FormatFloat(v, 'f', decimals, 64) + "%"})
	}
	slot := (c.X1 - c.X0) / float64(len(ds))
	xOf := func(i int) float64 { return c.X0 + (float64(i)+0.5)*slot }
	every := int(math.Ceil(86 / slot)) // a label needs about 86 px
	for i, d := range ds {
		if i%every == 0 {
			c.XTicks = append(c.XTicks, tick{Pos: xOf(i), Label: formatDate(d.Dt)})
		}
	}
	for j, s := range defs {
		se := series{Name: s.name, Class: "c" + strconv.Itoa(j%seriesClasses), Main: s.main, R: dotRadius(slot, s.main)}
		var run []string
		flush := func() {
			if len(run) > 1 {
				se.Lines = append(se.Lines, strings.Join(run, " "))
			}
			run = nil
		}
		for i, d := range ds {
			v := s.rates(d.Total)
			if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
				c.Gaps = true
				flush()
				continue
			}
			x, y := xOf(i), yOf(*v*100)
			run = append(run, svgNum(x)+","+svgNum(y))
			se.Points = append(se.Points, point{X: x, Y: y, Title: formatDate(d.Dt) + "  " + s.name + ": " + formatPercent(v)})
		}
		flush()
		c.Series = append(c.Series, se)
	}
	return c
}

// dotRadius sizes the dots of a series so that neighbours do not run into each other when
// the days are many.
func dotRadius(slot float64, main bool) float64 {
	r := 3.5
	switch {
	case slot < 10:
		r = 1.5
	case slot < 24:
		r = 2.5
	}
	if main {
		r += 0.5
	}
	return r
}

// seriesClasses is the number of colour classes c0... of the line chart's series in the
// page's style sheet; more series reuse them in turn.
const seriesClasses = 8

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
