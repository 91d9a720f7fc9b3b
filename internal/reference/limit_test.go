package reference

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// rowsOf returns n copies of row.
func rowsOf(n int, row Row) []Row {
	out := make([]Row, n)
	for i := range out {
		out[i] = row
	}
	return out
}

func TestBreakdownLimitEvents(t *testing.T) {
	var rows []Row
	add := func(rs ...[]Row) {
		for _, r := range rs {
			rows = append(rows, r...)
		}
	}
	add(
		// Day 1, os by stage-1 count: unknown 4 (NULL and empty), then a tie at 3 broken
		// byte-wise: "B" < "a" < "c"; d has many clicks but one browse.
		rowsOf(2, dv(d1, "u", 1, "browse", "<nil>", "x")), rowsOf(2, dv(d1, "u", 1, "browse", "", "x")),
		rowsOf(3, dv(d1, "u", 1, "browse", "a", "x")), rowsOf(1, dv(d1, "u", 1, "click", "a", "x")),
		rowsOf(3, dv(d1, "u", 1, "browse", "B", "x")),
		rowsOf(3, dv(d1, "u", 1, "browse", "c", "x")), rowsOf(2, dv(d1, "u", 1, "purchase", "c", "x")),
		rowsOf(1, dv(d1, "u", 1, "browse", "d", "y")), rowsOf(5, dv(d1, "u", 1, "click", "d", "y")),
		// Day 2 is ranked on its own: d 2, then a tie at 1 between a and c.
		rowsOf(2, dv(d2, "u", 1, "browse", "d", "x")),
		rowsOf(1, dv(d2, "u", 1, "browse", "c", "x")), rowsOf(1, dv(d2, "u", 1, "browse", "a", "x")),
	)
	f := Funnel{Mode: ModeEvents, Stages: stages3, Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown",
		BreakdownLimit: 2}
	want := []Result{
		res(d1, "all", "all", 14, 6, 2), // the total row is unchanged
		res(d1, "B", "all", 3, 0, 0),
		res(d1, "other", "all", 7, 6, 2), // a, c and d
		res(d1, "unknown", "all", 4, 0, 0),
		res(d1, "all", "x", 13, 1, 2), // brand has two values: no limit to apply
		res(d1, "all", "y", 1, 5, 0),
		res(d2, "all", "all", 4, 0, 0),
		res(d2, "a", "all", 1, 0, 0),
		res(d2, "d", "all", 2, 0, 0),
		res(d2, "other", "all", 1, 0, 0), // c
		res(d2, "all", "x", 4, 0, 0),
	}
	assertResults(t, Compute(f, rows, []string{d1, d2}), want)

	// A limit no day reaches changes nothing.
	f.BreakdownLimit = 5
	unlimited := f
	unlimited.BreakdownLimit = 0
	assertResults(t, Compute(f, rows, []string{d1, d2}), Compute(unlimited, rows, []string{d1, d2}))
}

