package report

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// sum is several rows of one funnel added up: the days of a range, or the days and values
// of a breakdown. Counts are summed; the rates are those of the sums. What a summed count
// means depends on the mode (see rangeText): events in events mode, user-days otherwise.
type sum struct {
	Rows                    int // rows added up
	Counts                  []int64
	StepRates, OverallRates []*float64
	// Ordered mode. AvgSeconds[k] is the mean over the rows' users who reached stage k: the
	// rows' averages weighted by their count of stage k (nil when a row that has such users
	// has no average). A median cannot be added up: MedianLo and MedianHi are the smallest
	// and largest of the rows' medians, equal when one row has one.
	AvgSeconds, MedianLo, MedianHi []*float64
	// The same of the step times (from the previous stage), with Report.StepTimes.
	StepAvgSeconds, StepMedianLo, StepMedianHi []*float64
	// With Report.Percentiles: PctLo[s][k][i] and PctHi[s][k][i] are the smallest and the
	// largest of the rows' percentile i of stage k, from the entry (s = 0) or the previous
	// stage (s = 1); the percentile of the rows' users together lies between them.
	PctLo, PctHi [2][][]*float64
	// With Report.Buckets: Hist[s][k][b] is the rows' counts of bucket b added up, nil
	// for a stage when some row lacks its histogram.
	Hist [2][][]int64
}

// times are the average and the smallest and largest medians of s's times from the
// entry, or with step from the previous stage.
func (s *sum) times(step bool) (avg, lo, hi []*float64) {
	if step {
		return s.StepAvgSeconds, s.StepMedianLo, s.StepMedianHi
	}
	return s.AvgSeconds, s.MedianLo, s.MedianHi
}

// sumRows adds up rows; n is the number of stages.
func (r *Report) sumRows(rows []*Row) *sum {
	n := len(r.Stages)
	s := &sum{Rows: len(rows), Counts: make([]int64, n)}
	for _, row := range rows {
		for k, c := range row.Counts {
			s.Counts[k] += c
		}
	}
	s.StepRates, s.OverallRates = Rates(s.Counts)
	if !r.ordered() {
		return s
	}
	s.AvgSeconds, s.MedianLo, s.MedianHi = r.sumTimes(rows, func(row *Row) []*float64 { return row.MedianSeconds }, func(row *Row) []*float64 { return row.AvgSeconds })
	if r.StepTimes {
		s.StepAvgSeconds, s.StepMedianLo, s.StepMedianHi = r.sumTimes(rows, func(row *Row) []*float64 { return row.StepMedianSeconds }, func(row *Row) []*float64 { return row.StepAvgSeconds })
	}
	for st, step := range []bool{false, true} {
		if len(r.Percentiles) > 0 {
			s.PctLo[st], s.PctHi[st] = make([][]*float64, n), make([][]*float64, n)
			for k := 1; k < n; k++ {
				s.PctLo[st][k], s.PctHi[st][k] = make([]*float64, len(r.Percentiles)), make([]*float64, len(r.Percentiles))
				for i := range r.Percentiles {
					for _, row := range rows {
						lohi(&s.PctLo[st][k][i], &s.PctHi[st][k][i], pct(row, step, k, i))
					}
				}
			}
		}
		if len(r.Buckets) > 0 {
			s.Hist[st] = make([][]int64, n)
		stages:
			for k := 1; k < n; k++ {
				h := make([]int64, len(r.Buckets))
				for _, row := range rows {
					for b := range h {
						c := bucket(row, step, k, b)
						if c == nil {
							continue stages
						}
						h[b] += *c
					}
				}
				s.Hist[st][k] = h
			}
		}
	}
	return s
}

// sumTimes adds up one series of times of rows (median and average per stage, see sum):
// the average weighted by the stage's users, and the range of the medians.
func (r *Report) sumTimes(rows []*Row, medians, avgs func(*Row) []*float64) (avg, lo, hi []*float64) {
	n := len(r.Stages)
	avg, lo, hi = make([]*float64, n), make([]*float64, n), make([]*float64, n)
	for k := 1; k < n; k++ {
		var weighted float64
		var users int64
		known := true
		for _, row := range rows {
			c := row.Counts[k]
			lohi(&lo[k], &hi[k], at(medians(row), k))
			if c <= 0 {
				continue
			}
			a := at(avgs(row), k)
			if a == nil {
				known = false
				continue
			}
			weighted += *a * float64(c)
			users += c
		}
		if known && users > 0 {
			avg[k] = ptr(weighted / float64(users))
		}
	}
	return avg, lo, hi
}

// lohi widens the range lo..hi to take in v, when v is defined.
func lohi(lo, hi **float64, v *float64) {
	if v == nil {
		return
	}
	if *lo == nil || *v < **lo {
		*lo = ptr(*v)
	}
	if *hi == nil || *v > **hi {
		*hi = ptr(*v)
	}
}

// at is v[k], or nil when v is (a row without timings).
func at(v []*float64, k int) *float64 {
	if v == nil {
		return nil
	}
	return v[k]
}

