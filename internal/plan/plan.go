// Package plan compares a rendered project with a live warehouse and says
// what apply would do: create or evolve tables, and which node jobs run for
// which business dates. Apply carries a plan out.
package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
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
	// Recreate is how the plan of an apply given --allow-destructive
	// (Plan.AllowDestructive) shows a Blocked table it drops and makes
	// again. A table whose change fgen never makes (Refused) stays Blocked;
	// Build never gives a table this action.
	Recreate Action = "recreate"
)

// Problem codes of destructive changes; stable, for scripts and docs.
const (
	CodeColumnDropped    = "column_dropped"
	CodeColumnRetyped    = "column_retyped"
	CodeColumnReordered  = "column_reordered"
	CodePartitionChanged = "partition_changed"
	// CodeColumnMissing: the live ODS table lacks a column funnel.toml
	// declares, and its sync task, not fgen, would add it.
	CodeColumnMissing = "column_missing"
	// CodeRawTable: a DW or RPT table may hold raw rows (funnel.toml gave
	// the ODS table's name to another layer): a load wrote some of its
	// partitions, or, where the engine keeps no notes, it has every ODS
	// column and would be recreated. fgen never drops it (rawRows).
	CodeRawTable = "raw_table"
)

// Problem is a change apply refuses: a destructive change it makes only with
// --allow-destructive, or one it never makes (Refused).
type Problem struct {
	Code    string `json:"code"`
	Column  string `json:"column"` // "" when the problem is the table's
	Message string `json:"message"`
	Fix     string `json:"fix"`
	// Refused: fgen never makes this change, with or without
	// --allow-destructive: it would change the ODS table, which belongs to
	// the sync task that fills it.
	Refused bool `json:"refused"`
}

// TableChange is the plan for one table.
type TableChange struct {
	Table    string    `json:"table"`
	Layer    string    `json:"layer"`
	Action   Action    `json:"action"`
	Changes  []string  `json:"changes"`  // human-readable, e.g. "add column x BIGINT"
	Problems []Problem `json:"problems"` // for blocked tables
	Notes    []string  `json:"notes"`    // differences fgen leaves alone
	// SQL runs when applying (for blocked tables: only with
	// --allow-destructive, and never when a problem is Refused).
	SQL string `json:"sql"`
	// Job is SQL as apply runs it: one statement after the other.
	Job *warehouse.Job `json:"-"`
	// keysDiffer: the live table's partition keys are not funnel.toml's,
	// so its partitions can be neither probed nor read (a problem says so,
	// unless a refusal took its place).
	keysDiffer bool
	// added: the columns an Alter adds, whose types stay (widening one
	// recreates the table).
	added []string
}

// Refused reports whether apply never makes this table's change.
func (t *TableChange) Refused() bool {
	for _, p := range t.Problems {
		if p.Refused {
			return true
		}
	}
	return false
}

// Day is the plan for one business date.
type Day struct {
	Day string
	// UpstreamReady is false when the ODS partition of the day is missing;
	// apply then does not run the day's nodes.
	UpstreamReady bool
	Missing       []string // partitions, as "table/column=value" or "table/dt=day/hh=hour"
	// MissingHours says, for an hourly ODS table, which of the day's hour
	// partitions are missing: "ods_events dt=20261201: hours 07, 13-23 missing".
	MissingHours []string
	Warnings     []string
	Jobs         []*Job
	// unchecked: the ODS table's partitions could not be probed (its
	// partition keys are not funnel.toml's); Missing names them all.
	unchecked bool
}

// MissingText says what upstream partitions the day lacks, for messages:
// the hours of an hourly ODS table in runs, or the day's partition.
func (d *Day) MissingText() string {
	if len(d.MissingHours) > 0 {
		return strings.Join(d.MissingHours, "; ")
	}
	return strings.Join(d.Missing, ", ")
}

// Pending reports whether some job of the day is pending.
func (d *Day) Pending() bool {
	for _, j := range d.Jobs {
		if j.Pending {
			return true
		}
	}
	return false
}

