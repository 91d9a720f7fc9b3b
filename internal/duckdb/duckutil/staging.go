package duckutil

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Staging directories are where fgen writes rows for DuckDB to read (fgen
// sample --load, and the Parquet writer of fgen sample): a directory whose
// name starts with one of these prefixes beside the database or the output,
// removed when the work is done. A process killed before that (SIGKILL, a
// crash) leaves it behind; RemoveStale removes it on a later run.
const (
	LoadPrefix   = ".fgen-load-" // fgen load, before it read files with DuckDB's readers
	SamplePrefix = ".fgen-sample-"
	BuildPrefix  = ".fgen-build-" // a new warehouse, before Install puts it in place
)

// staleAge is how long a staging directory without a lock file (made by an
// fgen before the lock) must have gone unwritten to be stale.
const staleAge = time.Hour

// lockName is the file in a staging directory that its process locks for as
// long as it works there.
const lockName = ".lock"

// MakeStagingDir removes the stale staging directories in dir (os.TempDir()
// if "") and creates a new one there, named prefix (LoadPrefix or
// SamplePrefix) and a random suffix, locked until release (or the process's
// end, however it ends). release removes the directory.
func MakeStagingDir(dir, prefix string) (path string, release func() error, err error) {
	if dir == "" {
		dir = os.TempDir()
	}
	RemoveStale(dir)
	path, err = os.MkdirTemp(dir, prefix+"*")
	if err != nil {
		return "", nil, err
	}
	unlock, err := lockDir(path)
	if err != nil {
		os.RemoveAll(path)
		return "", nil, err
	}
	return path, func() error {
		err := os.RemoveAll(path)
		unlock()
		return err
	}, nil
}

// RemoveStale removes the staging directories in dir (os.TempDir() if "")
// that no running fgen works in: those whose lock nobody holds, and those
// without a lock file (from an fgen before the lock) that nothing has
// written to for an hour. It removes nothing else, and ignores errors.
func RemoveStale(dir string) {
	if dir == "" {
		dir = os.TempDir()
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !(strings.HasPrefix(name, LoadPrefix) || strings.HasPrefix(name, SamplePrefix) || strings.HasPrefix(name, BuildPrefix)) {
			continue
		}
		path := filepath.Join(dir, name)
		if _, err := os.Stat(filepath.Join(path, lockName)); err == nil {
			if unlock, ok := tryLock(filepath.Join(path, lockName)); ok {
				os.RemoveAll(path)
				unlock()
			}
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAge && idleSince(path, staleAge) {
			os.RemoveAll(path)
		}
	}
}

// TryLock locks the existing file path for the process if no process holds
// it, as LockFile does; ok is false when one does, when there is no such
// file, and where there is no flock (not on unix): a caller then takes the
// file's directory as in use.
func TryLock(path string) (unlock func(), ok bool) { return tryLock(path) }

// RemoveAbandoned removes the files in dir whose names start with prefix
// that no process holds (Hold), and that nothing has written to for
// abandonAge (a file just created, and not yet held, is its writer's): the
// temporary files of writes that a kill stopped before they could remove
// them. It removes nothing else, and ignores errors. Without flock (not on
// unix) it removes nothing.
func RemoveAbandoned(dir, prefix string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		if info, err := e.Info(); err != nil || time.Since(info.ModTime()) < abandonAge {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if unlock, ok := tryLock(path); ok {
			os.Remove(path)
			unlock()
		}
	}
}

// abandonAge is how long RemoveAbandoned leaves a file that no process
// holds: long enough for its writer to take the lock, and for one that
// closed it (which drops the lock) to rename it.
const abandonAge = 10 * time.Second

// idleSince reports whether no file in dir was written in the last age.
func idleSince(dir string, age time.Duration) bool {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) <= age {
			return false
		}
	}
	return true
}
