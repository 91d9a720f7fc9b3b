package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

// WriteResult says what Write did.
type WriteResult struct {
	Written   []string // created or changed
	Unchanged []string
	Removed   []string // stale files fgen generated earlier
	Kept      []string // stale files edited since fgen wrote them: kept, no longer tracked
	// Restored are the files of Written that had been edited since fgen
	// wrote them: the edit is replaced by what fgen renders.
	Restored []string
	// Recovered says what Write did first by the journal of one that
	// stopped part-way; "" when there was none.
	Recovered string
}

// Write makes dir hold exactly files (plus the manifest): unchanged files are
// not touched, changed ones are replaced, and files fgen generated earlier
// but no longer renders are removed while they still hold what fgen wrote
// (an edited one is kept, and listed in Kept). It refuses, before writing
// anything, to overwrite a file it does not own.
//
// Write is all or nothing: when it fails, dir is as it was (see apply). One
// Write at a time changes dir: it holds LockPath there while it works, and
// fails at once if another holds it.
//
// Every path Write reads, writes or removes is inside dir: it opens dir as an
// os.Root, rejects a manifest whose paths leave it (see readManifest), and
// does not follow a symbolic link at a path the manifest names.
func Write(dir string, files []File) (res *WriteResult, err error) {
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			// Of the directory it could not make: its parent refused.
			parent := filepath.Dir(dir)
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				parent = filepath.Dir(pe.Path)
			}
			return nil, explain(parent, err)
		}
		defer func() {
			if err != nil {
				os.Remove(dir)
			}
		}()
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, explain(dir, err)
	}
	defer root.Close()
	unlock, err := lock(root, dir)
	if err != nil {
		return nil, explain(dir, err)
	}
	defer unlock()
	recovered, err := recoverJournal(root, dir)
	if err != nil {
		return nil, explain(dir, err)
	}
	p, err := planWrite(root, dir, WithManifest(files))
	if err != nil {
		return nil, explain(dir, err)
	}
	if err := p.apply(newTxn(root, dir)); err != nil {
		return nil, explain(dir, err)
	}
	p.res.Recovered = recovered
	return p.res, nil
}

// explain adds to an error of Write what to do about it, where the
// system's words do not say: a directory fgen may not write in, and a
// symbolic link out of dir, which os.Root refuses to follow.
func explain(dir string, err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w; fgen writes in %s: make it writable, or generate into another directory with --dir", err, dir)
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w; free space on its disk, then generate again", err)
	case strings.Contains(err.Error(), "path escapes from parent"):
		return fmt.Errorf("%w: a symbolic link there leads out of %s, and fgen writes only inside its output directory; replace the link with a directory of its own", err, dir)
	}
	return err
}

// LockPath is the file, relative to the output directory, that Write
// creates while it writes there, so that one generate at a time does.
const LockPath = ".fgen.lock"

// lockText is what a lock holds: the process id and the host name of its
// Write, which messages name, and on unix that the flock holds it
// (lockMark).
func lockText() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%d %s%s\n", os.Getpid(), host, lockMark)
}

// lockFields returns the fields of the lock text data and its process id,
// ok when it is a lock fgen writes: a process id, a host name (which may
// be empty) and, with flock, lockMark.
func lockFields(data []byte) (pid int, fields []string, ok bool) {
	fields = strings.Fields(string(data))
	if len(fields) == 0 || len(fields) > 3 {
		return 0, fields, false
	}
	pid, err := strconv.Atoi(fields[0])
	return pid, fields, err == nil && pid > 0
}

// locked says who holds the lock in root, which exists, and then: wait, or,
// unless a process holds its flock (flocked), delete it when no fgen runs,
// and do next.
func locked(root *os.Root, dir, next string, flocked bool) error {
	path := filepath.Join(dir, LockPath)
	holder := "another fgen generate"
	if data, err := readRegular(root, LockPath); err == nil && len(bytes.TrimSpace(data)) > 0 {
		_, fields, ok := lockFields(data)
		if !ok {
			return fmt.Errorf("%s exists and is not a lock fgen generate wrote (a process id and a host name): move it away if no fgen is running, then %s", path, next)
		}
		holder += " (process " + fields[0] + ")"
	}
	if flocked {
		return fmt.Errorf("%s is held: %s is writing %s; wait for it to finish, then %s", path, holder, dir, next)
	}
	return fmt.Errorf("%s exists: %s is writing %s; wait for it to finish, or delete the file if no fgen is running, then %s", path, holder, dir, next)
}

