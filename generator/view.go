package generator

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/models"
)

// The view types are what templates see: plain data, already resolved, so the
// templates hold the SQL and nothing else.

type tableView struct {
	Param     string // the day its partition is written for: a placeholder, or the day itself
	Layer     string // ODS, DW or RPT
	Name      string
	Comment   string
	Partition string
	Lifecycle int64
	Columns   []models.Column
	hourView  // a table partitioned by (day, hour): see hourly.go
}

func newTableView(layer string, t models.Table) tableView {
	return tableView{Layer: layer, Name: t.Name, Comment: t.Comment, Partition: t.Partition,
		Lifecycle: t.Lifecycle, Columns: t.Columns, hourView: hourView{HourPartition: t.HourPartition}}
}

type dwColumn struct {
	Name string
	Type string
	Cast bool
	// Trunc: the cast is of a fraction (DOUBLE, FLOAT, DECIMAL) into an
	// integer, which the engines round differently (dw_cast).
	Trunc bool
	// NotNull: the node drops the rows where the column is NULL (drop_empty,
	// or the event filter of drop_unknown_events).
	NotNull bool
}

type dropEmpty struct {
	Name   string
	String bool
}

type stageMatch struct {
	Column string
	Events []eventValue
	String bool // the column is a string column (known_event)
}

// eventValue is an event value of funnel.toml as the nodes compare a column
// of events with it: lit writes it as a string literal or, for an integer
// column of event codes (Number), as the integer it is, which models
// checked (validator.eventColumn says why).
type eventValue struct {
	Text   string
	Number bool
}

// eventValues are events as values of a column of type typ.
func eventValues(events []string, typ string) []eventValue {
	out := make([]eventValue, len(events))
	for i, e := range events {
		out[i] = eventValue{Text: e, Number: models.IsInteger(typ)}
	}
	return out
}

type dwView struct {
	dwHours    // which hour partitions of the ODS table it reads: see hourly.go
	Table      tableView
	Source     string
	Partition  string
	Columns    []dwColumn
	DropEmpty  []dropEmpty
	Events     []stageMatch
	DedupBy    []string
	DedupCarry []string // dedup columns that are not DW columns
	// DedupSpread is the column that spreads the rows of a NULL dedup key,
	// all kept, over the window's workers (dw_first_copies): the first
	// funnel's user column, else the first DW column, that is no key.
	DedupSpread string
	Cluster     []string // the order the DuckDB node writes rows in, see clusterColumns
	// ClusterStages, with Cluster, is the ordered funnel whose stage breaks
	// ties of user and time; nil for none.
	ClusterStages *stagesView
	// TimeReads are the STRING time columns whose values that do not read
	// in their format the node drops (time_reads).
	TimeReads []stringTime
	Rules     []string
}

// stringTime is a STRING time column and its format, for time_reads.
type stringTime struct {
	Column, Format string
	Strftime, ODPS string
}

