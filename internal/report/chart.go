package report

import (
	"math"
	"strconv"
	"strings"
)

// The trend over the days: one panel of conversion rates (the overall conversion of the
// last stage, drawn thicker, and every step conversion) and, below it, one small bar panel
// per stage with that stage's daily count on its own scale (counts of different stages
// differ by orders of magnitude, so one shared scale would flatten the later stages). The
// panels share the days' axis: each day sits in the middle of an equal slot. Provisional
// days get a shaded band and lighter bars.
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
	Legend      []legendItem
	Rates       *panel
	Counts      []panel
	XLabels     []xLabel
	Gaps        bool // some rate is undefined on some day
	Provisional bool // some day is provisional
}

type legendItem struct {
	Name, Class string
	Main        bool
}

type panel struct {
	Title, Note string // "browse", "per day, axis to 125k"
	YLabels     []yLabel
	Grid        []float64 // y of the horizontal grid lines
	Bands       []band
	Bars        []svgBar
	Lines       []svgLine
	Dots        []svgDot
}

type yLabel struct {
	Top  string // "25%" from the top of the panel
	Text string
}

type band struct{ X, W float64 }

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
}

// seriesClasses is the number of colour classes c0... of the rate series in the page's style
// sheet; more series reuse them in turn.
const seriesClasses = 8

// buildTrend returns the trend of the days that have a total row, or nil when fewer than
// two days do.
func buildTrend(r *Report, days []day) *trendView {
	var ds []day
	for _, d := range days {
		if d.Total != nil {
			ds = append(ds, d)
		}
	}
	if len(ds) < 2 {
		return nil
	}
	n := len(r.Stages)
	t := &trendView{}
	slot := plotW / float64(len(ds))
	xOf := func(i int) float64 { return (float64(i) + 0.5) * slot }
	var bands []band
	for i, d := range ds {
		if d.Provisional {
			t.Provisional = true
			bands = append(bands, band{X: float64(i) * slot, W: slot})
		}
	}

	// Day labels, counted back from the last day, which always has one; the narrow set is a
	// subset of the wide one.
	everyWide := max(1, ceilDiv(len(ds), labelsWide))
	everyNarrow := everyWide * max(1, ceilDiv(ceilDiv(len(ds), labelsNarrow), everyWide))
	for i, d := range ds {
		back := len(ds) - 1 - i
		if back%everyWide != 0 {
			continue
		}
		l := xLabel{Left: svgNum(xOf(i)/plotW*100) + "%", Text: shortDate(d.Dt), Title: formatDate(d.Dt), Narrow: back%everyNarrow == 0, Prov: d.Provisional}
		if d.Provisional {
			l.Title += " (provisional)"
		}
		t.XLabels = append(t.XLabels, l)
	}

	if n > 1 {
		type def struct {
			name  string
			rates func(*Row) *float64
			main  bool
		}
		var defs []def
		last := n - 1
		if n > 2 {
			defs = append(defs, def{r.Stages[last] + " / " + r.Stages[0], func(row *Row) *float64 { return row.OverallRates[last] }, true})
		}
		for k := 1; k < n; k++ {
			defs = append(defs, def{r.Stages[k] + " / " + r.Stages[k-1], func(row *Row) *float64 { return row.StepRates[k] }, n == 2})
		}
		top := 0.0
		for _, d := range ds {
			for _, s := range defs {
				if v := s.rates(d.Total); defined(v) {
					top = max(top, *v*100)
				}
			}
		}
		step, ymax := niceScale(top)
		p := &panel{Title: "Conversion", Note: "per day", Bands: bands}
		yOf := func(pct float64) float64 { return plotH - plotH*pct/ymax }
		decimals := 0
		for s := step; s < 1 && decimals < 6; s *= 10 {
			decimals++
		}
		if step != math.Trunc(step) && decimals == 0 {
			decimals = 1
		}
		for i := 0; float64(i)*step <= ymax*(1+1e-9); i++ {
			v := float64(i) * step
			p.Grid = append(p.Grid, yOf(v))
			p.YLabels = append(p.YLabels, yLabel{Top: svgNum(yOf(v)/plotH*100) + "%", Text: strconv.FormatFloat(v, 'f', decimals, 64) + "%"})
		}
		for j, s := range defs {
			class := "c" + strconv.Itoa(j%seriesClasses)
			t.Legend = append(t.Legend, legendItem{Name: s.name, Class: class, Main: s.main})
			var run []string
			flush := func() {
				if len(run) > 1 {
					p.Lines = append(p.Lines, svgLine{Points: strings.Join(run, " "), Class: class, Main: s.main})
				}
				run = nil
			}
			for i, d := range ds {
				v := s.rates(d.Total)
				if !defined(v) {
					t.Gaps = true
					flush()
					continue
				}
				x, y := xOf(i), yOf(*v*100)
				run = append(run, svgNum(x)+","+svgNum(y))
				title := formatDate(d.Dt) + "  " + s.name + ": " + formatPercent(v)
				if d.Provisional {
					title += " (provisional)"
				}
				// A lone point between gaps always gets its dot, else it would not show.
				lone := (i == 0 || !defined(s.rates(ds[i-1].Total))) && (i == len(ds)-1 || !defined(s.rates(ds[i+1].Total)))
				if len(ds) <= maxDots || lone {
					p.Dots = append(p.Dots, svgDot{X: x, Y: y, Class: class, Main: s.main, Prov: d.Provisional, Title: title})
				}
			}
			flush()
		}
		t.Rates = p
	}

	for k, name := range r.Stages {
		top := int64(0)
		for _, d := range ds {
			top = max(top, d.Total.Counts[k])
		}
		_, ymax := niceScale(float64(top))
		if top == 0 {
			ymax = 1
		}
		p := panel{Title: name, Note: "per day", Bands: bands, Grid: []float64{0, plotH / 2}}
		p.YLabels = []yLabel{{Top: "0%", Text: compactCount(ymax)}}
		w := slot * 0.62
		for i, d := range ds {
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
