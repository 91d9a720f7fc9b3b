package reference

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

var randomDays = []string{"20240131", "20240201", "20240202", "20240203"}

func randomOptions() RandomOptions {
	return RandomOptions{Days: randomDays, Dims: []string{"os", "brand"}, Window: 600, BotEvents: 2000}
}

// msOptions are random options in milliseconds, with more breakdown values a day than a limit
// of 3 keeps.
func msOptions() RandomOptions {
	return RandomOptions{Days: randomDays, Dims: []string{"os", "brand"}, Window: 600_000, UnitsPerSecond: 1000,
		BotEvents: 2000, Users: 40, Sessions: 100, DimValues: 30}
}

func TestRandomRowsDeterministic(t *testing.T) {
	a := RandomRows(rand.New(rand.NewPCG(7, 7)), randomOptions())
	b := RandomRows(rand.New(rand.NewPCG(7, 7)), randomOptions())
	if !reflect.DeepEqual(a, b) {
		t.Error("two calls with the same seed differ")
	}
}

// TestRandomRowsNasty checks that, over some seeds, the generator makes every kind of nasty
// data it promises, and keeps its promises about Dt and TS.
func TestRandomRowsNasty(t *testing.T) {
	t.Parallel()
	t.Run("seconds", func(t *testing.T) {
		t.Parallel()
		checkNasty(t, randomOptions())
	})
	t.Run("milliseconds", func(t *testing.T) {
		t.Parallel()
		checkNasty(t, msOptions(), "same second, not a tie", "more values than the limit", "tie at the limit")
	})
}

// checkNasty checks RandomRows with opts over some seeds; more are facts that must be seen
// besides the ones every option makes.
func checkNasty(t *testing.T, opts RandomOptions, more ...string) {
	ups := max(opts.UnitsPerSecond, 1)
	seen := map[string]bool{}
	inDays := map[string]bool{}
	for _, d := range randomDays {
		inDays[d] = true
	}
	total, late := 0, 0
	for seed := range uint64(100) {
		rows := RandomRows(rand.New(rand.NewPCG(seed, 1)), opts)
		total += len(rows)
		days := map[string]bool{}
		keys := map[[2]string]ODSRow{}
		for _, row := range rows {
			if !inDays[row.Dt] {
				t.Fatalf("seed %d: Dt %s is not one of the days", seed, row.Dt)
			}
			days[row.Dt] = true
			tsDay := time.Unix(floorDiv(row.TS, ups), 0).In(shanghai).Format("20060102")
			switch {
			case tsDay > row.Dt:
				t.Fatalf("seed %d: row %+v is in a partition before its time", seed, row)
			case tsDay < row.Dt:
				late++
			}
			switch {
			case row.User == nil:
				seen["NULL user"] = true
			case *row.User == "":
				seen["empty user"] = true
			case len(*row.User) > 3 && (*row.User)[:3] == "bot":
				seen["bot"] = true
			}
			switch {
			case row.Event == nil:
				seen["NULL event"] = true
			case *row.Event == "":
				seen["empty event"] = true
			case *row.Event == "evt_unknown":
				seen["unknown event"] = true
			}
			for _, v := range row.Dims {
				if v == nil {
					seen["NULL dim"] = true
				} else if *v == "" {
					seen["empty dim"] = true
				}
			}
			if row.DedupKey == nil {
				seen["NULL dedup key"] = true
				continue
			}
			if prev, ok := keys[[2]string{row.Dt, *row.DedupKey}]; ok {
				if !reflect.DeepEqual(prev, row) {
					t.Fatalf("seed %d: rows with one dedup key in one partition differ:\n%+v\n%+v", seed, prev, row)
				}
				seen["copy"] = true
			}
			keys[[2]string{row.Dt, *row.DedupKey}] = row
		}
		for k := range keys {
			for _, d := range randomDays {
				if _, ok := keys[[2]string{d, k[1]}]; ok && d != k[0] {
					seen["key in two partitions"] = true
				}
			}
		}
		if len(days) < len(randomDays) {
			seen["empty day"] = true
		}
		chainFacts(rows, opts.Window, ups, seen)
		valueFacts(rows, opts.Dims, 3, seen)
	}
	if late == 0 || late*10 > total {
		t.Errorf("%d late rows of %d: want a few", late, total)
	}
	for _, want := range append([]string{
		"NULL user", "empty user", "bot", "NULL event", "empty event", "unknown event",
		"NULL dim", "empty dim", "NULL dedup key", "copy", "key in two partitions", "empty day",
		"tie across stages", "(ts, stage) duplicate", "gap W", "gap W+1", "midnight chain",
		"only later stages",
	}, more...) {
		if !seen[want] {
			t.Errorf("no %s in 100 seeds", want)
		}
	}
}

