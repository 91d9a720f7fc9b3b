// Package duckdb is fgen's embedded engine: a local DuckDB database file that
// holds the ODS, DW and RPT tables, with each table's partition column kept
// as a plain column.
package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// Options configure the engine.
type Options struct {
	Path        string // database file; "" or ":memory:" for an in-memory database
	Threads     int    // 0: DuckDB's default (all cores)
	MemoryLimit string // e.g. "2GB"; "" for DuckDB's default
}

// DB is an open local warehouse.
type DB struct {
	db        *sql.DB
	connector *duckdb.Connector
	path      string
}

var _ warehouse.Warehouse = (*DB)(nil)

// Open opens (creating if needed) the database file.
func Open(opts Options) (*DB, error) {
	path := opts.Path
	if path == ":memory:" {
		path = ""
	}
	if path != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	if opts.Threads > 0 {
		q.Set("threads", strconv.Itoa(opts.Threads))
	}
	if opts.MemoryLimit != "" {
		q.Set("memory_limit", opts.MemoryLimit)
	}
	dsn := path
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	connector, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", displayPath(opts.Path), err)
	}
	db := sql.OpenDB(connector)
	d := &DB{db: db, connector: connector, path: path}
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS fgen_partitions (table_name VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY (table_name, value))`); err != nil {
		d.Close()
		return nil, fmt.Errorf("open %s: %w", displayPath(opts.Path), err)
	}
	return d, nil
}

func displayPath(p string) string {
	if p == "" {
		return ":memory:"
	}
	return p
}

// Close closes the database.
func (d *DB) Close() error {
	err := d.db.Close()
	if cerr := d.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// Dir returns the directory of the database file, "" for an in-memory
// database: where work files beside it go (see duckutil.MakeStagingDir).
func (d *DB) Dir() string {
	if d.path == "" {
		return ""
	}
	return filepath.Dir(d.path)
}

// SQL returns the underlying database, for tests and benchmarks.
func (d *DB) SQL() *sql.DB { return d.db }

// Run executes a script (DDL or a node's SQL, possibly several statements
// with its own BEGIN/COMMIT) on one connection. If a statement fails, an open
// transaction is rolled back, so the partition keeps its previous rows.
func (d *DB) Run(ctx context.Context, job *warehouse.Job, onSubmit func(warehouse.Submitted)) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if onSubmit != nil {
		onSubmit(warehouse.Submitted{Job: job})
	}
	sql := job.SQL
	if job.Kind != "node" && !strings.Contains(sql, "BEGIN TRANSACTION") {
		// Table changes apply whole or not at all.
		sql = "BEGIN TRANSACTION;\n" + sql + "\nCOMMIT;"
	}
	if _, err := conn.ExecContext(ctx, sql); err != nil {
		conn.ExecContext(context.Background(), "ROLLBACK")
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w", jobName(job), cleanError(err))
	}
	if job.Kind == "node" && job.Day != "" {
		return markPartition(ctx, conn, job.Name, job.Day)
	}
	return nil
}

func jobName(j *warehouse.Job) string {
	if j.Day != "" {
		return j.Name + " for " + j.Day
	}
	return j.Name
}

// cleanError trims DuckDB's multi-line error text to its first paragraph.
func cleanError(err error) error {
	msg := err.Error()
	if i := strings.Index(msg, "\n\n"); i > 0 {
		msg = msg[:i]
	}
	return errors.New(strings.TrimSpace(msg))
}

// execer runs a statement: a *sql.Conn or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// markPartition notes in fgen_partitions that fgen loaded or wrote the
// partition value of table.
func markPartition(ctx context.Context, ex execer, table, value string) error {
	_, err := ex.ExecContext(ctx, `INSERT INTO fgen_partitions VALUES (?, ?) ON CONFLICT DO NOTHING`, table, value)
	return err
}

// deletePartitions deletes, in one statement, the rows of table whose
// partition column is one of days.
func deletePartitions(ctx context.Context, ex execer, table, column string, days []string) error {
	if len(days) == 0 {
		return nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(days)), ", ")
	_, err := ex.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %s WHERE %s IN (%s)`, quote(table), quote(column), marks), anys(days)...)
	return err
}

