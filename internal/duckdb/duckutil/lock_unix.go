//go:build unix && !solaris && !aix

package duckutil

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir locks a new lock file in dir for the process: it locks the file
// under another name first, so that RemoveStale never sees it unlocked.
func lockDir(dir string) (unlock func(), err error) {
	tmp := filepath.Join(dir, lockName+".new")
	unlock, ok, err := flock(tmp, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, syscall.EWOULDBLOCK
	}
	if err := os.Rename(tmp, filepath.Join(dir, lockName)); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// tryLock locks the file path if no process holds it. It opens the file
// to read, which flock needs no more than: a file its writer made
// read-only (keeping a replaced file's mode) locks too.
func tryLock(path string) (unlock func(), ok bool) {
	unlock, ok, err := flock(path, os.O_RDONLY, 0)
	return unlock, ok && err == nil
}

// LockFile locks the file at path, creating it, for the process until
// unlock (or the process's end, however it ends); ok is false when another
// process holds it.
func LockFile(path string) (unlock func(), ok bool, err error) {
	return flock(path, os.O_CREATE|os.O_RDWR, 0o644)
}

// flock opens path with flag and takes an exclusive flock on it without
// waiting: ok is false when another process holds it.
func flock(path string, flag int, perm os.FileMode) (unlock func(), ok bool, err error) {
	f, err := os.OpenFile(path, flag, perm)
	if err != nil {
		return nil, false, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return func() { f.Close() }, true, nil
}

// Hold takes an exclusive flock on f, an open file, which the process holds
// until f is closed or the process ends, however it ends: RemoveAbandoned
// leaves f alone until then. It reports whether it took the lock.
func Hold(f *os.File) bool {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