// writePlan is what Write is about to do.
type writePlan struct {
	write    []File          // new and changed files in path order, the manifest among them
	replaces map[string]bool // which of them replace a file
	remove   []string        // stale files that still hold what fgen wrote
	// leftovers are the temporary files and backups an earlier Write
	// left (leftovers), which this one sweeps once committed.
	leftovers []string
	res       *WriteResult // what Write reports once the plan is applied
}

// ForeignFilesError is Write's refusal of files it would write that exist
// and are not fgen's (neither in its manifest as written nor in the form
// it writes): Paths, each in the directory written, in the order of the
// project's files.
type ForeignFilesError struct {
	Paths []string
}

func (e *ForeignFilesError) Error() string { return e.Explain("generate") }

// Explain is the error, with again the generate to run once the files are
// moved away ("run 'fgen -c ... generate'", say).
func (e *ForeignFilesError) Explain(again string) string {
	if len(e.Paths) == 1 {
		return fmt.Sprintf("%s exists and was not generated by fgen; move it away, then %s again", e.Paths[0], again)
	}
	return fmt.Sprintf("%s exist and were not generated by fgen; move them away, then %s again", strings.Join(e.Paths, ", "), again)
}

// planWrite compares files, the manifest among them, with root. It fails
// with a *ForeignFilesError when files fgen would write exist and are not
// fgen's.
func planWrite(root *os.Root, dir string, files []File) (*writePlan, error) {
	owned, err := readManifest(root, filepath.Join(dir, ManifestPath))
	if err != nil {
		return nil, err
	}
	p := &writePlan{replaces: map[string]bool{}, res: &WriteResult{}, leftovers: leftovers(root, files, owned)}
	var foreign []string
	for _, f := range files {
		old, ok, err := readRendered(root, dir, f.Path)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			p.write = append(p.write, f)
		case bytes.Equal(old, f.Data):
			p.res.Unchanged = append(p.res.Unchanged, f.Path)
		case f.Path != ManifestPath && !generated(owned, f.Path, old):
			foreign = append(foreign, filepath.Join(dir, filepath.FromSlash(f.Path)))
		default:
			p.write = append(p.write, f)
			p.replaces[f.Path] = true
			if f.Path != ManifestPath && editedByHand(owned, f.Path, old) {
				p.res.Restored = append(p.res.Restored, f.Path)
			}
		}
	}
	if len(foreign) > 0 {
		return nil, &ForeignFilesError{Paths: foreign}
	}
	for _, f := range p.write {
		p.res.Written = append(p.res.Written, f.Path)
	}
	stale, err := staleFiles(root, dir, owned, files)
	if err != nil {
		return nil, err
	}
	for _, s := range stale {
		if s.edited {
			p.res.Kept = append(p.res.Kept, s.path)
		} else {
			p.remove = append(p.remove, s.path)
		}
	}
	p.res.Removed = p.remove
	return p, nil
}

// readRendered reads the file at name, a path Render produced, in root; ok
// is false when there is none. Anything but a regular file there is an
// error that says what to do.
func readRendered(root *os.Root, dir, name string) (data []byte, ok bool, err error) {
	full := filepath.Join(dir, filepath.FromSlash(name))
	if !localPath(name) {
		return nil, false, fmt.Errorf("render produced %q, not a path inside %s", name, dir)
	}
	data, err = readRegular(root, name)
	var notRegular errNotRegular
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, false, nil
	case errors.As(err, &notRegular):
		return nil, false, fmt.Errorf("%s %v, not a file fgen generated; move it away, then run 'fgen generate' again", full, notRegular)
	case err != nil:
		return nil, false, fmt.Errorf("%s: %w", full, err)
	}
	return data, true, nil
}

// editedByHand reports whether data, the file at name, is one fgen wrote
// (the manifest owned has its hash) and has since been changed.
func editedByHand(owned map[string]string, name string, data []byte) bool {
	h, ok := owned[name]
	return ok && h != hash(data)
}

// generated reports whether fgen wrote the file at name, which holds data:
// the manifest lists it or, when there is no manifest, it has the header.
func generated(owned map[string]string, name string, data []byte) bool {
	if owned == nil {
		return bytes.HasPrefix(data, []byte(Header))
	}
	return owned[name] != ""
}

