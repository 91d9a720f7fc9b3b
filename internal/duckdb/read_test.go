package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2/mapping"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/warehouse"
)

// A read gives each type fgen reads as database/sql gives it through the
// driver, NULL of each as nil; strings short enough to be inlined in
// DuckDB's vectors (12 bytes) and longer ones; and every row of a result
// of several chunks (2,048 rows each). Both ways: duckdb_query, and the
// driver's own query where fgen finds no connection handle.
func TestRead(t *testing.T) { nativeAndDriver(t, checkRead) }

func checkRead(t *testing.T) {
	ctx := context.Background()
	conn := memConn(t)
	s := session{conn}
	const values = `SELECT 'short', 'a string of more than twelve bytes, é', true, false,
	CAST(-5 AS TINYINT), CAST(-300 AS SMALLINT), CAST(-70000 AS INTEGER), CAST(-5000000000 AS BIGINT),
	CAST(250 AS UTINYINT), CAST(65000 AS USMALLINT), CAST(4000000000 AS UINTEGER),
	TIMESTAMP '2021-03-03 07:08:09.123456', ''`
	nulls := `SELECT NULL::VARCHAR, NULL::VARCHAR, NULL::BOOLEAN, NULL::BOOLEAN, NULL::TINYINT, NULL::SMALLINT, NULL::INTEGER, NULL::BIGINT,
	NULL::UTINYINT, NULL::USMALLINT, NULL::UINTEGER, NULL::TIMESTAMP, NULL::VARCHAR`
	want := []any{"short", "a string of more than twelve bytes, é", true, false,
		int64(-5), int64(-300), int64(-70000), int64(-5000000000),
		int64(250), int64(65000), int64(4000000000),
		time.Date(2021, 3, 3, 7, 8, 9, 123456000, time.UTC), ""}
	var got []row
	if err := s.read(ctx, values+` UNION ALL `+nulls, func(r row) error {
		got = append(got, append(row(nil), r...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d rows, want 2", len(got))
	}
	if a, b := got[0], got[1]; a[0] == nil {
		got[0], got[1] = b, a
	}
	if fmt.Sprintf("%#v", []any(got[0])) != fmt.Sprintf("%#v", want) {
		t.Errorf("values:\n got %#v\nwant %#v", []any(got[0]), want)
	}
	for i, v := range got[1] {
		if v != nil {
			t.Errorf("NULL of column %d read as %#v", i+1, v)
		}
	}

	// The same values through database/sql, into the types fgen scans.
	var str, long string
	var yes, no bool
	var i8, i16, i32, i64, u8, u16, u32 int64
	var ts time.Time
	var empty sql.NullString
	dest := []any{&str, &long, &yes, &no, &i8, &i16, &i32, &i64, &u8, &u16, &u32, &ts, &empty}
	if err := got[0].scan(dest...); err != nil {
		t.Fatal(err)
	}
	var ns sql.NullString
	var nt sql.NullTime
	var ni sql.NullInt64
	var nb sql.NullBool
	if err := (row{nil, nil, nil, nil}).scan(&ns, &nt, &ni, &nb); err != nil || ns.Valid || nt.Valid || ni.Valid || nb.Valid {
		t.Errorf("NULLs scanned into sql.Null types: %v %v %v %v, %v", ns, nt, ni, nb, err)
	}
	if err := (row{nil}).scan(&str); err == nil || !strings.Contains(err.Error(), "NULL into a string") {
		t.Errorf("NULL into a string: %v", err)
	}
	if err := (row{"x"}).scan(&i64); err == nil || !strings.Contains(err.Error(), "a string into a int64") {
		t.Errorf("a string into an int64: %v", err)
	}
	if err := (row{"x"}).scan(&str, &i64); err == nil {
		t.Error("a scan of one column into two values: no error")
	}
	var n int
	if err := (row{int64(7)}).scan(&n); err != nil || n != 7 {
		t.Errorf("an int64 into an int: %d, %v", n, err)
	}

	// Several chunks: every row, in order.
	var rows, sum int64
	if err := s.read(ctx, `SELECT range, 'value ' || range FROM range(5000)`, func(r row) error {
		var v int64
		var text string
		if err := r.scan(&v, &text); err != nil {
			return err
		}
		if v != rows || text != fmt.Sprint("value ", v) {
			return fmt.Errorf("row %d: %d %q", rows, v, text)
		}
		rows++
		sum += v
		return nil
	}); err != nil || rows != 5000 || sum != 4999*5000/2 {
		t.Errorf("a read of 5,000 rows: %d rows, sum %d, %v", rows, sum, err)
	}

	// Errors: DuckDB's, each's, a type fgen does not read.
	if err := s.read(ctx, `SELECT * FROM missing`, func(row) error { return nil }); err == nil || !strings.Contains(err.Error(), "Table with name missing does not exist") {
		t.Errorf("a read of a missing table: %v", err)
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.read(ctx, `SELECT range FROM range(10)`, func(row) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("each's error: %v after %d calls, want stop after 1", err, calls)
	}
	if _, native := findHandleOf(t, conn); native {
		err := s.read(ctx, `SELECT 1.5::DOUBLE AS ratio`, func(row) error { return nil })
		if err == nil || !strings.Contains(err.Error(), `column "ratio"`) {
			t.Errorf("a DOUBLE column: %v, want an error naming it", err)
		}
	}
	// The connection reads on after each error.
	var one int64
	if err := s.read(ctx, `SELECT 1`, func(r row) error { return r.scan(&one) }); err != nil || one != 1 {
		t.Errorf("SELECT 1 after the errors: %d, %v", one, err)
	}
}

// findHandleOf says whether reads on conn go through duckdb_query.
func findHandleOf(t *testing.T, conn *sql.Conn) (mapping.Connection, bool) {
	t.Helper()
	var mc mapping.Connection
	var ok bool
	if err := conn.Raw(func(dc any) error { mc, ok = findHandle(dc); return nil }); err != nil {
		t.Fatal(err)
	}
	return mc, ok
}

// readRow scans the first row, and says sql.ErrNoRows of none.
func TestReadRow(t *testing.T) {
	ctx := context.Background()
	db := memDB(t)
	var n int64
	if err := db.readRow(ctx, `SELECT range FROM range(3, 6)`, &n); err != nil || n != 3 {
		t.Errorf("readRow: %d, %v; want 3", n, err)
	}
	if err := db.readRow(ctx, `SELECT range FROM range(0)`, &n); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("readRow of no rows: %v, want sql.ErrNoRows", err)
	}
}

// A read whose ctx ends is interrupted, and the connection reads the next.
func TestReadInterrupts(t *testing.T) {
	conn := memConn(t)
	s := session{conn}
	mc, _ := findHandleOf(t, conn)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		// minutes of work, uninterrupted
		done <- s.read(ctx, `SELECT count(*) FROM range(1000000000000) a`, func(row) error { return nil })
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an interrupted read returned no error")
		}
	case <-time.After(10 * time.Second):
		for len(done) == 0 {
			mapping.Interrupt(mc)
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatal("the read still ran 10 s after its ctx ended")
	}
	var one int64
	if err := s.read(context.Background(), `SELECT 1`, func(r row) error { return r.scan(&one) }); err != nil || one != 1 {
		t.Errorf("the next read: %d, %v", one, err)
	}
	ended, cancelEnded := context.WithCancel(context.Background())
	cancelEnded()
	if err := s.read(ended, `SELECT 1`, func(row) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a read with an ended ctx: %v, want context.Canceled", err)
	}
}

// BenchmarkRead compares a read of fgen_partitions, and SELECT 1, through
// database/sql's QueryContext (prepared, then bound again as it runs) with
// a session's read (duckdb_query).
func BenchmarkRead(b *testing.B) {
	ctx := context.Background()
	db := memDB(b, `INSERT INTO fgen_partitions (table_name, value, written_at) SELECT 'x', strftime(DATE '2021-01-01' + CAST(range AS INTEGER), '%Y%m%d'), now() FROM range(200)`)
	books := `SELECT value, written_at, fingerprint, ` + countedRows + ` FROM fgen_partitions WHERE table_name = 'x' AND split_part(value, '/', 1) IN ('20210303', '20210304')`
	for _, q := range []struct{ name, sql string }{{"select1", `SELECT 1`}, {"books", books}} {
		b.Run(q.name+"/driver", func(b *testing.B) {
			for b.Loop() {
				rows, err := db.db.QueryContext(ctx, q.sql)
				if err != nil {
					b.Fatal(err)
				}
				for rows.Next() {
				}
				if err := rows.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/read", func(b *testing.B) {
			for b.Loop() {
				if err := db.read(ctx, q.sql, func(row) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The reads write names and values as literals: a table whose name holds a
// quote, a backslash or SQL, and partitions of such values, read back as
// they were written, in each read of the bookkeeping and of the catalog.
func TestReadsQuote(t *testing.T) {
	ctx := context.Background()
	db := memDB(t)
	for _, v := range []string{`it's`, `a\'; DROP TABLE fgen_partitions; --`, `é\`} {
		table, day := "t"+v, "2021'03"+v
		if _, err := db.db.ExecContext(ctx, `CREATE TABLE `+quote(table)+` (x BIGINT, dt VARCHAR NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.db.ExecContext(ctx, `INSERT INTO `+quote(table)+` VALUES (1, `+generator.DuckDB.QuoteString(day)+`)`); err != nil {
			t.Fatal(err)
		}
		conn, err := db.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		err = markPartitions(ctx, session{conn}, table, []string{day}, "fp", "p"+v, "1")
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		tables, err := db.DescribeTables(ctx, []string{table})
		if err != nil || tables[table] == nil || len(tables[table].Columns) != 2 || !tables[table].Columns[1].Partition {
			t.Errorf("%q: DescribeTables: %+v, %v", v, tables[table], err)
		}
		parts, err := db.DayPartitions(ctx, table, "dt", "", []string{day})
		if p := parts[day]; err != nil || !p.Exists || p.Fingerprint != "fp" || p.Changed != "" {
			t.Errorf("%q: DayPartitions: %+v, %v", v, parts, err)
		}
		p, err := db.Partition(ctx, table, warehouse.PartitionSpec{{Column: "dt", Value: day}})
		if err != nil || !p.Exists || p.Fingerprint != "fp" || p.Changed != "" {
			t.Errorf("%q: Partition: %+v, %v", v, p, err)
		}
		w, err := db.PartitionWriters(ctx, []string{table})
		if err != nil || w[table].Jobs != 1 || w[table].Replaced != "" {
			t.Errorf("%q: PartitionWriters: %+v, %v", v, w, err)
		}
		jobs, err := db.JobTables(ctx, "p"+v, nil)
		if err != nil || !slices.Equal(jobs, []string{table}) {
			t.Errorf("%q: JobTables: %v, %v", v, jobs, err)
		}
		noted, err := db.NotedPartitions(ctx, []string{table}, false)
		if err != nil || !slices.Equal(noted[table], []string{day}) {
			t.Errorf("%q: NotedPartitions: %v, %v", v, noted, err)
		}
		rows, err := db.PartitionRows(ctx, table, "dt", "", []string{day})
		if err != nil || rows[day] != 1 {
			t.Errorf("%q: PartitionRows: %v, %v", v, rows, err)
		}
	}
	var n int64
	if err := db.readRow(ctx, `SELECT count(*) FROM fgen_partitions`, &n); err != nil || n != 3 {
		t.Errorf("%d notes, %v; want 3", n, err)
	}
}

// PartitionRows counts the rows of a table whose day column is not
// VARCHAR, made outside fgen (an ODS table a user made): its keys are the
// days as text, as loads compare them.
func TestPartitionRowsOfAnIntegerDay(t *testing.T) {
	ctx := context.Background()
	db := memDB(t, `CREATE TABLE ti (x BIGINT, dt INTEGER NOT NULL, hh INTEGER)`, `INSERT INTO ti VALUES (1, 20210303, 7), (2, 20210303, 7), (3, 20210304, NULL)`)
	want := map[string]int64{"20210303": 2, "20210304": 1}
	if got, err := db.PartitionRows(ctx, "ti", "dt", "", []string{"20210303", "20210304"}); err != nil || !maps.Equal(got, want) {
		t.Errorf("PartitionRows: %v, %v; want %v", got, err, want)
	}
	if got, err := db.PartitionRows(ctx, "ti", "dt", "hh", []string{"20210303", "20210304"}); err != nil || !maps.Equal(got, map[string]int64{"20210303/7": 2}) {
		t.Errorf("PartitionRows by hour: %v, %v; want map[20210303/7:2]", got, err)
	}
	err := db.Update(ctx, func(tx *Tx) error {
		got, err := tx.PartitionRows(ctx, "ti", "dt", "", []string{"20210303"})
		if err != nil || got["20210303"] != 2 {
			t.Errorf("Tx.PartitionRows: %v, %v; want map[20210303:2]", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
