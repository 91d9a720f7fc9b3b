// Package funneltest is the engine-free half of fgen's end-to-end tests
// (internal/e2e), as net/http/httptest is for HTTP:
// editing a funnel.toml, writing reference rows as the JSON lines 'fgen
// load' reads, and comparing report rows, as 'fgen report' reads them, with
// internal/reference, the independent Go implementation of
// docs/FUNNELS.md. Only tests import it.
package funneltest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/fgen-dev/fgen/internal/reference"
	"github.com/fgen-dev/fgen/internal/report"
	"github.com/fgen-dev/fgen/models"
)

// Edit changes one key of a funnel.toml. Path is dotted, with [i] for an
// element of an array: "funnels[0].report.count_type", "dw.dedup_by".
type Edit struct {
	Path   string
	Value  any  // nil deletes the key
	Append bool // append Value to the array at Path instead of replacing it
}

// Set returns an Edit that sets path to v (nil deletes it).
func Set(path string, v any) Edit { return Edit{Path: path, Value: v} }

// Add returns an Edit that appends v to the array at path.
func Add(path string, v any) Edit { return Edit{Path: path, Value: v, Append: true} }

// Stage is a stage for a Set of "funnels[i].stages".
func Stage(name string, events ...string) map[string]any {
	return map[string]any{"name": name, "events": events}
}

// Column is a column for an Add to "dw.columns" or "ods.columns".
func Column(name, typ string) map[string]any {
	return map[string]any{"name": name, "type": typ}
}

// EditConfig decodes a funnel.toml, applies the edits in order and encodes it
// again. Comments and key order are lost; the meaning is kept.
func EditConfig(base []byte, edits ...Edit) ([]byte, error) {
	var doc map[string]any
	if err := toml.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("decode config: %w", err)
	}
	for _, e := range edits {
		if err := applyEdit(doc, e); err != nil {
			return nil, fmt.Errorf("edit %s: %w", e.Path, err)
		}
	}
	out, err := toml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return out, nil
}

var segmentRE = regexp.MustCompile(`^([A-Za-z0-9_]+)((?:\[[0-9]+\])*)$`)

func applyEdit(doc map[string]any, e Edit) error {
	parts := strings.Split(e.Path, ".")
	var cur any = doc
	for i, part := range parts {
		m := segmentRE.FindStringSubmatch(part)
		if m == nil {
			return fmt.Errorf("bad path segment %q", part)
		}
		table, ok := cur.(map[string]any)
		if !ok {
			return fmt.Errorf("%s is not a table", part)
		}
		key := m[1]
		var idx []int
		for _, s := range strings.Split(strings.Trim(m[2], "[]"), "][") {
			if s != "" {
				n, _ := strconv.Atoi(s)
				idx = append(idx, n)
			}
		}
		last := i == len(parts)-1
		if last && len(idx) == 0 {
			switch {
			case e.Append:
				arr, _ := table[key].([]any)
				table[key] = append(arr, e.Value)
			case e.Value == nil:
				delete(table, key)
			default:
				table[key] = e.Value
			}
			return nil
		}
		next, ok := table[key]
		if !ok {
			if last || len(idx) > 0 {
				return fmt.Errorf("no key %q", key)
			}
			next = map[string]any{} // create a missing table on the way
			table[key] = next
		}
		for j, n := range idx {
			arr, ok := next.([]any)
			if !ok || n >= len(arr) {
				return fmt.Errorf("%s has no element %d", key, n)
			}
			if last && j == len(idx)-1 {
				if e.Append || e.Value == nil {
					return fmt.Errorf("can only set an array element")
				}
				arr[n] = e.Value
				return nil
			}
			next = arr[n]
		}
		cur = next
	}
	return nil
}

// UnsupportedError reports whether err says that a config uses a feature fgen
// does not support yet (a mode, breakdowns), as models.Parse and
// generator.Render word it.
func UnsupportedError(err error) bool {
	return err != nil && strings.Contains(err.Error(), "not yet supported")
}

