//go:build unix

package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
	"github.com/fgen-dev/fgen/models"
)

// A file init or report -o creates has the mode the umask leaves, as
// os.WriteFile's would; a replaced file keeps its own.
func TestWriteFileAtomicHonoursUmask(t *testing.T) {
	dir := t.TempDir()
	old := syscall.Umask(0o077)
	err := writeFileAtomic(context.Background(), filepath.Join(dir, "new"), []byte("x"), 0o644)
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
	if err := writeFileAtomic(context.Background(), replaced, []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(replaced); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("replaced file: %v, %v; want -rw-r-----", info.Mode(), err)
	}
}

// A write removes the temporary files that earlier writes of the same file
// left when a kill stopped them (report -o, init), and leaves those of a
// write under way (held), those just made, and every other file.
func TestWriteFileAtomicRemovesAbandonedTemporaries(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-time.Minute)
	file := func(name string, age time.Time) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(path, age, age)
		return path
	}
	abandoned := file(".r.html.fgen-abc", old)
	young := file(".r.html.fgen-new", time.Now())
	another := file(".s.html.fgen-abc", old)
	held := file(".r.html.fgen-held", old)
	f, err := os.OpenFile(held, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !duckutil.Hold(f) {
		t.Fatal("Hold took no lock")
	}
	if err := writeFileAtomic(context.Background(), filepath.Join(dir, "r.html"), []byte("y"), 0o644); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{abandoned: false, young: true, another: true, held: true} {
		if _, err := os.Stat(path); (err == nil) != want {
			t.Errorf("%s: there %v, want %v", filepath.Base(path), err == nil, want)
		}
	}
}

// A failed write names the file asked for, with what to do, not the
// temporary file beside it (".r.html.fgen-2h4n8uqac9nfy") that failed.
func TestWriteErrorNamesTheFile(t *testing.T) {
	tmp := "/data/.r.html.fgen-2h4n8uqac9nfy"
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&fs.PathError{Op: "write", Path: tmp, Err: syscall.ENOSPC}, "cannot write r.html: its disk is full (no space left on device); free space on it, or write the file elsewhere"},
		{&fs.PathError{Op: "open", Path: tmp, Err: syscall.EROFS}, "cannot write r.html: its file system is read-only (read-only file system); write the file elsewhere"},
		{&fs.PathError{Op: "open", Path: tmp, Err: syscall.EACCES}, "cannot write r.html: its directory /data is not writable (permission denied); make it writable, or write the file elsewhere"},
		{&os.LinkError{Op: "rename", Old: tmp, New: "/data/r.html", Err: syscall.EPERM}, "cannot write r.html: operation not permitted"},
		{&os.LinkError{Op: "rename", Old: tmp, New: "/data/r.html", Err: syscall.EIO}, "cannot write r.html: input/output error"},
		{errors.New("cannot create a temporary file in /data"), "cannot create a temporary file in /data"},
	} {
		// r.html, a link to /data/r.html: named as given.
		err := writeError("r.html", "/data/r.html", tc.err)
		if got := err.Error(); got != tc.want {
			t.Errorf("writeError(%v) = %q, want %q", tc.err, got, tc.want)
		}
		var pathErr *fs.PathError
		if errors.As(tc.err, &pathErr) && !errors.Is(err, pathErr.Err) {
			t.Errorf("writeError(%v) does not wrap %v", tc.err, pathErr.Err)
		}
	}
}

// A local warehouse fgen may not create says what to do (as root, which
// the tests may run as, no directory refuses: the error is made).
func TestLocalTargetNotWritableSaysWhatToDo(t *testing.T) {
	denied := &fs.PathError{Op: "mkdir", Path: ".fgen", Err: syscall.EACCES}
	local := models.Target{Engine: "duckdb"}
	want := "mkdir .fgen: permission denied; make . writable, or give [targets.laptop] a path where fgen may write"
	if err := localAdvice("laptop", local, denied); err.Error() != want || !errors.Is(err, fs.ErrPermission) {
		t.Errorf("got %v, want %s", err, want)
	}
	if err := localAdvice("mc", models.Target{Engine: "maxcompute"}, denied); err != denied {
		t.Errorf("of MaxCompute: %v", err)
	}
	if other := errors.New("disk on fire"); localAdvice("laptop", local, other) != other {
		t.Error("an error other than a permission's was changed")
	}
}