// rangeSum is the funnel over the report's whole range: the sum of the day totals. Days
// without a total row are left out (missing lists them).
func (r *Report) rangeSum(days []day) (s *sum, missing []string) {
	var rows []*Row
	for _, d := range days {
		if d.Total == nil {
			missing = append(missing, d.Dt)
			continue
		}
		rows = append(rows, d.Total)
	}
	if len(rows) == 0 {
		return nil, missing
	}
	return r.sumRows(rows), missing
}

// countsText says what a count means: for a sum over several days, that daily counts were
// added, which in users and ordered mode counts a user once per day (user-days).
func (r *Report) countsText(days int) string {
	unit := map[string]string{"events": "events", "users": "distinct users", "ordered": "users who reached the stage in order"}[r.Mode]
	if days <= 1 {
		return "Counts are " + unit + " of the day."
	}
	if r.Mode == "events" {
		return "Counts are the events of all " + strconv.Itoa(days) + " days; rates are those of the sums."
	}
	return "Counts are the daily counts added up over " + strconv.Itoa(days) +
		" days: user-days, so a user counted on several days counts once per day. Rates are those of the sums, the daily rates pooled."
}

// breakdownTop is how many values of a breakdown the charts and tables show by name; the
// rest are merged into one "other" row.
const breakdownTop = 8

// group is one breakdown of a report (the rows whose breakdown values other than the total
// marker are those of Dims), its values summed over the days.
type group struct {
	Dims   []string // e.g. ["device_brand"]; two or more when rows combine breakdowns
	Values []groupValue
	Total  *sum // the day totals summed, nil when no day has one
}

type groupValue struct {
	Label  string // "apple", or "huawei · android" for combined breakdowns
	Merged int    // the number of values merged into this row ("other"), 0 for one value
	Limit  bool   // the rows of the values beyond the breakdown limit (Report.OtherMarker)
	Sum    *sum
}

// groups sums every breakdown value over days, and orders each breakdown's values by the
// first stage's count, largest first (ties by label), keeping the first breakdownTop and
// merging the rest into one "other" row; a single leftover value keeps its own row. The rows
// of the values beyond a breakdown limit (OtherMarker) are summed apart and come last.
func (r *Report) groups(days []day) []group {
	if len(r.Breakdowns) == 0 {
		return nil
	}
	total, _ := r.rangeSum(days)
	type acc struct {
		dims   []string
		labels []string
		rows   map[string][]*Row
	}
	var accs []*acc
	byDims := map[string]*acc{}
	for _, d := range days {
		for _, row := range d.Rows {
			if r.isTotal(row) {
				continue
			}
			var ds, vs []string
			for _, b := range r.Breakdowns {
				if v := row.Dims[b]; v != r.TotalMarker {
					ds, vs = append(ds, b), append(vs, v)
				}
			}
			switch {
			case row.markerValue && len(r.Breakdowns) == 1:
				// The breakdown's value that is the total marker.
				ds, vs = r.Breakdowns, []string{r.TotalMarker}
			case len(ds) == 0:
				continue // a value that is the marker, of which breakdown the rows do not say
			}
			key := strings.Join(ds, "\x00")
			a := byDims[key]
			if a == nil {
				a = &acc{dims: ds, rows: map[string][]*Row{}}
				byDims[key] = a
				accs = append(accs, a)
			}
			label := strings.Join(vs, " · ")
			if _, ok := a.rows[label]; !ok {
				a.labels = append(a.labels, label)
			}
			a.rows[label] = append(a.rows[label], row)
		}
	}
	// Single breakdowns in the order of funnel.toml, then combinations.
	order := func(ds []string) (int, int) {
		return len(ds), slices.Index(r.Breakdowns, ds[0])
	}
	slices.SortStableFunc(accs, func(a, b *acc) int {
		la, ia := order(a.dims)
		lb, ib := order(b.dims)
		return cmp.Or(cmp.Compare(la, lb), cmp.Compare(ia, ib))
	})
	var out []group
	for _, a := range accs {
		g := group{Dims: a.dims, Total: total}
		var limit *groupValue
		for _, l := range a.labels {
			v := groupValue{Label: l, Sum: r.sumRows(a.rows[l])}
			if len(a.dims) == 1 && r.isOther(a.rows[l][0]) {
				v.Limit = true
				limit = &v
				continue
			}
			g.Values = append(g.Values, v)
		}
		slices.SortFunc(g.Values, func(x, y groupValue) int {
			return cmp.Or(cmp.Compare(y.Sum.Counts[0], x.Sum.Counts[0]), strings.Compare(x.Label, y.Label))
		})
		if len(g.Values) > breakdownTop+1 {
			var rows []*Row
			for _, v := range g.Values[breakdownTop:] {
				rows = append(rows, a.rows[v.Label]...)
			}
			other := groupValue{Label: "other", Merged: len(g.Values) - breakdownTop, Sum: r.sumRows(rows)}
			g.Values = append(g.Values[:breakdownTop:breakdownTop], other)
		}
		if limit != nil {
			g.Values = append(g.Values, *limit)
		}
		out = append(out, g)
	}
	return out
}
