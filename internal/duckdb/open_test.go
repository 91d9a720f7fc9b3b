package duckdb

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// TestOpenRefusesOptionsInPath: the driver reads what follows '?' in its
// DSN as connection options, and '%' as an escape, so a path holding one,
// in the file's name or its directory's (funnel.toml's), is refused, not
// opened as another file with other options.
func TestOpenRefusesOptionsInPath(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"x.duckdb?access_mode=read_only", "x#y.duckdb", "50%off/x.duckdb", "a%41.duckdb", `back\slash.duckdb`} {
		db, err := Open(Options{Path: filepath.Join(dir, name), Threads: 1})
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) = nil error, want one", name)
			continue
		}
		if !strings.Contains(err.Error(), "rename the") {
			t.Errorf("Open(%q) = %v", name, err)
		}
	}
	// A relative path whose working directory holds a backslash: DuckDB
	// makes it absolute and splits it there.
	if runtime.GOOS != "windows" {
		wd := filepath.Join(t.TempDir(), `back\slash`)
		os.Mkdir(wd, 0o755)
		t.Chdir(wd)
		if db, err := Open(Options{Path: "w.duckdb", Threads: 1}); err == nil || !strings.Contains(err.Error(), "which DuckDB reads as a directory separator") {
			if err == nil {
				db.Close()
			}
			t.Errorf(`Open(w.duckdb) in back\slash: %v`, err)
		}
		if db, err := Open(Options{Threads: 1}); err != nil {
			t.Errorf("Open of an in-memory database in back\\slash: %v", err)
		} else {
			db.Close()
		}
	}
	// DuckDB would open ~/x.duckdb in the home directory.
	if db, err := Open(Options{Path: "~/x.duckdb", Threads: 1}); err == nil {
		db.Close()
		t.Error("Open(~/x.duckdb) = nil error, want one")
	}
	if files, _ := os.ReadDir(dir); len(files) > 0 {
		t.Errorf("Open made %v", files)
	}
	// A directory is no database file: DuckDB's "IO Error: Could not read
	// from file" said so, but not what to do.
	if db, err := Open(Options{Path: dir, Threads: 1}); err == nil || !strings.Contains(err.Error(), "a directory, not a database file; name a file, e.g. "+filepath.Join(dir, "local.duckdb")) {
		if err == nil {
			db.Close()
		}
		t.Errorf("Open of a directory: %v", err)
	}
}

// TestOpenBoundsMemory: a database file gets DefaultMemoryLimit unless the
// target sets one, and spills only beside itself; an in-memory database
// spills nowhere (DuckDB's default, ".tmp" in the working directory, is
// outside the warehouse). Nor does it install an extension from the network.
func TestOpenBoundsMemory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.duckdb")
	for _, tc := range []struct {
		name        string
		opts        Options
		limit, temp string
	}{
		{"file, no limit set", Options{Path: file}, "488.2 MiB", TempDir(file)},
		{"file, the target's limit", Options{Path: file, MemoryLimit: "2GB"}, "1.8 GiB", TempDir(file)},
		{"in memory", Options{Path: ":memory:", MemoryLimit: "1GB"}, "953.6 MiB", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var limit, temp string
			var install bool
			if err := db.db.QueryRow(`SELECT current_setting('memory_limit'), current_setting('temp_directory'), current_setting('autoinstall_known_extensions')`).Scan(&limit, &temp, &install); err != nil {
				t.Fatal(err)
			}
			if limit != tc.limit || temp != tc.temp {
				t.Errorf("memory_limit %q, temp_directory %q; want %q, %q", limit, temp, tc.limit, tc.temp)
			}
			// Nor does it download an extension (duckutil.Offline).
			if install {
				t.Error("autoinstall_known_extensions is true")
			}
		})
	}
}