func newDWView(c *models.Config, d dates) dwView {
	v := dwView{Table: newTableView("DW", c.DW.Table), Source: c.ODS.Name, Partition: c.ODS.Partition, DedupBy: c.DW.DedupBy}
	v.Cluster, v.ClusterStages = clusterOrder(c)
	v.Table.Param = d.Day
	v.setHours(c, d)
	for _, col := range c.DW.Columns {
		src, _ := c.ODS.Column(col.Name)
		v.Columns = append(v.Columns, dwColumn{Name: src.Name, Type: col.Type, Cast: src.Type != col.Type,
			Trunc: models.IsFraction(src.Type) && models.IsInteger(col.Type)})
	}
	eventCols, events := c.KnownEvents()
	// filtered are the columns the event filter leaves no NULL or empty
	// value in: the event column, when there is one. Of several, a row
	// passes on any one, so the others may be NULL or empty.
	filtered := map[string]bool{}
	if c.DW.DropUnknownEvents {
		for _, col := range eventCols {
			ods, _ := c.ODS.Column(col)
			v.Events = append(v.Events, stageMatch{Column: col, Events: eventValues(events[col], ods.Type), String: models.IsString(ods.Type)})
		}
		if len(eventCols) == 1 {
			filtered[strings.ToLower(eventCols[0])] = true
		}
	}
	for _, name := range c.DW.DropEmpty {
		if filtered[strings.ToLower(name)] {
			continue // the event filter already drops NULL and empty values
		}
		col, _ := c.ODS.Column(name)
		v.DropEmpty = append(v.DropEmpty, dropEmpty{Name: col.Name, String: models.IsString(col.Type)})
	}
	if len(c.DW.DropEmpty) > 0 {
		v.Rules = append(v.Rules, fmt.Sprintf("Drops rows with a NULL or empty %s.", orList(c.DW.DropEmpty)))
	}
	if c.DW.DropUnknownEvents {
		v.Rules = append(v.Rules, fmt.Sprintf("Keeps only rows whose %s is a stage of some funnel.", orList(eventCols)))
	}
	for i, col := range v.Columns {
		v.Columns[i].NotNull = filtered[strings.ToLower(col.Name)] || slices.ContainsFunc(v.DropEmpty, func(d dropEmpty) bool { return strings.EqualFold(d.Name, col.Name) })
	}
	for _, t := range c.StringTimes() {
		v.TimeReads = append(v.TimeReads, stringTime{Column: t.Name, Format: t.Format, Strftime: strftime(t.Format), ODPS: odpsTimeFormat(t.Format)})
		v.Rules = append(v.Rules, fmt.Sprintf("Drops rows whose %s does not read as %s (a NULL one stays).", t.Name, t.Format))
	}
	if len(v.DedupBy) > 0 {
		for _, k := range v.DedupBy {
			if _, ok := c.DW.Column(k); !ok {
				v.DedupCarry = append(v.DedupCarry, k)
			}
		}
		v.Rules = append(v.Rules, fmt.Sprintf("Keeps one row per %s (copies of one log record), the first by the DW columns.", strings.Join(v.DedupBy, ", ")))
		v.DedupSpread = dedupSpread(c)
	}
	return v
}

// dedupSpread is dwView.DedupSpread: the first funnel's user column, else
// the first DW column, that is no dedup key.
func dedupSpread(c *models.Config) string {
	key := func(name string) bool {
		return slices.ContainsFunc(c.DW.DedupBy, func(k string) bool { return strings.EqualFold(k, name) })
	}
	if len(c.Funnels) > 0 {
		if col, ok := c.DW.Column(c.Funnels[0].UserColumn); ok && !key(col.Name) {
			return col.Name
		}
	}
	for _, col := range c.DW.Columns {
		if !key(col.Name) {
			return col.Name
		}
	}
	return ""
}

// clusterOrder is the order in which the local engine's DW node writes a
// day's rows: by the user and time columns of the first ordered funnel and
// then its stage, else by the user (and time) column of the first users
// funnel; none when every funnel counts events. DuckDB keeps rows in
// insertion order, so each user's rows then lie together in (time, stage)
// order, as in a MergeTree table sorted by (user, time): the users and
// ordered nodes group by user over neighbouring rows, and the ordered fold
// finds each user's keys already in order and skips the sort. The stage
// breaks ties: rows of two stages in the same second are common.
func clusterOrder(c *models.Config) ([]string, *stagesView) {
	var pick *models.Funnel
	for i := range c.Funnels {
		f := &c.Funnels[i]
		if f.Mode == models.ModeOrdered {
			pick = f
			break
		}
		if f.Mode == models.ModeUsers && pick == nil {
			pick = f
		}
	}
	if pick == nil {
		return nil, nil
	}
	var cols []string
	for _, name := range []string{pick.UserColumn, pick.TimeColumn.Name} {
		if col, ok := c.DW.Column(name); ok {
			cols = append(cols, col.Name)
		}
	}
	if pick.Mode != models.ModeOrdered {
		return cols, nil
	}
	stages := newStagesView(c, pick)
	return cols, &stages
}

func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

type stageView struct {
	Index  int // 1-based
	Name   string
	Column string
	Events []eventValue
	Count  string // the count aggregate's column
	Secs   string // ordered: the time from entry to this stage, in the time column's units
	Step   string // ordered: the time from the previous stage to this one
	Median string
	Avg    string
	Bit    int64 // users: the stage's bit in a user's set of reached stages, 1 << (Index - 1)
}

