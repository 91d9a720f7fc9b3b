package reference

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	d1 = "20240101"
	d2 = "20240102"
	d3 = "20240103"
)

// dayStart is 00:00 of day in UTC+8 (Asia/Shanghai has had no daylight saving since 1991).
func dayStart(day string) int64 {
	t, err := time.ParseInLocation("20060102", day, shanghai)
	if err != nil {
		panic(err)
	}
	return t.Unix()
}

// dv is a row with breakdown values os and brand; "<nil>" stands for NULL.
func dv(dt, u string, ts int64, event, os, brand string) Row {
	p := func(s string) *string {
		if s == "<nil>" {
			return nil
		}
		return &s
	}
	return Row{Dt: dt, User: u, TS: ts, Event: event, Dims: map[string]*string{"os": p(os), "brand": p(brand)}}
}

// res is a result whose rates follow from counts; dims are os and brand, "" for no breakdowns.
func res(dt, os, brand string, counts ...int64) Result {
	r := Result{Dt: dt, Dims: map[string]string{}, Counts: counts}
	if os != "" {
		r.Dims = map[string]string{"os": os, "brand": brand}
	}
	r.StepRates = make([]*float64, len(counts))
	r.OverallRates = make([]*float64, len(counts))
	for k := 1; k < len(counts); k++ {
		if counts[k-1] != 0 {
			r.StepRates[k] = fp(float64(counts[k]) / float64(counts[k-1]))
		}
		if counts[0] != 0 {
			r.OverallRates[k] = fp(float64(counts[k]) / float64(counts[0]))
		}
	}
	return r
}

func assertResults(t *testing.T, got, want []Result) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("results:\n got\n%s\nwant\n%s", dump(got), dump(want))
	}
}

func dump(rs []Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %s %v counts %v step %s overall %s median %s avg %s step median %s step avg %s\n",
			r.Dt, r.Dims, r.Counts, floats(r.StepRates), floats(r.OverallRates),
			floats(r.MedianSeconds), floats(r.AvgSeconds), floats(r.StepMedianSeconds), floats(r.StepAvgSeconds))
	}
	return b.String()
}

