// Package duckdb is fgen's embedded engine: a local DuckDB database file that
// holds the ODS, DW and RPT tables, with each table's partition column kept
// as a plain column.
package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// Options configure the engine.
type Options struct {
	Path        string // database file; "" or ":memory:" for an in-memory database
	Threads     int    // 0: DuckDB's default (all cores), or one for a small warehouse (see widenUnlessSmall)
	MemoryLimit string // e.g. "2GB"; "" for DefaultMemoryLimit (a file) or DuckDB's default (in memory)
	// ReadOnly opens the file for reading only, creating nothing: what
	// plan and report need. A file that does not exist opens as an empty
	// in-memory database.
	ReadOnly bool
	// InPlace creates a file that does not exist at Path itself: a name
	// no other process uses (see duckutil.Build). Otherwise Open creates
	// it whole, beside Path (see create).
	InPlace bool
}

// DefaultMemoryLimit is the memory DuckDB may use when the target sets no
// memory_limit. DuckDB's own default, 80 % of the machine's memory, lets a
// day's nodes grow with the day (4 GiB of resident memory for a day of 50 M
// events); with a limit DuckDB spills what does not fit to temporary files
// beside the database (TempDir), and fgen's peak stays near the limit
// (BENCHMARKS.md, "Memory").
const DefaultMemoryLimit = "512MB"

// disabledOptimizers are DuckDB's optimizers that fgen turns off: its
// nodes' SQL reads each table as few times as it can (a report node once,
// the DW node its ODS rows three times), and these only undo or look for
// what that rules out.
//
//   - window_self_join rewrites a window with PARTITION BY and no ORDER BY
//     over a grouped subquery into a join of the subquery with itself. A
//     funnel with a breakdown_limit ranks each breakdown value by its entries
//     with such a window (SUM(...) OVER (PARTITION BY value)), and DuckDB
//     2.0 then scanned the day's DW rows, and grouped and folded each user's
//     rows, twice. On 5 M rows of 250,000 users (medians of 3 and 7 runs),
//     an events node with a breakdown_limit took 0.24 s with it and 0.12 s
//     without, an ordered node with a breakdown_limit and times 1.96 s and
//     0.91 s (TestNodePlansAddNoScans checks the scans).
//   - common_subplan looks for a subplan that occurs twice, to compute it
//     once: no node's plan changes without it, and planning a node's
//     statement takes less time (the nodes of generator's golden configs,
//     on empty tables: 0.43 s in all with it, 0.37 s without).
const disabledOptimizers = "window_self_join,common_subplan"

// TempDir returns where DuckDB spills for the database file at path: the
// directory path + ".tmp", DuckDB's own choice, made explicit so that no
// setting elsewhere can move it outside the warehouse. DuckDB removes the
// files it spilled when the database closes.
func TempDir(path string) string { return path + ".tmp" }

// DB is an open local warehouse.
type DB struct {
	db       *sql.DB
	close    func() error // closes db, and its instance, or its open of the file attached to the process's (see host)
	readOnly bool
	path     string

	closeOnce sync.Once // Close runs close once
	closeErr  error

	booksMu sync.Mutex
	booksAt string // what the reads of fgen_partitions read (booksFrom); "" until asked

	attached bool // db is the file attached to the process's instance (see host)

	narrowMu sync.Mutex
	narrow   bool  // DuckDB runs on one thread (see widenUnlessSmall), until a transaction (see widen)
	rows     int64 // while narrow: about how many rows the tables hold (Open's count, and what UpdateRows brought in since)
}

var _ warehouse.Warehouse = (*DB)(nil)

// Open opens (creating if needed) the database file.
func Open(opts Options) (*DB, error) {
	path := opts.Path
	if path == ":memory:" {
		path = ""
	}
	if err := duckutil.CheckPath(path); err != nil {
		return nil, err
	}
	if err := isDatabaseFile(path); err != nil {
		return nil, err
	}
	if opts.ReadOnly && path != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			path = ""
		}
	}
	if path != "" && !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		switch _, err := os.Lstat(path); {
		case errors.Is(err, fs.ErrNotExist) && !opts.InPlace:
			if err := create(opts); err != nil && !errors.Is(err, duckutil.ErrExists) {
				return nil, fmt.Errorf("create %s: %w", path, err)
			}
		case err == nil:
			if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("open %s: a symbolic link to a file that does not exist; point it at a warehouse, or remove it (fgen then creates one)", path)
			}
			// What a load, sample or new warehouse killed part-way
			// left beside it (their staging directories, which can be
			// large), for every command that writes: not only the next
			// load. (create's staging does it for a new file.)
			duckutil.RemoveStale(filepath.Dir(path))
		}
	}
	// One thread until Open has counted the rows (see widenUnlessSmall).
	narrow := opts.Threads == 0
	threads := "1"
	if !narrow {
		threads = strconv.Itoa(opts.Threads)
	}
	// An in-memory database spills nowhere: DuckDB's default for it, ".tmp"
	// in the working directory, is outside fgen's warehouse.
	limit, temp := opts.MemoryLimit, ""
	if path != "" {
		temp = TempDir(path)
		if limit == "" {
			limit = DefaultMemoryLimit
		}
	}
	// The instance's settings but temp_directory, the database's own.
	settings := [][2]string{{"threads", threads}}
	if limit != "" {
		settings = append(settings, [2]string{"memory_limit", limit})
	}
	settings = append(settings, [2]string{"disabled_optimizers", disabledOptimizers})
	d := &DB{readOnly: opts.ReadOnly, path: path, narrow: narrow}
	release := func() error { return nil }
	if path != "" {
		db, close, err := attach(path, opts.ReadOnly, settings)
		if err != nil {
			return nil, openError(displayPath(opts.Path), err)
		}
		if db != nil {
			d.db, d.close, d.attached = db, close, true
		} else {
			release = close
		}
	}
	if d.db == nil {
		q := url.Values{}
		for _, s := range settings {
			q.Set(s[0], s[1])
		}
		q.Set("temp_directory", temp)
		if opts.ReadOnly && path != "" {
			q.Set("access_mode", "READ_ONLY")
		}
		connector, err := duckdb.NewConnector(path+"?"+q.Encode()+"&"+duckutil.Offline, nil)
		if err != nil {
			release()
			return nil, openError(displayPath(opts.Path), err)
		}
		// sql.DB's Close closes the connector.
		d.db = sql.OpenDB(connector)
		d.close = func() error { return errors.Join(d.db.Close(), release()) }
	}
	if !opts.ReadOnly {
		if err := d.keepBooks(); err != nil {
			d.Close()
			return nil, openError(displayPath(opts.Path), err)
		}
	}
	if narrow {
		if err := d.widenUnlessSmall(); err != nil {
			d.Close()
			return nil, openError(displayPath(opts.Path), err)
		}
	}
	return d, nil
}

