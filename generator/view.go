package generator

import (
	"fmt"
	"strings"

	"github.com/fgen-dev/fgen/models"
)

// The view types are what templates see: plain data, already resolved, so the
// templates hold the SQL and nothing else.

type tableView struct {
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
	Name   string
	Column string
	Events []string
	Count  string // the aggregate's column name
}

type reportValue struct {
	Name    string
	Kind    string // count, rate, value
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
	EventColumn string
	AllEvents   []string
	Stages      []stageView
	Columns     []reportValue
}

func newRPTView(c *models.Config, f *models.Funnel) rptView {
	cols := f.ReportColumns()
	tcols := make([]models.Column, len(cols))
	for i, col := range cols {
		tcols[i] = models.Column{Name: col.Name, Type: col.Type, Comment: col.Comment}
	}
	v := rptView{
		Table: tableView{Layer: "RPT", Name: f.Report.Table, Comment: f.Report.Comment, Partition: f.Report.Partition,
			Lifecycle: f.Report.Lifecycle, Columns: tcols},
		Funnel: f.Name, Description: f.Description, Mode: f.Mode,
		Source: c.DW.Name, Partition: c.DW.Partition, EventColumn: f.EventColumn, AllEvents: f.StageEvents(),
	}
	for _, s := range f.Stages {
		v.Stages = append(v.Stages, stageView{Name: s.Name, Column: f.EventColumn, Events: s.Events, Count: "n_" + s.Name})
	}
	for _, col := range cols {
		rv := reportValue{Name: col.Name, Type: col.Type, Percent: f.Report.RateFormat == "percent"}
		switch col.Kind {
		case models.KindCount:
			rv.Kind, rv.Num = "count", v.Stages[col.Stage].Count
		case models.KindStepRate:
			rv.Kind, rv.Num, rv.Den = "rate", v.Stages[col.Stage].Count, v.Stages[col.Stage-1].Count
		case models.KindOverallRate:
			rv.Kind, rv.Num, rv.Den = "rate", v.Stages[col.Stage].Count, v.Stages[0].Count
		default:
			rv.Kind, rv.Num = "value", col.Name
		}
		v.Columns = append(v.Columns, rv)
	}
	return v
}
