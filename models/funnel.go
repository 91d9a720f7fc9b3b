package models

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// ColumnKind says what a report column holds.
type ColumnKind int

const (
	KindDimension ColumnKind = iota
	KindCount
	KindStepRate
	KindOverallRate
	KindMedianSeconds
	KindAvgSeconds
	KindPercentile // long layout: a percentile of the times to convert
	KindBucket     // long layout: the users in a histogram bucket of the times to convert
	KindStage      // long layout: the stage's name
	KindStageIndex // long layout: the stage's place, from 1
)

// ReportColumn is one column of a funnel's report table.
type ReportColumn struct {
	Name string
	Type string
	Kind ColumnKind
	// Stage is the 0-based stage the column describes (counts and rates), or
	// -1: a breakdown, or in the long layout every column, which describes
	// the row's stage.
	Stage int
	// Step: a time column is of the times from the previous stage, not from
	// the entry.
	Step bool
	// Percentile is a KindPercentile column's percentile in basis points.
	Percentile int
	// Bucket is a KindBucket column's bucket, an index of
	// Funnel.HistogramEdges.
	Bucket int
	// Dimension is the DW column a KindDimension column reports.
	Dimension string
	// Pattern is the report key that named the column, e.g. "step_rate_column".
	Pattern string
	Comment string
}

// Describe names the column's meaning for messages.
func (c ReportColumn) Describe() string {
	stage := fmt.Sprintf(" of stage %d", c.Stage+1)
	if c.Stage < 0 {
		stage = ""
	}
	times := "seconds to"
	if c.Step {
		times = "step seconds to"
	}
	if c.Stage >= 0 {
		times += fmt.Sprintf(" stage %d", c.Stage+1)
	}
	switch c.Kind {
	case KindDimension:
		return "breakdown " + c.Dimension
	case KindCount:
		return "count" + stage
	case KindStepRate:
		return "step rate" + stage
	case KindOverallRate:
		return "overall rate" + stage
	case KindMedianSeconds:
		return "median " + times
	case KindAvgSeconds:
		return "average " + times
	case KindPercentile:
		return fmt.Sprintf("percentile %d bp of %s", c.Percentile, times)
	case KindBucket:
		return fmt.Sprintf("histogram bucket %d of %s", c.Bucket+1, times)
	case KindStage:
		return "stage name"
	default:
		return "stage index"
	}
}

// expand is a column name pattern for stage k of f: its placeholders
// {stage}, {from} (the stage before) and {funnel} replaced.
func expand(pattern string, f *Funnel, k int) string {
	from := ""
	if k > 0 {
		from = f.Stages[k-1].Name
	}
	return placeholders(f.Stages[k].Name, from, f.Name).Replace(pattern)
}

// patterns are the report's column name patterns, by their keys in
// funnel.toml.
func (r *Report) patterns() map[string]string {
	return map[string]string{
		"count_column": r.CountColumn, "step_rate_column": r.StepRateColumn, "overall_rate_column": r.OverallRateColumn,
		"median_seconds_column": r.MedianSecondsColumn, "avg_seconds_column": r.AvgSecondsColumn,
		"step_median_seconds_column": r.StepMedianSecondsColumn, "step_avg_seconds_column": r.StepAvgSecondsColumn,
	}
}

// placeholders replaces a column name pattern's placeholders with stage,
// from and funnel.
func placeholders(stage, from, funnel string) *strings.Replacer {
	return strings.NewReplacer("{stage}", stage, "{from}", from, "{funnel}", funnel)
}

