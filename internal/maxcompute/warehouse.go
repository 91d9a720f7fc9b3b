package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// Warehouse adapts a Client to fgen's warehouse interface.
type Warehouse struct {
	c *Client
	// JobTimeout bounds each job, waiting included; 0 for none. When it
	// passes, the job is terminated (a *JobTimeoutError says so, naming
	// TimeoutSetting, where the timeout is set).
	JobTimeout     time.Duration
	TimeoutSetting string
	// Project is the fgen project (funnel.toml's [project] name) the
	// statements that note a table by hand name (Writers.Claim); "" for
	// a placeholder.
	Project string

	mu sync.Mutex
	// books: table (or table NUL day, see record) -> partition value ->
	// what fgen wrote there last
	books     map[string]map[string]record
	kept      bool // BooksTable exists
	projects  bool // ProjectsTable exists
	timesKept bool // TimesTable exists
	// created: ProjectsTable's rows, once read (nil: not yet)
	created []created
	// times: TimesTable's notes by lower-case table name, once read (nil:
	// not yet)
	times map[string][]timed
}

// BooksTable is fgen's bookkeeping table on MaxCompute: a row for every
// partition fgen apply wrote, with the fingerprint of the node's SQL and the
// partition's last-modified time right after (partition metadata has no
// room for either). A record counts only while the partition's
// last-modified time is still the one recorded: a later write, by a
// DataWorks run say, may have used other SQL.
const BooksTable = "fgen_partitions"