type reportValue struct {
	Name    string
	Kind    string // dim, count, rate, value
	Type    string
	Num     string
	Den     string
	Percent bool
}

type rptView struct {
	stagesView
	rptHours    // the hour an hourly report computes: see hourly.go
	Table       tableView
	Funnel      string
	Description string
	Mode        string
	Source      string
	Partition   string
	Day, Next   string // the day's and (cross_midnight) the next day's placeholders
	Cross       bool   // day_boundary = cross_midnight
	User        string
	UserCheck   string // what the node drops of the rows' users: "" nothing, "null" or "empty" (see userCheck)
	Time        string
	TimeRead    timeRead // how the time column reads as integer units
	Window      int64    // in the time column's units
	WindowText  string
	Timing      bool // ordered: the users' times from the entry are needed
	StepTiming  bool // ordered: the users' times from the previous stage are needed
	TimeAggs    []timeAgg
	Ranks       []rankSpec
	Long        bool        // the long layout: a row per stage
	LongColumns []longValue // its columns
	Fold        foldView
	Dims        []string
	TotalMarker string
	NullMarker  string
	Limit       int    // breakdown_limit: the values kept per breakdown, 0 for all
	OtherMarker string // the value of the merged values' row
	Columns     []reportValue
}

// rankGroup is a set of report rows whose medians come from one ranking
// of its users: the total row (no Dims), or the rows of one breakdown's
// values. Suffix tells its rank columns apart.
type rankGroup struct {
	Suffix string
	Dims   []string
}

// RankGroups are the groups the ordered node ranks its users in for the
// medians: the total row, then each breakdown's rows, in the order of the
// grouping sets.
func (v rptView) RankGroups() []rankGroup {
	gs := []rankGroup{{}}
	for i, d := range v.Dims {
		gs = append(gs, rankGroup{Suffix: fmt.Sprintf("_%d", i+1), Dims: []string{d}})
	}
	return gs
}

// UserCols are the columns of the ordered node's rows per user besides the
// breakdowns: the user, the level and, with timing columns, the seconds to
// each later stage.
func (v rptView) UserCols() []string {
	return append([]string{v.User, "fgen_level"}, v.TimeCols()...)
}

// TimeCols are the ordered node's columns of the users' times to convert:
// from the entry and, with step times, from the previous stage, per later
// stage.
func (v rptView) TimeCols() []string {
	var cols []string
	for _, s := range v.Stages[1:] {
		if v.Timing {
			cols = append(cols, s.Secs)
		}
		if v.StepTiming {
			cols = append(cols, s.Step)
		}
	}
	return cols
}

// StageCol is the rows' stage column: fgen_bit in users mode, else fgen_stage.
func (v rptView) StageCol() string {
	if v.Mode == models.ModeUsers {
		return "fgen_bit"
	}
	return "fgen_stage"
}

// stagesView is how a funnel's rows get their stage: what the dialects'
// stage_number and stage_bit need.
type stagesView struct {
	EventColumn string
	AllEvents   []eventValue
	Stages      []stageView
	EventStages []int   // the stage of each of AllEvents
	EventBits   []int64 // the bit of the stage of each of AllEvents
}

func newStagesView(c *models.Config, f *models.Funnel) stagesView {
	col, _ := c.DW.Column(f.EventColumn)
	v := stagesView{EventColumn: f.EventColumn, AllEvents: eventValues(f.StageEvents(), col.Type)}
	for i, s := range f.Stages {
		k := i + 1
		v.Stages = append(v.Stages, stageView{Index: k, Name: s.Name, Column: f.EventColumn, Events: eventValues(s.Events, col.Type),
			Count: "n_" + s.Name, Secs: "fgen_secs_" + s.Name, Step: "fgen_step_" + s.Name, Median: "median_" + s.Name, Avg: "avg_" + s.Name,
			Bit: 1 << i})
		for range s.Events {
			v.EventStages = append(v.EventStages, k)
			v.EventBits = append(v.EventBits, 1<<i)
		}
	}
	return v
}

