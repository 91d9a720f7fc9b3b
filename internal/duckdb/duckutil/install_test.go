package duckutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Install puts a built file in place, once: where a file is already (one
// another process made meanwhile), it fails with ErrExists and leaves that
// file as it is; release removes the staging directory either way.
func TestInstall(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "w.duckdb")
	for i, want := range []string{"first", "first"} {
		tmp, release, err := Build(path)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(tmp, []byte([]string{"first", "second"}[i]), 0o644)
		err = Install(tmp, path)
		release()
		if (i == 1) != errors.Is(err, ErrExists) || (i == 0 && err != nil) {
			t.Errorf("install %d: %v", i, err)
		}
		if got, _ := os.ReadFile(path); string(got) != want {
			t.Errorf("after install %d: %q, want %q", i, got, want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("after install %d: %v in the directory, want the file alone", i, entries)
		}
	}
	// A build that kept its write-ahead log is not put in place.
	path2 := filepath.Join(dir, "v.duckdb")
	tmp, release, _ := Build(path2)
	defer release()
	os.WriteFile(tmp, []byte("db"), 0o644)
	os.WriteFile(tmp+".wal", []byte("log"), 0o644)
	if err := Install(tmp, path2); err == nil {
		t.Error("Install of a build with its .wal succeeded")
	}
	if _, err := os.Lstat(path2); err == nil {
		t.Error("a build with its .wal was put in place")
	}
}
