//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A file init or report -o creates has the mode the umask leaves, as
// os.WriteFile's would; a replaced file keeps its own.
func TestWriteFileAtomicHonoursUmask(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077)
	err := writeFileAtomic(filepath.Join(dir, "new"), []byte("x"), 0o644)
	syscall.Umask(old)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, "new")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("new file under umask 077: %v, %v; want -rw-------", info.Mode(), err)
	}
	replaced := filepath.Join(dir, "old")
	os.WriteFile(replaced, nil, 0o640)
	os.Chmod(replaced, 0o640)
	if err := writeFileAtomic(replaced, []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(replaced); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("replaced file: %v, %v; want -rw-r-----", info.Mode(), err)
	}
}