// create makes the empty warehouse of a new file at opts.Path whole: it
// builds it in a staging directory beside the path (duckutil.Build),
// closes it and links it into place (duckutil.Install). Another process
// never opens a file at the path that is not yet a database: DuckDB writes
// a new file's header only after creating it, and a second fgen that
// opened it then found "not a DuckDB database" (and the file stayed so).
// duckutil.ErrExists: another process made the path meanwhile; its
// warehouse stands.
func create(opts Options) error {
	path := opts.Path
	tmp, release, err := duckutil.Build(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	defer release()
	// One thread: the new file is empty, and closed at once, so Open need
	// not count its rows to choose (widenUnlessSmall).
	opts.Path, opts.InPlace, opts.Threads = tmp, true, 1
	db, err := Open(opts)
	if err != nil {
		return err
	}
	if err := db.Close(); err != nil {
		return openError(path, err)
	}
	return duckutil.Install(tmp, path)
}

// keepBooks creates fgen's bookkeeping table, fgen_partitions: a row per
// partition fgen loaded or wrote, with when (written_at, in UTC) and, for a
// node's partition, the fingerprint of the node's SQL, the project and how
// many rows it wrote (row_count, counted when written_at was, counted_at:
// what tells the partition from one changed outside fgen; an fgen of
// before row_count updates written_at alone, and its count is not the
// rows'), or a table made again, outside fgen). A database from before
// fgen kept the later columns gets them, empty; one from before its times
// were in UTC (the table's comment, booksInUTC, says they are) gets them
// in UTC.
//
// Most opens find the table as fgen leaves it, and change nothing: one
// query of the table's columns and comment says so, where the statements
// below would each commit.
func (d *DB) keepBooks() error {
	ctx := context.Background()
	var current int64
	var comment sql.NullString
	err := d.readRow(ctx, `SELECT (SELECT count(*) FROM pragma_table_info('fgen_partitions') WHERE name IN ('written_at', 'fingerprint', 'project', 'row_count', 'counted_at')), (`+tableComment("fgen_partitions")+`)`, &current, &comment)
	if err == nil && current == 5 && comment.String == booksInUTC {
		return nil
	}
	for _, stmt := range []string{
		`CREATE TABLE IF NOT EXISTS fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (table_name, value))`,
		`ALTER TABLE fgen_partitions ADD COLUMN IF NOT EXISTS written_at TIMESTAMP`,
		`ALTER TABLE fgen_partitions ADD COLUMN IF NOT EXISTS fingerprint VARCHAR`,
		`ALTER TABLE fgen_partitions ADD COLUMN IF NOT EXISTS project VARCHAR`,
		`ALTER TABLE fgen_partitions ADD COLUMN IF NOT EXISTS row_count BIGINT`,
		`ALTER TABLE fgen_partitions ADD COLUMN IF NOT EXISTS counted_at TIMESTAMP`,
	} {
		if _, err := d.db.Exec(stmt); err != nil {
			return err
		}
	}
	return d.booksToUTC(ctx)
}

// utcNow is the time fgen notes a write at: the transaction's start, in
// UTC. A TIMESTAMP column holds DuckDB's now() in the session's time zone,
// the process's TZ: notes written under two zones (a cron job's UTC, a
// shell's Asia/Shanghai) compared hours apart, and a day loaded again
// seemed older than the apply before it (plan: up to date), or an apply
// older than its input (plan: out of date, again and again). Daylight
// saving's repeated hour did the same in one zone.
const utcNow = "(now() AT TIME ZONE 'UTC')"

// booksToUTCMu makes one booksToUTC at a time in the process.
var booksToUTCMu sync.Mutex

// booksInUTC is fgen_partitions' comment once its times are in UTC.
const booksInUTC = "fgen's notes of the partitions it wrote; times in UTC"

// tableComment is the query of the comment of the table name (NULL for
// none, no row for no table) in the database the connection uses.
func tableComment(name string) string {
	return `SELECT comment FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = ` + literal(name)
}

// booksToUTC makes the times of fgen_partitions and fgen_dropped UTC, in
// one transaction with the comment that says so, unless it says so
// already. An fgen from before wrote them in its session's time zone:
// taken to be this process's (TZ), the zone of the user's earlier runs as
// likely as any.
func (d *DB) booksToUTC(ctx context.Context) (err error) {
	// Two opens of one file in this process share its attached database:
	// one converts, the other then finds the comment. (Another process
	// cannot open the file meanwhile: DuckDB locks it.)
	booksToUTCMu.Lock()
	defer booksToUTCMu.Unlock()
	var comment sql.NullString
	if err := d.readRow(ctx, tableComment("fgen_partitions"), &comment); err != nil {
		return err
	}
	if comment.String == booksInUTC {
		return nil
	}
	var dropped int64
	if err := d.readRow(ctx, `SELECT count(*) FROM (`+tableComment("fgen_dropped")+`)`, &dropped); err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	toUTC := func(col string) string { return col + ` = CAST(` + col + ` AS TIMESTAMPTZ) AT TIME ZONE 'UTC'` }
	stmts := []string{`UPDATE fgen_partitions SET ` + toUTC("written_at") + `, ` + toUTC("counted_at") + ` WHERE written_at IS NOT NULL OR counted_at IS NOT NULL`}
	if dropped > 0 {
		stmts = append(stmts, `UPDATE fgen_dropped SET `+toUTC("dropped_at"))
	}
	stmts = append(stmts, `COMMENT ON TABLE fgen_partitions IS `+literal(booksInUTC))
	for _, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// booksFrom is what a read of fgen_partitions reads FROM: the table, or,
// in a database an fgen from before it kept written_at, fingerprint and
// project opened read-only (keepBooks adds them when it opens to write),
// the table with NULL for those: notes of no time and no SQL, as keepBooks
// would leave them.
func (d *DB) booksFrom(ctx context.Context) (string, error) {
	d.booksMu.Lock()
	defer d.booksMu.Unlock()
	if d.booksAt != "" {
		return d.booksAt, nil
	}
	from := "fgen_partitions"
	if d.readOnly {
		has := map[string]bool{}
		err := d.read(ctx, `SELECT name FROM pragma_table_info('fgen_partitions')`, func(r row) error {
			var name string
			err := r.scan(&name)
			has[name] = true
			return err
		})
		if err != nil && !d.missingTable(err) {
			return "", err
		}
		if len(has) > 0 && !(has["written_at"] && has["fingerprint"] && has["project"] && has["row_count"] && has["counted_at"]) {
			cols := map[string]string{"written_at": "TIMESTAMP", "fingerprint": "VARCHAR", "project": "VARCHAR", "row_count": "BIGINT", "counted_at": "TIMESTAMP"}
			sel := "table_name, value"
			for _, c := range []string{"written_at", "fingerprint", "project", "row_count", "counted_at"} {
				if has[c] {
					sel += ", " + c
				} else {
					sel += fmt.Sprintf(", CAST(NULL AS %s) AS %s", cols[c], c)
				}
			}
			from = "(SELECT " + sel + " FROM fgen_partitions) AS fgen_partitions"
		}
	}
	d.booksAt = from
	return from, nil
}

// lockHolder reads the process DuckDB names in its error when another
// process holds the database file's lock.
var lockHolder = regexp.MustCompile(`Conflicting lock is held in (.+) \(PID (\d+)\)`)

// isDatabaseFile refuses a path that names a file other than a DuckDB
// database, before DuckDB sees it: DuckDB opens an existing CSV or Parquet
// file as an in-memory database that reads it, where fgen's tables and
// loads would vanish when it exits. A DuckDB file has "DUCK" at byte 8; a
// file not there is a database DuckDB is to create.
func isDatabaseFile(path string) error {
	if path == "" {
		return nil
	}
	n, database, err := duckutil.Header(path)
	switch {
	case err != nil || database:
		return nil // not there (created), or DuckDB says why
	case n == 12, dataFile[strings.ToLower(filepath.Ext(path))]:
		return notDatabase(path)
	}
	// Shorter (empty), and not named as data: a database another process
	// is creating (DuckDB then names it), or a file DuckDB refuses itself.
	return nil
}

// dataFile are the extensions of files DuckDB opens as data rather than
// as a database.
var dataFile = map[string]bool{".csv": true, ".tsv": true, ".txt": true, ".parquet": true, ".json": true, ".jsonl": true, ".ndjson": true}

func notDatabase(path string) error {
	return fmt.Errorf("open %s: it is not a DuckDB database: check the path of the duckdb target in funnel.toml (fgen creates the file when it does not exist; move this one away to start anew)", path)
}

// openError says why the database at path did not open: when another
// process holds it (DuckDB lets one process write a file at a time, and a
// reader waits for no writer), which one, and what to do, rather than
// the driver's text.
func openError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Permission denied") {
		return fmt.Errorf("open %s: %w; fgen reads the warehouse file, and to change it writes it and, beside it, its .wal and .tmp: check their permissions and their directory's", path, err)
	}
	if strings.Contains(msg, "Could not read enough bytes from file") {
		// Its header names blocks beyond its end.
		return fmt.Errorf("open %s: %w", path, cleanError(errors.New(strings.TrimPrefix(msg, "database/sql/driver: could not connect to database: "))))
	}
	if strings.Contains(msg, "not a valid DuckDB database file") {
		// The target's path names another file (one cut short by a full
		// disk) that isDatabaseFile let through.
		return notDatabase(path)
	}
	if !strings.Contains(msg, "Could not set lock on file") {
		return fmt.Errorf("open %s: %w", path, err)
	}
	holder := "another process"
	if m := lockHolder.FindStringSubmatch(msg); m != nil {
		holder = fmt.Sprintf("another process (%s, PID %s)", m[1], m[2])
	}
	return fmt.Errorf("open %s: %s is using this warehouse, and DuckDB lets one process use a warehouse file while it writes; wait for it to finish, or stop it, and run this again", path, holder)
}