// valueFacts records whether some day has more values of a breakdown than limit, and whether
// the values at ranks limit and limit+1 by stage-1 count (rows of the first event) tie.
func valueFacts(ods []ODSRow, dims []string, limit int, seen map[string]bool) {
	f := Funnel{Mode: ModeEvents, Stages: stages3, Breakdowns: dims, TotalMarker: "all", NullMarker: "unknown"}
	rows := Clean(ods, CleanRules{KnownEvents: map[string]bool{"browse": true, "click": true, "purchase": true}, Dedup: true})
	byCol := map[string][]int64{} // day and dim: stage-1 counts of its values
	for _, r := range Compute(f, rows, randomDays) {
		for _, d := range dims {
			if r.Dims[d] != "all" {
				byCol[r.Dt+d] = append(byCol[r.Dt+d], r.Counts[0])
			}
		}
	}
	for _, counts := range byCol {
		if len(counts) > limit {
			seen["more values than the limit"] = true
			slices.Sort(counts)
			slices.Reverse(counts)
			if counts[limit-1] == counts[limit] && counts[limit] > 0 {
				seen["tie at the limit"] = true
			}
		}
	}
}

// chainFacts records what the cleaned rows of each user on each day offer the ordered funnel;
// times are in units, ups a second.
func chainFacts(ods []ODSRow, w, ups int64, seen map[string]bool) {
	f := Funnel{Mode: ModeOrdered, Stages: stages3}
	type key struct{ user, dt string }
	steps := stepsBy(f.Stages, Clean(ods, CleanRules{Dedup: true}), func(r Row) (key, bool, bool) { return key{r.User, r.Dt}, true, true })
	for k, ss := range steps {
		ss = sortSteps(ss)
		if ss[0].Stage > 1 && !slices.ContainsFunc(ss, func(s Step) bool { return s.Stage == 1 }) {
			seen["only later stages"] = true
		}
		for i := 1; i < len(ss); i++ {
			if ss[i].TS == ss[i-1].TS {
				if ss[i].Stage == ss[i-1].Stage {
					seen["(ts, stage) duplicate"] = true
				} else {
					seen["tie across stages"] = true
				}
			} else if ss[i].Stage != ss[i-1].Stage && floorDiv(ss[i].TS, ups) == floorDiv(ss[i-1].TS, ups) {
				seen["same second, not a tie"] = true
			}
		}
		for _, a := range ss {
			if a.Stage != 1 {
				continue
			}
			for _, b := range ss {
				switch {
				case b.Stage > 1 && b.TS-a.TS == w:
					seen["gap W"] = true
				case b.Stage > 1 && b.TS-a.TS == w+1:
					seen["gap W+1"] = true
				}
			}
			next, _ := NextDay(k.dt)
			for _, b := range steps[key{k.user, next}] {
				if b.Stage > 1 && b.TS-a.TS <= w {
					seen["midnight chain"] = true
				}
			}
		}
	}
}

// TestComputeOnRandomData checks invariants of Compute on random data in seconds and in
// milliseconds, and that the two ordered-funnel implementations (and, on short histories, the
// brute force) agree on every user of it.
func TestComputeOnRandomData(t *testing.T) {
	t.Parallel()
	for _, opts := range []RandomOptions{randomOptions(), msOptions()} {
		t.Run(fmt.Sprintf("%d units a second", max(opts.UnitsPerSecond, 1)), func(t *testing.T) {
			t.Parallel()
			checkRandomData(t, opts)
		})
	}
}

func checkRandomData(t *testing.T, opts RandomOptions) {
	known := map[string]bool{"browse": true, "click": true, "purchase": true, "login": true}
	ups := max(opts.UnitsPerSecond, 1)
	for seed := range uint64(60) {
		rows := Clean(RandomRows(rand.New(rand.NewPCG(seed, 2)), opts), CleanRules{KnownEvents: known, Dedup: true})
		for _, mode := range []string{ModeEvents, ModeUsers, ModeOrdered} {
			for _, boundary := range []string{WithinDay, CrossMidnight} {
				f := Funnel{Mode: mode, Stages: stages3, Window: opts.Window, Boundary: boundary,
					Breakdowns: opts.Dims, TotalMarker: "all", NullMarker: "unknown", UnitsPerSecond: opts.UnitsPerSecond}
				if mode == ModeOrdered {
					f.Percentiles = []int{1, 5000, 9000, 9990, 10000}
					f.HistogramEdges = []int64{0, 1, 2 * ups, 60 * ups, opts.Window}
				}
				checkInvariants(t, f, Compute(f, rows, randomDays))
			}
		}
		for _, day := range randomDays {
			next, _ := NextDay(day)
			users := stepsBy(stages3, rows, func(r Row) (string, bool, bool) { return r.User, r.Dt == day, r.Dt == day || r.Dt == next })
			for u, steps := range users {
				def, fold := OrderedLevel(steps, 3, opts.Window), FoldLevel(steps, 3, opts.Window)
				if !reflect.DeepEqual(def, fold) {
					t.Fatalf("seed %d, day %s, user %s: definition %+v, fold %+v", seed, day, u, def, fold)
				}
				if len(steps) <= 12 {
					if brute := bruteProgress(steps, opts.Window); !reflect.DeepEqual(def, brute) {
						t.Fatalf("seed %d, day %s, user %s: definition %+v, brute force %+v", seed, day, u, def, brute)
					}
				}
			}
		}
	}
}

