// Package warehouse is the small interface fgen's plan and apply use to talk
// to a warehouse, with one implementation per engine (internal/duckdb,
// internal/maxcompute), and the engine-independent orchestration on top.
package warehouse

import (
	"context"
	"errors"
)

// Column is a live column.
type Column struct {
	Name    string
	Type    string // in the engine's own spelling
	Comment string
}

// Table is a live table's metadata.
type Table struct {
	Name          string
	Comment       string
	Lifecycle     int64
	Columns       []Column
	PartitionKeys []Column
}

// ErrTableNotFound is returned by Describe for a table that does not exist.
var ErrTableNotFound = errors.New("table not found")

// Job is one SQL script submitted to a warehouse: a DDL file or a node for a day.
type Job struct {
	Name string // the node or table, e.g. dw_user_trace_data
	Kind string // "ddl", "alter" or "node"
	Day  string // business date for nodes, empty for DDL
	SQL  string // with parameters substituted
	// Needs names jobs (JobKey: "name@day") that must succeed before this one runs.
	Needs []string
}

// JobKey names the job of name for day, as Needs does: "name@day", or the
// name alone when day is empty (DDL).
func JobKey(name, day string) string {
	if day == "" {
		return name
	}
	return name + "@" + day
}

// Key names a job for Needs: JobKey(j.Name, j.Day).
func (j *Job) Key() string {
	return JobKey(j.Name, j.Day)
}

// Submitted describes a job a warehouse accepted, for progress output.
type Submitted struct {
	Job        *Job
	InstanceID string
	LogView    string
}

// Rows is a small query result: column names and values, NULL as nil.
type Rows struct {
	Columns []string
	Values  [][]*string
}

// Warehouse is what plan, apply and report need from an engine.
type Warehouse interface {
	// Describe returns a table's live metadata, or ErrTableNotFound.
	Describe(ctx context.Context, table string) (*Table, error)
	// PartitionExists reports whether a partition (column = value) of table exists.
	PartitionExists(ctx context.Context, table, column, value string) (bool, error)
	// Run executes a job to completion. onSubmit, when not nil, is called once
	// the warehouse accepted it.
	Run(ctx context.Context, job *Job, onSubmit func(Submitted)) error
	// Query runs a read-only query and returns its rows.
	Query(ctx context.Context, sql string) (*Rows, error)
	Close() error
}