func displayPath(p string) string {
	if p == "" {
		return ":memory:"
	}
	return p
}

// smallRows is the number of rows under which a warehouse is small (see
// widenUnlessSmall).
const smallRows = 500_000

// widenUnlessSmall leaves DuckDB on the one thread Open started it on when
// the warehouse's tables hold fewer than smallRows rows in all, and gives
// it its threads otherwise (widen). DuckDB splits a scan into row groups of
// 122,880 rows, so a small warehouse's tables give its other threads little
// to do; and for each query, of the catalog, of fgen_partitions or of a
// node, it wakes them for tasks they mostly do not get (cmd/fgen's tests,
// which open small warehouses hundreds of times, took about 6 % more CPU
// with DuckDB's default of two threads on 2 cores; BENCHMARKS.md). The rows are
// counted, not judged from the file's size: a file of 13 MB held 20 M
// rows of a few well-compressed columns. A target's own threads setting is
// kept whatever the rows (Options.Threads).
func (d *DB) widenUnlessSmall() error {
	var rows int64
	if err := d.readRow(context.Background(), `SELECT CAST(coalesce(sum(estimated_size), 0) AS BIGINT) FROM duckdb_tables() WHERE database_name = current_database()`, &rows); err != nil {
		return err
	}
	if rows < smallRows {
		d.rows = rows
		return nil
	}
	return d.widen(context.Background())
}

// widen gives DuckDB its threads (DuckDB's default: all cores): for a
// large warehouse at Open, and for a small one before a transaction, a load
// or sample whose rows come from outside it and are not known or make it
// large (widenFor; a job's rows come from the warehouse, whose rows Open
// counted and widenFor added to).
func (d *DB) widen(ctx context.Context) error { return d.widenFor(ctx, -1) }

// widenFor widens a small warehouse for a transaction that brings in
// about rows rows (negative: unknown) unless it stays small with them, and
// counts them to its rows if so (whether or not the transaction commits:
// an estimate that errs toward widening).
func (d *DB) widenFor(ctx context.Context, rows int64) error {
	d.narrowMu.Lock()
	defer d.narrowMu.Unlock()
	if !d.narrow {
		return nil
	}
	if rows >= 0 && d.rows+rows < smallRows {
		d.rows += rows
		return nil
	}
	if d.attached {
		forgetGlobal("threads")
	}
	if _, err := execOn(ctx, d.db, "RESET GLOBAL threads"); err != nil {
		return err
	}
	d.narrow = false
	return nil
}

// Close closes the database, once. DuckDB checkpoints a file then, and a
// checkpoint that fails (on a full disk) leaves the commits in the .wal
// beside it, which the next open replays.
func (d *DB) Close() error {
	d.closeOnce.Do(func() { d.closeErr = d.close() })
	err := d.closeErr
	if err == nil {
		return nil
	}
	return d.writeError(fmt.Errorf("close %s: %s", displayPath(d.path), strings.Join(strings.Fields(err.Error()), " ")), closeKept)
}

// closeKept is what a database whose checkpoint failed as it closed keeps.
const closeKept = "what it committed is kept in its .wal, which the next command replays"

// Dir returns the directory of the database file, "" for an in-memory
// database: where work files beside it go (see duckutil.MakeStagingDir).
func (d *DB) Dir() string {
	if d.path == "" {
		return ""
	}
	return filepath.Dir(d.path)
}

// Capabilities: one writer at a time; a job and its partition bookkeeping
// commit together; tables keep their partition column as a plain column,
// have no lifecycle, and may be read whole; 'fgen load' fills the ODS table.
func (d *DB) Capabilities() warehouse.Capabilities {
	return warehouse.Capabilities{Engine: "duckdb", Writers: 1, Atomic: true, PartitionColumn: true, ScanAll: true, LoadsODS: true}
}

// Run executes a job's statements in one transaction on one connection,
// with, for a node job, the note that its partition was written, and for a
// DDL job, which creates its table empty, the removal of the notes of its
// partitions: they commit together, or, when a statement fails or ctx ends
// first, not at all, and the partition keeps its previous rows.
func (d *DB) Run(ctx context.Context, job *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	if len(job.Settings) > 0 {
		return fmt.Errorf("%s: the local engine takes no session settings, got %s", jobName(job), job.Settings[0].Key)
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer closeAfter(ctx, conn)
	s := session{conn}
	if _, err := s.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return abort(ctx, s, err)
	}
	n := len(job.Statements)
	for i, stmt := range job.Statements {
		if onSubmit != nil {
			onSubmit(warehouse.Submitted{Statement: i + 1, Statements: n})
		}
		if _, err := s.exec(ctx, stmt); err != nil {
			return abort(ctx, s, fmt.Errorf("%s: %w", jobName(job), &warehouse.StatementError{Statement: i + 1, Statements: n, Err: d.writeError(cleanError(err), jobLost)}))
		}
	}
	if job.Kind == "node" && job.Day != "" {
		if err := markNode(ctx, s, job); err != nil {
			return abort(ctx, s, err)
		}
	}
	// A DDL job creates its table, empty (after dropping it, to recreate
	// it): notes of partitions the table had before are no longer true.
	if job.Kind == "ddl" {
		if err := dropNotes(ctx, s, job.Name); err != nil {
			return abort(ctx, s, fmt.Errorf("%s: %w", jobName(job), cleanError(err)))
		}
	}
	// Once every statement ran, the job commits whole even if ctx ends
	// now: what Run returns then says what the database holds.
	if _, err := s.exec(context.WithoutCancel(ctx), "COMMIT"); err != nil {
		return abort(ctx, s, fmt.Errorf("%s: %w", jobName(job), d.writeError(cleanError(err), jobLost)))
	}
	return nil
}