// tableColumns are a report table's columns, cols (Funnel.ReportColumns),
// as a table's.
func tableColumns(cols []models.ReportColumn) []models.Column {
	out := make([]models.Column, len(cols))
	for i, col := range cols {
		out[i] = models.Column{Name: col.Name, Type: col.Type, Comment: col.Comment}
	}
	return out
}

func newRPTView(c *models.Config, f *models.Funnel, d dates) rptView {
	cols := f.ReportColumns()
	v := rptView{
		Table: newTableView("RPT", models.Table{Name: f.Report.Table, Comment: f.Report.Comment, Partition: f.Report.Partition,
			Lifecycle: f.Report.Lifecycle, Columns: tableColumns(cols), HourPartition: f.Report.HourPartition}),
		Funnel: f.Name, Description: f.Description, Mode: f.Mode,
		Source: c.DW.Name, Partition: c.DW.Partition, Day: d.Day, Next: d.Next, Cross: f.DayBoundary == models.CrossMidnight,
		User: f.UserColumn, Time: f.TimeColumn.Name, stagesView: newStagesView(c, f),
		TimeRead: newTimeRead(c, f), WindowText: f.Window.Text,
		Dims: f.Breakdowns, TotalMarker: f.Report.TotalMarker, NullMarker: f.Report.NullMarker,
		Limit: f.BreakdownLimit, OtherMarker: f.Report.OtherMarker, Long: f.Long(),
	}
	v.Window = f.Window.Seconds * v.TimeRead.Units
	v.UserCheck = userCheck(c, f)
	v.Table.Param = d.Day
	v.setHours(c, f, d)
	times := newTimeAggs(&v, f, cols)
	for _, col := range cols {
		if v.Long {
			v.LongColumns = append(v.LongColumns, v.longValue(f, col, times))
			continue
		}
		var rv reportValue
		if col.Kind == models.KindDimension {
			rv = reportValue{Name: col.Name, Kind: "value", Num: col.Name}
		} else {
			rv = v.stageValue(f, col, col.Stage, times)
		}
		v.Columns = append(v.Columns, rv)
	}
	if f.Mode == models.ModeOrdered {
		v.Fold = newFoldView(v.Stages, v.Window, v.TimeRead.Unit(), v.Timing, v.StepTiming)
		if !v.Timing && !v.StepTiming {
			v.Fold.Packed = newFoldPacked(len(v.Stages), v.TimeRead.Units)
		}
	}
	return v
}

// userCheck is what a report node drops of its rows by their user: no
// row of a NULL or empty user id counts (docs/funnels.md), which the DW node
// drops where drop_empty names the user column (then "": nothing here),
// and the report node otherwise: a NULL user ("null") and, of a string
// column, an empty one too ("empty"). Without it, the rows of no user
// counted in events mode, and as one user in the others.
func userCheck(c *models.Config, f *models.Funnel) string {
	if slices.ContainsFunc(c.DW.DropEmpty, func(name string) bool { return strings.EqualFold(name, f.UserColumn) }) {
		return ""
	}
	if col, ok := c.DW.Column(f.UserColumn); ok && !models.IsString(col.Type) {
		return "null"
	}
	return "empty"
}

// stageValue is how report column col is computed for stage k (0-based)
// from the stage_counts row: nil Kind when it has no value for the stage.
func (v *rptView) stageValue(f *models.Funnel, col models.ReportColumn, k int, times map[aggKey]string) reportValue {
	rv := reportValue{Name: col.Name, Type: col.Type, Percent: f.Report.RateFormat == "percent"}
	s := v.Stages[k]
	switch col.Kind {
	case models.KindCount:
		rv.Kind, rv.Num = "count", s.Count
	case models.KindStepRate:
		if k > 0 {
			rv.Kind, rv.Num, rv.Den = "rate", s.Count, v.Stages[k-1].Count
		}
	case models.KindOverallRate:
		if k > 0 {
			rv.Kind, rv.Num, rv.Den = "rate", s.Count, v.Stages[0].Count
		}
	default:
		if name, ok := times[aggKeyOf(col, k)]; ok {
			rv.Kind, rv.Num = "value", name
		}
	}
	return rv
}

