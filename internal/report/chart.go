package report

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The trend over the days: one panel of conversion rates (the overall conversion of the
// last stage, drawn thicker, and every step conversion) and, below it, one small bar panel
// per stage with that stage's daily count on its own scale (counts of different stages
// differ by orders of magnitude, so one shared scale would flatten the later stages). The
// panels share the days' axis: each day sits in the middle of an equal slot. Provisional
// days get a shaded band and lighter bars. A day of the range without a total row keeps
// its slot, empty but for a band of its own: no bar, and a gap in the lines.
//
// Coordinates are user units of a plotW x plotH box that the SVG stretches to its panel
// (preserveAspectRatio="none", strokes that keep their width), so the chart fills any width;
// the axis labels are HTML text placed at percentages of the panel.
const (
	plotW = 1000.0
	plotH = 100.0

	// At most this many day labels under the axis on a wide screen and on a narrow one.
	labelsWide, labelsNarrow = 14, 6
	// Above this many days the points of the rate lines are not marked.
	maxDots = 45
)

type trendView struct {
	Rates       *panel
	Times       *panel // ordered mode: the time to the last stage, when some day has one
	Counts      []panel
	XLabels     []xLabel
	Gaps        bool // some rate or time is undefined on some day that has a total row
	Provisional bool // some day is provisional
	Missing     bool // some day of the axis has no total row
}

type legendItem struct {
	Name, Class string
	Main        bool
}

type panel struct {
	Title, Note   string // "browse", "per day"
	Legend        []legendItem
	BandLegend    bool // the legend explains the provisional band (on the first panel only)
	NoTotalLegend bool // the legend explains the band of a day without a total row (the same)
	YLabels       []yLabel
	Grid          []float64 // y of the horizontal grid lines
	Bands         []band
	Bars          []svgBar
	Lines         []svgLine
	Dots          []svgDot
}

type yLabel struct {
	Top  string // "25%" from the top of the panel
	Text string
}

// band shades a day's slot: a provisional day, or one without a total row (NoTotal).
type band struct {
	X, W    float64
	NoTotal bool
	Title   string // the day, and why it is shaded
}

type svgBar struct {
	X, Y, W, H float64
	Fill       string
	Prov       bool
	Title      string
}

type svgLine struct {
	Points, Class string
	Main          bool
}

type svgDot struct {
	X, Y  float64
	Class string
	Main  bool
	Prov  bool
	Title string
}

type xLabel struct {
	Left, Text, Title string
	Narrow            bool // also shown on narrow screens
	Prov              bool
	NoTotal           bool // the day has no total row: left out
}

// seriesClasses is the number of colour classes c0... of the rate series in the page's style
// sheet; more series reuse them in turn.
const seriesClasses = 8

// buildTrend returns the trend of the days that have a total row, over the axis of
// axisDays, or nil when fewer than two days have one.
func buildTrend(r *Report, days []day) *trendView {
	if len(withTotal(days)) < 2 {
		return nil
	}
	ds := axisDays(r, days)
	n := len(r.Stages)
	t := &trendView{}
	xOf, slot, bands, labels := dayAxis(ds, labelsWide, labelsNarrow)
	t.XLabels = labels
	t.Provisional, t.Missing = bandKinds(bands)

	if n > 1 {
		last := n - 1
		var series []lineSeries
		if n > 2 {
			series = append(series, lineSeries{r.Stages[last] + " / " + r.Stages[0], true, func(row *Row) *float64 { return row.OverallRates[last] }, func(row *Row) string { return overallPercent(row.Counts, last) }})
		}
		for k := 1; k < n; k++ {
			series = append(series, lineSeries{r.Stages[k] + " / " + r.Stages[k-1], n == 2, func(row *Row) *float64 { return row.StepRates[k] }, func(row *Row) string { return stepPercent(row.Counts, k) }})
		}
		t.Rates = &panel{Title: "Conversion", Note: "per day", Bands: bands}
		t.Gaps = linePanel(t.Rates, ds, series, 0, xOf, percentAxis)
	}
	if last := n - 1; r.ordered() && n > 1 {
		// The times the table has (timeKinds): a missing column is no gap.
		var series []lineSeries
		if !r.NoMedian {
			series = append(series, lineSeries{"median", true, func(row *Row) *float64 { return at(row.MedianSeconds, last) }, nil})
		}
		if !r.NoAvg {
			series = append(series, lineSeries{"average", len(series) == 0, func(row *Row) *float64 { return at(row.AvgSeconds, last) }, nil})
		}
		if someDefined(ds, series) {
			t.Times = &panel{Title: "Time to " + r.Stages[last], Note: "from " + r.Stages[0] + ", per day", Bands: bands}
			if linePanel(t.Times, ds, series, 4, xOf, secondsAxis) {
				t.Gaps = true
			}
		}
	}

	first := t.Rates
	if first == nil {
		first = t.Times
	}
	if first != nil {
		first.BandLegend, first.NoTotalLegend = t.Provisional, t.Missing
	}

	for k, name := range r.Stages {
		top := int64(0)
		for _, d := range ds {
			if d.Total != nil {
				top = max(top, d.Total.Counts[k])
			}
		}
		_, ymax := niceScale(float64(top))
		if top == 0 {
			ymax = 1
		}
		p := panel{Title: name, Note: "per day", Bands: bands, Grid: []float64{0, plotH / 2}}
		p.YLabels = []yLabel{{Top: "0%", Text: compactCount(ymax)}}
		w := slot * 0.62
		for i, d := range ds {
			if d.Total == nil {
				continue
			}
			c := d.Total.Counts[k]
			h := plotH * float64(c) / ymax
			if c > 0 {
				h = max(h, 0.8)
			}
			title := formatDate(d.Dt) + "  " + name + ": " + formatCount(c)
			if d.Provisional {
				title += " (provisional)"
			}
			p.Bars = append(p.Bars, svgBar{X: xOf(i) - w/2, Y: plotH - h, W: w, H: h, Fill: stageColor(k, n), Prov: d.Provisional, Title: title})
		}
		t.Counts = append(t.Counts, p)
	}
	return t
}

// dayNote says why day d of an axis is shaded, after its date: " (left out: an earlier
// definition's rows)", " (no rows)", " (no total row)" (left out: that takes precedence),
// " (provisional)", or "".
func dayNote(d day) string {
	switch {
	case d.OtherDefinition:
		return " (left out: an earlier definition's rows)"
	case len(d.Rows) == 0:
		return " (no rows)"
	case d.Total == nil:
		return " (no total row)"
	case d.Provisional:
		return " (provisional)"
	}
	return ""
}

// bandKinds says whether some of bands is of a provisional day, and whether some is of a
// day without a total row.
func bandKinds(bands []band) (provisional, noTotal bool) {
	for _, b := range bands {
		provisional = provisional || !b.NoTotal
		noTotal = noTotal || b.NoTotal
	}
	return provisional, noTotal
}

// dayAxis lays the days ds out in equal slots of the plot's width: the x of day i in the
// middle of its slot, the slot's width, a band per provisional day and per day without a
// total row, and the day labels (at most wide of them, and narrow on a narrow screen),
// counted back from the last day, which always has one; the narrow set is a subset of the
// wide one.
func dayAxis(ds []day, wide, narrow int) (xOf func(int) float64, slot float64, bands []band, labels []xLabel) {
	slot = plotW / float64(len(ds))
	xOf = func(i int) float64 { return (float64(i) + 0.5) * slot }
	for i, d := range ds {
		if d.Total == nil || d.Provisional {
			bands = append(bands, band{X: float64(i) * slot, W: slot, NoTotal: d.Total == nil, Title: formatDate(d.Dt) + dayNote(d)})
		}
	}
	everyWide := max(1, ceilDiv(len(ds), wide))
	everyNarrow := everyWide * max(1, ceilDiv(ceilDiv(len(ds), narrow), everyWide))
	for i, d := range ds {
		back := len(ds) - 1 - i
		if back%everyWide != 0 {
			continue
		}
		labels = append(labels, xLabel{Left: svgNum(xOf(i)/plotW*100) + "%", Text: shortDate(d.Dt), Title: formatDate(d.Dt) + dayNote(d), Narrow: back%everyNarrow == 0, Prov: d.Provisional && d.Total != nil, NoTotal: d.Total == nil})
	}
	return xOf, slot, bands, labels
}

// lineSeries is one line of a line panel: a value of each day's total row.
type lineSeries struct {
	name  string
	main  bool // drawn thicker
	value func(*Row) *float64
	// label is a point's text, where the axis's point (of the value)
	// would not do: a rate's, which is rounded from its counts.
	label func(*Row) string
}

// at is the series' value on day d, nil (undefined) when d has no total row.
func (s lineSeries) at(d day) *float64 {
	if d.Total == nil {
		return nil
	}
	return s.value(d.Total)
}

// withTotal returns the days that have a total row.
func withTotal(days []day) []day {
	var ds []day
	for _, d := range days {
		if d.Total != nil {
			ds = append(ds, d)
		}
	}
	return ds
}

// axisDays returns the days of a trend's axis, in date order: days (those without a total
// row too), the report's days without rows (DaysWithoutRows: of a range asked for, the
// axis is then whole), and the calendar days between the first and the last of them that
// are in neither, so that a day without numbers keeps its slot, rather than its
// neighbours on the axis drawing together across it. That last fill is for a report of
// no range named (all the table's days), and only where the days it adds are no more than
// the days already there: a table of sparse days (a month apart, say) keeps an axis of
// its days rather than one of empty slots. When a day is not a yyyymmdd date, the axis is
// days and DaysWithoutRows alone.
func axisDays(r *Report, days []day) []day {
	byDt := func(a, b day) int { return strings.Compare(a.Dt, b.Dt) }
	have := map[string]bool{}
	out := slices.Clone(days)
	for _, d := range days {
		have[d.Dt] = true
	}
	for _, dt := range r.DaysWithoutRows {
		if !have[dt] {
			have[dt] = true
			out = append(out, day{Dt: dt})
		}
	}
	for _, dt := range r.DaysOfOtherDefinition {
		if !have[dt] {
			have[dt] = true
			out = append(out, day{Dt: dt, OtherDefinition: true})
		}
	}
	if len(out) > 0 {
		first, err1 := time.Parse("20060102", slices.MinFunc(out, byDt).Dt)
		last, err2 := time.Parse("20060102", slices.MaxFunc(out, byDt).Dt)
		if err1 == nil && err2 == nil && int(last.Sub(first).Hours()/24)+1 <= 2*len(out) {
			for t := first.AddDate(0, 0, 1); t.Before(last); t = t.AddDate(0, 0, 1) {
				if dt := t.Format("20060102"); !have[dt] {
					out = append(out, day{Dt: dt})
				}
			}
		}
	}
	slices.SortStableFunc(out, byDt)
	return out
}

// axis maps a series' values to the plotted scale, and labels that scale's ticks and points.
type axis struct {
	scale func(float64) float64 // value -> plotted value, from 0 up
	nice  func(top float64) (step, ymax float64)
	tick  func(v, step float64) string
	point func(*float64) string
	log   bool // seconds on a log scale (logSeconds), not from 0 up by nice steps
}

// percentAxis plots ratios as percentages; secondsAxis plots seconds.
var (
	percentAxis = axis{
		scale: func(v float64) float64 { return v * 100 },
		nice:  niceScale,
		tick: func(v, step float64) string {
			decimals := 0
			for s := step; s < 1 && decimals < 6; s *= 10 {
				decimals++
			}
			if step != math.Trunc(step) && decimals == 0 {
				decimals = 1
			}
			return strconv.FormatFloat(v, 'f', decimals, 64) + "%"
		},
		// A rate's series labels its points from its counts
		// (lineSeries.label); this is for one that does not.
		point: func(r *float64) string {
			if r == nil {
				return undefined
			}
			return strconv.FormatFloat(*r*100, 'f', 2, 64) + "%"
		},
	}
	secondsAxis = axis{
		scale: func(v float64) float64 { return v },
		nice:  niceSeconds,
		tick:  func(v, step float64) string { return durationTick(v) },
		point: formatSeconds,
	}
)

// logSecondsAxis plots seconds on a log scale: times to convert spread over orders of
// magnitude (a median of 40s, a p99 of 40m), which a scale from 0 would flatten.
var logSecondsAxis = axis{scale: func(v float64) float64 { return v }, point: formatSeconds, log: true}

// logTicks are the times a log axis of seconds marks: 1s, 10s, 1m, 10m, 1h, 6h, 1d, 7d, 30d.
var logTicks = []float64{1, 10, 60, 600, 3600, 21600, 86400, 7 * 86400, 30 * 86400}

// logSeconds returns the ticks of a log axis of seconds from lo to hi (at least two, from the
// largest mark at or below lo to the smallest at or above hi), their labels, and where a
// value lies between the first and the last tick, from 0 to 1. Values below 1s, 0 among
// them, lie on the first tick, which then reads "≤1s".
func logSeconds(lo, hi float64) (ticks []float64, labels []string, frac func(float64) float64) {
	first, last := 0, len(logTicks)-1
	for i, t := range logTicks {
		if t <= lo {
			first = i
		}
	}
	for i := len(logTicks) - 1; i >= 0; i-- {
		if logTicks[i] >= hi {
			last = i
		}
	}
	if last <= first {
		if first == len(logTicks)-1 {
			first--
		}
		last = first + 1
	}
	ticks = logTicks[first : last+1]
	for _, t := range ticks {
		labels = append(labels, durationTick(t))
	}
	if first == 0 && lo < 1 {
		labels[0] = "≤1s"
	}
	a, b := math.Log(ticks[0]), math.Log(ticks[len(ticks)-1])
	frac = func(v float64) float64 {
		return min(1, max(0, (math.Log(max(v, ticks[0]))-a)/(b-a)))
	}
	return ticks, labels, frac
}

// someDefined reports whether a series has a value on some day of ds: a
// panel of none would draw an empty plot on a made-up axis.
func someDefined(ds []day, series []lineSeries) bool {
	for _, d := range ds {
		for _, s := range series {
			if defined(s.at(d)) {
				return true
			}
		}
	}
	return false
}

// linePanel draws series on p, one colour class each from c<color>, with a grid and
// labelled ticks from 0 to a round maximum, and reports whether some value is undefined (a
// gap in its line).
func linePanel(p *panel, ds []day, series []lineSeries, color int, xOf func(int) float64, ax axis) (gaps bool) {
	top, bottom := 0.0, math.Inf(1)
	for _, d := range ds {
		for _, s := range series {
			if v := s.at(d); defined(v) {
				top, bottom = max(top, ax.scale(*v)), min(bottom, ax.scale(*v))
			}
		}
	}
	var yOf func(v float64) float64
	if ax.log {
		ticks, labels, frac := logSeconds(bottom, top)
		yOf = func(v float64) float64 { return plotH - plotH*frac(v) }
		for i, v := range ticks {
			p.Grid = append(p.Grid, yOf(v))
			p.YLabels = append(p.YLabels, yLabel{Top: svgNum(yOf(v)/plotH*100) + "%", Text: labels[i]})
		}
	} else {
		step, ymax := ax.nice(top)
		yOf = func(v float64) float64 { return plotH - plotH*v/ymax }
		for i := 0; float64(i)*step <= ymax*(1+1e-9); i++ {
			v := float64(i) * step
			p.Grid = append(p.Grid, yOf(v))
			p.YLabels = append(p.YLabels, yLabel{Top: svgNum(yOf(v)/plotH*100) + "%", Text: ax.tick(v, step)})
		}
	}
	for j, s := range series {
		class := "c" + strconv.Itoa((color+j)%seriesClasses)
		p.Legend = append(p.Legend, legendItem{Name: s.name, Class: class, Main: s.main})
		var run []string
		flush := func() {
			if len(run) > 1 {
				p.Lines = append(p.Lines, svgLine{Points: strings.Join(run, " "), Class: class, Main: s.main})
			}
			run = nil
		}
		for i, d := range ds {
			v := s.at(d)
			if !defined(v) {
				gaps = gaps || d.Total != nil
				flush()
				continue
			}
			x, y := xOf(i), yOf(ax.scale(*v))
			run = append(run, svgNum(x)+","+svgNum(y))
			var text string
			if s.label != nil {
				text = s.label(d.Total)
			} else {
				text = ax.point(v)
			}
			title := formatDate(d.Dt) + "  " + s.name + ": " + text
			if d.Provisional {
				title += " (provisional)"
			}
			// A lone point between gaps always gets its dot, else it would not show.
			lone := (i == 0 || !defined(s.at(ds[i-1]))) && (i == len(ds)-1 || !defined(s.at(ds[i+1])))
			if len(ds) <= maxDots || lone {
				p.Dots = append(p.Dots, svgDot{X: x, Y: y, Class: class, Main: s.main, Prov: d.Provisional, Title: title})
			}
		}
		flush()
	}
	return gaps
}

// niceSeconds is niceScale for durations: steps of whole seconds, minutes, hours or days
// that clocks use (10s, 30s, 1m, 5m, 15m, 1h, 6h, 1d, ...), about five of them up to top.
func niceSeconds(top float64) (step, ymax float64) {
	if top <= 0 {
		return 60, 300
	}
	ladder := []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400}
	step = ladder[len(ladder)-1]
	for _, s := range ladder {
		if top/s <= 5 {
			step = s
			break
		}
	}
	if top/step > 5 { // beyond the ladder: whole days
		days, _ := niceScale(top / 86400)
		step = math.Max(1, math.Round(days)) * 86400
	}
	return step, math.Ceil(top/step-1e-9) * step
}

// durationTick labels a tick of the time axis briefly: "0s", "30s", "25m", "6h", "2d", and
// formatSeconds' form for anything between.
func durationTick(v float64) string {
	for _, u := range []struct {
		seconds float64
		unit    string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}} {
		if v >= u.seconds && math.Mod(v, u.seconds) == 0 {
			return strconv.FormatFloat(v/u.seconds, 'f', -1, 64) + u.unit
		}
	}
	return formatSeconds(&v)
}

func defined(v *float64) bool { return v != nil && !math.IsNaN(*v) && !math.IsInf(*v, 0) }

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// shortDate shows a yyyymmdd dt as mm-dd for axis labels; anything else as formatDate does.
func shortDate(dt string) string {
	if d := formatDate(dt); d != dt {
		return d[5:]
	}
	return dt
}

// compactCount shows an axis value briefly: 950, 1.5k, 120k, 2.5M.
func compactCount(v float64) string {
	units := []struct {
		div    float64
		suffix string
	}{{1e9, "G"}, {1e6, "M"}, {1e3, "k"}}
	for _, u := range units {
		if v >= u.div {
			return strconv.FormatFloat(math.Round(v/u.div*10)/10, 'f', -1, 64) + u.suffix
		}
	}
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}