// TestBreakdownLimitOrdered: the other row's times are those of the union of its users.
func TestBreakdownLimitOrdered(t *testing.T) {
	var rows []Row
	user := func(u, os string, click int64) {
		rows = append(rows, dv(d1, u, 100, "browse", os, "x"))
		if click >= 0 {
			rows = append(rows, dv(d1, u, 100+click, "click", os, "x"))
		}
	}
	user("a1", "a", 1)
	user("a2", "a", 1)
	user("a3", "a", 1)
	user("a4", "a", 1)
	user("b1", "b", 10)
	user("b2", "b", 20)
	user("b3", "b", 30)
	rows = append(rows, dv(d1, "b3", 200, "browse", "a", "x")) // first touch is b
	user("c1", "c", 1000)
	user("c2", "c", -1) // level 1
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 3600, Breakdowns: []string{"os"},
		TotalMarker: "all", NullMarker: "unknown", BreakdownLimit: 1, OtherMarker: "rest",
		Percentiles: []int{5000, 10000}, HistogramEdges: []int64{0, 60}}
	got := Compute(f, rows, []string{d1})
	if len(got) != 3 || got[1].Dims["os"] != "a" || got[2].Dims["os"] != "rest" {
		t.Fatalf("rows: %s", dump(got))
	}
	other := got[2]
	if want := []int64{5, 4, 0}; !reflect.DeepEqual(other.Counts, want) {
		t.Errorf("other counts = %v, want %v", other.Counts, want)
	}
	assertFloats(t, "other step rates", other.StepRates, []*float64{nil, fp(0.8), fp(0)})
	// Over the union of b and c: 10 20 30 1000, median 25 (b's median 20 and c's 1000 would
	// give 510), mean 265, nearest-rank 50 % 20 and 100 % 1000. Step times are the same: every
	// user converts from their first browse.
	for _, s := range []struct {
		name        string
		median, avg []*float64
		pct         [][]*float64
		hist        [][]int64
	}{
		{"from entry", other.MedianSeconds, other.AvgSeconds, other.PercentileSeconds, other.Histogram},
		{"step", other.StepMedianSeconds, other.StepAvgSeconds, other.StepPercentileSeconds, other.StepHistogram},
	} {
		assertFloats(t, s.name+" median", s.median, []*float64{nil, fp(25), nil})
		assertFloats(t, s.name+" avg", s.avg, []*float64{nil, fp(265), nil})
		assertPercentiles(t, s.name, s.pct, [][]*float64{nil, {fp(20), fp(1000)}, {nil, nil}})
		if want := [][]int64{nil, {3, 1}, {0, 0}}; !reflect.DeepEqual(s.hist, want) {
			t.Errorf("%s histogram = %v, want %v", s.name, s.hist, want)
		}
	}
	// The total row is unchanged: 1 1 1 1 10 20 30 1000.
	assertFloats(t, "total median", got[0].MedianSeconds, []*float64{nil, fp(5.5), nil})
	if want := []int64{9, 8, 0}; !reflect.DeepEqual(got[0].Counts, want) {
		t.Errorf("total counts = %v, want %v", got[0].Counts, want)
	}
}

func TestBreakdownLimitUsers(t *testing.T) {
	rows := []Row{
		// p: two users with a browse.
		dv(d1, "p1", 1, "browse", "p", "x"), dv(d1, "p2", 1, "browse", "p", "x"), dv(d1, "p2", 2, "click", "q", "x"),
		// q: one user with a browse and a purchase.
		dv(d1, "q1", 1, "browse", "q", "x"), dv(d1, "q1", 2, "purchase", "q", "x"),
		// r: a user without a browse, attributed to their first stage row: stage-1 count 0.
		dv(d1, "r1", 1, "click", "r", "x"), dv(d1, "r1", 2, "purchase", "p", "x"),
	}
	f := Funnel{Mode: ModeUsers, Stages: stages3, Breakdowns: []string{"os"}, TotalMarker: "all", NullMarker: "unknown",
		BreakdownLimit: 1}
	want := []Result{
		res(d1, "all", "", 3, 2, 2),
		res(d1, "other", "", 1, 1, 2), // q1 and r1
		res(d1, "p", "", 2, 1, 0),
	}
	for i := range want {
		want[i].Dims = map[string]string{"os": want[i].Dims["os"]}
	}
	assertResults(t, Compute(f, rows, []string{d1}), want)
}

// TestBreakdownLimitValueLikeTheMarker: a value spelled like the other marker shares the
// merged row, whether it is kept or merged.
func TestBreakdownLimitValueLikeTheMarker(t *testing.T) {
	f := Funnel{Mode: ModeEvents, Stages: stages3, Breakdowns: []string{"os"}, TotalMarker: "all", NullMarker: "unknown",
		BreakdownLimit: 1}
	one := func(rows []Row) []Result {
		out := Compute(f, rows, []string{d1})
		for i := range out {
			out[i].StepRates, out[i].OverallRates = nil, nil
		}
		return out
	}
	row := func(n int, os string) []Row { return rowsOf(n, dv(d1, "u", 1, "browse", os, "x")) }
	r := func(os string, c int64) Result {
		return Result{Dt: d1, Dims: map[string]string{"os": os}, Counts: []int64{c, 0, 0}}
	}
	for _, tt := range []struct {
		name string
		rows []Row
		want []Result
	}{
		{"kept", append(append(row(5, "other"), row(1, "a")...), row(1, "b")...), []Result{r("all", 7), r("other", 7)}},
		{"merged", append(append(row(5, "x"), row(1, "other")...), row(1, "a")...), []Result{r("all", 7), r("other", 2), r("x", 5)}},
		{"alone", row(5, "other"), []Result{r("all", 5), r("other", 5)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := one(tt.rows); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("results:\n%s", dump(got))
			}
		})
	}
}

