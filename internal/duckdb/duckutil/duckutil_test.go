//go:build unix

package duckutil

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReaderPath(t *testing.T) {
	for _, tc := range []struct{ path, want, err string }{
		{"/data/events.csv", "/data/events.csv", ""},
		{"~/events.csv", "./~/events.csv", ""},
		// A first directory named as a URL's scheme: DuckDB would read
		// the rest from the network.
		{"http://example.com/events.csv", "./http://example.com/events.csv", ""},
		{"s3:/bucket/events.parquet", "./s3:/bucket/events.parquet", ""},
		{"md:events", "./md:events", ""},
		{"data/at:10.csv", "data/at:10.csv", ""},
		{"/data/http:/events.csv", "/data/http:/events.csv", ""},
		{"/data/dt=20210303/part.jsonl", "/data/dt=20210303/part.jsonl", ""},
		{"/data/events[1].csv", "/data/events[[]1].csv", ""},
		{"/d[a]ta/st*r?.csv", "/d[[]a]ta/st[*]r[?].csv", ""},
		{`/data/back\slash.csv`, `/data/back\slash.csv`, ""},
		{`/data/back\slash[1].csv`, "", "rename the file or its directory"},
	} {
		got, err := ReaderPath(tc.path)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("ReaderPath(%q) = %q, %v; want %q, %q", tc.path, got, err, tc.want, tc.err)
		}
	}
}

// DuckDB's word for a full disk, and what fgen load takes for a file.
func TestDiskFullAndNotAFile(t *testing.T) {
	full := errors.New(`IO Error: Could not write file "/w/.fgen/local.duckdb.wal": No space left on device`)
	if !DiskFull(full) || !DiskFull(fmt.Errorf("load: %w", full)) || DiskFull(errors.New("Permission denied")) || DiskFull(nil) {
		t.Error("DiskFull")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "a.jsonl")
	os.WriteFile(file, nil, 0o644)
	for path, want := range map[string]string{
		"-":                            "-: not a regular file (standard input); fgen load reads a file twice",
		os.DevNull:                     os.DevNull + ": not a regular file; fgen load reads a file twice",
		file:                           "",
		dir:                            "", // said otherwise, with its files to name
		filepath.Join(dir, "no.jsonl"): "", // said by what opens it
	} {
		fi, _ := os.Stat(path) // nil where it is not there
		err := NotAFile(path, fi)
		if want == "" && err != nil || want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)) {
			t.Errorf("NotAFile(%s) = %v, want %q", path, err, want)
		}
	}
}