// dropNotes removes, in the transaction of table's DDL job, the notes of
// the partitions the table had, and keeps in fgen_dropped those fgen's jobs
// wrote: the DDL made the table again, empty, and a plan of no days still
// names those days as days apply would write again (DroppedPartitions),
// where it would otherwise call the table in sync. A new table has no
// notes, and its job no more statements.
func dropNotes(ctx context.Context, s session, table string) error {
	name := literal(table)
	var written []string
	if err := s.read(ctx, `DELETE FROM fgen_partitions WHERE table_name = `+name+` RETURNING value, fingerprint IS NOT NULL`, func(r row) error {
		var value string
		var job bool
		err := r.scan(&value, &job)
		if job {
			written = append(written, value)
		}
		return err
	}); err != nil || len(written) == 0 {
		return err
	}
	if _, err := s.exec(ctx, `CREATE TABLE IF NOT EXISTS fgen_dropped (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, dropped_at TIMESTAMP NOT NULL, PRIMARY KEY (table_name, value))`); err != nil {
		return err
	}
	values := make([]string, len(written))
	for i, v := range literals(written) {
		values[i] = fmt.Sprintf("(%s, %s, %s)", name, v, utcNow)
	}
	if _, err := s.exec(ctx, `INSERT INTO fgen_dropped (table_name, value, dropped_at) VALUES `+strings.Join(values, ", ")+` ON CONFLICT DO NOTHING`); err != nil {
		return err
	}
	// An apply's note that it set out to write one of them (NotePlanned)
	// is of the table dropped: the partition is fgen_dropped's now, and
	// forgetting it there forgets it.
	if _, err := s.exec(ctx, plannedTable); err != nil {
		return err
	}
	_, err := s.exec(ctx, `DELETE FROM fgen_planned WHERE table_name = `+name+` AND value IN (`+in(written)+`)`)
	return err
}

// plannedTable creates fgen_planned (NotePlanned).
const plannedTable = `CREATE TABLE IF NOT EXISTS fgen_planned (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (table_name, value))`

// jobLost is what a job that failed rolled back: itself (the jobs that
// finished before it, of an apply or a load, are committed).
const jobLost = "this job was rolled back; jobs that finished before it are kept"

// abort rolls back the transaction of a failed job and returns why it
// failed: ctx's error when ctx ended. The ROLLBACK is tried twice: with the
// driver's statements, an interrupt sent for ctx could land on the next
// statement instead (a session's cannot, but a driver that a session falls
// back to still may).
func abort(ctx context.Context, s session, err error) error {
	for range 2 {
		if _, rerr := s.exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr == nil {
			break
		}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// closeAfter returns conn to the pool, or, when ctx ended while conn was in
// use, closes it: an interrupt the driver sent for ctx may still be pending
// on it, and would fail whatever ran on it next (defensive, as in abort).
func closeAfter(ctx context.Context, conn *sql.Conn) {
	if ctx.Err() != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	conn.Close()
}

func jobName(j *warehouse.Job) string {
	if j.Hour != "" {
		return j.Name + " for " + j.Day + " hour " + j.Hour
	}
	if j.Day != "" {
		return j.Name + " for " + j.Day
	}
	return j.Name
}

// cleanError trims DuckDB's multi-line error text to its first paragraph.
func cleanError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\n\n"); i > 0 {
		msg = msg[:i]
	}
	msg = strings.TrimSpace(msg)
	if strings.Contains(msg, "Could not read enough bytes from file") {
		// A block the file's metadata names is beyond its end. (Most of
		// the metadata is at the start, so such a file opens.)
		msg += "; " + cutShort
	}
	return errors.New(msg)
}

// cutShort says what a database file whose blocks end early is, and what to
// do.
const cutShort = "the file is cut short: a copy that did not finish, or a disk that filled as it was written; put back a whole copy, or move it away to start anew (fgen load and apply fill a new one)"

// markNode notes in fgen_partitions that node job wrote its partition,
// now, with SQL of its fingerprint, for its project, and how many rows the
// partition holds now: counted in the job's transaction, by the statement
// that notes it. A count of its own before the note made the benchmark's
// events node 6.5-6.8 ms slower than its bare query (about 40 ms), against
// 4.5-5.0 ms so (BENCHMARKS.md).
func markNode(ctx context.Context, s session, job *warehouse.Job) error {
	spec := job.Written()
	count := `(SELECT count(*) FROM ` + quote(job.Name) + ` WHERE ` + specWhere(spec) + `)`
	if err := markPartitions(ctx, s, job.Name, []string{spec.Value()}, job.Fingerprint, job.Project, count); err != nil {
		return fmt.Errorf("note the partition %s/%s: %w", job.Name, spec, cleanError(err))
	}
	return nil
}

// specWhere is the WHERE condition of the rows of the partition spec, as
// Partition and markNode compare its keys ("=", a string literal compared
// with the column's type).
func specWhere(spec warehouse.PartitionSpec) string {
	var where []string
	for _, k := range spec {
		where = append(where, quote(k.Column)+" = "+literal(k.Value))
	}
	return strings.Join(where, " AND ")
}

// markPartitions notes in fgen_partitions that fgen wrote the partitions
// values of table, now, with SQL of the given fingerprint ("" for a load),
// for project ("" for none), holding rowCount rows (an SQL expression, ""
// for rows not counted):
// one UPDATE of the noted ones, then one INSERT of the others, so that a
// day's 24 hours cost two statements, not 48. The single INSERT ... ON
// CONFLICT DO UPDATE took about twice as long in an ad-hoc benchmark (4.6
// against 2.1 ms a transaction on an in-memory database holding 2,000
// partitions). fgen_partitions holds one row per partition (fgen writes it
// in this function only, in the job's transaction), so when the UPDATE
// changed as many rows as there are values, every one was noted. A value
// given twice is noted once.
func markPartitions(ctx context.Context, s session, table string, values []string, fingerprint, project string, rowCount string) error {
	if len(values) == 0 {
		return nil
	}
	values = slices.Compact(slices.Sorted(slices.Values(values)))
	fp, proj, rc, ca, table := "NULL", "NULL", "NULL", "NULL", literal(table)
	if rowCount != "" {
		rc, ca = rowCount, utcNow // counted_at: written_at's time
	}
	if fingerprint != "" {
		fp = literal(fingerprint)
	}
	if project != "" {
		proj = literal(project)
	}
	lits := literals(values)
	n, err := s.exec(ctx, fmt.Sprintf(`UPDATE fgen_partitions SET written_at = %s, fingerprint = %s, project = %s, row_count = %s, counted_at = %s WHERE table_name = %s AND value IN (%s)`, utcNow, fp, proj, rc, ca, table, strings.Join(lits, ", ")))
	if err != nil || n >= int64(len(values)) {
		return err
	}
	if n == 0 {
		rows := make([]string, len(values))
		for i, v := range lits {
			rows[i] = fmt.Sprintf("(%s, %s, %s, %s, %s, %s, %s)", table, v, utcNow, fp, proj, rc, ca)
		}
		_, err = s.exec(ctx, `INSERT INTO fgen_partitions (table_name, value, written_at, fingerprint, project, row_count, counted_at) VALUES `+strings.Join(rows, ", "))
		return err
	}
	return addPartitions(ctx, s, table, lits, fp, proj, rc, ca)
}

// literals quotes values as SQL string literals.
func literals(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = literal(v)
	}
	return out
}

