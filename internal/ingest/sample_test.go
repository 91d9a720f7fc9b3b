package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/sample"
)

// duckdbTricky are values DuckDB must read back exactly from every format.
var duckdbTricky = []sample.Event{
	{MD5: "00000000000000000000000000000001", UIDNull: true, TS: -1, IP: "", Bytes: 1 << 62,
		DeviceBrand: `a,b`, Device: `say "hi"`, SystemType: "line\nbreak\r\nx", CustomizeEvent: "",
		UseTime: -9223372036854775808, CustomizeEventContent: " leading space", Dt: "20210303"},
	{MD5: "00000000000000000000000000000002", UID: "", IP: "\\", DeviceBrand: "华为", Device: "tab\there",
		SystemType: "\u2028", CustomizeEvent: "NULL", CustomizeEventContent: `\"\N`, Dt: "20210303"},
}

func openDuckDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// readBack returns the rows of query in order.
func readBack(t testing.TB, db *sql.DB, query string) []sample.Event {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var evs []sample.Event
	for rows.Next() {
		var e sample.Event
		var uid sql.NullString
		if err := rows.Scan(&e.MD5, &uid, &e.TS, &e.IP, &e.Status, &e.Bytes, &e.DeviceBrand, &e.Device,
			&e.SystemType, &e.CustomizeEvent, &e.UseTime, &e.CustomizeEventContent, &e.Dt); err != nil {
			t.Fatal(err)
		}
		e.UID, e.UIDNull = uid.String, !uid.Valid
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return evs
}

// checkReadBack requires query to return want, row by row.
func checkReadBack(t testing.TB, db *sql.DB, query string, want []sample.Event) {
	t.Helper()
	got := readBack(t, db, query)
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("row %d:\ngot  %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
}

func checkTypes(t *testing.T, db *sql.DB, source string) {
	t.Helper()
	describe := func(from string) []string {
		t.Helper()
		rows, err := db.Query("SELECT column_name || ' ' || column_type FROM (DESCRIBE SELECT * FROM " + from + ")")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var cols []string
		for rows.Next() {
			var c string
			if err := rows.Scan(&c); err != nil {
				t.Fatal(err)
			}
			cols = append(cols, c)
		}
		return cols
	}
	// The seed's ODS columns (../shared/seed), ts in epoch seconds, and dt.
	want := []string{"md5 VARCHAR", "uid VARCHAR", "ts BIGINT", "ip VARCHAR", "status BIGINT", "bytes BIGINT",
		"device_brand VARCHAR", "device VARCHAR", "system_type VARCHAR", "customize_event VARCHAR", "use_time BIGINT",
		"customize_event_content VARCHAR", "dt VARCHAR"}
	if got := describe(source); !slices.Equal(got, want) {
		t.Errorf("columns\n got %v\nwant %v", got, want)
	}
}

// sampleEvents returns copies of the events of opts.
func sampleEvents(t testing.TB, opts sample.Options) []sample.Event {
	t.Helper()
	var evs []sample.Event
	if err := sample.Generate(opts, func(e *sample.Event) error {
		evs = append(evs, *e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return evs
}

// writeAll writes evs with w and closes it.
func writeAll(t *testing.T, w sample.Writer, evs []sample.Event) {
	t.Helper()
	for i := range evs {
		if err := w.Write(&evs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Files of every format read back through DuckDB with the right types,
// values and NULLs.
func TestDuckDBReadsFiles(t *testing.T) {
	t.Parallel()
	evs := append(sampleEvents(t, sample.Options{Users: 2000, Seed: 4, Noise: true}), duckdbTricky...)
	db := openDuckDB(t)
	dir := t.TempDir()
	for _, name := range []string{"ods.jsonl", "ods.csv", "ods.parquet"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			w, err := CreateSample(context.Background(), path, sample.TimeFormat{})
			if err != nil {
				t.Fatal(err)
			}
			writeAll(t, w, evs)
			f, _ := sample.FormatFromPath(path)
			source := sample.DuckDBSource(f, path, sample.TimeFormat{})
			checkTypes(t, db, source)
			checkReadBack(t, db, "SELECT * FROM "+source, evs)
			var nulls, empties int
			q := "SELECT count(*) FILTER (uid IS NULL), count(*) FILTER (uid = '') FROM " + source
			if err := db.QueryRow(q).Scan(&nulls, &empties); err != nil {
				t.Fatal(err)
			}
			if nulls == 0 || empties == 0 {
				t.Errorf("%d NULL and %d empty uids, want both", nulls, empties)
			}
		})
	}
}

func TestParquetDeterministic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var files [2][]byte
	for i := range files {
		path := filepath.Join(dir, "ods.parquet")
		w, err := NewSampleParquet(context.Background(), path, sample.TimeFormat{})
		if err != nil {
			t.Fatal(err)
		}
		if err := sample.Generate(sample.Options{Users: 500, Noise: true}, w.Write); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if files[i], err = os.ReadFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Error("the same options gave different sample.Parquet files")
	}
}

// The writer's database is bounded and spills only into its staging
// directory beside the output (see parquetMemory).
func TestParquetMemory(t *testing.T) {
	dir := t.TempDir()
	w, err := NewSampleParquet(context.Background(), filepath.Join(dir, "ods.parquet"), sample.TimeFormat{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var limit, temp string
	if err := w.db.QueryRow(`SELECT current_setting('memory_limit'), current_setting('temp_directory')`).Scan(&limit, &temp); err != nil {
		t.Fatal(err)
	}
	if limit != "244.1 MiB" || filepath.Dir(filepath.Dir(temp)) != dir || !strings.HasPrefix(filepath.Base(filepath.Dir(temp)), ".fgen-sample-") {
		t.Errorf("memory_limit %q, temp_directory %q; want 244.1 MiB and a staging directory in %s", limit, temp, dir)
	}
}

// newParquet returns a SampleParquet writing ods.parquet in a new
// directory, in parts of partRows rows, and the directory.
func newParquet(t *testing.T, ctx context.Context, partRows int) (*SampleParquet, string) {
	t.Helper()
	dir := t.TempDir()
	w, err := NewSampleParquet(ctx, filepath.Join(dir, "ods.parquet"), sample.TimeFormat{})
	if err != nil {
		t.Fatal(err)
	}
	w.partRows = partRows
	return w, dir
}

// checkEmpty requires dir to hold nothing: no output, no staging directory.
func checkEmpty(t *testing.T, dir string) {
	t.Helper()
	if files, _ := os.ReadDir(dir); len(files) != 0 {
		t.Errorf("left %v", files)
	}
}

// When ctx ends, the part that ends next and Close return its error, and
// Close writes nothing: no output, no staging directory.
func TestParquetStopsWithContext(t *testing.T) {
	for _, name := range []string{"close", "write"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			w, dir := newParquet(t, ctx, 1000)
			evs := sampleEvents(t, sample.Options{Users: 400, Noise: true}) // about 3,500 rows: 3 parts
			var werr error
			for i := range evs {
				if i == 2500 {
					cancel()
				}
				if werr = w.Write(&evs[i]); werr != nil {
					break
				}
			}
			if name == "write" && !errors.Is(werr, context.Canceled) {
				t.Errorf("Write after the cancel = %v, want %v once a part ended", werr, context.Canceled)
			}
			if err := w.Close(); !errors.Is(err, context.Canceled) {
				t.Errorf("Close = %v, want %v", err, context.Canceled)
			}
			checkEmpty(t, dir)
		})
	}
}

// A part whose conversion fails in the background fails the Write that
// ends the next part, or Close: the error, no output, no staging directory.
func TestParquetFailedConversion(t *testing.T) {
	for _, rows := range []int{2500, 1500} { // the failed part's error comes from a Write, or from Close
		t.Run(fmt.Sprint(rows), func(t *testing.T) {
			w, dir := newParquet(t, context.Background(), 1000)
			// DuckDB cannot write the first Parquet part: a directory stands there.
			if err := os.Mkdir(filepath.Join(w.tmpDir, "part-000000.parquet"), 0o755); err != nil {
				t.Fatal(err)
			}
			evs := sampleEvents(t, sample.Options{Users: 400})
			var werr error
			for i := range evs[:rows] {
				if werr = w.Write(&evs[i]); werr != nil {
					break
				}
			}
			cerr := w.Close()
			if rows > 2000 && werr == nil {
				t.Errorf("no Write failed after the second part")
			}
			if cerr == nil || !strings.Contains(cerr.Error(), "part-000000.parquet") {
				t.Errorf("Close = %v, want the first part's error", cerr)
			}
			checkEmpty(t, dir)
		})
	}
}

// A Write that fails leaves Close nothing to write and no panic: the
// writer's error, no output, no staging directory.
func TestParquetFailedWrite(t *testing.T) {
	w, dir := newParquet(t, context.Background(), 10)
	w.tmpDir = filepath.Join(dir, "gone") // the first part cannot be written
	var werr error
	sample.Generate(sample.Options{Users: 20}, func(e *sample.Event) error {
		werr = w.Write(e)
		return werr
	})
	if werr == nil {
		t.Fatal("no Write failed")
	}
	if err := w.Close(); err == nil || err.Error() != werr.Error() {
		t.Errorf("Close = %v, want the Write's error %v", err, werr)
	}
	checkEmpty(t, dir)
}

// Outputs larger than partRows go through part files and come out whole
// and in order, in a directory whose path DuckDB's readers would take for a
// pattern ([1]) and a hive partition (dt=...) if fgen let them.
func TestParquetParts(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dt=20200101", "out[1]")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ods.parquet")
	w, err := NewSampleParquet(context.Background(), path, sample.TimeFormat{})
	if err != nil {
		t.Fatal(err)
	}
	w.partRows = 3000
	want := sampleEvents(t, sample.Options{Users: 1000, Noise: true})
	writeAll(t, w, want)
	if len(w.parts) != (len(want)-1)/3000+1 {
		t.Errorf("%d parts for %d rows", len(w.parts), len(want))
	}
	checkReadBack(t, openDuckDB(t), "SELECT * FROM "+sample.DuckDBSource(sample.Parquet, path, sample.TimeFormat{}), want)
	if files, _ := os.ReadDir(dir); len(files) != 1 {
		t.Errorf("%d files left in the output directory, want 1", len(files))
	}
}

func TestAppendTo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := openDuckDB(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, sample.CreateTableSQL("main.ods", sample.TimeFormat{})); err != nil {
		t.Fatal(err)
	}
	opts := sample.Options{Users: 1000, Days: 2, Noise: true}
	want := sampleEvents(t, opts)
	n, err := AppendSample(ctx, conn, "main.ods", "dt", opts)
	if err != nil || n != int64(len(want)) {
		t.Fatalf("AppendTo = %d, %v; want %d rows", n, err, len(want))
	}
	checkReadBack(t, db, "SELECT * FROM ods", want)

	t.Run("rollback", func(t *testing.T) {
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := AppendSample(ctx, conn, "ods", "dt", sample.Options{Users: 100}); err != nil {
			t.Fatal(err)
		}
		if err := tx.Rollback(); err != nil {
			t.Fatal(err)
		}
		var count int
		if err := db.QueryRow("SELECT count(*) FROM ods").Scan(&count); err != nil || count != len(want) {
			t.Fatalf("%d rows after rollback (%v), want %d", count, err, len(want))
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := AppendSample(ctx, conn, "ods", "dt", sample.Options{Users: 100}); err == nil {
			t.Fatal("no error for a canceled context")
		}
	})
	t.Run("canceled midway", func(t *testing.T) {
		// The cancel comes after 4,096 users, some parts of 2,000 rows in.
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		opts := sample.Options{Users: 20000, Progress: func(int) { cancel() }}
		n, err := appendSample(ctx, conn, "ods", "dt", opts, 2000)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("appendSample = %d, %v; want %v", n, err, context.Canceled)
		}
		if n == 0 || n >= 20000*8 {
			t.Errorf("%d rows appended before the cancel, want some of the day's", n)
		}
	})
	t.Run("no table", func(t *testing.T) {
		_, err := AppendSample(ctx, conn, "nope", "dt", sample.Options{Users: 100})
		if err == nil {
			t.Fatal("no error for a missing table")
		}
		t.Log(err)
	})
}

// Run with: go test -run '^$' -bench BenchmarkSampleParquet ./internal/ingest
func BenchmarkSampleParquet(b *testing.B) {
	path := filepath.Join(b.TempDir(), "ods.parquet")
	opts := sample.Options{Users: 10000, Seed: 1, Noise: true}
	var n int64
	for b.Loop() {
		w, err := NewSampleParquet(context.Background(), path, sample.TimeFormat{})
		if err != nil {
			b.Fatal(err)
		}
		if err := sample.Generate(opts, func(e *sample.Event) error { n++; return w.Write(e) }); err != nil {
			b.Fatal(err)
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "events/s")
}