// ReportColumns returns the report table's columns in table order: breakdown
// dimensions, a count per stage, then step rates, overall rates and, in
// ordered mode, time-to-stage statistics for every stage after the first.
func (f *Funnel) ReportColumns() []ReportColumn {
	r := &f.Report
	var cols []ReportColumn
	for _, d := range f.Breakdowns {
		comment := fmt.Sprintf("%s; %q on the total row, %q when NULL or empty", d, r.TotalMarker, r.NullMarker)
		if f.BreakdownLimit > 0 {
			comment += fmt.Sprintf(", %q for the values beyond the top %d", r.OtherMarker, f.BreakdownLimit)
		}
		if f.Mode != ModeEvents {
			// FUNNELS.md: "say so in the output", and BI tools read the table.
			period := "day"
			if f.Hourly() {
				period = "hour"
			}
			comment += fmt.Sprintf("; first touch: a user counts under the value of their first %s row of the %s", f.Stages[0].Name, period)
			if f.Mode == ModeUsers {
				comment += ", or without one of their first stage row"
			}
		}
		cols = append(cols, ReportColumn{Name: d, Type: "STRING", Kind: KindDimension, Stage: -1, Dimension: d, Pattern: "breakdowns", Comment: comment})
	}
	if f.Long() {
		return f.longColumns(cols)
	}
	unit := map[string]string{ModeEvents: "events", ModeUsers: "distinct users", ModeOrdered: "users who reached it in order"}[f.Mode]
	for k, s := range f.Stages {
		cols = append(cols, ReportColumn{Name: expand(r.CountColumn, f, k), Type: r.CountType, Kind: KindCount, Stage: k, Pattern: "count_column",
			Comment: fmt.Sprintf("stage %d %s: %s", k+1, s.Name, unit)})
	}
	rateType := "DOUBLE"
	if r.RateFormat == "percent" {
		rateType = "STRING"
	}
	add := func(pattern, key string, kind ColumnKind, typ, comment string) {
		if pattern == "" {
			return
		}
		for k := 1; k < len(f.Stages); k++ {
			cols = append(cols, ReportColumn{Name: expand(pattern, f, k), Type: typ, Kind: kind, Stage: k, Pattern: key,
				Step:    strings.HasPrefix(key, "step_") && kind != KindStepRate,
				Comment: fmt.Sprintf(comment, f.Stages[k].Name, f.Stages[k-1].Name, f.Stages[0].Name)})
		}
	}
	add(r.StepRateColumn, "step_rate_column", KindStepRate, rateType, "%[1]s / %[2]s; NULL when %[2]s is 0")
	add(r.OverallRateColumn, "overall_rate_column", KindOverallRate, rateType, "%[1]s / %[3]s; NULL when %[3]s is 0")
	if f.Mode == ModeOrdered {
		add(r.MedianSecondsColumn, "median_seconds_column", KindMedianSeconds, "DOUBLE", "median seconds from %[3]s to %[1]s")
		add(r.AvgSecondsColumn, "avg_seconds_column", KindAvgSeconds, "DOUBLE", "average seconds from %[3]s to %[1]s")
		add(r.StepMedianSecondsColumn, "step_median_seconds_column", KindMedianSeconds, "DOUBLE", "median seconds from %[2]s to %[1]s")
		add(r.StepAvgSecondsColumn, "step_avg_seconds_column", KindAvgSeconds, "DOUBLE", "average seconds from %[2]s to %[1]s")
	}
	return cols
}

// Comments ReportColumns gives a stage's columns, read back by ColumnOrigin.
var (
	countCommentRE = regexp.MustCompile(`^stage \d+ (\S+): `)
	rateCommentRE  = regexp.MustCompile(`^(\S+) / (\S+); NULL when `)
	timesCommentRE = regexp.MustCompile(`^(?:median|average) seconds from (\S+) to (\S+)$`)
)

// ColumnOrigin reads back, from the comment ReportColumns gave a wide report
// column named name, what of a funnel made it: the breakdown it reports, or
// the stages it is of, its own first (a rate's or time's second is the
// stage it is measured from). Both are empty when the comment does not say
// (the long layout's columns, or a comment fgen did not write). It names
// what made a live report column that funnel.toml no longer gives.
func ColumnOrigin(name, comment string) (breakdown string, stages []string) {
	if strings.HasPrefix(comment, name+"; ") && strings.Contains(comment, " on the total row") {
		return name, nil
	}
	if m := countCommentRE.FindStringSubmatch(comment); m != nil {
		return "", m[1:]
	}
	if m := rateCommentRE.FindStringSubmatch(comment); m != nil {
		return "", m[1:]
	}
	if m := timesCommentRE.FindStringSubmatch(comment); m != nil {
		return "", []string{m[2], m[1]}
	}
	return "", nil
}

// StageEvents returns every event value of the funnel's stages, in stage order.
func (f *Funnel) StageEvents() []string {
	var out []string
	for _, s := range f.Stages {
		out = append(out, s.Events...)
	}
	return out
}

// StageEventSets returns the event values of each stage, in stage order.
func (f *Funnel) StageEventSets() [][]string {
	var out [][]string
	for _, s := range f.Stages {
		out = append(out, s.Events)
	}
	return out
}

// KnownEvents returns, per event column, the event values of every funnel on
// it, sorted (integer codes as numbers); the DW node keeps only these rows
// when DropUnknownEvents is set.
func (c *Config) KnownEvents() (columns []string, values map[string][]string) {
	values = map[string][]string{}
	seen := map[string]map[string]bool{}
	for _, f := range c.Funnels {
		col := f.EventColumn
		if seen[col] == nil {
			seen[col] = map[string]bool{}
			columns = append(columns, col)
		}
		for _, e := range f.StageEvents() {
			if !seen[col][e] {
				seen[col][e] = true
				values[col] = append(values[col], e)
			}
		}
	}
	for _, col := range columns {
		if c, ok := c.ODS.Column(col); ok && IsInteger(c.Type) {
			// Event codes (validate checked they are integers), in
			// numeric order.
			slices.SortFunc(values[col], func(a, b string) int {
				x, _ := strconv.ParseInt(a, 10, 64)
				y, _ := strconv.ParseInt(b, 10, 64)
				return cmp.Compare(x, y)
			})
			continue
		}
		sort.Strings(values[col])
	}
	return columns, values
}