// Layout says which ODS columns carry which field of a reference.ODSRow.
type Layout struct {
	Partition string
	// HourPartition is the ODS table's hour partition column, "" for a
	// daily ODS; each row's hour is Layout.Hour.
	HourPartition string
	Dedup         string // the column of ODSRow.DedupKey; "" for none
	User          string // ODSRow.User
	Event         string // ODSRow.Event
	// NumericEvent: the event column is BIGINT, and the rows' event values
	// are decimal integers written as JSON numbers.
	NumericEvent bool
	Time         string            // ODSRow.TS; "" for none
	TimeColumn   models.TimeColumn // how the time column reads
	Units        int64             // ODSRow.TS's units per second
	Dims         []string          // ODS string columns filled from ODSRow.Dims
	Types        map[string]string // every ODS column: its type
	Columns      []string          // every ODS column in table order
}

// DimCandidates are ODS columns filled from ODSRow.Dims when the ODS table has
// them, whether or not a funnel breaks down by them.
var DimCandidates = []string{"device_brand", "device", "system_type"}

// NewLayout maps the config's ODS columns: user and event columns of the
// first funnel, the single dedup_by column (or "md5"), the time column of the
// first funnel (or "ts"), and the device columns and breakdowns as
// dimensions. Every funnel must share the first one's user and event column.
func NewLayout(cfg *models.Config) (Layout, error) {
	if len(cfg.Funnels) == 0 {
		return Layout{}, fmt.Errorf("no funnels")
	}
	f := cfg.Funnels[0]
	l := Layout{Partition: cfg.ODS.Partition, HourPartition: cfg.ODS.HourPartition, User: f.UserColumn, Event: f.EventColumn, Types: map[string]string{}}
	for _, g := range cfg.Funnels[1:] {
		if g.UserColumn != f.UserColumn || g.EventColumn != f.EventColumn {
			return Layout{}, fmt.Errorf("funnel %s: the harness needs one user and one event column for all funnels", g.Name)
		}
	}
	for _, c := range cfg.ODS.Columns {
		l.Types[c.Name] = c.Type
		l.Columns = append(l.Columns, c.Name)
	}
	switch len(cfg.DW.DedupBy) {
	case 0:
		if _, ok := l.Types["md5"]; ok {
			l.Dedup = "md5"
		}
	case 1:
		l.Dedup = cfg.DW.DedupBy[0]
	default:
		return Layout{}, fmt.Errorf("dedup_by %v: the reference dedups by one key", cfg.DW.DedupBy)
	}
	l.Time, l.TimeColumn, l.Units = f.TimeColumn.Name, f.TimeColumn, 1
	if col, ok := cfg.ODS.Column(l.Time); ok {
		l.Units = f.TimeColumn.UnitsPerSecond(col.Type)
	}
	if l.Time == "" {
		if _, ok := l.Types["ts"]; ok {
			l.Time = "ts"
		}
	}
	for _, g := range cfg.Funnels {
		if g.TimeColumn.Name != "" && g.TimeColumn.Name != l.Time {
			return Layout{}, fmt.Errorf("funnel %s: the harness needs one time column for all funnels", g.Name)
		}
	}
	for _, d := range append(slices.Clone(DimCandidates), f.Breakdowns...) {
		if t, ok := l.Types[d]; ok && t == "STRING" && !slices.Contains(l.Dims, d) && d != l.User && d != l.Event && d != l.Dedup {
			l.Dims = append(l.Dims, d)
		}
	}
	if t := l.Types[l.Event]; t == "BIGINT" {
		l.NumericEvent = true // WriteJSONL writes the event values as JSON numbers
	}
	for _, c := range []string{l.User, l.Event} {
		if t := l.Types[c]; t != "STRING" && !(c == l.Event && l.NumericEvent) {
			return Layout{}, fmt.Errorf("ODS column %q is %q; the harness needs a STRING user column and a STRING or BIGINT event column", c, t)
		}
	}
	return l, nil
}