// longValue is how column col of the long layout is computed, per stage
// (fgen_k) of the row.
func (v *rptView) longValue(f *models.Funnel, col models.ReportColumn, times map[aggKey]string) longValue {
	lv := longValue{Name: col.Name}
	switch col.Kind {
	case models.KindDimension:
		lv.Kind = "dim"
	case models.KindStage:
		lv.Kind = "stage"
	case models.KindStageIndex:
		lv.Kind = "index"
	default:
		lv.Kind = "cases"
		for k := range v.Stages {
			if rv := v.stageValue(f, col, k, times); rv.Kind != "" {
				lv.Cases = append(lv.Cases, longCase{K: k + 1, Value: rv})
			}
		}
	}
	return lv
}

// longValue is a column of the long layout: a breakdown (dim), the
// stage's name or index, or a value per stage (cases: the stages without
// one are NULL).
type longValue struct {
	Name  string
	Kind  string
	Cases []longCase
}

type longCase struct {
	K     int // 1-based stage
	Value reportValue
}

// timeAgg is one aggregate of the times to convert of a stage's users,
// computed in stage_counts under Name: over the times from the entry
// (Col is the stage's Secs) or the step times (its Step).
type timeAgg struct {
	Name  string
	Kind  string // median, avg, percentile, bucket
	Col   string
	Rank  string // median and percentile: the rank columns' prefix (rankSpec)
	N     string
	Basis int   // percentile: in basis points
	Lo    int64 // bucket: Lo <= time < Hi, in the time column's units
	Hi    int64 // -1: no upper edge
}

// rankSpec is a series of times ranked within each report row: Col ranked
// as Rank<suffix>, counted as N<suffix>, per rankGroup.
type rankSpec struct {
	Col, Rank, N string
}

// aggKey identifies a time aggregate: stage (0-based), series, kind, and
// percentile or bucket.
type aggKey struct {
	stage int
	step  bool
	kind  models.ColumnKind
	arg   int
}

func aggKeyOf(col models.ReportColumn, k int) aggKey {
	arg := col.Percentile
	if col.Kind == models.KindBucket {
		arg = col.Bucket
	}
	return aggKey{k, col.Step, col.Kind, arg}
}

// newTimeAggs sets what the ordered node computes of the times to convert
// for the report columns cols (v.Timing, StepTiming, TimeAggs, Ranks) and
// returns the aggregates' names by key.
func newTimeAggs(v *rptView, f *models.Funnel, cols []models.ReportColumn) map[aggKey]string {
	names := map[aggKey]string{}
	if f.Mode != models.ModeOrdered {
		return names
	}
	edges := f.HistogramEdges(v.TimeRead.Units)
	ranked := map[bool]bool{}
	var keys []aggKey
	for _, col := range cols {
		switch col.Kind {
		case models.KindMedianSeconds, models.KindAvgSeconds, models.KindPercentile, models.KindBucket:
		default:
			continue
		}
		if col.Step {
			v.StepTiming = true
		} else {
			v.Timing = true
		}
		if col.Kind == models.KindMedianSeconds || col.Kind == models.KindPercentile {
			ranked[col.Step] = true
		}
		stages := []int{col.Stage}
		if col.Stage < 0 {
			stages = nil
			for k := 1; k < len(v.Stages); k++ {
				stages = append(stages, k)
			}
		}
		for _, k := range stages {
			keys = append(keys, aggKeyOf(col, k))
		}
	}
	// The aggregates in stage order, each stage's in column order.
	slices.SortStableFunc(keys, func(a, b aggKey) int { return a.stage - b.stage })
	for _, key := range keys {
		s := v.Stages[key.stage]
		a := timeAgg{Col: s.Secs, Rank: fmt.Sprintf("fgen_rank_%d", s.Index), N: fmt.Sprintf("fgen_n_%d", s.Index)}
		prefix := ""
		if key.step {
			a.Col, a.Rank, a.N, prefix = s.Step, fmt.Sprintf("fgen_srank_%d", s.Index), fmt.Sprintf("fgen_sn_%d", s.Index), "s"
		}
		switch key.kind {
		case models.KindMedianSeconds:
			a.Kind, a.Name = "median", prefix+s.Median
		case models.KindAvgSeconds:
			a.Kind, a.Name = "avg", prefix+s.Avg
		case models.KindPercentile:
			a.Kind, a.Basis, a.Name = "percentile", key.arg, fmt.Sprintf("%sp%d_%s", prefix, key.arg, s.Name)
		case models.KindBucket:
			a.Kind, a.Lo, a.Hi, a.Name = "bucket", edges[key.arg], -1, fmt.Sprintf("%sh%d_%s", prefix, key.arg, s.Name)
			if key.arg+1 < len(edges) {
				a.Hi = edges[key.arg+1]
			}
		}
		names[key] = a.Name
		v.TimeAggs = append(v.TimeAggs, a)
	}
	for _, step := range []bool{false, true} {
		if !ranked[step] {
			continue
		}
		for _, s := range v.Stages[1:] {
			r := rankSpec{Col: s.Secs, Rank: fmt.Sprintf("fgen_rank_%d", s.Index), N: fmt.Sprintf("fgen_n_%d", s.Index)}
			if step {
				r = rankSpec{Col: s.Step, Rank: fmt.Sprintf("fgen_srank_%d", s.Index), N: fmt.Sprintf("fgen_sn_%d", s.Index)}
			}
			v.Ranks = append(v.Ranks, r)
		}
	}
	return names
}

