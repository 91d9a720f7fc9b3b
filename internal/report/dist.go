package report

import "fmt"

// The distributions of the times to convert, on the html page of an ordered funnel with
// percentiles or a histogram: per stage after the first, and per series (from the entry,
// and from the previous stage), a bar chart of the users per histogram bucket over the
// range's days added up, and the percentiles' lines per day (when two or more days have a
// total row); then tables of every time and bucket of the range per stage and series. Only
// the day totals are charted.

const (
	// At most this many bucket labels under a histogram on a wide screen and on a narrow
	// one; the others are left out, every other or so, and named by their bar's tooltip.
	bucketLabelsWide, bucketLabelsNarrow = 12, 6
	// At most this many day labels under a chart of percentiles, half a card wide.
	distDaysWide, distDaysNarrow = 7, 5
)

type distView struct {
	Sub     string // the days shown: "2021-03-03 to 2021-03-09, 7 days added up"
	Stages  []distStage
	Times   *dataTable // per stage and series, the median, the average and the percentiles
	Buckets *dataTable // and the users per bucket; nil without a histogram
	Notes   []string
}

type distStage struct {
	Title  string // "Time to click"
	Series []distSeries
}

// distSeries is one series of times to one stage: from the entry, or from the previous
// stage.
type distSeries struct {
	Title, Note string // "From the entry", "browse → click"
	Hist        *histChart
	Trend       *panel // the percentiles per day; nil without percentiles or with one day
	Days        []xLabel
}

type histChart struct {
	Note    string // the y axis' unit, "users"
	YLabels []yLabel
	Grid    []float64
	Bars    []svgBar
	XLabels []xLabel
	XTitle  string // "time from browse to click"
	Empty   string // a message instead of the bars when no user reached the stage
}

// buildDist returns the distributions of the days that have a total row, nil when the
// report has none or no day has a total.
func buildDist(r *Report, days []day, s *sum) *distView {
	if !r.distributions() || s == nil {
		return nil
	}
	ds := withTotal(days)
	v := &distView{}
	if len(ds) == 1 {
		v.Sub = formatDate(ds[0].Dt)
	} else {
		v.Sub = fmt.Sprintf("%s to %s, %s added up", formatDate(ds[0].Dt), formatDate(ds[len(ds)-1].Dt), plural(len(ds), "day"))
	}
	onAxis := axisDays(r, days) // the days of the percentiles' panels
	n := len(r.Stages)
	first := r.Stages[0]
	for k := 1; k < n; k++ {
		st := distStage{Title: "Time to " + r.Stages[k]}
		for _, step := range r.series() {
			si := seriesIndex(step)
			from := first
			title := "From the entry"
			if step {
				from, title = r.Stages[k-1], "From the previous stage"
			}
			se := distSeries{Title: title, Note: from + " → " + r.Stages[k]}
			if len(r.Buckets) > 0 {
				se.Hist = histogram(r, s.Hist[si][k], stageColor(k, n), "time from "+from+" to "+r.Stages[k])
			}
			if len(r.Percentiles) > 0 && len(ds) > 1 {
				var series []lineSeries
				for i, l := range r.Percentiles {
					series = append(series, lineSeries{l, i == 0, func(row *Row) *float64 { return pct(row, step, k, i) }, nil})
				}
				if !someDefined(onAxis, series) {
					st.Series = append(st.Series, se) // no user reached the stage: the histogram says so
					continue
				}
				xOf, _, bands, labels := dayAxis(onAxis, distDaysWide, distDaysNarrow)
				p := &panel{Title: "Percentiles per day", Note: "time from " + from + " to " + r.Stages[k] + ", log scale", Bands: bands}
				p.BandLegend, p.NoTotalLegend = bandKinds(bands)
				linePanel(p, onAxis, series, 0, xOf, logSecondsAxis)
				se.Trend, se.Days = p, labels
			}
			st.Series = append(st.Series, se)
		}
		v.Stages = append(v.Stages, st)
	}
	v.Times, v.Buckets = distTables(r, s)
	if len(ds) > 1 {
		v.Notes = append(v.Notes, "The histograms add up the days' users (user-days). Medians and percentiles cannot be added up: the table shows the smallest and the largest daily value, between which the range's lies; averages are over all the users who reached the stage.")
	}
	v.Notes = append(v.Notes, "Times run from the entry (the chain's "+first+") or from reaching the previous stage, among the users who reached the stage. Percentiles by nearest rank; a bucket a–b counts the users from a to less than b.")
	return v
}

