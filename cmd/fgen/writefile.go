package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/fgen-dev/fgen/internal/duckdb/duckutil"
)

// writeFileAtomic replaces path with data as a whole or not at all: it
// writes a temporary file beside path, syncs it and renames it over path,
// so that an error, a full disk or a signal halfway leaves the earlier file
// as it was. A new file gets perm less the umask; a replaced one keeps its
// mode. A symbolic link is followed: the file it names is replaced, not the
// link. A device or a pipe is written to (writeInPlace).
// (github.com/google/renameio does this too, but not on Windows, where
// fgen without cgo builds.)
func writeFileAtomic(ctx context.Context, path string, data []byte, perm fs.FileMode) error {
	if info, err := os.Stat(path); err == nil && info.Mode()&(fs.ModeCharDevice|fs.ModeNamedPipe) != 0 {
		// Opening a FIFO waits for its reader; a signal must not.
		_, err := interruptible(ctx, func() (struct{}, error) { return struct{}{}, writeInPlace(path, data) })
		return err
	}
	target, old, replace, err := replaceTarget(path)
	if err != nil {
		return err
	}
	if err := replaceFile(target, data, perm, old, replace); err != nil {
		return writeError(path, target, err)
	}
	return nil
}

// writeError says err, of writing the file at path (at target, where path
// is a link) through a temporary file beside it, of path, with what to do:
// the temporary file's name means nothing to the user.
func writeError(path, target string, err error) error {
	var pathErr *fs.PathError
	var linkErr *os.LinkError
	var cause error
	switch {
	case errors.As(err, &pathErr):
		cause = pathErr.Err
	case errors.As(err, &linkErr):
		cause = linkErr.Err
	default:
		return err
	}
	switch {
	case errors.Is(cause, syscall.ENOSPC):
		return fmt.Errorf("cannot write %s: its disk is full (%w); free space on it, or write the file elsewhere", path, cause)
	case errors.Is(cause, syscall.EROFS):
		return fmt.Errorf("cannot write %s: its file system is read-only (%w); write the file elsewhere", path, cause)
	case errors.Is(cause, syscall.EACCES):
		// Not EPERM, which a rename over another's file in a sticky
		// directory (/tmp) gives: said as it is, below.
		return fmt.Errorf("cannot write %s: its directory %s is not writable (%w); make it writable, or write the file elsewhere", path, filepath.Dir(target), cause)
	}
	return fmt.Errorf("cannot write %s: %w", path, cause)
}

// replaceFile writes data to a temporary file beside path and renames it
// over path (replaceTarget's target), with mode old when it replaces one.
func replaceFile(path string, data []byte, perm, old fs.FileMode, replace bool) (err error) {
	// The temporary files of earlier writes of path that a kill stopped.
	prefix := "." + filepath.Base(path) + ".fgen-"
	duckutil.RemoveAbandoned(filepath.Dir(path), prefix)
	tmp, err := createTemp(filepath.Dir(path), prefix, perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// Held until it is closed, RemoveAbandoned leaves it; without flock,
	// or where the lock fails, RemoveAbandoned cannot take it either.
	duckutil.Hold(tmp)
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// A new file has perm less the umask, as os.WriteFile's; a replaced
	// one keeps its mode exactly.
	if replace {
		if err := tmp.Chmod(old); err != nil {
			return err
		}
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// isFIFO reports whether path is a named pipe, whose opening waits for the
// other end.
func isFIFO(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode()&fs.ModeNamedPipe != 0
}

// writeInPlace writes data to a device or a pipe (/dev/null, /dev/stdout,
// a terminal, a FIFO), which is written to, not replaced.
func writeInPlace(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// replaceTarget is the file that replacing path writes: path, or the file
// a symbolic link at path names; its directory must exist, and when it
// exists (replace) it must be a regular file, whose mode is perm.
func replaceTarget(path string) (target string, perm fs.FileMode, replace bool, err error) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		} else if link, err := os.Readlink(path); err == nil {
			// A link to a file that does not exist yet: the file is
			// created where it points, and the link stays.
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(path), link)
			}
			path = link
		}
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", 0, false, fmt.Errorf("cannot write %s: directory %s does not exist; create it first", path, dir)
		}
		return "", 0, false, err
	} else if !info.IsDir() {
		return "", 0, false, fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	if info, err := os.Stat(path); err == nil {
		if !info.Mode().IsRegular() {
			return "", 0, false, fmt.Errorf("cannot write %s: it exists and is not a regular file", path)
		}
		return path, info.Mode().Perm(), true, nil
	}
	return path, 0, false, nil
}

// stagedFile is a file written whole or not at all by a writer that
// creates it by name (the sample writers; DuckDB's COPY for Parquet): the
// writer writes Temp, a new file of the same name in a staging directory
// beside the target (duckutil.MakeStagingDir), and Commit moves it over the
// target. A process killed first leaves the directory, which the next
// staging in that directory removes.
type stagedFile struct {
	Temp    string
	target  string
	perm    fs.FileMode
	replace bool
	release func() error
}

// stageFile prepares to replace path (see writeFileAtomic). A file that is
// there must be one the user may write, as when it is written in place.
func stageFile(path string) (*stagedFile, error) {
	target, perm, replace, err := replaceTarget(path)
	if err != nil {
		return nil, err
	}
	if replace {
		f, err := os.OpenFile(target, os.O_WRONLY, 0)
		if err != nil {
			return nil, fmt.Errorf("cannot write %s: %w", path, err)
		}
		f.Close()
	}
	dir, release, err := duckutil.MakeStagingDir(filepath.Dir(target), duckutil.SamplePrefix)
	if err != nil {
		return nil, fmt.Errorf("cannot write %s: fgen writes a new file beside it and then renames it over it: %w", path, err)
	}
	// The writers choose the format by the extension: Temp has the name.
	return &stagedFile{Temp: filepath.Join(dir, filepath.Base(target)), target: target, perm: perm, replace: replace, release: release}, nil
}

// Commit replaces the target with Temp, synced, when err is nil; else, or
// when that fails, the target keeps its content. It returns the first
// error, and removes the staging directory either way (what it cannot
// remove, a later staging does).
func (f *stagedFile) Commit(err error) error {
	if err == nil {
		err = f.commit()
	}
	f.release()
	return err
}

func (f *stagedFile) commit() error {
	tmp, err := os.OpenFile(f.Temp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if f.replace {
		err = tmp.Chmod(f.perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(f.Temp, f.target)
}

// createTemp creates a new file in dir named prefix and a random number,
// with perm less the umask (os.CreateTemp's files are 0600 whatever the
// umask).
func createTemp(dir, prefix string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, prefix+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}
