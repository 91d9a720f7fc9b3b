package reference

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

var stages3 = [][]string{{"browse"}, {"click"}, {"purchase"}}

// ev is a row of user u on partition dt without breakdown values.
func ev(dt, u string, ts int64, event string) Row {
	return Row{Dt: dt, User: u, TS: ts, Event: event}
}

// TestOrderedLevelPitfalls runs one user through Compute for each pitfall of FUNNELS.md and
// checks the counts, which for one user are 1 up to the user's level and 0 after it.
func TestOrderedLevelPitfalls(t *testing.T) {
	const W = 3600
	tests := []struct {
		name   string
		window int64
		rows   []Row // all of user u on day d1
		level  int
	}{
		{"click in the same second as its browse", W,
			[]Row{ev(d1, "u", 100, "click"), ev(d1, "u", 100, "browse")}, 2},
		{"click one second before the browse", W,
			[]Row{ev(d1, "u", 99, "click"), ev(d1, "u", 100, "browse")}, 1},
		{"purchase and click in one second after browse", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d1, "u", 5, "purchase"), ev(d1, "u", 5, "click")}, 3},
		{"all three stages in one second with W = 0", 0,
			[]Row{ev(d1, "u", 7, "purchase"), ev(d1, "u", 7, "click"), ev(d1, "u", 7, "browse")}, 3},
		{"W = 0 and the click one second later", 0,
			[]Row{ev(d1, "u", 7, "browse"), ev(d1, "u", 8, "click")}, 1},
		{"equal (ts, stage) duplicates count once", W,
			[]Row{
				ev(d1, "u", 100, "browse"), ev(d1, "u", 100, "browse"),
				ev(d1, "u", 100, "click"), ev(d1, "u", 100, "click"),
				ev(d1, "u", 150, "purchase"), ev(d1, "u", 150, "purchase"),
			}, 3},
		{"chain exactly W long counts", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d1, "u", 10, "click"), ev(d1, "u", W, "purchase")}, 3},
		{"chain W + 1 long does not", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d1, "u", 10, "click"), ev(d1, "u", W+1, "purchase")}, 2},
		{"click exactly W after browse", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d1, "u", W, "click")}, 2},
		{"click W + 1 after browse", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d1, "u", W+1, "click")}, 1},
		{"only a later browse fits the window", W,
			[]Row{
				ev(d1, "u", 0, "browse"), ev(d1, "u", 5000, "browse"),
				ev(d1, "u", 5100, "click"), ev(d1, "u", 8000, "purchase"),
			}, 3},
		{"a later browse without its own click does not help", W,
			[]Row{
				ev(d1, "u", 0, "browse"), ev(d1, "u", 100, "click"),
				ev(d1, "u", 3000, "browse"), ev(d1, "u", 3700, "purchase"),
			}, 2},
		{"a later browse with its own click does", W,
			[]Row{
				ev(d1, "u", 0, "browse"), ev(d1, "u", 100, "click"),
				ev(d1, "u", 3000, "browse"), ev(d1, "u", 3001, "click"),
				ev(d1, "u", 3700, "purchase"),
			}, 3},
		{"missing middle stage", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d1, "u", 10, "purchase")}, 1},
		{"only later stages", W,
			[]Row{ev(d1, "u", 0, "click"), ev(d1, "u", 10, "purchase")}, 0},
		{"stages out of order, then in order", W,
			[]Row{
				ev(d1, "u", 0, "purchase"), ev(d1, "u", 1, "click"), ev(d1, "u", 2, "browse"),
				ev(d1, "u", 3, "click"), ev(d1, "u", 4, "purchase"),
			}, 3},
		{"events in between are ignored", W,
			[]Row{
				ev(d1, "u", 0, "browse"), ev(d1, "u", 1, "login"), ev(d1, "u", 2, "browse"),
				ev(d1, "u", 3, "browse"), ev(d1, "u", 4, "click"), ev(d1, "u", 5, "click"),
				ev(d1, "u", 6, "purchase"),
			}, 3},
		{"rows of another day are not read", W,
			[]Row{ev(d1, "u", 0, "browse"), ev(d2, "u", 10, "click")}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: tt.window}
			got := Compute(f, tt.rows, []string{d1})
			want := make([]int64, 3)
			for k := range tt.level {
				want[k] = 1
			}
			if len(got) != 1 || !reflect.DeepEqual(got[0].Counts, want) {
				t.Fatalf("Compute = %+v, want one result with counts %v", got, want)
			}
			// The stage rows of d1, all of which may start a chain.
			steps := stepsBy(f.Stages, tt.rows, func(r Row) (string, bool, bool) { return "", true, r.Dt == d1 })[""]
			if p := FoldLevel(steps, 3, tt.window); p.Level != tt.level {
				t.Errorf("FoldLevel = %d, want %d", p.Level, tt.level)
			}
		})
	}
}