// histogram charts the users per bucket of one series (nil: unknown), bars in fill.
func histogram(r *Report, counts []int64, fill, xTitle string) *histChart {
	// Over several days the bars add up the days' users, as the tiles say.
	unit, one := "users", "user"
	if len(r.days()) > 1 {
		unit, one = "user-days", "user-day"
	}
	h := &histChart{Note: unit, XTitle: xTitle}
	if counts == nil {
		h.Empty = "no histogram"
		return h
	}
	var top, total int64
	for _, c := range counts {
		top, total = max(top, c), total+c
	}
	if total == 0 {
		h.Empty = "no user reached the stage"
	}
	step, ymax := niceScale(float64(top))
	if top == 0 {
		step, ymax = 1, 1
	}
	for i := 0; float64(i)*step <= ymax*(1+1e-9); i++ {
		y := plotH - plotH*float64(i)*step/ymax
		h.Grid = append(h.Grid, y)
		h.YLabels = append(h.YLabels, yLabel{Top: svgNum(y/plotH*100) + "%", Text: compactCount(float64(i) * step)})
	}
	nb := len(counts)
	slot := plotW / float64(nb)
	w := slot * 0.78
	everyWide := max(1, ceilDiv(nb, bucketLabelsWide))
	everyNarrow := everyWide * max(1, ceilDiv(ceilDiv(nb, bucketLabelsNarrow), everyWide))
	for b, c := range counts {
		x := (float64(b) + 0.5) * slot
		ht := plotH * float64(c) / ymax
		if c > 0 {
			ht = max(ht, 0.8)
		}
		users := unit
		if c == 1 {
			users = one
		}
		title := r.Buckets[b] + ": " + formatCount(c) + " " + users
		if total > 0 {
			title += " (" + formatPercent(c, total) + ")"
		}
		h.Bars = append(h.Bars, svgBar{X: x - w/2, Y: plotH - ht, W: w, H: ht, Fill: fill, Title: title})
		if b%everyWide == 0 {
			h.XLabels = append(h.XLabels, xLabel{Left: svgNum(x/plotW*100) + "%", Text: r.Buckets[b], Title: title, Narrow: b%everyNarrow == 0})
		}
	}
	return h
}

// distTables are every time to convert of the sum s, per stage after the first and series:
// one table of the median, the average and the percentiles (each the range of the days'
// when they differ), and one of the users per histogram bucket.
func distTables(r *Report, s *sum) (times, buckets *dataTable) {
	head := []cell{{Text: "time to"}, {Text: "from"}}
	times = &dataTable{Head: append(append([]cell(nil), head...), cell{Text: "median", Num: true}, cell{Text: "average", Num: true})}
	for _, p := range r.Percentiles {
		times.Head = append(times.Head, cell{Text: p, Num: true, Title: "percentile, nearest rank"})
	}
	if len(r.Buckets) > 0 {
		buckets = &dataTable{Head: append([]cell(nil), head...)}
		for _, b := range r.Buckets {
			buckets.Head = append(buckets.Head, cell{Text: b, Num: true, Title: "users"})
		}
	}
	for k := 1; k < len(r.Stages); k++ {
		for _, step := range r.series() {
			si := seriesIndex(step)
			avg, lo, hi := s.times(step)
			from := "entry (" + r.Stages[0] + ")"
			if step {
				from = "previous (" + r.Stages[k-1] + ")"
			}
			var cs []cell
			add := func(text string) { cs = append(cs, cell{Text: text, Num: true, Muted: text == undefined}) }
			cs = []cell{{Text: r.Stages[k]}, {Text: from}}
			add(medianText(lo, hi, k))
			add(formatSeconds(at(avg, k)))
			for i := range r.Percentiles {
				add(rangeText(s.PctLo[si][k][i], s.PctHi[si][k][i]))
			}
			times.Rows = append(times.Rows, tableRow{Cells: cs})
			if buckets == nil {
				continue
			}
			cs = []cell{{Text: r.Stages[k]}, {Text: from}}
			for b := range r.Buckets {
				if h := s.Hist[si][k]; h != nil {
					add(formatCount(h[b]))
				} else {
					add(undefined)
				}
			}
			buckets.Rows = append(buckets.Rows, tableRow{Cells: cs})
		}
	}
	return times, buckets
}

// seriesIndex is the index of a series in sum's arrays: 0 from the entry, 1 from the
// previous stage.
func seriesIndex(step bool) int {
	if step {
		return 1
	}
	return 0
}