// addPartitions notes the values lits (SQL literals) of table (one too),
// written now with fingerprint fp, project proj and row count rc, counted
// at ca (literals, utcNow or NULL), where they have no note yet.
func addPartitions(ctx context.Context, s session, table string, lits []string, fp, proj, rc, ca string) error {
	_, err := s.exec(ctx, fmt.Sprintf(`INSERT INTO fgen_partitions (table_name, value, written_at, fingerprint, project, row_count, counted_at)
SELECT %s, v, %s, %s, %s, %s, %s FROM (VALUES (%s)) AS new(v)
WHERE v NOT IN (SELECT value FROM fgen_partitions WHERE table_name = %s)`, table, utcNow, fp, proj, rc, ca, strings.Join(lits, "), ("), table))
	return err
}

// deletePartitions deletes, in one statement, the rows of table whose
// partition column is one of days.
func deletePartitions(ctx context.Context, s session, table, column string, days []string) error {
	if len(days) == 0 {
		return nil
	}
	_, err := s.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (%s)`, quote(table), quote(column), in(days)))
	return err
}

// PartitionWriters counts, in one query of fgen_partitions, the partitions
// of tables that a load wrote (noted when, without a fingerprint) and that a
// job wrote (with one); a note from before fgen kept either (keepBooks)
// counts as Earlier. A table of tables with no note at all is looked at: it
// is Foreign when it exists and holds a row.
func (d *DB) PartitionWriters(ctx context.Context, tables []string) (_ map[string]warehouse.Writers, err error) {
	defer func() { err = interrupted(ctx, err) }()
	out := map[string]warehouse.Writers{}
	if len(tables) == 0 {
		return out, nil
	}
	books, err := d.booksFrom(ctx)
	if err != nil {
		return nil, err
	}
	err = d.read(ctx, `SELECT table_name, count(*) FILTER (WHERE fingerprint IS NULL AND written_at IS NOT NULL), count(*) FILTER (WHERE fingerprint IS NOT NULL), count(*) FILTER (WHERE fingerprint IS NULL AND written_at IS NULL) FROM `+books+` WHERE table_name IN (`+in(tables)+`) GROUP BY table_name`, func(r row) error {
		var name string
		var w warehouse.Writers
		if err := r.scan(&name, &w.Loaded, &w.Jobs, &w.Earlier); err != nil {
			return err
		}
		out[name] = w
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tables {
		if w, noted := out[t]; noted {
			if w.Jobs > 0 {
				if w.Replaced, err = d.replaced(ctx, books, t); err != nil {
					return nil, err
				}
				out[t] = w
			}
			continue
		}
		var any bool
		err := d.readRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+quote(t)+`)`, &any)
		if d.missingTable(err) {
			continue
		} else if err != nil {
			return nil, fmt.Errorf("look into %s: %w", t, cleanError(err))
		}
		out[t] = warehouse.Writers{Foreign: any}
	}
	return out, nil
}

// NotedPartitions returns, in one query of fgen_partitions, the values of
// the partitions of each of tables that fgen's jobs wrote (noted with a
// fingerprint), or with any, that fgen noted at all.
func (d *DB) NotedPartitions(ctx context.Context, tables []string, any bool) (_ map[string][]string, err error) {
	defer func() { err = interrupted(ctx, err) }()
	out := map[string][]string{}
	if len(tables) == 0 {
		return out, nil
	}
	books, err := d.booksFrom(ctx)
	if err != nil {
		return nil, err
	}
	jobs := " AND fingerprint IS NOT NULL"
	if any {
		jobs = ""
	}
	// A warehouse no fgen has written to (opened read-only, or not made
	// yet) has no notes.
	out, _, err = d.tableValues(ctx, `SELECT table_name, value FROM `+books+` WHERE table_name IN (`+in(tables)+`)`+jobs+` ORDER BY table_name, value`)
	return out, err
}

// tableValues runs q, a query of (table_name, value) rows, and returns the
// values by table, in the query's order; found is false, and the values
// none, where a table q reads does not exist (fgen_dropped, fgen_planned:
// one fgen makes when it first needs it).
func (d *DB) tableValues(ctx context.Context, q string) (_ map[string][]string, found bool, err error) {
	out := map[string][]string{}
	err = d.read(ctx, q, func(r row) error {
		var table, value string
		err := r.scan(&table, &value)
		out[table] = append(out[table], value)
		return err
	})
	if d.missingTable(err) {
		return map[string][]string{}, false, nil
	}
	if err != nil {
		return nil, false, cleanError(err)
	}
	return out, true, nil
}

// DroppedPartitions returns, from fgen_dropped, the values of the
// partitions of each of tables that fgen's jobs wrote before a DDL job
// made the table again (dropNotes), and that no job has written since:
// none where no table was. (A user who means to leave them out deletes
// their rows of fgen_dropped; README says so.)
func (d *DB) DroppedPartitions(ctx context.Context, tables []string) (_ map[string][]string, err error) {
	defer func() { err = interrupted(ctx, err) }()
	out := map[string][]string{}
	if len(tables) == 0 {
		return out, nil
	}
	// Not one a job wrote again since: it holds rows, and a note.
	out, _, err = d.tableValues(ctx, `SELECT table_name, value FROM fgen_dropped d WHERE table_name IN (`+in(tables)+`)
AND NOT EXISTS (SELECT 1 FROM fgen_partitions p WHERE p.table_name = d.table_name AND p.value = d.value)
ORDER BY table_name, value`)
	return out, err
}

// NotePlanned notes, in fgen_planned, the partitions (values of each
// table) an apply sets out to write, before it runs their jobs: of one
// stopped or failed part-way, those its jobs did not write are then told
// from partitions no apply meant to write (a funnel added since lacks the
// days before it), see PlannedPartitions. A partition noted once stays
// noted: a plan reads it only of a partition no job has written.
func (d *DB) NotePlanned(ctx context.Context, planned map[string][]string) (err error) {
	defer func() { err = interrupted(ctx, err) }()
	var rows []string
	for _, table := range slices.Sorted(maps.Keys(planned)) {
		for _, v := range planned[table] {
			rows = append(rows, fmt.Sprintf("(%s, %s)", literal(table), literal(v)))
		}
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := d.db.ExecContext(ctx, plannedTable); err != nil {
		return d.writeError(cleanError(err), "nothing was noted")
	}
	if _, err := d.db.ExecContext(ctx, `INSERT INTO fgen_planned (table_name, value) VALUES `+strings.Join(rows, ", ")+` ON CONFLICT DO NOTHING`); err != nil {
		return d.writeError(cleanError(err), "nothing was noted")
	}
	return nil
}

// PlannedPartitions returns, from fgen_planned, the values of the
// partitions of each of tables an apply set out to write (NotePlanned),
// and whether any apply of an fgen that notes them has run here (false of
// a warehouse an older fgen wrote: fgen_planned is not there).
func (d *DB) PlannedPartitions(ctx context.Context, tables []string) (_ map[string][]string, noted bool, err error) {
	defer func() { err = interrupted(ctx, err) }()
	where := "false" // no tables: whether fgen_planned is there
	if len(tables) > 0 {
		where = "table_name IN (" + in(tables) + ")"
	}
	return d.tableValues(ctx, `SELECT table_name, value FROM fgen_planned WHERE `+where+` ORDER BY table_name, value`)
}

// replaced says why live table, whose partitions fgen's notes (in books)
// say its jobs wrote, is not the table they wrote, or "": fgen's DDL
// declares the partition columns, and only them, VARCHAR NOT NULL, so a
// table whose NOT NULL columns are not as many VARCHAR columns as a noted
// partition has values was made again outside fgen under the name, and
// fgen's notes are of the table it replaced. (Rows are no evidence: a
// partition's rows deleted or changed by hand are the table's own, which
// plan writes again; see rowsNoted. A table made again with fgen's DDL is
// past what the columns tell.)
func (d *DB) replaced(ctx context.Context, books, table string) (string, error) {
	var value string
	lit := literal(table)
	err := d.readRow(ctx, `SELECT value FROM `+books+` WHERE table_name = `+lit+` AND fingerprint IS NOT NULL LIMIT 1`, &value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	var cols []string
	varchar := true
	err = d.read(ctx, `SELECT name, type FROM pragma_table_info(`+lit+`) WHERE "notnull" ORDER BY cid`, func(r row) error {
		var name, typ string
		err := r.scan(&name, &typ)
		cols = append(cols, name+" "+typ)
		varchar = varchar && typ == "VARCHAR"
		return err
	})
	if d.missingTable(err) {
		return "", nil
	} else if err != nil {
		return "", err
	}
	parts := len(strings.Split(value, "/"))
	switch {
	case len(cols) == 0:
		return "none of its columns is NOT NULL, where fgen's DDL declares the partition columns so", nil
	case len(cols) != parts || !varchar:
		return fmt.Sprintf("its NOT NULL columns (%s) are not partition columns as fgen's DDL declares them, VARCHAR NOT NULL and only them (%d, as fgen noted its partitions)", strings.Join(cols, ", "), parts), nil
	}
	return "", nil
}

// JobTables returns the tables that exist and that project's jobs wrote
// partitions of, from fgen_partitions: none from a database whose notes do
// not say the project yet (it gets the column when fgen next opens it to
// write).
func (d *DB) JobTables(ctx context.Context, project string, skip func(string) bool) (_ []string, err error) {
	defer func() { err = interrupted(ctx, err) }()
	var noted bool
	if err := d.readRow(ctx, `SELECT count(*) > 0 FROM pragma_table_info('fgen_partitions') WHERE name = 'project'`, &noted); err != nil && !d.missingTable(err) {
		return nil, err
	}
	if !noted {
		return nil, nil
	}
	var names []string // fgen_partitions has a project column: it exists
	err = d.read(ctx, `SELECT DISTINCT p.table_name FROM fgen_partitions p
