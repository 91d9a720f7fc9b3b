package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fgen-dev/fgen/generator"
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
// warehouse it attaches. An Open while another warehouse is attached
// (tests that run in parallel), an in-memory database, and a file whose
// name is that of one of the instance's own databases get an instance of
// their own, as every Open did before. The instance is closed and a new
// one started when the warehouse spilled to its temporary directory
// (DuckDB removes the directory, and lets the instance use no other, only
// once it closes) and when a setting or the detach failed.
var host struct {
	sync.Mutex // held from attach to its release: one warehouse at a time

	connector *duckdb.Connector // nil until the first attach and after stop
	admin     *sql.DB           // connections to the instance's own database, for ATTACH and DETACH
}

// reserved are the names of the instance's own databases: a file so named
// opens in an instance of its own.
var reserved = map[string]bool{"memory": true, "system": true, "temp": true}

// attach attaches the database file at path to the process's instance with
// the settings (name, value; SET GLOBAL in that order) and returns its
// connections and what detaches it, or a nil DB when the instance is in
// use. A file that does not exist is created, as Open would create it.
func attach(path string, readOnly bool, settings [][2]string) (*sql.DB, func() error, error) {
	if ownName(path) || !host.TryLock() {
		return nil, nil, nil
	}
	db, detach, err := attachLocked(path, readOnly, settings)
	if err != nil {
		host.Unlock()
		return nil, nil, err
	}
	return db, detach, nil
}

func attachLocked(path string, readOnly bool, settings [][2]string) (*sql.DB, func() error, error) {
	if err := startHost(); err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	set := func() error {
		for _, s := range settings {
			if _, err := host.admin.ExecContext(ctx, "SET GLOBAL "+s[0]+" = "+generator.DuckDB.QuoteString(s[1])); err != nil {
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
			return nil, nil, err
		}
		if err := set(); err != nil {
			stopHost()
			return nil, nil, err
		}
	}
	stmt := "ATTACH " + generator.DuckDB.QuoteString(path)
	if readOnly {
		stmt += " (READ_ONLY)"
	}
	if _, err := host.admin.ExecContext(ctx, stmt); err != nil {
		return nil, nil, err
	}
	var name string
	if err := host.admin.QueryRowContext(ctx, `SELECT database_name FROM duckdb_databases() WHERE NOT internal AND database_name <> current_database()`).Scan(&name); err != nil {
		stopHost()
		return nil, nil, err
	}
	db := sql.OpenDB(useConnector{host.connector, "USE " + quote(name)})
	detached := false
	detach := func() error {
		if detached {
			return nil
		}
		detached = true
		defer host.Unlock()
		err := db.Close()
		if _, derr := host.admin.ExecContext(ctx, "DETACH "+quote(name)); derr != nil {
			stopHost()
			if err == nil {
				err = derr
			}
			return err
		}
		if _, serr := os.Stat(TempDir(path)); !errors.Is(serr, fs.ErrNotExist) {
			stopHost()
		}
		return err
	}
	return db, detach, nil
}

// startHost starts the process's instance unless it runs.
func startHost() error {
	if host.connector != nil {
		return nil
	}
	c, err := duckdb.NewConnector("?threads=1&temp_directory=", nil)
	if err != nil {
		return err
	}
	host.connector, host.admin = c, sql.OpenDB(c)
	return nil
}

// stopHost closes the process's instance; the next attach starts another.
func stopHost() {
	if host.connector == nil {
		return
	}
	host.admin.Close()
	host.connector.Close()
	host.connector, host.admin = nil, nil
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
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("the DuckDB driver's connection is a %T, which runs no statements", conn)
	}
	if _, err := ex.ExecContext(ctx, c.use, nil); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

func (c useConnector) Driver() driver.Driver { return c.base.Driver() }
