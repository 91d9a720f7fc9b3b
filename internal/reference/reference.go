// Package reference is an independent Go implementation of fgen's funnel semantics
// (docs/FUNNELS.md), used as the oracle in property tests of the SQL that fgen emits.
//
// It deliberately shares nothing with the SQL: it reads plain Go values, and every number is
// computed straight from the definition in FUNNELS.md, favouring obviously correct code over
// speed (but never quadratic per user, so a bot with 50,000 events is cheap).
//
// The entry points are Clean (ODS rows to DW rows), Compute (DW rows to funnel results),
// Percent (the seed's rate format) and RandomRows (nasty test data for other packages).
//
// What a Funnel asks of Compute beyond counts and rates:
//
//   - the time precision: Funnel.UnitsPerSecond (1 for epoch seconds, 1000 for milliseconds);
//     Row.TS and Funnel.Window are integers in those units, and times are reported in seconds,
//     each a float64 rounded once from integers, so a DOUBLE computed the same way in SQL
//     compares bit for bit;
//   - in ordered mode, two series of times to convert per stage, over the users who reached
//     it: from the entry (Result.MedianSeconds, AvgSeconds) and from the previous step
//     (Result.StepMedianSeconds, StepAvgSeconds); see Progress for their definitions;
//   - nearest-rank percentiles in basis points (Funnel.Percentiles, Result.PercentileSeconds
//     and StepPercentileSeconds) and histograms (Funnel.HistogramEdges, Result.Histogram and
//     StepHistogram) of both series;
//   - a breakdown limit (Funnel.BreakdownLimit, Funnel.OtherMarker): the top values by
//     stage-1 count per day and breakdown keep their rows, the others share one row.
package reference

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Funnel modes.
const (
	ModeEvents  = "events"
	ModeUsers   = "users"
	ModeOrdered = "ordered"
)

// DefaultOtherMarker is the dimension value of the row of merged breakdown values when
// Funnel.OtherMarker is empty.
const DefaultOtherMarker = "other"

// Day boundaries of the ordered funnel.
const (
	WithinDay     = "within_day"
	CrossMidnight = "cross_midnight"
)

// Row is one DW row: already cleaned.
type Row struct {
	Dt    string // partition, yyyymmdd
	User  string
	TS    int64 // epoch time in units of the funnel's time precision (Funnel.UnitsPerSecond)
	Event string
	Dims  map[string]*string // breakdown columns; a nil pointer or a missing key is SQL NULL
}

// Funnel defines what Compute counts.
type Funnel struct {
	Mode        string     // ModeEvents, ModeUsers or ModeOrdered
	Stages      [][]string // stage k (1-based in prose) is a set of event values; mutually exclusive
	Window      int64      // in units of the time precision (see UnitsPerSecond), ordered mode only
	Boundary    string     // WithinDay (also when empty) or CrossMidnight, ordered mode only
	Breakdowns  []string   // dimension names, keys of Row.Dims
	TotalMarker string     // dimension value of total rows, e.g. "all"
	NullMarker  string     // dimension value for NULL or empty values, e.g. "unknown"

	// UnitsPerSecond is the precision of the time column: Row.TS and Window are integers in
	// units of 1/UnitsPerSecond seconds (1: epoch seconds, 1000: epoch milliseconds), and
	// ties are equal TS values at that precision. 0 means 1. Times to convert are reported in
	// seconds, each a float64 computed from integers with exactly one rounding:
	//
	//	mean of n values v_i        float64(sum v_i) / float64(n * UnitsPerSecond)
	//	median of n sorted values   float64(sum of the middle value (n odd) or the two middle
	//	                            values (n even)) / float64(1 or 2 * UnitsPerSecond)
	//
	// With UnitsPerSecond 1 these are the plain mean and median in seconds.
	UnitsPerSecond int64

	// Percentiles lists the percentiles of the times to convert to report, ordered mode only,
	// in basis points from 1 to 10000 (50 % is 5000, 99.9 % is 9990), in any order. Each is
	// the nearest rank: of n sorted times, the one at 1-based rank ceil(P * n / 10000),
	// computed in integers as (P*n + 9999) / 10000, in seconds float64(v) /
	// float64(UnitsPerSecond); none when n is 0. See Result.PercentileSeconds.
	Percentiles []int
	// HistogramEdges are the bucket edges of histograms of the times to convert, ordered mode
	// only, in units of the time precision: strictly increasing, the first one 0. Bucket i
	// holds the times v with HistogramEdges[i] <= v < HistogramEdges[i+1], the last bucket
	// every v >= the last edge. See Result.Histogram.
	HistogramEdges []int64

	// BreakdownLimit, when positive, caps the rows of each breakdown: per day and per
	// breakdown column separately, the BreakdownLimit values (after NULL or empty ->
	// NullMarker) with the largest stage-1 count (Result.Counts[0] of their row), ties broken
	// by value ascending byte-wise, keep their rows; every other value is merged into one row
	// whose value is OtherMarker, present only when some value was merged. In events mode its
	// counts are the sums of the merged values' counts; in users and ordered modes its users
	// are the union of the users attributed (first touch) to the merged values: its counts
	// are the sums too, and its times to convert (mean, median, percentiles, histograms) are
	// computed over all those users' times, never combined from the values' statistics.
	// Rates follow from the counts as for any row. The total row does not change. A value
	// equal to OtherMarker in the data is ranked like any other, and its row is the
	// OtherMarker row whether it is kept or merged: its row and the merged values' are one.
	// 0: no limit.
	BreakdownLimit int
	// OtherMarker is the dimension value of the merged row; empty means DefaultOtherMarker. It
	// must differ from TotalMarker and NullMarker when BreakdownLimit is positive.
	OtherMarker string
}

