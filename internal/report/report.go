// Package report renders funnels' RPT tables, as read back by 'fgen report', in one of four
// formats: a plain-text terminal table, JSON, CSV, or one self-contained HTML page with SVG
// charts. A page may hold several funnels (WriteAll). Rendering is pure: the same reports
// give the same bytes, with no timestamps, host names or paths added.
//
// What the numbers mean is defined in FUNNELS.md; this package only shows them.
package report

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Report is one funnel's RPT table, or the part of it that was asked for.
type Report struct {
	Funnel      string   // funnel name
	Description string   // the funnel's description, "" when none (shown by html only)
	Table       string   // RPT table it was read from
	Mode        string   // "events" | "users" | "ordered"
	Window      string   // e.g. "1h" for ordered, else ""
	DayBoundary string   // "cross_midnight" for such an ordered funnel, else "" (or "within_day")
	Stages      []string // stage names in order
	Breakdowns  []string // dimension names; empty when none
	TotalMarker string   // e.g. "all": the value dims carry on the total row
	Attribution string   // "" or e.g. "users are attributed to their first browse of the day (first touch)"
	// Breakdown limit: per day and breakdown, the BreakdownLimit values with the largest
	// first-stage count keep their rows and the others share one, whose breakdown value is
	// OtherMarker. 0 and "" without a limit.
	BreakdownLimit int
	OtherMarker    string
	// Ordered mode, what the table holds of the times to convert besides the median and
	// average from the entry: StepTimes, the median and average from the previous stage
	// (Row.StepMedianSeconds, StepAvgSeconds); Percentiles, the labels of the percentiles
	// of both series ("p50", "p99.9"), which index Row.Percentiles' and StepPercentiles'
	// second dimension; Buckets, the labels of the histogram buckets ("0s–10s", ..., "1h+"),
	// which index Row.Histogram's and StepHistogram's, and BucketEdges their lower edges in
	// seconds (the first 0; a bucket holds the times from its edge to the next one's, the
	// last has no upper edge).
	StepTimes bool
	// NoTimes: the report table has no median or average time from the
	// entry (an ordered funnel without median_seconds_column and
	// avg_seconds_column); the table format leaves those columns out.
	NoTimes bool
	// NoMedian, NoAvg: the report table has no median, or no average,
	// time from the entry; NoStepMedian, NoStepAvg the same of the step
	// times (with StepTimes). The html format leaves those out.
	NoMedian, NoAvg, NoStepMedian, NoStepAvg bool

	Percentiles []string
	Buckets     []string
	BucketEdges []float64
	Rows        []Row // sorted by Dt, total row first within a day
	// DaysWithoutRows are the business days asked for that the table has no rows of
	// (yyyymmdd, in order): days apply has not written. The caller knows what was asked;
	// Read leaves it nil.
	DaysWithoutRows []string
	// DaysWithoutODS are those of DaysWithoutRows whose partition of the ODS table
	// (named ODS) is missing too: apply cannot fill them before they are loaded. The
	// caller knows where it probed them; Read leaves them nil.
	DaysWithoutODS []string
	ODS            string
	// ODSHourly: the ODS table is partitioned by hour too, and a day of
	// DaysWithoutODS lacks some of its 24 hour partitions, or all.
	ODSHourly bool
	// DaysOfOtherDefinition are the days (yyyymmdd, in order) whose rows the
	// table holds but Read left out, as rows an earlier definition of the
	// funnel wrote, whose shape funnel.toml's does not write (a breakdown
	// or a stage since removed, or added, a stage moved); OtherDefinition
	// says why of each. 'fgen apply' of the days writes them again, and
	// where OtherDefinitionRecreate (the table has columns funnel.toml no
	// longer writes: a breakdown removed) recreates the table first.
	DaysOfOtherDefinition, OtherDefinition []string
	OtherDefinitionRecreate                bool
	// MarkerValuesLeftOut counts the table rows Read left out of breakdown
	// values that are the total marker, in the long layout of two
	// breakdowns or more, whose table rows do not say which breakdown's
	// they are (see addRows): the day's total is kept.
	MarkerValuesLeftOut int
}

// againText says how the days of an earlier definition are written again.
func (r *Report) againText() string {
	days, them := "those days", "them"
	if len(r.DaysOfOtherDefinition) == 1 {
		days, them = "that day", "it"
	}
	if r.OtherDefinitionRecreate {
		return fmt.Sprintf("'fgen apply --allow-destructive' of %s writes %s again, recreating the table first (which drops its other days)", days, them)
	}
	return fmt.Sprintf("'fgen apply' of %s writes %s again", days, them)
}