// stepsBy turns the rows whose event is in one of stages into Steps, in row order, grouped by
// what key returns for the row. A row for which key returns ok false is left out; start says
// whether the row's step may start a chain.
func stepsBy[K comparable](stages [][]string, rows []Row, key func(Row) (k K, start, ok bool)) map[K][]Step {
	steps := map[K][]Step{}
	for _, r := range rows {
		k, start, ok := key(r)
		if !ok {
			continue
		}
		for i, stage := range stages {
			if slices.Contains(stage, r.Event) {
				steps[k] = append(steps[k], Step{TS: r.TS, Stage: i + 1, Start: start})
			}
		}
	}
	return steps
}

func TestOrderedDurations(t *testing.T) {
	const W = 3600
	rows := []Row{
		// A: 10 to click, 100 to purchase.
		ev(d1, "A", 0, "browse"), ev(d1, "A", 10, "click"), ev(d1, "A", 100, "purchase"),
		// B: the click is timed from the latest browse: 10.
		ev(d1, "B", 0, "browse"), ev(d1, "B", 50, "browse"), ev(d1, "B", 60, "click"),
		// C: 20 to click.
		ev(d1, "C", 0, "browse"), ev(d1, "C", 20, "click"),
		// D: the browse at 20 has no click after it, so the purchase is timed from 0: 10, 30.
		ev(d1, "D", 0, "browse"), ev(d1, "D", 10, "click"), ev(d1, "D", 20, "browse"), ev(d1, "D", 30, "purchase"),
		// E: only the browse at 3000 fits: 700, 800.
		ev(d1, "E", 0, "browse"), ev(d1, "E", 3000, "browse"), ev(d1, "E", 3700, "click"), ev(d1, "E", 3800, "purchase"),
		// F: the click at 10 completes stage 2 first (from 0); the purchase at 30 completes
		// chains from 0 and from 20, timed from the latest: 10, 10.
		ev(d1, "F", 0, "browse"), ev(d1, "F", 10, "click"), ev(d1, "F", 20, "browse"), ev(d1, "F", 25, "click"), ev(d1, "F", 30, "purchase"),
		// G: level 1, no durations.
		ev(d1, "G", 0, "browse"),
		// H: level 0.
		ev(d1, "H", 0, "click"),
	}
	// stage 2: 10 10 20 10 700 10 -> median 10, mean 760/6; stage 3: 100 30 800 10 -> median 65, mean 235.
	want := []Result{{
		Dt:            d1,
		Dims:          map[string]string{},
		Counts:        []int64{7, 6, 4},
		StepRates:     []*float64{nil, fp(6.0 / 7), fp(4.0 / 6)},
		OverallRates:  []*float64{nil, fp(6.0 / 7), fp(4.0 / 7)},
		MedianSeconds: []*float64{nil, fp(10), fp(65)},
		AvgSeconds:    []*float64{nil, fp(760.0 / 6), fp(235)},
	}}
	// Step times, from the first row reaching stage k-1 to the first reaching stage k:
	// A 10, 90; B 60 (from the browse at 0); C 20; D 10, 20; E 3700, 100; F 10, 20.
	// Stage 2: 10 10 10 20 60 3700 -> median 15, mean 635; stage 3: 20 20 90 100 -> median
	// 55, mean 57.5.
	want[0].StepMedianSeconds = []*float64{nil, fp(15), fp(55)}
	want[0].StepAvgSeconds = []*float64{nil, fp(635), fp(57.5)}
	got := Compute(Funnel{Mode: ModeOrdered, Stages: stages3, Window: W}, rows, []string{d1})
	assertResults(t, got, want)
}

