package reference

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestMillisecondTimes: windows and ties at millisecond precision, and means and medians in
// seconds rounded once from integer milliseconds.
func TestMillisecondTimes(t *testing.T) {
	t0 := dayStart(d1) * 1000
	rows := []Row{
		// a: 1 ms to click, purchase in the same millisecond as the click.
		ev(d1, "a", t0, "browse"), ev(d1, "a", t0+1, "click"), ev(d1, "a", t0+1, "purchase"),
		// b: 8 ms to click and to purchase.
		ev(d1, "b", t0, "browse"), ev(d1, "b", t0+8, "purchase"), ev(d1, "b", t0+8, "click"),
		// c: the click 1001 ms after the browse misses the 1000 ms window.
		ev(d1, "c", t0, "browse"), ev(d1, "c", t0+1001, "click"),
		// d: the click exactly 1000 ms after the browse counts.
		ev(d1, "d", t0, "browse"), ev(d1, "d", t0+1000, "click"),
		// e: browse and click in one millisecond: 0 ms.
		ev(d1, "e", t0+5, "click"), ev(d1, "e", t0+5, "browse"),
		// g: the click comes 499 ms before the browse, in the same second: no conversion.
		ev(d1, "g", t0+500, "click"), ev(d1, "g", t0+999, "browse"),
	}
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 1000, UnitsPerSecond: 1000}
	got := Compute(f, rows, []string{d1})
	if want := []int64{6, 4, 2}; !reflect.DeepEqual(got[0].Counts, want) {
		t.Fatalf("counts = %v, want %v", got[0].Counts, want)
	}
	// Stage 2: 0, 1, 8, 1000 ms: median (1 + 8) / 2000 = 0.0045 (averaging the two values in
	// seconds would give 0.0045000000000000005), mean 1009 / 4000.
	// Stage 3: 1, 8 ms.
	assertFloats(t, "median", got[0].MedianSeconds, []*float64{nil, fp(0.0045), fp(0.0045)})
	assertFloats(t, "avg", got[0].AvgSeconds, []*float64{nil, fp(1009.0 / 4000), fp(0.0045)})

	// Without e, stage 2 has 1, 8 and 1000 ms: median 8 / 1000, mean 1009 / 3000.
	got = Compute(f, append(rows[:11:11], rows[13:]...), []string{d1})
	assertFloats(t, "median without e", got[0].MedianSeconds, []*float64{nil, fp(0.008), fp(0.0045)})
	assertFloats(t, "avg without e", got[0].AvgSeconds, []*float64{nil, fp(1009.0 / 3000), fp(0.0045)})

	// The mean is one division: 23 ms over 7 users is 23 / 7000, not (23 / 1000) / 7, which
	// rounds twice (float64 variables: Go constant arithmetic would be exact).
	sum, n, ms := 23.0, 7.0, 1000.0
	if got, want := *mean([]int64{23, 0, 0, 0, 0, 0, 0}, 1000), 23.0/7000; got != want || got == sum/ms/n {
		t.Errorf("mean = %v, want %v, not %v", got, want, sum/ms/n)
	}
}

// TestUnitsPerSecondZeroIsOne: 0 and 1 are the same precision.
func TestUnitsPerSecondZeroIsOne(t *testing.T) {
	known := map[string]bool{"browse": true, "click": true, "purchase": true}
	for seed := range uint64(10) {
		rows := Clean(RandomRows(rand.New(rand.NewPCG(seed, 5)), randomOptions()), CleanRules{KnownEvents: known})
		for _, mode := range []string{ModeEvents, ModeUsers, ModeOrdered} {
			f := Funnel{Mode: mode, Stages: stages3, Window: 600, Breakdowns: []string{"os"}, TotalMarker: "all", NullMarker: "unknown"}
			one := f
			one.UnitsPerSecond = 1
			if a, b := Compute(f, rows, randomDays), Compute(one, rows, randomDays); !reflect.DeepEqual(a, b) {
				t.Fatalf("seed %d, %s: UnitsPerSecond 0 and 1 differ", seed, mode)
			}
		}
	}
}

// TestMillisecondBot: 50,000 rows of one user in milliseconds, many in one millisecond, with
// every distribution and a breakdown limit: cheap, and the implementations agree.
func TestMillisecondBot(t *testing.T) {
	const n = 50000
	t0 := dayStart(d1) * 1000
	r := rand.New(rand.NewPCG(5, 6))
	var rows []Row
	var steps []Step
	for range n {
		ts := t0 + r.Int64N(86400_000)
		if r.IntN(2) == 0 {
			ts = t0 + 43200_000 + r.Int64N(3) // a crowd of ties at noon
		}
		stage := 1 + r.IntN(3)
		os := string(rune('a' + r.IntN(20)))
		rows = append(rows, dv(d1, "bot", ts, stages3[stage-1][0], os, "x"))
		steps = append(steps, Step{TS: ts, Stage: stage, Start: true})
	}
	rows = append(rows, dv(d1, "human", t0, "browse", "z", "x"))
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 1500, UnitsPerSecond: 1000,
		Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown", BreakdownLimit: 1,
		Percentiles: []int{5000, 9900}, HistogramEdges: []int64{0, 1, 1000}}
	got := Compute(f, rows, []string{d1})
	if want := []int64{2, 1, 1}; !reflect.DeepEqual(got[0].Counts, want) {
		t.Errorf("counts = %v, want %v", got[0].Counts, want)
	}
	if p, q := OrderedLevel(steps, 3, 1500), FoldLevel(steps, 3, 1500); !reflect.DeepEqual(p, q) {
		t.Errorf("OrderedLevel = %+v, FoldLevel = %+v", p, q)
	}
}
