// Package warehouse is the small interface through which fgen's plan, apply
// and report talk to a warehouse. Each engine implements it
// (internal/duckdb, internal/maxcompute); internal/plan builds on it.
package warehouse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/internal/bizdate"
)

// Column is a live column.
type Column struct {
	Name    string
	Type    string // in the engine's own spelling
	Comment string
	// Partition: the column is one of the table's partition columns, on an
	// engine that lists them among Columns (Capabilities.PartitionColumn)
	// and can tell them apart.
	Partition bool
}

// Table is a live table's metadata.
type Table struct {
	Name          string
	Comment       string
	Lifecycle     int64
	Columns       []Column
	PartitionKeys []Column
	// Created is when the table was created, where the engine says
	// (MaxCompute's createTime, to the second); zero otherwise.
	Created time.Time
}

// ErrTableNotFound is returned by Describe for a table that does not exist.
var ErrTableNotFound = errors.New("table not found")

// ErrTruncated is returned by Query when the engine may not have returned
// every row of the result: MaxCompute returns at most 10,000 rows of a
// query. The caller asks for less (fewer days) instead.
var ErrTruncated = errors.New("the result may be cut short")

// Setting is a session setting every statement of a job runs with, such as
// odps.sql.type.system.odps2=true.
type Setting struct {
	Key, Value string
}

// Settings converts settings of another package's type of the same shape
// (generator.Setting) to Settings.
func Settings[S ~struct{ Key, Value string }](in []S) []Setting {
	out := make([]Setting, len(in))
	for i, s := range in {
		out[i] = Setting(s)
	}
	return out
}

// Job is SQL submitted to a warehouse as one unit: a table's creation or
// change, or a node for a day. Its statements run in order, each complete
// and ending with ';'.
type Job struct {
	Name string // the node or table, e.g. dw_user_trace_data
	Kind string // "ddl", "alter" or "node"
	Day  string // business date for nodes, empty for DDL
	// Project is the fgen project (funnel.toml's [project] name) a node
	// job writes for, or a DDL job creates a derived table for, noted
	// (JobTables).
	Project    string
	Settings   []Setting
	Statements []string // with the business date in place
	// Needs names jobs (JobKey: "name@day") that must succeed before this one runs.
	Needs []string
	// Fingerprint identifies a node job's SQL (not its day): Run records it
	// with the partition it writes, so a later plan can tell whether the
	// partition was written by the SQL funnel.toml renders now.
	Fingerprint string
	// Partition is the partition column of the table a node job writes
	// (the partition is Partition = Day).
	Partition string
	// Hour, for the job of an hourly node, is the hour (00 to 23) of Day
	// it writes, in the table's hour partition column HourPartition: the
	// partition is (Partition = Day, HourPartition = Hour).
	Hour, HourPartition string
}

// JobKey names the job of name for day, as Needs does: "name@day", or the
// name alone when day is empty (DDL).
func JobKey(name, day string) string {
	if day == "" {
		return name
	}
	return name + "@" + day
}

// HourJobKey names the job of hourly node name for an hour of day:
// "name@day/hour".
func HourJobKey(name, day, hour string) string {
	return JobKey(name, day) + "/" + hour
}

// Key names a job for Needs: JobKey(j.Name, j.Day), or HourJobKey for an
// hour's job.
func (j *Job) Key() string {
	if j.Hour != "" {
		return HourJobKey(j.Name, j.Day, j.Hour)
	}
	return JobKey(j.Name, j.Day)
}

// Written is the partition a node job writes.
func (j *Job) Written() PartitionSpec {
	if j.Hour != "" {
		return HourSpec(j.Partition, j.Day, j.HourPartition, j.Hour)
	}
	return DaySpec(j.Partition, j.Day)
}

