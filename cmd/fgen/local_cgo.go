//go:build cgo

package main

import (
	"context"
	"database/sql"
	"errors"

	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/ingest"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/models"
)

// duckLocal is the local engine of a cgo build: DuckDB, with file ingestion
// from internal/ingest.
type duckLocal struct{ *duckdb.DB }

func openLocal(o localOptions) (localEngine, error) {
	db, err := duckdb.Open(duckdb.Options{Path: o.path, Threads: o.threads, MemoryLimit: o.memoryLimit, ReadOnly: o.readOnly, InPlace: o.inPlace})
	if err != nil {
		return nil, err
	}
	return duckLocal{db}, nil
}

func (l duckLocal) LoadODS(ctx context.Context, cfg *models.Config, ol odsLoad) (loaded, error) {
	opts := ingest.ODS(cfg, ol.Day, ol.Files, ol.Append)
	opts.AllowShrink, opts.Hour = ol.AllowShrink, ol.Hour
	res, err := ingest.Load(ctx, l.DB, opts)
	if se := (*ingest.ShrinkError)(nil); errors.As(err, &se) {
		err = &codeError{code: exitBlocked, err: err} // a destructive change, refused
	}
	return loaded{Rows: res.Rows, Days: rowsOf(res.Partitions), Shrunk: rowsOf(res.Shrunk), Emptied: rowsOf(res.Emptied)}, err
}

// rowsOf is ingest's counts as cmd, built with or without cgo, holds them.
func rowsOf(ps []ingest.PartitionRows) []dayRows {
	out := make([]dayRows, len(ps))
	for i, p := range ps {
		out[i] = dayRows(p)
	}
	return out
}

// createSample creates a sample file at path of any format, Parquet
// through DuckDB.
func createSample(ctx context.Context, path string, tf sample.TimeFormat) (sample.Writer, error) {
	return ingest.CreateSample(ctx, path, tf)
}

// writesParquet: this build writes Parquet sample files (DuckDB does).
const writesParquet = true

func (l duckLocal) ReplaceWithSample(ctx context.Context, cfg *models.Config, days []string, so sample.Options, allowShrink bool) (loaded, error) {
	// keep is given the counts, which the warnings need whether or not it
	// refuses.
	keep := func(before, after map[string]int64) error {
		if shrunk := shrunkDays(rowsOf(ingest.Counts(days, before, after))); len(shrunk) > 0 && !allowShrink {
			return &codeError{code: exitBlocked, err: &sampleShrinkError{table: cfg.ODS.Name, partition: cfg.ODS.Partition, shrunk: shrunk}}
		}
		return nil
	}
	n, before, after, err := l.ReplacePartitions(ctx, cfg.ODS.Name, cfg.ODS.Partition, days, so.ExpectedRows(), func(conn *sql.Conn) (int64, error) {
		n, err := ingest.AppendSample(ctx, conn, cfg.ODS.Name, cfg.ODS.Partition, so)
		if err == nil {
			err = ingest.SampleTooLong(ctx, conn, &cfg.ODS, days)
		}
		return n, err
	}, keep)
	if err != nil {
		return loaded{}, err
	}
	return loaded{Rows: n, Days: rowsOf(ingest.Counts(days, before, after))}, nil
}
