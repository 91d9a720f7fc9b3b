package main

import (
	"context"
	"errors"

	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

// localEngine is the embedded engine behind a duckdb target: a warehouse
// that also takes rows from files and from the sample generator into the
// ODS table, which exists. It is the only way cmd reaches DuckDB, which
// needs cgo: local_cgo.go opens it, and a build without cgo has none
// (local_nocgo.go).
type localEngine interface {
	warehouse.Warehouse
	// LoadODS loads files into cfg's ODS table as l says, and returns what
	// it loaded. It loads everything or nothing.
	LoadODS(ctx context.Context, cfg *models.Config, l odsLoad) (loaded, error)
	// ReplaceWithSample replaces the ODS partitions of days with the events
	// so generates, and returns the number of events and each day's rows
	// before and after. Unless allowShrink, it replaces nothing and fails
	// (exit 3, a *codeError of a *sampleShrinkError) where the sample would
	// leave a day fewer than half the rows it held.
	ReplaceWithSample(ctx context.Context, cfg *models.Config, days []string, so sample.Options, allowShrink bool) (loaded, error)
}

// odsLoad is a load of files into the ODS table: into the partition Day or,
// when Day is "", into the partitions the rows name. The partitions are
// replaced unless Append; a load that would leave a partition fewer than
// half its rows fails, unless AllowShrink.
type odsLoad struct {
	Day                 string
	Hour                string // of an hourly ODS: the one hour the files replace, or with Append add to
	Files               []string
	Append, AllowShrink bool
}

// loaded is what a load did: the rows it loaded and, for each day it wrote,
// in order, the rows the day held before and holds now.
type loaded struct {
	Rows int64
	Days []dayRows
	// Shrunk are the partitions --allow-destructive let the load leave
	// fewer than half their rows: days, or an hourly ODS's hours; Emptied
	// the hours of an hourly ODS it emptied otherwise.
	Shrunk, Emptied []dayRows
}

type dayRows struct {
	Day    string `json:"day"`
	Hour   string `json:"hour"` // "" but for an hour of an hourly ODS
	Before int64  `json:"rows_before"`
	After  int64  `json:"rows_after"`
}

// shrunk reports whether a replacement left the day fewer than half the
// rows it held: what fgen load and sample --load refuse without
// --allow-destructive (internal/ingest's rule, which a build without cgo
// does not have).
func (d dayRows) shrunk() bool { return d.After*2 < d.Before }

// localOptions are what opening the local engine takes from a target.
type localOptions struct {
	path        string
	threads     int
	memoryLimit string
	readOnly    bool
	inPlace     bool // path is a new file of this process's own (duckdb.Options.InPlace)
}

// errNoLocalEngine is what a build without cgo says for a local target.
var errNoLocalEngine = errors.New("this fgen was built without cgo (CGO_ENABLED=0), so it has no local DuckDB engine; " +
	"generate, diff, graph and maxcompute targets work without it. For local targets, build fgen with cgo (CGO_ENABLED=1 and a C compiler)")

// openLocalTarget opens the local engine of a duckdb target.
func (g *globalOptions) openLocalTarget(t models.Target, access access) (warehouse.Warehouse, error) {
	return openLocal(localOptions{path: g.localPath(t), threads: t.Threads, memoryLimit: t.MemoryLimit, readOnly: access == readOnly})
}
