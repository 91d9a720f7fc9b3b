package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenerateRefusesUnsafeOutDir(t *testing.T) {
	dir := project(t)
	home := filepath.Join(dir, "home")
	os.MkdirAll(home, 0o755)
	os.WriteFile(filepath.Join(home, ".profile"), []byte("# mine\n"), 0o644)
	env := map[string]string{"HOME": home}
	for _, out := range []string{home, "home", "home/", "home/../home"} {
		r := fgen(t, dir, env, "generate", "--dir", out, "--force")
		if r.code != 1 || !strings.Contains(r.stderr, "is your home directory; generate into a directory of its own, e.g. --dir out") {
			t.Errorf("generate --dir %s: %+v", out, r)
		}
	}
	if entries, _ := os.ReadDir(home); len(entries) != 1 {
		t.Errorf("generate wrote into the home directory: %v", entries)
	}

	// A directory with files but no manifest is not fgen's.
	r := fgen(t, dir, env, "generate", "--dir", ".")
	want := "fgen: . is not empty and holds no fgen manifest (manifest.json); generate into a new or empty directory, or pass --force to add the generated files to it\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("generate --dir .: %+v\nwant stderr %q", r, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err == nil {
		t.Error("a refused generate wrote files")
	}
	if r := fgen(t, dir, env, "generate", "--dir", ".", "--force"); r.code != 0 {
		t.Errorf("generate --dir . --force: %+v", r)
	}
	// An empty directory, one that holds only empty folders (a file moved
	// away), and one fgen generated, need no --force.
	os.Mkdir(filepath.Join(dir, "empty"), 0o755)
	os.MkdirAll(filepath.Join(dir, "folders", "nodes", "old"), 0o755)
	for _, out := range []string{"empty", "empty", "folders", "."} {
		if r := fgen(t, dir, env, "generate", "--dir", out); r.code != 0 {
			t.Errorf("generate --dir %s: %+v", out, r)
		}
	}
}

// generate never writes into a file system root, with or without --force.
// checkOutDir is tested directly: a regression must not write into /.
func TestOutDirRefusesFileSystemRoot(t *testing.T) {
	link := filepath.Join(t.TempDir(), "root")
	os.Symlink(string(filepath.Separator), link)
	for _, dir := range []string{string(filepath.Separator), link, filepath.Join(t.TempDir(), "..", "..", "..", "..", "..", "..", "..", "..")} {
		err := checkOutDir(dir, "", true)
		if err == nil || err.Error() != dir+" is the root of a file system; generate into a directory of its own, e.g. --dir out" {
			t.Errorf("checkOutDir(%s): %v", dir, err)
		}
	}
}

// A first load's new warehouse that a full disk kept from being written is
// said so, of the warehouse asked for, not of its staging directory.
func TestNewWarehouseError(t *testing.T) {
	full := errors.New(`close .fgen/.fgen-build-1/local.duckdb: IO Error: Detached database 'local', but CHECKPOINT during DETACH failed. Original error: Could not write file "/w/.fgen/.fgen-build-1/local.duckdb": No space left on device; ... (what it committed is kept in its .wal, which the next command replays)`)
	want := "the disk is full: the new warehouse .fgen/local.duckdb could not be written (no space left on device), so none was made; free space on its disk, then run the command again"
	if got := newWarehouseError(".fgen/local.duckdb", full).Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	other := errors.New("IO Error: something else")
	if got := newWarehouseError(".fgen/local.duckdb", other); !errors.Is(got, other) || !strings.HasPrefix(got.Error(), "close the new warehouse: ") {
		t.Errorf("another error: %v", got)
	}
}
