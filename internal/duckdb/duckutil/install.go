package duckutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// CheckPath refuses a database path DuckDB would read otherwise than fgen
// does ("" is an in-memory database): the driver reads a DSN as a URL, what
// follows '?' as options and what follows '#' as a fragment that would hide
// them; DuckDB reads a backslash as a directory separator everywhere (in the
// working directory it makes a relative path absolute with too), and a
// leading '~' as the home directory. A directory is no database file either.
func CheckPath(path string) error {
	if path == "" {
		return nil
	}
	if i := strings.IndexAny(path, "?#%"); i >= 0 {
		// '?' starts the driver's connection options, '#' a fragment,
		// and '%' an escape: "50%off" is "invalid URL escape", "a%41" opens aA.
		return fmt.Errorf("open %s: the path contains '%c', which DuckDB's driver reads as part of its connection string; rename the directory or file", path, path[i])
	}
	if abs, _ := filepath.Abs(path); runtime.GOOS != "windows" && strings.Contains(abs, `\`) {
		return fmt.Errorf("open %s: the path contains '\\', which DuckDB reads as a directory separator; rename the directory or file", abs)
	}
	if strings.HasPrefix(path, "~") {
		return fmt.Errorf("open %s: the path starts with '~', which DuckDB reads as the home directory; give the path without it", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("open %s: a directory, not a database file; name a file, e.g. %s", path, filepath.Join(path, "local.duckdb"))
	}
	return nil
}

// Build returns where to build the warehouse of path, a file that does not
// exist yet, before Install puts it in place: a file of path's name in a
// staging directory beside it (BuildPrefix), which release removes with
// all that was built there, and then the directories above it that Build
// created, if they are empty (another fgen may have put its own there). A
// build that was killed leaves the staging directory, which RemoveStale
// removes on a later run.
func Build(path string) (tmp string, release func(), err error) {
	var made []string // outermost first
	for d := filepath.Dir(path); d != filepath.Dir(d); d = filepath.Dir(d) {
		if _, err := os.Lstat(d); !errors.Is(err, fs.ErrNotExist) {
			break
		}
		made = append([]string{d}, made...)
	}
	removeMade := func() {
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i])
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", nil, err
	}
	dir, rel, err := MakeStagingDir(filepath.Dir(path), BuildPrefix)
	if err != nil {
		removeMade()
		return "", nil, err
	}
	return filepath.Join(dir, filepath.Base(path)), func() { rel(); removeMade() }, nil
}

// ErrExists is Install's error when a file is at the path already.
var ErrExists = errors.New("a file is there already")

// Install puts the closed warehouse built at tmp (see Build) at path,
// unless a file is at path: then it fails with ErrExists, and never
// replaces it. A closed DuckDB database is one file: its write-ahead log,
// checkpointed on close, is gone (if it is not, Install fails rather than
// move half a warehouse).
func Install(tmp, path string) error {
	if _, err := os.Lstat(tmp + ".wal"); err == nil {
		return fmt.Errorf("%s.wal: the new warehouse kept a write-ahead log after it closed", tmp)
	}
	// A hard link fails when path exists. Where it fails otherwise (a
	// file system without hard links: FAT, some network shares), a rename
	// after a check, not atomic with it.
	err := os.Link(tmp, path)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fs.ErrExist):
		return ErrExists
	}
	if _, err := os.Lstat(path); err == nil {
		return ErrExists
	}
	return os.Rename(tmp, path)
}