// Plan is everything apply would do. JSON gives its JSON form.
type Plan struct {
	Target string
	Engine string
	// Location is where the target's tables are (Input.Location).
	Location string
	Caps     warehouse.Capabilities
	Tables   []TableChange
	Days     []Day
	// Former are the tables fgen's jobs wrote that funnel.toml no longer
	// defines (a funnel renamed or removed, its report table renamed):
	// fgen leaves them and their rows, and says so.
	Former []string
	// Behind, of a plan of no days that asked (Input.Behind), are the
	// nodes whose partitions of days fgen wrote apply would write again.
	Behind []Behind
	// NotApplied, of a plan of no days that asked (Input.Behind), are the
	// days fgen loaded (into the ODS table) that apply has not finished:
	// no job has written them, or some job has not (an apply stopped or
	// failed part-way).
	NotApplied []string
	// AllowDestructive is set by an apply given --allow-destructive: the
	// plan it shows (on a terminal's prompt, of --dry-run) says it
	// recreates the Blocked tables it may (Recreate), and is blocked only
	// by a change fgen never makes. Apply's permission is
	// ApplyOptions.AllowDestructive.
	AllowDestructive bool
	// command writes an fgen command line of the plan's (Input.command),
	// for the notes of Behind and NotApplied.
	command func(sub string) string
}

// ActionOf is t's action as p shows it: Recreate for a Blocked table the
// apply may recreate (AllowDestructive).
func (p *Plan) ActionOf(t *TableChange) Action {
	if t.Action == Blocked && p.AllowDestructive && !t.Refused() {
		return Recreate
	}
	return t.Action
}

// blocksApply reports whether apply refuses p, as p shows it: a change
// fgen never makes, or a destructive one not allowed.
func (p *Plan) blocksApply() bool {
	return p.IsRefused() || p.IsBlocked() && !p.AllowDestructive
}

// planBehindDays is the fgen plan of the days of p.Behind (of their span:
// a plan names a day it cannot run).
func (p *Plan) planBehindDays() string {
	days := p.behindDays()
	return p.command("plan " + bizdate.Run{First: days[0], Last: days[len(days)-1]}.Flags())
}

// HasChanges reports whether applying would change any table or run any
// job: some table is not in sync, or some job is pending.
func (p *Plan) HasChanges() bool {
	for _, d := range p.Days {
		if d.Pending() {
			return true
		}
	}
	for _, t := range p.Tables {
		if t.Action != InSync {
			return true
		}
	}
	return false
}

// ChangeFails returns an error when a table change apply cannot take back
// would leave a job of those apply runs (every ready day's with all)
// failing on the day's rows (Job.failure), or skipped for a job it needs that
// will:
//   - a table to be recreated (Blocked): apply --allow-destructive would
//     drop its rows, and then not write them again; so too, of a day the
//     table holds, when the day's ODS partitions are missing;
//   - a table to be given new columns (an Alter that adds), when its job
//     fails on one of them: a column once added keeps its type, and
//     widening it recreates the table.
func (p *Plan) ChangeFails(all bool) error {
	byKey := map[string]*Job{}
	for _, d := range p.Days {
		for _, j := range d.Jobs {
			byKey[j.Key()] = j
		}
	}
	var fails func(j *Job) string
	fails = func(j *Job) string {
		if why := j.failure(); why != "" {
			return why
		}
		for _, k := range j.Needs {
			if n := byKey[k]; n != nil {
				if why := fails(n); why != "" {
					return why
				}
			}
		}
		return ""
	}
	for _, t := range p.Tables {
		if t.Action != Blocked && !(t.Action == Alter && len(t.added) > 0) {
			continue
		}
		for _, d := range p.Days {
			for _, j := range d.Jobs {
				if j.Name != t.Table || !(j.Pending || all) {
					continue
				}
				if !d.UpstreamReady {
					// Apply skips the day; a recreate would drop the rows
					// the table holds of it for good.
					if t.Action == Blocked && j.holds {
						return fmt.Errorf("%s is to be recreated, and its job of %s would then be skipped: the day's upstream partitions are missing (%s); recreating it would drop what it holds of %s and not write it again, so nothing was changed (load the day's ODS rows first; a recreate drops every day the table holds, and writes again only the days apply is given)", t.Table, d.Day, d.MissingText(), d.Day)
					}
					continue
				}
				if t.Action == Alter {
					// The job fails on an added column: its type stays.
					for _, w := range j.failsOn {
						if slices.Contains(t.added, w.Column) {
							return fmt.Errorf("%s is to be altered (%s), and its job of %s would then fail: %s; a column once added keeps its type (widening it later recreates the table), so nothing was changed", t.Table, strings.Join(t.Changes, ", "), d.Day, w.Message)
						}
					}
					continue
				}
				if why := fails(j); why != "" {
					return fmt.Errorf("%s is to be recreated, and its job of %s would then fail or be skipped: %s; recreating it would drop the rows of the days it holds and write those of %s no more, so nothing was changed", t.Table, d.Day, why, d.Day)
				}
			}
		}
	}
	return nil
}

