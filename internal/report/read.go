package report

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Read reads a funnel's report rows from w, for the business dates
// from..to (both empty: every date), with the report query of proj, the
// project rendered in w's dialect. Counts are parsed whether the
// table stores them as BIGINT or STRING; rates are recomputed from the counts
// at full precision (the table's own rate columns are derived from the same
// counts, rounded when written as percent strings).
func Read(ctx context.Context, w warehouse.Warehouse, proj *generator.Project, f *models.Funnel, from, to string) (*Report, error) {
	rows, err := warehouse.QueryDates(ctx, w, from, to, func(from, to string) (string, []warehouse.Setting, error) {
		q, err := proj.ReportQuery(f, from, to)
		return q.SQL, warehouse.Settings(q.Settings), err
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", f.Report.Table, err)
	}
	r := newReport(f)
	other, err := r.addRows(f, rows.Values)
	if err != nil {
		return nil, err
	}
	r.markerValues()
	r.leaveOut(r.otherDefinition(f, other))
	for i := range r.Rows {
		r.Rows[i].StepRates, r.Rows[i].OverallRates = Rates(r.Rows[i].Counts)
	}
	r.sortRows(f)
	return r, nil
}

// newReport returns the report of f without rows: what its columns and
// rows mean.
func newReport(f *models.Funnel) *Report {
	r := &Report{Funnel: f.Name, Description: f.Description, Table: f.Report.Table, Mode: f.Mode, Breakdowns: f.Breakdowns, TotalMarker: f.Report.TotalMarker}
	if f.Mode == models.ModeOrdered {
		r.Window = f.Window.Text
		r.DayBoundary = f.DayBoundary
		r.StepTimes = f.Long() || f.Report.StepMedianSecondsColumn != "" || f.Report.StepAvgSecondsColumn != ""
		r.NoTimes = !f.Long() && f.Report.MedianSecondsColumn == "" && f.Report.AvgSecondsColumn == ""
		r.NoMedian = !f.Long() && f.Report.MedianSecondsColumn == ""
		r.NoAvg = !f.Long() && f.Report.AvgSecondsColumn == ""
		r.NoStepMedian = !f.Long() && f.Report.StepMedianSecondsColumn == ""
		r.NoStepAvg = !f.Long() && f.Report.StepAvgSecondsColumn == ""
		for _, p := range f.Percentiles() {
			r.Percentiles = append(r.Percentiles, PercentileLabel(p))
		}
		for _, l := range f.BucketLabels() {
			r.Buckets = append(r.Buckets, bucketLabel(l))
		}
		for _, e := range f.HistogramEdges(1000) {
			r.BucketEdges = append(r.BucketEdges, float64(e)/1000)
		}
	}
	if f.BreakdownLimit > 0 {
		r.BreakdownLimit, r.OtherMarker = f.BreakdownLimit, f.Report.OtherMarker
	}
	for _, s := range f.Stages {
		r.Stages = append(r.Stages, s.Name)
	}
	if len(f.Breakdowns) > 0 && f.Mode != models.ModeEvents {
		r.Attribution = fmt.Sprintf("users are attributed to the %s of their first %s of the day (first touch)", strings.Join(f.Breakdowns, ", "), f.Stages[0].Name)
		if f.Mode == models.ModeUsers {
			// As the node's SQL says it: a user of no first-stage row
			// counts under a later stage's values.
			r.Attribution += fmt.Sprintf(", or of their first stage row when they have no %s", f.Stages[0].Name)
		}
	}
	return r
}

// addRows adds the report table's rows to r: the report columns, the day
// (and the hour). The long layout has a table row per stage: its rows are
// gathered into one Row per day (and hour) and breakdown values. It returns
// the days of table rows of the long layout whose stage is not funnel.toml's
// stage of their index, with why (see otherDefinition).
func (r *Report) addRows(f *models.Funnel, values [][]*string) (map[string]string, error) {
	other := map[string]string{}
	cols := f.ReportColumns()
	n := len(f.Stages)
	width := len(cols) + 1 // the report columns, the day
	if f.Hourly() {
		width++ // and the hour
	}
	byKey := map[string]int{}
	if f.Long() && len(f.Breakdowns) > 0 {
		values = largestFirst(f, values)
	}
	seen := map[string]int{} // the long layout's table rows of a day, hour, breakdown values and stage
	for _, vals := range values {
		if len(vals) != width {
			return nil, fmt.Errorf("read %s: got %d columns, want %d; run 'fgen plan' to see whether the table is out of date", f.Report.Table, len(vals), width)
		}
		row := newRow(f, n)
		if vals[len(cols)] != nil {
			row.Dt = *vals[len(cols)]
		}
		if f.Hourly() && vals[len(cols)+1] != nil {
			row.Hour = *vals[len(cols)+1]
		}
		stage := -1 // the table row's stage in the long layout
		var name *string
		for i, c := range cols {
			v := vals[i]
			switch c.Kind {
			case models.KindDimension:
				if v != nil {
					row.Dims[c.Dimension] = *v
				}
			case models.KindStage:
				name = v
			case models.KindStageIndex:
				k, err := parseCount(v)
				if err != nil || k < 1 {
					return nil, fmt.Errorf("read %s: %s is %s on %s, not a stage from 1 to %d", f.Report.Table, c.Name, show(v), row.Dt, n)
				}
				stage = int(k) - 1
			}
		}
		if f.Long() {
			// A stage list funnel.toml no longer has: the day was
			// written by an earlier definition of the funnel.
			switch {
			case stage >= n:
				other[row.Dt] = cmp.Or(other[row.Dt], fmt.Sprintf("it has a stage %d, %s, and funnel.toml has %d stages", stage+1, show(name), n))
				continue
			case name == nil || *name != f.Stages[stage].Name:
				other[row.Dt] = cmp.Or(other[row.Dt], fmt.Sprintf("its stage %d is %s, funnel.toml's %q", stage+1, show(name), f.Stages[stage].Name))
				continue
			}
			// A breakdown value that is the total marker has table rows
			// of the total's day, hour, values and stages: the n-th of
			// each stage, by count, largest first, goes into the n-th row
			// (the total's counts are the larger: markerValues).
			key := row.Dt + "\x00" + row.Hour + "\x00" + dimsKey(f, &row)
			if len(f.Breakdowns) > 0 {
				of := key + "\x00" + strconv.Itoa(stage)
				occurrence := seen[of]
				seen[of]++
				if occurrence > 0 && len(f.Breakdowns) > 1 {
					// Values that are the marker, of two breakdowns or more:
					// which table rows of a stage are whose, the table does
					// not say, and each stage's would be paired at random.
					// Left out; the total (the largest, first) is kept.
					r.MarkerValuesLeftOut++
					continue
				}
				key += "\x00" + strconv.Itoa(occurrence)
			}
			i, ok := byKey[key]
			if !ok {
				i = len(r.Rows)
				byKey[key] = i
				r.Rows = append(r.Rows, row)
			}
			r.Rows[i].stages++
			row = r.Rows[i] // its maps and slices, which set fills
		} else {
			r.Rows = append(r.Rows, row)
		}
		for i, c := range cols {
			if c.Kind == models.KindDimension || c.Kind == models.KindStage || c.Kind == models.KindStageIndex {
				row.Cells[c.Name] = vals[i]
				continue
			}
			k := c.Stage
			if k < 0 {
				k = stage
			}
			row.Cells[CellKey(f, c, k)] = vals[i]
			if err := row.set(f, c, k, vals[i]); err != nil {
				return nil, fmt.Errorf("read %s: %s on %s: %w", f.Report.Table, c.Name, row.Dt, err)
			}
		}
	}
	return other, nil
}

// largestFirst returns the long layout's table rows values, those of
// larger counts first (stably): see addRows. Each row's count is read
// once; one that does not read sorts last (addRows then says why).
func largestFirst(f *models.Funnel, values [][]*string) [][]*string {
	at := slices.IndexFunc(f.ReportColumns(), func(c models.ReportColumn) bool { return c.Kind == models.KindCount })
	if at < 0 {
		return values
	}
	type counted struct {
		vals []*string
		n    int64
	}
	rows := make([]counted, len(values))
	for i, vals := range values {
		rows[i] = counted{vals, -1}
		if at < len(vals) {
			if n, err := parseCount(vals[at]); err == nil {
				rows[i].n = n
			}
		}
	}
	slices.SortStableFunc(rows, func(a, b counted) int { return cmp.Compare(b.n, a.n) })
	out := make([][]*string, len(rows))
	for i, r := range rows {
		out[i] = r.vals
	}
	return out
}

// markerValues marks the rows of breakdown values that are the total
// marker: of the rows of a day (and hour) whose breakdown values are all
// the marker, the day's total is the one whose counts are the largest (a
// breakdown's values partition the total's users or rows, so the total's
// count is at least each value's at every stage; a users funnel's value
// may tie the total at stage 1 and not after), and the others, one per
// breakdown at most, are values (Row.markerValue).
func (r *Report) markerValues() {
	if len(r.Breakdowns) == 0 {
		return
	}
	type key struct{ dt, hour string }
	total := map[key]int{}
	for i := range r.Rows {
		row := &r.Rows[i]
		if !r.allMarkers(row) {
			continue
		}
		k := key{row.Dt, row.Hour}
		j, ok := total[k]
		switch {
		case !ok:
			total[k] = i
		case larger(row.Counts, r.Rows[j].Counts):
			r.Rows[j].markerValue = true
			total[k] = i
		default:
			row.markerValue = true
		}
	}
}

// larger reports whether counts a exceed b at the first stage where they
// differ: of a total and a value's row, the total.
func larger(a, b []int64) bool {
	for k := range min(len(a), len(b)) {
		if a[k] != b[k] {
			return a[k] > b[k]
		}
	}
	return false
}

// otherDefinition adds to other (day -> why) the days whose rows do not
// have the shape funnel.toml's funnel writes, and returns it: rows written
// by an earlier definition of the funnel that 'fgen apply' has not written
// again, which read as this one's would be mislabelled or counted twice
// (a breakdown's rows taken for totals, another stage's count under a
// stage's name). The funnel writes, for each day (and hour):
//   - without breakdowns, one row (in the long layout, one per stage: the
//     rows of a breakdown since removed gather into one row of more);
//   - with breakdowns, a total row among them, whose breakdown values are
//     all the total marker (and no more than one more per breakdown, of a
//     value that is the marker: the value rows of a breakdown since
//     removed read as totals);
//   - in the long layout, for each row of breakdown values, every stage:
//     a stage added since has none.
func (r *Report) otherDefinition(f *models.Funnel, other map[string]string) map[string]string {
	type key struct{ dt, hour string }
	rows := map[key]int{}
	totals := map[key]int{} // total rows; in the long layout, their table rows
	// A value that is the total marker makes a second total row, one for
	// each breakdown at most (plan and report warn of it): more are the
	// value rows of a breakdown since removed, which read as totals now.
	most := 1 + len(f.Breakdowns)
	for i := range r.Rows {
		row := &r.Rows[i]
		k := key{row.Dt, row.Hour}
		rows[k]++
		if r.allMarkers(row) {
			totals[k] += max(row.stages, 1)
		}
		switch n := len(f.Stages); {
		case !f.Long():
		case row.stages < n:
			other[row.Dt] = cmp.Or(other[row.Dt], fmt.Sprintf("it has %d of funnel.toml's %d stages", row.stages, n))
		case row.stages > n && len(f.Breakdowns) == 0:
			other[row.Dt] = cmp.Or(other[row.Dt], fmt.Sprintf("it has %d rows, and funnel.toml's funnel, of no breakdown, writes one per stage", row.stages))
		}
	}
	for k, n := range rows {
		t := totals[k]
		if f.Long() {
			t /= len(f.Stages)
		}
		switch {
		case len(f.Breakdowns) == 0 && n > 1:
			other[k.dt] = cmp.Or(other[k.dt], fmt.Sprintf("it has %d rows, and funnel.toml's funnel, of no breakdown, writes one", n))
		case len(f.Breakdowns) > 0 && t == 0:
			other[k.dt] = cmp.Or(other[k.dt], fmt.Sprintf("none of its rows is a total row, whose %s is %q", strings.Join(f.Breakdowns, ", "), r.TotalMarker))
		case len(f.Breakdowns) > 0 && t > most:
			other[k.dt] = cmp.Or(other[k.dt], fmt.Sprintf("it has %d total rows (whose %s is %q), and funnel.toml's funnel writes one (and a value that is the marker one more per breakdown)", t, strings.Join(f.Breakdowns, ", "), r.TotalMarker))
		}
	}
	return other
}

// leaveOut removes the rows of the days of other (day -> why) from r, and
// notes the days and why in DaysOfOtherDefinition and OtherDefinition.
func (r *Report) leaveOut(other map[string]string) {
	if len(other) == 0 {
		return
	}
	r.Rows = slices.DeleteFunc(r.Rows, func(row Row) bool { _, ok := other[row.Dt]; return ok })
	r.DaysOfOtherDefinition = slices.Sorted(maps.Keys(other))
	r.OtherDefinition = make([]string, len(r.DaysOfOtherDefinition))
	for i, dt := range r.DaysOfOtherDefinition {
		r.OtherDefinition[i] = other[dt]
	}
}

// sortRows puts the rows in order: days (and hours) in order; within one
// the total first, then each breakdown's rows in the order of breakdowns,
// its values in order and the breakdown limit's other row last; ties keep
// the table's order.
func (r *Report) sortRows(f *models.Funnel) {
	type sortable struct {
		row   Row
		other bool
		// which breakdowns the row is of (those whose value is not the total
		// marker): how many, then the first's place; the total (of none)
		// first, then single breakdowns, then combinations, as the
		// report's summary has them
		dims, first int
		key         string // the breakdown values, NUL-separated
	}
	byDay := make([]sortable, len(r.Rows))
	for i := range r.Rows {
		row := &r.Rows[i]
		s := sortable{row: *row, other: r.isOther(row), first: -1, key: dimsKey(f, row)}
		for j, d := range f.Breakdowns {
			if row.Dims[d] != r.TotalMarker {
				s.dims++
				if s.first < 0 {
					s.first = j
				}
			}
		}
		byDay[i] = s
	}
	first := func(a, b bool) int { // a true first
		if a == b {
			return 0
		}
		if a {
			return -1
		}
		return 1
	}
	slices.SortStableFunc(byDay, func(a, b sortable) int {
		if c := strings.Compare(a.row.Dt, b.row.Dt); c != 0 {
			return c
		}
		if c := strings.Compare(a.row.Hour, b.row.Hour); c != 0 {
			return c
		}
		if c := cmp.Or(a.dims-b.dims, a.first-b.first); c != 0 {
			return c
		}
		// The total before a value that is the marker, whose values are its.
		if c := first(b.row.markerValue, a.row.markerValue); c != 0 {
			return c
		}
		if c := first(b.other, a.other); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	for i := range byDay {
		r.Rows[i] = byDay[i].row
	}
}

// PercentileLabel names a percentile given in basis points for people: 5000 is "p50",
// 9990 "p99.9", 9995 "p99.95".
func PercentileLabel(basis int) string {
	s := "p" + strconv.Itoa(basis/100)
	if f := basis % 100; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%02d", f), "0")
	}
	return s
}

// bucketLabel turns a bucket's name in column names (models.Funnel.BucketLabels: "0s_10s",
// "1h_up") into one for people: "0s–10s", "1h+".
func bucketLabel(l string) string {
	lo, hi, _ := strings.Cut(l, "_")
	if hi == "up" {
		return lo + "+"
	}
	return lo + "–" + hi
}

// dimsKey is a row's breakdown values, NUL-separated.
func dimsKey(f *models.Funnel, row *Row) string {
	parts := make([]string, len(f.Breakdowns))
	for j, d := range f.Breakdowns {
		parts[j] = row.Dims[d]
	}
	return strings.Join(parts, "\x00")
}

// CellKey is the key of Row.Cells that holds report column c of stage k
// (0-based): the column's name, or in the long layout, where a column has
// a value per stage, the name and the stage, as "name@k+1".
func CellKey(f *models.Funnel, c models.ReportColumn, k int) string {
	if c.Stage >= 0 || c.Kind == models.KindDimension || c.Kind == models.KindStage || c.Kind == models.KindStageIndex {
		return c.Name
	}
	return fmt.Sprintf("%s@%d", c.Name, k+1)
}

// newRow returns an empty row of a funnel of n stages, with room for the
// times to convert its report columns hold.
func newRow(f *models.Funnel, n int) Row {
	row := Row{Dims: map[string]string{}, Counts: make([]int64, n), Cells: map[string]*string{}}
	if f.Mode != models.ModeOrdered {
		return row
	}
	row.MedianSeconds, row.AvgSeconds = make([]*float64, n), make([]*float64, n)
	row.StepMedianSeconds, row.StepAvgSeconds = make([]*float64, n), make([]*float64, n)
	if p := len(f.Percentiles()); p > 0 {
		row.Percentiles, row.StepPercentiles = make([][]*float64, n), make([][]*float64, n)
		for k := 1; k < n; k++ {
			row.Percentiles[k], row.StepPercentiles[k] = make([]*float64, p), make([]*float64, p)
		}
	}
	if b := len(f.BucketLabels()); b > 0 {
		row.Histogram, row.StepHistogram = make([][]int64, n), make([][]int64, n)
		for k := 1; k < n; k++ {
			row.Histogram[k], row.StepHistogram[k] = make([]int64, b), make([]int64, b)
		}
	}
	return row
}

// set stores the value v of report column c of stage k in the row.
func (row *Row) set(f *models.Funnel, c models.ReportColumn, k int, v *string) error {
	if k < 0 || k >= len(row.Counts) {
		return fmt.Errorf("no stage %d", k+1)
	}
	switch c.Kind {
	case models.KindCount:
		x, err := parseCount(v)
		if err != nil {
			return err
		}
		row.Counts[k] = x
	case models.KindMedianSeconds, models.KindAvgSeconds, models.KindPercentile:
		if v == nil {
			return nil
		}
		x, err := strconv.ParseFloat(*v, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", *v)
		}
		switch {
		case c.Kind == models.KindMedianSeconds && !c.Step:
			row.MedianSeconds[k] = &x
		case c.Kind == models.KindMedianSeconds:
			row.StepMedianSeconds[k] = &x
		case c.Kind == models.KindAvgSeconds && !c.Step:
			row.AvgSeconds[k] = &x
		case c.Kind == models.KindAvgSeconds:
			row.StepAvgSeconds[k] = &x
		default:
			i := slices.Index(f.Percentiles(), c.Percentile)
			if k == 0 || i < 0 {
				return fmt.Errorf("a percentile of stage 1")
			}
			if c.Step {
				row.StepPercentiles[k][i] = &x
			} else {
				row.Percentiles[k][i] = &x
			}
		}
	case models.KindBucket:
		if v == nil {
			return nil // the first stage's
		}
		x, err := parseCount(v)
		if err != nil {
			return err
		}
		if k == 0 {
			return fmt.Errorf("a histogram bucket of stage 1")
		}
		if c.Step {
			row.StepHistogram[k][c.Bucket] = x
		} else {
			row.Histogram[k][c.Bucket] = x
		}
	}
	return nil
}

// parseCount reads a count, stored as BIGINT or STRING.
func parseCount(v *string) (int64, error) {
	if v == nil {
		return 0, fmt.Errorf("NULL, not a count")
	}
	x, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a count", *v)
	}
	return x, nil
}

func show(v *string) string {
	if v == nil {
		return "NULL"
	}
	return strconv.Quote(*v)
}
