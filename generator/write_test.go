package generator

import (
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// sql is a generated SQL file's content.
func sql(body string) []byte { return []byte(Header + "\n" + body + "\n") }

// projectA and projectB are two renders of one project: B changes a file in
// every directory, adds one and no longer renders ddl/b.sql.
func projectA() []File {
	return []File{
		{Path: "dataworks/flow.json", Data: []byte("{\"v\": 1}\n")},
		{Path: "ddl/a.sql", Data: sql("CREATE TABLE a (x BIGINT);")},
		{Path: "ddl/b.sql", Data: sql("CREATE TABLE b (x BIGINT);")},
		{Path: "nodes/a.sql", Data: sql("INSERT OVERWRITE TABLE a SELECT 1;")},
		{Path: "nodes/b.sql", Data: sql("INSERT OVERWRITE TABLE b SELECT 1;")},
	}
}

func projectB() []File {
	return []File{
		{Path: "dataworks/flow.json", Data: []byte("{\"v\": 2}\n")},
		{Path: "ddl/a.sql", Data: sql("CREATE TABLE a (x BIGINT, y STRING);")},
		{Path: "ddl/c.sql", Data: sql("CREATE TABLE c (x BIGINT);")},
		{Path: "nodes/a.sql", Data: sql("INSERT OVERWRITE TABLE a SELECT 1, 'y';")},
		{Path: "nodes/b.sql", Data: sql("INSERT OVERWRITE TABLE b SELECT 1;")},
		{Path: "views/c.sql", Data: sql("SELECT 1;")},
	}
}

// snapshot records every entry below root: directories, files with their
// bytes, and symbolic links with their targets; temporary files left behind
// show up too.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			tree[rel] = "link " + target
			return err
		case d.IsDir():
			tree[rel] = "dir"
		default:
			data, err := os.ReadFile(p)
			tree[rel] = "file " + string(data)
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// sameTree fails the test with every difference between two snapshots.
func sameTree(t *testing.T, got, want map[string]string) {
	t.Helper()
	var paths []string
	for p := range got {
		paths = append(paths, p)
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	for _, p := range paths {
		if got[p] != want[p] {
			t.Errorf("%s: %.60q, was %.60q", p, got[p], want[p])
		}
	}
}

func mustWrite(t *testing.T, dir string, files []File) *WriteResult {
	t.Helper()
	res, err := Write(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// addToManifest adds an entry to dir's manifest, as a pull request could.
func addToManifest(t *testing.T, dir, path, sum string) {
	t.Helper()
	name := filepath.Join(dir, ManifestPath)
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m.Files[path] = sum
	data, _ = json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A manifest is committed, so a pull request can change it: no entry may
// make diff read, or generate remove, anything outside the output directory.
func TestManifestCannotReachOutsideOut(t *testing.T) {
	const secret = "secret\n"
	cases := []struct {
		name, entry string
		setup       func(base, out string) // makes what the entry names
		malformed   bool                   // the manifest is rejected
	}{
		{name: "parent", entry: "../victim.txt", malformed: true},
		{name: "grandparent", entry: "../../victim.txt", malformed: true},
		{name: "sibling directory", entry: "../outside/victim.txt", malformed: true},
		{name: "dot dot inside", entry: "ddl/../../victim.txt", malformed: true},
		{name: "absolute", entry: "<abs>", malformed: true},
		{name: "backslash", entry: `..\victim.txt`, malformed: true},
		{name: "volume", entry: `C:/victim.txt`, malformed: true},
		{name: "symlink to a file outside", entry: "ddl/link.sql", setup: func(base, out string) {
			os.Symlink(filepath.Join(base, "victim.txt"), filepath.Join(out, "ddl", "link.sql"))
		}},
		{name: "symlinked directory outside", entry: "esc/victim.txt", setup: func(base, out string) {
			os.Symlink(base, filepath.Join(out, "esc"))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			out := filepath.Join(base, "out")
			victims := []string{filepath.Join(base, "victim.txt"), filepath.Join(base, "outside", "victim.txt")}
			for _, v := range victims {
				os.MkdirAll(filepath.Dir(v), 0o755)
				os.WriteFile(v, []byte(secret), 0o644)
			}
			mustWrite(t, out, projectA())
			if c.setup != nil {
				c.setup(base, out)
			}
			entry := strings.ReplaceAll(c.entry, "<abs>", filepath.ToSlash(victims[0]))
			// The entry's hash is the victim's: only the path protects it.
			addToManifest(t, out, entry, hash([]byte(secret)))
			before := snapshot(t, out)

			changes, err := Compare(out, projectA())
			for _, ch := range changes {
				if strings.Contains(string(ch.Old), secret) {
					t.Errorf("diff read %s outside %s", ch.Path, out)
				}
			}
			_, werr := Write(out, projectA())
			for _, v := range victims {
				if data, err := os.ReadFile(v); string(data) != secret {
					t.Errorf("generate removed or changed %s (%v)", v, err)
				}
			}
			if c.malformed {
				want := filepath.Join(out, ManifestPath) + ": malformed: "
				for what, err := range map[string]error{"diff": err, "generate": werr} {
					if err == nil || !strings.HasPrefix(err.Error(), want) {
						t.Errorf("%s: %v; want an error starting %q", what, err, want)
					}
				}
				sameTree(t, snapshot(t, out), before)
			}
		})
	}
}

func TestMalformedManifestNamesNoGoType(t *testing.T) {
	cases := map[string]struct{ manifest, want string }{
		"not json":           {`files = 1`, `line 1: invalid character 'i' in literal false (expecting 'a')`},
		"truncated":          {"{\n  \"files\": {\n", `line 3: unexpected end of JSON input`},
		"not an object":      {`[]`, `an array, want an object with "files"`},
		"no files":           {`{"comment": "x"}`, `no "files" object`},
		"files not a map":    {`{"files": "ddl/a.sql"}`, `"files" is a string, want an object`},
		"hash not a string":  {`{"files": {"ddl/a.sql": 1}}`, `files["ddl/a.sql"] is a number, want "sha256:<64 hex digits>"`},
		"hash not a sha256":  {`{"files": {"ddl/a.sql": "sha256:0"}}`, `files["ddl/a.sql"] is "sha256:0", want "sha256:<64 hex digits>"`},
		"path leaves out":    {`{"files": {"../x": "sha256:` + strings.Repeat("0", 64) + `"}}`, `files["../x"]: not a slash-separated path inside the output directory`},
		"names the manifest": {`{"files": {"manifest.json": "sha256:` + strings.Repeat("0", 64) + `"}}`, `files["manifest.json"]: names the manifest itself`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			os.WriteFile(filepath.Join(out, ManifestPath), []byte(c.manifest), 0o644)
			want := filepath.Join(out, ManifestPath) + ": malformed: " + c.want + "; if it is a file of yours (another tool's manifest), generate into another directory (--dir); if fgen's, remove it and run 'fgen generate --force'"
			_, cerr := Compare(out, projectA())
			_, werr := Write(out, projectA())
			for what, err := range map[string]error{"Compare": cerr, "Write": werr} {
				if err == nil || err.Error() != want {
					t.Errorf("%s:\n got %v\nwant %s", what, err, want)
				}
			}
		})
	}
}

// A file fgen no longer renders is removed only while it still has the
// content fgen wrote; a hand-edited one is kept and reported.
func TestWriteKeepsEditedStaleFile(t *testing.T) {
	out := t.TempDir()
	a := append(projectA(), File{Path: "ddl/d.sql", Data: sql("CREATE TABLE d (x BIGINT);")})
	mustWrite(t, out, a)
	stale := filepath.Join(out, "ddl", "b.sql")
	edited := "-- my notes\n"
	os.WriteFile(stale, []byte(edited), 0o644)
	changes, err := Compare(out, projectB())
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]ChangeKind{}
	for _, c := range changes {
		kinds[c.Path] = c.Kind
	}
	if kinds["ddl/b.sql"] != Orphaned || kinds["ddl/d.sql"] != Stale {
		t.Errorf("Compare: ddl/b.sql is %q, ddl/d.sql is %q; want orphaned and stale", kinds["ddl/b.sql"], kinds["ddl/d.sql"])
	}
	res := mustWrite(t, out, projectB())
	if data, err := os.ReadFile(stale); string(data) != edited {
		t.Fatalf("generate removed a stale file edited by hand (%v)", err)
	}
	if strings.Join(res.Kept, ",") != "ddl/b.sql" || strings.Join(res.Removed, ",") != "ddl/d.sql" {
		t.Errorf("kept %v, removed %v; want kept [ddl/b.sql], removed [ddl/d.sql]", res.Kept, res.Removed)
	}
	// fgen no longer owns it: the next run leaves it alone and is in sync.
	if changes, err := Compare(out, projectB()); err != nil || len(changes) != 0 {
		t.Errorf("Compare after generate: %v, %+v", err, changes)
	}
}

// A manifest that is a symbolic link is not read: it could name any file.
func TestManifestSymlinkIsNotFollowed(t *testing.T) {
	base := t.TempDir()
	out := filepath.Join(base, "out")
	mustWrite(t, out, projectA())
	name := filepath.Join(out, ManifestPath)
	os.Rename(name, filepath.Join(base, "elsewhere.json"))
	os.Symlink(filepath.Join(base, "elsewhere.json"), name)
	want := name + " is a symbolic link, not a manifest fgen wrote; if it is yours, generate into another directory (--dir); if fgen's, remove it and run 'fgen generate --force'"
	if _, err := Compare(out, projectA()); err == nil || err.Error() != want {
		t.Errorf("Compare: %v\nwant %s", err, want)
	}
}

// A generate that fails part-way leaves the output directory exactly as it
// was: no new, changed, removed or temporary files, no new directories.
func TestFailedWriteLeavesDirUntouched(t *testing.T) {
	cases := map[string]func(t *testing.T, out string){
		// nodes/ is a dangling symbolic link: creating it fails after the
		// files sorted before it were handled.
		"dangling symlink in the way of a directory": func(t *testing.T, out string) {
			os.RemoveAll(filepath.Join(out, "nodes"))
			if err := os.Symlink("gone", filepath.Join(out, "nodes")); err != nil {
				t.Skip(err)
			}
		},
		"file in the way of a new directory": func(t *testing.T, out string) {
			os.WriteFile(filepath.Join(out, "views"), []byte("mine\n"), 0o644)
		},
	}
	for name, breakIt := range cases {
		t.Run(name, func(t *testing.T) {
			out := t.TempDir()
			mustWrite(t, out, projectA())
			breakIt(t, out)
			before := snapshot(t, out)
			if _, err := Write(out, projectB()); err == nil {
				t.Fatal("Write succeeded")
			}
			sameTree(t, snapshot(t, out), before)
		})
	}
}

// setFailpoint makes step n (counting from 0) of the Write calls that
// follow fail, or panic when crash is set, as if the process died there; it
// returns a function that reports how many steps were taken.
func setFailpoint(t *testing.T, n int, crash bool) func() int {
	t.Helper()
	steps := 0
	failpoint = func(op, name string) error {
		steps++
		if steps-1 != n {
			return nil
		}
		if crash {
			panic("crash")
		}
		return errors.New("injected failure")
	}
	t.Cleanup(func() { failpoint = nil })
	return func() int { return steps }
}

// Whichever step of a generate fails, the output directory is left exactly
// as it was (a directory Write created is removed again).
func TestWriteIsAllOrNothing(t *testing.T) {
	for name, before := range map[string][]File{"update": projectA(), "first generate": nil} {
		t.Run(name, func(t *testing.T) {
			for n := 0; ; n++ {
				base := t.TempDir()
				out := filepath.Join(base, "out")
				if before != nil {
					mustWrite(t, out, before)
				}
				want := snapshot(t, base)
				steps := setFailpoint(t, n, false)
				_, err := Write(out, projectB())
				if steps() <= n {
					if err != nil || n == 0 {
						t.Fatalf("%d steps, no failure injected: %v", n, err)
					}
					break
				}
				if err != nil && strings.HasPrefix(err.Error(), out+" is up to date, but fgen could not remove its temporary files and backups") {
					continue // failed after the commit, cleaning up: the next Write does it
				}
				if err == nil || !strings.Contains(err.Error(), "injected failure; "+out+" is unchanged") {
					t.Errorf("step %d: Write returned %v", n, err)
				}
				sameTree(t, snapshot(t, base), want)
			}
		})
	}
}

// A generate that dies part-way never leaves a directory that Compare calls
// in sync: it reports the journal (or the lock) the dead one left. The next
// generate, whichever files it writes (the dead one's, or the ones before
// them: funnel.toml put back), first puts back what the dead one replaced,
// by its journal: the directory then holds exactly the files it writes,
// nothing the dead one added.
func TestCrashedWriteIsNeverInSync(t *testing.T) {
	for name, c := range map[string]struct{ from, to []File }{"A to B": {projectA(), projectB()}, "B to A": {projectB(), projectA()}} {
		t.Run(name, func(t *testing.T) {
			for n := 0; ; n++ {
				for _, next := range [][]File{c.to, c.from} {
					out := t.TempDir()
					mustWrite(t, out, c.from)
					setFailpoint(t, n, true)
					crashed := func() (crashed bool) {
						defer func() { crashed = recover() != nil }()
						if _, err := Write(out, c.to); err != nil {
							t.Fatal(err)
						}
						return false
					}()
					failpoint = nil
					if !crashed {
						return
					}
					if changes, err := Compare(out, c.to); err == nil && len(changes) == 0 {
						t.Errorf("crash at step %d: Compare says in sync", n)
					}
					if changes, err := Compare(out, c.from); err == nil && len(changes) == 0 && !sameSnapshot(snapshot(t, out), treeOf(c.from)) {
						t.Errorf("crash at step %d: Compare says the files before are in sync", n)
					}
					// A test's panic ran Write's deferred unlock; a
					// crash leaves the lock, which the next Write takes
					// over (TestWriteLockOfAProcessGone), where the
					// flock says its Write has ended.
					if lockMark != "" {
						os.WriteFile(filepath.Join(out, LockPath), []byte(lockText()), 0o644)
					}
					mustWrite(t, out, next)
					sameTree(t, snapshot(t, out), treeOf(next))
				}
			}
		})
	}
}

// sameSnapshot reports whether two trees are the same.
func sameSnapshot(a, b map[string]string) bool { return maps.Equal(a, b) }

// While another generate holds the lock, Write changes nothing.
func TestWriteRefusesWhileLocked(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, projectA())
	os.WriteFile(filepath.Join(out, LockPath), []byte("4242\n"), 0o644)
	before := snapshot(t, out)
	_, err := Write(out, projectB())
	want := filepath.Join(out, LockPath) + " exists: another fgen generate (process 4242) is writing " + out + "; wait for it to finish, or delete the file if no fgen is running, then generate again"
	if err == nil || err.Error() != want {
		t.Errorf("Write: %v\nwant %s", err, want)
	}
	sameTree(t, snapshot(t, out), before)
	// Nor does Compare compare what a generate is changing: a file it
	// swapped in would read as edited by hand.
	if _, err := Compare(out, projectA()); err == nil || !strings.Contains(err.Error(), "another fgen generate (process 4242) is writing "+out) || !strings.HasSuffix(err.Error(), "then run 'fgen diff' again") {
		t.Errorf("Compare while locked: %v", err)
	}
	// A file at the lock's path that no generate wrote (a warehouse the
	// target's path put there) is not said to be a process.
	os.WriteFile(filepath.Join(out, LockPath), []byte("DUCK\x00\x01 binary"), 0o644)
	if _, err := Write(out, projectB()); err == nil || !strings.Contains(err.Error(), "is not a lock fgen generate wrote") {
		t.Errorf("Write with a foreign file at the lock's path: %v", err)
	}
}

// A Write that changes files keeps the unchanged ones as they are, mtime
// included, and leaves no temporary file behind.
func TestWriteTouchesOnlyChangedFiles(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, projectA())
	unchanged := filepath.Join(out, "nodes", "b.sql")
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	os.Chtimes(unchanged, old, old)
	res := mustWrite(t, out, projectB())
	if fi, err := os.Stat(unchanged); err != nil || !fi.ModTime().Equal(old) {
		t.Errorf("unchanged file rewritten: %v", err)
	}
	if got := strings.Join(res.Unchanged, " "); got != "nodes/b.sql" {
		t.Errorf("unchanged %q", got)
	}
	sameTree(t, snapshot(t, out), treeOf(projectB()))
}

// treeOf is the snapshot of a directory that holds exactly files and their
// manifest.
func treeOf(files []File) map[string]string {
	tree := map[string]string{".": "dir"}
	for _, f := range WithManifest(files) {
		tree[f.Path] = "file " + string(f.Data)
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			tree[d] = "dir"
		}
	}
	return tree
}

