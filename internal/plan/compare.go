package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/lint"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// tableDiff is how a live table differs from its definition.
type tableDiff struct {
	want        generator.Table
	live        *warehouse.Table
	liveCols    []warehouse.Column
	livePart    []warehouse.Column
	partition   bool            // the live partition keys are not the partition columns wanted, or not strings
	add         []models.Column // wanted columns the live table lacks, which can be appended
	misplaced   []models.Column // wanted columns the live table lacks, but not at the end
	moved       []moved         // columns at another position live
	retyped     []retyped
	extra       []warehouse.Column // live columns funnel.toml does not have
	comments    []models.Column    // columns whose comment differs
	oldComments []string
}

// setComments puts into alter, and says in tc's changes, the comments of
// the table and its columns that differ from the live ones; with keepEmpty,
// not those funnel.toml leaves empty, and it reports whether there were
// any, which the live table keeps.
func (td tableDiff) setComments(alter *generator.Alter, tc *TableChange, keepEmpty bool) (kept bool) {
	for i, c := range td.comments {
		if keepEmpty && c.Comment == "" {
			kept = true
			continue
		}
		alter.ColumnComments = append(alter.ColumnComments, c)
		tc.Changes = append(tc.Changes, fmt.Sprintf("column %s comment %q -> %q", c.Name, td.oldComments[i], c.Comment))
	}
	switch want := td.want.Comment; {
	case want == td.live.Comment:
	case keepEmpty && want == "":
		kept = true
	default:
		alter.SetComment, alter.Comment = true, want
		tc.Changes = append(tc.Changes, fmt.Sprintf("comment %q -> %q", td.live.Comment, want))
	}
	return kept
}

type moved struct {
	col        models.Column
	live, want int // 1-based positions
}

type retyped struct {
	col  models.Column
	live warehouse.Column
}

// liveColumns returns the live table's columns with their types as
// funnel.toml writes them.
func (td tableDiff) liveColumns(d generator.Dialect) []models.Column {
	return lint.LiveColumns(d, td.live.Columns)
}

// diff compares a live table with its definition, in the dialect the
// project is rendered in.
func diff(d generator.Dialect, caps warehouse.Capabilities, want generator.Table, live *warehouse.Table) tableDiff {
	td := tableDiff{want: want, live: live, liveCols: live.Columns, livePart: live.PartitionKeys}
	wantPart := []string{want.Partition}
	if want.HourPartition != "" {
		wantPart = append(wantPart, want.HourPartition)
	}
	if caps.PartitionColumn {
		// The live partition columns are those the engine marks, whatever
		// funnel.toml now calls them; in a table without marks, those of
		// the names funnel.toml gives. The marks are of fgen's own DDL
		// (NOT NULL on DuckDB), so of an ODS table, which another tool may
		// have created with NOT NULL columns of its own, only when it
		// lacks a column of those names and has as many marked, STRING
		// as fgen's DDL makes them: the ODS table fgen load created, a
		// partition column of which funnel.toml renamed.
		nMarked, nStrings := 0, 0
		for _, c := range live.Columns {
			if c.Partition {
				nMarked++
				if d.ConfigType(c.Type) == "STRING" {
					nStrings++
				}
			}
		}
		marked := nMarked > 0
		if want.Layer == generator.LayerODS {
			named := !slices.ContainsFunc(wantPart, func(p string) bool {
				return !slices.ContainsFunc(live.Columns, func(c warehouse.Column) bool { return strings.EqualFold(c.Name, p) })
			})
			marked = !named && nMarked == len(wantPart) && nStrings == nMarked
		}
		td.liveCols, td.livePart = nil, nil
		for _, c := range live.Columns {
			part := c.Partition
			if !marked {
				part = slices.ContainsFunc(wantPart, func(p string) bool { return strings.EqualFold(c.Name, p) })
			}
			if part {
				td.livePart = append(td.livePart, c)
			} else {
				td.liveCols = append(td.liveCols, c)
			}
		}
	}
	td.partition = len(td.livePart) != len(wantPart)
	for i := 0; i < len(td.livePart) && !td.partition; i++ {
		// A partition column holds a day or an hour as a STRING.
		td.partition = !strings.EqualFold(td.livePart[i].Name, wantPart[i]) || d.ConfigType(td.livePart[i].Type) != "STRING"
	}
	liveIdx := map[string]int{}
	for i, c := range td.liveCols {
		liveIdx[strings.ToLower(c.Name)] = i
	}
	wanted := map[string]bool{}
	for i, c := range want.Columns {
		wanted[strings.ToLower(c.Name)] = true
		j, ok := liveIdx[strings.ToLower(c.Name)]
		switch {
		case !ok && i >= len(td.liveCols):
			td.add = append(td.add, c)
			continue
		case !ok:
			td.misplaced = append(td.misplaced, c)
			continue
		case j != i:
			td.moved = append(td.moved, moved{col: c, live: j + 1, want: i + 1})
		}
		lc := td.liveCols[j]
		if !d.HoldsType(lc.Type, c.Type) {
			td.retyped = append(td.retyped, retyped{col: c, live: lc})
		}
		if c.Comment != lc.Comment {
			td.comments = append(td.comments, c)
			td.oldComments = append(td.oldComments, lc.Comment)
		}
	}
	for _, lc := range td.liveCols {
		if !wanted[strings.ToLower(lc.Name)] {
			td.extra = append(td.extra, lc)
		}
	}
	return td
}