// Other returns the dimension value of the row of merged breakdown values: OtherMarker, or
// DefaultOtherMarker when it is empty.
func (f Funnel) Other() string {
	if f.OtherMarker == "" {
		return DefaultOtherMarker
	}
	return f.OtherMarker
}

// ups returns the units per second, 0 read as 1.
func (f Funnel) ups() int64 {
	if f.UnitsPerSecond == 0 {
		return 1
	}
	return f.UnitsPerSecond
}

// Result is one output row: one day and one breakdown value (or the total).
//
// In ordered mode it describes two series of times to convert per stage k >= 1 (0-based
// index; stage k+1 in prose), over the users who reached stage k+1: the times from the entry
// (Progress.Durations) and the step times (Progress.StepDurations). Each series at index k
// holds Counts[k] times: one per user who reached the stage.
type Result struct {
	Dt   string
	Dims map[string]string // every breakdown: its value, NullMarker, TotalMarker or the other marker; empty without breakdowns

	Counts       []int64    // per stage, never negative
	StepRates    []*float64 // index k: Counts[k]/Counts[k-1]; index 0 nil; nil when the denominator is 0
	OverallRates []*float64 // index k: Counts[k]/Counts[0]; index 0 nil; nil when the denominator is 0

	// Ordered mode only (nil slices otherwise). Index k >= 1: median and mean, over the users
	// who reached stage k+1, of the seconds from their chain start to reaching stage k+1
	// (see Progress.Durations; the formulas are at Funnel.UnitsPerSecond); nil when no user
	// reached it. Index 0 is always nil.
	MedianSeconds []*float64
	AvgSeconds    []*float64
	// Ordered mode only, like MedianSeconds and AvgSeconds, over the same users, but of the
	// step times: the seconds from reaching stage k to reaching stage k+1 (see
	// Progress.StepDurations).
	StepMedianSeconds []*float64
	StepAvgSeconds    []*float64

	// Ordered mode with Funnel.Percentiles only (nil otherwise). PercentileSeconds[k][i], for
	// k >= 1, is percentile Funnel.Percentiles[i] of the times from the entry of the users who
	// reached stage k+1 (the times MedianSeconds[k] is the median of), nil when no user
	// reached it. StepPercentileSeconds is the same for the step times. Index 0 is nil.
	PercentileSeconds     [][]*float64
	StepPercentileSeconds [][]*float64
	// Ordered mode with Funnel.HistogramEdges only (nil otherwise). Histogram[k][b], for
	// k >= 1, is the number of users who reached stage k+1 whose time from the entry lies in
	// bucket b of Funnel.HistogramEdges; all zero when no user reached it. The buckets of a
	// stage sum to Counts[k]. StepHistogram is the same for the step times. Index 0 is nil.
	Histogram     [][]int64
	StepHistogram [][]int64
}