JOIN duckdb_tables() t ON t.table_name = p.table_name AND t.database_name = current_database() AND t.schema_name = 'main'
WHERE p.fingerprint IS NOT NULL AND p.project = `+literal(project), func(r row) error {
		var name string
		if err := r.scan(&name); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Not a table made again outside fgen under a name its jobs wrote.
	books, err := d.booksFrom(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range names {
		if skip != nil && skip(name) {
			continue
		}
		why, err := d.replaced(ctx, books, name)
		if err != nil {
			return nil, err
		}
		if why == "" {
			out = append(out, name)
		}
	}
	return out, nil
}

// Describe returns a table's columns. DuckDB has no partitions: the
// partition columns are plain columns, reported among Columns and marked
// Partition.
func (d *DB) Describe(ctx context.Context, table string) (_ *warehouse.Table, err error) {
	defer func() { err = interrupted(ctx, err) }()
	tables, err := d.DescribeTables(ctx, []string{table})
	if err != nil {
		return nil, err
	}
	if t, ok := tables[table]; ok {
		return t, nil
	}
	return nil, warehouse.ErrTableNotFound
}

// DescribeTables describes the tables of names that exist, as Describe
// does, in one query: a plan describes each of its tables, and each query
// of DuckDB's catalog costs about as much as this one.
func (d *DB) DescribeTables(ctx context.Context, names []string) (_ map[string]*warehouse.Table, err error) {
	defer func() { err = interrupted(ctx, err) }()
	out := map[string]*warehouse.Table{}
	if len(names) == 0 {
		return out, nil
	}
	// fgen's DDL declares a table's partition columns, and only them, NOT
	// NULL (templates/sql/duckdb.tmpl): that marks them Partition.
	err = d.read(ctx, `SELECT t.table_name, coalesce(t.comment, ''), c.column_name, c.data_type, coalesce(c.comment, ''), NOT c.is_nullable
FROM duckdb_tables() t JOIN duckdb_columns() c ON c.table_oid = t.table_oid
WHERE t.database_name = current_database() AND t.schema_name = 'main' AND t.table_name IN (`+in(names)+`)
ORDER BY t.table_name, c.column_index`, func(r row) error {
		var name, comment string
		var c warehouse.Column
		if err := r.scan(&name, &comment, &c.Name, &c.Type, &c.Comment, &c.Partition); err != nil {
			return err
		}
		t := out[name]
		if t == nil {
			t = &warehouse.Table{Name: name, Comment: comment}
			out[name] = t
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Partition describes a partition from fgen_partitions, or, for one fgen
// has no note of, from whether the table has rows in it. Bytes are unknown.
// fgen_partitions keys a partition by its values joined with '/'
// (PartitionSpec.Value): a day, or a day and an hour "20210303/07".
func (d *DB) Partition(ctx context.Context, table string, spec warehouse.PartitionSpec) (_ warehouse.Partition, err error) {
	defer func() { err = interrupted(ctx, err) }()
	p := warehouse.Partition{Bytes: -1}
	if len(spec) == 0 {
		return p, fmt.Errorf("partition of %s: no partition columns", table)
	}
	var at sql.NullTime
	var fp sql.NullString
	var noted sql.NullInt64
	books, err := d.booksFrom(ctx)
	if err != nil {
		return p, err
	}
	where := specWhere(spec)
	err = d.readRow(ctx, `SELECT written_at, fingerprint, `+countedRows+` FROM `+books+` WHERE table_name = `+literal(table)+` AND value = `+literal(spec.Value()), &at, &fp, &noted)
	switch {
	case err == nil && noted.Valid:
		// Noted with its rows: the rows it holds now say whether
		// something outside fgen deleted or changed it since. A table
		// gone, or not partitioned by spec's columns (funnel.toml renamed
		// them, which plan says), is as noted.
		p.Exists, p.Modified, p.Fingerprint = true, at.Time, fp.String
		var n int64
		if err := d.readRow(ctx, `SELECT count(*) FROM `+quote(table)+` WHERE `+where, &n); err != nil {
			if ctx.Err() != nil {
				return p, ctx.Err()
			}
			return p, nil
		}
		return rowsNoted(p, noted.Int64, n), nil
	case err == nil:
		p.Exists, p.Modified, p.Fingerprint = true, at.Time, fp.String
		return p, nil
	case !errors.Is(err, sql.ErrNoRows) && !d.missingTable(err):
		return p, err
	}
	q := fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM %s WHERE %s)`, quote(table), where)
	err = d.readRow(ctx, q, &p.Exists)
	if d.missingTable(err) {
		return p, nil
	}
	return p, err
}

// countedRows is a note's row_count where it was counted when the
// partition was last written (an fgen of before row_count leaves it as it
// was), else NULL.
const countedRows = `CASE WHEN counted_at = written_at THEN row_count END`

// rowsNoted is p, a partition fgen noted writing wrote rows of, as the n
// rows it holds now tell: deleted outside fgen when it holds none (so
// that plan writes it again), changed when it holds another number.
func rowsNoted(p warehouse.Partition, wrote, n int64) warehouse.Partition {
	switch {
	case n == wrote:
	case n == 0:
		p.Exists = false
	default:
		rows := "rows"
		if n == 1 {
			rows = "row"
		}
		p.Changed = fmt.Sprintf("it holds %d %s, where fgen wrote %d: changed outside fgen", n, rows, wrote)
	}
	return p
}

