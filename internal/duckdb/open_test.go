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
