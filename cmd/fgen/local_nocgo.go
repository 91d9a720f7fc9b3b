//go:build !cgo

package main

import (
	"context"

	"github.com/fgen-dev/fgen/internal/sample"
)

// openLocal fails: DuckDB needs cgo, and this build has none.
func openLocal(localOptions) (localEngine, error) { return nil, errNoLocalEngine }

// createSample creates a sample file at path; a Parquet file, which DuckDB
// writes, fails with sample.ErrParquet.
func createSample(_ context.Context, path string, tf sample.TimeFormat) (sample.Writer, error) {
	return sample.Create(path, tf)
}

// writesParquet: this build writes no Parquet (DuckDB does, and needs cgo).
const writesParquet = false