// apply makes the planned changes all or nothing: it writes the journal of
// every name it is about to make (recoverJournal), stages every new and
// changed file, swaps them in, moves the stale files aside, and commits by
// renaming the manifest into place last. A failure before that rolls every
// step back; a crash leaves the journal, by which the next Write puts back
// what it lists, and which Compare reports.
func (p *writePlan) apply(t *txn) error {
	t.sweep(p.leftovers)
	err := func() error {
		j := p.journal(t.root)
		if len(j.Files) > 0 {
			if err := t.writeJournal(j); err != nil {
				return err
			}
		}
		for _, e := range j.Files {
			if e.Tmp == "" {
				continue // a removal
			}
			if err := t.stage(e.Path, e.Tmp, e.data); err != nil {
				return err
			}
		}
		if j.Manifest != "" {
			if err := t.stage(ManifestPath, j.Manifest, j.manifestData); err != nil {
				return err
			}
		}
		for _, e := range j.Files {
			var err error
			if e.Tmp != "" {
				err = t.swap(e)
			} else {
				err = t.remove(e)
			}
			if err != nil {
				return err
			}
		}
		return t.commit(j.Manifest)
	}()
	if err == nil || t.committed {
		return err
	}
	if rerr := t.rollback(); rerr != nil {
		return fmt.Errorf("%w; undoing the changes made so far failed too (%v), so %s may be part-written: the next generate puts back what the journal (%s) lists", err, rerr, t.dir, JournalPath)
	}
	return fmt.Errorf("%w; %s is unchanged", err, t.dir)
}

// journal names what applying p makes in root: the staged files, the
// backups, and the directories that do not exist yet.
func (p *writePlan) journal(root *os.Root) journal {
	var j journal
	newDirs := map[string]bool{}
	for _, f := range p.write {
		tmp := aside(f.Path, "tmp")
		if f.Path == ManifestPath {
			j.Manifest, j.ManifestHash, j.manifestData = tmp, hash(f.Data), f.Data
			continue
		}
		e := journalEntry{Path: f.Path, Tmp: tmp, data: f.Data}
		if p.replaces[f.Path] {
			e.Old = aside(f.Path, "old")
		}
		j.Files = append(j.Files, e)
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			if _, err := root.Lstat(d); err == nil {
				break
			}
			newDirs[d] = true
		}
	}
	for _, name := range p.remove {
		j.Files = append(j.Files, journalEntry{Path: name, Old: aside(name, "old")})
	}
	j.Dirs = slices.Sorted(maps.Keys(newDirs)) // a parent before its children
	return j
}

// errNotRegular says that a path fgen would read is a symbolic link,
// directory or device, not a file fgen wrote.
type errNotRegular struct{ mode fs.FileMode }

func (e errNotRegular) Error() string {
	switch {
	case e.mode&fs.ModeSymlink != 0:
		return "is a symbolic link"
	case e.mode.IsDir():
		return "is a directory"
	default:
		return "is not a regular file"
	}
}

// readRegular reads the file name in root. It does not follow a symbolic
// link at name itself (one in a parent directory is followed only while it
// stays inside root): a link, directory or device is an errNotRegular.
// Errors do not repeat name; callers say which file.
func readRegular(root *os.Root, name string) ([]byte, error) {
	fi, err := root.Lstat(name)
	if err != nil {
		return nil, unwrapPath(err)
	}
	if !fi.Mode().IsRegular() {
		return nil, errNotRegular{fi.Mode()}
	}
	f, err := root.Open(name)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	// Open follows a link: make sure it opened what Lstat saw.
	if opened, err := f.Stat(); err != nil || !os.SameFile(fi, opened) {
		return nil, errors.New("changed while fgen read it")
	}
	return io.ReadAll(f)
}

// unwrapPath drops an os.PathError's (or LinkError's) operation and
// relative paths, which callers replace with the path in the user's terms.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// staleFile is a file the manifest lists and Render no longer produces.
type staleFile struct {
	path   string
	data   []byte // nil when it is not a regular file
	edited bool   // not what fgen wrote (or not a regular file): fgen keeps it
}