// Text is the job's SQL as one script: a SET line per setting, then the
// statements, for showing it.
func (j *Job) Text() string {
	var b strings.Builder
	for _, s := range j.Settings {
		fmt.Fprintf(&b, "SET %s=%s;\n", s.Key, s.Value)
	}
	for _, s := range j.Statements {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	return b.String()
}

// Submitted says that a warehouse accepted a statement of a job, for
// progress output.
type Submitted struct {
	Statement  int // 1-based
	Statements int // in the job
	InstanceID string
	LogView    string
}

// StatementError is how Run fails when one statement of a job failed: the
// statements before it were applied, the ones after it did not run. On an
// engine that runs a job in one transaction (Capabilities.Atomic) none of
// them was kept.
type StatementError struct {
	Statement  int // 1-based
	Statements int
	Err        error
}

func (e *StatementError) Error() string {
	if e.Statements == 1 {
		return e.Err.Error()
	}
	return fmt.Sprintf("statement %d of %d: %v", e.Statement, e.Statements, e.Err)
}

func (e *StatementError) Unwrap() error { return e.Err }

// PartitionKey is one level of a partition: its column and value.
type PartitionKey struct {
	Column, Value string
}

// PartitionSpec names one partition of a table by every partition column,
// outermost first: (dt) for a daily table, (dt, hh) for an hourly one.
type PartitionSpec []PartitionKey

// DaySpec is the partition column=day of a daily table.
func DaySpec(column, day string) PartitionSpec {
	return PartitionSpec{{column, day}}
}

// HourSpec is the partition (column=day, hourColumn=hour) of an hourly
// table.
func HourSpec(column, day, hourColumn, hour string) PartitionSpec {
	return PartitionSpec{{column, day}, {hourColumn, hour}}
}

// DaySpecs are the partitions of day in a table partitioned by col: the
// day's, or with an hourCol, each of its 24 hours', in order.
func DaySpecs(col, hourCol, day string) []PartitionSpec {
	if hourCol == "" {
		return []PartitionSpec{DaySpec(col, day)}
	}
	specs := make([]PartitionSpec, 24)
	for h := range specs {
		specs[h] = HourSpec(col, day, hourCol, fmt.Sprintf("%02d", h))
	}
	return specs
}

// String writes the spec as a partition path: "dt=20210303/hh=07".
func (s PartitionSpec) String() string {
	parts := make([]string, len(s))
	for i, k := range s {
		parts[i] = k.Column + "=" + k.Value
	}
	return strings.Join(parts, "/")
}

// Value is the spec's values joined by '/': "20210303" or "20210303/07",
// how fgen's bookkeeping of written partitions keys a partition (a daily
// table's keys are its days, as before tables had hours).
func (s PartitionSpec) Value() string {
	vals := make([]string, len(s))
	for i, k := range s {
		vals[i] = k.Value
	}
	return strings.Join(vals, "/")
}

// ValueDay is the day of a partition value (PartitionSpec.Value): the
// value of a day, or the day of a day's hour ("20210303/07").
func ValueDay(value string) string {
	day, _, _ := strings.Cut(value, "/")
	return day
}

// NotedDays are the days (ValueDay) of the partition values of noted, as
// NotedPartitions returns them: in order, each once, the latest most of
// them (all of them when most is 0).
func NotedDays(noted map[string][]string, most int) []string {
	var days []string
	for _, values := range noted {
		for _, v := range values {
			days = append(days, ValueDay(v))
		}
	}
	days = slices.Compact(slices.Sorted(slices.Values(days)))
	if most > 0 && len(days) > most {
		days = days[len(days)-most:]
	}
	return days
}

// Partition is what a warehouse knows of one partition of a table.
type Partition struct {
	Exists bool
	// Modified is when its data last changed; zero when unknown.
	Modified time.Time
	// Bytes is its size; -1 when unknown.
	Bytes int64
	// Fingerprint is that of the job that last wrote it (Job.Fingerprint),
	// "" when unknown: written before fgen kept it, by a load, or outside
	// fgen apply (a DataWorks run).
	Fingerprint string
	// Changed says how its rows are not those fgen last wrote (rows added
	// or deleted outside fgen), where the engine knows; "" when they are,
	// or it does not.
	Changed string
}

// Rows is a small query result: column names and values, NULL as nil.
type Rows struct {
	Columns []string
	Values  [][]*string
}

// Capabilities say how an engine differs from the others: callers ask
// these, never the engine's name.
type Capabilities struct {
	// Engine is the engine's name, for messages (models.Engine*).
	Engine string
	// Remote: jobs run on a service the user pays for and shares: apply
	// asks before it changes anything, and shows each job's instance.
	Remote bool
	// Writers is how many jobs may run at once; 0 for no limit.
	Writers int
	// Atomic: a job's statements, and the partition bookkeeping, commit
	// together or not at all.
	Atomic bool
	// Lifecycle: tables have a lifecycle in days.
	Lifecycle bool
	// PartitionColumn: a table's partition is a plain column, which
	// Describe lists among Columns rather than PartitionKeys, marked
	// Column.Partition.
	PartitionColumn bool
	// ScanAll: a query may read every partition of a table; MaxCompute
	// refuses a read without a partition filter.
	ScanAll bool
	// LoadsODS: fgen itself fills the ODS table ('fgen load'), so it may
	// add columns to it and set the comments funnel.toml gives. Elsewhere
	// a sync task owns the ODS table and fgen never changes it.
	LoadsODS bool
}

// Warehouse is what plan, apply and report need from an engine.
type Warehouse interface {
	// Capabilities says how the engine differs from others.
	Capabilities() Capabilities
	// Describe returns a table's live metadata, or ErrTableNotFound.
	Describe(ctx context.Context, table string) (*Table, error)
	// Partition describes the partition spec of table, which names every
	// partition column; Exists is false when it, or the table, does not
	// exist.
	Partition(ctx context.Context, table string, spec PartitionSpec) (Partition, error)
	// Run executes the statements of job in order, each with the job's
	// settings, and returns nil once all succeeded. A failed statement
	// gives a *StatementError, after which no further statement runs. A
	// node job (Kind "node", with a Day) also records that its table's
	// partition Day was written; after a DDL job (Kind "ddl", which creates
	// its table empty, or drops and creates it) no partition of the table
	// is known to have been written. onSubmit, when not nil, is called as the
	// warehouse accepts each statement. The partition a node job writes is
	// Job.Written.
	Run(ctx context.Context, job *Job, onSubmit func(Submitted)) error
	// Query runs one read-only statement with the session settings and
	// returns its rows.
	Query(ctx context.Context, statement string, settings ...Setting) (*Rows, error)
	Close() error
}

// A TablesDescriber is a Warehouse that describes several tables at once,
// which the plan prefers to a Describe call for each.
type TablesDescriber interface {
	// DescribeTables returns, for each of names that exists, what
	// Describe returns for it.
	DescribeTables(ctx context.Context, names []string) (map[string]*Table, error)
}

// DescribeAll returns a Describe of the tables names, which describes them
// all at once where w is a TablesDescriber (one catalog query, not one a
// table), and calls w.Describe otherwise.
func DescribeAll(ctx context.Context, w Warehouse, names []string) (func(name string) (*Table, error), error) {
	td, ok := w.(TablesDescriber)
	if !ok || len(names) == 0 {
		return func(name string) (*Table, error) { return w.Describe(ctx, name) }, nil
	}
	live, err := td.DescribeTables(ctx, names)
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", strings.Join(names, ", "), err)
	}
	return func(name string) (*Table, error) {
		if t, ok := live[name]; ok {
			return t, nil
		}
		return nil, ErrTableNotFound
	}, nil
}