// Validate reports what is wrong with f, if anything. Compute panics on an invalid funnel.
func (f Funnel) Validate() error {
	switch f.Mode {
	case ModeEvents, ModeUsers, ModeOrdered:
	default:
		return fmt.Errorf("mode %q: want %q, %q or %q", f.Mode, ModeEvents, ModeUsers, ModeOrdered)
	}
	if len(f.Stages) == 0 {
		return fmt.Errorf("no stages")
	}
	seen := map[string]int{}
	for i, stage := range f.Stages {
		for _, ev := range stage {
			if j, ok := seen[ev]; ok && j != i+1 {
				return fmt.Errorf("event %q is in stages %d and %d; stages must be mutually exclusive", ev, j, i+1)
			}
			seen[ev] = i + 1
		}
	}
	switch f.Boundary {
	case "", WithinDay, CrossMidnight:
	default:
		return fmt.Errorf("boundary %q: want %q or %q", f.Boundary, WithinDay, CrossMidnight)
	}
	if f.UnitsPerSecond < 0 {
		return fmt.Errorf("units per second %d: must not be negative (0 means 1)", f.UnitsPerSecond)
	}
	if f.Mode == ModeOrdered && f.Window < 0 {
		return fmt.Errorf("window %d: must not be negative", f.Window)
	}
	if f.Mode != ModeOrdered && (len(f.Percentiles) > 0 || len(f.HistogramEdges) > 0) {
		return fmt.Errorf("percentiles and histograms of the times to convert need mode %q", ModeOrdered)
	}
	for _, p := range f.Percentiles {
		if p < 1 || p > 10000 {
			return fmt.Errorf("percentile %d: want basis points from 1 to 10000", p)
		}
	}
	for i, e := range f.HistogramEdges {
		if i == 0 && e != 0 {
			return fmt.Errorf("histogram edges start at %d: the first edge must be 0", e)
		}
		if i > 0 && e <= f.HistogramEdges[i-1] {
			return fmt.Errorf("histogram edges %d, %d: must be strictly increasing", f.HistogramEdges[i-1], e)
		}
	}
	dims := map[string]bool{}
	for _, d := range f.Breakdowns {
		if dims[d] {
			return fmt.Errorf("breakdown %q listed twice", d)
		}
		dims[d] = true
	}
	if len(f.Breakdowns) > 0 && f.TotalMarker == f.NullMarker {
		return fmt.Errorf("total marker and null marker are both %q; they must differ", f.TotalMarker)
	}
	if f.BreakdownLimit < 0 {
		return fmt.Errorf("breakdown limit %d: must not be negative (0 is no limit)", f.BreakdownLimit)
	}
	if f.BreakdownLimit > 0 {
		switch f.Other() {
		case f.TotalMarker:
			return fmt.Errorf("other marker and total marker are both %q; they must differ", f.Other())
		case f.NullMarker:
			return fmt.Errorf("other marker and null marker are both %q; they must differ", f.Other())
		}
	}
	return nil
}

// NextDay returns the calendar day after day, both yyyymmdd.
func NextDay(day string) (string, error) {
	t, err := time.Parse("20060102", day)
	if err != nil {
		return "", fmt.Errorf("day %q: want yyyymmdd", day)
	}
	return t.AddDate(0, 0, 1).Format("20060102"), nil
}

// Compute returns the funnel results for every day in days: sorted by Dt (duplicates in days
// are ignored), then the total row, then by breakdown index, then by value byte-wise (the
// other marker of a breakdown limit sorts as its value).
// Rows whose Dt is not in days are ignored, except that an ordered cross_midnight funnel for
// day D also reads the rows of D+1. It panics when f is invalid (see Validate) or a day is
// not yyyymmdd.
func Compute(f Funnel, rows []Row, days []string) []Result {
	if err := f.Validate(); err != nil {
		panic("reference: invalid funnel: " + err.Error())
	}
	stageOf := map[string]int{}
	for i, stage := range f.Stages {
		for _, ev := range stage {
			stageOf[ev] = i + 1
		}
	}
	// Stage rows by partition; other rows are ignored entirely, and so, in
	// ordered mode, are rows whose TS is no time (see IsTime).
	byDt := map[string][]stageRow{}
	for _, r := range rows {
		s, ok := stageOf[r.Event]
		if !ok || f.Mode == ModeOrdered && !IsTime(r.TS, f.UnitsPerSecond) {
			continue
		}
		byDt[r.Dt] = append(byDt[r.Dt], stageRow{row: r, stage: s, dims: f.normalize(r)})
	}

	days = slices.Clone(days)
	slices.Sort(days)
	days = slices.Compact(days)

	var out []Result
	for _, day := range days {
		if _, err := NextDay(day); err != nil {
			panic("reference: " + err.Error())
		}
		t := newTally(f)
		switch f.Mode {
		case ModeEvents:
			countEvents(t, byDt[day])
		case ModeUsers:
			countUsers(t, byDt[day])
		case ModeOrdered:
			var next []stageRow
			if f.Boundary == CrossMidnight {
				nd, _ := NextDay(day)
				next = byDt[nd]
			}
			countOrdered(t, f.Window, byDt[day], next)
		}
		out = append(out, t.results(day)...)
	}
	return out
}

