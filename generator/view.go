package generator

import (
	"fmt"
	"math/bits"
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
	ODPS2     bool
	hourView  // a table partitioned by (day, hour): see hourly.go
}

func newTableView(layer string, t models.Table) tableView {
	return tableView{Layer: layer, Name: t.Name, Comment: t.Comment, Partition: t.Partition,
		Lifecycle: t.Lifecycle, Columns: t.Columns, ODPS2: needsODPS2(t.Columns), hourView: hourView{HourPartition: t.HourPartition}}
}

type dwColumn struct {
	Name string
	Type string
	Cast bool
}

type dropEmpty struct {
	Name   string
	String bool
}

type stageMatch struct {
	Column string
	Events []string
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
	Cluster    []string // the order the DuckDB node writes rows in, see clusterColumns
	// ClusterStages, with Cluster, is the ordered funnel whose stage breaks
	// ties of user and time; nil for none.
	ClusterStages *stagesView
	Rules         []string
}

func newDWView(c *models.Config, d dates) dwView {
	v := dwView{Table: newTableView("DW", c.DW.Table), Source: c.ODS.Name, Partition: c.ODS.Partition, DedupBy: c.DW.DedupBy}
	v.Cluster, v.ClusterStages = clusterOrder(c)
	v.Table.Param = d.Day
	v.setHours(c, d)
	for _, col := range c.DW.Columns {
		src, _ := c.ODS.Column(col.Name)
		v.Columns = append(v.Columns, dwColumn{Name: src.Name, Type: col.Type, Cast: src.Type != col.Type})
	}
	eventCols, events := c.KnownEvents()
	filtered := map[string]bool{}
	if c.DW.DropUnknownEvents {
		for _, col := range eventCols {
			v.Events = append(v.Events, stageMatch{Column: col, Events: events[col]})
			filtered[strings.ToLower(col)] = true
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
	if len(v.DedupBy) > 0 {
		for _, k := range v.DedupBy {
			if _, ok := c.DW.Column(k); !ok {
				v.DedupCarry = append(v.DedupCarry, k)
			}
		}
		v.Rules = append(v.Rules, fmt.Sprintf("Keeps one row per %s (copies of one log record), the first by the DW columns.", strings.Join(v.DedupBy, ", ")))
	}
	return v
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
	Events []string
	Count  string // the count aggregate's column
	Secs   string // ordered: seconds from entry to this stage
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
	Time        string
	TimeRead    timeRead // how the time column reads as integer units
	Window      int64    // in the time column's units
	WindowText  string
	Timing      bool // ordered: the report has time-to-stage columns
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
	cols := []string{v.User, "fgen_level"}
	if v.Timing {
		for _, s := range v.Stages[1:] {
			cols = append(cols, s.Secs)
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
	EventString bool // the event column is a string column
	AllEvents   []string
	Stages      []stageView
	EventStages []int   // the stage of each of AllEvents
	EventBits   []int64 // the bit of the stage of each of AllEvents
}

func newStagesView(c *models.Config, f *models.Funnel) stagesView {
	v := stagesView{EventColumn: f.EventColumn, AllEvents: f.StageEvents()}
	if col, ok := c.DW.Column(f.EventColumn); ok {
		v.EventString = models.IsString(col.Type)
	}
	for i, s := range f.Stages {
		k := i + 1
		v.Stages = append(v.Stages, stageView{Index: k, Name: s.Name, Column: f.EventColumn, Events: s.Events,
			Count: "n_" + s.Name, Secs: "fgen_secs_" + s.Name, Median: "median_" + s.Name, Avg: "avg_" + s.Name,
			Bit: 1 << i})
		for range s.Events {
			v.EventStages = append(v.EventStages, k)
			v.EventBits = append(v.EventBits, 1<<i)
		}
	}
	return v
}

func newRPTView(c *models.Config, f *models.Funnel, d dates) rptView {
	cols := f.ReportColumns()
	tcols := make([]models.Column, len(cols))
	for i, col := range cols {
		tcols[i] = models.Column{Name: col.Name, Type: col.Type, Comment: col.Comment}
	}
	v := rptView{
		Table: newTableView("RPT", models.Table{Name: f.Report.Table, Comment: f.Report.Comment, Partition: f.Report.Partition,
			Lifecycle: f.Report.Lifecycle, Columns: tcols, HourPartition: f.Report.HourPartition}),
		Funnel: f.Name, Description: f.Description, Mode: f.Mode,
		Source: c.DW.Name, Partition: c.DW.Partition, Day: d.Day, Next: d.Next, Cross: f.DayBoundary == models.CrossMidnight,
		User: f.UserColumn, Time: f.TimeColumn.Name, stagesView: newStagesView(c, f),
		TimeRead: newTimeRead(c, f), WindowText: f.Window.Text,
		Dims: f.Breakdowns, TotalMarker: f.Report.TotalMarker, NullMarker: f.Report.NullMarker,
		Limit: f.BreakdownLimit, OtherMarker: f.Report.OtherMarker,
	}
	v.Window = f.Window.Seconds * v.TimeRead.Units
	v.Table.Param = d.Day
	v.setHours(c, f, d)
	for _, col := range cols {
		rv := reportValue{Name: col.Name, Type: col.Type, Percent: f.Report.RateFormat == "percent"}
		switch col.Kind {
		case models.KindDimension:
			rv.Kind, rv.Num = "value", col.Name
		case models.KindCount:
			rv.Kind, rv.Num = "count", v.Stages[col.Stage].Count
		case models.KindStepRate:
			rv.Kind, rv.Num, rv.Den = "rate", v.Stages[col.Stage].Count, v.Stages[col.Stage-1].Count
		case models.KindOverallRate:
			rv.Kind, rv.Num, rv.Den = "rate", v.Stages[col.Stage].Count, v.Stages[0].Count
		case models.KindMedianSeconds:
			rv.Kind, rv.Num = "value", v.Stages[col.Stage].Median
			v.Timing = true
		case models.KindAvgSeconds:
			rv.Kind, rv.Num = "value", v.Stages[col.Stage].Avg
			v.Timing = true
		}
		v.Columns = append(v.Columns, rv)
	}
	if f.Mode == models.ModeOrdered {
		v.Fold = newFoldView(v.Stages, v.Window, v.Timing)
	}
	return v
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
//
// Each field but e is a small non-negative number, so they are packed into
// BIGINT words (w1, w2, ...) of at most 62 bits: a fold over a struct of two
// BIGINT fields costs DuckDB a fraction of one with a field per number.

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
}

// wordBits is the most bits packed into one BIGINT word, which stays positive.
const wordBits = 62

func newFoldView(stages []stageView, window int64, timing bool) foldView {
	n := len(stages)
	shift := bits.Len(uint(n))
	fv := foldView{NoEntry: -1 << 62, Shift: shift, Scale: 1 << shift, Mask: 1<<shift - 1, Cap: window + 1, Secs: map[int]foldField{}}
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
		gaps[s.Index] = place(width, fmt.Sprintf("the latest entry minus the latest start of a chain that reached %s, in seconds, at most %d", s.Name, window+1))
	}
	secs := map[int]*foldField{}
	if timing {
		for _, s := range stages[1:] {
			secs[s.Index] = place(width, fmt.Sprintf("the seconds to %s where a chain first reached it", s.Name))
			fv.Secs[s.Index] = *secs[s.Index]
		}
	}
	fv.Level = *level
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

// AsIs: the column holds the units themselves.
func (t timeRead) AsIs() bool { return t.Kind == models.TimeEpoch }

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