// TestOpenThreads: a small warehouse runs on one thread until a
// transaction, which may bring many rows from outside it; a larger one, and
// any given the target's threads, run on those from the start. (On a
// machine of one core DuckDB's default is one thread, and only the target's
// threads are told apart.)
func TestOpenThreads(t *testing.T) {
	ctx := context.Background()
	def := duckdbDefaultThreads(t)
	threads := func(db *DB) string {
		t.Helper()
		var n string
		if err := db.db.QueryRow(`SELECT current_setting('threads')`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	file := filepath.Join(t.TempDir(), "w.duckdb")
	for _, tc := range []struct {
		name          string
		opts          Options
		before, after string
	}{
		{"a new file", Options{Path: file}, "1", def},
		{"in memory", Options{}, "1", def},
		{"the target's threads", Options{Path: file, Threads: 3}, "3", "3"},
		{"read-only", Options{Path: file, ReadOnly: true}, "1", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if got := threads(db); got != tc.before {
				t.Errorf("threads after Open: %s, want %s", got, tc.before)
			}
			if tc.after == "" {
				return
			}
			if err := db.Update(ctx, func(*Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			if got := threads(db); got != tc.after {
				t.Errorf("threads after a transaction: %s, want %s", got, tc.after)
			}
		})
	}
	// A warehouse of smallRows rows or more runs on DuckDB's threads from
	// the start, read-only too: its rows are counted, not its file's
	// bytes (these few columns compress to almost nothing).
	db, err := Open(Options{Path: file})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, fmt.Sprintf(`CREATE TABLE big AS SELECT range AS id FROM range(%d)`, smallRows))
		return err
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []Options{{Path: file}, {Path: file, ReadOnly: true}} {
		db, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := threads(db); got != def {
			t.Errorf("threads after Open of %d rows (read-only %v): %s, want %s", smallRows, opts.ReadOnly, got, def)
		}
		db.Close()
	}
}

// A transaction whose rows leave a small warehouse under smallRows rows
// leaves it on its one thread; one whose rows, with the warehouse's own and
// those of the transactions before, make smallRows or more, or whose rows
// are not known, gives DuckDB its threads.
func TestUpdateRowsThreads(t *testing.T) {
	ctx := context.Background()
	def := duckdbDefaultThreads(t)
	file := filepath.Join(t.TempDir(), "w.duckdb")
	open := func() *DB {
		t.Helper()
		db, err := Open(Options{Path: file})
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	threadsIn := func(db *DB, rows int64) string {
		t.Helper()
		var got string
		if err := db.UpdateRows(ctx, rows, func(tx *Tx) error {
			return tx.conn.QueryRowContext(ctx, `SELECT current_setting('threads')`).Scan(&got)
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, tc := range []struct {
		rows []int64 // transactions on one open
		want []string
	}{
		{[]int64{0}, []string{"1"}},
		{[]int64{smallRows - 1}, []string{"1"}},
		{[]int64{smallRows}, []string{def}},
		{[]int64{-1}, []string{def}},
		{[]int64{smallRows / 2, smallRows / 2}, []string{"1", def}},
	} {
		db := open()
		for i, rows := range tc.rows {
			if got := threadsIn(db, rows); got != tc.want[i] {
				t.Errorf("threads in transaction %d of %v rows: %s, want %s", i+1, tc.rows, got, tc.want[i])
			}
		}
		db.Close()
	}
	// The rows the warehouse holds count: Open's count of them.
	db := open()
	execAll(t, db, fmt.Sprintf(`CREATE TABLE held AS SELECT range AS id FROM range(%d)`, smallRows*3/4))
	db.Close()
	db = open()
	defer db.Close()
	if got := threadsIn(db, smallRows/2); got != def {
		t.Errorf("threads in a transaction of %d rows into a warehouse of %d: %s, want %s", smallRows/2, smallRows*3/4, got, def)
	}
}

// duckdbDefaultThreads is the threads DuckDB starts without the setting.
func duckdbDefaultThreads(t *testing.T) string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n string
	if err := db.QueryRow(`SELECT current_setting('threads')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// BenchmarkOpen opens and closes a database file that fgen already set up,
// as every fgen command on the local target does.
func BenchmarkOpen(b *testing.B) {
	path := filepath.Join(b.TempDir(), "local.duckdb")
	db, err := Open(Options{Path: path})
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	for b.Loop() {
		db, err := Open(Options{Path: path})
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// Open brings fgen's bookkeeping table up to date whatever state it finds
// it in: missing, from before fgen kept written_at and fingerprint, or
// current; and a database it already set up opens unchanged, its notes
// kept.
func TestOpenKeepsBooks(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup string // run on the file before Open
	}{
		{"new file", ""},
		{"no table", "CREATE TABLE other (x INTEGER)"},
		{"an old table", "CREATE TABLE fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (table_name, value)); INSERT INTO fgen_partitions VALUES ('t', '20210303')"},
		{"half migrated", "CREATE TABLE fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, written_at TIMESTAMP, PRIMARY KEY (table_name, value)); INSERT INTO fgen_partitions VALUES ('t', '20210303', NULL)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "w.duckdb")
			if tc.setup != "" {
				raw, err := sql.Open("duckdb", path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := raw.Exec(tc.setup); err != nil {
					t.Fatal(err)
				}
				raw.Close()
			}
			for open := range 2 {
				db, err := Open(Options{Path: path})
				if err != nil {
					t.Fatalf("open %d: %v", open+1, err)
				}
				var cols string
				if err := db.db.QueryRow(`SELECT string_agg(name || ' ' || type, ', ' ORDER BY cid) FROM pragma_table_info('fgen_partitions')`).Scan(&cols); err != nil {
					t.Fatal(err)
				}
				if want := "table_name VARCHAR, value VARCHAR, written_at TIMESTAMP, fingerprint VARCHAR, project VARCHAR, row_count BIGINT, counted_at TIMESTAMP"; cols != want {
					t.Errorf("open %d: fgen_partitions has %s, want %s", open+1, cols, want)
				}
				var notes int
				if err := db.db.QueryRow(`SELECT count(*) FROM fgen_partitions`).Scan(&notes); err != nil {
					t.Fatal(err)
				}
				if want := strings.Count(tc.setup, "INSERT"); notes != want {
					t.Errorf("open %d: %d notes, want %d", open+1, notes, want)
				}
				db.Close()
			}
		})
	}
}

// openReadOnlyAfter opens read-only, as plan and report do, a new database
// that statements made as an older fgen left it.
func openReadOnlyAfter(t *testing.T, statements string) *DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	raw, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(statements); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := Open(Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// A warehouse whose notes do not say the project yet, opened read-only as
// plan and report open it (and so not migrated), has no tables of any
// project: JobTables does not fail on the missing column.
func TestJobTablesOfAnOldWarehouse(t *testing.T) {
	db := openReadOnlyAfter(t, "CREATE TABLE t (x INTEGER); CREATE TABLE fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, written_at TIMESTAMP, fingerprint VARCHAR, PRIMARY KEY (table_name, value)); INSERT INTO fgen_partitions VALUES ('t', '20210303', now(), 'f')")
	if got, err := db.JobTables(context.Background(), "p", nil); err != nil || len(got) != 0 {
		t.Errorf("JobTables = %v, %v; want none", got, err)
	}
}

// The bookkeeping of the first fgen (table and value alone), opened
// read-only, as plan and report open it: its notes read as notes of no
// time and no SQL, as keepBooks leaves them when it opens to write, not as
// a binder error.
func TestReadOnlyOnTheFirstBooks(t *testing.T) {
	db := openReadOnlyAfter(t, "CREATE TABLE t (x INTEGER, dt VARCHAR); INSERT INTO t VALUES (1, '20210303'); CREATE TABLE fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (table_name, value)); INSERT INTO fgen_partitions VALUES ('t', '20210303')")
	ctx := context.Background()
	if w, err := db.PartitionWriters(ctx, []string{"t"}); err != nil || w["t"] != (warehouse.Writers{Earlier: 1}) {
		t.Errorf("PartitionWriters = %+v, %v; want one note from before fgen told loads from jobs", w, err)
	}
	if p, err := db.Partition(ctx, "t", warehouse.DaySpec("dt", "20210303")); err != nil || !p.Exists || !p.Modified.IsZero() || p.Fingerprint != "" {
		t.Errorf("Partition = %+v, %v; want one that exists, of no time and no SQL", p, err)
	}
	if ps, err := db.DayPartitions(ctx, "t", "dt", "", []string{"20210303"}); err != nil || !ps["20210303"].Exists {
		t.Errorf("DayPartitions = %+v, %v", ps, err)
	}
}

// Another process's lock on the file says who holds it and what to do,
// not the driver's text.
func TestOpenErrorOfALockedFile(t *testing.T) {
	err := openError(".fgen/local.duckdb", errors.New(`database/sql/driver: could not connect to database: IO Error: Could not set lock on file "/tmp/w/.fgen/local.duckdb": Conflicting lock is held in /usr/local/bin/fgen (PID 22889). See also https://duckdb.org/docs/stable/connect/concurrency`))
	want := "open .fgen/local.duckdb: another process (/usr/local/bin/fgen, PID 22889) is using this warehouse, and DuckDB lets one process use a warehouse file while it writes; wait for it to finish, or stop it, and run this again"
	if err.Error() != want {
		t.Errorf("got  %s\nwant %s", err, want)
	}
	if err := openError("w.duckdb", errors.New(`IO Error: Cannot open file "/w/w.duckdb": Permission denied`)); !strings.HasSuffix(err.Error(), "Permission denied; fgen reads the warehouse file, and to change it writes it and, beside it, its .wal and .tmp: check their permissions and their directory's") {
		t.Errorf("permission denied: %v", err)
	}
	if err := openError("w.duckdb", errors.New("IO Error: Cannot open file")); err.Error() != "open w.duckdb: IO Error: Cannot open file" {
		t.Errorf("other errors: %v", err)
	}
}

// A target's path naming a file that is not a DuckDB database says so,
// and what to check, not the driver's words; and a CSV file is not opened
// as the in-memory database DuckDB would make of it, whose tables vanish.
func TestOpenErrorOfAnotherFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.csv")
	os.WriteFile(path, []byte("uid,ts\nu1,1614700000\n"), 0o644)
	_, err := Open(Options{Path: path})
	if want := "open " + path + ": it is not a DuckDB database: check the path of the duckdb target in funnel.toml"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want %s...", err, want)
	}
	if data, _ := os.ReadFile(path); string(data) != "uid,ts\nu1,1614700000\n" {
		t.Errorf("the file changed: %q", data)
	}
	for _, ro := range []bool{false, true} {
		if _, err := Open(Options{Path: path, ReadOnly: ro}); err == nil || !strings.Contains(err.Error(), "it is not a DuckDB database") {
			t.Errorf("read-only %v: err = %v", ro, err)
		}
	}
	// A CSV file shorter than a database's header, which DuckDB opens as
	// data too; a short file not named as data is left to DuckDB, which
	// names the process creating it when one is.
	short := filepath.Join(t.TempDir(), "a.csv")
	os.WriteFile(short, []byte("a,b\n"), 0o644)
	if _, err := Open(Options{Path: short}); err == nil || !strings.Contains(err.Error(), "it is not a DuckDB database") {
		t.Errorf("a short CSV file: err = %v", err)
	}
	// An empty file, which DuckDB refuses too (a full disk leaves one).
	empty := filepath.Join(t.TempDir(), "w.duckdb")
	os.WriteFile(empty, nil, 0o644)
	if _, err := Open(Options{Path: empty}); err == nil || !strings.Contains(err.Error(), "it is not a DuckDB database") {
		t.Errorf("an empty file: err = %v", err)
	}
}

// A warehouse file cut short (a copy that did not finish) says so and what
// to do, not only DuckDB's "Could not read enough bytes", whether its
// opening fails or (most of its metadata being at its start) the first read
// of a table; and it is left as it was.
func TestErrorOfAFileCutShort(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	db, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Query(context.Background(), "CREATE TABLE t AS SELECT i, md5(i::VARCHAR) AS v FROM range(200000) r(i)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const want = "IO Error: Could not read enough bytes from file \""
	const what = "; the file is cut short: a copy that did not finish, or a disk that filled as it was written; put back a whole copy, or move it away to start anew (fgen load and apply fill a new one)"
	for _, n := range []int{len(whole) / 20, len(whole) / 2} {
		os.WriteFile(path, whole[:n], 0o644)
		for _, ro := range []bool{false, true} {
			db, err := Open(Options{Path: path, ReadOnly: ro})
			if err == nil {
				_, err = db.Query(context.Background(), "SELECT sum(length(v)) FROM t")
				db.Close()
			}
			if err == nil || !strings.Contains(err.Error(), want) || !strings.HasSuffix(err.Error(), what) {
				t.Errorf("%d of %d bytes, read-only %v: err = %v", n, len(whole), ro, err)
			}
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, whole[:n]) {
			t.Errorf("%d of %d bytes: the file changed", n, len(whole))
		}
	}
}

// A write the disk refuses says what to do.
func TestWriteErrorSaysWhatToDo(t *testing.T) {
	d := &DB{path: "/w/.fgen/local.duckdb"}
	full := errors.New(`TransactionContext Error: Failed to commit: Could not write file "/w/.fgen/local.duckdb.wal": No space left on device`)
	if got := d.writeError(full, "nothing of this one was kept").Error(); got != full.Error()+"; the disk of the warehouse is full: free space on it (beside /w/.fgen/local.duckdb, DuckDB writes the file, its .wal as a change commits, and its .tmp), then run the command again (nothing of this one was kept)" {
		t.Errorf("disk full: %s", got)
	}
	denied := errors.New(`TransactionContext Error: Failed to commit: Cannot open file "/w/.fgen/local.duckdb.wal": Permission denied`)
	if got := d.writeError(denied, "").Error(); got != denied.Error()+"; fgen writes the warehouse file and, beside it, its .wal and .tmp (/w/.fgen): check their permissions and their directory's" {
		t.Errorf("permission denied: %s", got)
	}
	other := errors.New("Constraint Error: duplicate key")
	if got := d.writeError(other, ""); got != other {
		t.Errorf("another error: %v", got)
	}
}

// TestQueryInterrupted: a query interrupted by its context fails with an
// error that Is context.Canceled, which fgen says as "interrupted" with exit
// status 130. The driver returned DuckDB's "INTERRUPT Error: Interrupted!"
// joined to the text of context.Canceled, not wrapping it.
func TestQueryInterrupted(t *testing.T) {
	db, err := Open(Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(30 * time.Millisecond); cancel() }()
	_, err = db.Query(ctx, "SELECT count(*) FROM range(100000000000) t(i) WHERE i % 7 = 3")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Query interrupted: %v, want context.Canceled", err)
	}
}

// TestOpenCreatesWhole: a new database file, built in a staging directory
// beside its path and linked into place, leaves nothing else beside it;
// opening it again finds what the first opening wrote. (That no other
// process sees it half-made is what the link gives: duckutil.TestInstall.)
// A dangling link at the path is refused, not created through.
func TestOpenCreatesWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "w.duckdb")
	db, err := Open(Options{Path: path, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec("CREATE TABLE a AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 || entries[0].Name() != "w.duckdb" {
		t.Errorf("beside the new database: %v", entries)
	}
	db, err = Open(Options{Path: path, Threads: 1, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Describe(context.Background(), "a"); err != nil {
		t.Errorf("the table written after creation: %v", err)
	}
	link := filepath.Join(dir, "link.duckdb")
	os.Symlink(filepath.Join(dir, "gone.duckdb"), link)
	if db, err := Open(Options{Path: link, Threads: 1}); err == nil || !strings.Contains(err.Error(), "a symbolic link to a file that does not exist") {
		if err == nil {
			db.Close()
		}
		t.Errorf("Open of a dangling link: %v", err)
	}
}

// TestOpenRemovesStaleStaging: opening a warehouse to write removes what a
// killed load, sample or build left beside it (a staging directory whose
// lock nobody holds), whichever command opens it.
func TestOpenRemovesStaleStaging(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(Options{Path: filepath.Join(dir, "w.duckdb"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	stale := filepath.Join(dir, duckutil.SamplePrefix+"dead")
	os.MkdirAll(stale, 0o755)
	os.WriteFile(filepath.Join(stale, "part-000000.csv"), []byte("x\n"), 0o644)
	os.WriteFile(filepath.Join(stale, ".lock"), nil, 0o600)
	db, err = Open(Options{Path: filepath.Join(dir, "w.duckdb"), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a stale staging directory beside the warehouse: %v", err)
	}
}

// Opened read-only, a warehouse of the fgen before row counts (notes with a
// project, no row_count or counted_at) reads as it did: its partitions as
// noted, its table fgen's.
func TestReadOnlyOnTheBooksBeforeRowCounts(t *testing.T) {
	db := openReadOnlyAfter(t, `CREATE TABLE t (x INTEGER, dt VARCHAR NOT NULL); INSERT INTO t VALUES (1, '20210303');
CREATE TABLE fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, written_at TIMESTAMP, fingerprint VARCHAR, project VARCHAR, PRIMARY KEY (table_name, value));
INSERT INTO fgen_partitions VALUES ('t', '20210303', now(), 'f', 'p'), ('t', '20210304', now(), 'f', 'p')`)
	ctx := context.Background()
	if w, err := db.PartitionWriters(ctx, []string{"t"}); err != nil || w["t"] != (warehouse.Writers{Jobs: 2}) {
		t.Errorf("PartitionWriters = %+v, %v; want two notes of jobs, and the table fgen's", w, err)
	}
	ps, err := db.DayPartitions(ctx, "t", "dt", "", []string{"20210303", "20210304"})
	if err != nil || !ps["20210303"].Exists || !ps["20210304"].Exists || ps["20210303"].Changed != "" {
		t.Errorf("DayPartitions = %+v, %v; want both as noted (20210304's rows are not judged)", ps, err)
	}
	if p, err := db.Partition(ctx, "t", warehouse.DaySpec("dt", "20210304")); err != nil || !p.Exists {
		t.Errorf("Partition = %+v, %v; want as noted", p, err)
	}
}