// A row whose time lies outside the years 0000 to 9999 takes no part in an
// ordered chain, as a row without a time; the events and users modes count it.
func TestOrderedSkipsNoTimes(t *testing.T) {
	first, end := timeBounds(1)
	if !IsTime(first, 1) || IsTime(first-1, 1) || !IsTime(end-1, 1) || IsTime(end, 1) || !IsTime(end*1000-1, 1000) || IsTime(end*1000, 1000) {
		t.Fatalf("IsTime is wrong at the ends %d and %d", first, end)
	}
	at := dayStart(d1) + 3600
	rows := []Row{
		// u: a chain of the three stages, but its click is a sentinel.
		ev(d1, "u", at, "browse"), ev(d1, "u", math.MaxInt64, "click"), ev(d1, "u", at+60, "purchase"),
		// v: its only browse is no time; w: the first second of 0000 is one.
		ev(d1, "v", end, "browse"), ev(d1, "v", end, "click"),
		ev(d1, "w", first, "browse"), ev(d1, "w", first+10, "click"),
	}
	counts := func(mode string) []int64 {
		return Compute(Funnel{Mode: mode, Stages: stages3, Window: 3600}, rows, []string{d1})[0].Counts
	}
	if got, want := counts(ModeOrdered), []int64{2, 1, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("ordered counts = %v, want %v", got, want)
	}
	if got, want := counts(ModeEvents), []int64{3, 3, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("events counts = %v, want %v", got, want)
	}
	if got, want := counts(ModeUsers), []int64{3, 3, 1}; !reflect.DeepEqual(got, want) {
		t.Errorf("users counts = %v, want %v", got, want)
	}
}

