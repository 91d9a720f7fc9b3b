package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// A node job and its partition mark commit together: whenever ctx ends,
// Run returns nil exactly when the partition holds the new rows and fgen's
// bookkeeping says it was written, and an error when neither happened. (A
// mark written after COMMIT, with the cancelled context, once left written
// partitions reported as not run and unmarked.)
func TestRunCommitsPartitionAndMarkTogether(t *testing.T) {
	db, err := Open(Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Run(ctx, &warehouse.Job{Name: "t", Kind: "ddl", Statements: []string{`CREATE TABLE t (x BIGINT, dt VARCHAR);`}}, nil); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	committed, rolledBack := 0, 0
	for i := range 40 {
		day := fmt.Sprintf("2021%04d", 101+i)
		job := &warehouse.Job{Name: "t", Kind: "node", Day: day, Partition: "dt", Statements: []string{
			fmt.Sprintf(`DELETE FROM t WHERE dt = '%s';`, day),
			fmt.Sprintf(`INSERT INTO t SELECT range, '%s' FROM range(%d);`, day, 200000+r.IntN(200000)),
		}}
		cctx, cancel := context.WithTimeout(ctx, time.Duration(r.IntN(60000))*time.Microsecond)
		runErr := db.Run(cctx, job, nil)
		cancel()
		rows, err := db.Query(ctx, fmt.Sprintf(`SELECT count(*) FROM t WHERE dt = '%s';`, day))
		if err != nil {
			t.Fatalf("iteration %d after Run returned %v: %v", i, runErr, err)
		}
		var marked bool
		if err := db.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM fgen_partitions WHERE table_name = 't' AND value = ?)`, day).Scan(&marked); err != nil {
			t.Fatal(err)
		}
		written := *rows.Values[0][0] != "0"
		switch {
		case runErr == nil && written && marked:
			committed++
		case runErr != nil && !written && !marked:
			rolledBack++
			if !errors.Is(runErr, context.DeadlineExceeded) {
				t.Errorf("%s: %v, want the context's error", day, runErr)
			}
		default:
			t.Errorf("%s: Run returned %v, but rows written %v and marked %v", day, runErr, written, marked)
		}
	}
	t.Logf("%d committed, %d rolled back", committed, rolledBack)
}

// Unordered lasts as long as its transaction: the connection goes back to
// the pool in DuckDB's default order, whether the transaction commits or
// fails, so a DW node that runs on it next writes its rows in the order it
// asks for (dw_order).
func TestUnorderedEndsWithTransaction(t *testing.T) {
	db, err := Open(Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.db.SetMaxOpenConns(1) // every statement on the one connection
	ctx := context.Background()
	setting := func(q func(string, ...any) *sql.Row) string {
		var v string
		if err := q(`SELECT current_setting('preserve_insertion_order')::VARCHAR`).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	failed := errors.New("failed")
	for _, fnErr := range []error{nil, failed} {
		err := db.Update(ctx, func(tx *Tx) error {
			if err := tx.Unordered(ctx); err != nil {
				return err
			}
			if got := setting(func(q string, args ...any) *sql.Row { return tx.conn.QueryRowContext(ctx, q, args...) }); got != "false" {
				t.Errorf("in the transaction: preserve_insertion_order = %s, want false", got)
			}
			return fnErr
		})
		if !errors.Is(err, fnErr) || (fnErr == nil && err != nil) {
			t.Fatalf("Update = %v, want %v", err, fnErr)
		}
		if got := setting(func(q string, args ...any) *sql.Row { return db.db.QueryRowContext(ctx, q, args...) }); got != "true" {
			t.Errorf("after the transaction (fn error %v): preserve_insertion_order = %s, want true", fnErr, got)
		}
	}
}

// A DDL job creates its table empty, so the notes of the partitions the
// table had are dropped with it, in its transaction: plan once called days
// of a table recreated with --allow-destructive (or dropped by hand and
// created again) up to date, and apply left them empty.
func TestDDLForgetsPartitions(t *testing.T) {
	db, err := Open(Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	create := `CREATE TABLE t (x BIGINT, dt VARCHAR);`
	run := func(job *warehouse.Job) error { return db.Run(ctx, job, nil) }
	exists := func() bool {
		t.Helper()
		p, err := db.Partition(ctx, "t", warehouse.DaySpec("dt", "20210301"))
		if err != nil {
			t.Fatal(err)
		}
		return p.Exists
	}
	dropped := func() []string {
		t.Helper()
		d, err := db.DroppedPartitions(ctx, []string{"t", "other"})
		if err != nil {
			t.Fatal(err)
		}
		return d["t"]
	}
	if err := run(&warehouse.Job{Name: "t", Kind: "ddl", Statements: []string{create}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.db.Exec(`SELECT * FROM fgen_dropped`); err == nil {
		t.Error("a new table's DDL made fgen_dropped: it drops nothing")
	}
	if err := run(&warehouse.Job{Name: "t", Kind: "node", Day: "20210301", Partition: "dt", Fingerprint: "f",
		Statements: []string{`INSERT INTO t VALUES (1, '20210301');`}}); err != nil || !exists() {
		t.Fatalf("node: %v, exists %v", err, exists())
	}
	// A partition a load noted (no fingerprint) is no job's.
	if _, err := db.db.Exec(`INSERT INTO fgen_partitions (table_name, value, written_at) VALUES ('t', '20210302', now())`); err != nil {
		t.Fatal(err)
	}
	// A recreate that fails keeps the table and its notes.
	if err := run(&warehouse.Job{Name: "t", Kind: "ddl", Statements: []string{`DROP TABLE t;`, `CREATE TABLE t (x NOSUCHTYPE);`}}); err == nil || !exists() || dropped() != nil {
		t.Fatalf("failed recreate: %v, exists %v, dropped %v", err, exists(), dropped())
	}
	if err := run(&warehouse.Job{Name: "t", Kind: "ddl", Statements: []string{`DROP TABLE t;`, create}}); err != nil {
		t.Fatal(err)
	}
	if exists() {
		t.Error("the partition of the recreated (empty) table is still noted")
	}
	// What the job wrote is noted as dropped, for a plan of no days.
	if d := dropped(); !slices.Equal(d, []string{"20210301"}) {
		t.Errorf("dropped partitions after the recreate: %v, want [20210301]", d)
	}
	// Written again: no longer dropped; and recreated again: noted once.
	if err := run(&warehouse.Job{Name: "t", Kind: "node", Day: "20210301", Partition: "dt", Fingerprint: "f",
		Statements: []string{`INSERT INTO t VALUES (1, '20210301');`}}); err != nil {
		t.Fatal(err)
	}
	if d := dropped(); d != nil {
		t.Errorf("dropped partitions after the day was written again: %v, want none", d)
	}
	if err := run(&warehouse.Job{Name: "t", Kind: "ddl", Statements: []string{`DROP TABLE t;`, create}}); err != nil {
		t.Fatal(err)
	}
	if d := dropped(); !slices.Equal(d, []string{"20210301"}) {
		t.Errorf("dropped partitions after a second recreate: %v, want [20210301]", d)
	}
}

// A partition a job wrote, as its note (with the rows it wrote) and the
// rows the table holds now tell: deleted outside fgen (plan writes it
// again), changed, as written, or noted empty; and a table made again
// under the name, whose notes are of the table it replaced.
func TestPartitionsChangedOutsideFgen(t *testing.T) {
	ctx := context.Background()
	db := memDB(t, `CREATE TABLE d (n BIGINT, dt VARCHAR NOT NULL)`)
	days := []string{"20210301", "20210302", "20210303", "20210304"}
	for i, day := range days {
		var stmts []string
		if i < 3 {
			stmts = []string{fmt.Sprintf(`INSERT INTO d VALUES (1, '%s'), (2, '%s');`, day, day)}
		}
		if err := db.Run(ctx, &warehouse.Job{Name: "d", Kind: "node", Day: day, Partition: "dt", Fingerprint: "f", Project: "p", Statements: stmts}, nil); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(stmts ...string) {
		t.Helper()
		for _, q := range stmts {
			if _, err := db.db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
	}
	exec(`DELETE FROM d WHERE dt = '20210301'`, `DELETE FROM d WHERE dt = '20210302' AND n = 2`)
	want := map[string]warehouse.Partition{
		"20210301": {Exists: false},
		"20210302": {Exists: true, Changed: "it holds 1 row, where fgen wrote 2: changed outside fgen"},
		"20210303": {Exists: true},
		"20210304": {Exists: true}, // noted empty, and empty
	}
	got, err := db.DayPartitions(ctx, "d", "dt", "", days)
	if err != nil {
		t.Fatal(err)
	}
	for _, day := range days {
		one, err := db.Partition(ctx, "d", warehouse.DaySpec("dt", day))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []warehouse.Partition{got[day], one} {
			if p.Exists != want[day].Exists || p.Changed != want[day].Changed {
				t.Errorf("%s: %+v, want Exists %v, Changed %q", day, p, want[day].Exists, want[day].Changed)
			}
		}
	}
	// An fgen of before row_count rewrote 20210302: it updates written_at
	// alone, so the count noted is not of the rows it wrote.
	exec(`UPDATE fgen_partitions SET written_at = written_at + INTERVAL 1 SECOND WHERE table_name = 'd' AND value = '20210302'`)
	for _, p := range []func() (warehouse.Partition, error){
		func() (warehouse.Partition, error) {
			got, err := db.DayPartitions(ctx, "d", "dt", "", days)
			return got["20210302"], err
		},
		func() (warehouse.Partition, error) {
			return db.Partition(ctx, "d", warehouse.DaySpec("dt", "20210302"))
		},
	} {
		if got, err := p(); err != nil || !got.Exists || got.Changed != "" {
			t.Errorf("20210302 rewritten by an fgen of before: %+v, %v; want as noted", got, err)
		}
	}
	replaced := func() string {
		t.Helper()
		w, err := db.PartitionWriters(ctx, []string{"d"})
		if err != nil {
			t.Fatal(err)
		}
		return w["d"].Replaced
	}
	jobTables := func() []string {
		t.Helper()
		tables, err := db.JobTables(ctx, "p", nil)
		if err != nil {
			t.Fatal(err)
		}
		return tables
	}
	if why := replaced(); why != "" || !slices.Equal(jobTables(), []string{"d"}) {
		t.Errorf("fgen's table, some partitions changed: replaced %q, job tables %v", why, jobTables())
	}
	// Made again outside fgen, with columns fgen's DDL never declares: its
	// rows are not fgen's, whatever its name.
	for _, tc := range []struct{ create, fill, want string }{
		{`CREATE TABLE d (n BIGINT, dt VARCHAR)`, ``, "none of its columns is NOT NULL, where fgen's DDL declares the partition columns so"},
		{`CREATE TABLE d (n BIGINT NOT NULL, dt VARCHAR NOT NULL)`, ``, "its NOT NULL columns (n BIGINT, dt VARCHAR) are not partition columns as fgen's DDL declares them, VARCHAR NOT NULL and only them (1, as fgen noted its partitions)"},
		{`CREATE TABLE d (id UUID PRIMARY KEY, amount BIGINT)`, `INSERT INTO d VALUES (uuid(), 1)`, "its NOT NULL columns (id UUID) are not partition columns"},
		// Rows are no evidence: fgen's, its partitions changed by hand
		// (which plan writes again), or one made with fgen's DDL.
		{`CREATE TABLE d (n BIGINT, dt VARCHAR NOT NULL)`, `INSERT INTO d SELECT range, '20210303' FROM range(5)`, ""},
		{`CREATE TABLE d (n BIGINT, dt VARCHAR NOT NULL)`, ``, ""},
	} {
		exec(`DROP TABLE d`, tc.create)
		if tc.fill != "" {
			exec(tc.fill)
		}
		why := replaced()
		if tc.want == "" && why != "" || !strings.Contains(why, tc.want) {
			t.Errorf("%s: replaced %q, want %q", tc.create, why, tc.want)
		}
		if listed := slices.Contains(jobTables(), "d"); listed != (tc.want == "") {
			t.Errorf("%s: among the project's tables %v", tc.create, listed)
		}
	}
}

// A node job's note counts its partition's rows by the table's name, quoted:
// quotes in it survive.
func TestRunCountsRowsOfAQuotedTable(t *testing.T) {
	ctx := context.Background()
	const name = `it's "t"`
	db := memDB(t, `CREATE TABLE "it's ""t""" (n BIGINT, dt VARCHAR NOT NULL)`)
	job := &warehouse.Job{Name: name, Kind: "node", Day: "20210301", Partition: "dt", Fingerprint: "f",
		Statements: []string{`INSERT INTO "it's ""t""" VALUES (1, '20210301'), (2, '20210301'), (3, '20210302');`}}
	if err := db.Run(ctx, job, nil); err != nil {
		t.Fatal(err)
	}
	var n int64
	if err := db.db.QueryRowContext(ctx, `SELECT row_count FROM fgen_partitions WHERE table_name = ?`, name).Scan(&n); err != nil || n != 2 {
		t.Errorf("row_count %d, %v; want 2", n, err)
	}
}
