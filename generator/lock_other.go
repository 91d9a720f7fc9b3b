//go:build !unix || solaris || aix

package generator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// lock creates the lock file in root, failing when another Write holds it.
// Without flock, a crash leaves it behind, as git leaves index.lock: the
// message says to delete it (fgen does not remove it itself: two generates
// that both judged it stale could then both write).
func lock(root *os.Root, dir string) (unlock func(), err error) {
	f, err := root.OpenFile(LockPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, locked(root, dir, "generate again", false)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, unwrapPath(err))
	}
	_, err = f.WriteString(lockText())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	unlock = func() { root.Remove(LockPath) }
	if err != nil {
		unlock()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return unlock, nil
}

// lockHeld reports whether there is a lock file in root.
func lockHeld(root *os.Root) (held, flocked bool) {
	_, err := root.Lstat(LockPath)
	return err == nil, false
}

// lockMark ends the text of a lock: nothing, without flock.
const lockMark = ""

// staleLockAdvice is what errInterrupted says of the lock a dead Write
// left, which the user deletes.
const staleLockAdvice = " (delete " + LockPath + " first if it is still there and no fgen runs)"