func TestOrderedMidnight(t *testing.T) {
	const W = 3600
	end := dayStart(d1) + 86400 // 00:00 of d2
	rows := []Row{
		// u: browse at 23:50 on d1, click and purchase after midnight on d2.
		ev(d1, "u", end-600, "browse"), ev(d2, "u", end+600, "click"), ev(d2, "u", end+1200, "purchase"),
		// x: a browse on d2 cannot start a chain for d1; its d1 browse is too early.
		ev(d1, "x", end-50000, "browse"), ev(d2, "x", end, "browse"), ev(d2, "x", end+1, "click"),
		// w: only on d2.
		ev(d2, "w", end+300, "browse"), ev(d2, "w", end+360, "click"),
		// late: a d1 event that landed in partition d2 belongs to d2.
		ev(d2, "late", end-1, "browse"), ev(d2, "late", end+1, "click"),
		// rows of d3 are never read for d1.
		ev(d1, "y", end-10, "browse"), ev(d3, "y", end+86400, "click"),
	}
	counts := func(f Funnel) [][]int64 {
		var out [][]int64
		for _, r := range Compute(f, rows, []string{d1, d2}) {
			out = append(out, r.Counts)
		}
		return out
	}
	within := Funnel{Mode: ModeOrdered, Stages: stages3, Window: W}
	if got, want := counts(within), [][]int64{{3, 0, 0}, {3, 3, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("within_day counts = %v, want %v", got, want)
	}
	cross := within
	cross.Boundary = CrossMidnight
	// d1: u reaches 3 across midnight, x and y stay at 1. d2: x, w and late reach 2.
	if got, want := counts(cross), [][]int64{{3, 1, 1}, {3, 3, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("cross_midnight counts = %v, want %v", got, want)
	}
	r := Compute(cross, rows, []string{d1})[0]
	assertFloats(t, "median", r.MedianSeconds, []*float64{nil, fp(1200), fp(1800)})
}

func TestOrderedBot(t *testing.T) {
	// 50,000 rows: a browse every second, then one click and one purchase near the end.
	// Scanning forward from every browse would be quadratic.
	const n = 50000
	var rows []Row
	for i := range int64(n - 2) {
		rows = append(rows, ev(d1, "bot", i, "browse"))
	}
	rows = append(rows, ev(d1, "bot", n, "click"), ev(d1, "bot", n+5, "purchase"))
	rows = append(rows, ev(d1, "human", 0, "browse"))
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 3600}
	got := Compute(f, rows, []string{d1})
	if want := []int64{2, 1, 1}; !reflect.DeepEqual(got[0].Counts, want) {
		t.Errorf("counts = %v, want %v", got[0].Counts, want)
	}
	// The click is 3 s after the last browse (at n-3).
	assertFloats(t, "median", got[0].MedianSeconds, []*float64{nil, fp(3), fp(8)})

	// A random bot: the two implementations must agree.
	r := rand.New(rand.NewPCG(1, 2))
	steps := make([]Step, n)
	for i := range steps {
		steps[i] = Step{TS: r.Int64N(86400), Stage: 1 + r.IntN(3), Start: true}
	}
	p, q := OrderedLevel(steps, 3, 30), FoldLevel(steps, 3, 30)
	if !reflect.DeepEqual(p, q) {
		t.Errorf("bot: OrderedLevel = %+v, FoldLevel = %+v", p, q)
	}
}

// bruteProgress enumerates every chain: exponential, for tiny inputs only.
func bruteProgress(steps []Step, window int64) Progress {
	seq := sortSteps(steps)
	type chain struct {
		start int64
		end   int // position of the last row
		len   int
	}
	var chains []chain
	var extend func(c chain)
	extend = func(c chain) {
		chains = append(chains, c)
		for j := c.end + 1; j < len(seq); j++ {
			if seq[j].Stage == c.len+1 && seq[j].TS-c.start <= window {
				extend(chain{c.start, j, c.len + 1})
			}
		}
	}
	for i, s := range seq {
		if s.Stage == 1 && s.Start {
			extend(chain{s.TS, i, 1})
		}
	}
	var p Progress
	for _, c := range chains {
		p.Level = max(p.Level, c.len)
	}
	var reached int64
	for j := 1; j <= p.Level; j++ {
		first := len(seq)
		for _, c := range chains {
			if c.len == j {
				first = min(first, c.end)
			}
		}
		start := int64(math.MinInt64)
		for _, c := range chains {
			if c.len == j && c.end == first {
				start = max(start, c.start)
			}
		}
		p.Durations = append(p.Durations, seq[first].TS-start)
		// The level first reaches j at the first row ending a chain of length j.
		if j == 1 {
			reached = seq[first].TS
		}
		p.StepDurations = append(p.StepDurations, seq[first].TS-reached)
		reached = seq[first].TS
	}
	return p
}

func randomSteps(r *rand.Rand, n, stages int, span int64) []Step {
	steps := make([]Step, n)
	for i := range steps {
		steps[i] = Step{TS: r.Int64N(span), Stage: 1 + r.IntN(stages), Start: r.IntN(5) > 0}
	}
	return steps
}

func TestOrderedLevelMatchesBruteForceAndFold(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 20000 {
		stages := 2 + r.IntN(3)
		window := r.Int64N(7)
		steps := randomSteps(r, r.IntN(10), stages, 1+r.Int64N(12))
		def := OrderedLevel(steps, stages, window)
		fold := FoldLevel(steps, stages, window)
		brute := bruteProgress(steps, window)
		if !reflect.DeepEqual(def, brute) || !reflect.DeepEqual(def, fold) {
			t.Fatalf("case %d, stages %d, W %d, steps %+v:\n definition %+v\n fold %+v\n brute force %+v",
				i, stages, window, steps, def, fold, brute)
		}
		if slices.ContainsFunc(def.StepDurations, func(d int64) bool { return d < 0 }) {
			t.Fatalf("case %d, steps %+v: a negative step time in %+v", i, steps, def)
		}
	}
	// Longer histories, definition against fold only.
	for i := range 2000 {
		stages := 2 + r.IntN(4)
		window := r.Int64N(200)
		steps := randomSteps(r, r.IntN(300), stages, 1+r.Int64N(2000))
		def, fold := OrderedLevel(steps, stages, window), FoldLevel(steps, stages, window)
		if !reflect.DeepEqual(def, fold) {
			t.Fatalf("case %d, stages %d, W %d, steps %+v:\n definition %+v\n fold %+v",
				i, stages, window, steps, def, fold)
		}
	}
}

func fp(x float64) *float64 { return &x }

func assertFloats(t *testing.T, what string, got, want []*float64) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %s, want %s", what, floats(got), floats(want))
	}
}

func floats(xs []*float64) string {
	s := "["
	for i, x := range xs {
		if i > 0 {
			s += " "
		}
		if x == nil {
			s += "nil"
		} else {
			s += fmt.Sprint(*x)
		}
	}
	return s + "]"
}