// The ordered funnel folds each user's stage rows, sorted by one BIGINT key
// time * 2^Shift + stage, into a small state (rpt_ordered.sql.tmpl):
//
//	e     the time of the latest entry (stage-1 row); before the first, -2^62:
//	      keys are within +-2^63, so times within +-2^61, and the time since
//	      this "entry" is at least 2^61, past any window, and cannot overflow
//	level the stage reached so far
//	gap k for 2 <= k < N: the entry's time minus the latest start of any chain
//	      that reached stage k (FUNNELS.md's s_1 - s_k), capped at W + 1: a
//	      start that far behind the latest entry can never complete a chain
//	secs k for 2 <= k <= N, with timing columns: the seconds from the start to
//	      stage k where a chain first reached it
//	r     with step times, the time the level last rose (FUNNELS.md's T(level))
//	t k   with step times, for 2 <= k <= N: T(k) - T(k-1), the time from
//	      reaching stage k-1 to reaching stage k; a field of its own, as it is
//	      bounded by the rows' span, not by the window
//
// Each field but e is a small non-negative number, so they are packed into
// BIGINT words (w1, w2, ...) of at most 62 bits: a fold over a struct of two
// BIGINT fields cost DuckDB 1.5 a fraction of one with a field per number.
// Dialects with the flag FoldStarts (DuckDB 2.0) keep a field per number
// instead, from which the templates read the same (ordered_step_starts):
//
//	s k   for 1 <= k <= N: FUNNELS.md's s_k, -2^62 until stage k is reached
//	d k   with times from the entry, for 2 <= k <= N: the time from the start
//	      to stage k where a chain first reached it (secs k)
//	f k   with step times, for 1 <= k <= N: T(k), so that t k = f k - f (k-1)

// foldField is one packed number of the fold state.
type foldField struct {
	Word  string // the state's field that holds it
	Off   int    // its lowest bit
	Last  int    // its highest bit
	Mask  int64  // 2^bits - 1
	Scale int64  // 2^Off
	Desc  string // for the comment on the layout
}

// foldStep is what a stage-k row (k >= 2) changes in one word, when it
// extends a chain: Prev is the gap of stage k-1 (nil for k = 2, whose
// previous stage is the entry itself).
type foldStep struct {
	Index int
	Prev  *foldField
	Gap   *foldField // stage k's gap, if this word holds it
	Secs  *foldField // stage k's seconds, if this word holds them
	Level bool       // this word holds the level
}

type foldWord struct {
	Name   string
	Init   int64       // every gap at the cap, everything else 0
	Level  bool        // holds the level, at bit 0
	Entry  []foldField // the gaps in this word, which every entry moves
	Steps  []foldStep
	Fields []foldField
}

