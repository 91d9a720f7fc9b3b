//go:build !cgo

package main

import (
	"context"
	"fmt"

	"github.com/fgen-dev/fgen/internal/sample"
)

// openLocal fails: DuckDB needs cgo, and this build has none.
func openLocal(localOptions) (localEngine, error) { return nil, errNoLocalEngine }

// createSample creates a sample file at path; a Parquet file, which DuckDB
// writes, fails with sample.ErrParquet.
func createSample(_ context.Context, path string, tf sample.TimeFormat) (sample.Writer, error) {
	return sample.Create(path, tf)
}

// checkSampleFile checks that fgen writes the format path's extension
// names: not Parquet, which DuckDB writes.
func checkSampleFile(path string) error {
	f, err := sample.FormatFromPath(path)
	if err == nil && f == sample.Parquet {
		err = fmt.Errorf("%s: %w", path, sample.ErrParquet)
	}
	return err
}
