//go:build !unix || solaris || aix

package duckutil

import "os"

// lockDir has no lock to take without flock: RemoveStale then goes by age.
func lockDir(dir string) (unlock func(), err error) { return func() {}, nil }

// tryLock never locks: a directory with a lock file is taken as in use.
func tryLock(path string) (unlock func(), ok bool) { return nil, false }

// LockFile has no lock to take without flock: it always succeeds.
func LockFile(path string) (unlock func(), ok bool, err error) { return func() {}, true, nil }

// Hold has no lock to take without flock: RemoveAbandoned removes nothing.
func Hold(f *os.File) bool { return false }
