package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// RequiredHints go with every job fgen submits: the generated SQL uses
// MaxCompute 2.0 functions (ARG_MIN, MEDIAN on DOUBLE) and types.
var RequiredHints = map[string]string{"odps.sql.type.system.odps2": "true"}

// Warehouse adapts a Client to fgen's warehouse interface.
type Warehouse struct {
	c *Client
	// JobTimeout bounds each job, waiting included; 0 for none. When it
	// passes, the job is terminated.
	JobTimeout time.Duration
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// NewWarehouse wraps c.
func NewWarehouse(c *Client, jobTimeout time.Duration) *Warehouse {
	return &Warehouse{c: c, JobTimeout: jobTimeout}
}

// Describe returns a table's live metadata.
func (w *Warehouse) Describe(ctx context.Context, name string) (*warehouse.Table, error) {
	t, err := w.c.Table(ctx, name)
	if errors.Is(err, ErrTableNotFound) {
		return nil, warehouse.ErrTableNotFound
	}
	return t, err
}

// PartitionExists reports whether partition column=value of table exists.
func (w *Warehouse) PartitionExists(ctx context.Context, table, column, value string) (bool, error) {
	ok, err := w.c.PartitionExists(ctx, table, fmt.Sprintf("%s='%s'", column, value))
	if errors.Is(err, ErrTableNotFound) {
		return false, nil
	}
	return ok, err
}

var setRE = regexp.MustCompile(`(?i)^\s*SET\s+([A-Za-z0-9_.]+)\s*=\s*([^;]*?)\s*;\s*$`)

// splitSettings moves leading "SET k=v;" statements of a DataWorks script
// into hints: the SQL task API runs one statement and takes settings apart.
func splitSettings(sql string) (string, map[string]string) {
	hints := map[string]string{}
	var body []string
	lines := strings.Split(sql, "\n")
	for i, line := range lines {
		if m := setRE.FindStringSubmatch(line); m != nil {
			hints[m[1]] = m[2]
			continue
		}
		body = lines[i:]
		break
	}
	// Comments before the statement stay; they are harmless.
	return strings.Join(body, "\n"), hints
}

// Run submits a job and waits for it. Settings in the script and the
// required hints are sent as hints.
func (w *Warehouse) Run(ctx context.Context, job *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	if w.JobTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.JobTimeout)
		defer cancel()
	}
	sql, hints := splitSettings(job.SQL)
	for k, v := range RequiredHints {
		hints[k] = v
	}
	err := w.c.Run(ctx, sql, hints, func(j *Job) {
		if onSubmit != nil {
			onSubmit(warehouse.Submitted{Job: job, InstanceID: j.ID, LogView: j.LogView})
		}
	})
	if err != nil {
		return fmt.Errorf("%s: %w", describeJob(job), err)
	}
	return nil
}

func describeJob(j *warehouse.Job) string {
	if j.Day != "" {
		return fmt.Sprintf("%s %s for %s", j.Kind, j.Name, j.Day)
	}
	return fmt.Sprintf("%s %s", j.Kind, j.Name)
}

// Query runs a query and returns its rows; `\N` cells are NULL.
func (w *Warehouse) Query(ctx context.Context, sql string) (*warehouse.Rows, error) {
	records, err := w.c.Query(ctx, sql, RequiredHints)
	if err != nil {
		return nil, err
	}
	out := &warehouse.Rows{}
	for i, rec := range records {
		if i == 0 {
			out.Columns = rec
			continue
		}
		row := make([]*string, len(rec))
		for j, cell := range rec {
			if !IsNull(cell) {
				v := cell
				row[j] = &v
			}
		}
		out.Values = append(out.Values, row)
	}
	return out, nil
}

// Close releases nothing: the SDK opens a connection per request.
func (w *Warehouse) Close() error { return nil }