type foldView struct {
	NoEntry int64 // e before the first entry: -2^62, farther from any time than any window
	Shift   int   // key = time * 2^Shift + stage
	Scale   int64 // 2^Shift
	Mask    int64 // 2^Shift - 1: the stage bits of a key
	Cap     int64 // W + 1
	Level   foldField
	Words   []foldWord
	Secs    map[int]foldField // by stage index, with timing columns
	Steps   []foldStepTime    // with step times: r and t k
	// LongList: a user's list of more keys than this is folded in
	// whole-list operations where the dialect does so (FoldLongLists).
	LongList int
	// Packed, where not nil, packs the starts state of a funnel without
	// times to convert into one BIGINT, for the dialects with FoldPacked.
	Packed *foldPacked
}

// foldPacked is the starts state (FoldStarts: s1..sN) in one BIGINT: stage
// k's start, in time units from the origin Base (the business date's
// midnight UTC minus Margin), plus 1, in Bits bits from Off; 0 until the
// stage is reached. A fold step then computes one integer instead of a
// struct of N: on 20 M keys of 1 M users, 0.27 against 0.42 s of the
// fold's time (DuckDB 2.0.0). A user's keys are folded so when all of
// their times lie within Base..Base + Last; the others, rows far from their
// business date, keep the struct.
type foldPacked struct {
	Bits   int
	Mask   int64 // 2^Bits - 1
	Last   int64 // Mask - 1: the last time from Base a field holds
	Margin int64 // in time units
	Fields []packedField
}

// packedField is stage Index's start in the packed state.
type packedField struct {
	Index int
	Off   int
	Clear int64 // the state with this field's bits cleared: ^(Mask << Off)
	Prev  *packedField
}

// packedSpan is the span of times around the business date a packed state
// must hold, in seconds: Margin (2 days) before its midnight, the day, the
// next (cross_midnight) and 2 more days, for rows whose times stray from
// the date of their partition.
const packedMargin, packedSpan = 2 * 86400, 6 * 86400

// newFoldPacked packs n stages' starts, times in units per second, into
// one BIGINT (bits 0 to 62), or returns nil when a start of packedSpan
// does not fit the bits each stage gets: more than 3 stages in seconds, 2
// in milliseconds.
func newFoldPacked(n int, units int64) *foldPacked {
	bits := 63 / n
	if int64(1)<<bits-2 < packedSpan*units {
		return nil
	}
	fp := &foldPacked{Bits: bits, Mask: 1<<bits - 1, Last: 1<<bits - 2, Margin: packedMargin * units, Fields: make([]packedField, 0, n)} // Prev points into Fields
	for k := range n {
		f := packedField{Index: k + 1, Off: k * bits, Clear: ^(fp.Mask << (k * bits))}
		if k > 0 {
			f.Prev = &fp.Fields[k-1]
		}
		fp.Fields = append(fp.Fields, f)
	}
	return fp
}

// foldStepTime is the state's field t k, the step time of stage Index.
type foldStepTime struct {
	Index int
	Field string
	Prev  *foldField // the gap of stage Index-1, as in foldStep
}

// longList is foldView.LongList: DuckDB's list_reduce steps the lists of a
// chunk together, so lists much longer than the rest of their chunk step
// alone; whole-list operations cost more per key on short lists (folding
// every list so took 4 times as long on 200,000 users of 20 keys).
const longList = 64

// wordBits is the most bits packed into one BIGINT word, which stays positive.
const wordBits = 62

