package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
)

// The process's DuckDB instance, which warehouse files attach to.
//
// Every DuckDB instance pays for its start: about 20 ms of CPU to register
// the functions of the extensions linked into it (core_functions, icu,
// json, parquet, autocomplete, tpch and tpcds), 8-14 ms for the first
// query of duckdb_tables() or duckdb_columns(), which builds the system
// catalog's views, and a few to close. A command opens its warehouse once,
// but a process that runs several paid it at each open: cmd/fgen's tests
// run 800 commands in one process, and spent about a quarter of their CPU
// there (43 CPU-s in all before, 31.5 since; BENCHMARKS.md, "The suite").
//
// So Open attaches a warehouse file to one in-memory instance that the
// process keeps (ATTACH, then USE on each of the warehouse's connections),
// and Close detaches it: DuckDB then checkpoints the file, as it does when
// an instance closes, and releases the file's lock, so the next process,
// or the next open, finds it as a closed instance leaves it. The
// warehouse's name is the one DuckDB gives a file it opens (its base name
// without extensions), so queries and errors read as they did.
//
// One warehouse is attached at a time, because threads, memory_limit and
// temp_directory are settings of the instance: Open sets them for the
// warehouse it attaches. An Open of the file attached (by any path that
// leads to it) shares it with the same options and is refused with
// others, as DuckDB shares the instance of a file opened twice in a
// process. An Open of another file while one is attached (tests that run
// in parallel), an in-memory database, and a file named as one of the
// instance's own databases or schemas get an instance of their own, as
// every Open did before; and while a file is open in an instance of its
// own, its next opens share that one. The instance is closed, and the
// next Open starts another, when the warehouse spilled to its temporary
// directory (DuckDB removes the directory, and lets the instance use no
// other, only once it closes), and when a setting or the detach failed.
var host struct {
	sync.Mutex

	connector *duckdb.Connector // nil until the first attach and after stopHost
	admin     *sql.DB           // connections to the instance's own database, for ATTACH and DETACH

	// The warehouse attached, while refs > 0: its file (fileKey), where
	// it spills, the options it was opened with, and its database's name.
	file     string
	temp     string
	readOnly bool
	settings [][2]string
	name     string
	refs     int

	// private counts the opens of each file (fileKey) in an instance of
	// its own: duckdb-go shares one instance among them, which the
	// process's must then not attach beside it.
	private map[string]int

	// global is the instance's settings as it started with them and as
	// attach and detach set them since (name, value), so that a value it
	// has is not set again: each SET GLOBAL of memory_limit or threads
	// makes DuckDB return all its allocator's free memory to the system,
	// which the statements after it then fault back in page by page
	// (cmd/fgen's tests spent a sixth of their CPU time so).
	global map[string]string
}

// reserved are the names of the instance's own databases, and of the
// schemas of its catalog that a USE of a database so named would find
// first: a file so named opens in an instance of its own.
var reserved = map[string]bool{"memory": true, "system": true, "temp": true, "pg_catalog": true, "information_schema": true}

// errOtherOptions: the warehouse is attached with other options. DuckDB
// refused so a second instance of a file open in the process.
var errOtherOptions = errors.New("this process has the warehouse open already, with other options")

// attach attaches the database file at path to the process's instance with
// the settings (name, value; SET GLOBAL in that order; temp_directory is
// TempDir of the file's absolute path) and returns its connections and
// what detaches it. A file that does not exist is created, as Open would
// create it. A file attached already is shared, as DuckDB shares the
// instance of a file open in the process: its opens see each other's
// commits, and it is detached when the last closes.
//
// A file to open in an instance of its own (another file is attached, the
// file is open in an instance of its own already, or it has a reserved
// name) gets a nil DB, and what the instance's Close must call: until
// then the file is not attached beside it.
func attach(path string, readOnly bool, settings [][2]string) (*sql.DB, func() error, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, nil, err
	}
	file := fileKey(abs)
	settings = append(slices.Clip(settings), [2]string{"temp_directory", TempDir(abs)})
	host.Lock()
	defer host.Unlock()
	switch {
	case ownName(path), host.private[file] > 0, host.refs > 0 && host.file != file:
		return nil, holdPrivate(file), nil
	case host.refs > 0 && (host.readOnly != readOnly || !slices.Equal(host.settings, settings)):
		return nil, nil, errOtherOptions
	case host.refs == 0:
		name, err := attachLocked(path, readOnly, settings)
		if err != nil {
			return nil, nil, err
		}
		host.file, host.temp, host.readOnly, host.settings, host.name = file, TempDir(abs), readOnly, settings, name
	}
	host.refs++
	// The database's schema main, where a USE of the database alone
	// would find a schema of the instance's catalog so named first.
	db := sql.OpenDB(useConnector{host.connector, "USE " + quote(host.name) + ".main"})
	detach := func() error { // called once (DB.Close)
		err := db.Close()
		host.Lock()
		defer host.Unlock()
		if host.refs--; host.refs == 0 {
			err = errors.Join(err, detachLocked())
		}
		return err
	}
	return db, detach, nil
}

