package reference

import (
	"reflect"
	"strings"
	"testing"
)

func TestPercentileNearestRank(t *testing.T) {
	ten := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	hundred := make([]int64, 100)
	thousand := make([]int64, 1000)
	for i := range thousand {
		thousand[i] = int64(i)
		if i < 100 {
			hundred[i] = int64(i + 1)
		}
	}
	tests := []struct {
		name   string
		sorted []int64
		p      int
		ups    int64
		want   *float64
	}{
		{"90 % of 10 is rank 9, an exact multiple", ten, 9000, 1, fp(9)},
		{"90.01 % of 10 is rank 10", ten, 9001, 1, fp(10)},
		{"50 % of 10 is rank 5, not a mean", ten, 5000, 1, fp(5)},
		{"10 % of 10 is rank 1", ten, 1000, 1, fp(1)},
		{"10.01 % of 10 is rank 2", ten, 1001, 1, fp(2)},
		{"0.01 % is rank 1", ten, 1, 1, fp(1)},
		{"100 % is the largest", ten, 10000, 1, fp(10)},
		// 0.07 * 100 is 7.000000000000001 in float64: its ceiling would be rank 8.
		{"7 % of 100 is rank 7", hundred, 700, 1, fp(7)},
		{"99.9 % of 1000 is rank 999", thousand, 9990, 1, fp(998)},
		{"one value", []int64{42}, 1, 1, fp(42)},
		{"milliseconds", []int64{1, 8}, 5000, 1000, fp(0.001)},
		{"milliseconds, one rounding", []int64{1, 8}, 10000, 1000, fp(0.008)},
		{"no values", nil, 5000, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertFloats(t, "percentile", []*float64{percentile(tt.sorted, tt.p, tt.ups)}, []*float64{tt.want})
		})
	}
}

func TestHistogramEdges(t *testing.T) {
	edges := []int64{0, 10, 60}
	// Edges are inclusive below and exclusive above; the last bucket is open.
	for _, tt := range []struct {
		xs   []int64
		want []int64
	}{
		{[]int64{0}, []int64{1, 0, 0}},
		{[]int64{9}, []int64{1, 0, 0}},
		{[]int64{10}, []int64{0, 1, 0}},
		{[]int64{59}, []int64{0, 1, 0}},
		{[]int64{60}, []int64{0, 0, 1}},
		{[]int64{1 << 40}, []int64{0, 0, 1}},
		{[]int64{0, 9, 10, 59, 60, 61, 5}, []int64{3, 2, 2}},
		{nil, []int64{0, 0, 0}},
	} {
		if got := histogram(tt.xs, edges); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("histogram(%v) = %v, want %v", tt.xs, got, tt.want)
		}
	}
	if got := histogram([]int64{0, 7, 1 << 40}, []int64{0}); !reflect.DeepEqual(got, []int64{3}) {
		t.Errorf("one bucket: %v, want [3]", got)
	}
}

// TestDistributionsInResults: percentiles and histograms of both series, per stage, in Compute.
func TestDistributionsInResults(t *testing.T) {
	var rows []Row
	// u0..u4: a click d seconds after their only browse: from the entry and step alike.
	for i, d := range []int64{0, 9, 10, 59, 60} {
		u := string(rune('0' + i))
		rows = append(rows, ev(d1, u, 1000, "browse"), ev(d1, u, 1000+d, "click"))
	}
	// u5: 5 s from the entry (the browse at 100), 105 s from the first browse.
	rows = append(rows, ev(d1, "u5", 0, "browse"), ev(d1, "u5", 100, "browse"), ev(d1, "u5", 105, "click"))
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 3600,
		Percentiles: []int{5000, 9000, 10000}, HistogramEdges: []int64{0, 10, 60}}
	r := Compute(f, rows, []string{d1})[0]
	if want := []int64{6, 6, 0}; !reflect.DeepEqual(r.Counts, want) {
		t.Fatalf("counts = %v, want %v", r.Counts, want)
	}
	// From the entry: 0 5 9 10 59 60: ranks 3, 6 (ceil 5.4), 6. Nobody reached stage 3.
	assertPercentiles(t, "from entry", r.PercentileSeconds, [][]*float64{nil, {fp(9), fp(60), fp(60)}, {nil, nil, nil}})
	// Steps: 0 9 10 59 60 105.
	assertPercentiles(t, "step", r.StepPercentileSeconds, [][]*float64{nil, {fp(10), fp(105), fp(105)}, {nil, nil, nil}})
	if want := [][]int64{nil, {3, 2, 1}, {0, 0, 0}}; !reflect.DeepEqual(r.Histogram, want) {
		t.Errorf("histogram = %v, want %v", r.Histogram, want)
	}
	if want := [][]int64{nil, {2, 2, 2}, {0, 0, 0}}; !reflect.DeepEqual(r.StepHistogram, want) {
		t.Errorf("step histogram = %v, want %v", r.StepHistogram, want)
	}

	// Without the lists, no percentiles and no histograms.
	f.Percentiles, f.HistogramEdges = nil, nil
	r = Compute(f, rows, []string{d1})[0]
	if r.PercentileSeconds != nil || r.StepPercentileSeconds != nil || r.Histogram != nil || r.StepHistogram != nil {
		t.Errorf("percentiles or histograms without lists: %+v", r)
	}
}

func TestValidateDistributions(t *testing.T) {
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Percentiles: []int{10000, 1, 5000}, HistogramEdges: []int64{0}}
	if err := f.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func assertPercentiles(t *testing.T, what string, got, want [][]*float64) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		var g, w []string
		for _, xs := range got {
			g = append(g, floats(xs))
		}
		for _, xs := range want {
			w = append(w, floats(xs))
		}
		t.Errorf("%s percentiles = %s, want %s", what, strings.Join(g, " "), strings.Join(w, " "))
	}
}
