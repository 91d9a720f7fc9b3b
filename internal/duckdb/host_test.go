package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// attached reports whether db is a warehouse attached to the process's
// instance, which holds its own database beside it, rather than an
// instance of its own.
func attached(t *testing.T, db *DB) bool {
	t.Helper()
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM duckdb_databases() WHERE NOT internal`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 2
}

func execAll(t *testing.T, db *DB, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	if err := db.Update(ctx, func(tx *Tx) error {
		for _, q := range stmts {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// A warehouse file attaches to the process's instance, and Close leaves it
// as closing an instance of its own would: checkpointed (no .wal beside
// it) and unlocked, so that another process opens it and finds its rows.
func TestOpenAttachesAndCloseReleases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	db, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if !attached(t, db) {
		t.Fatal("the warehouse has an instance of its own; want it attached to the process's")
	}
	var name string
	if err := db.db.QueryRow(`SELECT current_database()`).Scan(&name); err != nil || name != "w" {
		t.Errorf("current_database() = %q, %v; want w, the name an instance of its own gives it", name, err)
	}
	execAll(t, db, `CREATE TABLE t AS SELECT range AS id FROM range(1000)`)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a .wal beside the closed warehouse: %v", err)
	}
	// The instance waits on one thread, not the warehouse's.
	var threads string
	if err := host.admin.QueryRow(`SELECT current_setting('threads')`).Scan(&threads); err != nil || threads != "1" {
		t.Errorf("the instance's threads after Close: %s, %v; want 1", threads, err)
	}
	if db.Close() != nil {
		t.Error("a second Close failed")
	}
	// Another process: the test binary, as TestOpenHelper.
	cmd := exec.Command(os.Args[0], "-test.run=^TestOpenHelper$")
	cmd.Env = append(os.Environ(), "FGEN_TEST_OPEN="+path)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "rows 1000") {
		t.Errorf("another process after Close: %v\n%s", err, out)
	}
	// Opened again in this process, read-only too.
	for _, ro := range []bool{false, true} {
		db, err := Open(Options{Path: path, ReadOnly: ro})
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil || n != 1000 {
			t.Errorf("read-only %v: %d rows, %v", ro, n, err)
		}
		if !attached(t, db) {
			t.Errorf("read-only %v: not attached", ro)
		}
		db.Close()
	}
}

// TestOpenHelper is the other process of TestOpenAttachesAndCloseReleases:
// it opens the warehouse it is given and counts the rows of t.
func TestOpenHelper(t *testing.T) {
	path := os.Getenv("FGEN_TEST_OPEN")
	if path == "" {
		t.Skip("run by TestOpenAttachesAndCloseReleases")
	}
	db, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.db.QueryRow(`SELECT count(*) FROM t`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("rows %d\n", n)
}

// A warehouse opened while another is attached gets an instance of its own
// with its own settings, and leaves the attached one's as they were; so
// does a file named as one of the instance's own databases.
func TestOpenBesideAnAttachedWarehouse(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Path: filepath.Join(dir, "a.duckdb"), MemoryLimit: "1GB"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(Options{Path: filepath.Join(dir, "b.duckdb"), MemoryLimit: "2GB", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !attached(t, a) || attached(t, b) {
		t.Errorf("attached: a %v, b %v; want a only", attached(t, a), attached(t, b))
	}
	setting := func(db *DB) string {
		var limit, temp string
		if err := db.db.QueryRow(`SELECT current_setting('memory_limit'), current_setting('temp_directory')`).Scan(&limit, &temp); err != nil {
			t.Fatal(err)
		}
		return limit + " " + filepath.Base(temp)
	}
	if got := setting(a); got != "953.6 MiB a.duckdb.tmp" {
		t.Errorf("a's settings: %s", got)
	}
	if got := setting(b); got != "1.8 GiB b.duckdb.tmp" {
		t.Errorf("b's settings: %s", got)
	}
	b.Close()
	a.Close()
	for _, name := range []string{"memory.duckdb", "Temp.db", ".system.duckdb", "pg_catalog.duckdb", "Information_Schema.db"} {
		db, err := Open(Options{Path: filepath.Join(dir, name)})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		execAll(t, db, `CREATE TABLE t (x INTEGER)`)
		if attached(t, db) {
			t.Errorf("%s attached", name)
		}
		db.Close()
	}
}

// A warehouse that spilled to its temporary directory closes the process's
// instance when it closes: DuckDB removes the directory then, and lets an
// instance spill nowhere else once it has used one. The next warehouse
// attaches to a new instance and spills beside itself.
func TestOpenAfterASpill(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "first.duckdb")
	db, err := Open(Options{Path: first, MemoryLimit: "16MB", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 200,000 rows of 32-character strings sort in more than 16MB, as
	// 800,000 did in 32MB (1.1 CPU-s against 0.35), and both sorts spill.
	execAll(t, db, `CREATE TABLE t AS SELECT range AS id, md5(range::VARCHAR) AS s FROM range(200000) ORDER BY s`)
	if _, err := os.Stat(TempDir(first)); err != nil {
		db.Close()
		t.Fatalf("the sort did not spill: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(TempDir(first)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s after Close: %v", TempDir(first), err)
	}
	second := filepath.Join(dir, "second.duckdb")
	spilledBeside(t, second)
	// The directory removed before Close (by hand, or a cleaner of /tmp):
	// the instance keeps the setting, and the next Open starts another.
	db, err = Open(Options{Path: first, MemoryLimit: "16MB", Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, db, `CREATE TABLE u AS SELECT * FROM t ORDER BY id DESC`)
	if _, err := os.Stat(TempDir(first)); err != nil {
		db.Close()
		t.Fatalf("the second sort did not spill: %v", err)
	}
	if err := os.RemoveAll(TempDir(first)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	spilledBeside(t, second)
}

// spilledBeside opens the warehouse at path, which must attach to the
// process's instance with its own temporary directory.
func spilledBeside(t *testing.T, path string) {
	t.Helper()
	db, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var temp string
	if err := db.db.QueryRow(`SELECT current_setting('temp_directory')`).Scan(&temp); err != nil || temp != TempDir(path) || !attached(t, db) {
		t.Errorf("temp_directory %q, %v, attached %v; want %s, attached", temp, err, attached(t, db), TempDir(path))
	}
}

// A checkpoint that fails as the warehouse detaches (DuckDB's text from a
// full disk, seen on a tmpfs of 4 MB) says so on one line, what to do, and
// what is kept.
func TestCloseErrorSaysWhatToDo(t *testing.T) {
	d := &DB{path: "/w/.fgen/local.duckdb", close: func() error {
		return errors.New("IO Error: Detached database 'local', but CHECKPOINT during DETACH failed. \nCheckpoint failed: The database has been invalidated. Original error: Could not write file \"/w/.fgen/local.duckdb\": No space left on device")
	}}
	want := `close /w/.fgen/local.duckdb: IO Error: Detached database 'local', but CHECKPOINT during DETACH failed. Checkpoint failed: The database has been invalidated. Original error: Could not write file "/w/.fgen/local.duckdb": No space left on device; the disk of the warehouse is full: free space on it (beside /w/.fgen/local.duckdb, DuckDB writes the file, its .wal as a change commits, and its .tmp), then run the command again (what it committed is kept in its .wal, which the next command replays)`
	if err := d.Close(); err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}

// A file opened again while it is attached shares it, as DuckDB shares
// the instance of a file opened twice in a process: each open sees the
// other's commits, none is lost, and the file stays attached until the
// last closes. Opened with other options, it is refused, as DuckDB
// refused a second instance of it with another configuration.
func TestOpenTwiceSharesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	a, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, a, `CREATE TABLE t (id INTEGER)`, `INSERT INTO t VALUES (1)`)
	b, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if !attached(t, b) {
		t.Error("the second open has an instance of its own")
	}
	for _, o := range []Options{{Path: path, ReadOnly: true}, {Path: path, Threads: 2}, {Path: path, MemoryLimit: "1GB"}} {
		if c, err := Open(o); err == nil {
			c.Close()
			t.Errorf("Open(%+v) while the file is open with other options: no error", o)
		} else if !strings.Contains(err.Error(), "open already, with other options") {
			t.Errorf("Open(%+v): %v", o, err)
		}
	}
	execAll(t, a, `INSERT INTO t VALUES (2)`)
	execAll(t, b, `INSERT INTO t VALUES (3)`)
	ids := func(db *DB) string { return ids(t, db) }
	if got := ids(a); got != "1,2,3" {
		t.Errorf("a reads %s", got)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ids(b); got != "1,2,3" {
		t.Errorf("b, after a closed, reads %s", got)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := Open(Options{Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := ids(c); got != "1,2,3" {
		t.Errorf("after both closed: %s", got)
	}
}

// ids lists the ids of table t.
func ids(t *testing.T, db *DB) string {
	t.Helper()
	var s string
	if err := db.db.QueryRow(`SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM t`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// A file open in an instance of its own (opened while another file was
// attached) is not attached beside that instance once the other file
// closes: an open of it meanwhile shares its instance, as duckdb-go shares
// it, and no commit is lost. The same holds of a file attached and opened
// again by another name of it (a symbolic link, a relative path).
func TestOpenOfAFileInAnInstanceOfItsOwn(t *testing.T) {
	dir := t.TempDir()
	a, err := Open(Options{Path: filepath.Join(dir, "a.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "b.duckdb")
	b1, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, b1, `CREATE TABLE t (id INTEGER)`, `INSERT INTO t VALUES (1)`)
	a.Close()
	b2, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	if attached(t, b1) || attached(t, b2) {
		t.Errorf("attached: b1 %v, b2 %v; want neither", attached(t, b1), attached(t, b2))
	}
	execAll(t, b2, `INSERT INTO t VALUES (2)`)
	execAll(t, b1, `INSERT INTO t VALUES (3)`)
	if got1, got2 := ids(t, b1), ids(t, b2); got1 != "1,2,3" || got2 != "1,2,3" {
		t.Errorf("b1 reads %s, b2 %s; want 1,2,3", got1, got2)
	}
	if c, err := Open(Options{Path: path, ReadOnly: true}); err == nil {
		c.Close()
		t.Error("a read-only open beside an open to write: no error")
	}
	// Closed twice at once, as a deferred Close and another may.
	done := make(chan error)
	go func() { done <- b1.Close() }()
	b1.Close()
	<-done
	b2.Close()
	if _, err := os.Stat(path + ".wal"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a .wal after both closed: %v", err)
	}

	// Attached, then opened by a symbolic link and by a relative path.
	link := filepath.Join(dir, "link.duckdb")
	if err := os.Symlink(path, link); err != nil {
		t.Skip(err)
	}
	x, err := Open(Options{Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !attached(t, x) {
		t.Fatal("not attached")
	}
	t.Chdir(dir)
	y, err := Open(Options{Path: "b.duckdb"})
	if err != nil {
		t.Fatal(err)
	}
	execAll(t, y, `INSERT INTO t VALUES (4)`)
	if got := ids(t, x); got != "1,2,3,4" {
		t.Errorf("the row of an open by a relative path is not in the file attached: %s", got)
	}
	y.Close()
	// By the link it is the same file with another temporary directory
	// (beside the link): refused, as DuckDB refused another configuration.
	if z, err := Open(Options{Path: link}); err == nil {
		z.Close()
		t.Error("an open by a symbolic link to the file attached: no error")
	} else if !strings.Contains(err.Error(), "open already, with other options") {
		t.Errorf("an open by a symbolic link: %v", err)
	}
}

// The host's statements, and the USE of each of a warehouse's connections,
// run through the driver where fgen finds no connection handle, as through
// duckdb_query otherwise: a file opens, takes a table, closes, and opens
// again with it.
func TestHostThroughTheDriver(t *testing.T) {
	nativeAndDriver(t, func(t *testing.T) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "w.duckdb")
		db, err := Open(Options{Path: path, Threads: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, `CREATE TABLE t AS SELECT range AS x FROM range(3)`); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db, err = Open(Options{Path: path, Threads: 1, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int64
		var name string
		if err := db.readRow(ctx, `SELECT count(*), current_database() FROM t`, &n, &name); err != nil || n != 3 || name != "w" {
			t.Errorf("the table after a reopen: %d rows in database %q, %v; want 3 in w", n, name, err)
		}
	})
}

// The process's instance is set only where a warehouse needs other
// settings than it has: each SET GLOBAL of memory_limit or threads makes
// DuckDB give all its allocator's free memory back to the system. DuckDB's
// own query log is the judge of what was sent.
func TestOpenSetsOnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.duckdb"), filepath.Join(dir, "b.duckdb")
	open := func(opts Options) *DB {
		t.Helper()
		db, err := Open(opts)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	open(Options{Path: a}).Close()
	open(Options{Path: b}).Close()
	open(Options{Path: a}).Close()
	if err := adminExec(`CALL enable_logging('QueryLog')`); err != nil {
		t.Fatal(err)
	}
	defer adminExec(`CALL disable_logging()`)
	// sets is the SET and RESET statements the instance ran since the
	// last call.
	sets := func() []string {
		t.Helper()
		var got []string
		if err := readOn(context.Background(), host.admin, `SELECT message FROM duckdb_logs WHERE type = 'QueryLog' AND regexp_matches(message, '^(SET|RESET) ') ORDER BY timestamp`, func(r row) error {
			var m string
			err := r.scan(&m)
			got = append(got, m)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := adminExec(`CALL truncate_duckdb_logs()`); err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, step := range []struct {
		name string
		run  func()
		want []string
	}{
		{"the same file again", func() { open(Options{Path: a}).Close() }, nil},
		{"read-only", func() { open(Options{Path: a, ReadOnly: true}).Close() }, nil},
		{"another file", func() { open(Options{Path: b}).Close() }, []string{"SET GLOBAL temp_directory = '" + TempDir(b) + "'"}},
		{"another memory limit", func() { open(Options{Path: b, MemoryLimit: "1GB"}).Close() }, []string{"SET GLOBAL memory_limit = '1GB'"}},
		{"a transaction, which gives DuckDB its threads", func() {
			db := open(Options{Path: b, MemoryLimit: "1GB"})
			if err := db.Update(context.Background(), func(*Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			db.Close()
		}, []string{"RESET GLOBAL threads", "SET GLOBAL threads = '1'"}},
		{"the target's threads", func() { open(Options{Path: b, MemoryLimit: "1GB", Threads: 3}).Close() }, []string{"SET GLOBAL threads = '3'", "SET GLOBAL threads = '1'"}},
		{"a transaction in an instance of its own, beside the attached file", func() {
			attached := open(Options{Path: a})
			own := open(Options{Path: b})
			if err := own.Update(context.Background(), func(*Tx) error { return nil }); err != nil {
				t.Fatal(err)
			}
			own.Close()
			attached.Close()
		}, []string{"SET GLOBAL memory_limit = '512MB'", "SET GLOBAL temp_directory = '" + TempDir(a) + "'"}},
	} {
		sets()
		step.run()
		if got := sets(); !slices.Equal(got, step.want) {
			t.Errorf("%s: the instance ran %q; want %q", step.name, got, step.want)
		}
	}
}
