// Package duckutil holds the small helpers that fgen's DuckDB engine
// (internal/duckdb) and its loader of files and sample rows
// (internal/ingest) share to stage rows for DuckDB and to clean up after
// stages that were killed.
package duckutil

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// DiskFull reports whether err is DuckDB's word for a write its disk
// refused, full: "Could not write file ...: No space left on device".
func DiskFull(err error) bool {
	return err != nil && strings.Contains(err.Error(), "No space left on device")
}

// NotAFile refuses path, "-" (standard input), or one that is there (fi,
// its os.Stat's, nil when it is not) and is not a regular file or a
// directory (a pipe, a device): fgen load reads a file twice, to check it
// and to load it. It is nil for any other path.
func NotAFile(path string, fi os.FileInfo) error {
	what := ""
	if path == "-" {
		what = " (standard input)"
	} else if fi == nil || fi.Mode().IsRegular() || fi.IsDir() {
		return nil
	}
	return fmt.Errorf("%s: not a regular file%s; fgen load reads a file twice (to check it, and to load it), so it takes files, not pipes or devices", path, what)
}

// StagingDir is where rows are staged for the database of conn: the
// directory of its file, or "" (os.MkdirTemp's default, the system's
// temporary directory) for an in-memory database.
func StagingDir(ctx context.Context, conn *sql.Conn) (string, error) {
	var path sql.NullString
	if err := conn.QueryRowContext(ctx, `SELECT path FROM duckdb_databases() WHERE database_name = current_database()`).Scan(&path); err != nil {
		return "", err
	}
	if !path.Valid || path.String == "" {
		return "", nil
	}
	return filepath.Dir(path.String), nil
}

// FirstParagraph trims DuckDB's multi-line error text to its first
// paragraph. An error without a blank line is returned as it is, so that
// errors.Is still finds what it wraps, such as context.Canceled.
func FirstParagraph(err error) error {
	msg := err.Error()
	i := strings.Index(msg, "\n\n")
	if i < 0 {
		return err
	}
	return errors.New(strings.TrimSpace(msg[:i]))
}

// RowCountError reports that DuckDB took got of the want rows of the staging
// file path.
func RowCountError(got, want int64, path string) error {
	return fmt.Errorf("DuckDB read %d rows of the %d in %s", got, want, filepath.Base(path))
}

// Header reads the start of the file at path: n is how many of the 12 bytes
// of a DuckDB database's header it holds, and database whether they are
// one's: "DUCK" at bytes 8 to 11. A file not there is an error that
// Is fs.ErrNotExist.
func Header(path string) (n int, database bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	head := make([]byte, 12)
	n, _ = io.ReadFull(f, head)
	return n, n == len(head) && string(head[8:12]) == "DUCK", nil
}

// ReaderPath is path as DuckDB's file readers (read_csv, read_json,
// read_parquet, parquet_metadata) take it to mean that one file. They read
// a path with *, ? or [ in it as a glob pattern and would read whatever
// files it matches (for events[1].csv, events1.csv): each such character
// goes in brackets, a class that matches it alone ([[] is [). DuckDB's
// matcher takes a backslash in a pattern for an escape, so that a path with
// both a backslash and one of those characters has no pattern that names
// it: the error says to rename the file or its directory.
// https://duckdb.org/docs/data/multiple_files/overview
func ReaderPath(path string) (string, error) {
	if filepath.Separator == '\\' {
		path = filepath.ToSlash(path) // DuckDB takes / on Windows too
	}
	if first, _, _ := strings.Cut(path, "/"); strings.HasPrefix(path, "~") || strings.Contains(first, ":") && !filepath.IsAbs(path) {
		// DuckDB would take ~ for the home directory, and a first
		// directory named http: or s3: for a URL's scheme. (On Windows
		// a drive-relative C:x is so made ./C:x, which is not it.)
		path = "./" + path
	}
	if !strings.ContainsAny(path, "*?[") {
		return path, nil
	}
	if strings.Contains(path, `\`) {
		return "", fmt.Errorf("%s: DuckDB cannot read a file whose path has a backslash and one of * ? [ (it reads such a path as a pattern, and takes the backslash for an escape); rename the file or its directory", path)
	}
	return EscapeGlob(path), nil
}

// EscapeGlob puts each *, ? and [ of path in brackets, for DuckDB's file
// readers to match it alone (ReaderPath, which also refuses what cannot be
// escaped so).
func EscapeGlob(path string) string {
	if !strings.ContainsAny(path, "*?[") {
		return path
	}
	var b strings.Builder
	for _, r := range path {
		if r == '*' || r == '?' || r == '[' {
			b.WriteString("[" + string(r) + "]")
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Offline is the DSN options (name=value&...) that keep a DuckDB instance
// from the network: DuckDB installs a known extension it lacks when a
// statement needs one (httpfs for a path that reads as a URL), downloading
// it into ~/.duckdb, outside fgen's warehouse. The extensions fgen uses
// (json, parquet, icu, core_functions) are linked in.
const Offline = "autoinstall_known_extensions=false"