// DayPartitions describes the partitions of days in table as Partition
// describes each, in one query of fgen_partitions and, when it has no note
// of some of them, one of the table's rows: a plan of an hourly table
// would otherwise ask up to twice for each of its 24 hours a day.
func (d *DB) DayPartitions(ctx context.Context, table, col, hourCol string, days []string) (_ map[string]warehouse.Partition, err error) {
	defer func() { err = interrupted(ctx, err) }()
	want := map[string]bool{} // the values of the partitions asked for
	for _, day := range days {
		for _, spec := range warehouse.DaySpecs(col, hourCol, day) {
			want[spec.Value()] = true
		}
	}
	out := map[string]warehouse.Partition{}
	if len(days) == 0 {
		return out, nil
	}
	books, err := d.booksFrom(ctx)
	if err != nil {
		return nil, err
	}
	wrote := map[string]int64{} // the rows of the noted partitions, where noted
	err = d.read(ctx, `SELECT value, written_at, fingerprint, `+countedRows+` FROM `+books+` WHERE table_name = `+literal(table)+` AND split_part(value, '/', 1) IN (`+in(days)+`)`, func(r row) error {
		var v string
		var at sql.NullTime
		var fp sql.NullString
		var n sql.NullInt64
		if err := r.scan(&v, &at, &fp, &n); err != nil {
			return err
		}
		if want[v] {
			out[v] = warehouse.Partition{Exists: true, Modified: at.Time, Bytes: -1, Fingerprint: fp.String}
			if n.Valid {
				wrote[v] = n.Int64
			}
		}
		return nil
	})
	if err != nil && !d.missingTable(err) {
		return nil, err
	}
	if len(out) == len(want) && len(wrote) == 0 {
		return out, nil
	}
	// The partitions without a note exist when the table has rows in them,
	// and those noted with their rows hold them still unless something
	// outside fgen changed them (rowsNoted): rows whose keys equal a day
	// and an hour asked for as Partition's "=" has it, a value compared
	// with the column's type (an INTEGER hour 7 is hour '07'), and NULL
	// with nothing, counted by partition.
	which := func(column string, values []string) string {
		var b strings.Builder
		b.WriteString("CASE")
		for _, v := range literals(values) {
			b.WriteString(" WHEN " + quote(column) + " = " + v + " THEN " + v)
		}
		return b.String() + " END"
	}
	key := which(col, days)
	where := quote(col) + " IN (" + in(days) + ")"
	if hourCol != "" {
		key += " || '/' || " + which(hourCol, bizdate.Hours)
		where += " AND " + quote(hourCol) + " IN (" + in(bizdate.Hours) + ")"
	}
	// The rows are counted by the partition columns, then keyed: the
	// CASE runs once a partition, not once a row.
	group := quote(col)
	if hourCol != "" {
		group += ", " + quote(hourCol)
	}
	holds := map[string]int64{}
	err = d.read(ctx, fmt.Sprintf(`SELECT %s AS fgen_key, CAST(sum(fgen_rows) AS BIGINT) FROM (SELECT %s, count(*) AS fgen_rows FROM %s WHERE %s GROUP BY %s) GROUP BY fgen_key`, key, group, quote(table), where, group), func(r row) error {
		var v sql.NullString
		var n int64
		if err := r.scan(&v, &n); err != nil {
			return err
		}
		if v.Valid {
			holds[v.String] = n
		}
		return nil
	})
	if err != nil {
		if d.missingTable(err) || len(out) == len(want) && ctx.Err() == nil {
			// Every partition asked for is noted: as noted, when the
			// table cannot be counted by the columns (see Partition).
			return out, nil
		}
		return nil, err
	}
	for v := range holds {
		if _, noted := out[v]; !noted {
			out[v] = warehouse.Partition{Exists: true, Bytes: -1}
		}
	}
	for v, n := range wrote {
		out[v] = rowsNoted(out[v], n, holds[v])
	}
	return out, nil
}

// in is values as a list of SQL string literals, for an IN (...).
func in(values []string) string {
	return strings.Join(literals(values), ", ")
}

// missingTable reports whether err says a table does not exist.
func (d *DB) missingTable(err error) bool {
	return err != nil && strings.Contains(err.Error(), "does not exist")
}

// Query runs a query and returns every row as text, NULL as nil. The
// local engine takes no session settings.
func (d *DB) Query(ctx context.Context, q string, settings ...warehouse.Setting) (_ *warehouse.Rows, err error) {
	defer func() { err = interrupted(ctx, err) }()
	if len(settings) > 0 {
		return nil, fmt.Errorf("the local engine takes no session settings, got %s", settings[0].Key)
	}
	rows, err := d.db.QueryContext(ctx, q)
	if err != nil {
		return nil, cleanError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := &warehouse.Rows{Columns: cols}
	// Scan overwrites every value of vals; each row copies them out.
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v.Valid {
				s := v.String
				row[i] = &s
			}
		}
		out.Values = append(out.Values, row)
	}
	return out, rows.Err()
}

// quote quotes a name for DuckDB.
var quote = generator.DuckDB.QuoteIdent

// literal quotes a value as a DuckDB string literal.
var literal = generator.DuckDB.QuoteString

// PartitionRows counts the rows of each of days in table, whose partition
// column is column; a day without rows is left out. With an hourColumn,
// of a table partitioned by day and hour, it counts each hour's rows,
// keyed "day/hour", and leaves out the rows without an hour.
func (d *DB) PartitionRows(ctx context.Context, table, column, hourColumn string, days []string) (_ map[string]int64, err error) {
	defer func() { err = interrupted(ctx, err) }()
	out, err := partitionRows(ctx, d.read, table, column, hourColumn, days)
	if err != nil {
		return nil, cleanError(err)
	}
	return out, nil
}

// PartitionRows is DB.PartitionRows in the transaction.
func (t *Tx) PartitionRows(ctx context.Context, table, column, hourColumn string, days []string) (map[string]int64, error) {
	out, err := partitionRows(ctx, t.read, table, column, hourColumn, days)
	if err != nil {
		return nil, txError(ctx, err)
	}
	return out, nil
}

