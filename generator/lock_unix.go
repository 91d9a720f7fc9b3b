//go:build unix

package generator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lock takes the lock of root for one Write, failing when another Write
// holds it. The lock is an flock of the file LockPath, which the process
// holds until unlock or until it ends, however it ends: a Write killed
// part-way leaves the file, which the next takes over (its journal then
// puts back what the dead one changed). The file holds the process id and
// host name of its Write, for messages; a file of another process still
// running on this host (an fgen from before the flock, which went by the
// file alone), or of one this host cannot tell of, is taken as held.
func lock(root *os.Root, dir string) (unlock func(), err error) {
	for tries := 0; ; tries++ {
		f, err := root.OpenFile(LockPath, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", dir, unwrapPath(err))
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, locked(root, dir, "generate again")
			}
			return nil, fmt.Errorf("lock %s: %w", dir, err)
		}
		// The file locked must be the one at the path still: a Write that
		// finished removes it, and another may have made a new one since.
		at, err := root.Lstat(LockPath)
		held, serr := f.Stat()
		switch {
		case err == nil && !at.Mode().IsRegular():
			f.Close() // a link, say: not a lock fgen made
			return nil, locked(root, dir, "generate again")
		case err != nil || serr != nil || !os.SameFile(at, held):
			f.Close()
			if tries < 10 {
				continue
			}
			return nil, locked(root, dir, "generate again")
		}
		data, err := io.ReadAll(f)
		if err == nil && !lockGone(data) {
			err = locked(root, dir, "generate again")
		}
		if err == nil {
			err = writeLock(f)
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		return func() {
			root.Remove(LockPath) // then release it: the next makes a new one
			f.Close()
		}, nil
	}
}

// writeLock replaces the lock text of f with this Write's.
func writeLock(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(lockText()), 0)
	return err
}

// lockHeld reports whether a Write holds the lock of root: there is a lock
// file, and its flock is held, or its text is of a process not known to
// have ended (see lock).
func lockHeld(root *os.Root) bool {
	f, err := root.Open(LockPath)
	if err != nil {
		_, lerr := root.Lstat(LockPath)
		return lerr == nil // there, and not to be opened: say so
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return true
	}
	data, err := io.ReadAll(f)
	return err != nil || !lockGone(data)
}

// staleLockAdvice is what errInterrupted says of the lock a dead Write
// left: nothing, as the next takes it over.
const staleLockAdvice = ""