// checkTimes checks that the times to convert of r cover the users each stage counts, and
// that percentiles grow with f.Percentiles, which must be ascending.
func checkTimes(t *testing.T, f Funnel, r Result) {
	t.Helper()
	for k := 1; k < len(r.Counts); k++ {
		reached := r.Counts[k] > 0
		for _, x := range []*float64{r.MedianSeconds[k], r.AvgSeconds[k], r.StepMedianSeconds[k], r.StepAvgSeconds[k]} {
			if (x != nil) != reached {
				t.Fatalf("stage %d of %+v: counts %v and times %s", k+1, r.Dims, r.Counts, dump([]Result{r}))
			}
		}
		for _, ps := range [][][]*float64{r.PercentileSeconds, r.StepPercentileSeconds} {
			if len(f.Percentiles) == 0 {
				if ps != nil {
					t.Fatalf("percentiles without Funnel.Percentiles: %v", ps)
				}
				continue
			}
			for i, x := range ps[k] {
				if (x != nil) != reached || (i > 0 && x != nil && *x < *ps[k][i-1]) {
					t.Fatalf("stage %d of %+v: counts %v, percentiles %v of %s", k+1, r.Dims, r.Counts, f.Percentiles, floats(ps[k]))
				}
			}
		}
		for _, h := range [][][]int64{r.Histogram, r.StepHistogram} {
			if len(f.HistogramEdges) == 0 {
				if h != nil {
					t.Fatalf("histogram without Funnel.HistogramEdges: %v", h)
				}
				continue
			}
			var sum int64
			for _, c := range h[k] {
				sum += c
			}
			if len(h[k]) != len(f.HistogramEdges) || sum != r.Counts[k] {
				t.Fatalf("stage %d of %+v: counts %v, histogram %v", k+1, r.Dims, r.Counts, h[k])
			}
		}
	}
}

func checkInvariants(t *testing.T, f Funnel, results []Result) {
	t.Helper()
	// Order: by day; per day the total row, then by breakdown index, then by value.
	type pos struct {
		dt    string
		dim   int // -1 for the total row
		value string
	}
	var prev *pos
	for _, r := range results {
		p := pos{dt: r.Dt, dim: -1}
		for i, d := range f.Breakdowns {
			if v := r.Dims[d]; v != f.TotalMarker {
				if p.dim >= 0 {
					t.Fatalf("%s: two breakdown values in one row: %v", f.Mode, r.Dims)
				}
				p.dim, p.value = i, v
			}
		}
		if prev == nil || prev.dt != p.dt {
			if p.dim != -1 || (prev != nil && prev.dt > p.dt) {
				t.Fatalf("%s: %s does not start with its total row, after %+v", f.Mode, r.Dt, prev)
			}
		} else if p.dim < prev.dim || (p.dim == prev.dim && p.value <= prev.value) {
			t.Fatalf("%s: %+v after %+v", f.Mode, p, *prev)
		}
		prev = &p

		for k, c := range r.Counts {
			if c < 0 {
				t.Fatalf("%s: negative count in %+v", f.Mode, r)
			}
			if f.Mode == ModeOrdered && k > 0 && c > r.Counts[k-1] {
				t.Fatalf("ordered counts increase: %v", r.Counts)
			}
		}
		if p.dim >= 0 && slices.Max(r.Counts) == 0 {
			t.Fatalf("%s: value row with nothing in it: %+v", f.Mode, r)
		}
		if f.Mode == ModeOrdered {
			checkTimes(t, f, r)
		}
		if p.dim >= 0 {
			continue
		}
		// Every breakdown splits the total: each row or user is attributed to one value.
		for _, d := range f.Breakdowns {
			sum := make([]int64, len(f.Stages))
			for _, s := range results {
				if s.Dt == r.Dt && s.Dims[d] != f.TotalMarker {
					for k, c := range s.Counts {
						sum[k] += c
					}
				}
			}
			if !slices.Equal(sum, r.Counts) {
				t.Fatalf("%s %s %s: values sum to %v, total is %v", f.Mode, f.Boundary, r.Dt, sum, r.Counts)
			}
		}
	}
}
