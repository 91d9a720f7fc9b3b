package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// writeFileAtomic replaces path with data as a whole or not at all: it
// writes a temporary file beside path, syncs it and renames it over path,
// so that an error, a full disk or a signal halfway leaves the earlier file
// as it was. A new file gets perm less the umask; a replaced one keeps its
// mode. A symbolic link is followed: the file it names is replaced, not the
// link.
// (github.com/google/renameio does this too, but not on Windows, where
// fgen without cgo builds.)
func writeFileAtomic(path string, data []byte, perm fs.FileMode) (err error) {
	if info, err := os.Lstat(path); err == nil && info.Mode()&fs.ModeSymlink != 0 {
		if target, err := filepath.EvalSymlinks(path); err == nil {
			path = target
		}
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot write %s: directory %s does not exist; create it first", path, dir)
		}
		return err
	} else if !info.IsDir() {
		return fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	replace := false
	if info, err := os.Stat(path); err == nil {
		if !info.Mode().IsRegular() {
			return fmt.Errorf("cannot write %s: it exists and is not a regular file", path)
		}
		perm, replace = info.Mode().Perm(), true
	}
	tmp, err := createTemp(dir, "."+filepath.Base(path)+".fgen-", perm)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	// A new file has perm less the umask, as os.WriteFile's; a replaced
	// one keeps its mode exactly.
	if replace {
		if err := tmp.Chmod(perm); err != nil {
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