// Row is one day and one breakdown value, or the day's total.
type Row struct {
	Dt           string            // yyyymmdd
	Hour         string            // 00 to 23, for a row of an hourly funnel (grain = "hour"), which Read alone fills
	Dims         map[string]string // breakdown -> value (TotalMarker on the total row)
	Counts       []int64           // per stage
	StepRates    []*float64        // per stage, index 0 nil; nil = undefined (denominator 0)
	OverallRates []*float64        // per stage, index 0 nil
	// Ordered mode only, may be nil slices. Index k >= 1: median and mean seconds from the
	// chain's first stage to reaching stage k+1; nil when no user reached it.
	MedianSeconds, AvgSeconds []*float64
	// The same of the step times, from reaching the previous stage.
	StepMedianSeconds, StepAvgSeconds []*float64
	// Ordered mode with percentiles (nil otherwise): Percentiles[k][i] is percentile i of
	// the funnel's (models.Funnel.Percentiles) of the seconds from the entry to stage k+1,
	// k >= 1; nil when no user reached it. StepPercentiles: of the step times.
	Percentiles, StepPercentiles [][]*float64
	// Ordered mode with a histogram (nil otherwise): Histogram[k][b] is the users who
	// reached stage k+1, k >= 1, within bucket b (models.Funnel.BucketLabels) of the
	// entry. StepHistogram: of the step times.
	Histogram, StepHistogram [][]int64
	// Cells are the report columns as the table holds them, by CellKey (the column name
	// in the wide layout; nil: NULL), when the row was read from a table.
	Cells map[string]*string
	// Provisional marks a row computed before all the data it depends on had landed (a
	// cross_midnight funnel's day whose next day was missing): its numbers may still change
	// when the day is computed again. Every row of a day carries the same mark; see
	// MarkProvisional. Read leaves it false: the caller knows the bookkeeping.
	Provisional bool
	// OutOfDate, when not "", says why apply would write the row again (its SQL
	// changed, or its day's input changed since): see MarkOutOfDate. Read leaves it "".
	OutOfDate string
	// stages counts the table rows of the long layout gathered into the row.
	stages int
	// markerValue: the row of a breakdown value that is the total marker
	// (a brand named "all"), whose breakdown values are the total row's:
	// not the day's total (markerValues).
	markerValue bool
}

// MarkOutOfDate marks every row of the business days dts out of date, for why.
func (r *Report) MarkOutOfDate(why string, dts ...string) {
	for i := range r.Rows {
		if slices.Contains(dts, r.Rows[i].Dt) {
			r.Rows[i].OutOfDate = why
		}
	}
}

// MarkProvisional marks every row of the business days dts (yyyymmdd) provisional.
func (r *Report) MarkProvisional(dts ...string) {
	for i := range r.Rows {
		for _, dt := range dts {
			if r.Rows[i].Dt == dt {
				r.Rows[i].Provisional = true
			}
		}
	}
}

// Format is an output format of Write.
type Format string

// The formats Write knows.
const (
	FormatTable Format = "table" // plain text for a terminal, one block per day
	FormatJSON  Format = "json"  // see writeJSON for the schema; one object per report
	FormatCSV   Format = "csv"   // one line per row and stage; one report only
	FormatHTML  Format = "html"  // one self-contained page with SVG charts, all reports on it
)

var formats = []Format{FormatTable, FormatJSON, FormatCSV, FormatHTML}

// Formats returns the formats Write knows, in the order help texts list them.
func Formats() []Format { return append([]Format(nil), formats...) }