// AddingColumns returns the tables to be given new columns (an Alter that
// adds), whose types stay once added: ChangeFails checks them against the
// jobs of the days planned.
func (p *Plan) AddingColumns() []string {
	var names []string
	for _, t := range p.Tables {
		if t.Action == Alter && len(t.added) > 0 {
			names = append(names, t.Table)
		}
	}
	return names
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

// IsRefused reports whether some table has a change apply never makes.
func (p *Plan) IsRefused() bool {
	for i := range p.Tables {
		if p.Tables[i].Refused() {
			return true
		}
	}
	return false
}

// Input is what a plan is built from.
type Input struct {
	Target string
	// Location says where the target's tables are, for the plan's
	// reader: "project P at ENDPOINT", a database file's path; or "".
	Location string
	Config   *models.Config
	Project  *generator.Project // rendered in the target's dialect
	Days     []string           // business dates to run; none for a schema-only plan
	// Behind: a plan of no days looks into the days fgen's jobs wrote, and
	// notes those apply would write again (Plan.Behind): for fgen plan.
	Behind bool
	// NoChecks leaves out the checks of the days' ODS rows (lint.Check),
	// queries of their own: for report, which asks only whether the
	// partitions it reads are up to date.
	NoChecks bool
	// Command writes the fgen command line of a subcommand and its
	// arguments that a warning suggests ("apply --from D1 --to D2"), with
	// the flags that make it act where this plan did (-c, --target); nil:
	// "fgen " and the subcommand.
	Command func(sub string) string
}

// command is in.Command's line of sub.
func (in Input) command(sub string) string {
	if in.Command == nil {
		return "fgen " + sub
	}
	return in.Command(sub)
}

// Build reads live metadata from w and plans the changes and jobs.
func Build(ctx context.Context, w warehouse.Warehouse, in Input) (*Plan, error) {
	caps := w.Capabilities()
	p := &Plan{Target: in.Target, Engine: caps.Engine, Location: in.Location, Caps: caps}
	var names []string
	for _, t := range in.Project.Tables {
		names = append(names, t.Name)
	}
	describe, err := warehouse.DescribeAll(ctx, w, names)
	if err != nil {
		return nil, err
	}
	// writersOf is what wrote a derived table's partitions, where the engine
	// notes it (nil where it does not), asked when the comparison needs it.
	// An engine that loads raw rows answers for every derived table at
	// once, in one query, when the first that exists is compared; another,
	// whose answer matters only to a table to recreate, for that table.
	wrote := map[string]warehouse.Writers{}
	writersOf := func(name string) (*warehouse.Writers, error) {
		pw, ok := w.(warehouse.PartitionWriters)
		if !ok {
			return nil, nil
		}
		if _, asked := wrote[name]; !asked {
			tables := []string{name}
			if caps.LoadsODS {
				tables = nil
				for _, t := range in.Project.Tables {
					if t.Layer != generator.LayerODS {
						tables = append(tables, t.Name)
					}
				}
			}
			got, err := pw.PartitionWriters(ctx, tables)
			if err != nil {
				return nil, fmt.Errorf("partitions of %s: %w", strings.Join(tables, ", "), err)
			}
			for _, t := range tables {
				wrote[t] = got[t]
			}
		}
		tw := wrote[name]
		return &tw, nil
	}
	var ods *warehouse.Table // live
	described := map[string]*warehouse.Table{}
	for _, t := range in.Project.Tables {
		live, err := describe(t.Name)
		if errors.Is(err, warehouse.ErrTableNotFound) {
			p.Tables = append(p.Tables, TableChange{Table: t.Name, Layer: t.Layer, Action: Create,
				Changes: []string{fmt.Sprintf("create table with %d columns, partitioned by %s", len(t.Columns), partitionedBy(t))},
				SQL:     string(t.DDL.Data), Job: tableJob(t.Name, "ddl", t.Create)})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("describe %s: %w", t.Name, err)
		}
		described[t.Name] = live
		if t.Layer == generator.LayerODS {
			ods = live
		}
		tc, err := compare(in.Project, caps, t, live, func() (*warehouse.Writers, error) { return writersOf(t.Name) }, reportFunnel(in.Config, t))
		if err != nil {
			return nil, err
		}
		p.Tables = append(p.Tables, tc)
	}
	// A derived table's creation notes the project (warehouse.JobTables);
	// the ODS table is the sync task's, never a project's former table.
	for i := range p.Tables {
		if tc := &p.Tables[i]; tc.Job != nil && tc.Layer != generator.LayerODS {
			tc.Job.Project = in.Config.Project.Name
		}
	}
	if jt, ok := w.(warehouse.JobTables); ok {
		// Of the tables funnel.toml no longer defines: Build looked into
		// the project's own already.
		defined := func(name string) bool { _, ok := in.Project.Table(name); return ok }
		tables, err := jt.JobTables(ctx, in.Config.Project.Name, defined)
		if err != nil {
			return nil, fmt.Errorf("tables fgen wrote: %w", err)
		}
		p.Former = append(p.Former, tables...)
		slices.Sort(p.Former)
	}
	if len(in.Days) > 0 {
		dp := &dayPlanner{ctx: ctx, w: w, in: in, plan: p, probed: map[probe]warehouse.Partition{}, listed: map[string]bool{}, ods: ods, live: described}
		if err := dp.planDays(); err != nil {
			return nil, err
		}
	} else if in.Behind && !caps.Remote {
		if err := p.planBehind(ctx, w, in, ods, described); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Behind is a node whose partitions of days fgen wrote before 'fgen apply'
// of those days would write again, for the reason Why (a Job.Why: missing,
// sql_changed, stale_input or changed_outside).
type Behind struct {
	Name string   `json:"name"`
	Why  string   `json:"why"`
	Days []string `json:"days"`
}

// maxBehindDays is the most days fgen wrote that a plan of no days looks
// into (the most one command takes, ten years): the latest.
const maxBehindDays = 3660

// planBehind plans, without adding them to p, the days of the partitions
// fgen's jobs wrote (on an engine that lists them, a local one: on
// MaxCompute each day's probe is a request), and notes in p.Behind the
// nodes whose partitions apply would write again: after funnel.toml
// changed a node's SQL, say, a plan of the tables alone would otherwise
// call everything in sync. A node pending only because a job it reads
// from runs first is not noted; one whose table changes is, for the
// partitions it wrote, which the change leaves behind.
func (p *Plan) planBehind(ctx context.Context, w warehouse.Warehouse, in Input, ods *warehouse.Table, live map[string]*warehouse.Table) error {
	np, ok := w.(warehouse.NotedPartitions)
	if !ok {
		return nil
	}
	p.command = in.command
	var nodes []string
	for _, n := range in.Project.Nodes {
		nodes = append(nodes, n.Name)
	}
	written, err := np.NotedPartitions(ctx, nodes, false)
	if err != nil {
		return fmt.Errorf("the days fgen wrote: %w", err)
	}
	// And those of a table apply made again since, whose notes went with
	// it: after a recreate, a plan of no days would call it in sync.
	dropped, err := np.DroppedPartitions(ctx, nodes)
	if err != nil {
		return fmt.Errorf("the days fgen wrote: %w", err)
	}
	for table, values := range dropped {
		written[table] = slices.Compact(slices.Sorted(slices.Values(append(written[table], values...))))
	}
	days := warehouse.NotedDays(written, maxBehindDays)
	if err := p.notApplied(ctx, np, in, written); err != nil {
		return err
	}
	if len(days) == 0 {
		return nil
	}
	// The partitions applies set out to write: of one no job wrote, the
	// apply stopped or failed before its job. A warehouse only an older
	// fgen applied to has no such notes: there a node's missing partition
	// of a day from its first on (or of a node that wrote none) is taken
	// for one (its days before are a funnel added since).
	planned, noted, err := np.PlannedPartitions(ctx, nodes)
	if err != nil {
		return fmt.Errorf("the days fgen wrote: %w", err)
	}
	meant := func(name, _, value string) bool { return slices.Contains(planned[name], value) }
	if !noted {
		meant = func(name, day, _ string) bool {
			values := written[name] // in order: the first is of the first day
			return len(values) == 0 || day >= warehouse.ValueDay(values[0])
		}
	}
	shadow := *p
	in.Days, in.NoChecks = days, true
	dp := &dayPlanner{ctx: ctx, w: w, in: in, plan: &shadow, probed: map[probe]warehouse.Partition{}, listed: map[string]bool{}, ods: ods, live: live}
	if err := dp.planDays(); err != nil {
		return err
	}
	index := map[[2]string]int{}
	var unfinished []string
	for _, d := range shadow.Days {
		if !d.UpstreamReady {
			continue // apply cannot write them
		}
		for _, j := range pendingJobs(d.Jobs) {
			switch j.Why {
			case WhyMissing:
				// Of a partition the node wrote. One it never did that
				// an apply set out to write is of an apply that stopped
				// or failed before its job: the day is one apply has
				// not finished. Any other is not (a funnel added since,
				// whose table lacks the days before it).
				if v := j.Written().Value(); !slices.Contains(written[j.Name], v) {
					if meant(j.Name, d.Day, v) {
						unfinished = append(unfinished, d.Day)
					}
					continue
				}
			case WhyTable:
				// A partition the node wrote, of a table apply changes
				// first: the day is behind once it has (a column added
				// is NULL in it, say, or, of a partition whose SQL fgen
				// does not know, any alter: the day's plan says so too),
				// and a plan of no days would otherwise name it only
				// after that apply. One the node never wrote is a new
				// table's.
				if !slices.Contains(written[j.Name], j.Written().Value()) {
					continue
				}
			case WhySQLChanged, WhyStale, WhyChanged:
			default:
				continue
			}
			k := [2]string{j.Name, j.Why}
			i, ok := index[k]
			if !ok {
				i = len(p.Behind)
				index[k] = i
				p.Behind = append(p.Behind, Behind{Name: j.Name, Why: j.Why})
			}
			if b := &p.Behind[i]; !slices.Contains(b.Days, d.Day) {
				b.Days = append(b.Days, d.Day)
			}
		}
	}
	p.NotApplied = slices.Compact(slices.Sorted(slices.Values(append(p.NotApplied, unfinished...))))
	return nil
}

// maxRunCommands is the most runs of days a note gives an apply of each.
const maxRunCommands = 3

// notApplied notes in p.NotApplied the days fgen loaded that no node of the
// project has written (of written, the partitions its nodes wrote): after a
// load, a plan or an apply of no days would otherwise call the warehouse in
// sync. A day some node wrote is not one (a funnel added since, whose
// table lacks the days before it, is not behind), nor a day of an hourly
// ODS that lacks hours.
func (p *Plan) notApplied(ctx context.Context, np warehouse.NotedPartitions, in Input, written map[string][]string) error {
	loaded, err := np.NotedPartitions(ctx, []string{in.Config.ODS.Name}, true)
	if err != nil {
		return fmt.Errorf("the days loaded: %w", err)
	}
	wrote := map[string]bool{}
	for _, d := range warehouse.NotedDays(written, 0) {
		wrote[d] = true
	}
	// Of an hourly ODS, a day is loaded with its 24 hours: one still
	// loading hour by hour is not ready (plan of the day names the hours).
	hours := map[string]int{}
	for _, v := range loaded[in.Config.ODS.Name] {
		hours[warehouse.ValueDay(v)]++
	}
	for _, d := range warehouse.NotedDays(loaded, maxBehindDays) {
		if !wrote[d] && (!in.Config.ODS.Hourly() || hours[d] >= 24) {
			p.NotApplied = append(p.NotApplied, d)
		}
	}
	return nil
}

// ApplyRuns returns the applies of days (sorted), one of each run of
// successive days (an apply of a span across a day not loaded would skip
// it, and fail), as command writes them ("fgen " + sub without it), each
// quoted, at most maxRunCommands of them and then how many more there
// are: "'fgen apply --bizdate 20210303', 'fgen apply --from 20210305 --to
// 20210306'"; "" for no days.
func ApplyRuns(days []string, command func(sub string) string) string {
	return ApplySpans(bizdate.DayRuns(days), command)
}

// ApplySpans is ApplyRuns of spans of days given (an apply of a span skips
// its days that are up to date).
func ApplySpans(runs []bizdate.Run, command func(sub string) string) string {
	if command == nil {
		command = func(sub string) string { return "fgen " + sub }
	}
	var cmds []string
	for _, r := range runs[:min(len(runs), maxRunCommands)] {
		cmds = append(cmds, "'"+command("apply "+r.Flags())+"'")
	}
	out := strings.Join(cmds, ", ")
	if n := len(runs) - maxRunCommands; n > 0 {
		word := "runs"
		if n == 1 {
			word = "run"
		}
		out += fmt.Sprintf(" (and %d more %s of days)", n, word)
	}
	return out
}

// notAppliedText says the days of p.NotApplied and the applies that write
// them ("" when none): "2 days loaded that apply has not finished
// (20210303..20210304): 'fgen apply --from 20210303 --to 20210304' writes
// them".
func (p *Plan) notAppliedText() string {
	n := len(p.NotApplied)
	if n == 0 {
		return ""
	}
	word := "days"
	if n == 1 {
		word = "day"
	}
	verb := "writes"
	if len(bizdate.DayRuns(p.NotApplied)) > 1 {
		verb = "write"
	}
	them := "them"
	if n == 1 {
		them = "it"
	}
	return fmt.Sprintf("%d %s loaded that apply has not finished (%s): %s %s %s", n, word, bizdate.DayRanges(p.NotApplied), ApplyRuns(p.NotApplied, p.command), verb, them)
}

// BehindNote says, of a plan that noted days behind (Input.Behind), how
// many days fgen wrote apply would write again and the commands that list
// and write them, and the days loaded that apply has not finished; "" when
// none.
func (p *Plan) BehindNote() string {
	var notes []string
	if days := p.behindDays(); len(days) > 0 {
		word := "days"
		if len(days) == 1 {
			word = "day"
		}
		verb := "writes"
		if len(bizdate.DayRuns(days)) > 1 {
			verb = "write"
		}
		notes = append(notes, fmt.Sprintf("apply would write %d %s that fgen wrote (%s) again: '%s' lists the jobs and why, %s %s them", len(days), word, bizdate.DayRanges(days), p.planBehindDays(), ApplyRuns(days, p.command), verb))
	}
	if t := p.notAppliedText(); t != "" {
		notes = append(notes, t)
	}
	return strings.Join(notes, "; ")
}

// behindDays are the days of p.Behind, in order, each once.
func (p *Plan) behindDays() []string {
	var days []string
	for _, b := range p.Behind {
		days = append(days, b.Days...)
	}
	return slices.Compact(slices.Sorted(slices.Values(days)))
}

// behindWhy says a Behind's Why in words.
var behindWhy = map[string]string{
	WhyMissing:    "their partitions are gone",
	WhySQLChanged: "its SQL changed since it wrote them (funnel.toml or fgen changed it)",
	WhyStale:      "an input partition changed after it wrote them",
	WhyChanged:    "their rows were changed outside fgen",
	WhyTable:      "its table changes (see Tables), and apply writes them again after the change",
}

// reportFunnel returns the funnel whose report table t is, or nil for
// another table.
func reportFunnel(cfg *models.Config, t generator.Table) *models.Funnel {
	if t.Layer != generator.LayerRPT {
		return nil
	}
	for i := range cfg.Funnels {
		if strings.EqualFold(cfg.Funnels[i].Report.Table, t.Name) {
			return &cfg.Funnels[i]
		}
	}
	return nil
}

// scriptJob is the job that runs a rendered script.
func scriptJob(name, kind string, s generator.Script) *warehouse.Job {
	j := &warehouse.Job{Name: name, Kind: kind, Statements: s.Statements}
	if len(s.Settings) > 0 {
		j.Settings = warehouse.Settings(s.Settings)
	}
	return j
}

// tableJob is the job of a table change, nil when s has no statements.
func tableJob(table, kind string, s generator.Script) *warehouse.Job {
	if len(s.Statements) == 0 {
		return nil
	}
	return scriptJob(table, kind, s)
}

// partitionedBy says how a table fgen creates is partitioned: "dt", or
// "(dt, hh)" by day and hour.
func partitionedBy(t generator.Table) string {
	if t.HourPartition != "" {
		return "(" + t.Partition + ", " + t.HourPartition + ")"
	}
	return t.Partition
}