func TestEventsAndUsersModes(t *testing.T) {
	rows := []Row{
		ev(d1, "u1", 10, "browse"), ev(d1, "u1", 20, "browse"), ev(d1, "u1", 30, "click"),
		ev(d1, "u2", 10, "purchase"), ev(d1, "u2", 5, "click"), // only later stages, out of order
		ev(d1, "u3", 10, "login"), // not a stage: ignored entirely
		ev(d2, "u1", 10, "browse"),
	}
	days := []string{d3, d2, d1, d2} // sorted and deduplicated; d3 has no rows
	tests := []struct {
		mode string
		want []Result
	}{
		{ModeEvents, []Result{res(d1, "", "", 2, 2, 1), res(d2, "", "", 1, 0, 0), res(d3, "", "", 0, 0, 0)}},
		{ModeUsers, []Result{res(d1, "", "", 1, 2, 1), res(d2, "", "", 1, 0, 0), res(d3, "", "", 0, 0, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			got := Compute(Funnel{Mode: tt.mode, Stages: stages3}, rows, days)
			assertResults(t, got, tt.want)
		})
	}
}

func TestRates(t *testing.T) {
	r := res(d1, "", "", 4, 0, 0)
	assertFloats(t, "step", r.StepRates, []*float64{nil, fp(0), nil})
	assertFloats(t, "overall", r.OverallRates, []*float64{nil, fp(0), fp(0)})
	got := Compute(Funnel{Mode: ModeEvents, Stages: stages3}, []Row{
		ev(d1, "u", 1, "browse"), ev(d1, "u", 2, "browse"), ev(d1, "u", 3, "click"),
	}, []string{d1})
	assertResults(t, got, []Result{{
		Dt: d1, Dims: map[string]string{}, Counts: []int64{2, 1, 0},
		StepRates: []*float64{nil, fp(0.5), fp(0)}, OverallRates: []*float64{nil, fp(0.5), fp(0)},
	}})
}

func TestStageSets(t *testing.T) {
	f := Funnel{Mode: ModeOrdered, Window: 60, Stages: [][]string{{"view", "browse"}, {"click"}, {"pay", "purchase"}}}
	rows := []Row{ev(d1, "u", 0, "view"), ev(d1, "u", 1, "click"), ev(d1, "u", 2, "pay"), ev(d1, "v", 0, "browse")}
	got := Compute(f, rows, []string{d1})
	if want := []int64{2, 1, 1}; !reflect.DeepEqual(got[0].Counts, want) {
		t.Errorf("counts = %v, want %v", got[0].Counts, want)
	}
}

var breakdowns = []string{"os", "brand"}

func TestBreakdownEvents(t *testing.T) {
	rows := []Row{
		dv(d1, "u1", 1, "browse", "ios", "<nil>"),
		dv(d1, "u1", 2, "click", "ios", ""),
		dv(d1, "u2", 1, "browse", "android", "x"),
		dv(d1, "u2", 2, "login", "web", "y"), // not a stage: no web or y rows
		dv(d1, "u3", 1, "purchase", "<nil>", "x"),
		{Dt: d1, User: "u4", TS: 1, Event: "click"}, // no Dims at all: NULL
	}
	f := Funnel{Mode: ModeEvents, Stages: stages3, Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown"}
	want := []Result{
		res(d1, "all", "all", 2, 2, 1),
		res(d1, "android", "all", 1, 0, 0),
		res(d1, "ios", "all", 1, 1, 0),
		res(d1, "unknown", "all", 0, 1, 1),
		res(d1, "all", "unknown", 1, 2, 0),
		res(d1, "all", "x", 1, 0, 1),
		res(d2, "all", "all", 0, 0, 0), // empty day: the total row only
	}
	assertResults(t, Compute(f, rows, []string{d1, d2}), want)
}

func TestBreakdownUsers(t *testing.T) {
	rows := []Row{
		// u1: the first browse by time is the android one; the earlier click is not stage 1.
		dv(d1, "u1", 100, "browse", "ios", "b"),
		dv(d1, "u1", 50, "browse", "android", "b"),
		dv(d1, "u1", 10, "click", "web", "b"),
		// u2: two browses in one second; the tie goes to the smaller (os, brand): (a, z).
		dv(d1, "u2", 100, "browse", "b", "a"),
		dv(d1, "u2", 100, "browse", "a", "z"),
		// u3: no browse; the first stage row by (ts, stage) is the click at 150.
		dv(d1, "u3", 200, "click", "x", "b"),
		dv(d1, "u3", 150, "purchase", "y", "b"),
		dv(d1, "u3", 150, "click", "z", "b"),
		// u4: no browse; tie on (ts, stage) goes to the smaller normalized value: "q" < "unknown".
		dv(d1, "u4", 150, "click", "", "b"),
		dv(d1, "u4", 150, "click", "q", "b"),
		// u5: a NULL brand and an empty brand are both "unknown".
		dv(d1, "u5", 1, "browse", "a", "<nil>"),
		dv(d1, "u6", 1, "browse", "a", ""),
	}
	f := Funnel{Mode: ModeUsers, Stages: stages3, Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown"}
	want := []Result{
		res(d1, "all", "all", 4, 3, 1),
		res(d1, "a", "all", 3, 0, 0),
		res(d1, "android", "all", 1, 1, 0),
		res(d1, "q", "all", 0, 1, 0),
		res(d1, "z", "all", 0, 1, 1),
		res(d1, "all", "b", 1, 3, 1),
		res(d1, "all", "unknown", 2, 0, 0),
		res(d1, "all", "z", 1, 0, 0),
	}
	assertResults(t, Compute(f, rows, []string{d1}), want)
}

func TestBreakdownOrdered(t *testing.T) {
	rows := []Row{
		// u1: level 2, attributed to its browse (ios), not to its click (android).
		dv(d1, "u1", 0, "browse", "ios", "b"),
		dv(d1, "u1", 10, "click", "android", "b"),
		// u2: no browse, level 0: in no row, so no "web" row.
		dv(d1, "u2", 0, "click", "web", "c"),
		dv(d1, "u2", 5, "purchase", "web", "c"),
		// u3: level 1, first browse is the empty os one.
		dv(d1, "u3", 100, "browse", "<nil>", "b"),
		dv(d1, "u3", 50, "browse", "", "b"),
	}
	f := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 60, Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown"}
	withDurations := func(r Result, d2 *float64) Result {
		r.MedianSeconds = []*float64{nil, d2, nil}
		r.AvgSeconds = []*float64{nil, d2, nil}
		// Every chain here is two rows long: the step time is the time from the entry.
		r.StepMedianSeconds = []*float64{nil, d2, nil}
		r.StepAvgSeconds = []*float64{nil, d2, nil}
		return r
	}
	want := []Result{
		withDurations(res(d1, "all", "all", 2, 1, 0), fp(10)),
		withDurations(res(d1, "ios", "all", 1, 1, 0), fp(10)),
		withDurations(res(d1, "unknown", "all", 1, 0, 0), nil),
		withDurations(res(d1, "all", "b", 2, 1, 0), fp(10)),
		withDurations(res(d2, "all", "all", 0, 0, 0), nil),
	}
	assertResults(t, Compute(f, rows, []string{d1, d2}), want)
}

func TestNextDay(t *testing.T) {
	for in, want := range map[string]string{
		"20240131": "20240201", "20231231": "20240101", "20240228": "20240229",
		"20230228": "20230301", "20240229": "20240301",
	} {
		if got, err := NextDay(in); err != nil || got != want {
			t.Errorf("NextDay(%s) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := NextDay("2024-01-01"); err == nil {
		t.Error("NextDay(2024-01-01): want an error")
	}
}

func TestValidate(t *testing.T) {
	ok := Funnel{Mode: ModeOrdered, Stages: stages3, Window: 60, Breakdowns: breakdowns, TotalMarker: "all", NullMarker: "unknown"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	tests := []struct {
		name string
		edit func(*Funnel)
		want string
	}{
		{"mode", func(f *Funnel) { f.Mode = "sessions" }, `mode "sessions"`},
		{"no stages", func(f *Funnel) { f.Stages = nil }, "no stages"},
		{"overlap", func(f *Funnel) { f.Stages = [][]string{{"a"}, {"b", "a"}} }, `event "a" is in stages 1 and 2`},
		{"boundary", func(f *Funnel) { f.Boundary = "week" }, `boundary "week"`},
		{"window", func(f *Funnel) { f.Window = -1 }, "window -1"},
		{"units per second", func(f *Funnel) { f.UnitsPerSecond = -1000 }, "units per second -1000"},
		{"markers", func(f *Funnel) { f.NullMarker = "all" }, "total marker and null marker"},
		{"breakdown twice", func(f *Funnel) { f.Breakdowns = []string{"os", "os"} }, `breakdown "os" listed twice`},
		{"percentiles in users mode", func(f *Funnel) { f.Mode, f.Percentiles = ModeUsers, []int{5000} }, "need mode"},
		{"histogram in events mode", func(f *Funnel) { f.Mode, f.HistogramEdges = ModeEvents, []int64{0} }, "need mode"},
		{"percentile 0", func(f *Funnel) { f.Percentiles = []int{5000, 0} }, "percentile 0"},
		{"percentile over 100 %", func(f *Funnel) { f.Percentiles = []int{10001} }, "percentile 10001"},
		{"histogram from 1", func(f *Funnel) { f.HistogramEdges = []int64{1, 2} }, "first edge must be 0"},
		{"histogram edge twice", func(f *Funnel) { f.HistogramEdges = []int64{0, 5, 5} }, "strictly increasing"},
		{"histogram edges decrease", func(f *Funnel) { f.HistogramEdges = []int64{0, 5, 3} }, "strictly increasing"},
		{"negative breakdown limit", func(f *Funnel) { f.BreakdownLimit = -1 }, "breakdown limit -1"},
		{"other like the total", func(f *Funnel) { f.BreakdownLimit, f.OtherMarker = 3, "all" }, "other marker and total marker"},
		{"other like the null marker", func(f *Funnel) { f.BreakdownLimit, f.OtherMarker = 3, "unknown" }, "other marker and null marker"},
		{"default other like the null marker", func(f *Funnel) { f.BreakdownLimit, f.NullMarker = 3, "other" }, "other marker and null marker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.edit(&f)
			if err := f.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Validate = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