func partitionRows(ctx context.Context, read func(context.Context, string, func(row) error) error, table, column, hourColumn string, days []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(days) == 0 {
		return out, nil
	}
	// The key is text whatever the columns' types (a table made outside
	// fgen may have an INTEGER day column): a read returns no other type.
	key, where := quote(column), quote(column)+" IN ("+in(days)+")"
	if hourColumn != "" {
		key += " || '/' || " + quote(hourColumn)
		where += " AND " + quote(hourColumn) + " IS NOT NULL"
	}
	err := read(ctx, fmt.Sprintf(`SELECT CAST(%s AS VARCHAR), count(*) FROM %s WHERE %s GROUP BY 1`, key, quote(table), where), func(r row) error {
		var k string
		var n int64
		if err := r.scan(&k, &n); err != nil {
			return err
		}
		out[k] = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReplacePartitions replaces the partitions days of table, in one
// transaction (UpdateRows: rows is about how many fill writes, negative
// if unknown), with the rows fill writes on the given connection, and
// returns the rows fill wrote. When keep is not nil, it counts each day's
// rows before and after in the transaction, and gives keep the counts
// before the commit (an error from it rolls the replacement back and is
// returned), and returns them too; without keep, they are nil.
func (d *DB) ReplacePartitions(ctx context.Context, table, column string, days []string, rows int64, fill func(*sql.Conn) (int64, error), keep func(before, after map[string]int64) error) (n int64, before, after map[string]int64, err error) {
	err = d.UpdateRows(ctx, rows, func(tx *Tx) error {
		var err error
		if keep != nil {
			if before, err = tx.PartitionRows(ctx, table, column, "", days); err != nil {
				return err
			}
		}
		if err := tx.ClearPartitions(ctx, table, column, days); err != nil {
			return err
		}
		if n, err = fill(tx.conn); err != nil || keep == nil {
			return err
		}
		if after, err = tx.PartitionRows(ctx, table, column, "", days); err != nil {
			return err
		}
		return keep(before, after)
	})
	if err != nil {
		return 0, nil, nil, err
	}
	return n, before, after, nil
}

// Tx is a transaction of the engine on one connection, for what writes
// tables in bulk (fgen load, in internal/ingest). Update commits or rolls
// it back; its statements see the transaction's own changes.
type Tx struct {
	session // on the transaction's connection
	// unordered: Unordered changed the connection's session; Update
	// resets it.
	unordered bool
}

// Unordered lets DuckDB insert rows in any order for the rest of the
// transaction (preserve_insertion_order = false), where the rows a
// statement inserts have no order to keep: a load's rows have none but
// their values. DuckDB then writes them from each thread as they come,
// without holding them back to restore the order: a load of 10 M JSON
// lines takes 7 % less time (BENCHMARKS.md, "Loads"). What reads the rows
// orders them itself; a DW node, whose order the ordered funnels use
// (dw_order), runs outside such a transaction, in the default order.
func (t *Tx) Unordered(ctx context.Context) error {
	if _, err := t.exec(ctx, "SET SESSION preserve_insertion_order = false"); err != nil {
		return txError(ctx, err)
	}
	t.unordered = true
	return nil
}

// Update runs fn in a transaction on one connection and commits it if fn
// returns nil. If fn fails, ctx ends or the commit fails, it rolls the
// transaction back, so every table keeps the rows it had. DuckDB runs it
// on all its threads (widen): the rows a transaction brings in from
// outside the warehouse can be many.
func (d *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	return d.UpdateRows(ctx, -1, fn)
}

// UpdateRows is Update for a transaction that brings in about rows rows
// from outside the warehouse (negative: unknown). A small warehouse stays
// on its one thread while its rows and these stay under smallRows (see
// widenUnlessSmall), as an Open after the transaction would find it: more
// threads would get little of them to do, and each change of DuckDB's
// threads makes it give its allocator's free memory back to the system,
// which the statements after it fault back in (cmd/fgen's tests, which
// load a few rows a hundred times, took 0.3 to 2.2 CPU-s less of some 28
// so; BENCHMARKS.md).
func (d *DB) UpdateRows(ctx context.Context, rows int64, fn func(tx *Tx) error) error {
	if err := d.widenFor(ctx, rows); err != nil {
		return err
	}
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	s := session{conn}
	if _, err := s.exec(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	tx := &Tx{session: s}
	defer tx.resetSession()
	err = fn(tx)
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		if _, err = s.exec(ctx, "COMMIT"); err == nil {
			return nil
		}
		err = d.writeError(txError(ctx, err), "nothing of this one was kept")
	}
	s.exec(context.Background(), "ROLLBACK")
	return err
}

// resetSession gives the connection back the session settings the
// transaction changed, before it goes back to the pool; a connection that
// keeps one is closed instead.
func (t *Tx) resetSession() {
	if !t.unordered {
		return
	}
	if _, err := t.exec(context.Background(), "RESET SESSION preserve_insertion_order"); err != nil {
		t.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// Exec runs a statement in the transaction and returns the number of rows
// it changed. Its error is DuckDB's first paragraph, or ctx's error when ctx
// ended.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	if len(args) == 0 {
		n, err := t.exec(ctx, query)
		if err != nil {
			return 0, txError(ctx, err)
		}
		return n, nil
	}
	res, err := t.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, txError(ctx, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Query runs a query in the transaction; its errors are as Exec's.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := t.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, txError(ctx, err)
	}
	return rows, nil
}

// QueryRow runs a query of at most one row in the transaction, with args,
// and scans the row into dest; sql.ErrNoRows if there is none. Its errors
// are as Query's.
func (t *Tx) QueryRow(ctx context.Context, query string, args []any, dest ...any) error {
	rows, err := t.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}

// ClearPartitions deletes the rows of table whose partition column is one
// of days, and notes each of days as a partition fgen wrote.
func (t *Tx) ClearPartitions(ctx context.Context, table, column string, days []string) error {
	if err := deletePartitions(ctx, t.session, table, column, days); err != nil {
		return txError(ctx, err)
	}
	return t.MarkPartitions(ctx, table, days)
}

// DeletePartitions deletes the rows of table whose partition column is one
// of days, and notes nothing: for a table partitioned by day and hour, whose
// partitions are its hours (MarkPartitions of "day/hour" values).
func (t *Tx) DeletePartitions(ctx context.Context, table, column string, days []string) error {
	if err := deletePartitions(ctx, t.session, table, column, days); err != nil {
		return txError(ctx, err)
	}
	return nil
}

// DeleteHour deletes the rows of one hour of a day of table, partitioned
// by column and hourColumn, and notes nothing (see DeletePartitions).
func (t *Tx) DeleteHour(ctx context.Context, table, column, hourColumn, day, hour string) error {
	if _, err := t.session.exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s = %s AND %s = %s`, quote(table), quote(column), literal(day), quote(hourColumn), literal(hour))); err != nil {
		return txError(ctx, err)
	}
	return nil
}

// MarkPartitions notes days as partitions of table that fgen wrote (see
// Partition).
func (t *Tx) MarkPartitions(ctx context.Context, table string, days []string) error {
	if err := markPartitions(ctx, t.session, table, days, "", "", ""); err != nil {
		return txError(ctx, err)
	}
	return nil
}

// AddPartitions notes the values of table that have no note yet as
// partitions fgen wrote (empty ones, as a quiet hour's); the others keep
// theirs.
func (t *Tx) AddPartitions(ctx context.Context, table string, values []string) error {
	if len(values) == 0 {
		return nil
	}
	if err := addPartitions(ctx, t.session, literal(table), literals(values), "NULL", "NULL", "NULL", "NULL"); err != nil {
		return txError(ctx, err)
	}
	return nil
}

// interrupted is ctx's error in place of err when ctx ended: DuckDB,
// interrupted, says "INTERRUPT Error: Interrupted!", and the driver returns
// that or ctx's error, whichever it saw first; either way the caller sees
// one that Is context.Canceled.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return ctx.Err()
	}
	return err
}

// txError is ctx's error if ctx ended (DuckDB was interrupted), else err
// trimmed to its first paragraph.
func txError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return cleanError(err)
}

// writeError says what to do of a write the warehouse's disk refused, which
// DuckDB words as the file it could not write ("Could not write file
// .../local.duckdb.wal": No space left on device, or Permission denied): err
// with the hint, or err alone. lost says what the failure rolled back.
func (d *DB) writeError(err error, lost string) error {
	if err == nil || d.path == "" {
		return err
	}
	msg := err.Error()
	switch {
	case duckutil.DiskFull(err):
		return fmt.Errorf("%w; the disk of the warehouse is full: free space on it (beside %s, DuckDB writes the file, its .wal as a change commits, and its .tmp), then run the command again (%s)", err, d.path, lost)
	case strings.Contains(msg, "Permission denied"):
		return fmt.Errorf("%w; fgen writes the warehouse file and, beside it, its .wal and .tmp (%s): check their permissions and their directory's", err, filepath.Dir(d.path))
	}
	return err
}
