package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2/mapping"
)

// fgen's reads of its bookkeeping and of DuckDB's catalog run as its
// statements do (session): through duckdb_query, which binds and plans a
// statement once, where database/sql's QueryContext goes through duckdb-go's
// prepare-then-execute and binds it twice (duckdb/duckdb#20885). A read of
// a day's notes took 0.69 ms so against 1.18 ms, SELECT 1 0.135 against 0.27
// ms (BenchmarkRead; BENCHMARKS.md, "Statements"), and a plan or an apply
// makes dozens.
//
// A read takes no parameters: the values it compares with are SQL string
// literals, quoted by literal as in fgen's other statements.
// Its columns are of the types fgen's bookkeeping and DuckDB's catalog
// have: VARCHAR, BOOLEAN, the integers up to BIGINT and TIMESTAMP. A read
// of a column of a table fgen did not make casts it to VARCHAR.

// A row holds the values of a row that a read returns, NULL as nil, and
// the others as duckdb-go gives them to database/sql: string, bool, int64
// (any integer) and time.Time (UTC).
type row []any

// read runs query, one statement without parameters, on a connection of
// the warehouse's, and calls each with every row. The row's values are
// overwritten by the next row's.
func (d *DB) read(ctx context.Context, query string, each func(row) error) error {
	return readOn(ctx, d.db, query, each)
}

// readOn is read on a connection of db.
func readOn(ctx context.Context, db *sql.DB, query string, each func(row) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return session{conn}.read(ctx, query, each)
}

// readRow runs query, as read does, and scans its first row into dest
// (row.scan); sql.ErrNoRows when it returned none.
func (d *DB) readRow(ctx context.Context, query string, dest ...any) error {
	return readRowOn(ctx, d.db, query, dest...)
}

// readRowOn is readRow on a connection of db.
func readRowOn(ctx context.Context, db *sql.DB, query string, dest ...any) error {
	found := false
	err := readOn(ctx, db, query, func(r row) error {
		if found {
			return nil
		}
		found = true
		return r.scan(dest...)
	})
	if err == nil && !found {
		return sql.ErrNoRows
	}
	return err
}

// read is DB.read on the session's connection. When ctx ends, DuckDB is
// interrupted and read returns an error (the caller reports ctx's).
func (s session) read(ctx context.Context, query string, each func(row) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.conn.Raw(func(dc any) error {
		if mc, ok := findHandle(dc); ok {
			return readNative(ctx, mc, query, each)
		}
		return readDriver(ctx, dc, query, each)
	})
}

// readNative runs query through duckdb_query on mc, and reads its result's
// vectors.
func readNative(ctx context.Context, mc mapping.Connection, query string, each func(row) error) error {
	var res mapping.Result
	defer mapping.DestroyResult(&res)
	if err := queryNative(ctx, mc, query, &res); err != nil {
		return err
	}
	types := make([]mapping.Type, mapping.ColumnCount(&res))
	widths := make([]uintptr, len(types))
	for i := range types {
		types[i] = mapping.ColumnType(&res, mapping.IdxT(i))
		w, ok := width[types[i]]
		if !ok {
			return fmt.Errorf("column %q of this read is of a type fgen does not read (DuckDB's type %d): cast it to VARCHAR", mapping.ColumnName(&res, mapping.IdxT(i)), types[i])
		}
		widths[i] = w
	}
	r := make(row, len(types))
	for {
		chunk := mapping.FetchChunk(res)
		if chunk.Ptr == nil {
			return nil
		}
		err := readChunk(chunk, types, widths, r, each)
		mapping.DestroyDataChunk(&chunk)
		if err != nil {
			return err
		}
	}
}

// queryNative runs query on mc into res, interrupted when ctx ends.
func queryNative(ctx context.Context, mc mapping.Connection, query string, res *mapping.Result) error {
	stop := interruptWhenDone(ctx, mc)
	defer stop()
	if mapping.Query(mc, query, res) == mapping.StateError {
		return errors.New(mapping.ResultError(res))
	}
	return nil
}

// width is the size of a value in a vector of each type a read reads.
var width = map[mapping.Type]uintptr{
	mapping.TypeVarchar:   unsafe.Sizeof(mapping.StringT{}),
	mapping.TypeBoolean:   1,
	mapping.TypeTinyInt:   1,
	mapping.TypeSmallInt:  2,
	mapping.TypeInteger:   4,
	mapping.TypeBigInt:    8,
	mapping.TypeUTinyInt:  1,
	mapping.TypeUSmallInt: 2,
	mapping.TypeUInteger:  4,
	mapping.TypeTimestamp: 8,
}