// WriteJSONL writes rows as the JSON lines 'fgen load' reads: one object per
// row with every ODS column and the partition column, NULL as null. Columns
// the layout does not map get arbitrary values derived from the row's
// record (dedup key, user, event, time), so copies of one record are equal
// in every column.
func (l Layout) WriteJSONL(w io.Writer, rows []reference.ODSRow) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		obj := make(map[string]any, len(l.Columns)+1)
		h := recordHash(r)
		for _, c := range l.Columns {
			switch {
			case c == l.Dedup:
				obj[c] = nullable(r.DedupKey)
			case c == l.User:
				obj[c] = nullable(r.User)
			case c == l.Event && l.NumericEvent && r.Event != nil:
				obj[c] = json.Number(*r.Event)
			case c == l.Event:
				obj[c] = nullable(r.Event)
			case c == l.Time:
				obj[c] = l.timeValue(r.TS)
			case slices.Contains(l.Dims, c):
				obj[c] = nullable(r.Dims[c])
			default:
				obj[c] = arbitrary(l.Types[c], h^fnvString(c), r.TS)
			}
		}
		obj[l.Partition] = r.Dt
		if l.HourPartition != "" {
			obj[l.HourPartition] = l.Hour(r)
		}
		if err := enc.Encode(obj); err != nil {
			return err
		}
	}
	return nil
}

// TimeText is a time of ts units as a STRING time column holds it.
func (l Layout) TimeText(ts int64) string {
	s, _ := l.timeValue(ts).(string)
	return s
}

// timeValue writes a time of ts units as the time column holds it: the
// number, a DATETIME or TIMESTAMP as UTC wall time to the millisecond, or a
// STRING in the column's format and time zone.
func (l Layout) timeValue(ts int64) any {
	typ := l.Types[l.Time]
	at := time.UnixMilli(ts * (1000 / l.Units)).UTC()
	switch models.TimeKind(typ) {
	case models.TimeDatetime:
		return at.Format("2006-01-02 15:04:05.000")
	case models.TimeString:
		zone, err := time.LoadLocation(l.TimeColumn.Timezone)
		if err != nil {
			panic(err)
		}
		layout, err := l.TimeColumn.GoLayout()
		if err != nil {
			panic(err)
		}
		return at.In(zone).Format(layout)
	}
	return ts
}