func formatList() string {
	s := make([]string, len(formats))
	for i, f := range formats {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// ParseFormat returns the Format named s (case and surrounding spaces ignored), or an error
// that lists the valid formats.
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	for _, g := range formats {
		if f == g {
			return g, nil
		}
	}
	if f == "" {
		return "", fmt.Errorf("empty report format; use one of %s", formatList())
	}
	return "", fmt.Errorf("unknown report format %q; use one of %s", s, formatList())
}

// Write renders r to w in format f. Nothing is written when r is invalid (see Validate) or f
// unknown; the output is rendered in memory and written with one call.
func Write(w io.Writer, r *Report, f Format) error {
	if r == nil {
		return errors.New("no report to write")
	}
	return WriteAll(w, []*Report{r}, f)
}

// WriteAll renders the reports of several funnels, in order, as one output: the table format
// puts them one after another, separated by a blank line; JSON writes one object per report,
// one after another (a JSON stream, as jq and encoding/json's Decoder read it); HTML writes
// one page with a table of contents when there is more than one report. CSV holds one report
// only: its columns depend on the funnel. With one report, WriteAll writes what Write writes.
// Nothing is written when a report is invalid or f unknown.
func WriteAll(w io.Writer, rs []*Report, f Format) error {
	if len(rs) == 0 {
		return errors.New("no report to write")
	}
	ns := make([]*Report, len(rs))
	for i, r := range rs {
		if r == nil {
			return errors.New("no report to write")
		}
		if err := r.Validate(); err != nil {
			return fmt.Errorf("report of funnel %s: %w", r.Funnel, err)
		}
		ns[i] = r.normalized()
	}
	var b bytes.Buffer
	var err error
	each := func(write func(*bytes.Buffer, *Report) error, sep string) error {
		for i, n := range ns {
			if i > 0 {
				b.WriteString(sep)
			}
			if err := write(&b, n); err != nil {
				return fmt.Errorf("render %s report of funnel %s: %w", f, n.Funnel, err)
			}
		}
		return nil
	}
	switch f {
	case FormatTable:
		// A rule between funnels: the notes that open a funnel's section
		// (its attribution, its breakdown limit) would otherwise read as
		// the end of the one before.
		err = each(writeTable, "\n"+strings.Repeat("─", 72)+"\n\n")
	case FormatJSON:
		err = each(writeJSON, "")
	case FormatCSV:
		if len(ns) > 1 {
			return fmt.Errorf("the csv format holds one funnel's rows, not %d; name one funnel, or use json or html", len(ns))
		}
		err = each(writeCSV, "")
	case FormatHTML:
		if err = writeHTML(&b, ns); err != nil {
			err = fmt.Errorf("render html report: %w", err)
		}
	default:
		return fmt.Errorf("unknown report format %q; use one of %s", f, formatList())
	}
	if err != nil {
		return err
	}
	_, err = w.Write(b.Bytes())
	return err
}

// Validate reports the first inconsistency in r: no stages, a row whose slices do not have one
// entry per stage, or a row without a value for some breakdown. Nil rate and timing slices are
// allowed (Write computes the rates from the counts, and shows missing timings as undefined).
func (r *Report) Validate() error {
	switch r.Mode {
	case "events", "users", "ordered":
	default:
		return fmt.Errorf("mode %q: want events, users or ordered", r.Mode)
	}
	if len(r.Stages) == 0 {
		return errors.New("no stages")
	}
	if r.BucketEdges != nil && len(r.BucketEdges) != len(r.Buckets) {
		return fmt.Errorf("%d bucket edges for %d buckets", len(r.BucketEdges), len(r.Buckets))
	}
	n := len(r.Stages)
	for i, row := range r.Rows {
		where := func(format string, args ...any) error {
			return fmt.Errorf("row %d (dt %s): %s", i+1, row.Dt, fmt.Sprintf(format, args...))
		}
		if len(row.Counts) != n {
			return where("%d counts for %d stages", len(row.Counts), n)
		}
		for _, s := range []struct {
			name string
			v    []*float64
		}{
			{"step rates", row.StepRates},
			{"overall rates", row.OverallRates},
			{"median seconds", row.MedianSeconds},
			{"average seconds", row.AvgSeconds},
			{"step median seconds", row.StepMedianSeconds},
			{"step average seconds", row.StepAvgSeconds},
		} {
			if s.v != nil && len(s.v) != n {
				return where("%d %s for %d stages", len(s.v), s.name, n)
			}
		}
		for _, s := range []struct {
			name string
			v    [][]*float64
		}{{"percentiles", row.Percentiles}, {"step percentiles", row.StepPercentiles}} {
			if s.v != nil && len(s.v) != n {
				return where("%d stages of %s for %d stages", len(s.v), s.name, n)
			}
			for k, p := range s.v {
				if p != nil && len(p) != len(r.Percentiles) {
					return where("%d %s of stage %d for %d percentiles", len(p), s.name, k+1, len(r.Percentiles))
				}
			}
		}
		for _, s := range []struct {
			name string
			v    [][]int64
		}{{"histogram", row.Histogram}, {"step histogram", row.StepHistogram}} {
			if s.v != nil && len(s.v) != n {
				return where("%d stages of %s for %d stages", len(s.v), s.name, n)
			}
			for k, h := range s.v {
				if h != nil && len(h) != len(r.Buckets) {
					return where("%d buckets of the %s of stage %d for %d buckets", len(h), s.name, k+1, len(r.Buckets))
				}
			}
		}
		for _, d := range r.Breakdowns {
			if _, ok := row.Dims[d]; !ok {
				return where("no value for breakdown %s", d)
			}
		}
	}
	return nil
}

// normalized returns a copy of r in which every row has rate slices (computed from the counts
// where missing) and, in ordered mode, timing slices (all undefined where missing); outside
// ordered mode the timings are dropped.
func (r *Report) normalized() *Report {
	c := *r
	if !c.ordered() {
		c.StepTimes, c.Percentiles, c.Buckets, c.BucketEdges = false, nil, nil, nil
	}
	c.Rows = make([]Row, len(r.Rows))
	n := len(r.Stages)
	for i, row := range r.Rows {
		if row.StepRates == nil || row.OverallRates == nil {
			step, overall := Rates(row.Counts)
			if row.StepRates == nil {
				row.StepRates = step
			}
			if row.OverallRates == nil {
				row.OverallRates = overall
			}
		}
		if c.ordered() {
			if row.MedianSeconds == nil {
				row.MedianSeconds = make([]*float64, n)
			}
			if row.AvgSeconds == nil {
				row.AvgSeconds = make([]*float64, n)
			}
			if row.StepMedianSeconds == nil && c.StepTimes {
				row.StepMedianSeconds = make([]*float64, n)
			}
			if row.StepAvgSeconds == nil && c.StepTimes {
				row.StepAvgSeconds = make([]*float64, n)
			}
		} else {
			row.MedianSeconds, row.AvgSeconds = nil, nil
			row.StepMedianSeconds, row.StepAvgSeconds = nil, nil
			row.Percentiles, row.StepPercentiles, row.Histogram, row.StepHistogram = nil, nil, nil, nil
		}
		c.Rows[i] = row
	}
	return &c
}

// Rates returns the step and overall conversion rates of counts as FUNNELS.md defines them:
// index 0 nil, index k counts[k]/counts[k-1] and counts[k]/counts[0], nil when the
// denominator is 0.
func Rates(counts []int64) (step, overall []*float64) {
	step = make([]*float64, len(counts))
	overall = make([]*float64, len(counts))
	div := func(a, b int64) *float64 {
		if b == 0 {
			return nil
		}
		v := float64(a) / float64(b)
		return &v
	}
	for k := 1; k < len(counts); k++ {
		step[k] = div(counts[k], counts[k-1])
		overall[k] = div(counts[k], counts[0])
	}
	return step, overall
}

func (r *Report) ordered() bool { return r.Mode == "ordered" }

// times reports whether the report has the median and average times from
// the entry: an ordered funnel's, unless NoTimes.
func (r *Report) times() bool { return r.ordered() && !r.NoTimes }

// distributions reports whether the report has percentiles or a histogram of the times to
// convert.
func (r *Report) distributions() bool {
	return r.ordered() && (len(r.Percentiles) > 0 || len(r.Buckets) > 0)
}

// isOther reports whether row is the row of the values beyond the breakdown limit: some
// breakdown carries the other marker.
func (r *Report) isOther(row *Row) bool {
	if r.BreakdownLimit <= 0 {
		return false
	}
	for _, d := range r.Breakdowns {
		if row.Dims[d] == r.OtherMarker {
			return true
		}
	}
	return false
}

// limitText says what the breakdown limit keeps: "per day, the 20 values of device_brand
// with the most browse users keep their rows; the others share the row "other"", or "".
func (r *Report) limitText() string {
	if r.BreakdownLimit <= 0 || len(r.Breakdowns) == 0 {
		return ""
	}
	unit := " users"
	if r.Mode == "events" {
		unit = " events"
	}
	where, of := "per day and breakdown", ""
	if len(r.Breakdowns) == 1 {
		where, of = "per day", " of "+r.Breakdowns[0]
	}
	keep := "keep their rows"
	if r.BreakdownLimit == 1 {
		keep = "keeps its row"
	}
	return fmt.Sprintf("%s, the %s%s with the most %s %s; the others share the row %q",
		where, plural(r.BreakdownLimit, "value"), of, r.Stages[0]+unit, keep, r.OtherMarker)
}

// otherLabel labels the breakdown limit's other row in the html charts and tables:
// "other (beyond the top 20)".
func (r *Report) otherLabel() string {
	return fmt.Sprintf("%s (beyond the top %d)", r.OtherMarker, r.BreakdownLimit)
}

// pct is percentile i of stage k's times (from the previous stage when step), nil when
// undefined or missing.
func pct(row *Row, step bool, k, i int) *float64 {
	v := row.Percentiles
	if step {
		v = row.StepPercentiles
	}
	if k >= len(v) || i >= len(v[k]) {
		return nil
	}
	return v[k][i]
}

// bucket is the count of stage k's users in histogram bucket b (from the previous stage when
// step), nil when missing.
func bucket(row *Row, step bool, k, b int) *int64 {
	v := row.Histogram
	if step {
		v = row.StepHistogram
	}
	if k >= len(v) || b >= len(v[k]) {
		return nil
	}
	return &v[k][b]
}

// isTotal reports whether row is a day's total: every breakdown carries the total marker (so
// every row is a total without breakdowns), and it is no value that is the marker.
func (r *Report) isTotal(row *Row) bool {
	return !row.markerValue && r.allMarkers(row)
}

// allMarkers reports whether every breakdown of row carries the total marker: the day's
// total, or a breakdown's value that is the marker (markerValues).
func (r *Report) allMarkers(row *Row) bool {
	for _, d := range r.Breakdowns {
		if row.Dims[d] != r.TotalMarker {
			return false
		}
	}
	return true
}

// label names row's breakdown value for a heading: "total", or "device=x, os=y" over the
// breakdowns that do not carry the total marker.
func (r *Report) label(row *Row) string {
	if r.isTotal(row) {
		return "total"
	}
	if row.markerValue {
		// Of which breakdown, the rows do not say.
		return strings.Join(r.Breakdowns, " or ") + "=" + printable(r.TotalMarker)
	}
	var parts []string
	for _, d := range r.Breakdowns {
		if v := row.Dims[d]; v != r.TotalMarker {
			parts = append(parts, d+"="+printable(v))
		}
	}
	return strings.Join(parts, ", ")
}

// printable writes a value on one line of the table: a value with a
// control character (a newline, a tab) or an invalid byte is written as a
// Go string literal ("a\nb"), which names them, and any other as it is.
func printable(v string) string {
	if !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl) {
		return strconv.Quote(v)
	}
	return v
}

