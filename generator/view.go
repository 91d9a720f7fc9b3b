package generator

import (
	"fmt"
	"strings"

	"github.com/fgen-dev/fgen/models"
)

// The view types are what templates see: plain data, already resolved, so the
// templates hold the SQL and nothing else.

type tableView struct {
	Param     string // the business date placeholder its partition is written for
	Layer     string // ODS, DW or RPT
	Name      string
	Comment   string
	Partition string
	Lifecycle int64
	Columns   []models.Column
	ODPS2     bool
}

func newTableView(layer string, t models.Table) tableView {
	return tableView{Layer: layer, Name: t.Name, Comment: t.Comment, Partition: t.Partition,
		Lifecycle: t.Lifecycle, Columns: t.Columns, ODPS2: needsODPS2(t.Columns)}
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
	Table      tableView
	Source     string
	Partition  string
	Columns    []dwColumn
	DropEmpty  []dropEmpty
	Events     []stageMatch
	DedupBy    []string
	DedupCarry []string // dedup columns that are not DW columns
	OrderBy    []string
	Rules      []string
}

func newDWView(c *models.Config) dwView {
	v := dwView{Table: newTableView("DW", c.DW.Table), Source: c.ODS.Name, Partition: c.ODS.Partition, DedupBy: c.DW.DedupBy}
	v.Table.Param = Param(c.DataWorks.Parameters)
	for _, col := range c.DW.Columns {
		src, _ := c.ODS.Column(col.Name)
		v.Columns = append(v.Columns, dwColumn{Name: src.Name, Type: col.Type, Cast: src.Type != col.Type})
		v.OrderBy = append(v.OrderBy, src.Name)
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
		v.DropEmpty = append(v.DropEmpty, dropEmpty{Name: col.Name, String: isString(col.Type)})
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

func orList(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func isString(t string) bool {
	return t == "STRING" || strings.HasPrefix(t, "VARCHAR") || strings.HasPrefix(t, "CHAR")
}

type stageView struct {
	Index  int // 1-based
	Name   string
	Column string
	Events []string
	Count  string // the count aggregate's column
	Reach  string // ordered: start of a chain completing at this row (st_k)
	Start  string // ordered: latest start of a chain reaching this stage (s_k)
	Secs   string // ordered: seconds from entry to this stage
	Median string
	Avg    string
	Users  string // users: whether the user reached the stage
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
	EventColumn string
	Window      int64
	WindowText  string
	AllEvents   []string
	Stages      []stageView
	Passes      []stageView // ordered: the stages between the first and the last, one window pass each
	Last        stageView
	Later       []stageView // the stages after the first, last first
	Timing      bool        // ordered: the report has time-to-stage columns
	Dims        []string
	TotalMarker string
	NullMarker  string
	Columns     []reportValue
}

func newRPTView(c *models.Config, f *models.Funnel) rptView {
	cols := f.ReportColumns()
	tcols := make([]models.Column, len(cols))
	for i, col := range cols {
		tcols[i] = models.Column{Name: col.Name, Type: col.Type, Comment: col.Comment}
	}
	day, next := Param(c.DataWorks.Parameters), ""
	if f.DayBoundary == models.CrossMidnight {
		day, next = "${final_bizdate}", "${final_next_bizdate}"
	}
	v := rptView{
		Table: tableView{Layer: "RPT", Name: f.Report.Table, Comment: f.Report.Comment, Partition: f.Report.Partition,
			Lifecycle: f.Report.Lifecycle, Columns: tcols, Param: day},
		Funnel: f.Name, Description: f.Description, Mode: f.Mode,
		Source: c.DW.Name, Partition: c.DW.Partition, Day: day, Next: next, Cross: next != "",
		User: f.UserColumn, Time: f.TimeColumn, EventColumn: f.EventColumn,
		Window: f.Window.Seconds, WindowText: f.Window.Text, AllEvents: f.StageEvents(),
		Dims: f.Breakdowns, TotalMarker: f.Report.TotalMarker, NullMarker: f.Report.NullMarker,
	}
	for i, s := range f.Stages {
		k := i + 1
		v.Stages = append(v.Stages, stageView{Index: k, Name: s.Name, Column: f.EventColumn, Events: s.Events,
			Count: "n_" + s.Name, Reach: fmt.Sprintf("fgen_reach_%d", k), Start: fmt.Sprintf("fgen_start_%d", k),
			Secs: "fgen_secs_" + s.Name, Median: "median_" + s.Name, Avg: "avg_" + s.Name, Users: "fgen_reached_" + s.Name})
	}
	if n := len(v.Stages); n > 1 {
		v.Passes = v.Stages[1 : n-1]
		v.Last = v.Stages[n-1]
		for k := n - 1; k >= 1; k-- {
			v.Later = append(v.Later, v.Stages[k])
		}
	}
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
	return v
}