// Generates running at once into one directory leave it holding one
// project or the other, never a mix; a run that finds another one writing
// fails without changing anything.
func TestConcurrentWritesDoNotMix(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, projectA())
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 8 {
		files := projectA()
		if i%2 == 1 {
			files = projectB()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				if _, err := Write(out, files); err != nil && !strings.Contains(err.Error(), ": another fgen generate") {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := snapshot(t, out)
	if !maps.Equal(got, treeOf(projectA())) && !maps.Equal(got, treeOf(projectB())) {
		t.Error("the directory holds neither project:")
		sameTree(t, got, treeOf(projectB()))
	}
}

// A directory of out/ that is a symbolic link out of it is refused with
// what to do, and nothing is written where it leads.
func TestWriteThroughALinkOut(t *testing.T) {
	base := t.TempDir()
	out, elsewhere := filepath.Join(base, "out"), filepath.Join(base, "elsewhere")
	os.MkdirAll(out, 0o755)
	os.MkdirAll(elsewhere, 0o755)
	os.Symlink(elsewhere, filepath.Join(out, "ddl"))
	_, err := Write(out, projectA())
	if err == nil || !strings.Contains(err.Error(), "a symbolic link there leads out of "+out+", and fgen writes only inside its output directory") {
		t.Errorf("Write: %v", err)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 0 {
		t.Errorf("wrote %v through the link", entries)
	}
}

// A file generate replaces keeps its mode (a user's chmod); a new one is
// 0644.
func TestWriteKeepsFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes")
	}
	out := t.TempDir()
	mustWrite(t, out, projectA())
	os.Chmod(filepath.Join(out, "ddl", "a.sql"), 0o600)
	mustWrite(t, out, projectB())
	for name, want := range map[string]fs.FileMode{"ddl/a.sql": 0o600, "ddl/c.sql": 0o644} {
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v (%v), want %v", name, fi.Mode().Perm(), err, want)
		}
	}
}