// newFoldView lays out the fold's fields; unit names the times' unit
// (timeRead.Unit), for the fields' descriptions.
func newFoldView(stages []stageView, window int64, unit string, timing, stepTiming bool) foldView {
	n := len(stages)
	unit += "s"
	shift := bits.Len(uint(n))
	fv := foldView{NoEntry: -1 << 62, Shift: shift, Scale: 1 << shift, Mask: 1<<shift - 1, Cap: window + 1, Secs: map[int]foldField{}, LongList: longList}
	width := bits.Len64(uint64(window + 1))
	var fields []*foldField
	used := wordBits
	place := func(w int, desc string) *foldField {
		if used+w > wordBits {
			fv.Words = append(fv.Words, foldWord{Name: fmt.Sprintf("w%d", len(fv.Words)+1)})
			used = 0
		}
		f := &foldField{Word: fv.Words[len(fv.Words)-1].Name, Off: used, Last: used + w - 1, Mask: 1<<w - 1, Scale: 1 << used, Desc: desc}
		used += w
		fields = append(fields, f)
		return f
	}
	level := place(bits.Len(uint(n)), "the stage reached")
	fv.Words[0].Level = true
	gaps := map[int]*foldField{}
	for _, s := range stages[1 : n-1] {
		gaps[s.Index] = place(width, fmt.Sprintf("the latest entry minus the latest start of a chain that reached %s, in %s, at most %d", s.Name, unit, window+1))
	}
	secs := map[int]*foldField{}
	if timing {
		for _, s := range stages[1:] {
			secs[s.Index] = place(width, fmt.Sprintf("the %s to %s where a chain first reached it", unit, s.Name))
			fv.Secs[s.Index] = *secs[s.Index]
		}
	}
	fv.Level = *level
	if stepTiming {
		for _, s := range stages[1:] {
			fv.Steps = append(fv.Steps, foldStepTime{Index: s.Index, Field: fmt.Sprintf("t%d", s.Index), Prev: gaps[s.Index-1]})
		}
	}
	for i := range fv.Words {
		w := &fv.Words[i]
		for _, f := range fields {
			if f.Word != w.Name {
				continue
			}
			w.Fields = append(w.Fields, *f)
		}
		for _, s := range stages[1 : n-1] {
			if g := gaps[s.Index]; g.Word == w.Name {
				w.Entry = append(w.Entry, *g)
				w.Init += (window + 1) * g.Scale
			}
		}
		for _, s := range stages[1:] {
			st := foldStep{Index: s.Index, Level: w.Level}
			if p, ok := gaps[s.Index-1]; ok {
				st.Prev = p
			}
			if g, ok := gaps[s.Index]; ok && g.Word == w.Name {
				st.Gap = g
			}
			if sc, ok := secs[s.Index]; ok && sc.Word == w.Name {
				st.Secs = sc
			}
			if st.Level || st.Gap != nil || st.Secs != nil {
				w.Steps = append(w.Steps, st)
			}
		}
	}
	return fv
}

// timeRead is how a funnel's time column reads as an integer number of
// time units (TimeUnits) that the templates order, window and subtract:
// as it is (epoch seconds or milliseconds), from a DATETIME or TIMESTAMP
// (milliseconds), or parsed from a STRING in a format and time zone.
type timeRead struct {
	Kind     string // models.TimeEpoch, TimeDatetime or TimeString
	Units    int64  // units per second: 1, or 1000 for milliseconds
	Strftime string // a STRING's format for DuckDB's strptime
	ODPS     string // a STRING's format for MaxCompute's TO_DATE
	Zone     string // a STRING's IANA time zone
}

// Unit names the time units: "second" or "millisecond".
func (t timeRead) Unit() string {
	if t.Units == 1 {
		return "second"
	}
	return "millisecond"
}

// AsIs: the column holds the units themselves.
func (t timeRead) AsIs() bool { return t.Kind == models.TimeEpoch }

// Lo and Hi bound the times, in units, that are times: the years 0000 to
// 9999, which MaxCompute's DATETIME holds (models.EpochRange). An epoch
// time outside them (a sentinel such as the greatest BIGINT) is no time
// to order: the ordered funnel skips its row, as one without a time, where
// the sort keys it computes (time * 2^k + stage) would overflow.
func (t timeRead) Lo() int64 { lo, _ := models.EpochRange(t.Units); return lo }
func (t timeRead) Hi() int64 { _, hi := models.EpochRange(t.Units); return hi }

func newTimeRead(c *models.Config, f *models.Funnel) timeRead {
	col, ok := c.DW.Column(f.TimeColumn.Name)
	if !ok {
		return timeRead{Kind: models.TimeEpoch, Units: 1}
	}
	t := timeRead{Kind: models.TimeKind(col.Type), Units: f.TimeColumn.UnitsPerSecond(col.Type), Zone: f.TimeColumn.Timezone}
	if t.Kind == models.TimeString {
		t.Strftime, t.ODPS = strftime(f.TimeColumn.Format), odpsTimeFormat(f.TimeColumn.Format)
	}
	return t
}
