package models

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Report layouts.
const (
	// LayoutWide is a row per day and breakdown value, with columns per stage.
	LayoutWide = "wide"
	// LayoutLong is a row per day, breakdown value and stage, with the same
	// columns for every stage: what BI tools' funnel charts read, and the
	// only layout with room for distributions of the times to convert.
	LayoutLong = "long"
)

// MaxBuckets is the most histogram edges a funnel may declare.
const MaxBuckets = 24

// Percentile is a percentile of the times to convert, written as a number
// of percent with at most two decimals (50, 90, 99.9) and held exactly in
// basis points (5000, 9000, 9990).
type Percentile struct {
	Basis int    // 1 to 10000
	Text  string // as written
}

// parsePercentile reads a percent with at most two decimals, in (0, 100].
func parsePercentile(s string) (Percentile, error) {
	whole, frac, _ := strings.Cut(s, ".")
	bad := fmt.Errorf("percentile %s: write a percent from 0.01 to 100 with at most two decimals, e.g. 50, 90 or 99.9", s)
	if len(frac) > 2 || whole == "" || strings.ContainsAny(s, "eE_+-") {
		return Percentile{}, bad
	}
	w, err := strconv.Atoi(whole)
	if err != nil {
		return Percentile{}, bad
	}
	f := 0
	if frac != "" {
		if f, err = strconv.Atoi(frac + strings.Repeat("0", 2-len(frac))); err != nil {
			return Percentile{}, bad
		}
	}
	bp := w*100 + f
	if bp < 1 || bp > 10000 {
		return Percentile{}, bad
	}
	return Percentile{Basis: bp, Text: s}, nil
}

// Label names the percentile in column names: 50 is "p50", 99.9 "p99_9".
func (p Percentile) Label() string {
	s := strconv.Itoa(p.Basis / 100)
	if r := p.Basis % 100; r != 0 {
		s += "_" + strings.TrimRight(fmt.Sprintf("%02d", r), "0")
	}
	return "p" + s
}

// Long reports whether the funnel's report table has the long layout.
func (f *Funnel) Long() bool { return f.Report.Layout == LayoutLong }

// Percentiles returns the funnel's percentiles in basis points, as declared.
func (f *Funnel) Percentiles() []int {
	var out []int
	for _, p := range f.Report.Percentiles {
		out = append(out, p.Basis)
	}
	return out
}

// HistogramEdges returns the edges of the histogram buckets in units of
// the time precision (units per second), the first one 0: bucket i holds
// the times v with edge i <= v < edge i+1, the last every v >= its edge.
// None without a histogram.
func (f *Funnel) HistogramEdges(units int64) []int64 {
	ds := f.histogram()
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = int64(d) * units / int64(time.Second)
	}
	return out
}

// histogram returns the declared edges with 0 first.
func (f *Funnel) histogram() []time.Duration {
	if len(f.Report.Histogram) == 0 {
		return nil
	}
	var out []time.Duration
	if f.Report.Histogram[0].D != 0 {
		out = append(out, 0)
	}
	for _, d := range f.Report.Histogram {
		out = append(out, d.D)
	}
	return out
}

// BucketLabels names the histogram buckets in column names: "0s_1m",
// "1m_5m", ..., and the last "1h_up".
func (f *Funnel) BucketLabels() []string {
	ds := f.histogram()
	out := make([]string, len(ds))
	for i, d := range ds {
		if i+1 < len(ds) {
			out[i] = durationLabel(d) + "_" + durationLabel(ds[i+1])
		} else {
			out[i] = durationLabel(d) + "_up"
		}
	}
	return out
}

// durationLabel writes d in its largest unit that divides it: 90s, 1m, 1500ms.
func durationLabel(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}, {time.Second, "s"}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
}

// longColumns are the columns of a long-layout report table: the
// breakdowns, the stage, its count, rates and, in ordered mode, the times
// to convert from the entry and from the previous step: median, average,
// percentiles and histogram buckets. Every column but the breakdowns and
// the stage describes the row's stage (Stage -1).
func (f *Funnel) longColumns(cols []ReportColumn) []ReportColumn {
	r := &f.Report
	add := func(name, typ string, kind ColumnKind, comment string) *ReportColumn {
		cols = append(cols, ReportColumn{Name: name, Type: typ, Kind: kind, Stage: -1, Pattern: "layout", Comment: comment})
		return &cols[len(cols)-1]
	}
	add("stage", "STRING", KindStage, "the stage: "+strings.Join(stageNames(f), ", "))
	add("stage_index", "BIGINT", KindStageIndex, "the stage's place in the funnel, from 1")
	unit := map[string]string{ModeEvents: "events", ModeUsers: "users", ModeOrdered: "users"}[f.Mode]
	add(unit, r.CountType, KindCount, map[string]string{
		ModeEvents: "rows of the stage", ModeUsers: "distinct users with a row of the stage", ModeOrdered: "users who reached the stage in order"}[f.Mode])
	rateType := "DOUBLE"
	if r.RateFormat == "percent" {
		rateType = "STRING"
	}
	add("step_rate", rateType, KindStepRate, unit+" / the previous stage's; NULL on the first stage or when that is 0")
	add("overall_rate", rateType, KindOverallRate, unit+" / the first stage's; NULL on the first stage or when that is 0")
	if f.Mode != ModeOrdered {
		return cols
	}
	first := f.Stages[0].Name
	for _, step := range []bool{false, true} {
		prefix, from := "", "from "+first
		if step {
			prefix, from = "step_", "from the previous stage"
		}
		add(prefix+"median_seconds", "DOUBLE", KindMedianSeconds, "median seconds "+from+" to the stage").Step = step
		add(prefix+"avg_seconds", "DOUBLE", KindAvgSeconds, "average seconds "+from+" to the stage").Step = step
		for _, p := range r.Percentiles {
			c := add(prefix+p.Label()+"_seconds", "DOUBLE", KindPercentile, fmt.Sprintf("percentile %s (nearest rank) of the seconds %s to the stage", p.Text, from))
			c.Step, c.Percentile = step, p.Basis
		}
		for i, l := range f.BucketLabels() {
			lo, hi, _ := strings.Cut(l, "_")
			what := fmt.Sprintf("from %s to less than %s", lo, hi)
			if hi == "up" {
				what = lo + " or more"
			}
			c := add(prefix+"h_"+l, "BIGINT", KindBucket, fmt.Sprintf("users who reached the stage %s after %s", what, strings.TrimPrefix(from, "from ")))
			c.Step, c.Bucket = step, i
		}
	}
	return cols
}

func stageNames(f *Funnel) []string {
	var out []string
	for _, s := range f.Stages {
		out = append(out, s.Name)
	}
	return out
}