// readChunk calls each with every row of chunk, whose columns are of
// types, their values widths bytes apart.
func readChunk(chunk mapping.DataChunk, types []mapping.Type, widths []uintptr, r row, each func(row) error) error {
	n := mapping.DataChunkGetSize(chunk)
	data := make([]unsafe.Pointer, len(types))
	valid := make([]unsafe.Pointer, len(types))
	for i := range types {
		v := mapping.DataChunkGetVector(chunk, mapping.IdxT(i))
		data[i], valid[i] = mapping.VectorGetData(v), mapping.VectorGetValidity(v)
	}
	for k := range n {
		for i, t := range types {
			if valid[i] != nil && !mapping.ValidityRowIsValid(valid[i], k) {
				r[i] = nil
				continue
			}
			p := unsafe.Add(data[i], uintptr(k)*widths[i])
			switch t {
			case mapping.TypeVarchar:
				r[i] = mapping.StringTData((*mapping.StringT)(p))
			case mapping.TypeBoolean:
				r[i] = *(*bool)(p)
			case mapping.TypeTinyInt:
				r[i] = int64(*(*int8)(p))
			case mapping.TypeSmallInt:
				r[i] = int64(*(*int16)(p))
			case mapping.TypeInteger:
				r[i] = int64(*(*int32)(p))
			case mapping.TypeBigInt:
				r[i] = *(*int64)(p)
			case mapping.TypeUTinyInt:
				r[i] = int64(*(*uint8)(p))
			case mapping.TypeUSmallInt:
				r[i] = int64(*(*uint16)(p))
			case mapping.TypeUInteger:
				r[i] = int64(*(*uint32)(p))
			case mapping.TypeTimestamp: // microseconds since the epoch
				r[i] = time.UnixMicro(*(*int64)(p)).UTC()
			}
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return nil
}

// readDriver runs query through the driver's connection dc, for a driver
// whose connection handle fgen cannot find (see nativeConn), and gives its
// integers as int64, as readNative does.
func readDriver(ctx context.Context, dc any, query string, each func(row) error) error {
	q, ok := dc.(driver.QueryerContext)
	if !ok {
		return fmt.Errorf("the DuckDB driver's connection is a %T, which runs no queries", dc)
	}
	rows, err := q.QueryContext(ctx, query, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	r := make(row, len(vals))
	for {
		if err := rows.Next(vals); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		for i, v := range vals {
			switch v := v.(type) {
			case int8:
				r[i] = int64(v)
			case int16:
				r[i] = int64(v)
			case int32:
				r[i] = int64(v)
			case uint8:
				r[i] = int64(v)
			case uint16:
				r[i] = int64(v)
			case uint32:
				r[i] = int64(v)
			default:
				r[i] = v
			}
		}
		if err := each(r); err != nil {
			return err
		}
	}
}

// scan copies r's values into dest, one for each: a *string, *bool,
// *int64 (or *int) or *time.Time of a value that is one and not NULL, or
// an sql.Scanner (sql.NullString and the like) of any.
func (r row) scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("scan of %d columns into %d values", len(r), len(dest))
	}
	for i, v := range r {
		var err error
		switch d := dest[i].(type) {
		case sql.Scanner:
			err = d.Scan(v)
		case *string:
			err = scanAs(v, d)
		case *bool:
			err = scanAs(v, d)
		case *int64:
			err = scanAs(v, d)
		case *int:
			var n int64
			err = scanAs(v, &n)
			*d = int(n)
		case *time.Time:
			err = scanAs(v, d)
		default:
			err = fmt.Errorf("cannot scan into a %T", d)
		}
		if err != nil {
			return fmt.Errorf("column %d: %w", i+1, err)
		}
	}
	return nil
}

// scanAs sets *d to v, a T.
func scanAs[T any](v any, d *T) error {
	x, ok := v.(T)
	if !ok {
		if v == nil {
			return fmt.Errorf("NULL into a %T", *d)
		}
		return fmt.Errorf("a %T into a %T", v, *d)
	}
	*d = x
	return nil
}