// staleFiles returns the stale files that exist in root, in path order.
func staleFiles(root *os.Root, dir string, owned map[string]string, files []File) ([]staleFile, error) {
	// On a case-insensitive file system DDL/A.sql is the rendered ddl/a.sql,
	// never stale; on another it is a file of its own (a table renamed by
	// case alone), stale.
	rendered := map[string]string{} // lower case -> path
	for _, f := range files {
		rendered[strings.ToLower(f.Path)] = f.Path
	}
	var paths []string
	for p := range owned {
		if r, ok := rendered[strings.ToLower(p)]; !ok || r != p && !sameFile(root, p, r) {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var stale []staleFile
	for _, p := range paths {
		data, err := readRegular(root, p)
		var notRegular errNotRegular
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case errors.As(err, &notRegular):
			stale = append(stale, staleFile{path: p, edited: true})
		case err != nil:
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, filepath.FromSlash(p)), err)
		default:
			stale = append(stale, staleFile{path: p, data: data, edited: hash(data) != owned[p]})
		}
	}
	return stale, nil
}

// sameFile reports whether paths a and b in root are one file.
func sameFile(root *os.Root, a, b string) bool {
	fa, err := root.Lstat(a)
	if err != nil {
		return false
	}
	fb, err := root.Lstat(b)
	return err == nil && os.SameFile(fa, fb)
}

// removeEmptyDirs removes dir, a slash path in root, and its parents while
// they are empty directories; never root itself.
func removeEmptyDirs(root *os.Root, dir string) {
	for ; dir != "." && dir != "/"; dir = path.Dir(dir) {
		if fi, err := root.Lstat(dir); err != nil || !fi.IsDir() || root.Remove(dir) != nil {
			return
		}
	}
}

// ChangeKind classifies a difference between rendered files and a directory.
type ChangeKind string

const (
	Missing      ChangeKind = "missing"        // rendered, not on disk
	Changed      ChangeKind = "changed"        // funnel.toml (or fgen) now renders it differently
	EditedByHand ChangeKind = "edited by hand" // differs from what fgen last wrote
	Stale        ChangeKind = "stale"          // fgen wrote it earlier, no longer renders it
	Orphaned     ChangeKind = "orphaned"       // stale, but edited since: generate keeps it and stops tracking it
	// NotFgens: a file fgen would write is there, and fgen never wrote it
	// (a file of the user's): generate refuses to replace it.
	NotFgens ChangeKind = "not fgen's"
	// LeftOver: a temporary file or backup (a hidden .*.fgen-* file) that
	// a generate which stopped left: generate removes it.
	LeftOver ChangeKind = "left over"
)

// Change is one file that differs.
type Change struct {
	Path string
	Kind ChangeKind
	Old  []byte // on disk; nil when missing (or an orphaned non-regular file)
	New  []byte // rendered; nil when stale or orphaned
}

// Compare reports how dir differs from files (plus the manifest), in path
// order. It reads only inside dir, as Write does.
func Compare(dir string, files []File) ([]Change, error) {
	files = WithManifest(files)
	root, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		changes := make([]Change, len(files))
		for i, f := range files {
			changes[i] = Change{Path: f.Path, Kind: Missing, New: f.Data}
		}
		return changes, nil
	}
	if err != nil {
		return nil, err
	}
	defer root.Close()
	// What a generate is writing, or left part-written, is no state to
	// compare: a file it swapped in would read as edited by hand.
	if held, flocked := lockHeld(root); held {
		return nil, locked(root, dir, "run 'fgen diff' again", flocked)
	}
	if _, err := root.Lstat(JournalPath); err == nil {
		return nil, errInterrupted(dir)
	}
	owned, err := readManifest(root, filepath.Join(dir, ManifestPath))
	if err != nil {
		return nil, err
	}
	var changes []Change
	for _, f := range files {
		old, ok, err := readRendered(root, dir, f.Path)
		switch {
		case err != nil:
			return nil, err
		case !ok:
			changes = append(changes, Change{Path: f.Path, Kind: Missing, New: f.Data})
		case !bytes.Equal(old, f.Data):
			kind := Changed
			if editedByHand(owned, f.Path, old) {
				kind = EditedByHand
			} else if f.Path != ManifestPath && !generated(owned, f.Path, old) {
				kind = NotFgens // as planWrite refuses it
			}
			changes = append(changes, Change{Path: f.Path, Kind: kind, Old: old, New: f.Data})
		}
	}
	stale, err := staleFiles(root, dir, owned, files)
	if err != nil {
		return nil, err
	}
	for _, s := range stale {
		if s.edited {
			changes = append(changes, Change{Path: s.path, Kind: Orphaned, Old: s.data})
		} else {
			changes = append(changes, Change{Path: s.path, Kind: Stale, Old: s.data})
		}
	}
	for _, name := range leftovers(root, files, owned) {
		changes = append(changes, Change{Path: name, Kind: LeftOver})
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	return changes, nil
}
