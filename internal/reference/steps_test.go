package reference

import (
	"reflect"
	"testing"
)

// TestStepDurations checks Progress.StepDurations by hand, in both implementations.
func TestStepDurations(t *testing.T) {
	s := func(ts int64, stage int) Step { return Step{TS: ts, Stage: stage, Start: true} }
	tests := []struct {
		name      string
		window    int64
		steps     []Step
		durations []int64
		stepTimes []int64
	}{
		{"one chain", 100,
			[]Step{s(0, 1), s(10, 2), s(30, 3)}, []int64{0, 10, 30}, []int64{0, 10, 20}},
		// The chain from 0 reaches stage 2 at 10 but cannot reach stage 3 within 100; the
		// chain from 150 reaches stage 3 at 170: T = 0, 10, 170.
		{"stage 3 reached by a chain that started later", 100,
			[]Step{s(0, 1), s(10, 2), s(150, 1), s(160, 2), s(170, 3)}, []int64{0, 10, 20}, []int64{0, 10, 160}},
		// T(1) is the first browse, not the start of the chain that converts.
		{"a later browse converts", 100,
			[]Step{s(0, 1), s(50, 1), s(60, 2)}, []int64{0, 10}, []int64{0, 60}},
		{"all in one second", 0,
			[]Step{s(5, 3), s(5, 2), s(5, 1)}, []int64{0, 0, 0}, []int64{0, 0, 0}},
		// A row of the next day cannot start a chain, so it is no T(1).
		{"a browse that may not start", 100,
			[]Step{{TS: 0, Stage: 1}, s(50, 1), s(60, 2)}, []int64{0, 10}, []int64{0, 10}},
		// The click at 20 reaches stage 2 first (from 0); the purchase at 300 is reached from
		// the browse at 250 through the click at 260.
		{"stage 2 reached twice", 100,
			[]Step{s(0, 1), s(20, 2), s(250, 1), s(260, 2), s(300, 3)}, []int64{0, 20, 50}, []int64{0, 20, 280}},
		{"level 0", 100, []Step{s(0, 2)}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := Progress{Level: len(tt.durations), Durations: tt.durations, StepDurations: tt.stepTimes}
			if got := OrderedLevel(tt.steps, 3, tt.window); !reflect.DeepEqual(got, want) {
				t.Errorf("OrderedLevel = %+v, want %+v", got, want)
			}
			if got := FoldLevel(tt.steps, 3, tt.window); !reflect.DeepEqual(got, want) {
				t.Errorf("FoldLevel = %+v, want %+v", got, want)
			}
			if got := bruteProgress(tt.steps, tt.window); !reflect.DeepEqual(got, want) {
				t.Errorf("bruteProgress = %+v, want %+v", got, want)
			}
		})
	}
}

// TestStepTimesInResults: the step series in Compute, in milliseconds.
func TestStepTimesInResults(t *testing.T) {
	t0 := dayStart(d1) * 1000
	rows := []Row{
		// a: steps 1 ms and 160 ms (the purchase comes from the browse at +150).
		ev(d1, "a", t0, "browse"), ev(d1, "a", t0+1, "click"),
		ev(d1, "a", t0+150, "browse"), ev(d1, "a", t0+160, "click"), ev(d1, "a", t0+161, "purchase"),
		// b: steps 8 ms and 0 ms.
		ev(d1, "b", t0, "browse"), ev(d1, "b", t0+8, "click"), ev(d1, "b", t0+8, "purchase"),
	}
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 100, UnitsPerSecond: 1000}
	r := Compute(f, rows, []string{d1})[0]
	// From the entry: stage 2: 1, 8 ms; stage 3: 11, 8 ms.
	assertFloats(t, "median", r.MedianSeconds, []*float64{nil, fp(0.0045), fp(0.0095)})
	assertFloats(t, "avg", r.AvgSeconds, []*float64{nil, fp(0.0045), fp(0.0095)})
	// Steps: stage 2: 1, 8 ms; stage 3: 160, 0 ms.
	assertFloats(t, "step median", r.StepMedianSeconds, []*float64{nil, fp(0.0045), fp(0.08)})
	assertFloats(t, "step avg", r.StepAvgSeconds, []*float64{nil, fp(0.0045), fp(0.08)})
}