func nullable(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func recordHash(r reference.ODSRow) uint64 {
	h := fnv.New64a()
	for _, p := range []*string{r.DedupKey, r.User, r.Event} {
		if p == nil {
			h.Write([]byte{0})
		} else {
			h.Write([]byte{1})
			h.Write([]byte(*p))
		}
	}
	fmt.Fprint(h, r.TS)
	return h.Sum64()
}

// Hash is the FNV-1a hash of s, for deterministic seeds.
func Hash(s string) uint64 { return fnvString(s) }

func fnvString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// arbitrary returns a value of the MaxCompute type typ, now and then NULL.
func arbitrary(typ string, h uint64, ts int64) any {
	h = h*0x9e3779b97f4a7c15 + 1
	if h%11 == 0 {
		return nil
	}
	base, _, _ := strings.Cut(typ, "(")
	switch base {
	case "BIGINT", "INT", "SMALLINT", "TINYINT":
		return int64(h>>40) % 100
	case "DOUBLE", "FLOAT", "DECIMAL":
		return json.Number(fmt.Sprintf("%d.%02d", h>>50, h%100))
	case "BOOLEAN":
		return h%2 == 0
	case "DATETIME", "TIMESTAMP":
		return time.Unix(ts, 0).UTC().Format("2006-01-02 15:04:05")
	case "DATE":
		return time.Unix(ts, 0).UTC().Format("2006-01-02")
	case "STRING", "VARCHAR", "CHAR":
		return fmt.Sprintf("v%x", h>>48)
	}
	return nil
}

// Funnel returns the reference form of funnel i of cfg.
func Funnel(cfg *models.Config, i int) reference.Funnel {
	f := cfg.Funnels[i]
	units := int64(1)
	if col, ok := cfg.DW.Column(f.TimeColumn.Name); ok {
		units = f.TimeColumn.UnitsPerSecond(col.Type)
	}
	rf := reference.Funnel{
		Mode:           f.Mode,
		UnitsPerSecond: units,
		Window:         f.Window.Seconds * units,
		Boundary:       f.DayBoundary,
		Breakdowns:     slices.Clone(f.Breakdowns),
		TotalMarker:    f.Report.TotalMarker,
		NullMarker:     f.Report.NullMarker,
		BreakdownLimit: f.BreakdownLimit,
		OtherMarker:    f.Report.OtherMarker,
		Percentiles:    f.Percentiles(),
		HistogramEdges: f.HistogramEdges(units),
	}
	for _, s := range f.Stages {
		rf.Stages = append(rf.Stages, slices.Clone(s.Events))
	}
	return rf
}

// Rules returns the reference form of the DW cleaning of cfg, for computing
// the reports. reference.Clean always drops rows with a NULL or empty user or
// event and no others, as the reports count them (FUNNELS.md): a config may
// keep NULL or empty events (they are no stage, so they never count) and
// users (the report nodes drop them where the DW node keeps them), and may
// drop nothing else that can be empty.
func (l Layout) Rules(cfg *models.Config) (reference.CleanRules, error) {
	for _, c := range cfg.DW.DropEmpty {
		if c != l.User && c != l.Event && c != l.Time {
			return reference.CleanRules{}, fmt.Errorf("dw.drop_empty has %q; the reference drops only empty users and events", c)
		}
	}
	rules := reference.CleanRules{Dedup: len(cfg.DW.DedupBy) > 0}
	if cfg.DW.DropUnknownEvents {
		rules.KnownEvents = knownEvents(cfg)
	}
	return rules, nil
}

// knownEvents is the set of StageEvents(cfg): the events drop_unknown_events
// keeps.
func knownEvents(cfg *models.Config) map[string]bool {
	known := map[string]bool{}
	for _, e := range StageEvents(cfg) {
		known[e] = true
	}
	return known
}

// CleanAsConfigured returns the ODS rows the DW node of cfg keeps, by the
// rules written in cfg, independently of reference.Clean: rows with a NULL
// or empty value in a drop_empty column go, then (drop_unknown_events) rows
// whose event is no stage of any funnel, then (dedup_by) every row but the
// first of those sharing a partition and a non-NULL dedup key.
func (l Layout) CleanAsConfigured(cfg *models.Config, rows []reference.ODSRow) []reference.ODSRow {
	known := knownEvents(cfg)
	// empty reports whether the row's value of col, as WriteJSONL writes it,
	// is NULL or empty.
	empty := func(r reference.ODSRow, col string) bool {
		v := l.value(r, col)
		return v == nil || v == ""
	}
	type key struct{ dt, k string }
	kept := map[key]int{} // the index in out of the copy of a record kept
	var out []reference.ODSRow
rows:
	for _, r := range rows {
		for _, col := range cfg.DW.DropEmpty {
			if empty(r, col) {
				continue rows
			}
		}
		if cfg.DW.DropUnknownEvents && (r.Event == nil || !known[*r.Event]) {
			continue
		}
		if len(cfg.DW.DedupBy) > 0 && r.DedupKey != nil {
			k := key{r.Dt, *r.DedupKey}
			if i, ok := kept[k]; ok {
				// Of copies that differ (dirty ones the DW node keeps:
				// a NULL user where drop_empty does not name the
				// user), the first by the DW columns in their order, a
				// NULL value after every other (docs/funnels.md).
				if l.dwBefore(cfg, r, out[i]) {
					out[i] = r
				}
				continue
			}
			kept[k] = len(out)
		}
		out = append(out, r)
	}
	return out
}

// dwBefore reports whether ODS row a comes before b by the DW columns of
// cfg in their order, a NULL value after every other: the copy of a
// record the DW node's dedup keeps.
func (l Layout) dwBefore(cfg *models.Config, a, b reference.ODSRow) bool {
	for _, c := range cfg.DW.Columns {
		if n := compareValues(l.value(a, c.Name), l.value(b, c.Name)); n != 0 {
			return n < 0
		}
	}
	return false
}

// value is row r's value of ODS column col, as WriteJSONL writes it: nil
// for NULL.
func (l Layout) value(r reference.ODSRow, col string) any {
	str := func(v *string) any {
		if v == nil {
			return nil
		}
		return *v
	}
	switch {
	case col == l.User:
		return str(r.User)
	case col == l.Event:
		return str(r.Event)
	case col == l.Dedup:
		return str(r.DedupKey)
	case slices.Contains(l.Dims, col):
		return str(r.Dims[col])
	case col == l.Time:
		return r.TS
	}
	return arbitrary(l.Types[col], recordHash(r)^fnvString(col), r.TS)
}

// compareValues orders two values of one column, NULL (nil) last.
func compareValues(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch x := a.(type) {
	case int64:
		return cmp.Compare(x, b.(int64))
	case json.Number:
		f, _ := x.Float64()
		g, _ := b.(json.Number).Float64()
		return cmp.Compare(f, g)
	case bool:
		switch y := b.(bool); {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// StageEvents returns every event value of every funnel, in order, once.
func StageEvents(cfg *models.Config) []string {
	var out []string
	for _, f := range cfg.Funnels {
		for _, e := range f.StageEvents() {
			if !slices.Contains(out, e) {
				out = append(out, e)
			}
		}
	}
	return out
}

// slot returns the values of r that a rate or time-to-stage column c
// holds, by stage; nil for any other kind.
func slot(r *reference.Result, c models.ReportColumn) []*float64 {
	switch {
	case c.Kind == models.KindStepRate:
		return r.StepRates
	case c.Kind == models.KindOverallRate:
		return r.OverallRates
	case c.Kind == models.KindMedianSeconds && c.Step:
		return r.StepMedianSeconds
	case c.Kind == models.KindMedianSeconds:
		return r.MedianSeconds
	case c.Kind == models.KindAvgSeconds && c.Step:
		return r.StepAvgSeconds
	case c.Kind == models.KindAvgSeconds:
		return r.AvgSeconds
	}
	return nil
}

// rateTerms returns the numerator and the denominator of a rate column of
// kind k for stage: the stage's count over the previous stage's (a step
// rate) or the first stage's (an overall rate).
func rateTerms(counts []int64, k models.ColumnKind, stage int) (num, den int64) {
	if k == models.KindOverallRate {
		return counts[stage], counts[0]
	}
	return counts[stage], counts[stage-1]
}

func show(p *string) string {
	if p == nil {
		return "NULL"
	}
	return strconv.Quote(*p)
}

// rowKey identifies a report row: its day and breakdown values.
func rowKey(f *models.Funnel, dt string, dims map[string]string) string {
	parts := []string{dt}
	for _, d := range f.Breakdowns {
		parts = append(parts, d+"="+dims[d])
	}
	return strings.Join(parts, " ")
}

// Diff compares the report rows of funnel f, as report.Read reads them, with
// the reference results and
// returns one line per difference, none when they are equal:
//
//   - the same rows (day and breakdown values), in any order;
//   - counts equal, and a STRING count written as a plain integer;
//   - ratio rates equal bit for bit (both are float64(a)/float64(b)), NULL
//     exactly when the reference has none;
//   - percent rates equal, as text, to reference.PercentOf of the counts;
//   - times to convert (means, medians, percentiles) equal bit for bit, and
//     histogram buckets equal;
//   - in the long layout, each of these for the table row of every stage
//     (report.CellKey), NULL where the reference has no value (the first
//     stage's rates and times).
func Diff(f *models.Funnel, got []report.Row, want []reference.Result) []string {
	var diffs []string
	byKey := map[string]*report.Row{}
	for i := range got {
		k := rowKey(f, got[i].Dt, got[i].Dims)
		if byKey[k] != nil {
			diffs = append(diffs, fmt.Sprintf("%s: row appears twice", k))
		}
		byKey[k] = &got[i]
	}
	seen := map[string]bool{}
	for _, w := range want {
		k := rowKey(f, w.Dt, w.Dims)
		seen[k] = true
		g := byKey[k]
		if g == nil {
			diffs = append(diffs, fmt.Sprintf("%s: row missing; want counts %v", k, w.Counts))
			continue
		}
		for _, c := range f.ReportColumns() {
			stages := []int{c.Stage}
			switch {
			case c.Kind == models.KindDimension || c.Kind == models.KindStage || c.Kind == models.KindStageIndex:
				continue // part of the key
			case c.Stage < 0: // the long layout: a value per stage
				stages = stages[:0]
				for k := range w.Counts {
					stages = append(stages, k)
				}
			}
			for _, stage := range stages {
				text := g.Cells[report.CellKey(f, c, stage)]
				wantText := wantCell(f, c, &w, stage)
				if !sameValue(text, wantText, c.Type) {
					diffs = append(diffs, fmt.Sprintf("%s: %s = %s, want %s", k, report.CellKey(f, c, stage), show(text), show(wantText)))
				}
			}
		}
	}
	for _, g := range got {
		if k := rowKey(f, g.Dt, g.Dims); !seen[k] {
			diffs = append(diffs, fmt.Sprintf("%s: unexpected row with counts %v", k, g.Counts))
		}
	}
	return diffs
}

// wantCell is the text reference result w has for report column c of stage
// (0-based).
func wantCell(f *models.Funnel, c models.ReportColumn, w *reference.Result, stage int) *string {
	switch c.Kind {
	case models.KindCount:
		s := strconv.FormatInt(w.Counts[stage], 10)
		return &s
	case models.KindStepRate, models.KindOverallRate:
		if stage == 0 {
			return nil
		}
		if f.Report.RateFormat == "percent" {
			return reference.PercentOf(rateTerms(w.Counts, c.Kind, stage))
		}
		return floatText(slot(w, c)[stage])
	case models.KindMedianSeconds, models.KindAvgSeconds:
		return floatText(at(slot(w, c), stage))
	case models.KindPercentile:
		ps := w.PercentileSeconds
		if c.Step {
			ps = w.StepPercentileSeconds
		}
		if stage == 0 || stage >= len(ps) {
			return nil
		}
		return floatText(ps[stage][slices.Index(f.Percentiles(), c.Percentile)])
	case models.KindBucket:
		h := w.Histogram
		if c.Step {
			h = w.StepHistogram
		}
		if stage == 0 || stage >= len(h) {
			return nil
		}
		s := strconv.FormatInt(h[stage][c.Bucket], 10)
		return &s
	}
	panic(fmt.Sprintf("funneltest: no reference value for %s", c.Describe()))
}

func at(xs []*float64, i int) *float64 {
	if i < len(xs) {
		return xs[i]
	}
	return nil
}

// floatText renders x as database/sql renders a DOUBLE.
func floatText(x *float64) *string {
	if x == nil {
		return nil
	}
	s := strconv.FormatFloat(*x, 'g', -1, 64)
	return &s
}

// sameValue compares a stored value with the wanted text; DOUBLE values are
// compared as float64 bits, so that the text form cannot hide a difference.
func sameValue(got, want *string, typ string) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	if typ == "DOUBLE" {
		a, err1 := strconv.ParseFloat(*got, 64)
		b, err2 := strconv.ParseFloat(*want, 64)
		return err1 == nil && err2 == nil && math.Float64bits(a) == math.Float64bits(b)
	}
	return *got == *want
}