// day is the rows of one dt, in input order.
type day struct {
	Dt          string
	Rows        []*Row
	Total       *Row   // the first total row, nil if the day has none
	Provisional bool   // some row of the day is provisional
	OutOfDate   string // why apply would write the day's rows again (Row.OutOfDate), "" when current
	// OtherDefinition: a day of Report.DaysOfOtherDefinition, without rows
	// (an axis day, see axisDays).
	OtherDefinition bool
}

// days groups r's rows by dt, days in order of first appearance.
func (r *Report) days() []day {
	var out []day
	index := map[string]int{}
	for i := range r.Rows {
		row := &r.Rows[i]
		j, ok := index[row.Dt]
		if !ok {
			j = len(out)
			index[row.Dt] = j
			out = append(out, day{Dt: row.Dt})
		}
		out[j].Rows = append(out[j].Rows, row)
		out[j].Provisional = out[j].Provisional || row.Provisional
		out[j].OutOfDate = cmp.Or(out[j].OutOfDate, row.OutOfDate)
		if out[j].Total == nil && r.isTotal(row) {
			out[j].Total = row
		}
	}
	return out
}

// modeText describes the mode for headings: "events mode", "ordered mode, window 1h",
// "ordered mode, window 30m, cross midnight".
func (r *Report) modeText() string {
	s := r.Mode + " mode"
	if r.Window != "" {
		s += ", window " + r.Window
	}
	if r.crossMidnight() {
		s += ", cross midnight"
	}
	return s
}

func (r *Report) crossMidnight() bool { return r.DayBoundary == "cross_midnight" }

// emptyText is the message for a report without rows, and, where it left
// out days of an earlier definition, those.
func (r *Report) emptyText() string {
	s := "no rows for funnel " + r.Funnel
	if r.Table != "" {
		s += " in " + r.Table
	}
	if other := r.DaysOfOtherDefinition; len(other) > 0 {
		s += fmt.Sprintf(" but an earlier definition's, left out: %s (%s: %s); %s", formatDayRuns(other), formatDate(other[0]), r.OtherDefinition[0], r.againText())
	}
	return s
}
