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

// journal is what a Write is about to make and change in its output
// directory, written before it makes anything.
type journal struct {
	// Manifest is where the new manifest is staged; its rename into place
	// commits the Write, which the manifest's hash then tells
	// (ManifestHash). "" when the manifest does not change: such a Write
	// only puts files back as the manifest lists them, and the next one
	// undoes it whole, or redoes it.
	Manifest     string         `json:"manifest"`
	ManifestHash string         `json:"manifest_sha256,omitempty"`
	Files        []journalEntry `json:"files"`
	Dirs         []string       `json:"dirs,omitempty"` // created for the files, a parent before its children
	manifestData []byte         // what is staged at Manifest (not journaled)
}

// journalEntry is one file a Write replaces, creates or removes: the new
// content staged at Tmp ("" for a removal) goes to Path, and the file there
// goes aside to Old first ("" when there is none).
type journalEntry struct {
	Path string `json:"path"`
	Tmp  string `json:"tmp,omitempty"`
	Old  string `json:"old,omitempty"`
	data []byte // what is staged at Tmp (not journaled)
}

// recoverJournal finishes what a Write that died left, by its journal in
// root, and says what it did ("" without a journal). When the manifest in place is the one it was writing (it
// committed), it removes the backups; else it puts each file back as it
// was, newest first (the backup over whatever is at the path; a new file
// removed), removes what it staged and the directories it created, if
// empty. Then, when all of that worked, it removes the journal; else the
// journal stays for the next try. Without a journal it does nothing.
func recoverJournal(root *os.Root, dir string) (recovered string, err error) {
	j, err := readJournal(root, dir)
	if j == nil || err != nil {
		return "", err
	}
	exists := func(name string) bool {
		_, err := root.Lstat(name)
		return err == nil
	}
	committed := false
	if j.ManifestHash != "" {
		data, err := readRegular(root, ManifestPath)
		committed = err == nil && hash(data) == j.ManifestHash
	}
	var errs []error
	note := func(err error) {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	for i := len(j.Files) - 1; i >= 0; i-- {
		e := j.Files[i]
		switch {
		case committed:
			if e.Old != "" {
				note(root.Remove(e.Old))
			}
			if e.Tmp == "" { // removed: as commit leaves its directory
				removeEmptyDirs(root, path.Dir(e.Path))
			}
		case e.Old != "" && exists(e.Old):
			note(root.Rename(e.Old, e.Path))
		case e.Old == "" && e.Tmp != "" && exists(e.Path):
			// A new file, swapped in: the path was free when the
			// journal was written, and the lock kept others out.
			note(root.Remove(e.Path))
		}
		if e.Tmp != "" {
			note(root.Remove(e.Tmp))
		}
	}
	if !committed {
		if j.Manifest != "" {
			note(root.Remove(j.Manifest))
		}
		for i := len(j.Dirs) - 1; i >= 0; i-- {
			if entries, err := fs.ReadDir(root.FS(), j.Dirs[i]); err == nil && len(entries) == 0 {
				note(root.Remove(j.Dirs[i]))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return "", fmt.Errorf("%s: an fgen generate stopped part-way through writing %s, and putting its files back failed: %w; fix that, then generate again (or restore %s from version control and delete %s)",
			filepath.Join(dir, JournalPath), dir, err, dir, JournalPath)
	}
	recovered = "put back the files an earlier generate replaced before it stopped"
	if committed {
		recovered = "finished the cleanup of an earlier generate that stopped after it wrote"
	}
	return recovered, removeIfExists(root, JournalPath)
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
	for _, p := range append(j.Dirs, j.Manifest) {
		if err == nil && p != "" && !localPath(p) {
			err = fmt.Errorf("a path that leaves %s", dir)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: malformed (%v): an fgen generate stopped part-way through writing %s and left it; restore %s from version control (git checkout), delete %s, then generate again", name, err, dir, dir, JournalPath)
	}
	return &j, nil
}

// ErrPartWritten is Compare's error, wrapped, while a journal is in the
// directory: a Write died part-way through it.
var ErrPartWritten = errors.New("part-written")

func errInterrupted(dir string) error {
	return fmt.Errorf("%s is %w: an fgen generate stopped while it replaced files there (it left %s); the next generate into it puts back what that one replaced, then writes%s",
		dir, ErrPartWritten, JournalPath, staleLockAdvice)
}