// A PartitionWriters is a Warehouse that knows, from fgen's notes of the
// partitions it wrote, what wrote a table's: the plan asks, to tell raw rows
// from derived ones.
type PartitionWriters interface {
	// PartitionWriters counts, for each of tables, the partitions fgen
	// noted as written by a load and by a job; a table with no notes may
	// be left out.
	PartitionWriters(ctx context.Context, tables []string) (map[string]Writers, error)
}

// A NotedPartitions is a Warehouse that lists, from fgen's notes, the
// partitions of tables that fgen wrote: a plan of no days asks, to say
// which of them apply would write again.
type NotedPartitions interface {
	// NotedPartitions returns, for each of tables, the values
	// (PartitionSpec.Value: "20210303", "20210303/07"; in order) of its
	// partitions that fgen's jobs wrote, or, with any, of every partition
	// fgen noted (also those an earlier fgen noted without what wrote
	// them).
	NotedPartitions(ctx context.Context, tables []string, any bool) (map[string][]string, error)
	// DroppedPartitions returns, for each of tables, the values (in
	// order) of the partitions fgen's jobs wrote that the table lost
	// when apply made it again (--allow-destructive): they are gone, and
	// fgen's notes of them with them.
	DroppedPartitions(ctx context.Context, tables []string) (map[string][]string, error)
	// NotePlanned notes the partitions (values by table) an apply sets
	// out to write, before it runs their jobs; PlannedPartitions returns
	// those noted of tables (of one no job wrote since, an apply stopped
	// or failed part-way), and whether the warehouse keeps such notes
	// (false where only an older fgen has applied).
	NotePlanned(ctx context.Context, planned map[string][]string) error
	PlannedPartitions(ctx context.Context, tables []string) (map[string][]string, bool, error)
}

// A JobTables is a Warehouse that knows, from fgen's notes, the tables
// the jobs of an fgen project (Job.Project) wrote partitions of or
// created: the plan names those funnel.toml no longer defines.
type JobTables interface {
	// JobTables returns the tables that exist and that a job of project
	// wrote partitions of, in any order, but for those skip says (which
	// it does not look into: the caller's own); none for notes of no
	// project (written before fgen noted it). A table made again outside
	// fgen under a name, or by another project, is not the one the notes
	// are of, and is left out where the engine can tell.
	JobTables(ctx context.Context, project string, skip func(table string) bool) ([]string, error)
}

