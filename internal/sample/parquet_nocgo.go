//go:build !cgo

package sample

import (
	"context"
	"database/sql"
	"errors"
)

// errNoDuckDB is returned by the DuckDB-backed functions in builds without
// cgo, which DuckDB needs.
var errNoDuckDB = errors.New("this fgen was built without cgo, so without DuckDB; use .jsonl or .csv")

// ParquetWriter needs DuckDB, which needs cgo.
type ParquetWriter struct{}

// NewParquetWriter fails: this build has no DuckDB.
func NewParquetWriter(path string, tf TimeFormat) (*ParquetWriter, error) {
	return nil, errNoDuckDB
}

// Write fails: this build has no DuckDB.
func (p *ParquetWriter) Write(e *Event) error { return errNoDuckDB }

// Close does nothing.
func (p *ParquetWriter) Close() error { return nil }

// AppendTo fails: this build has no DuckDB.
func AppendTo(ctx context.Context, conn *sql.Conn, table string, opts Options) (int64, error) {
	return 0, errNoDuckDB
}
