package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2/mapping"
)

// A session runs statements without parameters on one connection through
// DuckDB's duckdb_query, which binds and plans each statement once.
//
// database/sql's ExecContext goes through duckdb-go's prepare-then-execute,
// and since DuckDB 2.0 a prepared statement that reads a table keeps no plan
// (duckdb/duckdb#20885): executing it binds it again. Every statement fgen
// ran was bound twice, half of it wasted: a node's report statement of 6 to
// 31 KB binds in 20 to 75 ms, and SELECT 1 took 0.55 ms against 0.24 ms
// through duckdb_query (BENCHMARKS.md, "Statements"). duckdb-go exposes no
// call to duckdb_query, so a session reads the connection handle from the
// driver's connection (nativeConn), and uses the driver's ExecContext when
// it cannot.
type session struct {
	conn *sql.Conn
}

// exec runs query, one statement with no parameters, and returns the
// number of rows it changed. When ctx ends, DuckDB is interrupted and exec
// returns an error (the caller reports ctx's).
func (s session) exec(ctx context.Context, query string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var n int64
	err := s.conn.Raw(func(dc any) error {
		var err error
		n, err = execDriverConn(ctx, dc, query)
		return err
	})
	return n, err
}

// execOn runs query, as exec does, on a connection of db.
func execOn(ctx context.Context, db *sql.DB, query string) (int64, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	return session{conn}.exec(ctx, query)
}

// execDriverConn runs query, as exec does, on the driver's connection dc:
// through duckdb_query where it finds dc's handle, else through the
// driver's ExecContext.
func execDriverConn(ctx context.Context, dc any, query string) (int64, error) {
	if mc, ok := findHandle(dc); ok {
		return query1(ctx, mc, query)
	}
	ex, err := execer(dc)
	if err != nil {
		return 0, err
	}
	res, err := ex.ExecContext(ctx, query, nil)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// execer is the driver's connection dc as one that runs statements.
func execer(dc any) (driver.ExecerContext, error) {
	ex, ok := dc.(driver.ExecerContext)
	if !ok {
		return nil, fmt.Errorf("the DuckDB driver's connection is a %T, which runs no statements", dc)
	}
	return ex, nil
}

// query1 runs query on mc, interrupted when ctx ends.
func query1(ctx context.Context, mc mapping.Connection, query string) (int64, error) {
	stop := interruptWhenDone(ctx, mc)
	defer stop()
	var res mapping.Result
	defer mapping.DestroyResult(&res)
	if mapping.Query(mc, query, &res) == mapping.StateError {
		return 0, errors.New(mapping.ResultError(&res))
	}
	return int64(mapping.RowsChanged(&res)), nil
}

// findHandle is nativeConn; tests replace it to run the driver's path.
var findHandle = nativeConn

var connType = reflect.TypeFor[mapping.Connection]()

// nativeConn returns the DuckDB connection handle of duckdb-go's driver
// connection dc, which keeps it in its unexported field conn, and false when
// dc has no such field of that type (another version of the driver).
// TestSessionIsNative checks that it finds it in the version fgen builds
// with.
func nativeConn(dc any) (mapping.Connection, bool) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return mapping.Connection{}, false
	}
	f := v.Elem().FieldByName("conn")
	if !f.IsValid() || f.Type() != connType {
		return mapping.Connection{}, false
	}
	return *(*mapping.Connection)(unsafe.Pointer(f.UnsafeAddr())), true
}

// interruptEvery is how often a statement whose ctx ended is interrupted
// again until it returns: DuckDB clears an interrupt at some points of a
// statement (duckdb-go repeats its own for the same reason).
const interruptEvery = 100 * time.Millisecond

// interruptWhenDone interrupts the statement running on mc once ctx ends,
// and again every interruptEvery until the returned stop is called. stop
// returns once no interrupt can follow, so none lands on the connection's
// next statement. (Had one landed between two statements, DuckDB 2.0 drops
// an interrupt of a connection that runs none.)
func interruptWhenDone(ctx context.Context, mc mapping.Connection) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	cancel := context.AfterFunc(ctx, func() {
		defer wg.Done()
		t := time.NewTicker(interruptEvery)
		defer t.Stop()
		for {
			mapping.Interrupt(mc)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() {
		close(done)
		if cancel() {
			wg.Done() // the interrupter never started
		}
		wg.Wait()
	}
}
