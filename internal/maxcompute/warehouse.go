package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

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

// Partition describes partition column=value of table from its metadata:
// when its data last changed and its size. The fingerprint of the SQL that
// wrote it is unknown: MaxCompute keeps none, and DataWorks runs the nodes
// outside fgen.
func (w *Warehouse) Partition(ctx context.Context, table, column, value string) (warehouse.Partition, error) {
	p, err := w.c.Partition(ctx, table, fmt.Sprintf("%s='%s'", column, value))
	if errors.Is(err, ErrTableNotFound) || err == nil && p == nil {
		return warehouse.Partition{Bytes: -1}, nil
	}
	if err != nil {
		return warehouse.Partition{}, err
	}
	return warehouse.Partition{Exists: true, Modified: p.Modified, Bytes: p.Bytes}, nil
}

// Capabilities: jobs run on the remote service, any number at once;
// tables have lifecycles and real partitions, which every read must name;
// a sync task owns the ODS table.
func (w *Warehouse) Capabilities() warehouse.Capabilities {
	return warehouse.Capabilities{Engine: "maxcompute", Remote: true, Lifecycle: true}
}

// Run submits the job's statements one at a time, each as its own SQL task
// with the job's settings as hints (an SQL task runs one statement), and
// waits for each before the next. The first that fails stops the job: the
// ones before it stay applied.
func (w *Warehouse) Run(ctx context.Context, job *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	hints := map[string]string{}
	for _, s := range job.Settings {
		hints[s.Key] = s.Value
	}
	n := len(job.Statements)
	for i, stmt := range job.Statements {
		if err := w.runStatement(ctx, stmt, hints, func(j *Job) {
			if onSubmit != nil {
				onSubmit(warehouse.Submitted{Statement: i + 1, Statements: n, InstanceID: j.ID, LogView: j.LogView})
			}
		}); err != nil {
			return fmt.Errorf("%s: %w", describeJob(job), &warehouse.StatementError{Statement: i + 1, Statements: n, Err: err})
		}
	}
	return nil
}

// runStatement runs one statement, within the job timeout.
func (w *Warehouse) runStatement(ctx context.Context, stmt string, hints map[string]string, onSubmit func(*Job)) error {
	if w.JobTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.JobTimeout)
		defer cancel()
	}
	return w.c.Run(ctx, stmt, hints, onSubmit)
}

func describeJob(j *warehouse.Job) string {
	if j.Day != "" {
		return fmt.Sprintf("%s %s for %s", j.Kind, j.Name, j.Day)
	}
	return fmt.Sprintf("%s %s", j.Kind, j.Name)
}

// Query runs a query and returns its rows; `\N` cells are NULL.
func (w *Warehouse) Query(ctx context.Context, sql string) (*warehouse.Rows, error) {
	records, err := w.c.Query(ctx, sql, nil)
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
