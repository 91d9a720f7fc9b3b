package generator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
)

// failpoint, when a test sets it, is called before each change Write makes
// in the output directory (op is mkdir, create, write, sync or rename; name
// the file or directory it is for); an error it returns fails that change.
var failpoint func(op, name string) error

func step(op, name string) error {
	if failpoint != nil {
		return failpoint(op, name)
	}
	return nil
}

// txn changes files in a directory all or nothing. Each change is first
// staged: the new content goes to a temporary file beside its target and is
// synced. Then each is swapped in by renames, the old file (or a stale one)
// moved aside to a backup name rather than removed. Until commit, rollback
// undoes every step; after it, the backups are removed.
type txn struct {
	root   *os.Root
	dir    string         // root's path, for messages
	undo   []func() error // what each step did, undone in reverse
	after  []func() error // cleanup once committed
	synced map[string]bool
	// committed is set once the manifest is in place: the changes stand.
	committed bool
	journal   bool // a journal was written
}

func newTxn(root *os.Root, dir string) *txn {
	return &txn{root: root, dir: dir, synced: map[string]bool{}}
}

// fail says which file an operation failed for, in the user's terms.
func (t *txn) fail(op, name string, err error) error {
	return fmt.Errorf("%s %s: %w", op, filepath.Join(t.dir, filepath.FromSlash(name)), unwrapPath(err))
}

// aside returns an unused-looking hidden name beside name for its temporary
// or backup copy.
func aside(name, kind string) string {
	return path.Join(path.Dir(name), fmt.Sprintf(".%s.fgen-%016x.%s", path.Base(name), rand.Uint64(), kind))
}

// asideName matches the names aside returns.
var asideName = regexp.MustCompile(`^\..+\.fgen-[0-9a-f]{16}\.(tmp|old)$`)

// IsTemporary reports whether a file's name is one Write gives a temporary
// file or backup in the output directory: a Write that stopped left it,
// and the next one removes it.
func IsTemporary(name string) bool { return asideName.MatchString(name) }