// Write leaves alone what it did not make: a repository's empty
// directories (git keeps refs/heads empty after a gc), a user's empty
// directory, and files that look like its leftovers in directories that
// hold none of its files (a hidden one, one of the user's, another
// project's backups, which its own Write, under its own lock, may need);
// a leftover beside its files it sweeps.
func TestWriteLeavesOtherDirectories(t *testing.T) {
	out := t.TempDir()
	mustWrite(t, out, projectA())
	for _, d := range []string{".git/refs/heads", ".git/objects/pack", "keep-me-empty"} {
		os.MkdirAll(filepath.Join(out, d), 0o755)
	}
	others := []string{".cache/.x.sql.fgen-0123456789abcdef.tmp", "docs/.draft.md.fgen-fedcba9876543210.tmp", "vendor/other/out/ddl/.a.sql.fgen-0123456789abcdef.old"}
	ours := "ddl/.b.sql.fgen-0123456789abcdef.tmp"
	for _, p := range append(others, ours) {
		os.MkdirAll(filepath.Join(out, filepath.Dir(p)), 0o755)
		os.WriteFile(filepath.Join(out, p), []byte("mine\n"), 0o644)
	}
	if changes, err := Compare(out, projectA()); err != nil || len(changes) != 1 || changes[0].Path != ours || changes[0].Kind != LeftOver {
		t.Errorf("Compare before: %v, %v; want %s left over, alone", changes, err, ours)
	}
	mustWrite(t, out, projectB())
	for _, p := range append([]string{".git/refs/heads", ".git/objects/pack", "keep-me-empty"}, others...) {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ours)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s, a leftover beside the project's files, was not swept: %v", ours, err)
	}
	if changes, err := Compare(out, projectB()); err != nil || len(changes) != 0 {
		t.Errorf("Compare: %v, %v", changes, err)
	}
}
