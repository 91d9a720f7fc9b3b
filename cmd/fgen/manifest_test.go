package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The manifest is committed: a pull request that points one of its entries
// outside out/ must not make a reviewer's diff print that file, nor generate
// remove it.
func TestTamperedManifestStaysInsideOut(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "generate"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	victim := filepath.Join(filepath.Dir(dir), "victim.txt")
	const secret = "not fgen's to read or remove\n"
	os.WriteFile(victim, []byte(secret), 0o644)
	replaceInFile(t, filepath.Join(dir, "out", "manifest.json"), `"files": {`, `"files": {
    "../../victim.txt": "sha256:0",`)
	want := `out/manifest.json: malformed: files["../../victim.txt"]: not a slash-separated path inside the output directory; if it is a file of yours (another tool's manifest), generate into another directory (--dir); if fgen's, remove it and run 'fgen generate --force'`
	for _, cmd := range []string{"diff", "generate"} {
		r := fgen(t, dir, nil, cmd)
		if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("%s: %+v\nwant exit 1 and %q", cmd, r, want)
		}
	}
	if data, err := os.ReadFile(victim); string(data) != secret {
		t.Errorf("generate removed or changed %s (%v)", victim, err)
	}
}

// A file fgen no longer renders but someone edited is kept, and diff and
// generate say so.
func TestEditedStaleFileIsKept(t *testing.T) {
	dir := project(t)
	fgen(t, dir, nil, "generate")
	node := filepath.Join(dir, "out", "nodes", "rpt_user_trace_data.sql")
	os.WriteFile(node, []byte("-- my version\n"), 0o644)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "rpt_funnel_daily"`)
	r := fgen(t, dir, nil, "diff")
	if r.code != 2 || !strings.Contains(r.stdout, "# out/nodes/rpt_user_trace_data.sql is no longer generated but was edited by hand; generate will keep it and stop tracking it\n") || strings.Contains(r.stdout, "-- my version") || !strings.Contains(r.stderr, "1 orphaned") {
		t.Errorf("diff: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff", "--name-only"); !strings.Contains(r.stdout, "orphaned       out/nodes/rpt_user_trace_data.sql\n") {
		t.Errorf("diff --name-only: %+v", r)
	}
	r = fgen(t, dir, nil, "generate")
	if r.code != 0 || !strings.Contains(r.stdout, "kept    out/nodes/rpt_user_trace_data.sql: no longer generated, but edited by hand") || !strings.HasSuffix(r.stdout, ", 1 kept\n") {
		t.Errorf("generate: %+v", r)
	}
	if data, _ := os.ReadFile(node); string(data) != "-- my version\n" {
		t.Error("generate removed the edited file")
	}
	if r := fgen(t, dir, nil, "diff"); r.code != 0 {
		t.Errorf("diff after generate: %+v", r)
	}
}

// replaceInFile replaces the first old in the file at path with new.
func replaceInFile(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), old) {
		t.Fatalf("%q not in %s (%v)", old, path, err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// appendToFile adds text at the end of the file at path.
func appendToFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// A table renamed by case alone: on a case-sensitive file system the file
// of the old name is another file, stale, and generate removes it; on a
// case-insensitive one it is the new name's file, rewritten.
func TestTableRenamedByCase(t *testing.T) {
	dir := project(t)
	cfg := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, cfg, `table = "rpt_user_trace_data"`, `table = "rpt_User_trace_data"`)
	if r := fgen(t, dir, nil, "generate"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	replaceInFile(t, cfg, `table = "rpt_User_trace_data"`, `table = "rpt_user_trace_data"`)
	if r := fgen(t, dir, nil, "generate"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	for _, sub := range []string{"ddl", "nodes"} {
		entries, err := os.ReadDir(filepath.Join(dir, "out", sub))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, e := range entries {
			if strings.EqualFold(e.Name(), "rpt_user_trace_data.sql") {
				names = append(names, e.Name())
			}
		}
		if len(names) != 1 {
			t.Errorf("out/%s holds %v, want one file of the report table", sub, names)
		}
	}
	if r := fgen(t, dir, nil, "diff"); r.code != 0 {
		t.Errorf("diff after generate: %+v", r)
	}
}