// leftovers returns the temporary files and backups (names aside gives)
// in the directories of root that hold the project's files, as slash
// paths: what a Write that stopped part-way left, which the next one
// sweeps. Only those directories, each of them alone: a directory under
// the output directory may be another project's, whose Write, under its
// own lock, made those of its own.
func leftovers(root *os.Root, files []File, owned map[string]string) []string {
	dirs := map[string]bool{".": true}
	for _, f := range files {
		dirs[path.Dir(f.Path)] = true
	}
	for p := range owned {
		dirs[path.Dir(p)] = true
	}
	var out []string
	for dir := range dirs {
		entries, err := fs.ReadDir(root.FS(), dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if !e.IsDir() && IsTemporary(e.Name()) {
				out = append(out, path.Join(dir, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out
}

// sweep removes, once committed, the temporary files and backups that a
// crashed Write left (leftovers), then their directories and parents if
// that leaves them empty. Only Write, holding the lock, makes such files,
// so none of them is in use.
func (t *txn) sweep(names []string) {
	if len(names) == 0 {
		return
	}
	t.after = append(t.after, func() error {
		var errs []error
		for _, n := range names {
			errs = append(errs, removeIfExists(t.root, n))
		}
		for _, n := range names {
			removeEmptyDirs(t.root, path.Dir(n))
		}
		return errors.Join(errs...)
	})
}

// mkdirs creates the missing directories of dir, a slash path in root.
func (t *txn) mkdirs(dir string) error {
	if dir == "." {
		return nil
	}
	if err := t.mkdirs(path.Dir(dir)); err != nil {
		return err
	}
	if _, err := t.root.Lstat(dir); !errors.Is(err, fs.ErrNotExist) {
		return nil // a file in the way fails when the file is created
	}
	if err := step("mkdir", dir); err != nil {
		return t.fail("mkdir", dir, err)
	}
	if err := t.root.Mkdir(dir, 0o755); err != nil {
		return t.fail("mkdir", dir, err)
	}
	t.undo = append(t.undo, func() error { return t.root.Remove(dir) })
	return nil
}

// stage writes data to tmp, a synced temporary file beside name (a name
// aside gave).
func (t *txn) stage(name, tmp string, data []byte) error {
	// The mode of the file it replaces (one a user made read-only stays
	// so), else 0644.
	mode := fs.FileMode(0o644)
	if fi, err := t.root.Lstat(name); err == nil && fi.Mode().IsRegular() {
		mode = fi.Mode().Perm()
	}
	if err := t.mkdirs(path.Dir(name)); err != nil {
		return err
	}
	if err := step("create", name); err != nil {
		return t.fail("write", name, err)
	}
	f, err := t.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return t.fail("write", name, err)
	}
	t.undo = append(t.undo, func() error { return removeIfExists(t.root, tmp) })
	err = step("write", name)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Chmod(mode)
	}
	if err == nil {
		if err = step("sync", name); err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return t.fail("write", name, err)
	}
	return nil
}

// rename is root.Rename at a failpoint.
func (t *txn) rename(from, to string) error {
	if err := step("rename", to); err != nil {
		return err
	}
	t.synced[path.Dir(to)] = false
	return t.root.Rename(from, to)
}

// moveAside renames name to its backup bak, restored by rollback and
// removed after commit.
func (t *txn) moveAside(name, bak string) error {
	if err := t.rename(name, bak); err != nil {
		return t.fail("move aside", name, err)
	}
	t.undo = append(t.undo, func() error { return t.root.Rename(bak, name) })
	t.after = append(t.after, func() error { return removeIfExists(t.root, bak) })
	return nil
}

// swap puts the staged e.Tmp in e.Path's place, moving the file there
// aside to e.Old first ("" when there is none).
func (t *txn) swap(e journalEntry) error {
	if e.Old != "" {
		if err := t.moveAside(e.Path, e.Old); err != nil {
			return err
		}
	}
	if err := t.rename(e.Tmp, e.Path); err != nil {
		return t.fail("write", e.Path, err)
	}
	if e.Old == "" {
		t.undo = append(t.undo, func() error { return t.root.Remove(e.Path) })
	}
	return nil
}

// remove removes e.Path, undoably, moving it aside to e.Old; the
// directories it leaves empty go after commit.
func (t *txn) remove(e journalEntry) error {
	if err := t.moveAside(e.Path, e.Old); err != nil {
		return err
	}
	t.after = append(t.after, func() error { removeEmptyDirs(t.root, path.Dir(e.Path)); return nil })
	return nil
}

// writeJournal puts j in place, synced, before the Write makes anything it
// lists; rollback removes it when every step was undone, and commit once
// the rest is cleaned up.
func (t *txn) writeJournal(j journal) error {
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	tmp := aside(JournalPath, "tmp")
	if err := t.stage(JournalPath, tmp, append(data, '\n')); err != nil {
		return err
	}
	if err := t.rename(tmp, JournalPath); err != nil {
		return t.fail("write", JournalPath, err)
	}
	t.sync()
	t.journal = true
	return nil
}

// sync makes the renames so far durable before the next one (directories
// cannot be synced on every platform; where they cannot, this does nothing).
func (t *txn) sync() {
	for dir, done := range t.synced {
		if done {
			continue
		}
		if f, err := t.root.Open(dir); err == nil {
			f.Sync()
			f.Close()
		}
		t.synced[dir] = true
	}
}

// commit makes the transaction final with its last step, the manifest's
// rename from tmp (tmp is "" when the manifest does not change), then
// removes the backups.
func (t *txn) commit(tmp string) error {
	t.sync()
	if tmp != "" {
		if err := t.rename(tmp, ManifestPath); err != nil {
			return t.fail("write", ManifestPath, err)
		}
		t.sync()
	}
	t.committed, t.undo = true, nil
	var errs []error
	for _, f := range t.after {
		err := step("clean up", ManifestPath)
		if err == nil {
			err = f()
		}
		if err != nil {
			errs = append(errs, unwrapPath(err))
		}
	}
	// Last: until the journal is gone, a crash leaves it for the next
	// Write to finish the cleanup by.
	if t.journal && len(errs) == 0 {
		err := step("remove", JournalPath)
		if err == nil {
			err = removeIfExists(t.root, JournalPath)
		}
		if err != nil {
			errs = append(errs, unwrapPath(err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s is up to date, but fgen could not remove its temporary files and backups (hidden .*.fgen-* files): %w", t.dir, err)
	}
	return nil
}

// rollback undoes every step since the transaction began, newest first,
// then removes the journal: only when every step was undone (else it is
// what the next Write puts the directory back by).
func (t *txn) rollback() error {
	var errs []error
	for i := len(t.undo) - 1; i >= 0; i-- {
		if err := t.undo[i](); err != nil {
			errs = append(errs, unwrapPath(err))
		}
	}
	t.undo = nil
	if t.journal && len(errs) == 0 {
		if err := removeIfExists(t.root, JournalPath); err != nil {
			errs = append(errs, unwrapPath(err))
		}
	}
	return errors.Join(errs...)
}

func removeIfExists(root *os.Root, name string) error {
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