// Describe returns a table's columns. DuckDB has no partitions: the
// partition column is a plain column, reported among Columns.
func (d *DB) Describe(ctx context.Context, table string) (*warehouse.Table, error) {
	t := &warehouse.Table{Name: table}
	err := d.db.QueryRowContext(ctx, `SELECT coalesce(comment, '') FROM duckdb_tables() WHERE table_name = ? AND schema_name = 'main'`, table).Scan(&t.Comment)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warehouse.ErrTableNotFound
	}
	if err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT column_name, data_type, coalesce(comment, '') FROM duckdb_columns() WHERE table_name = ? AND schema_name = 'main' ORDER BY column_index`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c warehouse.Column
		if err := rows.Scan(&c.Name, &c.Type, &c.Comment); err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

// PartitionExists reports whether fgen loaded or wrote the partition, or the
// table has rows in it.
func (d *DB) PartitionExists(ctx context.Context, table, column, value string) (bool, error) {
	var ok bool
	err := d.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM fgen_partitions WHERE table_name = ? AND value = ?)`, table, value).Scan(&ok)
	if err != nil || ok {
		return ok, err
	}
	q := fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM %s WHERE %s = ?)`, quote(table), quote(column))
	err = d.db.QueryRowContext(ctx, q, value).Scan(&ok)
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		return false, nil
	}
	return ok, err
}

// Query runs a query and returns every row as text, NULL as nil.
func (d *DB) Query(ctx context.Context, q string) (*warehouse.Rows, error) {
	rows, err := d.db.QueryContext(ctx, q)
	if err != nil {
		return nil, cleanError(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := &warehouse.Rows{Columns: cols}
	// Scan overwrites every value of vals; each row copies them out.
	vals := make([]sql.NullString, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			if v.Valid {
				s := v.String
				row[i] = &s
			}
		}
		out.Values = append(out.Values, row)
	}
	return out, rows.Err()
}

func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// ReplacePartitions replaces the partitions days of table, in one
// transaction, with the rows fill writes on the given connection.
func (d *DB) ReplacePartitions(ctx context.Context, table, column string, days []string, fill func(*sql.Conn) (int64, error)) (int64, error) {
	var n int64
	err := d.Update(ctx, func(tx *Tx) error {
		if err := tx.ClearPartitions(ctx, table, column, days); err != nil {
			return err
		}
		var err error
		n, err = fill(tx.conn)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Tx is a transaction of the engine on one connection, for what writes
// tables in bulk (fgen load, in internal/ingest). Update commits or rolls
// it back; its statements see the transaction's own changes.
type Tx struct {
	conn *sql.Conn
}

// Update runs fn in a transaction on one connection and commits it if fn
// returns nil. If fn fails, ctx ends or the commit fails, it rolls the
// transaction back, so every table keeps the rows it had.
func (d *DB) Update(ctx context.Context, fn func(tx *Tx) error) error {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return err
	}
	err = fn(&Tx{conn: conn})
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		if _, err = conn.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
		err = txError(ctx, err)
	}
	conn.ExecContext(context.Background(), "ROLLBACK")
	return err
}

// Exec runs a statement in the transaction and returns the number of rows
// it changed. Its error is DuckDB's first paragraph, or ctx's error when ctx
// ended.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.conn.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, txError(ctx, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return n, nil
}

// Query runs a query in the transaction; its errors are as Exec's.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := t.conn.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, txError(ctx, err)
	}
	return rows, nil
}

// ClearPartitions deletes the rows of table whose partition column is one
// of days, and notes each of days as a partition fgen wrote.
func (t *Tx) ClearPartitions(ctx context.Context, table, column string, days []string) error {
	if err := deletePartitions(ctx, t.conn, table, column, days); err != nil {
		return txError(ctx, err)
	}
	return t.MarkPartitions(ctx, table, days)
}

// MarkPartitions notes days as partitions of table that fgen wrote (see
// PartitionExists).
func (t *Tx) MarkPartitions(ctx context.Context, table string, days []string) error {
	for _, day := range days {
		if err := markPartition(ctx, t.conn, table, day); err != nil {
			return txError(ctx, err)
		}
	}
	return nil
}

// txError is ctx's error if ctx ended (DuckDB was interrupted), else err
// trimmed to its first paragraph.
func txError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return cleanError(err)
}

func anys(s []string) []any {
	a := make([]any, len(s))
	for i, v := range s {
		a[i] = v
	}
	return a
}