// TestValidateBreakdownLimit: valid limits; TestValidate has the invalid ones.
func TestValidateBreakdownLimit(t *testing.T) {
	ok := Funnel{Mode: ModeUsers, Stages: stages3, Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown", BreakdownLimit: 3}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if ok.Other() != "other" {
		t.Errorf("Other() = %q, want the default", ok.Other())
	}
	// Without a limit the marker is never used.
	f := ok
	f.BreakdownLimit, f.OtherMarker = 0, "all"
	if err := f.Validate(); err != nil {
		t.Errorf("no limit: Validate = %v", err)
	}
}

// TestBreakdownLimitOnRandomData checks Compute with a limit against Compute without one: the
// total rows are the same, the kept values are the top ones with their rows unchanged, and the
// other row is what Compute without breakdowns gives for the rows (events mode) or the users
// (users and ordered modes) attributed to the merged values, found here independently.
func TestBreakdownLimitOnRandomData(t *testing.T) {
	t.Parallel()
	others := map[string]int{}
	for seed := range uint64(20) {
		opts := randomOptions()
		if seed%2 == 1 {
			opts = msOptions() // many values, ties at the limit
		}
		ups := max(opts.UnitsPerSecond, 1)
		rows := Clean(RandomRows(rand.New(rand.NewPCG(seed, 3)), opts), CleanRules{KnownEvents: map[string]bool{"browse": true, "click": true, "purchase": true}, Dedup: true})
		for _, mode := range []string{ModeEvents, ModeUsers, ModeOrdered} {
			for _, limit := range []int{1, 2, 3, 10} {
				f := Funnel{Mode: mode, Stages: stages3, Window: opts.Window, Boundary: CrossMidnight,
					Breakdowns: opts.Dims, TotalMarker: "all", NullMarker: "unknown", BreakdownLimit: limit,
					UnitsPerSecond: opts.UnitsPerSecond}
				if mode == ModeOrdered {
					f.Percentiles = []int{1, 2500, 5000, 9000, 10000}
					f.HistogramEdges = []int64{0, 1, 60 * ups, opts.Window}
				}
				others[mode] += checkLimit(t, f, rows, randomDays)
			}
		}
	}
	for _, mode := range []string{ModeEvents, ModeUsers, ModeOrdered} {
		if others[mode] < 20 {
			t.Errorf("%s: only %d other rows checked", mode, others[mode])
		}
	}
}

