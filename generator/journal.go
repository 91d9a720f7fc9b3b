package generator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// JournalPath is the file, relative to the output directory, where Write
// lists the renames it is about to make, before the first of them, and
// which it removes once they are committed (see txn). A Write that dies
// part-way leaves it: the next Write puts back what it lists before
// anything else (recoverJournal), and Compare reports it.
const JournalPath = ".fgen.journal"

// journal is what a Write is about to change in its output directory.
type journal struct {
	// Manifest is the staged new manifest, whose rename into place
	// commits the Write; "" when the manifest does not change.
	Manifest string         `json:"manifest"`
	Files    []journalEntry `json:"files"`
}

// journalEntry is one file a Write replaces, creates or removes: the new
// content staged at Tmp ("" for a removal) goes to Path, and the file there
// goes aside to Old first ("" when there is none).
type journalEntry struct {
	Path string `json:"path"`
	Tmp  string `json:"tmp,omitempty"`
	Old  string `json:"old,omitempty"`
}

// recoverJournal finishes what a Write that died left, by its journal in
// root: when its manifest was renamed into place (committed), it removes
// the backups; else it puts each file back as it was, newest first (the
// backup over whatever is at the path, and a new file removed), and removes
// the staged files. Then it removes the journal. Without a journal it does
// nothing.
func recoverJournal(root *os.Root, dir string) error {
	j, err := readJournal(root, dir)
	if j == nil || err != nil {
		return err
	}
	exists := func(name string) bool {
		_, err := root.Lstat(name)
		return err == nil
	}
	committed := j.Manifest != "" && !exists(j.Manifest)
	var errs []error
	note := func(err error) {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, unwrapPath(err))
		}
	}
	for i := len(j.Files) - 1; i >= 0; i-- {
		e := j.Files[i]
		switch {
		case committed:
			if e.Old != "" {
				note(root.Remove(e.Old))
			}
			continue
		case e.Old != "" && exists(e.Old):
			note(root.Rename(e.Old, e.Path))
		case e.Old == "" && e.Tmp != "" && !exists(e.Tmp):
			// Swapped in, new: not there before.
			note(root.Remove(e.Path))
			removeEmptyDirs(root, path.Dir(e.Path))
		}
		if e.Tmp != "" {
			note(root.Remove(e.Tmp))
			removeEmptyDirs(root, path.Dir(e.Tmp))
		}
	}
	if !committed && j.Manifest != "" {
		note(root.Remove(j.Manifest))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%s: an fgen generate stopped part-way through writing %s, and putting its files back failed: %w; restore %s from version control (git checkout), delete %s, then generate again",
			filepath.Join(dir, JournalPath), dir, err, dir, JournalPath)
	}
	return removeIfExists(root, JournalPath)
}

// readJournal reads the journal in root, nil when there is none. Every path
// it names must be local: it is read in root, which confines it anyway.
func readJournal(root *os.Root, dir string) (*journal, error) {
	data, err := readRegular(root, JournalPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	name := filepath.Join(dir, JournalPath)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var j journal
	err = json.Unmarshal(data, &j)
	for _, e := range j.Files {
		if err == nil && (!localPath(e.Path) || e.Tmp != "" && !localPath(e.Tmp) || e.Old != "" && !localPath(e.Old)) {
			err = fmt.Errorf("a path that leaves %s", dir)
		}
	}
	if err == nil && j.Manifest != "" && !localPath(j.Manifest) {
		err = fmt.Errorf("a path that leaves %s", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: malformed (%v): an fgen generate stopped part-way through writing %s and left it; restore %s from version control (git checkout), delete %s, then generate again", name, err, dir, dir, JournalPath)
	}
	return &j, nil
}

// errInterrupted says that a Write died part-way through dir: Compare's
// error, while the journal is there.
func errInterrupted(dir string) error {
	return fmt.Errorf("%s is part-written: an fgen generate stopped while it replaced files there (it left %s); run 'fgen generate', which first puts back what that one replaced (delete %s first if it is still there and no fgen runs)",
		dir, JournalPath, LockPath)
}
