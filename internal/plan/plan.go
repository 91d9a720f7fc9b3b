// Package plan compares a rendered project with a live warehouse and says
// what apply would do: create or evolve tables, and which node jobs run for
// which business dates. Apply carries a plan out.
package plan

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// Action is what apply does to a table.
type Action string

const (
	Create  Action = "create"
	Alter   Action = "alter"
	InSync  Action = "in_sync"
	Blocked Action = "blocked"
)

// Problem codes of destructive changes; stable, for scripts and docs.
const (
	CodeColumnDropped    = "column_dropped"
	CodeColumnRetyped    = "column_retyped"
	CodeColumnReordered  = "column_reordered"
	CodePartitionChanged = "partition_changed"
)

// Problem is a destructive change apply refuses without --allow-destructive.
type Problem struct {
	Code    string `json:"code"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// TableChange is the plan for one table.
type TableChange struct {
	Table    string    `json:"table"`
	Layer    string    `json:"layer"`
	Action   Action    `json:"action"`
	Changes  []string  `json:"changes,omitempty"`  // human-readable, e.g. "add column x BIGINT"
	Problems []Problem `json:"problems,omitempty"` // for blocked tables
	Notes    []string  `json:"notes,omitempty"`    // differences fgen leaves alone
	// SQL runs when applying (for blocked tables: only with --allow-destructive).
	SQL string `json:"sql,omitempty"`
}

// Day is the plan for one business date.
type Day struct {
	Day string
	// UpstreamReady is false when the ODS partition of the day is missing;
	// apply then does not run the day's nodes.
	UpstreamReady bool
	Missing       []string // partitions, as "table/column=value"
	Warnings      []string
	Jobs          []*warehouse.Job
}

// Plan is everything apply would do. WriteJSON gives its JSON form.
type Plan struct {
	Target string
	Engine string
	Tables []TableChange
	Days   []Day
}

// HasChanges reports whether applying would change any table or run any job.
func (p *Plan) HasChanges() bool {
	if len(p.Days) > 0 {
		return true
	}
	for _, t := range p.Tables {
		if t.Action != InSync {
			return true
		}
	}
	return false
}

// IsBlocked reports whether any table has a destructive change.
func (p *Plan) IsBlocked() bool {
	for _, t := range p.Tables {
		if t.Action == Blocked {
			return true
		}
	}
	return false
}

// Input is what a plan is built from.
type Input struct {
	Target  string
	Engine  string
	Config  *models.Config
	Project *generator.Project // rendered in the target's dialect
	Days    []string           // business dates to run; none for a schema-only plan
}

// Build reads live metadata from w and plans the changes and jobs.
func Build(ctx context.Context, w warehouse.Warehouse, in Input) (*Plan, error) {
	p := &Plan{Target: in.Target, Engine: in.Engine}
	for _, t := range in.Project.Tables {
		live, err := w.Describe(ctx, t.Name)
		if errors.Is(err, warehouse.ErrTableNotFound) {
			p.Tables = append(p.Tables, TableChange{Table: t.Name, Layer: t.Layer, Action: Create,
				Changes: []string{fmt.Sprintf("create table with %d columns, partitioned by %s", len(t.Columns), t.Partition)},
				SQL:     string(t.DDL.Data)})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", t.Name, err)
		}
		tc, err := compare(in.Project, t, live)
		if err != nil {
			return nil, err
		}
		p.Tables = append(p.Tables, tc)
	}
	// Each partition is probed once: several nodes may read the same
	// table's next day.
	type probe struct{ table, column, value string }
	probed := map[probe]bool{}
	partitionExists := func(table, column, value string) (bool, error) {
		k := probe{table, column, value}
		if ok, seen := probed[k]; seen {
			return ok, nil
		}
		ok, err := w.PartitionExists(ctx, table, column, value)
		if err != nil {
			return false, err
		}
		probed[k] = ok
		return ok, nil
	}
	inRange := map[string]bool{}
	for _, x := range in.Days {
		inRange[x] = true
	}
	ods := in.Config.ODS
	for _, day := range in.Days {
		d := Day{Day: day, UpstreamReady: true}
		ok, err := partitionExists(ods.Name, ods.Partition, day)
		if err != nil {
			return nil, fmt.Errorf("check partition %s=%s of %s: %w", ods.Partition, day, ods.Name, err)
		}
		if !ok {
			d.UpstreamReady = false
			d.Missing = append(d.Missing, fmt.Sprintf("%s/%s=%s", ods.Name, ods.Partition, day))
		}
		for _, n := range in.Project.Nodes {
			sql, err := generator.BindParams(n.SQL, day)
			if err != nil {
				return nil, fmt.Errorf("node %s: %w", n.Name, err)
			}
			job := &warehouse.Job{Name: n.Name, Kind: "node", Day: day, SQL: sql}
			for _, input := range n.Inputs {
				if input == ods.Name {
					continue
				}
				job.Needs = append(job.Needs, warehouse.JobKey(input, day))
				if !n.NextDay {
					continue
				}
				next := generator.NextDay(day)
				if inRange[next] {
					job.Needs = append(job.Needs, warehouse.JobKey(input, next))
					continue
				}
				ok, err := partitionExists(input, in.Config.DW.Partition, next)
				if err != nil {
					return nil, fmt.Errorf("check partition %s=%s of %s: %w", in.Config.DW.Partition, next, input, err)
				}
				if !ok {
					d.Warnings = append(d.Warnings, fmt.Sprintf("%s reads %s of the next day, which has no partition %s yet: the day's numbers are provisional until %s is applied", n.Name, input, next, next))
				}
			}
			d.Jobs = append(d.Jobs, job)
		}
		p.Days = append(p.Days, d)
	}
	return p, nil
}

// compare plans the evolution of one existing table of the rendered project proj.
func compare(proj *generator.Project, want generator.Table, live *warehouse.Table) (TableChange, error) {
	d := proj.Dialect
	tc := TableChange{Table: want.Name, Layer: want.Layer, Action: InSync}
	liveCols := live.Columns
	livePart := live.PartitionKeys
	if d == generator.DuckDB {
		// The local engine keeps the partition as a plain column.
		liveCols, livePart = nil, nil
		for _, c := range live.Columns {
			if strings.EqualFold(c.Name, want.Partition) {
				livePart = append(livePart, c)
			} else {
				liveCols = append(liveCols, c)
			}
		}
	}
	// The ODS table belongs to the sync task that fills it: fgen adds the
	// columns the DW node needs, but leaves its comments and lifecycle.
	ods := want.Layer == "ODS"
	odsDrift := false // comments or lifecycle of the ODS table differ
	alter := generator.Alter{Table: want.Name}
	destructive := generator.Alter{Table: want.Name}
	recreate := false
	block := func(p Problem) {
		tc.Problems = append(tc.Problems, p)
	}

	if len(livePart) != 1 || !strings.EqualFold(livePart[0].Name, want.Partition) {
		names := make([]string, len(livePart))
		for i, c := range livePart {
			names[i] = c.Name
		}
		block(Problem{Code: CodePartitionChanged,
			Message: fmt.Sprintf("live table is partitioned by (%s), funnel.toml says %s", strings.Join(names, ", "), want.Partition),
			Fix:     fmt.Sprintf("keep partition = %q in funnel.toml, or recreate the table (--allow-destructive drops and recreates it, losing its data)", strings.Join(names, ","))})
		recreate = true
	}
	liveIdx := map[string]int{}
	for i, c := range liveCols {
		liveIdx[strings.ToLower(c.Name)] = i
	}
	wantIdx := map[string]bool{}
	for i, c := range want.Columns {
		wantIdx[strings.ToLower(c.Name)] = true
		j, ok := liveIdx[strings.ToLower(c.Name)]
		if !ok {
			if i >= len(liveCols) {
				alter.AddColumns = append(alter.AddColumns, c)
				tc.Changes = append(tc.Changes, fmt.Sprintf("add column %s %s", c.Name, c.Type))
			} else {
				block(Problem{Code: CodeColumnReordered, Column: c.Name,
					Message: fmt.Sprintf("new column %s is not last; MaxCompute appends new columns at the end", c.Name),
					Fix:     fmt.Sprintf("move %s to the end of the columns in funnel.toml", c.Name)})
				recreate = true
			}
			continue
		}
		lc := liveCols[j]
		if j != i {
			block(Problem{Code: CodeColumnReordered, Column: c.Name,
				Message: fmt.Sprintf("column %s is at position %d live and %d in funnel.toml", c.Name, j+1, i+1),
				Fix:     "keep the live column order in funnel.toml; INSERT OVERWRITE maps columns by position"})
			recreate = true
		}
		if !sameType(d.ColumnType(c.Type), lc.Type) {
			block(Problem{Code: CodeColumnRetyped, Column: c.Name,
				Message: fmt.Sprintf("column %s is %s live and %s in funnel.toml", c.Name, strings.ToUpper(lc.Type), c.Type),
				Fix:     fmt.Sprintf("keep type %s in funnel.toml, or add a new column with the new type", strings.ToUpper(lc.Type))})
			destructive.Retype = append(destructive.Retype, c)
		}
		if c.Comment != lc.Comment {
			if ods {
				odsDrift = true
			} else {
				alter.ColumnComments = append(alter.ColumnComments, c)
				tc.Changes = append(tc.Changes, fmt.Sprintf("column %s comment %q -> %q", c.Name, lc.Comment, c.Comment))
			}
		}
	}
	for _, lc := range liveCols {
		if !wantIdx[strings.ToLower(lc.Name)] {
			block(Problem{Code: CodeColumnDropped, Column: lc.Name,
				Message: fmt.Sprintf("live column %s is not in funnel.toml", lc.Name),
				Fix:     fmt.Sprintf("add %s %s back to funnel.toml (fgen never drops data without --allow-destructive)", lc.Name, strings.ToUpper(lc.Type))})
			destructive.DropColumns = append(destructive.DropColumns, models.Column{Name: lc.Name})
		}
	}
	if want.Comment != live.Comment {
		if ods {
			odsDrift = true
		} else {
			alter.SetComment, alter.Comment = true, want.Comment
			tc.Changes = append(tc.Changes, fmt.Sprintf("comment %q -> %q", live.Comment, want.Comment))
		}
	}
	if d != generator.DuckDB && want.Lifecycle != live.Lifecycle && !(want.Lifecycle == 0 && live.Lifecycle < 0) {
		if ods {
			odsDrift = true
		} else {
			alter.SetLifecycle, alter.Lifecycle = true, want.Lifecycle
			tc.Changes = append(tc.Changes, fmt.Sprintf("lifecycle %d -> %d", live.Lifecycle, want.Lifecycle))
		}
	}
	if odsDrift {
		tc.Notes = append(tc.Notes, "comments or lifecycle differ from funnel.toml; fgen leaves them to the sync task that owns the ODS table")
	}

	derived := !ods
	if derived && (len(destructive.Retype) > 0 || len(destructive.DropColumns) > 0) {
		// DW and RPT rows are derived: recreating the table is the change
		// that always works (a retype may not convert the old values), and
		// apply fills the days again.
		recreate = true
	}
	if recreate && derived {
		for i := range tc.Problems {
			if tc.Problems[i].Code == CodePartitionChanged {
				continue
			}
			tc.Problems[i].Fix += fmt.Sprintf("; --allow-destructive drops and recreates %s (its rows are derived: apply the days you need again)", want.Name)
		}
	}

	var sql string
	var err error
	switch {
	case recreate:
		sql = fmt.Sprintf("DROP TABLE IF EXISTS %s;\n%s", d.QuoteIdent(want.Name), want.DDL.Data)
	default:
		alter.DropColumns, alter.Retype = destructive.DropColumns, destructive.Retype
		sql, err = proj.RenderAlter(alter)
		if err != nil {
			return tc, err
		}
	}
	switch {
	case len(tc.Problems) > 0:
		tc.Action = Blocked
		tc.SQL = sql
	case sql != "":
		tc.Action = Alter
		tc.SQL = sql + "\n"
	}
	return tc, nil
}

// sameType compares a wanted type (in the dialect) with a live one, ignoring
// case and spaces.
func sameType(want, live string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }
	return norm(want) == norm(live)
}