// IsTime reports whether the epoch time ts, in units of 1/unitsPerSecond seconds (0 means
// 1), is a time the ordered funnel orders: one in the years 0000 to 9999 UTC, which
// MaxCompute's DATETIME holds. The ordered funnel skips the rows of any other value (a
// sentinel such as the greatest BIGINT), as rows without a time; the events and users
// modes count them, as they count rows whatever their time.
func IsTime(ts, unitsPerSecond int64) bool {
	if unitsPerSecond <= 0 {
		unitsPerSecond = 1
	}
	first, end := timeBounds(unitsPerSecond)
	return first <= ts && ts < end
}

// The first second of the year 0000 and the first past 9999, UTC: IsTime's bounds.
var (
	firstSecond = time.Date(0, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	endSecond   = time.Date(10000, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// timeBounds returns the first epoch time of the year 0000 and the first past 9999 UTC, in
// units of 1/unitsPerSecond seconds.
func timeBounds(unitsPerSecond int64) (first, end int64) {
	return firstSecond * unitsPerSecond, endSecond * unitsPerSecond
}

// stageRow is a row that belongs to a stage, with its breakdown values normalized.
type stageRow struct {
	row   Row
	stage int      // 1-based
	dims  []string // normalized values, in breakdown order
}

// normalize returns r's breakdown values in breakdown order, NULL and "" as NullMarker.
func (f Funnel) normalize(r Row) []string {
	vals := make([]string, len(f.Breakdowns))
	for i, d := range f.Breakdowns {
		p := r.Dims[d]
		if p == nil || *p == "" {
			vals[i] = f.NullMarker
		} else {
			vals[i] = *p
		}
	}
	return vals
}

// byTSThenDims orders rows by timestamp, then normalized breakdown values byte-wise.
func byTSThenDims(a, b stageRow) int {
	if c := compareInt(a.row.TS, b.row.TS); c != 0 {
		return c
	}
	return slices.Compare(a.dims, b.dims)
}

// byTSStageDims orders rows by timestamp, then stage, then normalized breakdown values.
func byTSStageDims(a, b stageRow) int {
	if c := compareInt(a.row.TS, b.row.TS); c != 0 {
		return c
	}
	if c := compareInt(int64(a.stage), int64(b.stage)); c != 0 {
		return c
	}
	return slices.Compare(a.dims, b.dims)
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// countEvents counts every stage row under its own breakdown values.
func countEvents(t *tally, rows []stageRow) {
	for _, r := range rows {
		for _, g := range t.groups(r.dims) {
			g.counts[r.stage-1]++
		}
	}
}

// countUsers counts each user once per stage they have any row of, under the values of the
// row they are attributed to: their first stage-1 row, else their first stage row.
func countUsers(t *tally, rows []stageRow) {
	for _, urows := range byUser(rows) {
		var firstS1, first *stageRow
		has := make([]bool, len(t.f.Stages)+1)
		for i := range urows {
			r := &urows[i]
			has[r.stage] = true
			if r.stage == 1 && (firstS1 == nil || byTSThenDims(*r, *firstS1) < 0) {
				firstS1 = r
			}
			if first == nil || byTSStageDims(*r, *first) < 0 {
				first = r
			}
		}
		attr := first
		if firstS1 != nil {
			attr = firstS1
		}
		for _, g := range t.groups(attr.dims) {
			for s := 1; s < len(has); s++ {
				if has[s] {
					g.counts[s-1]++
				}
			}
		}
	}
}

// countOrdered counts each user with level >= 1 under the values of their first stage-1 row
// of the day. rows are the day's stage rows; next are the next day's (cross_midnight only).
func countOrdered(t *tally, window int64, rows, next []stageRow) {
	nextByUser := byUser(next)
	for user, urows := range byUser(rows) {
		var firstS1 *stageRow
		var steps []Step
		for i := range urows {
			r := &urows[i]
			steps = append(steps, Step{TS: r.row.TS, Stage: r.stage, Start: true})
			if r.stage == 1 && (firstS1 == nil || byTSThenDims(*r, *firstS1) < 0) {
				firstS1 = r
			}
		}
		if firstS1 == nil {
			continue // no chain can start on this day: level 0, in no row
		}
		for _, r := range nextByUser[user] {
			steps = append(steps, Step{TS: r.row.TS, Stage: r.stage, Start: false})
		}
		p := OrderedLevel(steps, len(t.f.Stages), window)
		for _, g := range t.groups(firstS1.dims) {
			for k := 0; k < p.Level; k++ {
				g.counts[k]++
				g.durations[k] = append(g.durations[k], p.Durations[k])
				g.steps[k] = append(g.steps[k], p.StepDurations[k])
			}
		}
	}
}

func byUser(rows []stageRow) map[string][]stageRow {
	m := map[string][]stageRow{}
	for _, r := range rows {
		m[r.row.User] = append(m[r.row.User], r)
	}
	return m
}

// group accumulates one output row.
type group struct {
	counts    []int64
	durations [][]int64 // ordered mode: Progress.Durations[k] of the users who reached stage k+1
	steps     [][]int64 // ordered mode: Progress.StepDurations[k] of the same users
}

// tally holds the groups of one day: the total and, per breakdown, one group per value.
type tally struct {
	f      Funnel
	total  *group
	values []map[string]*group // index: breakdown
}

func newTally(f Funnel) *tally {
	t := &tally{f: f, total: newGroup(len(f.Stages))}
	for range f.Breakdowns {
		t.values = append(t.values, map[string]*group{})
	}
	return t
}

func newGroup(stages int) *group {
	return &group{counts: make([]int64, stages), durations: make([][]int64, stages), steps: make([][]int64, stages)}
}

// groups returns the groups a row or user with normalized values dims counts in, creating
// value groups on first use: a value row exists only when something is attributed to it.
func (t *tally) groups(dims []string) []*group {
	gs := []*group{t.total}
	for i, v := range dims {
		g, ok := t.values[i][v]
		if !ok {
			g = newGroup(len(t.f.Stages))
			t.values[i][v] = g
		}
		gs = append(gs, g)
	}
	return gs
}

func (t *tally) results(day string) []Result {
	total := map[string]string{}
	for _, d := range t.f.Breakdowns {
		total[d] = t.f.TotalMarker
	}
	out := []Result{t.result(day, total, t.total)}
	for i, d := range t.f.Breakdowns {
		groups := t.limit(t.values[i])
		vals := make([]string, 0, len(groups))
		for v := range groups {
			vals = append(vals, v)
		}
		sort.Strings(vals) // byte-wise
		for _, v := range vals {
			dims := map[string]string{}
			for _, e := range t.f.Breakdowns {
				dims[e] = t.f.TotalMarker
			}
			dims[d] = v
			out = append(out, t.result(day, dims, groups[v]))
		}
	}
	return out
}

// limit applies Funnel.BreakdownLimit to the value groups of one breakdown column of one day:
// it returns the groups to report by value, the values beyond the limit merged into one group
// under the other marker.
func (t *tally) limit(groups map[string]*group) map[string]*group {
	n := t.f.BreakdownLimit
	if n <= 0 || len(groups) <= n {
		return groups
	}
	vals := make([]string, 0, len(groups))
	for v := range groups {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, func(a, b string) int {
		if c := compareInt(groups[b].counts[0], groups[a].counts[0]); c != 0 {
			return c // the larger stage-1 count first
		}
		return strings.Compare(a, b)
	})
	out := map[string]*group{}
	for _, v := range vals[:n] {
		out[v] = groups[v]
	}
	other := newGroup(len(t.f.Stages))
	for _, v := range vals[n:] {
		other.add(groups[v])
	}
	if kept, ok := out[t.f.Other()]; ok { // a value named like the marker shares its row
		other.add(kept)
	}
	out[t.f.Other()] = other
	return out
}

// add merges g's counts and times into m: each user (or row) is attributed to one value, so
// the union of their users is the concatenation.
func (m *group) add(g *group) {
	for k := range m.counts {
		m.counts[k] += g.counts[k]
		m.durations[k] = append(m.durations[k], g.durations[k]...)
		m.steps[k] = append(m.steps[k], g.steps[k]...)
	}
}

func (t *tally) result(day string, dims map[string]string, g *group) Result {
	n := len(g.counts)
	r := Result{
		Dt:           day,
		Dims:         dims,
		Counts:       slices.Clone(g.counts),
		StepRates:    make([]*float64, n),
		OverallRates: make([]*float64, n),
	}
	for k := 1; k < n; k++ {
		r.StepRates[k] = ratio(g.counts[k], g.counts[k-1])
		r.OverallRates[k] = ratio(g.counts[k], g.counts[0])
	}
	if t.f.Mode == ModeOrdered {
		d := t.f.distribution(g.durations)
		r.MedianSeconds, r.AvgSeconds, r.PercentileSeconds, r.Histogram = d.median, d.mean, d.percentiles, d.histogram
		d = t.f.distribution(g.steps)
		r.StepMedianSeconds, r.StepAvgSeconds, r.StepPercentileSeconds, r.StepHistogram = d.median, d.mean, d.percentiles, d.histogram
	}
	return r
}

// dist is what a Result reports of one series of times to convert, by stage (index 0 unused).
type dist struct {
	median, mean []*float64
	percentiles  [][]*float64 // nil without Funnel.Percentiles
	histogram    [][]int64    // nil without Funnel.HistogramEdges
}

// distribution summarizes series[k], the times (in units) of the users who reached stage k+1.
func (f Funnel) distribution(series [][]int64) dist {
	n, ups := len(series), f.ups()
	d := dist{median: make([]*float64, n), mean: make([]*float64, n)}
	if len(f.Percentiles) > 0 {
		d.percentiles = make([][]*float64, n)
	}
	if len(f.HistogramEdges) > 0 {
		d.histogram = make([][]int64, n)
	}
	for k := 1; k < n; k++ {
		xs := slices.Sorted(slices.Values(series[k]))
		d.median[k] = median(xs, ups)
		d.mean[k] = mean(xs, ups)
		if d.percentiles != nil {
			d.percentiles[k] = make([]*float64, len(f.Percentiles))
			for i, p := range f.Percentiles {
				d.percentiles[k][i] = percentile(xs, p, ups)
			}
		}
		if d.histogram != nil {
			d.histogram[k] = histogram(xs, f.HistogramEdges)
		}
	}
	return d
}

func ratio(a, b int64) *float64 {
	if b == 0 {
		return nil
	}
	x := float64(a) / float64(b)
	return &x
}

// seconds returns num / (den * ups) seconds as a float64, rounded once.
func seconds(num, den, ups int64) *float64 {
	x := float64(num) / float64(den*ups)
	return &x
}

// median returns the median of the sorted times s (in units) in seconds: the middle value, or
// the sum of the two middle values over two, over ups; nil when s is empty.
func median(s []int64, ups int64) *float64 {
	if len(s) == 0 {
		return nil
	}
	n := len(s)
	if n%2 == 1 {
		return seconds(s[n/2], 1, ups)
	}
	return seconds(s[n/2-1]+s[n/2], 2, ups)
}

// mean returns the mean of xs (in units) in seconds; nil when xs is empty.
func mean(xs []int64, ups int64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	var sum int64
	for _, x := range xs {
		sum += x
	}
	return seconds(sum, int64(len(xs)), ups)
}

// percentile returns percentile p (basis points) of the sorted times s (in units) in seconds:
// nearest rank, the value at 1-based rank ceil(p * n / 10000); nil when s is empty.
func percentile(s []int64, p int, ups int64) *float64 {
	n := int64(len(s))
	if n == 0 {
		return nil
	}
	rank := (int64(p)*n + 9999) / 10000
	return seconds(s[rank-1], 1, ups)
}

// histogram counts the times xs (in units, none negative) in the buckets of edges:
// [edges[i], edges[i+1]), the last one open.
func histogram(xs []int64, edges []int64) []int64 {
	counts := make([]int64, len(edges))
	for _, x := range xs {
		// The last edge at or below x; edges[0] is 0 <= x.
		b := sort.Search(len(edges), func(i int) bool { return edges[i] > x }) - 1
		counts[b]++
	}
	return counts
}
