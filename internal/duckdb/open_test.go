package duckdb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenRefusesOptionsInPath: the driver reads what follows '?' in its
// DSN as connection options, so a path holding one is refused, not opened
// as another file with other options.
func TestOpenRefusesOptionsInPath(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"x.duckdb?access_mode=read_only", "x#y.duckdb"} {
		db, err := Open(Options{Path: filepath.Join(dir, name), Threads: 1})
		if err == nil {
			db.Close()
			t.Errorf("Open(%q) = nil error, want one", name)
			continue
		}
		if !strings.Contains(err.Error(), "rename the file") {
			t.Errorf("Open(%q) = %v", name, err)
		}
	}
	if files, _ := os.ReadDir(dir); len(files) > 0 {
		t.Errorf("Open made %v", files)
	}
}

// TestOpenBoundsMemory: a database file gets DefaultMemoryLimit unless the
// target sets one, and spills only beside itself; an in-memory database
// spills nowhere (DuckDB's default, ".tmp" in the working directory, is
// outside the warehouse).
func TestOpenBoundsMemory(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "w.duckdb")
	for _, tc := range []struct {
		name        string
		opts        Options
		limit, temp string
	}{
		{"file, no limit set", Options{Path: file}, "488.2 MiB", TempDir(file)},
		{"file, the target's limit", Options{Path: file, MemoryLimit: "2GB"}, "1.8 GiB", TempDir(file)},
		{"in memory", Options{Path: ":memory:", MemoryLimit: "1GB"}, "953.6 MiB", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var limit, temp string
			if err := db.db.QueryRow(`SELECT current_setting('memory_limit'), current_setting('temp_directory')`).Scan(&limit, &temp); err != nil {
				t.Fatal(err)
			}
			if limit != tc.limit || temp != tc.temp {
				t.Errorf("memory_limit %q, temp_directory %q; want %q, %q", limit, temp, tc.limit, tc.temp)
			}
		})
	}
}