// Writers counts a table's partitions by what wrote them: loads (raw rows)
// and jobs (derived rows), and, in Earlier, those noted before fgen told
// the two apart. Foreign says that the table holds rows though fgen has no
// note of writing any partition of it: another table under the name, whose
// rows fgen must not drop, nor write into. Unowned says less, where others
// write a table's partitions too (DataWorks runs of the nodes, on
// MaxCompute): fgen neither created the table nor wrote any of its
// partitions, which exist; fgen does not drop it, but its nodes may write it.
type Writers struct {
	Loaded, Jobs, Earlier int
	Foreign, Unowned      bool
	// Replaced says why the live table is not the one fgen's notes are
	// of (dropped and made again outside fgen), where the engine can
	// tell: DuckDB by its NOT NULL columns, MaxCompute by its createTime;
	// "" otherwise.
	Replaced string
	// Empty: the table has no partitions. Of one fgen did not make or
	// write (Unowned, Replaced), which a recreate loses no rows of but
	// that is no table of fgen's to change.
	Empty bool
	// OtherProject is the fgen project ([project] name) that made the
	// table, where the engine notes it and it is not the project
	// planned: its rows are that project's. "" otherwise.
	OtherProject string
	// Claim, of a Replaced or Unowned table, is what notes it as fgen's, should
	// fgen have made it after all (statements to run by hand); "" where
	// the engine has none.
	Claim string
}

// Unclaimed reports whether fgen has no claim on the table: it did not
// make it, nor write it since it was made (Unowned, Replaced).
func (w Writers) Unclaimed() bool { return w.Unowned || w.Replaced != "" }

// A DayLister is a Warehouse that describes the partitions of several days
// of a table at once, which the plan prefers to a Partition call for each:
// an hourly table has 24 a day.
type DayLister interface {
	// DayPartitions describes every partition of table whose column col
	// is one of days: each day's, or with an hourCol, each of its 24
	// hours', keyed by PartitionSpec.Value ("20210303", "20210303/07"),
	// each as Partition describes it. A partition it leaves out does not
	// exist.
	DayPartitions(ctx context.Context, table, col, hourCol string, days []string) (map[string]Partition, error)
}

// DayPartition describes the partitions of day in table: its partition
// column=day, or, with an hourCol, its 24 hour partitions together: they
// exist when every one does, were modified when the latest was, and have
// the sum of their sizes (-1 when one is unknown).
func DayPartition(ctx context.Context, w Warehouse, table, col, hourCol, day string) (Partition, error) {
	return DayPartitionBy(col, hourCol, day, func(spec PartitionSpec) (Partition, error) { return w.Partition(ctx, table, spec) })
}

// DayPartitionBy is DayPartition of the partitions probe describes.
func DayPartitionBy(col, hourCol, day string, probe func(PartitionSpec) (Partition, error)) (Partition, error) {
	if hourCol == "" {
		return probe(DaySpec(col, day))
	}
	all := Partition{Exists: true}
	for _, spec := range DaySpecs(col, hourCol, day) {
		p, err := probe(spec)
		if err != nil {
			return Partition{}, err
		}
		all.Exists = all.Exists && p.Exists
		if p.Modified.After(all.Modified) {
			all.Modified = p.Modified
		}
		if p.Bytes < 0 || all.Bytes < 0 {
			all.Bytes = -1
		} else {
			all.Bytes += p.Bytes
		}
	}
	return all, nil
}

// QueryDates runs the query that query renders for the dates from..to,
// and returns its rows. A range of more rows than w returns of one query
// (ErrTruncated: MaxCompute returns 10,000) is queried in two halves, and
// each half so on, down to single dates.
func QueryDates(ctx context.Context, w Warehouse, from, to string, query func(from, to string) (string, []Setting, error)) (*Rows, error) {
	sql, settings, err := query(from, to)
	if err != nil {
		return nil, err
	}
	rows, err := w.Query(ctx, sql, settings...)
	if !errors.Is(err, ErrTruncated) || from == to {
		return rows, err
	}
	if from == "" {
		return nil, fmt.Errorf("%w; name the dates to read", err)
	}
	days, err := bizdate.Range(from, to)
	if err != nil {
		return nil, err
	}
	mid := days[len(days)/2-1]
	first, err := QueryDates(ctx, w, from, mid, query)
	if err != nil {
		return nil, err
	}
	rest, err := QueryDates(ctx, w, bizdate.Next(mid), to, query)
	if err != nil {
		return nil, err
	}
	first.Values = append(first.Values, rest.Values...)
	return first, nil
}