// record is a row of BooksTable.
type record struct {
	fingerprint string
	modified    int64 // the partition's last-modified time, epoch seconds
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// NewWarehouse wraps c.
func NewWarehouse(c *Client, jobTimeout time.Duration) *Warehouse {
	return &Warehouse{c: c, JobTimeout: jobTimeout}
}

// Describe returns a table's live metadata.
func (w *Warehouse) Describe(ctx context.Context, name string) (*warehouse.Table, error) {
	t, err := w.c.Table(ctx, name)
	if errors.Is(err, ErrTableNotFound) {
		return nil, warehouse.ErrTableNotFound
	}
	return t, err
}

// Partition describes a partition of table from its metadata (when its data
// last changed, its size) and from BooksTable (the fingerprint of the SQL
// that wrote it, when fgen apply was the last to), where it is keyed by
// spec.Value(): a day, or a day and an hour "20210303/07".
func (w *Warehouse) Partition(ctx context.Context, table string, spec warehouse.PartitionSpec) (warehouse.Partition, error) {
	p, err := w.c.Partition(ctx, table, sqlSpec(spec))
	if errors.Is(err, ErrTableNotFound) || err == nil && p == nil {
		return warehouse.Partition{Bytes: -1}, nil
	}
	if err != nil {
		return warehouse.Partition{}, err
	}
	out := warehouse.Partition{Exists: true, Modified: p.Modified, Bytes: p.Bytes}
	r, ok, err := w.record(ctx, table, spec.Value())
	if err != nil {
		return out, err
	}
	if ok && r.modified == p.Modified.Unix() {
		out.Fingerprint = r.fingerprint
	}
	return out, nil
}

// record returns the latest record of partition value of table. It reads
// the records of the whole table once. When they are more than a query
// returns (ResultLimit: BooksTable gains a row at every write, and an
// hourly table writes 24 partitions a day), it reads those of recordWindow
// days from the day of value on, which the plan's next days then find, or,
// should those be too many too, of that day alone.
func (w *Warehouse) record(ctx context.Context, table, value string) (record, bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	books, err := w.tableRecords(ctx, table)
	if err != nil {
		return record{}, false, err
	}
	var ok bool
	if books == nil { // too many: read by days
		day := warehouse.ValueDay(value)
		if books, ok = w.books[table+"\x00"+day]; !ok {
			var err error
			if books, err = w.readDays(ctx, table, day); err != nil {
				return record{}, false, err
			}
		}
	}
	r, ok := books[value]
	return r, ok, nil
}

// tableRecords returns the latest record of each partition of table, read
// once, or nil when they are more than a query returns. Called with w.mu
// held.
func (w *Warehouse) tableRecords(ctx context.Context, table string) (map[string]record, error) {
	if w.books == nil {
		w.books = map[string]map[string]record{}
	}
	books, ok := w.books[table]
	if !ok {
		var err error
		books, err = w.readRecords(ctx, table, "", "")
		if errors.Is(err, warehouse.ErrTruncated) {
			books = nil
		} else if err != nil {
			return nil, err
		}
		w.books[table] = books
	}
	return books, nil
}

// readDays reads the records of table of recordWindow days from day on,
// or, should those be more than a query returns too, of day alone, and
// keeps them for each of those days. Called with w.mu held.
func (w *Warehouse) readDays(ctx context.Context, table, day string) (map[string]record, error) {
	var err error
	for _, n := range []int{recordWindow, 1} {
		end, aerr := bizdate.Add(day, n)
		if aerr != nil {
			return nil, aerr
		}
		if len(end) != len(day) { // past 99991231: what sorts after its values
			end = "99991232"
		}
		var books map[string]record
		books, err = w.readRecords(ctx, table, day, end)
		if errors.Is(err, warehouse.ErrTruncated) {
			continue
		} else if err != nil {
			return nil, err
		}
		for d := day; d < end && len(d) == len(day); d = bizdate.Next(d) {
			if _, done := w.books[table+"\x00"+d]; !done {
				w.books[table+"\x00"+d] = books
			}
		}
		return books, nil
	}
	return nil, err // the records of day alone were cut short too
}

// recordWindow is how many days of records record reads at once when a
// table's are too many to read whole: a month of an hourly table's writes,
// reruns included, is well under ResultLimit.
const recordWindow = 31

// readRecords reads the latest record of each partition of table, or, when
// from is not empty, of the partitions of the days from up to (not
// including) to: their values, a day or a day and an hour ("20210303/07"),
// sort between the two days'. Days are read only once the whole table's
// read was cut short, so BooksTable exists then.
func (w *Warehouse) readRecords(ctx context.Context, table, from, to string) (map[string]record, error) {
	books := map[string]record{}
	where := "table_name = " + quote(table)
	if from != "" {
		where += " AND partition_value >= " + quote(from) + " AND partition_value < " + quote(to)
	} else if _, err := w.c.Table(ctx, BooksTable); errors.Is(err, ErrTableNotFound) {
		return books, nil // fgen apply has written nothing here yet
	} else if err != nil {
		return nil, err
	}
	rows, err := w.c.Query(ctx, fmt.Sprintf("SELECT partition_value, fingerprint, modified FROM `%s` WHERE %s;", BooksTable, where), nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", BooksTable, err)
	}
	for _, row := range rows[min(1, len(rows)):] {
		if len(row) != 3 {
			continue
		}
		m, err := strconv.ParseInt(row[2], 10, 64)
		if err != nil {
			continue
		}
		if old, ok := books[row[0]]; !ok || m >= old.modified {
			books[row[0]] = record{fingerprint: row[1], modified: m}
		}
	}
	return books, nil
}

// JobTables returns the tables that exist and that project's DDL jobs
// created, from ProjectsTable (tables created before fgen kept it are not
// there), but for those skip says and one that is no longer the table
// project created: made again outside fgen, or by another fgen project
// (creator).
func (w *Warehouse) JobTables(ctx context.Context, project string, skip func(string) bool) ([]string, error) {
	created, err := w.createdTables(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range created {
		if c.project != project || slices.Contains(out, c.table) || skip != nil && skip(c.table) {
			continue
		}
		live, err := w.c.Table(ctx, c.table)
		if errors.Is(err, ErrTableNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		if by, notes, err := w.creator(ctx, live); err != nil {
			return nil, err
		} else if len(notes) > 0 && by != project {
			continue
		}
		out = append(out, c.table)
	}
	return out, nil
}

// created is a row of ProjectsTable, grouped: fgen project project's DDL
// created table.
type created struct{ table, project string }

// createdTables returns ProjectsTable's rows grouped by table and project,
// read once (and again after this Warehouse notes a table there): a row
// per pair, not per creation, which a query's ResultLimit would cut.
func (w *Warehouse) createdTables(ctx context.Context) ([]created, error) {
	w.mu.Lock()
	rows := w.created
	w.mu.Unlock()
	if rows != nil {
		return rows, nil
	}
	res, err := w.readNotes(ctx, ProjectsTable, "SELECT table_name, project FROM `%s` GROUP BY table_name, project;")
	if err != nil {
		return nil, err
	}
	rows = []created{}
	for _, row := range res {
		if len(row) == 2 {
			rows = append(rows, created{row[0], row[1]})
		}
	}
	w.mu.Lock()
	w.created = rows
	w.mu.Unlock()
	return rows, nil
}

// readNotes runs query (a format of the table's name) on fgen's notes
// table, and returns its rows without the header: none when the table is
// not there yet.
func (w *Warehouse) readNotes(ctx context.Context, table, query string) ([][]string, error) {
	if _, err := w.c.Table(ctx, table); errors.Is(err, ErrTableNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	res, err := w.c.Query(ctx, fmt.Sprintf(query, table), nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return res[min(1, len(res)):], nil
}

// timed is TimesTable's notes of one table by one fgen project: the
// createTime of its last creation, epoch seconds.
type timed struct {
	project string
	last    int64
}

// creator says which fgen project created live table, by its createTime,
// where fgen's notes tell (notes: TimesTable's of the name, none when it
// has no time of it): the project whose last noted creation of the name
// is the table's createTime, or "" for a table made since outside fgen (dropped, and
// created by hand or by another tool), or by an fgen from before
// TimesTable (which writers takes for fgen's only if fgen has written it
// since). A table fgen made is the last it made under the name: a later
// one would have replaced it. A name without a noted time is one only an
// fgen from before TimesTable created, and fgen takes the table for the
// one its notes are of, as that fgen did. A table made again within the
// second of fgen's creation is past what createTime tells.
func (w *Warehouse) creator(ctx context.Context, live *warehouse.Table) (project string, notes []timed, err error) {
	if live.Created.IsZero() {
		return "", nil, nil
	}
	times, err := w.tableTimes(ctx)
	if err != nil {
		return "", nil, err
	}
	notes = times[strings.ToLower(live.Name)]
	for _, t := range notes {
		if t.last == live.Created.Unix() {
			return t.project, notes, nil
		}
	}
	return "", notes, nil
}

// tableTimes returns TimesTable's notes by lower-case table name, grouped
// by table and project, read once (and again after this Warehouse notes a
// time there).
func (w *Warehouse) tableTimes(ctx context.Context) (map[string][]timed, error) {
	w.mu.Lock()
	times := w.times
	w.mu.Unlock()
	if times != nil {
		return times, nil
	}
	res, err := w.readNotes(ctx, TimesTable, "SELECT table_name, project, MAX(create_time) AS last_created FROM `%s` GROUP BY table_name, project;")
	if err != nil {
		return nil, err
	}
	times = map[string][]timed{}
	for _, row := range res {
		if len(row) != 3 {
			continue
		}
		if last, err := strconv.ParseInt(row[2], 10, 64); err == nil {
			name := strings.ToLower(row[0])
			times[name] = append(times[name], timed{row[1], last})
		}
	}
	w.mu.Lock()
	w.times = times
	w.mu.Unlock()
	return times, nil
}

// PartitionWriters tells, for each of tables that exists and has
// partitions, whether they hold rows fgen's nodes derived (Jobs), whether
// apply or a DataWorks run wrote them, or not (Unowned, Replaced), as
// writers decides; a table that is not partitioned is Unowned, whatever
// fgen's notes say. MaxCompute has no loads. It reads ProjectsTable and
// TimesTable once, and BooksTable (which the plan's days read anyway) only
// of a table fgen did not create.
func (w *Warehouse) PartitionWriters(ctx context.Context, tables []string) (map[string]warehouse.Writers, error) {
	out := map[string]warehouse.Writers{}
	for _, t := range tables {
		// fgen's DW and report tables are partitioned: one that is not
		// holds rows fgen did not derive, whatever its notes say.
		live, err := w.c.Table(ctx, t)
		if errors.Is(err, ErrTableNotFound) {
			continue
		} else if err != nil {
			return nil, err
		} else if len(live.PartitionKeys) == 0 {
			out[t] = warehouse.Writers{Unowned: true}
			continue
		}
		n, err := w.c.Partitions(ctx, t)
		if errors.Is(err, ErrTableNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		wr, err := w.writers(ctx, t, live)
		if err != nil {
			return nil, err
		}
		switch {
		case n == 0 && wr.Unclaimed():
			// No rows to lose, but not fgen's table to change (the sync
			// task's, before its first partition): Empty.
			wr.Empty = true
		case n == 0:
			continue
		case wr.Jobs > 0:
			wr.Jobs = n
		}
		out[t] = wr
	}
	return out, nil
}

// writers says who wrote live table t's partitions, from fgen's notes:
//   - a table fgen created (its createTime the last fgen noted of the name,
//     TimesTable), or one an fgen from before TimesTable may have (noted in
//     ProjectsTable alone), holds rows fgen derived (Jobs), whoever wrote
//     them;
//   - so does a table fgen did not create, made again since fgen did, or
//     made by a DataWorks deployment of out/, that fgen apply wrote a
//     partition of since it was made (BooksTable's last write not before
//     its createTime);
//   - one made after fgen's last creation and write under the name is
//     Replaced: made again outside fgen;
//   - any other is Unowned.
func (w *Warehouse) writers(ctx context.Context, t string, live *warehouse.Table) (warehouse.Writers, error) {
	by, notes, err := w.creator(ctx, live)
	switch {
	case err != nil:
		return warehouse.Writers{}, err
	case by != "" && w.Project != "" && !strings.EqualFold(by, w.Project):
		return warehouse.Writers{Jobs: 1, OtherProject: by}, nil
	case by != "":
		return warehouse.Writers{Jobs: 1}, nil
	case len(notes) == 0:
		rows, err := w.createdTables(ctx)
		if err != nil {
			return warehouse.Writers{}, err
		}
		if slices.ContainsFunc(rows, func(c created) bool { return strings.EqualFold(c.table, t) }) {
			return warehouse.Writers{Jobs: 1}, nil
		}
	}
	w.mu.Lock()
	books, err := w.tableRecords(ctx, t)
	w.mu.Unlock()
	if err != nil {
		return warehouse.Writers{}, err
	}
	// The last time fgen apply wrote a partition under the name.
	wrote := int64(0)
	for _, r := range books {
		wrote = max(wrote, r.modified)
	}
	if books == nil { // more than a query returns
		res, err := w.c.Query(ctx, fmt.Sprintf("SELECT MAX(modified) AS last_modified FROM `%s` WHERE table_name = %s;", BooksTable, quote(t)), nil)
		if err != nil {
			return warehouse.Writers{}, fmt.Errorf("read %s: %w", BooksTable, err)
		}
		if len(res) == 2 && len(res[1]) == 1 {
			wrote, _ = strconv.ParseInt(res[1][0], 10, 64) // NULL: none
		}
	}
	switch {
	case wrote > 0 && (live.Created.IsZero() || wrote >= live.Created.Unix()):
		return warehouse.Writers{Jobs: 1}, nil
	case len(notes) > 0 || wrote > 0:
		return warehouse.Writers{Replaced: replacedText(live, notes, wrote), Claim: strings.Join(handNotes(t, w.projectName(), live.Created), " ")}, nil
	}
	return warehouse.Writers{Unowned: true, Claim: strings.Join(handNotes(t, w.projectName(), live.Created), " ")}, nil
}

// projectName is the fgen project's name for a note, or what to write
// in its place.
func (w *Warehouse) projectName() string {
	if w.Project == "" {
		return "<your [project] name>"
	}
	return w.Project
}

// replacedText says why live table is not a table fgen wrote: when it was
// created, after fgen's last creation (notes, TimesTable's of the name)
// and its last write (wrote, epoch seconds; 0: none) under the name.
func replacedText(live *warehouse.Table, notes []timed, wrote int64) string {
	const layout = "2006-01-02 15:04:05 MST"
	created := int64(0)
	for _, n := range notes {
		created = max(created, n.last)
	}
	lead := ""
	var after []string
	if created > 0 {
		after = append(after, fmt.Sprintf("fgen last created a table under its name (at %s, %s)", time.Unix(created, 0).Format(layout), TimesTable))
	} else {
		lead = "fgen did not create it, and "
	}
	if wrote > 0 {
		after = append(after, fmt.Sprintf("fgen apply last wrote a partition under its name (at %s, %s)", time.Unix(wrote, 0).Format(layout), BooksTable))
	}
	text := lead + "it was created at " + live.Created.Format(layout)
	if len(after) > 0 {
		text += ", after " + strings.Join(after, " and ")
	}
	return text
}

// The statements that make fgen's notes of the tables it created, where
// no fgen made them yet.
const (
	createTimes    = "CREATE TABLE IF NOT EXISTS `" + TimesTable + "` (table_name STRING, project STRING, create_time BIGINT) COMMENT 'fgen: when each table fgen created was created (its createTime), and by which fgen project';"
	createProjects = "CREATE TABLE IF NOT EXISTS `" + ProjectsTable + "` (table_name STRING, project STRING) COMMENT 'fgen: the fgen project that created each table';"
)

// timesNote notes in TimesTable that fgen project created table at created.
func timesNote(table, project string, created time.Time) string {
	return fmt.Sprintf("INSERT INTO TABLE `%s` VALUES (%s, %s, %d);", TimesTable, quote(table), quote(project), created.Unix())
}

// projectNote notes in ProjectsTable that fgen project created table.
func projectNote(table, project string) string {
	return fmt.Sprintf("INSERT INTO TABLE `%s` VALUES (%s, %s);", ProjectsTable, quote(table), quote(project))
}

// handNotes are the statements that note by hand that fgen project created
// table at created: each notes table made if need be (a project where no
// fgen made one has none), then its INSERT; TimesTable's first.
func handNotes(table, project string, created time.Time) []string {
	return []string{createTimes, timesNote(table, project, created), createProjects, projectNote(table, project)}
}

// keepRecord notes in BooksTable that a node job wrote its partition, with
// the partition's last-modified time now. Creating the table once.
func (w *Warehouse) keepRecord(ctx context.Context, job *warehouse.Job, spec string) error {
	p, err := w.c.Partition(ctx, job.Name, spec)
	if err != nil || p == nil {
		return err
	}
	if err := w.createOnce(ctx, &w.kept, "CREATE TABLE IF NOT EXISTS `"+BooksTable+"` (table_name STRING, partition_value STRING, fingerprint STRING, modified BIGINT) COMMENT 'fgen: the SQL that last wrote each partition through fgen apply';"); err != nil {
		return err
	}
	return w.runStatement(ctx, fmt.Sprintf("INSERT INTO TABLE `%s` VALUES (%s, %s, %s, %d);",
		BooksTable, quote(job.Name), quote(job.Written().Value()), quote(job.Fingerprint), p.Modified.Unix()), nil, nil)
}

// ProjectsTable is where fgen notes which fgen project (funnel.toml's
// [project] name) created each table it created, a row per creation. It is
// apart from BooksTable, whose four columns every fgen that writes one
// MaxCompute project appends rows to, whatever its version. JobTables
// reads it.
const ProjectsTable = "fgen_tables"

// TimesTable is where fgen notes when each table its DDL created was
// created: the table's createTime, epoch seconds, a row per creation. A
// table under a name fgen created whose createTime is none of them was
// made again outside fgen (dropped, and created by hand or by another
// tool), and its rows are not fgen's to drop (replaced). It is apart from
// ProjectsTable, whose two columns fgens before it append to.
const TimesTable = "fgen_table_times"

// noteProject notes that project's DDL job created table: its createTime
// in TimesTable, then the project in ProjectsTable (a creation noted in
// ProjectsTable alone is one of an fgen from before TimesTable), creating
// the tables once. prev is the table as it was before the job, nil when
// there was none: a table whose createTime the job did not change is not
// one it created (CREATE TABLE IF NOT EXISTS of a table made meanwhile
// outside fgen), and is not noted; nor is one that is not there (a job
// that failed before its CREATE). It says whether it created the table,
// and, when a note failed, the statements that note it by hand.
func (w *Warehouse) noteProject(ctx context.Context, table, project string, prev *warehouse.Table) (made bool, hand []string, err error) {
	live, err := w.c.Table(ctx, table)
	switch {
	case errors.Is(err, ErrTableNotFound):
		return false, nil, nil
	case err != nil:
		return false, nil, fmt.Errorf("reading its createTime to note it failed: %w", err)
	case prev != nil && prev.Created.Equal(live.Created):
		return false, nil, nil
	}
	if !live.Created.IsZero() {
		err := w.createOnce(ctx, &w.timesKept, createTimes)
		if err == nil {
			err = w.runStatement(ctx, timesNote(table, project, live.Created), nil, nil)
		}
		w.mu.Lock()
		w.times = nil // read again when asked
		w.mu.Unlock()
		if err != nil {
			return true, handNotes(table, project, live.Created), err
		}
	}
	err = w.createOnce(ctx, &w.projects, createProjects)
	if err == nil {
		err = w.runStatement(ctx, projectNote(table, project), nil, nil)
	}
	w.mu.Lock()
	w.created = nil // read again when asked
	w.mu.Unlock()
	if err != nil {
		return true, []string{createProjects, projectNote(table, project)}, err
	}
	return true, nil, nil
}

// note runs noteProject for job, whose statements ran (failed: one
// failed, or was interrupted, after which the service may still have
// created the table), even when the apply is interrupted as it starts,
// and says what a failed note leaves to do.
func (w *Warehouse) note(ctx context.Context, job *warehouse.Job, prev *warehouse.Table, failed bool) error {
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), noteTimeout)
	defer cancel()
	made, hand, err := w.noteProject(nctx, job.Name, job.Project, prev)
	const taken = "until it is noted, fgen takes it for a table it did not create (unless fgen apply writes a partition of it since), and refuses to recreate it"
	switch {
	case err == nil && made && failed:
		return fmt.Errorf("the service made the table all the same, and fgen noted it: apply again to fill its days")
	case err == nil:
		return nil
	case !made && failed:
		return fmt.Errorf("fgen could not tell whether the service made the table: %w; run fgen plan, which says what it takes the table for", err)
	case !made:
		return fmt.Errorf("the table is made, but %w; %s: run fgen plan, which says what it takes the table for", err, taken)
	case len(hand) == 2: // the time noted, not the project
		return fmt.Errorf("the table is made, but noting its project failed: %w; plan does not name it a former table of the project once funnel.toml no longer defines it: note it by running %s", err, strings.Join(hand, " "))
	}
	return fmt.Errorf("the table is made, but noting it failed: %w; %s: note it by running %s", err, taken, strings.Join(hand, " "))
}

// noteTimeout bounds the notes of a table fgen created, which run even
// when the apply is interrupted as they start: a table fgen created
// without its notes is one fgen takes for a table it did not create.
const noteTimeout = 2 * time.Minute

// createOnce runs create, a CREATE TABLE IF NOT EXISTS, unless *done says
// this Warehouse did, and then notes it in *done (both under w.mu). Jobs
// at the same time may each run it: it changes nothing once the table is.
func (w *Warehouse) createOnce(ctx context.Context, done *bool, create string) error {
	w.mu.Lock()
	created := *done
	w.mu.Unlock()
	if created {
		return nil
	}
	if err := w.runStatement(ctx, create, nil, nil); err != nil {
		return err
	}
	w.mu.Lock()
	*done = true
	w.mu.Unlock()
	return nil
}

// sqlSpec writes a partition spec as SQL and the client take it:
// "dt='20210303',hh='07'".
func sqlSpec(spec warehouse.PartitionSpec) string {
	parts := make([]string, len(spec))
	for i, k := range spec {
		parts[i] = fmt.Sprintf("%s='%s'", k.Column, k.Value)
	}
	return strings.Join(parts, ",")
}

// quote writes a MaxCompute string literal of a name, a day or a
// fingerprint (letters, digits and '_'; anything else escaped).
func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Capabilities: jobs run on the remote service, any number at once;
// tables have lifecycles and real partitions, which every read must name;
// a sync task owns the ODS table.
func (w *Warehouse) Capabilities() warehouse.Capabilities {
	return warehouse.Capabilities{Engine: "maxcompute", Remote: true, Lifecycle: true}
}

// Run submits the job's statements one at a time, each as its own SQL task
// with the job's settings as hints (an SQL task runs one statement), and
// waits for each before the next. The first that fails stops the job: the
// ones before it stay applied.
func (w *Warehouse) Run(ctx context.Context, job *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	hints := hintsOf(job.Settings)
	n := len(job.Statements)
	ddl := job.Kind == "ddl" && job.Project != "" // a table fgen creates, which it notes
	var prev *warehouse.Table                     // the table before the DDL job: see noteProject
	if ddl {
		if t, err := w.c.Table(ctx, job.Name); err == nil {
			prev = t
		} else if !errors.Is(err, ErrTableNotFound) {
			return fmt.Errorf("%s: %w", describeJob(job), err)
		}
	}
	for i, stmt := range job.Statements {
		if err := w.runStatement(ctx, stmt, hints, func(j *Job) {
			if onSubmit != nil {
				onSubmit(warehouse.Submitted{Statement: i + 1, Statements: n, InstanceID: j.ID, LogView: j.LogView})
			}
		}); err != nil {
			var failed *SQLError
			var unsent *NotSubmittedError
			serr := &warehouse.StatementError{Statement: i + 1, Statements: n, Err: err}
			if ddl && !errors.As(err, &failed) && !errors.As(err, &unsent) {
				// Not a statement the service failed or refused: an
				// interrupt, or an answer lost, after which it may have
				// made the table.
				if nerr := w.note(ctx, job, prev, true); nerr != nil {
					return fmt.Errorf("%s: %w; %v", describeJob(job), serr, nerr)
				}
			}
			return fmt.Errorf("%s: %w", describeJob(job), serr)
		}
	}
	if ddl {
		// The table is created. Without its time noted, fgen takes it for
		// a table it did not create; without its project, plan does not
		// name it once funnel.toml no longer defines it.
		if err := w.note(ctx, job, prev, false); err != nil {
			return fmt.Errorf("%s: %w", describeJob(job), err)
		}
	}
	if job.Kind == "node" && job.Day != "" && job.Fingerprint != "" && job.Partition != "" {
		// The partition is written: a record fgen cannot keep only means a
		// later plan cannot tell whether its SQL changed.
		if err := w.keepRecord(ctx, job, sqlSpec(job.Written())); err != nil && ctx.Err() == nil {
			return fmt.Errorf("%s: the partition is written, but recording it in %s failed: %w", describeJob(job), BooksTable, err)
		}
	}
	return nil
}

// hintsOf is settings as the SQL task's hints.
func hintsOf(settings []warehouse.Setting) map[string]string {
	hints := make(map[string]string, len(settings))
	for _, s := range settings {
		hints[s.Key] = s.Value
	}
	return hints
}

// runStatement runs one statement, within the job timeout.
func (w *Warehouse) runStatement(ctx context.Context, stmt string, hints map[string]string, onSubmit func(*Job)) error {
	if hints == nil {
		hints = map[string]string{}
	}
	if w.JobTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, w.JobTimeout, &JobTimeoutError{Timeout: w.JobTimeout, Setting: w.TimeoutSetting})
		defer cancel()
	}
	return w.c.Run(ctx, stmt, hints, onSubmit)
}

func describeJob(j *warehouse.Job) string {
	if j.Hour != "" {
		return fmt.Sprintf("%s %s for %s hour %s", j.Kind, j.Name, j.Day, j.Hour)
	}
	if j.Day != "" {
		return fmt.Sprintf("%s %s for %s", j.Kind, j.Name, j.Day)
	}
	return fmt.Sprintf("%s %s", j.Kind, j.Name)
}

// Query runs a query with the settings as hints and returns its rows; `\N`
// cells are NULL.
func (w *Warehouse) Query(ctx context.Context, sql string, settings ...warehouse.Setting) (*warehouse.Rows, error) {
	records, err := w.c.Query(ctx, sql, hintsOf(settings))
	if err != nil {
		return nil, err
	}
	out := &warehouse.Rows{}
	for i, rec := range records {
		if i == 0 {
			out.Columns = rec
			continue
		}
		row := make([]*string, len(rec))
		for j, cell := range rec {
			if !IsNull(cell) {
				v := cell
				row[j] = &v
			}
		}
		out.Values = append(out.Values, row)
	}
	return out, nil
}

// Close waits for the termination of a job a Submit interrupted by its
// context created (Client.Close); the SDK opens a connection per request,
// so there is nothing else to release.
func (w *Warehouse) Close() error { return w.c.Close() }
