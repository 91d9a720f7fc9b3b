package ingest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fgen-dev/fgen/internal/sample"
)

// openDuckDBFile opens a database file in a fresh directory, where AppendTo
// puts its part files.
func openDuckDBFile(t *testing.T) (*sql.DB, *sql.Conn, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, "local.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return db, conn, dir
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".fgen-sample-") {
			names = append(names, e.Name())
		}
	}
	return names
}

// Many parts arrive whole and in order, and none is left behind.
func TestAppendToParts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, conn, dir := openDuckDBFile(t)
	if _, err := conn.ExecContext(ctx, sample.CreateTableSQL("ods", sample.TimeFormat{})); err != nil {
		t.Fatal(err)
	}
	opts := sample.Options{Users: 1000, Days: 2, Noise: true}
	want := append(sampleEvents(t, opts), duckdbTricky...)
	n, err := appendSample(ctx, conn, "ods", "dt", opts, 1000)
	if err != nil || n != int64(len(want)-len(duckdbTricky)) {
		t.Fatalf("appendTo = %d, %v; want %d rows", n, err, len(want)-len(duckdbTricky))
	}
	// The tricky values through the same path: one part of two rows.
	tricky := filepath.Join(dir, "tricky.csv")
	f, err := os.Create(tricky)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, sample.NewCSVWriter(f, sample.TimeFormat{}), duckdbTricky)
	f.Close()
	if err := insertPart(ctx, conn, `"ods"`, "dt", csvPart{path: tricky, rows: int64(len(duckdbTricky))}, sample.TimeFormat{}); err != nil {
		t.Fatal(err)
	}
	checkReadBack(t, db, "SELECT * FROM ods", want)
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}

// A part DuckDB refuses stops the generator and leaves no files.
func TestAppendToStopsOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, conn, dir := openDuckDBFile(t)
	create := strings.Replace(sample.CreateTableSQL("ods", sample.TimeFormat{}), "dt VARCHAR", "dt VARCHAR CHECK (dt < '20210304')", 1)
	if _, err := conn.ExecContext(ctx, create); err != nil {
		t.Fatal(err)
	}
	_, err := appendSample(ctx, conn, "ods", "dt", sample.Options{Users: 2000, Days: 3, Noise: true}, 1000)
	if err == nil || !strings.Contains(err.Error(), "CHECK") {
		t.Fatalf("err = %v, want a CHECK constraint error", err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}
