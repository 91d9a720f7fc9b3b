package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// The driver fgen builds with keeps its connection handle where nativeConn
// looks: if an upgrade moves it, statements silently fall back to binding
// twice, so this fails instead.
func TestSessionIsNative(t *testing.T) {
	conn := memConn(t)
	if err := conn.Raw(func(dc any) error {
		if _, ok := nativeConn(dc); !ok {
			return errors.New("nativeConn found no DuckDB handle in the driver's connection")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func TestNativeConnRefusesOtherTypes(t *testing.T) {
	type other struct{ conn int }
	type handle struct{ conn mapping.Connection }
	for _, dc := range []any{nil, 1, other{}, &other{}, handle{}, (*handle)(nil)} {
		if _, ok := nativeConn(dc); ok {
			t.Errorf("nativeConn(%#v) found a handle", dc)
		}
	}
	if _, ok := nativeConn(&handle{}); !ok {
		t.Error("nativeConn(&handle{}) found none")
	}
}

func TestSessionExec(t *testing.T) { nativeAndDriver(t, checkSessionExec) }

// nativeAndDriver runs check twice: with sessions on duckdb_query, then
// with the driver's own calls, as where fgen finds no connection handle.
func nativeAndDriver(t *testing.T, check func(*testing.T)) {
	t.Run("native", check)
	t.Run("driver", func(t *testing.T) {
		findHandle = func(any) (mapping.Connection, bool) { return mapping.Connection{}, false }
		defer func() { findHandle = nativeConn }()
		check(t)
	})
}

func checkSessionExec(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	s := session{conn}
	for _, c := range []struct {
		query string
		n     int64
		err   string
	}{
		{query: `CREATE TABLE t (x BIGINT)`},
		{query: `INSERT INTO t SELECT range FROM range(5)`, n: 5},
		{query: `UPDATE t SET x = x + 1 WHERE x < 2`, n: 2},
		{query: `DELETE FROM t WHERE x = 4`, n: 1},
		{query: `SELECT * FROM missing`, err: "Table with name missing does not exist"},
		{query: `INSERT INTO t VALUES ('x')`, err: "Could not convert string 'x' to INT64"},
	} {
		n, err := s.exec(ctx, c.query)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: %v, want an error with %q", c.query, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.query, err)
		case n != c.n:
			t.Errorf("%s: %d rows changed, want %d", c.query, n, c.n)
		}
	}
	var sum int64
	if err := conn.QueryRowContext(ctx, `SELECT sum(x) FROM t`).Scan(&sum); err != nil || sum != 1+2+2+3 {
		t.Errorf("sum(x) = %d, %v; want 8", sum, err)
	}
}

// markPartitions writes its values as literals: quotes and backslashes in
// a table's name, a partition value or a fingerprint survive.
func TestMarkPartitionsQuotes(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	for i, v := range []string{`it's`, `a\'; DROP TABLE fgen_partitions; --`, `''`, `é\`} {
		table, value, fp := "t"+v, fmt.Sprintf("2021030%d/%s", i, v), "fp"+v
		for range 2 { // the INSERT, then the UPDATE
			if err := markPartitions(ctx, session{conn}, table, []string{value}, fp, "p", "7"); err != nil {
				t.Fatalf("%q: %v", v, err)
			}
		}
		var got string
		var rows int64
		if err := conn.QueryRowContext(ctx, `SELECT fingerprint, row_count FROM fgen_partitions WHERE table_name = ? AND value = ?`, table, value).Scan(&got, &rows); err != nil || got != fp || rows != 7 {
			t.Errorf("%q: fingerprint %q, %d rows, %v; want %q, 7", v, got, rows, err, fp)
		}
	}
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM fgen_partitions`).Scan(&n); err != nil || n != 4 {
		t.Errorf("%d notes, %v; want 4", n, err)
	}
}

// markPartitions notes each partition once, whether none, some or all of
// its values were noted before, and gives each the latest fingerprint.
func TestMarkPartitionsSomeNoted(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	for _, step := range []struct {
		values []string
		fp     string
		want   string // every note after the step, value:fingerprint
	}{
		{[]string{"a", "b"}, "1", "a:1 b:1"},
		{[]string{"b", "c", "d"}, "2", "a:1 b:2 c:2 d:2"},
		{[]string{"d", "c", "b", "a"}, "3", "a:3 b:3 c:3 d:3"},
		{[]string{"it's"}, "4", "a:3 b:3 c:3 d:3 it's:4"},
		{[]string{"e", "it's"}, "5", "a:3 b:3 c:3 d:3 e:5 it's:5"},
		// a value given twice: none noted, then some noted
		{[]string{"f", "f"}, "6", "a:3 b:3 c:3 d:3 e:5 f:6 it's:5"},
		{[]string{"g", "a", "g"}, "7", "a:7 b:3 c:3 d:3 e:5 f:6 g:7 it's:5"},
		{[]string{"a", "a"}, "8", "a:8 b:3 c:3 d:3 e:5 f:6 g:7 it's:5"},
	} {
		if err := markPartitions(ctx, session{conn}, "t", step.values, step.fp, "", ""); err != nil {
			t.Fatalf("%v: %v", step.values, err)
		}
		var got string
		err := conn.QueryRowContext(ctx, `SELECT string_agg(value || ':' || fingerprint, ' ' ORDER BY value) FROM fgen_partitions WHERE table_name = 't'`).Scan(&got)
		if err != nil || got != step.want {
			t.Errorf("after %v: %q, %v; want %q", step.values, got, err, step.want)
		}
	}
}

// A statement whose ctx ends is interrupted, and the connection runs the
// next statement.
func TestSessionInterrupts(t *testing.T) {
	conn := memConn(t)
	s := session{conn}
	var mc mapping.Connection
	if err := conn.Raw(func(dc any) error { mc, _ = nativeConn(dc); return nil }); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// minutes of work, uninterrupted
		_, err := s.exec(ctx, `SELECT count(*) FROM range(1000000000000) a`)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an interrupted statement returned no error")
		}
	case <-time.After(10 * time.Second):
		for len(done) == 0 { // free the connection, so the test ends now
			mapping.Interrupt(mc)
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the statement still ran 10 s after its ctx ended")
	}
	if _, err := s.exec(context.Background(), `SELECT 1`); err != nil {
		t.Errorf("the next statement: %v", err)
	}
	ended, cancelEnded := context.WithCancel(context.Background())
	cancelEnded()
	if _, err := s.exec(ended, `SELECT 1`); !errors.Is(err, context.Canceled) {
		t.Errorf("a statement with an ended ctx: %v, want context.Canceled", err)
	}
}

// BenchmarkStatement compares a statement run through the driver's
// ExecContext, which binds it twice on DuckDB 2.0, with a session's exec,
// which binds it once: a constant, and a report-shaped query of a table.
func BenchmarkStatement(b *testing.B) {
	ctx := context.Background()
	conn := memConn(b, `CREATE TABLE t (uid BIGINT, ev VARCHAR, dt VARCHAR)`)
	report := `SELECT ev, count(DISTINCT uid), count(*) FILTER (WHERE ev = 'click'),
       list_reduce(list(uid ORDER BY uid), lambda a, x: a + x, 0)
FROM t WHERE dt = '20210303' GROUP BY GROUPING SETS ((), (ev))`
	for _, q := range []struct{ name, sql string }{{"select1", `SELECT 1`}, {"report", report}} {
		b.Run(q.name+"/driver", func(b *testing.B) {
			for b.Loop() {
				if _, err := conn.ExecContext(ctx, q.sql); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/session", func(b *testing.B) {
			s := session{conn}
			for b.Loop() {
				if _, err := s.exec(ctx, q.sql); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// memConn is a connection to a new in-memory database (memDB, with stmts
// run), closed when the test ends.
func memConn(t testing.TB, stmts ...string) *sql.Conn {
	t.Helper()
	conn, err := memDB(t, stmts...).db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// PartitionWriters counts a table's partitions that loads noted (no
// fingerprint) and that jobs noted; a note from before fgen kept when and
// with what counts as earlier; a table with rows and no note is foreign.
func TestPartitionWriters(t *testing.T) {
	ctx := context.Background()
	db, err := Open(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.db.ExecContext(ctx, `INSERT INTO fgen_partitions (table_name, value, written_at, fingerprint) VALUES
		('ods', '20210303', now(), NULL), ('ods', '20210304', now(), NULL), ('dw', '20210303', now(), 'abc'), ('dw', '20210304', now(), 'def'), ('dw', '20210305', now(), NULL),
		('rpt', '20210301', NULL, NULL)`); err != nil {
		t.Fatal(err)
	}
	// Tables with no note: one holding a row, which is foreign, an empty one, which is not.
	if _, err := db.db.ExecContext(ctx, `CREATE TABLE rpt (dt VARCHAR); CREATE TABLE finance (dt VARCHAR, revenue BIGINT); INSERT INTO finance VALUES ('20210301', 100); CREATE TABLE "empty rpt" (dt VARCHAR)`); err != nil {
		t.Fatal(err)
	}
	got, err := db.PartitionWriters(ctx, []string{"ods", "dw", "rpt", "none", "finance", "empty rpt"})
	if err != nil {
		t.Fatal(err)
	}
	for table, want := range map[string]warehouse.Writers{
		"ods": {Loaded: 2}, "dw": {Loaded: 1, Jobs: 2}, "rpt": {Earlier: 1}, "none": {},
		"finance": {Foreign: true}, "empty rpt": {},
	} {
		if got[table] != want {
			t.Errorf("PartitionWriters: %s %+v; want %+v", table, got[table], want)
		}
	}
}
