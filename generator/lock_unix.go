//go:build unix && !solaris && !aix

package generator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// lockMark ends the text of a lock held by its flock.
const lockMark = " flock"

// lock takes the lock of root for one Write, failing when another Write
// holds it. The lock is an flock of the file LockPath, which the process
// holds until unlock or until it ends, however it ends: a Write killed
// part-way leaves the file, which the next takes over (its journal then
// puts back what the dead one changed). The file holds the process id and
// host name of its Write, for messages. One no flock holds is taken over
// when its text is of an fgen that held it by flock (lockMark), or is empty
// (a Write stopped before it wrote it), or names a process of this host
// that has ended; one of an fgen from before the flock, which went by the
// file alone, still running or of a process this host cannot tell of, is
// taken as held.
func lock(root *os.Root, dir string) (unlock func(), err error) {
	for tries := 0; ; tries++ {
		f, err := root.OpenFile(LockPath, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", dir, unwrapPath(err))
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, locked(root, dir, "generate again", true)
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
			return nil, locked(root, dir, "generate again", false)
		case err != nil || serr != nil || !os.SameFile(at, held):
			f.Close()
			if tries < 10 {
				continue
			}
			return nil, locked(root, dir, "generate again", false)
		}
		data, err := io.ReadAll(f)
		if err == nil && !lockGone(data) {
			err = locked(root, dir, "generate again", false)
		}
		if err == nil {
			if err = writeLock(f); err != nil {
				// A full disk, say: the Write has changed nothing yet, and
				// its lock goes with it, not left in out/ for a commit.
				root.Remove(LockPath)
				err = fmt.Errorf("%w; %s is unchanged", err, dir)
			}
		}
		if err != nil {
			f.Close()
			return nil, err
		}
		return func() {
			// The path, while it is this lock's (a user may have deleted
			// it, and another Write made its own); then the flock.
			if at, err := root.Lstat(LockPath); err == nil && os.SameFile(at, held) {
				root.Remove(LockPath)
			}
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

// lockGone reports whether the text data of a lock no flock holds is of a
// Write that has ended (see lock).
func lockGone(data []byte) bool {
	if len(strings.Fields(string(data))) == 0 {
		return true
	}
	pid, fields, ok := lockFields(data)
	if !ok {
		return false // not a lock fgen wrote
	}
	// Its mark ends it, after the process id and a host name, which may be
	// empty.
	if len(fields) >= 2 && " "+fields[len(fields)-1] == lockMark {
		return true
	}
	host, _ := os.Hostname()
	return len(fields) == 2 && fields[1] == host && host != "" && (pid == os.Getpid() || !processRunning(pid))
}

// processRunning reports whether process pid runs on this host: signal 0
// checks without sending anything; EPERM is a process of another user.
func processRunning(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// lockHeld reports whether a Write holds the lock of root: there is a lock
// file, and its flock is held (flocked), or its text is not of a Write that
// has ended (see lock).
func lockHeld(root *os.Root) (held, flocked bool) {
	f, err := root.Open(LockPath)
	if err != nil {
		_, lerr := root.Lstat(LockPath)
		return lerr == nil, false // there, and not to be opened: say so
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err != nil {
		return true, true
	}
	data, err := io.ReadAll(f)
	return err != nil || !lockGone(data), false
}

// staleLockAdvice is what errInterrupted says of the lock a dead Write
// left: nothing, as the next takes it over.
const staleLockAdvice = ""