// holdPrivate notes, the host locked, that the file (fileKey) is open in
// an instance of its own until the function it returns is called (once:
// by DB.Close, or by an Open that failed).
func holdPrivate(file string) func() error {
	if host.private == nil {
		host.private = map[string]int{}
	}
	host.private[file]++
	return func() error {
		host.Lock()
		defer host.Unlock()
		if host.private[file]--; host.private[file] == 0 {
			delete(host.private, file)
		}
		return nil
	}
}

// fileKey names the file at the absolute path abs as DuckDB's cache of
// instances does, its symbolic links resolved: the file itself, or, for
// one not yet created, the file in its directory.
func fileKey(abs string) string {
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// attachLocked sets the instance's settings and attaches the file at path;
// it returns the name DuckDB gave its database.
func attachLocked(path string, readOnly bool, settings [][2]string) (string, error) {
	if err := startHost(); err != nil {
		return "", err
	}
	set := func() error {
		for _, s := range settings {
			if err := setGlobal(s[0], s[1]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := set(); err != nil {
		// The instance lets temp_directory change only while it has
		// not spilled there: start another, once.
		stopHost()
		if err := startHost(); err != nil {
			return "", err
		}
		if err := set(); err != nil {
			stopHost()
			return "", err
		}
	}
	stmt := "ATTACH " + literal(path)
	if readOnly {
		stmt += " (READ_ONLY)"
	}
	if err := adminExec(stmt); err != nil {
		return "", err
	}
	var name string
	if err := readRowOn(context.Background(), host.admin, `SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name <> current_database()`, &name); err != nil {
		stopHost()
		return "", err
	}
	return name, nil
}

// adminExec runs stmt on a connection to the instance's own database, as
// a session runs it (through duckdb_query: bound once).
func adminExec(stmt string) error {
	_, err := execOn(context.Background(), host.admin, stmt)
	return err
}

// detachLocked detaches the warehouse attached. The instance is closed
// when the warehouse spilled, and when the detach failed (closing it
// detaches the file); otherwise it goes back to one thread, as it waits.
func detachLocked() error {
	if err := adminExec("DETACH " + quote(host.name)); err != nil {
		stopHost()
		return err
	}
	if _, err := os.Stat(host.temp); !errors.Is(err, fs.ErrNotExist) {
		stopHost()
		return nil
	}
	if err := setGlobal("threads", "1"); err != nil {
		stopHost()
	}
	return nil
}

// setGlobal sets the instance's setting name to value, the host locked,
// unless it has that value.
func setGlobal(name, value string) error {
	if v, ok := host.global[name]; ok && v == value {
		return nil
	}
	delete(host.global, name) // unknown if the SET fails
	if err := adminExec("SET GLOBAL " + name + " = " + literal(value)); err != nil {
		return err
	}
	host.global[name] = value
	return nil
}

// forgetGlobal notes that the setting name of the process's instance is
// about to change other than by setGlobal (a warehouse attached to it
// widens): its next setGlobal sets it.
func forgetGlobal(name string) {
	host.Lock()
	defer host.Unlock()
	delete(host.global, name)
}

// startHost starts the process's instance unless it runs.
func startHost() error {
	if host.connector != nil {
		return nil
	}
	c, err := duckdb.NewConnector("?threads=1&temp_directory=&"+duckutil.Offline, nil)
	if err != nil {
		return err
	}
	host.connector, host.admin = c, sql.OpenDB(c)
	host.global = map[string]string{"threads": "1", "temp_directory": ""}
	return nil
}

// stopHost closes the process's instance (closing admin closes its
// connector); the next attach starts another.
func stopHost() {
	if host.connector == nil {
		return
	}
	host.admin.Close()
	host.connector, host.admin, host.global = nil, nil, nil
}

// ownName is whether the database file at path would have the name of
// one of the instance's own databases: DuckDB names a file's database by
// its base name up to the first dot, and compares names ignoring case.
func ownName(path string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(filepath.Base(path), "."), ".")
	return reserved[strings.ToLower(name)]
}

// useConnector makes the connections of one attached warehouse: the
// instance's, each with the warehouse as its default database.
type useConnector struct {
	base *duckdb.Connector
	use  string
}

func (c useConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.base.Connect(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := execDriverConn(ctx, conn, c.use); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (c useConnector) Driver() driver.Driver { return c.base.Driver() }