func (td *tableDiff) livePartNames() string {
	names := make([]string, len(td.livePart))
	for i, c := range td.livePart {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// wantPartNames says how funnel.toml partitions the table: "dt", or
// "(dt, hh)" for a table partitioned by day and hour.
func (td *tableDiff) wantPartNames() string {
	if td.want.HourPartition != "" {
		return "(" + td.want.Partition + ", " + td.want.HourPartition + ")"
	}
	return "(" + td.want.Partition + ")"
}

// partitionKeys says what to write in funnel.toml to partition the table as
// it is live: partition = "dt", with hour_partition = "hh" for a second key
// (or without hour_partition for one), when the live keys are STRING.
func (td *tableDiff) partitionKeys() string {
	switch {
	case len(td.livePart) == 1 && td.want.HourPartition != "":
		return fmt.Sprintf("partition = %q and no hour_partition", td.livePart[0].Name)
	case len(td.livePart) == 1:
		return fmt.Sprintf("partition = %q", td.livePart[0].Name)
	case len(td.livePart) == 2:
		return fmt.Sprintf("partition = %q and hour_partition = %q", td.livePart[0].Name, td.livePart[1].Name)
	}
	return "" // none, or more than a day and an hour: nothing funnel.toml can say
}

// reportKeys says what to set back in funnel.toml for funnel f's report to
// be partitioned as the live table is: partition = "dt" under
// [funnels.report], and for a table partitioned by day and hour,
// grain = "hour" and hour_partition; "" when no funnel.toml partitions a
// report so.
func (td *tableDiff) reportKeys(f *models.Funnel) string {
	switch {
	case len(td.livePart) == 1 && td.want.HourPartition != "":
		return fmt.Sprintf(`set grain = "day" back in funnel %s in funnel.toml, with partition = %q and no hour_partition under its [funnels.report]`, f.Name, td.livePart[0].Name)
	case len(td.livePart) == 1:
		return fmt.Sprintf("set partition = %q back under [funnels.report] of funnel %s in funnel.toml", td.livePart[0].Name, f.Name)
	case len(td.livePart) == 2:
		return fmt.Sprintf(`set grain = "hour" back in funnel %s in funnel.toml, with partition = %q and hour_partition = %q under its [funnels.report]`, f.Name, td.livePart[0].Name, td.livePart[1].Name)
	}
	return ""
}

// badPartitionTypes lists the live partition columns that are not STRING,
// as "hh BIGINT"; fgen writes and reads days and hours as strings.
func (td *tableDiff) badPartitionTypes(d generator.Dialect) string {
	var bad []string
	for _, c := range td.livePart {
		if d.ConfigType(c.Type) != "STRING" {
			bad = append(bad, c.Name+" "+d.ConfigType(c.Type))
		}
	}
	return strings.Join(bad, ", ")
}

// ColumnDrift is how a live table's columns differ from funnel.toml's, as
// the plan compares them: the columns the live table lacks, by name, and
// those it has with another type, each as "status is BIGINT there, STRING
// in funnel.toml".
type ColumnDrift struct {
	Missing, Retyped []string
}

// Drift compares the live table with want, a table of the rendered project
// proj, on an engine with capabilities caps (fgen load, before it writes
// every column of the ODS table).
func Drift(proj *generator.Project, caps warehouse.Capabilities, want generator.Table, live *warehouse.Table) ColumnDrift {
	td := diff(proj.Dialect, caps, want, live)
	var d ColumnDrift
	for _, c := range append(td.misplaced, td.add...) { // in funnel.toml's order
		d.Missing = append(d.Missing, c.Name)
	}
	for _, r := range td.retyped {
		d.Retyped = append(d.Retyped, fmt.Sprintf("%s is %s there, %s in funnel.toml", r.col.Name, proj.Dialect.ConfigType(r.live.Type), r.col.Type))
	}
	return d
}

// compare plans the evolution of one existing table of the rendered project
// proj on an engine with capabilities caps.
// writers, when the engine knows it, is what wrote the table's partitions;
// f is the funnel whose report the table is, nil for another table.
func compare(proj *generator.Project, caps warehouse.Capabilities, want generator.Table, live *warehouse.Table, writers func() (*warehouse.Writers, error), f *models.Funnel) (TableChange, error) {
	td := diff(proj.Dialect, caps, want, live)
	if want.Layer == generator.LayerODS {
		return compareODS(proj, caps, td)
	}
	return compareDerived(proj, caps, td, writers, f)
}

// compareDerived plans a DW or RPT table, the report of funnel f (nil for
// the DW table). Its rows are derived, so a change that cannot be made in
// place recreates the table (with --allow-destructive), and apply fills the
// days again.
func compareDerived(proj *generator.Project, caps warehouse.Capabilities, td tableDiff, writersOf func() (*warehouse.Writers, error), f *models.Funnel) (TableChange, error) {
	want := td.want
	tc := TableChange{Table: want.Name, Layer: want.Layer, Action: InSync, keysDiffer: td.partition}
	if f != nil {
		tc.Problems = reportProblems(proj, td, f)
	} else {
		tc.Problems = dwProblems(proj, td)
	}
	// What wrote the table's partitions matters to a recreate, and where
	// fgen loads raw rows, to any change.
	var writers *warehouse.Writers
	if len(tc.Problems) > 0 || caps.LoadsODS {
		var err error
		if writers, err = writersOf(); err != nil {
			return tc, err
		}
	}
	// A table a load wrote holds raw rows: its node would overwrite them
	// even where no change is destructive (the ODS table's name given to a
	// DW table of the same columns), so it is refused as it is; so is one
	// made again outside fgen under a name fgen's notes are of.
	if len(tc.Problems) > 0 || writers != nil && (writers.Loaded > 0 || writers.Foreign || writers.Replaced != "") {
		if why := rawRows(proj, td, writers); why != "" {
			// Refused, and only this: the other problems' fixes offer
			// --allow-destructive, which must not drop this table.
			if len(tc.Problems) == 0 {
				why += "; its node would overwrite them"
			}
			refuseRaw(proj, &tc, why, writers)
			return tc, nil
		}
		s, err := proj.RecreateScript(want)
		if err != nil {
			return tc, err
		}
		tc.Action, tc.SQL, tc.Job = Blocked, s.Text(), tableJob(want.Name, "ddl", s)
		if writers != nil && writers.Jobs+writers.Earlier > 0 {
			// What --allow-destructive loses, where the engine knows: a
			// long history is easy to forget.
			n, partitions := writers.Jobs+writers.Earlier, "partitions"
			if n == 1 {
				partitions = "partition"
			}
			note := fmt.Sprintf("recreating it drops the rows of its %d %s; apply writes again only the days it is given", n, partitions)
			if !caps.Remote {
				note += ", and names the others" // from its notes (planBehind)
			}
			if writers.OtherProject != "" {
				tc.Notes = append(tc.Notes, fmt.Sprintf("another fgen project, %s, made it: the rows a recreate drops are that project's (two projects whose funnel.toml name one table write each other's days)", writers.OtherProject))
			}
			tc.Notes = append(tc.Notes, note)
		}
		return tc, nil
	}

	alter := generator.Alter{Table: want.Name, AddColumns: td.add, Live: td.liveColumns(proj.Dialect)}
	for _, c := range td.add {
		tc.Changes = append(tc.Changes, fmt.Sprintf("add column %s %s", c.Name, c.Type))
		tc.added = append(tc.added, c.Name)
	}
	td.setComments(&alter, &tc, false)
	if caps.Lifecycle {
		switch live := td.live.Lifecycle; {
		case want.Lifecycle > 0 && want.Lifecycle != live:
			alter.SetLifecycle, alter.Lifecycle = true, want.Lifecycle
			tc.Changes = append(tc.Changes, fmt.Sprintf("lifecycle %d -> %d", live, want.Lifecycle))
		case want.Lifecycle == 0 && live > 0:
			// MaxCompute takes only a positive lifecycle: one cannot be
			// removed, only its reclaiming disabled, which its metadata
			// does not show, so fgen could never tell the change was made.
			tc.Notes = append(tc.Notes, fmt.Sprintf("funnel.toml sets no lifecycle, but the live table has one of %d days, which fgen leaves: set lifecycle = %d in funnel.toml to say so, or, to keep partitions past %d days, run ALTER TABLE %s DISABLE LIFECYCLE; once",
				live, live, live, proj.Dialect.QuoteIdent(want.Name)))
		}
	}
	s, err := proj.RenderAlter(alter)
	if err != nil {
		return tc, err
	}
	if len(s.Statements) > 0 && caps.Remote {
		// DataWorks runs of out/'s nodes write partitions too, so a table
		// fgen has no note of making or writing is fgen's to write when it
		// is what out/'s DDL makes, as a DataWorks deployment of out/
		// leaves it. One that differs is no such table (the sync task's
		// ODS table under a name funnel.toml now gives its DW table, whose
		// node would overwrite its partitions): refused, even in place.
		writers, err := writersOf()
		if err != nil {
			return tc, err
		}
		if writers != nil && writers.Unclaimed() {
			refuseRaw(proj, &tc, rawRows(proj, td, writers)+"; and it differs from the table out/'s DDL makes ("+strings.Join(tc.Changes, "; ")+"): apply would ALTER it, then write its partitions", writers)
			return tc, nil
		}
	}
	if len(s.Statements) > 0 {
		tc.Action, tc.SQL, tc.Job = Alter, s.Text(), tableJob(want.Name, "alter", s)
	}
	return tc, nil
}

// refuseRaw makes tc a refusal (CodeRawTable) of a table that may hold rows
// fgen did not derive, as why says, with the ways out: the names in
// funnel.toml, dropping it by hand, or noting it as fgen's (writers.Claim).
func refuseRaw(proj *generator.Project, tc *TableChange, why string, writers *warehouse.Writers) {
	fix := fmt.Sprintf("check the table names under [ods], [dw] and the funnels' reports in funnel.toml; fgen never drops or changes a table that may hold rows it did not derive, even with --allow-destructive. If %s holds only rows you can derive again, drop it yourself (DROP TABLE %s), then apply again", tc.Table, proj.Dialect.QuoteIdent(tc.Table))
	switch {
	case writers != nil && writers.Replaced != "" && writers.Claim != "":
		fix += ". Should fgen have made it after all (an apply that failed or was interrupted as it made it, or an fgen older than the note of when it made a table), note it instead: " + writers.Claim
	case writers != nil && writers.Unowned && writers.Claim != "":
		fix += ". If a DataWorks deployment of out/ made it and its rows are what out/'s nodes derive, note it as fgen's instead: " + writers.Claim
	}
	tc.Problems = []Problem{{Code: CodeRawTable, Refused: true, Message: why, Fix: fix}}
	tc.Action, tc.SQL, tc.Job, tc.Changes = Blocked, "", nil, nil
}

// dwProblems lists the changes of the DW table td describes that cannot be
// made in place: its columns are funnel.toml's [dw] columns.
func dwProblems(proj *generator.Project, td tableDiff) []Problem {
	var out []Problem
	recreate := fmt.Sprintf("; --allow-destructive drops and recreates %s (its rows are derived: apply the days you need again)", td.want.Name)
	if td.partition {
		out = append(out, Problem{Code: CodePartitionChanged,
			Message: fmt.Sprintf("live table is partitioned by (%s), funnel.toml says %s", td.livePartNames(), td.wantPartNames()),
			Fix:     "recreate the table (--allow-destructive drops and recreates it, losing its data)"})
		if keys := td.partitionKeys(); keys != "" {
			out[len(out)-1].Fix = fmt.Sprintf("set %s back under [dw] in funnel.toml, or %s", keys, out[len(out)-1].Fix)
		}
		if bad := td.badPartitionTypes(proj.Dialect); bad != "" {
			out[len(out)-1].Fix = fmt.Sprintf("partition columns hold the day and hour as STRING, the live table has %s: recreate the table (--allow-destructive drops and recreates it, losing its data)", bad)
		}
	}
	for _, c := range td.misplaced {
		out = append(out, Problem{Code: CodeColumnReordered, Column: c.Name,
			Message: fmt.Sprintf("new column %s is not last; ALTER TABLE ... ADD COLUMNS appends new columns at the end", c.Name),
			Fix:     fmt.Sprintf("move %s to the end of the columns in funnel.toml", c.Name) + recreate})
	}
	out = append(out, movedProblems(td.moved, "keep the live column order in funnel.toml; INSERT OVERWRITE maps columns by position"+recreate)...)
	for _, r := range td.retyped {
		out = append(out, Problem{Code: CodeColumnRetyped, Column: r.col.Name,
			Message: fmt.Sprintf("column %s is %s live and %s in funnel.toml", r.col.Name, proj.Dialect.ConfigType(r.live.Type), r.col.Type),
			Fix:     fmt.Sprintf("keep type %s in funnel.toml, or add a new column with the new type", proj.Dialect.ConfigType(r.live.Type)) + recreate})
	}
	for _, lc := range td.extra {
		out = append(out, Problem{Code: CodeColumnDropped, Column: lc.Name,
			Message: fmt.Sprintf("live column %s is not in funnel.toml", lc.Name),
			Fix:     fmt.Sprintf("add %s %s back to funnel.toml (fgen never drops data without --allow-destructive)", lc.Name, proj.Dialect.ConfigType(lc.Type)) + recreate})
	}
	return out
}

// movedProblems is the problem of the columns a table's change moves, with
// fix: one column's, or, as they move together after a column that came
// or went, one of them all.
func movedProblems(moved []moved, fix string) []Problem {
	switch len(moved) {
	case 0:
		return nil
	case 1:
		m := moved[0]
		return []Problem{{Code: CodeColumnReordered, Column: m.col.Name,
			Message: fmt.Sprintf("column %s is at position %d live and %d in funnel.toml", m.col.Name, m.live, m.want),
			Fix:     fix}}
	}
	var moves []string
	for _, m := range moved {
		moves = append(moves, fmt.Sprintf("%s %d→%d", m.col.Name, m.live, m.want))
	}
	return []Problem{{Code: CodeColumnReordered,
		Message: fmt.Sprintf("%d columns are at other positions live than in funnel.toml (live→funnel.toml): %s", len(moves), strings.Join(moves, ", ")),
		Fix:     fix}}
}

// reportProblems lists the changes of funnel f's report table td describes
// that cannot be made in place. funnel.toml lists no columns for it: they
// follow the funnel's breakdowns and stages and the column names under
// [funnels.report] (models.Funnel.ReportColumns), so each fix says what of
// the funnel to keep as it was, or to recreate the table.
func reportProblems(proj *generator.Project, td tableDiff, f *models.Funnel) []Problem {
	var out []Problem
	source := "the DW table"
	for _, t := range proj.Tables {
		if t.Layer == generator.LayerDW {
			source = t.Name
		}
	}
	recreate := fmt.Sprintf("or run apply with --allow-destructive to recreate %s (its rows are recomputed from %s: apply the days you need again)", td.want.Name, source)
	of := fmt.Sprintf("under [funnels.report] of funnel %s in funnel.toml", f.Name)
	cols := map[string]models.ReportColumn{}
	for _, c := range f.ReportColumns() {
		cols[strings.ToLower(c.Name)] = c
	}
	if td.partition {
		fix := strings.TrimPrefix(recreate, "or ")
		if keys := td.reportKeys(f); keys != "" {
			fix = keys + ", " + recreate
		}
		if bad := td.badPartitionTypes(proj.Dialect); bad != "" {
			fix = fmt.Sprintf("partition columns hold the day and hour as STRING, the live table has %s: %s", bad, strings.TrimPrefix(recreate, "or "))
		}
		out = append(out, Problem{Code: CodePartitionChanged,
			Message: fmt.Sprintf("live table is partitioned by (%s), funnel.toml says %s", td.livePartNames(), td.wantPartNames()), Fix: fix})
	}
	for _, c := range td.misplaced {
		rc := cols[strings.ToLower(c.Name)]
		keys, made := "mode and report settings", "they give"
		switch {
		case rc.Kind == models.KindDimension && rc.Dimension != "":
			keys, made = "breakdowns", "breakdown "+rc.Dimension+" gives"
		case rc.Stage >= 0:
			keys, made = "stages and the column names under [funnels.report]", "stage "+f.Stages[rc.Stage].Name+" gives"
		}
		out = append(out, Problem{Code: CodeColumnReordered, Column: c.Name,
			Message: fmt.Sprintf("new column %s is not last; ALTER TABLE ... ADD COLUMNS appends new columns at the end", c.Name),
			Fix:     fmt.Sprintf("keep the funnel's %s as they were in funnel.toml (%s column %s, which the live table lacks), %s", keys, made, c.Name, recreate)})
	}
	// The report's columns move together, after a breakdown or stage that
	// came or went: one problem says so.
	moveFix := fmt.Sprintf("keep the funnel's breakdowns and stages as they were in funnel.toml (the report's columns follow them, and INSERT OVERWRITE maps columns by position), %s", recreate)
	out = append(out, movedProblems(td.moved, moveFix)...)
	for _, r := range td.retyped {
		fix := "the type follows the funnel's mode and layout: keep them as they were in funnel.toml, " + recreate
		switch live := proj.Dialect.ConfigType(r.live.Type); cols[strings.ToLower(r.col.Name)].Kind {
		case models.KindCount:
			fix = fmt.Sprintf("set count_type = %q back %s, %s", live, of, recreate)
		case models.KindStepRate, models.KindOverallRate:
			format := "ratio"
			if live == "STRING" {
				format = "percent"
			}
			fix = fmt.Sprintf("set rate_format = %q back %s, %s", format, of, recreate)
		}
		out = append(out, Problem{Code: CodeColumnRetyped, Column: r.col.Name,
			Message: fmt.Sprintf("column %s is %s live and %s in funnel.toml", r.col.Name, proj.Dialect.ConfigType(r.live.Type), r.col.Type), Fix: fix})
	}
	for _, lc := range td.extra {
		fix := fmt.Sprintf("keep the funnel's stages, breakdowns and the column names under [funnels.report] as they were in funnel.toml, %s", recreate)
		breakdown, stages := models.ColumnOrigin(lc.Name, lc.Comment)
		var gone []string
		for _, s := range stages {
			if !slices.ContainsFunc(f.Stages, func(st models.Stage) bool { return strings.EqualFold(st.Name, s) }) {
				gone = append(gone, "stage "+s)
			}
		}
		switch {
		case breakdown != "":
			fix = fmt.Sprintf("keep breakdown %s in funnel %s in funnel.toml, %s", breakdown, f.Name, recreate)
		case len(gone) > 0:
			fix = fmt.Sprintf("keep %s in funnel %s in funnel.toml, %s", strings.Join(gone, " and "), f.Name, recreate)
		case len(stages) > 0:
			fix = fmt.Sprintf("keep the funnel's stages in their order and the column names under [funnels.report] as they were in funnel.toml (column %s is of stage %s), %s", lc.Name, stages[0], recreate)
		}
		out = append(out, Problem{Code: CodeColumnDropped, Column: lc.Name,
			Message: fmt.Sprintf("live column %s is not a column of funnel %s's report", lc.Name, f.Name), Fix: fix})
	}
	return out
}

// rawRows says why the live DW or RPT table td describes may hold raw rows,
// which fgen never drops, or "". Where the engine notes what wrote each
// partition (writers), a load having written any says so, and jobs alone
// say the rows are derived. Otherwise the table's columns decide
// (rawColumns): it cannot tell the ODS table under another name from a DW
// table that kept every ODS column.
func rawRows(proj *generator.Project, td tableDiff, writers *warehouse.Writers) string {
	name := td.want.Name
	switch {
	case writers != nil && writers.Loaded > 0:
		return fmt.Sprintf("a load (fgen load, fgen sample --load) wrote %d of live table %s's partitions: it holds raw rows, not rows fgen derived", writers.Loaded, name)
	case writers != nil && writers.Replaced != "":
		return fmt.Sprintf("live table %s is not the table fgen wrote (dropped and made again outside fgen?): %s; its rows are not rows fgen derived", name, writers.Replaced)
	case writers != nil && writers.Jobs > 0:
		return ""
	case writers != nil && writers.Empty && writers.Unclaimed():
		return fmt.Sprintf("fgen did not make live table %s, which has no partitions yet, and has no note of writing it: it is not fgen's to drop or change (the sync task's ODS table under the name funnel.toml gives its %s table, or one made by hand?)", name, td.want.Layer)
	case writers != nil && writers.Foreign:
		return fmt.Sprintf("fgen has no note of writing any partition of live table %s, which holds rows: they are not rows fgen derived (another table under the name funnel.toml gives its %s table?)", name, td.want.Layer)
	case writers != nil && writers.Unowned && len(td.livePart) == 0:
		return fmt.Sprintf("live table %s is not partitioned, as every table fgen makes is: its rows are not rows fgen derived (another table under the name funnel.toml gives its %s table, or one made by hand?)", name, td.want.Layer)
	case writers != nil && writers.Unowned:
		return fmt.Sprintf("fgen did not create live table %s and has no note of writing any of its partitions: its rows may not be rows fgen derived (another table under the name funnel.toml gives its %s table, or one made by hand or by a DataWorks deployment?)", name, td.want.Layer)
	}
	if cols := rawColumns(proj, td); cols != nil {
		return fmt.Sprintf("live table %s has every column of the ODS table (%s), and funnel.toml makes it a %s table without %s: it looks like raw rows, not rows fgen derived (a DW table that kept every ODS column looks the same)", name, strings.Join(cols, ", "), td.want.Layer, strings.Join(missingFrom(cols, td.want.Columns), ", "))
	}
	return ""
}

// rawColumns returns the ODS table's columns when the live table td
// describes has all of them (by name) and the table funnel.toml wants there
// lacks some: a DW or RPT table fgen made has only the columns it declares,
// so this one is more likely the ODS table, or a copy of it, under a name
// funnel.toml now gives to another layer. Otherwise it returns nil.
func rawColumns(proj *generator.Project, td tableDiff) []string {
	var ods *generator.Table
	for i := range proj.Tables {
		if proj.Tables[i].Layer == generator.LayerODS {
			ods = &proj.Tables[i]
		}
	}
	if ods == nil || len(ods.Columns) == 0 {
		return nil
	}
	live := map[string]bool{}
	for _, c := range td.liveCols {
		live[strings.ToLower(c.Name)] = true
	}
	var cols []string
	for _, c := range ods.Columns {
		if !live[strings.ToLower(c.Name)] {
			return nil
		}
		cols = append(cols, c.Name)
	}
	if len(missingFrom(cols, td.want.Columns)) == 0 {
		return nil
	}
	return cols
}

// missingFrom returns the names of names that none of cols has.
func missingFrom(names []string, cols []models.Column) []string {
	var out []string
	for _, n := range names {
		if !slices.ContainsFunc(cols, func(c models.Column) bool { return strings.EqualFold(c.Name, n) }) {
			out = append(out, n)
		}
	}
	return out
}

// compareODS plans the ODS table, which belongs to the sync task that fills
// it: fgen never drops, recreates, retypes, reorders or removes anything of
// it, with or without --allow-destructive, and leaves its comments and
// lifecycle. Where fgen fills it itself (the local engine's 'fgen load'), it
// appends the columns funnel.toml adds and sets the comments funnel.toml
// gives, and each fix says the way to other columns there: a new
// warehouse, loaded again.
func compareODS(proj *generator.Project, caps warehouse.Capabilities, td tableDiff) (TableChange, error) {
	want := td.want
	tc := TableChange{Table: want.Name, Layer: want.Layer, Action: InSync, keysDiffer: td.partition}
	owner, anew := "the sync task that fills it", ""
	if caps.LoadsODS {
		owner = "fgen load"
		anew = "; or, as fgen load fills it here, load your files into a new warehouse: move the target's database file aside (or set its path to a new file), then load them again and apply"
	}
	refuse := func(code, column, msg, fix string) {
		tc.Problems = append(tc.Problems, Problem{Code: code, Column: column, Message: msg, Fix: fix + anew, Refused: true})
	}
	if td.partition {
		fix := fmt.Sprintf("set %s under [ods] in funnel.toml to match the table %s writes; fgen never recreates the ODS table", td.partitionKeys(), owner)
		if td.partitionKeys() == "" {
			fix = fmt.Sprintf("fgen reads the ODS table a day at a time, by a STRING day partition column (and an hour one): have %s write it partitioned so, and name them under [ods] in funnel.toml; fgen never recreates the ODS table", owner)
		}
		refuse(CodePartitionChanged, "",
			fmt.Sprintf("the ODS table is partitioned by (%s), funnel.toml says %s", td.livePartNames(), td.wantPartNames()), fix)
		if bad := td.badPartitionTypes(proj.Dialect); bad != "" {
			tc.Problems[len(tc.Problems)-1].Fix = fmt.Sprintf("fgen reads the ODS day and hour partitions as STRING (dt yyyymmdd, hh 00 to 23), the live table has %s: have %s write STRING partition columns; fgen never recreates the ODS table", bad, owner) + anew
		}
	}
	if len(td.moved) > 0 || len(td.misplaced) > 0 {
		var order []string
		for _, c := range td.liveCols {
			order = append(order, c.Name)
		}
		// One problem for the columns a column inserted before them moved.
		for _, p := range movedProblems(td.moved, fmt.Sprintf("list the columns under [ods] in funnel.toml in the live order (%s); fgen never reorders the ODS table", strings.Join(order, ", "))) {
			refuse(p.Code, p.Column, p.Message, p.Fix)
		}
		for _, c := range td.misplaced {
			fix := fmt.Sprintf("have %s add %s %s to the ODS table, then list it under [ods] where the table has it; or remove it from [ods] in funnel.toml", owner, c.Name, c.Type)
			if caps.LoadsODS {
				fix = fmt.Sprintf("list %s last under [ods] in funnel.toml, and apply appends it; or remove it from [ods]", c.Name)
			}
			refuse(CodeColumnMissing, c.Name,
				fmt.Sprintf("the ODS table has no column %s, and funnel.toml places it before live columns", c.Name), fix)
		}
	}
	for _, r := range td.retyped {
		fix := fmt.Sprintf("set type = %q for %s under [ods] in funnel.toml (the DW node casts it to the DW column's type), or change the type in %s; fgen never retypes an ODS column", proj.Dialect.ConfigType(r.live.Type), r.col.Name, owner)
		if caps.LoadsODS {
			fix = fmt.Sprintf("set type = %q for %s under [ods] in funnel.toml (the DW node casts it to the DW column's type); fgen never retypes an ODS column", proj.Dialect.ConfigType(r.live.Type), r.col.Name)
		}
		refuse(CodeColumnRetyped, r.col.Name,
			fmt.Sprintf("ODS column %s is %s live and %s in funnel.toml", r.col.Name, proj.Dialect.ConfigType(r.live.Type), r.col.Type), fix)
	}
	trailing := len(td.extra) > 0 && !caps.LoadsODS && !td.partition && len(td.moved) == 0 && len(td.misplaced) == 0 &&
		!slices.ContainsFunc(td.extra, func(c warehouse.Column) bool { return models.NeedsODPS2(proj.Dialect.ConfigType(c.Type)) })
	if trailing {
		// Columns the sync task added after funnel.toml's (ADD COLUMNS
		// appends): the DW node reads the ODS columns by name, so none of
		// its SQL changes, and the day's jobs run as before. (Not a column
		// of a 2.0 type, which a project of the 1.0 edition reads only
		// with the setting the DW node gets from funnel.toml's columns.)
		var cols []string
		for _, lc := range td.extra {
			cols = append(cols, fmt.Sprintf("{ name = %q, type = %q }", lc.Name, proj.Dialect.ConfigType(lc.Type)))
		}
		tc.Notes = append(tc.Notes, fmt.Sprintf("the table has columns after funnel.toml's, which no node reads: to describe them, add %s last under [ods]", strings.Join(cols, ", ")))
	} else {
		for _, lc := range td.extra {
			if td.partition && (strings.EqualFold(lc.Name, want.Partition) || strings.EqualFold(lc.Name, want.HourPartition)) {
				continue // a partition column funnel.toml names, a plain one live: the partition problem says it
			}
			typ := proj.Dialect.ConfigType(lc.Type)
			fix := fmt.Sprintf("add { name = %q, type = %q } under [ods] in funnel.toml, where the table has it; fgen never drops an ODS column", lc.Name, typ)
			if _, err := models.NormalizeType(typ); err != nil {
				fix = fmt.Sprintf("%s is %s, a type funnel.toml does not take, so it cannot describe the table: have %s write it to another table; fgen never drops an ODS column", lc.Name, typ, owner)
			}
			refuse(CodeColumnDropped, lc.Name,
				fmt.Sprintf("the ODS table has a column %s that funnel.toml does not list", lc.Name), fix)
		}
	}
	if len(td.add) > 0 && !caps.LoadsODS {
		for _, c := range td.add {
			refuse(CodeColumnMissing, c.Name,
				fmt.Sprintf("the ODS table has no column %s", c.Name),
				fmt.Sprintf("have %s add it (ALTER TABLE %s ADD COLUMNS (%s %s);), or remove %s from [ods] in funnel.toml; fgen never changes the ODS table's columns",
					owner, proj.Dialect.QuoteIdent(want.Name), proj.Dialect.QuoteIdent(c.Name), c.Type, c.Name))
		}
	}
	if !caps.LoadsODS && (len(td.comments) > 0 || want.Comment != td.live.Comment || caps.Lifecycle && want.Lifecycle != td.live.Lifecycle && !(want.Lifecycle == 0 && td.live.Lifecycle < 0)) {
		tc.Notes = append(tc.Notes, "comments or lifecycle differ from funnel.toml; fgen leaves them to "+owner)
	}
	if len(tc.Problems) > 0 {
		tc.Action = Blocked
		return tc, nil
	}
	alter := generator.Alter{Table: want.Name, AddColumns: td.add, Live: td.liveColumns(proj.Dialect)}
	for _, c := range td.add {
		tc.Changes = append(tc.Changes, fmt.Sprintf("add column %s %s", c.Name, c.Type))
	}
	// The comments funnel.toml gives; one it leaves out (comments are
	// optional) keeps the table's, which another tool may have set.
	if caps.LoadsODS && td.setComments(&alter, &tc, true) {
		tc.Notes = append(tc.Notes, "the table has comments where funnel.toml gives none; fgen keeps them")
	}
	if len(tc.Changes) > 0 {
		s, err := proj.RenderAlter(alter)
		if err != nil {
			return tc, err
		}
		tc.Action, tc.SQL, tc.Job = Alter, s.Text(), tableJob(want.Name, "alter", s)
	}
	return tc, nil
}