// checkLimit checks the results of f, which has a breakdown limit, and returns the number of
// other rows it checked.
func checkLimit(t *testing.T, f Funnel, rows []Row, days []string) int {
	t.Helper()
	checked := 0
	unlimited := f
	unlimited.BreakdownLimit = 0
	got, all := Compute(f, rows, days), Compute(unlimited, rows, days)
	checkInvariants(t, f, got)
	key := func(r Result) string { return r.Dt + fmt.Sprint(r.Dims) }
	byKey := map[string]Result{}
	for _, r := range got {
		byKey[key(r)] = r
	}
	for _, day := range days {
		var attr map[string][]string // user: normalized values of the row they are attributed to
		if f.Mode != ModeEvents {
			attr = attribution(f, rows, day)
		}
		for i, d := range f.Breakdowns {
			// The values of the unlimited results, best first.
			var vals []Result
			for _, r := range all {
				switch {
				case r.Dt != day:
				case r.Dims[d] != f.TotalMarker:
					vals = append(vals, r)
				case i == 0 && !slices.ContainsFunc(f.Breakdowns, func(e string) bool { return r.Dims[e] != f.TotalMarker }):
					if !reflect.DeepEqual(byKey[key(r)], r) {
						t.Fatalf("%s %s: the total row changed", f.Mode, day)
					}
				}
			}
			slices.SortFunc(vals, func(a, b Result) int {
				if a.Counts[0] != b.Counts[0] {
					return compareInt(b.Counts[0], a.Counts[0])
				}
				return strings.Compare(a.Dims[d], b.Dims[d])
			})
			n := min(f.BreakdownLimit, len(vals))
			for _, r := range vals[:n] {
				if g, ok := byKey[key(r)]; !ok || !reflect.DeepEqual(g, r) {
					t.Fatalf("%s %s %s: kept value %q: %s, want %s", f.Mode, day, d, r.Dims[d], dump([]Result{g}), dump([]Result{r}))
				}
			}
			rowsFor := 0
			for _, r := range got {
				if r.Dt == day && r.Dims[d] != f.TotalMarker {
					rowsFor++
				}
			}
			merged := map[string]bool{}
			for _, r := range vals[n:] {
				merged[r.Dims[d]] = true
			}
			if len(merged) == 0 {
				if rowsFor != n {
					t.Fatalf("%s %s %s: %d rows, want %d", f.Mode, day, d, rowsFor, n)
				}
				continue
			}
			if rowsFor != n+1 {
				t.Fatalf("%s %s %s: %d rows, want %d and the other row", f.Mode, day, d, rowsFor, n)
			}
			// The other row is the funnel of what the merged values hold.
			var sub []Row
			for _, r := range rows {
				if f.Mode == ModeEvents {
					if r.Dt == day && merged[f.normalize(r)[i]] {
						sub = append(sub, r)
					}
				} else if a, ok := attr[r.User]; ok && merged[a[i]] {
					sub = append(sub, r)
				}
			}
			plain := f
			plain.Breakdowns, plain.BreakdownLimit = nil, 0
			want := Compute(plain, sub, []string{day})[0]
			otherDims := map[string]string{}
			for _, e := range f.Breakdowns {
				otherDims[e] = f.TotalMarker
			}
			otherDims[d] = f.Other()
			want.Dims = otherDims
			if g := byKey[day+fmt.Sprint(otherDims)]; !reflect.DeepEqual(g, want) {
				t.Fatalf("%s %s %s: other row %s, want %s", f.Mode, day, d, dump([]Result{g}), dump([]Result{want}))
			}
			checked++
		}
	}
	return checked
}

// attribution returns, for each user counted on day in users or ordered mode, the normalized
// breakdown values of the row they are attributed to: their first stage-1 row of the day in
// (TS, values) order, else (users mode) their first stage row in (TS, stage, values) order.
func attribution(f Funnel, rows []Row, day string) map[string][]string {
	stage := map[string]int{}
	for i, s := range f.Stages {
		for _, e := range s {
			stage[e] = i + 1
		}
	}
	type best struct {
		later bool // not a stage-1 row
		ts    int64
		stage int
		dims  []string
	}
	before := func(a, b best) bool {
		if a.later != b.later {
			return !a.later
		}
		if a.ts != b.ts {
			return a.ts < b.ts
		}
		if a.stage != b.stage {
			return a.stage < b.stage
		}
		return slices.Compare(a.dims, b.dims) < 0
	}
	first := map[string]best{}
	for _, r := range rows {
		s := stage[r.Event]
		if r.Dt != day || s == 0 || (f.Mode == ModeOrdered && s != 1) {
			continue
		}
		c := best{s != 1, r.TS, s, f.normalize(r)}
		if b, ok := first[r.User]; !ok || before(c, b) {
			first[r.User] = c
		}
	}
	out := map[string][]string{}
	for u, b := range first {
		out[u] = b.dims
	}
	return out
}
