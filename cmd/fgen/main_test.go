package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/testmain"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
)

func TestMain(m *testing.M) {
	// A MaxCompute job of the double finishes at its second poll; the
	// tests wait 2ms for it, not poll_interval's 100ms or more.
	pollEvery = 2 * time.Millisecond
	testmain.Run(m)
}

// result is one fgen run.
type result struct {
	code           int
	stdout, stderr string
}

// fgen runs the command line in dir with the given environment.
func fgen(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	return fgenEnvCtx(t, context.Background(), dir, env, args...)
}

// fgenCtx is fgen with the context a signal ends.
func fgenCtx(t *testing.T, ctx context.Context, dir string, args ...string) result {
	t.Helper()
	return fgenEnvCtx(t, ctx, dir, nil, args...)
}

func fgenEnvCtx(t *testing.T, ctx context.Context, dir string, env map[string]string, args ...string) result {
	t.Helper()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	var out, errb bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code := run(ctx, args, strings.NewReader(""), &out, &errb, getenv)
	r := result{code, out.String(), errb.String()}
	for _, s := range []string{r.stdout, r.stderr} {
		if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
			t.Fatalf("fgen %v printed a stack trace:\n%s", args, s)
		}
	}
	return r
}

// project makes a temporary directory holding the shipped funnel.toml.
func project(t *testing.T) string {
	t.Helper()
	return projectWith(t, "../../funnel.toml")
}

// sampled loads sample events of users a day over days from 20210303 into
// the project at dir and applies them: a warehouse as a day's use leaves it.
func sampled(t *testing.T, dir string, users, days int) {
	t.Helper()
	if r := fgen(t, dir, nil, "sample", "--users", strconv.Itoa(users), "--days", strconv.Itoa(days), "--load"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", addDays("20210303", days-1)); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
}

// execLocal runs statements on the local warehouse of the project at dir,
// as a user's own DuckDB session would: rows and tables fgen did not write.
func execLocal(t *testing.T, dir string, statements ...string) {
	t.Helper()
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range statements {
		if _, err := db.Query(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

// projectWith is project with the config file at path.
func projectWith(t *testing.T, path string) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "funnel.toml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readTree(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if !d.IsDir() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			files[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return files
}

func TestValidate(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "validate"); r.code != 0 || !strings.Contains(r.stdout, "funnel.toml: ok") {
		t.Fatalf("validate: %+v", r)
	}
}

func TestBadConfigExitsOneWithPosition(t *testing.T) {
	cases := map[string]struct{ old, new, want string }{
		"unknown key":    {`drop_empty = [`, `drop_emtpy = [`, `funnel.toml:73:1: dw.drop_emtpy: unknown key "drop_emtpy"; did you mean "drop_empty"?`},
		"wrong type":     {`lifecycle = 365 `, `lifecycle = "x" `, ``},
		"missing column": {`user_column = "uid"`, `user_column = "user_id"`, `funnel.toml:84:1: funnels[0].user_column: user_column "user_id" is not a column of the DW table`},
	}
	cases["wrong type"] = struct{ old, new, want string }{`workspace = "user_trace"`, `workspace = ["a"]`, `funnel.toml:26:1: project.workspace: expected a string, got an array`}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := project(t)
			path := filepath.Join(dir, "funnel.toml")
			data, _ := os.ReadFile(path)
			if !strings.Contains(string(data), c.old) {
				t.Fatalf("%q not in funnel.toml", c.old)
			}
			os.WriteFile(path, []byte(strings.Replace(string(data), c.old, c.new, 1)), 0o644)
			for _, cmd := range []string{"validate", "generate", "diff"} {
				r := fgen(t, dir, nil, cmd)
				if r.code != 1 || !strings.HasPrefix(r.stderr, c.want) {
					t.Errorf("%s: exit %d, stderr %q; want exit 1 and %q", cmd, r.code, r.stderr, c.want)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
				t.Error("a failed generate wrote out/")
			}
			// Given as another path, the file is named as given, for an
			// editor to open.
			if r := fgen(t, filepath.Dir(dir), nil, "validate", "-c", filepath.Join(filepath.Base(dir), "funnel.toml")); r.code != 1 ||
				!strings.HasPrefix(r.stderr, strings.Replace(c.want, "funnel.toml:", filepath.Join(filepath.Base(dir), "funnel.toml")+":", 1)) {
				t.Errorf("validate -c DIR/funnel.toml: exit %d, stderr %q", r.code, r.stderr)
			}
		})
	}
}

// Every problem of funnel.toml is a line FILE:LINE:COL: path: message, the
// first as the rest, for editors and CI problem matchers.
func TestConfigProblemsOneFormat(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "empty.toml"), nil, 0o644)
	r := fgen(t, dir, nil, "-c", "empty.toml", "validate")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	format := regexp.MustCompile(`^empty\.toml:\d+:\d+: [a-z_.\[\]0-9]+: \S`)
	if r.code != 1 || len(lines) < 2 {
		t.Fatalf("validate of an empty file: %+v", r)
	}
	for _, line := range lines {
		if !format.MatchString(line) {
			t.Errorf("line %q is not FILE:LINE:COL: path: message", line)
		}
	}
}

func TestGenerateReproducesCommittedOut(t *testing.T) {
	dir := project(t)
	r := fgen(t, dir, nil, "generate", "--dir", "gen")
	if r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	got, want := readTree(t, filepath.Join(dir, "gen")), readTree(t, "../../out")
	if len(got) != len(want) {
		t.Errorf("generated %d files, out/ has %d", len(got), len(want))
	}
	for p, w := range want {
		if got[p] != w {
			t.Errorf("%s differs from the committed out/", p)
		}
	}
	// The shipped config sets no ods_producer: the DW node waits for no
	// sync task, which generate notes as it writes the workflow.
	if !strings.Contains(r.stderr, "note: the DW node waits for no sync task ([dataworks] ods_producer is not set)") {
		t.Errorf("generate without ods_producer: no note\n%s", r.stderr)
	}
	// A second run changes nothing and says so.
	if r := fgen(t, dir, nil, "generate", "--dir", "gen"); r.code != 0 || !strings.Contains(r.stdout, "0 written") || r.stderr != "" {
		t.Errorf("second generate: %+v", r)
	}
	// -q says nothing when all went well.
	if r := fgen(t, dir, nil, "generate", "-q", "--dir", "gen2"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("generate -q: %+v", r)
	}
	if len(readTree(t, filepath.Join(dir, "gen2"))) != len(want) {
		t.Errorf("generate -q did not write the files")
	}
}

func TestDiffExitCodes(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "diff"); r.code != 2 || !strings.Contains(r.stdout, "--- /dev/null\n+++ b/out/ddl/dw_user_trace_data.sql") {
		t.Fatalf("diff before generate: %+v", r)
	}
	// An absolute --dir is named as git names it, under b/ without its
	// leading slash, so that 'patch -p1' and 'git apply' take the diff.
	abs := filepath.Join(dir, "abs")
	if r := fgen(t, dir, nil, "diff", "--dir", abs); r.code != 2 || !strings.Contains(r.stdout, "--- /dev/null\n+++ b/"+strings.TrimPrefix(filepath.ToSlash(abs), "/")+"/ddl/dw_user_trace_data.sql\n") {
		t.Errorf("diff --dir %s: %+v", abs, r)
	}
	fgen(t, dir, nil, "generate")
	if r := fgen(t, dir, nil, "diff"); r.code != 0 || r.stdout != "" {
		t.Fatalf("diff after generate: %+v", r)
	}
	node := filepath.Join(dir, "out", "nodes", "rpt_user_trace_data.sql")
	data, _ := os.ReadFile(node)
	os.WriteFile(node, []byte(strings.Replace(string(data), "COALESCE(SUM(", "COALESCE(MAX(", 1)), 0o644)
	r := fgen(t, dir, nil, "diff")
	if r.code != 2 || !strings.Contains(r.stdout, "was edited by hand") || !strings.Contains(r.stdout, "-    SELECT COALESCE(MAX(") {
		t.Errorf("diff after a hand edit: %+v", r)
	}
	if !strings.Contains(r.stderr, "1 edited by hand") {
		t.Errorf("summary: %q", r.stderr)
	}
	os.Remove(filepath.Join(dir, "out", "ddl", "ods_user_trace_data.sql"))
	if r := fgen(t, dir, nil, "diff", "--name-only"); r.code != 2 || !strings.Contains(r.stdout, "missing        out/ddl/ods_user_trace_data.sql") {
		t.Errorf("diff --name-only after a delete: %+v", r)
	}
	// generate restores both, and says it replaced the edit, also with -q.
	if r := fgen(t, dir, nil, "generate", "-q"); r.code != 0 || r.stderr != "warning: "+filepath.Join("out", "nodes", "rpt_user_trace_data.sql")+" had been edited by hand; generate replaced the edit with what funnel.toml renders (change funnel.toml to change the SQL; 'fgen diff' shows such an edit before a generate)\n" {
		t.Errorf("generate after a hand edit: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff"); r.code != 0 {
		t.Errorf("diff after regenerate: %+v", r)
	}
}

func TestGenerateRemovesStaleOwnedFilesOnly(t *testing.T) {
	dir := project(t)
	fgen(t, dir, nil, "generate")
	mine := filepath.Join(dir, "out", "nodes", "my_notes.sql")
	os.WriteFile(mine, []byte("-- mine\n"), 0o644)
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `table = "rpt_user_trace_data"`, `table = "rpt_funnel_daily"`, 1)), 0o644)
	r := fgen(t, dir, nil, "diff", "--name-only")
	if r.code != 2 || !strings.Contains(r.stdout, "stale          out/nodes/rpt_user_trace_data.sql") || strings.Contains(r.stdout, "my_notes") {
		t.Fatalf("diff: %+v", r)
	}
	r = fgen(t, dir, nil, "generate")
	if r.code != 0 || !strings.Contains(r.stdout, "removed out/nodes/rpt_user_trace_data.sql") {
		t.Fatalf("generate: %+v", r)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Error("generate removed a file it does not own")
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "nodes", "rpt_funnel_daily.sql")); err != nil {
		t.Error("new node not written")
	}
}

// Every file generate would write that is not fgen's is named at once,
// and the generate to run again is the one given, with its -c.
func TestGenerateNamesEveryForeignFile(t *testing.T) {
	dir := project(t)
	run := filepath.Join(dir, "elsewhere")
	os.MkdirAll(run, 0o755)
	if r := fgen(t, run, nil, "-c", "../funnel.toml", "generate", "-q"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	for _, f := range []string{"ddl/rpt_new.sql", "nodes/rpt_new.sql"} {
		os.WriteFile(filepath.Join(dir, "out", filepath.FromSlash(f)), []byte("SELECT 1;\n"), 0o644)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "rpt_new"`)
	r := fgen(t, run, nil, "-c", "../funnel.toml", "generate")
	want := fmt.Sprintf("fgen: generate: %s, %s exist and were not generated by fgen; move them away, then run 'fgen -c ../funnel.toml generate' again\n",
		filepath.Join("..", "out", "ddl", "rpt_new.sql"), filepath.Join("..", "out", "nodes", "rpt_new.sql"))
	if r.code != 1 || r.stderr != want {
		t.Errorf("generate: %+v\nwant stderr %q", r, want)
	}
}

func TestGenerateRefusesToOverwriteForeignFile(t *testing.T) {
	dir := project(t)
	os.MkdirAll(filepath.Join(dir, "out", "ddl"), 0o755)
	foreign := filepath.Join(dir, "out", "ddl", "dw_user_trace_data.sql")
	os.WriteFile(foreign, []byte("CREATE TABLE hand_written (x BIGINT);\n"), 0o644)
	if r := fgen(t, dir, nil, "generate"); r.code != 1 || !strings.Contains(r.stderr, "out is not empty and holds no fgen manifest") {
		t.Fatalf("generate: %+v", r)
	}
	r := fgen(t, dir, nil, "generate", "--force")
	if want := "fgen: generate: " + filepath.Join("out", "ddl", "dw_user_trace_data.sql") + " exists and was not generated by fgen; move it away, then run 'fgen generate --force' again\n"; r.code != 1 || r.stderr != want {
		t.Fatalf("generate --force: %+v\nwant stderr %q", r, want)
	}
	if data, _ := os.ReadFile(foreign); string(data) != "CREATE TABLE hand_written (x BIGINT);\n" {
		t.Error("foreign file overwritten")
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "manifest.json")); err == nil {
		t.Error("a refused generate wrote files")
	}
	// diff says what generate will refuse, not that the file changed.
	if r := fgen(t, dir, nil, "diff", "--name-only"); r.code != 2 || !strings.Contains(r.stdout, "not fgen's     out/ddl/dw_user_trace_data.sql\n") ||
		!strings.Contains(r.stderr, "1 not fgen's") || !strings.Contains(r.stderr, "move the files that are not fgen's away, then run 'fgen generate --force'") {
		t.Errorf("diff --name-only: %+v", r)
	}
	// The generate it names is of the directory diff compared, with the
	// --force a directory without a manifest needs.
	os.MkdirAll(filepath.Join(dir, "my out"), 0o755)
	os.WriteFile(filepath.Join(dir, "my out", "README"), []byte("notes\n"), 0o644)
	if r := fgen(t, dir, nil, "diff", "--dir", "my out", "--name-only"); r.code != 2 || !strings.Contains(r.stderr, "(7 missing); run 'fgen generate --dir \"my out\" --force'\n") {
		t.Errorf("diff --dir: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff", "--dir", "new", "--name-only"); r.code != 2 || !strings.Contains(r.stderr, "(7 missing); run 'fgen generate --dir new'\n") {
		t.Errorf("diff --dir of a directory not there: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff", "--dir", "new", "--dialect", "duckdb", "--name-only"); r.code != 2 || !strings.Contains(r.stderr, "run 'fgen generate --dir new --dialect duckdb'\n") {
		t.Errorf("diff --dialect duckdb: %+v", r)
	}
	// out/ is the MaxCompute project's: diff, as generate, wants --dir for another dialect.
	if r := fgen(t, dir, nil, "diff", "--dialect", "duckdb"); r.code != 1 || !strings.Contains(r.stderr, "holds the MaxCompute project; compare the duckdb dialect with the directory that holds it: --dir DIR") {
		t.Errorf("diff --dialect duckdb without --dir: %+v", r)
	}
	// An empty directory through a link to it is no directory of others' files.
	os.MkdirAll(filepath.Join(dir, "real"), 0o755)
	os.Symlink("real", filepath.Join(dir, "linked"))
	if r := fgen(t, dir, nil, "diff", "--dir", "linked", "--name-only"); r.code != 2 || !strings.Contains(r.stderr, "run 'fgen generate --dir linked'\n") {
		t.Errorf("diff --dir of a link to an empty directory: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff"); !strings.Contains(r.stdout, "# out/ddl/dw_user_trace_data.sql exists and was not generated by fgen; generate refuses to replace it: move it away\n") {
		t.Errorf("diff: %+v", r)
	}
}

func TestInit(t *testing.T) {
	dir := t.TempDir()
	if r := fgen(t, dir, nil, "init"); r.code != 0 {
		t.Fatalf("init: %+v", r)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "funnel.toml"))
	shipped, _ := os.ReadFile("../../funnel.toml")
	if string(data) != string(shipped) {
		t.Error("init does not write the shipped funnel.toml")
	}
	if r := fgen(t, dir, nil, "init"); r.code != 1 || !strings.Contains(r.stderr, "already exists; use --force") {
		t.Errorf("init over an existing file: %+v", r)
	}
	if r := fgen(t, dir, nil, "init", "--force"); r.code != 0 || !strings.Contains(r.stdout, "next: fgen validate && fgen generate\ncommit funnel.toml and the out/ generate writes beside it; add .fgen/, where the local warehouse goes, to .gitignore\n") {
		t.Errorf("init --force: %+v", r)
	}
	// The next steps it suggests run as written: with -c where it was given.
	os.Mkdir(filepath.Join(dir, "shop dir"), 0o755)
	if r := fgen(t, dir, nil, "init", "-c", "shop dir/funnel.toml"); r.code != 0 || !strings.Contains(r.stdout, "next: fgen -c \"shop dir/funnel.toml\" validate && fgen -c \"shop dir/funnel.toml\" generate") {
		t.Errorf("init -c 'shop dir/funnel.toml': %+v", r)
	}
}

// A flag error of a command asked for --format json is JSON on stdout,
// wherever --format stands; the usage hint stays on stderr.
func TestFlagErrorAsJSON(t *testing.T) {
	dir := project(t)
	for _, args := range [][]string{{"apply", "--format", "json", "--bizdte", "1"}, {"apply", "--bizdte", "1", "--format", "json"}, {"apply", "--bizdte=1", "--format=json"}} {
		r := fgen(t, dir, nil, args...)
		var v struct {
			Error struct{ Message string } `json:"error"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &v); r.code != 1 || err != nil || v.Error.Message != "unknown flag: --bizdte; did you mean --bizdate?" || !strings.Contains(r.stderr, "Run 'fgen apply --help' for usage") {
			t.Errorf("%v: %+v (%v)", args, r, err)
		}
	}
	// The last --format wins, as when the flags parse; a command without
	// --format json answers in text whatever its arguments say.
	for _, args := range [][]string{
		{"plan", "--format=json", "--format=text", "--bizdate", "2021"},
		{"report", "--format", "json", "--format", "table", "--funnel", "nope"},
		{"apply", "--format", "json", "--format", "text", "--bizdte", "1"},
		{"generate", "--format", "json"},
		{"diff", "--format", "json"},
	} {
		if r := fgen(t, dir, nil, args...); r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "fgen: ") {
			t.Errorf("%v: want a text error, exit 1, nothing on stdout: %+v", args, r)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	dir := project(t)
	for _, args := range [][]string{{"generate", "--bogus"}, {"validate", "extra"}, {"nosuchcommand"}, {"generate", "--dialect", "oracle"}} {
		if r := fgen(t, dir, nil, args...); r.code != 1 || !strings.HasPrefix(r.stderr, "fgen: ") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	if r := fgen(t, t.TempDir(), nil, "validate"); r.code != 1 || !strings.Contains(r.stderr, "funnel.toml not found; run 'fgen init' to write") {
		t.Errorf("validate without a config: %+v", r)
	}
	if r := fgen(t, t.TempDir(), nil, "-c", "shop/funnel.toml", "plan"); r.code != 1 || !strings.Contains(r.stderr, "shop/funnel.toml not found; run 'fgen -c shop/funnel.toml init' to write") {
		t.Errorf("plan -c shop/funnel.toml without it: %+v", r)
	}
	// Not the help on stdout and exit 0, which 'fgen completion tcsh > file'
	// would write to the file.
	for _, tc := range []struct {
		args []string
		err  string
	}{
		{[]string{"completion", "tcsh"}, `completion: unknown shell "tcsh"; use bash, fish, powershell or zsh`},
		{[]string{"completion"}, "completion needs a shell: bash, fish, powershell or zsh"},
		{[]string{"help", "bogus"}, `unknown help topic "bogus"` + "\nRun 'fgen help' for the commands"},
		{[]string{"nonexist"}, `unknown command "nonexist" for "fgen"` + "\nRun 'fgen --help' for usage"},
		{[]string{"--version", "--format", "json"}, "unknown flag: --format before a command: a command's flags follow it (fgen COMMAND --format ...)\nRun 'fgen --help' for usage"},
		{[]string{"--target", "local", "pln"}, `unknown command "pln" for "fgen"` + "\n\nDid you mean this?\n\tplan\nRun 'fgen --help' for usage"},
		{[]string{"pln"}, `unknown command "pln" for "fgen"` + "\n\nDid you mean this?\n\tplan\nRun 'fgen --help' for usage"},
		{[]string{"help", "pln"}, `unknown help topic "pln"; did you mean "plan"?`},
		{[]string{"help", "completion", "tcsh"}, `unknown help topic "completion tcsh"`},
		// A flag without its value takes the next flag: that is the mistake, not the argument left over.
		{[]string{"plan", "--bizdate", "--from", "20210303"}, `--bizdate has no value: it took "--from", a flag, for its value; give --bizdate its value`},
		{[]string{"load", "--bizdate", "-q", "a.jsonl"}, `--bizdate has no value: it took "-q", a flag, for its value; give --bizdate its value`},
		{[]string{"load", "--bizdate", "-q"}, `--bizdate has no value: it took "-q", a flag, for its value; give --bizdate its value`},
		{[]string{"report", "--funnel", "a", "--funnel", "--all"}, `--funnel has no value: it took "--all", a flag, for its value; give --funnel its value`},
		{[]string{"sample", "--users", "10", "-o", "e.jsonl", "--load"}, "-o and --load go to different places: write the events to a file with -o FILE, or --load them into the target's ODS table, not both"},
		{[]string{"sample", "--users", "10"}, "say where the events go: -o FILE (.jsonl, .csv or .parquet), or --load into the target's ODS table"},
		{[]string{"sample", "--users", "10", "-o", "e.jsonl", "--allow-destructive"}, "--allow-destructive lets --load replace a day's rows with fewer than half as many; -o FILE replaces no rows"},
		// A config file -c names must be there: a mistyped one would give the seed's events, not the funnels'.
		{[]string{"-c", "typo.toml", "sample", "--users", "10", "-o", "e.jsonl"}, "typo.toml not found; run 'fgen -c typo.toml init' to write a starter config, or pass -c FILE"},
		// A typo in the year once ran plan out of memory (23 GB) before it said anything.
		{[]string{"plan", "--from", "20210303", "--to", "99991231"}, "--from 20210303 --to 99991231 is 2914208 days, more than the 3660 (ten years) one command takes: check the year, or split the range"},
		{[]string{"apply", "--from", "20210303", "--to", "20310311"}, "--from 20210303 --to 20310311 is 3661 days, more than the 3660 (ten years) one command takes: check the year, or split the range"},
		{[]string{"report", "--from", "10000101", "--to", "19991231"}, "--from 10000101 --to 19991231 is 365242 days, more than the 3660 (ten years) one command takes: check the year, or split the range"},
		{[]string{"sample", "--users", "10", "--days", "100000", "-o", "e.jsonl"}, "--days 100000 is more than 3660, the most days apply and report take at once; give fewer days"},
		// A mistyped flag gets the nearest, a transposition being one edit.
		{[]string{"apply", "--bizdte", "20210303"}, "unknown flag: --bizdte; did you mean --bizdate?"},
		{[]string{"plan", "--form=20210303"}, "unknown flag: --form; did you mean --from?"},
		{[]string{"report", "--quite"}, "unknown flag: --quite; did you mean --quiet?"},
		{[]string{"report", "--xyz"}, "unknown flag: --xyz\nRun 'fgen report --help' for usage"},
		// One letter with two dashes is a shorthand, not the nearest long flag.
		{[]string{"apply", "--v"}, "unknown flag: --v; did you mean -v (--verbose)?"},
		{[]string{"apply", "--n"}, "unknown flag: --n\nRun 'fgen apply --help' for usage"},
		// A flag cut short, and a long flag given one dash.
		{[]string{"report", "--fo", "json"}, "unknown flag: --fo; did you mean --format?"},
		{[]string{"report", "--out", "r.html"}, "unknown flag: --out; did you mean --output?"},
		{[]string{"report", "-format", "json"}, "unknown shorthand flag: 'f' in -format; did you mean --format?"},
		{[]string{"demo", "--users", "0"}, "--users 0: give at least 1 user a day"},
		{[]string{"sample", "--users", "99999999999", "-o", "e.jsonl"}, "--users 99999999999 is more than 100000000 a day (about 900000000 events a day, some 9 per user); give fewer users"},
		{[]string{"sample", "--days", "0", "-o", "e.jsonl"}, "--days 0: give at least 1 day"},
		{[]string{"apply", "-q", "-v"}, "-q and -v ask for less and for more output: give one of them\nRun 'fgen apply --help' for usage"},
		// A load's flags are checked before its files (missing here).
		{[]string{"load", "--bizdate", "20210303", "--hour", "24", "missing.jsonl"}, `--hour "24": an hour is two digits from 00 to 23`},
		{[]string{"load", "--hour", "05", "missing.jsonl"}, "--hour loads one hour of a day: give --bizdate too (fgen load --bizdate yyyymmdd --hour 05 FILE)"},
	} {
		if r := fgen(t, dir, nil, tc.args...); r.code != 1 || r.stdout != "" || !strings.HasPrefix(r.stderr, "fgen: "+tc.err+"\n") {
			t.Errorf("%v: %+v", tc.args, r)
		}
	}
}

func TestHelpDocumentsExitStatus(t *testing.T) {
	dir := project(t)
	for _, cmd := range []string{"", "init", "validate", "generate", "diff", "graph", "sample", "load", "plan", "report", "demo", "apply", "version", "completion", "completion bash", "help"} {
		args := []string{"--help"}
		if cmd != "" {
			args = append(strings.Fields(cmd), "--help")
		}
		r := fgen(t, dir, nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "EXIT STATUS") || !strings.Contains(r.stdout, "130  interrupted") {
			t.Errorf("fgen %s --help lacks the exit status section", cmd)
		}
	}
}

func TestCompletion(t *testing.T) {
	r := fgen(t, project(t), nil, "completion", "bash")
	if r.code != 0 || !strings.Contains(r.stdout, "__start_fgen") {
		t.Errorf("completion bash: exit %d", r.code)
	}
	for _, args := range [][]string{{"completion", "zsh"}, {"completion", "fish"}, {"completion", "powershell"}, {"completion", "--help"}, {"help", "completion", "bash"}, {"help"}} {
		if r := fgen(t, project(t), nil, args...); r.code != 0 || r.stdout == "" {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	r := fgen(t, t.TempDir(), nil, "version", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"config_format": 1`) {
		t.Errorf("version: %+v", r)
	}
	if r := fgen(t, t.TempDir(), nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "fgen ") || !strings.Contains(r.stdout, "funnel.toml format 1") {
		t.Errorf("--version: %+v", r)
	}
}

// Every --format json output is one object that starts with format_version
// and command; a command that fails says so in the same shape, with the
// config's problems one by one.
func TestJSONOutputsShareOneShape(t *testing.T) {
	dir := project(t)
	for _, args := range [][]string{
		{"validate", "--format", "json"},
		{"version", "--format", "json"},
		{"plan", "--bizdate", "20210303", "--format", "json"},
	} {
		r := fgen(t, dir, nil, args...)
		var out map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || out["format_version"] != 1.0 || out["command"] != args[0] {
			t.Errorf("%v: not the shared shape: %v\n%s", args, err, r.stdout)
		}
		if !strings.HasPrefix(r.stdout, "{\n  \"format_version\": 1,\n  \"command\": ") {
			t.Errorf("%v: format_version and command do not come first:\n%.80s", args, r.stdout)
		}
	}
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), "\nmode = \"events\"", "\nmode = \"event\"", 1)), 0o644)
	r := fgen(t, dir, nil, "plan", "--format", "json")
	var out struct {
		Command string `json:"command"`
		Error   struct {
			ExitCode int `json:"exit_code"`
			Problems []struct {
				File         string
				Line, Column int
				Path         string
				Message      string
			} `json:"problems"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != 1 || out.Command != "plan" || out.Error.ExitCode != 1 ||
		len(out.Error.Problems) != 1 || out.Error.Problems[0].Path != "funnels[0].mode" || out.Error.Problems[0].Line == 0 {
		t.Errorf("an error under --format json: %v %+v\n%s", err, out, r.stdout)
	}
	if !strings.Contains(r.stderr, "funnels[0].mode") {
		t.Errorf("the error is not on stderr too: %q", r.stderr)
	}
}

// plan's and apply's JSON keep every key, [] when empty, so that a script
// iterates them without guarding against null: the tables of a plan in
// sync, and the jobs of an apply with nothing to do.
func TestJSONListsAreNeverNull(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 50, 1)
	var plan struct {
		Tables []map[string]any `json:"tables"`
	}
	r := fgen(t, dir, nil, "plan", "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || r.code != 0 || len(plan.Tables) != 3 {
		t.Fatalf("plan --format json: %v %+v", err, r)
	}
	for _, tc := range plan.Tables {
		for _, key := range []string{"changes", "problems", "notes"} {
			if _, ok := tc[key].([]any); !ok {
				t.Errorf("plan --format json: table %v has %s %v, want a list", tc["table"], key, tc[key])
			}
		}
		if _, ok := tc["sql"].(string); !ok {
			t.Errorf("plan --format json: table %v has sql %v, want a string", tc["table"], tc["sql"])
		}
	}
	var apply map[string]any
	r = fgen(t, dir, nil, "apply", "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &apply); err != nil || r.code != 0 {
		t.Fatalf("apply --format json: %v %+v", err, r)
	}
	if jobs, ok := apply["jobs"].([]any); !ok || len(jobs) != 0 {
		t.Errorf("apply --format json with nothing to apply: jobs %v, want []", apply["jobs"])
	}
	// Where it ran, as plan says it.
	if apply["engine"] != "duckdb" || apply["target"] == "" || !strings.HasSuffix(fmt.Sprint(apply["location"]), "local.duckdb") {
		t.Errorf("apply --format json: target %v, engine %v, location %v", apply["target"], apply["engine"], apply["location"])
	}
	// An error's problems are [] when funnel.toml has none, and a problem
	// of the file as a whole has its path "".
	var failed struct {
		Error map[string]any `json:"error"`
	}
	r = fgen(t, dir, nil, "plan", "--format", "json", "--bizdate", "x")
	if err := json.Unmarshal([]byte(r.stdout), &failed); err != nil || r.code != 1 {
		t.Fatalf("plan --format json --bizdate x: %v %+v", err, r)
	}
	if p, ok := failed.Error["problems"].([]any); !ok || len(p) != 0 {
		t.Errorf("plan --format json --bizdate x: problems %v, want []", failed.Error["problems"])
	}
	os.WriteFile(filepath.Join(dir, "syntax.toml"), []byte("version = 1\n[project\n"), 0o644)
	r = fgen(t, dir, nil, "validate", "--format", "json", "-c", "syntax.toml")
	if err := json.Unmarshal([]byte(r.stdout), &failed); err != nil || r.code != 1 {
		t.Fatalf("validate --format json of a syntax error: %v %+v", err, r)
	}
	if p, ok := failed.Error["problems"].([]any); !ok || len(p) != 1 || p[0].(map[string]any)["path"] != "" {
		t.Errorf("validate --format json of a syntax error: problems %v, want one with path \"\"", failed.Error["problems"])
	}
}

// Every flag that takes one of a list of words refuses others as a usage
// error and completes them in the shell.
func TestChoiceFlags(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "plan", "--format", "xml"); r.code != 1 || !strings.Contains(r.stderr, `"xml" is not one of text, markdown, json`) {
		t.Errorf("plan --format xml: %+v", r)
	}
	r := fgen(t, dir, nil, "__complete", "graph", "--format", "")
	for _, want := range []string{"text", "mermaid", "dot"} {
		if !strings.Contains(r.stdout, want+"\n") {
			t.Errorf("completion of graph --format lacks %s:\n%s", want, r.stdout)
		}
	}
	// Every command's --format completes its values, not file names.
	for _, c := range newRootCmd(&globalOptions{}).Commands() {
		if c.Flags().Lookup("format") == nil {
			continue
		}
		r := fgen(t, dir, nil, "__complete", c.Name(), "--format", "")
		if strings.Count(r.stdout, "\n") < 3 || !strings.HasSuffix(r.stdout, ":4\n") {
			t.Errorf("completion of %s --format:\n%s", c.Name(), r.stdout)
		}
	}
	// Names funnel.toml defines complete too: targets, and funnels with
	// their descriptions.
	if r := fgen(t, dir, nil, "__complete", "report", "--funnel", ""); !strings.Contains(r.stdout, "user_trace\tbrowse -> click -> purchase, events per day\n") {
		t.Errorf("completion of report --funnel:\n%s", r.stdout)
	}
	if r := fgen(t, dir, nil, "__complete", "plan", "--target", ""); !strings.Contains(r.stdout, "local\n") {
		t.Errorf("completion of plan --target:\n%s", r.stdout)
	}
	// Not the funnels of hours report refuses, nor, for load and sample,
	// a MaxCompute target, which they do not write.
	hourly := projectWith(t, "../../generator/testdata/configs/hourly.toml")
	if r := fgen(t, hourly, nil, "__complete", "report", "--funnel", ""); strings.Contains(r.stdout, "hourly_ordered") || !strings.Contains(r.stdout, "daily_events\n") {
		t.Errorf("completion of report --funnel of hourly.toml:\n%s", r.stdout)
	}
	withMC := project(t)
	toml := filepath.Join(withMC, "funnel.toml")
	data, _ := os.ReadFile(toml)
	os.WriteFile(toml, append(data, "\n[targets.mc]\nengine = \"maxcompute\"\nproject = \"p\"\nendpoint = \"http://127.0.0.1:1/api\"\n"...), 0o644)
	for _, c := range []string{"load", "sample", "plan"} {
		r := fgen(t, withMC, nil, "__complete", c, "--target", "")
		if !strings.Contains(r.stdout, "local\n") || strings.Contains(r.stdout, "mc\n") != (c == "plan") {
			t.Errorf("completion of %s --target:\n%s", c, r.stdout)
		}
	}
	// After a comma, --funnel completes the funnels not yet named.
	demo := projectWith(t, "../../generator/testdata/configs/modes.toml")
	r = fgen(t, demo, nil, "__complete", "report", "--funnel", "events_by_system,")
	if !strings.Contains(r.stdout, "events_by_system,users_by_device\t") || strings.Contains(r.stdout, "events_by_system,events_by_system") {
		t.Errorf("completion of report --funnel events_by_system,:\n%s", r.stdout)
	}
	// Nor those of an earlier --funnel.
	r = fgen(t, demo, nil, "__complete", "report", "--funnel", "events_by_system", "--funnel", "")
	if !strings.Contains(r.stdout, "users_by_device\t") || strings.Contains(r.stdout, "events_by_system\t") {
		t.Errorf("completion of report --funnel events_by_system --funnel:\n%s", r.stdout)
	}
	// No file names where fgen takes none: a date, a number, the
	// arguments of a command that takes none; file names for a path.
	for _, args := range [][]string{{"apply", "--bizdate", ""}, {"apply", "--from", ""}, {"apply", "--parallel", ""}, {"sample", "--users", ""}, {"apply", ""}, {"report", ""}} {
		if r := fgen(t, dir, nil, append([]string{"__complete"}, args...)...); !strings.HasSuffix(r.stdout, ":4\n") {
			t.Errorf("completion of %q, want no file names:\n%s", args, r.stdout)
		}
	}
	for _, args := range [][]string{{"load", ""}, {"-c", ""}, {"report", "-o", ""}, {"generate", "--dir", ""}} {
		if r := fgen(t, dir, nil, append([]string{"__complete"}, args...)...); !strings.HasSuffix(r.stdout, ":0\n") {
			t.Errorf("completion of %q, want file names:\n%s", args, r.stdout)
		}
	}
}

func TestGraphMermaid(t *testing.T) {
	r := fgen(t, project(t), nil, "graph", "--format", "mermaid")
	if r.code != 0 || !strings.Contains(r.stdout, "ods_user_trace_data --> dw_user_trace_data") || !strings.Contains(r.stdout, "dw_user_trace_data --> rpt_user_trace_data") {
		t.Errorf("graph: %+v", r)
	}
}

func TestDiffMarkdown(t *testing.T) {
	dir := project(t)
	fgen(t, dir, nil, "generate")
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `events = ["click"]`, `events = ["click", "add_to_cart"]`, 1)), 0o644)
	r := fgen(t, dir, nil, "diff", "--format", "markdown")
	if r.code != 2 {
		t.Fatalf("diff: %+v", r)
	}
	for _, want := range []string{"| `out/nodes/rpt_user_trace_data.sql` | changed |", "<details><summary><code>out/nodes/rpt_user_trace_data.sql</code>: changed</summary>", "```diff\n--- a/out/nodes/rpt_user_trace_data.sql", "+           COALESCE(SUM(CASE WHEN `customize_event` IN ('click', 'add_to_cart') THEN `fgen_rows` END), 0L)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	// A generated file removed: both forms call it missing.
	os.Remove(filepath.Join(dir, "out", "ddl", "rpt_user_trace_data.sql"))
	if r := fgen(t, dir, nil, "diff", "--name-only"); r.code != 2 || !strings.Contains(r.stdout, "missing") || !strings.Contains(r.stdout, "out/ddl/rpt_user_trace_data.sql") {
		t.Errorf("diff --name-only: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff", "--format", "markdown"); r.code != 2 || !strings.Contains(r.stdout, "| `out/ddl/rpt_user_trace_data.sql` | missing (generate adds it) |") {
		t.Errorf("diff --format markdown of a missing file: %+v", r)
	}
}

func TestGenerateDuckDBDialectNeedsOutDir(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "generate", "--dialect", "duckdb"); r.code != 1 || !strings.Contains(r.stderr, "write the duckdb dialect elsewhere with --dir DIR") {
		t.Errorf("generate --dialect duckdb into out/: %+v", r)
	}
	r := fgen(t, dir, nil, "generate", "--dialect", "duckdb", "--dir", "local-sql")
	if r.code != 0 {
		t.Fatalf("%+v", r)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "local-sql", "nodes", "rpt_user_trace_data.sql"))
	if !strings.Contains(string(data), `DELETE FROM "rpt_user_trace_data" WHERE "dt" = '${bdp.system.bizdate}';`) {
		t.Errorf("duckdb node:\n%s", data)
	}
}

// generate refuses to write where a target's warehouse is: at a path it
// writes (the manifest, here), or inside out/, which is committed (by an
// absolute path, which validate refuses too).
func TestGenerateKeepsOutOfTheWarehouse(t *testing.T) {
	dir := project(t)
	// Beside the warehouse, at no path of it: the user's choice.
	if r := fgen(t, dir, nil, "generate", "--dir", ".fgen", "--force"); r.code != 0 {
		t.Errorf("generate --dir .fgen: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `path = ".fgen/local.duckdb"`, `path = ".fgen/manifest.json"`)
	if r := fgen(t, dir, nil, "generate", "--dir", ".fgen", "--force"); r.code != 1 || !strings.Contains(r.stderr, "the warehouse of target local (.fgen/manifest.json) is at manifest.json, a file generate writes in .fgen") {
		t.Errorf("generate over the warehouse: %+v", r)
	}
	abs := filepath.Join(dir, "out", "w.duckdb")
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `path = ".fgen/manifest.json"`, `path = "`+abs+`"`)
	os.MkdirAll(filepath.Join(dir, "out"), 0o755)
	os.WriteFile(abs, []byte("DUCK"), 0o644) // a warehouse there: not a reason to --force
	// A problem of funnel.toml, placed at the path key as validate places
	// the others.
	for _, cmd := range []string{"generate", "diff", "validate"} {
		if r := fgen(t, dir, nil, cmd); r.code != 1 || !strings.HasPrefix(r.stderr, "funnel.toml:109:1: targets.local.path: the warehouse of target local ("+abs+") is inside out, where generate writes the project you commit") {
			t.Errorf("%s with the warehouse in out/: %+v", cmd, r)
		}
	}
	r := fgen(t, dir, nil, "validate", "--format", "json")
	var out struct {
		Error struct {
			Problems []struct {
				Line int    `json:"line"`
				Path string `json:"path"`
			} `json:"problems"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out.Error.Problems) != 1 || out.Error.Problems[0].Line != 109 || out.Error.Problems[0].Path != "targets.local.path" {
		t.Errorf("validate --format json with the warehouse in out/: %v %+v", err, r)
	}
	os.RemoveAll(filepath.Join(dir, "out"))
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("the refused generate wrote out/")
	}
}

// A first generate killed before its journal was in place leaves only
// temporary files: out/ is still fgen's, no --force needed.
func TestGenerateAfterAKilledFirstOneBeforeItsJournal(t *testing.T) {
	dir := project(t)
	os.MkdirAll(filepath.Join(dir, "out"), 0o755)
	os.WriteFile(filepath.Join(dir, "out", "..fgen.journal.fgen-0123456789abcdef.tmp"), []byte("{"), 0o644)
	if r := fgen(t, dir, nil, "generate", "-q"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff"); r.code != 0 {
		t.Errorf("diff after: %+v", r)
	}
}

// A first generate killed part-way leaves a journal and no manifest: diff
// names the generate that repairs it, and that generate needs no --force.
func TestGenerateAfterAKilledFirstOne(t *testing.T) {
	dir := project(t)
	build := filepath.Join(dir, "build")
	os.MkdirAll(filepath.Join(build, "ddl"), 0o755)
	// What the killed one swapped in, and its journal.
	os.WriteFile(filepath.Join(build, "ddl", "dw_user_trace_data.sql"), []byte("-- half\n"), 0o644)
	os.WriteFile(filepath.Join(build, generator.JournalPath), []byte(`{"manifest": ".manifest.json.fgen-0000000000000000.tmp", "manifest_sha256": "x", "files": [{"path": "ddl/dw_user_trace_data.sql", "tmp": "ddl/.dw_user_trace_data.sql.fgen-0000000000000001.tmp"}], "dirs": ["ddl"]}`), 0o644)
	r := fgen(t, dir, nil, "diff", "--dir", "build")
	if r.code != 1 || !strings.Contains(r.stderr, "is part-written") || !strings.Contains(r.stderr, "run 'fgen generate --dir build'") {
		t.Errorf("diff of a part-written directory: %+v", r)
	}
	if r := fgen(t, dir, nil, "generate", "-q", "--dir", "build"); r.code != 0 || !strings.Contains(r.stderr, "note: put back the files an earlier generate replaced before it stopped (build/.fgen.journal)") {
		t.Fatalf("generate after a killed first one: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff", "--dir", "build"); r.code != 0 {
		t.Errorf("diff after the repair: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(build, generator.JournalPath)); err == nil {
		t.Error("the journal stayed")
	}
}

func TestLocalPipelineAndDestructiveChange(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "sample", "--users", "2000", "--days", "2", "--start", "20210303", "-o", "events.jsonl"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "events.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "loaded ") {
		t.Fatalf("load: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	before := fgen(t, dir, nil, "report", "--format", "csv")
	if before.code != 0 || strings.Count(before.stdout, "\n") != 7 {
		t.Fatalf("report: %+v", before)
	}
	// percent strings -> DOUBLE ratios retypes four report columns.
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `rate_format = "percent"`, `rate_format = "ratio"`, 1)), 0o644)
	plan := fgen(t, dir, nil, "plan")
	if plan.code != 3 || !strings.Contains(plan.stdout, "[column_retyped] column browse_rate is STRING live and DOUBLE in funnel.toml") {
		t.Fatalf("plan: %+v", plan)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 3 {
		t.Fatalf("apply without --allow-destructive: %+v", r)
	}
	// A JSON dry run of the blocked plan is one JSON document that says so.
	dry := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--dry-run", "--format", "json")
	var doc struct {
		Blocked bool `json:"blocked"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &doc); dry.code != 3 || err != nil || !doc.Blocked {
		t.Fatalf("apply --dry-run --format json of a blocked plan: exit %d, %v\n%s", dry.code, err, dry.stdout)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304", "--allow-destructive"); r.code != 1 || !strings.Contains(r.stderr, "--yes") {
		t.Fatalf("apply --allow-destructive, not on a terminal, without --yes: %+v", r)
	}
	// /dev/null (a cron job's stdin) is a character device, not a terminal.
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"apply", "--bizdate", "20210303", "--allow-destructive"}, devNull, &out, &errb, func(string) string { return "" })
	os.Chdir(wd)
	if code != 1 || !strings.Contains(errb.String(), "re-run with --yes to confirm (see the plan with 'fgen apply --bizdate 20210303 --allow-destructive --dry-run')") || strings.Contains(errb.String(), "Apply this plan") {
		t.Fatalf("apply --allow-destructive with stdin from %s: exit %d\n%s", os.DevNull, code, errb.String())
	}
	// The plan of an apply given --allow-destructive says it recreates the
	// table: not that the table is blocked, nor to re-run with the flag.
	dry = fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--dry-run")
	for _, want := range []string{"-- recreate table rpt_user_trace_data\n", "Plan: 0 to create, 0 to alter, 1 to recreate, 2 in sync, 0 blocked; "} {
		if dry.code != 0 || !strings.Contains(dry.stdout+dry.stderr, want) || strings.Contains(dry.stdout+dry.stderr, "blocked table") {
			t.Errorf("apply --allow-destructive --dry-run: want %q in %+v", want, dry)
		}
	}
	dry = fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--dry-run", "--format", "json")
	var allowed struct {
		Blocked bool `json:"blocked"`
		Tables  []struct {
			Table, Action string
		} `json:"tables"`
	}
	if err := json.Unmarshal([]byte(dry.stdout), &allowed); dry.code != 0 || err != nil || allowed.Blocked || !slices.Contains(allowed.Tables, struct{ Table, Action string }{"rpt_user_trace_data", "recreate"}) {
		t.Errorf("apply --allow-destructive --dry-run --format json: exit %d, %v, %+v\n%s", dry.code, err, allowed, dry.stdout)
	}
	// At the prompt of a terminal, the plan says so too, and Ctrl-C (a
	// cancelled context) ends the wait for an answer: nothing is applied.
	prompted := promptUntilSignal(t, dir, "apply", "--bizdate", "20210303", "--allow-destructive")
	for _, want := range []string{"-/+ RPT rpt_user_trace_data  (recreate", "1 to recreate", "Only 'yes' is accepted: \nfgen: apply cancelled: interrupted (a signal); nothing was applied\n"} {
		if prompted.code != exitInterrupted || !strings.Contains(prompted.stderr, want) || strings.Contains(prompted.stderr, "fix:") {
			t.Errorf("apply --allow-destructive at a terminal's prompt: want %q in %+v", want, prompted)
		}
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--yes"); r.code != 0 {
		t.Fatalf("apply --allow-destructive --yes: %+v", r)
	}
	after := fgen(t, dir, nil, "report", "--format", "csv")
	if after.code != 0 || after.stdout != before.stdout {
		t.Errorf("the report changed with the rate format:\n%s\nwas\n%s", after.stdout, before.stdout)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 {
		t.Errorf("plan after apply: %+v", r)
	}
}

// promptUntilSignal runs fgen in dir as on a terminal that never answers
// apply's prompt, and cancels it, as a signal does, once it asks.
func promptUntilSignal(t *testing.T, dir string, args ...string) result {
	t.Helper()
	isTerm := stdinIsTerminal
	stdinIsTerminal = func(*os.File) bool { return true }
	defer func() { stdinIsTerminal = isTerm }()
	stdin, answer, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	// An fgen that waits on after the signal gets end of input instead,
	// after a while, and fails the test rather than hang it.
	stop := time.AfterFunc(10*time.Second, func() { answer.Close() })
	defer func() {
		if stop.Stop() {
			answer.Close()
		}
	}()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	stderr := &watchWriter{seen: "Only 'yes' is accepted", then: func() { cancel(errors.New("a signal")) }}
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	var out bytes.Buffer
	code := run(ctx, args, stdin, &out, stderr, func(string) string { return "" })
	return result{code, out.String(), stderr.String()}
}

// watchWriter is a buffer that calls then once seen is written to it.
type watchWriter struct {
	bytes.Buffer
	seen string
	then func()
}

func (w *watchWriter) Write(b []byte) (int, error) {
	n, err := w.Buffer.Write(b)
	if w.then != nil && strings.Contains(w.String(), w.seen) {
		w.then()
		w.then = nil
	}
	return n, err
}

// A load that would leave a partition fewer than half its rows, an empty
// export or a late row of the day before in the next day's file, is blocked
// (exit 3, as a destructive plan) and keeps the partition; --allow-destructive replaces it, with a warning. Every
// replacing load says what each partition held before, and so does sample --load.
func TestLoadRefusesToShrinkAPartition(t *testing.T) {
	dir := project(t)
	var day, next strings.Builder
	for i := range 4 {
		fmt.Fprintf(&day, `{"md5":"a%d","uid":"u%d","ts":1614700000,"customize_event":"browse","dt":"20210303"}`+"\n", i, i)
		fmt.Fprintf(&next, `{"md5":"b%d","uid":"u%d","ts":1614790000,"customize_event":"browse","dt":"20210304"}`+"\n", i, i)
	}
	next.WriteString(`{"md5":"late","uid":"u9","ts":1614780000,"customize_event":"click","dt":"20210303"}` + "\n")
	os.WriteFile(filepath.Join(dir, "day.jsonl"), []byte(day.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "next.jsonl"), []byte(next.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.jsonl"), nil, 0o644)
	// A load of eight new days names six and counts the other two (of
	// seven, it would name all seven).
	var week strings.Builder
	for i := range 8 {
		fmt.Fprintf(&week, `{"md5":"w%d","uid":"u1","ts":%d,"customize_event":"browse","dt":"%s"}`+"\n", i, 1615000000+86400*i, addDays("20210310", i))
	}
	os.WriteFile(filepath.Join(dir, "week.jsonl"), []byte(week.String()), 0o644)
	if r := fgen(t, dir, nil, "load", "week.jsonl"); r.code != 0 || !strings.HasSuffix(r.stdout, "\nadded ods_user_trace_data/dt=20210315: 1 row\nand 2 more partitions added\n") {
		t.Fatalf("load of seven days: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "day.jsonl"); r.code != 0 || strings.Contains(r.stdout, "replaced") || !strings.Contains(r.stdout, "\nadded ods_user_trace_data/dt=20210303: 4 rows\n") {
		t.Fatalf("load: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "day.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "replaced ods_user_trace_data/dt=20210303: 4 rows before, 4 now\n") {
		t.Errorf("load again: %+v", r)
	}
	browse := func() string {
		r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--all", "-q")
		if r.code != 0 {
			t.Fatalf("apply: %+v", r)
		}
		r = fgen(t, dir, nil, "report", "--bizdate", "20210303", "--format", "csv")
		_, after, _ := strings.Cut(r.stdout, "20210303,browse,1,")
		n, _, _ := strings.Cut(after, ",")
		return n
	}
	if n := browse(); n != "4" {
		t.Fatalf("browse count %s after the loads", n)
	}
	for _, args := range [][]string{{"load", "--bizdate", "20210303", "empty.jsonl"}, {"load", "next.jsonl"}} {
		r := fgen(t, dir, nil, args...)
		if r.code != 3 || !strings.Contains(r.stderr, "it would replace the partition ods_user_trace_data/dt=20210303 (4 rows) with ") || !strings.Contains(r.stderr, "--allow-destructive replaces the partitions anyway; nothing was loaded") {
			t.Errorf("%s: %+v", strings.Join(args, " "), r)
		}
		if n := browse(); n != "4" {
			t.Errorf("browse count %s after the refused %s", n, strings.Join(args, " "))
		}
	}
	r := fgen(t, dir, nil, "load", "--allow-destructive", "next.jsonl")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: replaced ods_user_trace_data/dt=20210303: 4 rows before, 1 now (--allow-destructive)\n") {
		t.Errorf("load --allow-destructive: %+v", r)
	}
	if n := browse(); n != "0" {
		t.Errorf("browse count %s after the replacing load", n)
	}
	// An empty file into a day without rows: no shrink, but a day of no
	// events, which a failed export leaves; the load says so.
	r = fgen(t, dir, nil, "load", "--bizdate", "20210305", "empty.jsonl")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: ods_user_trace_data/dt=20210305 has no rows: the files held none for it, and apply will report it as a day without events; if an export failed, load the day again once it has rows\n") {
		t.Errorf("load of an empty file into a new day: %+v", r)
	}
	// An appending load says what it added to each day that had rows.
	if r := fgen(t, dir, nil, "load", "--append", "day.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "\nappended to ods_user_trace_data/dt=20210303: 1 row before, 5 now\n") || strings.Contains(r.stdout, "replaced") {
		t.Errorf("load --append: %+v", r)
	}
	// sample --load replaces the day too, and says what it replaced: the
	// rows may be real logs.
	r = fgen(t, dir, nil, "sample", "--users", "5", "--load")
	m := regexp.MustCompile(`warning: replaced the 5 rows of ods_user_trace_data/dt=20210303 with the sample's ([1-9][0-9]*)\n`).FindStringSubmatch(r.stderr)
	if r.code != 0 || m == nil {
		t.Fatalf("sample --load: %+v", r)
	}
	// and is held to load's rule: a sample of fewer than half a day's rows
	// (here without its bots' thousands) is refused and keeps them.
	r = fgen(t, dir, nil, "sample", "--users", "5", "--noise=false", "--load")
	if r.code != 3 || !strings.Contains(r.stderr, "fgen: the sample would replace ods_user_trace_data/dt=20210303 ("+m[1]+" rows) with ") || !strings.Contains(r.stderr, "or pass --allow-destructive to replace them anyway; nothing was loaded\n") {
		t.Errorf("sample --load of fewer than half the rows: %+v", r)
	}
	r = fgen(t, dir, nil, "sample", "--users", "5", "--noise=false", "--load", "--allow-destructive")
	if r.code != 0 || !regexp.MustCompile(`warning: replaced the `+m[1]+` rows of ods_user_trace_data/dt=20210303 with the sample's [1-9][0-9]* \(--allow-destructive\)\n`).MatchString(r.stderr) {
		t.Errorf("sample --load --allow-destructive: %+v", r)
	}
	// An empty file loaded by its rows' days loads nothing, and says so.
	if r := fgen(t, dir, nil, "load", "empty.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "warning: the files held no rows: nothing was loaded") {
		t.Errorf("load of an empty file: %+v", r)
	}
}

// A command whose output does not all arrive (a full disk under
// fgen plan > plan.md) exits 1 and says so, whatever status it had: the
// commands print with fmt.Fprint* and run checks what stdout returned.
func TestLostOutputFails(t *testing.T) {
	dir := project(t)
	for _, args := range [][]string{
		{"version"},
		{"validate"},
		{"plan", "--bizdate", "20210303"},
		{"plan", "--format", "markdown"},
		{"apply", "--bizdate", "20210303", "--dry-run"},
		{"graph"},
	} {
		wd, _ := os.Getwd()
		os.Chdir(dir)
		var errb bytes.Buffer
		code := run(context.Background(), args, strings.NewReader(""), fullWriter{}, &errb, func(string) string { return "" })
		os.Chdir(wd)
		// graph checks its own write: the message lacks run's words.
		want := "fgen: " + args[0] + " did all it was to do, but its output did not all arrive (write: no space left on device): check where standard output goes (a full disk?); what it did is done, so do not run it again to see the output\n"
		if args[0] == "graph" {
			want = "fgen: write: no space left on device\n"
		}
		if code != 1 || !strings.HasSuffix(errb.String(), want) {
			t.Errorf("%v: exit %d, stderr %q, want 1 and %q", args, code, errb.String(), want)
		}
	}
}

// fullWriter is stdout on a full disk.
type fullWriter struct{}

func (fullWriter) Write([]byte) (int, error) { return 0, errors.New("write: no space left on device") }

// A report's table name mistyped as that of a table fgen never wrote (a
// finance table of the same warehouse): fgen has no note of its rows, so
// it never drops them, even with --allow-destructive --yes, nor says that
// they can be recomputed.
func TestApplyNeverDropsATableItDidNotWrite(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 50, 1)
	execLocal(t, dir, `CREATE TABLE finance_daily (dt VARCHAR, revenue BIGINT)`, `INSERT INTO finance_daily VALUES ('20210301', 100), ('20210303', 300)`)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "finance_daily"`)
	for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"apply", "--bizdate", "20210303", "--allow-destructive", "--yes"}} {
		r := fgen(t, dir, nil, args...)
		if r.code != 3 || !strings.Contains(r.stdout+r.stderr, "[raw_table]") || !strings.Contains(r.stdout+r.stderr, "fgen has no note of writing any partition of live table finance_daily, which holds rows") ||
			strings.Contains(r.stderr+r.stdout, "recomputed") {
			t.Errorf("%s with a report table fgen did not write: %+v", args[0], r)
		}
	}
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT dt, revenue FROM finance_daily ORDER BY dt`)
	if err != nil || len(rows.Values) != 2 || *rows.Values[0][1] != "100" || *rows.Values[1][1] != "300" {
		t.Errorf("finance_daily after the refused apply: %v %v", rows, err)
	}
}

// funnel.toml gives the ODS table's name to the DW table: the loaded raw
// rows are never dropped, even with --allow-destructive --yes.
func TestApplyNeverDropsRawRowsUnderAnotherLayer(t *testing.T) {
	dir := project(t)
	os.WriteFile(filepath.Join(dir, "good.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse"}
{"md5":"b","uid":"u1","ts":1614700001,"customize_event":"click"}
`), 0o644)
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "good.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	swapped := strings.Replace(strings.Replace(string(data), `name = "ods_user_trace_data"`, `name = "ods_v2"`, 1), `name = "dw_user_trace_data"`, `name = "ods_user_trace_data"`, 1)
	if swapped == string(data) || !strings.Contains(swapped, `name = "ods_v2"`) {
		t.Fatal("the edit of funnel.toml did not apply")
	}
	os.WriteFile(path, []byte(swapped), 0o644)
	r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--yes")
	if r.code != 3 || !strings.Contains(r.stderr, "[raw_table]") || !strings.Contains(r.stderr, "ods_user_trace_data may hold raw rows") {
		t.Fatalf("apply with the ODS table's name on the DW table: %+v", r)
	}
	// The day again from the ODS rows, which must still be there.
	os.WriteFile(path, data, 0o644)
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--all"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--bizdate", "20210303", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "browse",
          "count": 1,`) {
		t.Errorf("the ODS rows of 20210303 are gone after the refused apply: %+v", r)
	}
}

// report -o and sample -o never overwrite the config, the warehouse or the
// generated project.
func TestReportRefusesToOverwriteItsInputs(t *testing.T) {
	dir := project(t)
	config, _ := os.ReadFile(filepath.Join(dir, "funnel.toml"))
	os.MkdirAll(filepath.Join(dir, ".fgen"), 0o755)
	os.WriteFile(filepath.Join(dir, ".fgen", "local.duckdb.wal"), []byte("wal"), 0o644)
	// Other names of the same files: a link to out/, a link to the
	// database that does not exist yet, and the project through a link.
	os.Symlink("out", filepath.Join(dir, "gen"))
	os.Symlink(filepath.Join(".fgen", "local.duckdb"), filepath.Join(dir, "db-link"))
	alias := filepath.Join(t.TempDir(), "alias")
	os.Symlink(dir, alias)
	for file, want := range map[string]string{
		"gen/nodes/dw.sql": "the generated project",
		"db-link":          "is target local's warehouse",
		filepath.Join(alias, "out", "nodes", "x.sql"): "the generated project",
		filepath.Join(alias, "funnel.toml"):           "is the config file",
		"funnel.toml":                                 "is the config file",
		"./funnel.toml":                               "is the config file",
		".fgen/local.duckdb":                          "is target local's warehouse",
		".fgen/local.duckdb.wal":                      "is target local's warehouse",
		"out/nodes/rpt.sql":                           "the generated project",
		filepath.Join(dir, "out", "x"):                "the generated project",
	} {
		for _, args := range [][]string{{"report", "--bizdate", "20210303"}, {"sample", "--users", "10"}} {
			r := fgen(t, dir, nil, append(args, "-o", file)...)
			if r.code != 1 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "note:") {
				t.Errorf("%s -o %s: exit %d, stderr %q, want one that says it %s, and no note of the file's format", args[0], file, r.code, r.stderr, want)
			}
		}
	}
	// A JSON report to a file that fails says so on stderr alone: standard
	// output was not to hold the report, nor an error document.
	for _, args := range [][]string{{"-o", "nodir/r.json"}, {"--format", "json", "-o", "nodir/r.txt"}} {
		if r := fgen(t, dir, nil, append([]string{"report", "--bizdate", "20210303"}, args...)...); r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "fgen: ") {
			t.Errorf("report %v: %+v", args, r)
		}
	}
	// A project generated elsewhere (--dir) is generate's too, and what is
	// below it; another tool's manifest.json is not fgen's.
	gen := filepath.Join(t.TempDir(), "gen")
	if r := fgen(t, dir, nil, "generate", "-q", "--dir", gen); r.code != 0 {
		t.Fatalf("generate --dir: %+v", r)
	}
	for _, file := range []string{filepath.Join(gen, "report.html"), filepath.Join(gen, "nodes", "x.html"), filepath.Join(gen, "new", "x.html")} {
		r := fgen(t, dir, nil, "report", "--bizdate", "20210303", "-o", file)
		if r.code != 1 || !strings.Contains(r.stderr, "is in "+gen+", a project 'fgen generate' wrote") {
			t.Errorf("report -o %s: exit %d, stderr %q, want a refusal naming %s", file, r.code, r.stderr, gen)
		}
	}
	if r := fgen(t, dir, nil, "sample", "--users", "10", "-o", filepath.Join(gen, "events.jsonl")); r.code != 1 || !strings.Contains(r.stderr, "is in "+gen+", a project 'fgen generate' wrote") {
		t.Errorf("sample -o into %s: exit %d, stderr %q, want a refusal naming it", gen, r.code, r.stderr)
	}
	web := t.TempDir()
	os.WriteFile(filepath.Join(web, "manifest.json"), []byte(`{"name": "shop", "files": {}}`), 0o644)
	if r := fgen(t, dir, nil, "report", "--bizdate", "20210303", "-o", filepath.Join(web, "r.html")); strings.Contains(r.stderr, "fgen generate' wrote") {
		t.Errorf("report -o beside a web app's manifest.json: %+v", r)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "funnel.toml")); string(now) != string(config) {
		t.Error("report -o changed the config")
	}
	if wal, _ := os.ReadFile(filepath.Join(dir, ".fgen", "local.duckdb.wal")); string(wal) != "wal" {
		t.Error("report -o changed the warehouse's log")
	}
}

func TestLoadMalformedRowKeepsPartition(t *testing.T) {
	dir := project(t)
	good := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse"}
{"md5":"b","uid":"u1","ts":1614700001,"customize_event":"click"}
`
	os.WriteFile(filepath.Join(dir, "good.jsonl"), []byte(good), 0o644)
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "good.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "loaded 2 rows") {
		t.Fatalf("load: %+v", r)
	}
	bad := good + `{"md5":"c","uid":"u2","ts":"yesterday","customize_event":"browse"}
`
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(bad), 0o644)
	os.WriteFile(filepath.Join(dir, "bad.csv"), []byte("md5,uid,ts,customize_event\nx,u3,1614700000,browse\ny,u3,1614700001\n"), 0o644)
	for file, want := range map[string]string{
		"bad.jsonl": `fgen: load: bad.jsonl:3: column ts: "yesterday" is not a valid BIGINT; nothing was loaded`,
		"bad.csv":   `fgen: load: bad.csv:3: 3 fields, but the header has 4; nothing was loaded`,
	} {
		r := fgen(t, dir, nil, "load", "-q", "--bizdate", "20210303", file)
		if r.code != 1 || strings.TrimSpace(r.stderr) != want {
			t.Errorf("load %s: exit %d, stderr %q, want %q", file, r.code, r.stderr, want)
		}
	}
	fgen(t, dir, nil, "apply", "--bizdate", "20210303")
	r := fgen(t, dir, nil, "report", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"name": "browse",
          "count": 1,`) {
		t.Errorf("the partition changed after failed loads: %+v", r)
	}
}

// load refuses standard input and devices as it refuses a pipe, not as a
// file without an extension: fgen load reads a file twice.
func TestLoadRefusesWhatIsNotAFile(t *testing.T) {
	dir := project(t)
	paths := []string{"-"}
	if _, err := os.Stat(os.DevNull); err == nil && runtime.GOOS != "windows" {
		paths = append(paths, os.DevNull)
	}
	for _, path := range paths {
		r := fgen(t, dir, nil, "load", path)
		if want := "fgen: load: " + path + ": not a regular file"; r.code != 1 || !strings.HasPrefix(r.stderr, want) || !strings.Contains(r.stderr, "so it takes files, not pipes or devices; nothing was loaded\n") {
			t.Errorf("load %s: %+v\nwant %s...", path, r, want)
		}
	}
}

// A failed load takes back what it created to load into: a warehouse that
// was not there (and its directory), or the ODS table of one that had none,
// whose other tables keep their rows.
func TestFailedLoadLeavesNoWarehouse(t *testing.T) {
	dir := project(t)
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse"}
{"md5":"b",
`), 0o644)
	const want = "fgen: load: bad.jsonl:2: malformed JSON"
	if r := fgen(t, dir, nil, "load", "-q", "--bizdate", "20210303", "bad.jsonl"); r.code != 1 || !strings.HasPrefix(r.stderr, want) {
		t.Fatalf("load: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, ".fgen")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed load into no warehouse left .fgen: %v", err)
	}

	// A warehouse of the user's own, without the ODS table.
	execLocal(t, dir, "CREATE TABLE notes (s VARCHAR)", "INSERT INTO notes VALUES ('mine')")
	if r := fgen(t, dir, nil, "load", "-q", "--bizdate", "20210303", "bad.jsonl"); r.code != 1 || !strings.HasPrefix(r.stderr, want) {
		t.Fatalf("load: %+v", r)
	}
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb"), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Describe(context.Background(), "ods_user_trace_data"); !errors.Is(err, warehouse.ErrTableNotFound) {
		t.Errorf("a failed load left the ODS table it created: %v", err)
	}
	rows, err := db.Query(context.Background(), "SELECT s FROM notes")
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] == nil || *rows.Values[0][0] != "mine" {
		t.Errorf("the user's table after a failed load: %+v, %v", rows, err)
	}
}

// The daily loop: plan knows which days are up to date. After apply, plan
// exits 0; reloading a day's ODS partition makes plan exit 2 naming the day
// and why; apply then runs only that day. Plan and a dry run create nothing.
func TestPlanAfterReload(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.HasPrefix(r.stdout, "Target local (duckdb: .fgen/local.duckdb)\n") {
		t.Fatalf("plan before anything: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303", "--format", "markdown"); r.code != 2 || !strings.HasPrefix(r.stdout, "### fgen plan: target `local` (duckdb: `.fgen/local.duckdb`)\n") {
		t.Errorf("plan --format markdown: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--dry-run"); r.code != 0 {
		t.Fatalf("apply --dry-run: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, ".fgen")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("plan or a dry run created .fgen: %v", err)
	}
	for _, day := range []string{"20210303", "20210304"} {
		if r := fgen(t, dir, nil, "sample", "--users", "300", "--days", "1", "--start", day, "-o", day+".jsonl"); r.code != 0 {
			t.Fatalf("sample: %+v", r)
		}
		if r := fgen(t, dir, nil, "load", day+".jsonl"); r.code != 0 {
			t.Fatalf("load: %+v", r)
		}
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 || !strings.Contains(r.stdout, "6 applied") {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304"); r.code != 0 || !strings.Contains(r.stdout, "= 20210304  up to date") {
		t.Fatalf("plan after apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "20210304.jsonl"); r.code != 0 {
		t.Fatalf("reload: %+v", r)
	}
	r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304")
	if r.code != 2 || !strings.Contains(r.stdout, "= 20210303  up to date") ||
		!strings.Contains(r.stdout, "dw_user_trace_data: ods_user_trace_data/dt=20210304 changed after it was written") ||
		!strings.Contains(r.stdout, "rpt_user_trace_data: dw_user_trace_data for 20210304 runs first") {
		t.Fatalf("plan after a reload: %+v", r)
	}
	// report reads the rows the reload made out of date, and says so.
	const outOfDate = "warning: the rows of rpt_user_trace_data for 20210304 are out of date (dw_user_trace_data: ods_user_trace_data/dt=20210304 changed after it was written); 'fgen apply --bizdate 20210304' writes them again\n"
	if r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304"); r.code != 0 || !strings.Contains(r.stderr, outOfDate) || strings.Count(r.stderr, "out of date") != 1 {
		t.Errorf("report after a reload: %+v", r)
	}
	// Its summary counts the jobs up to date too, as plan and JSON do.
	a := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304")
	if a.code != 0 || a.stdout != "apply: 2 applied, 0 failed, 0 skipped, 0 not run, 2 up to date\n" || strings.Contains(a.stderr, "20210303 dw_user_trace_data: done") {
		t.Fatalf("apply after a reload runs only the reloaded day: %+v", a)
	}
	if r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304"); r.code != 0 || strings.Contains(r.stderr, "out of date") {
		t.Errorf("report after the apply: %+v", r)
	}
	// funnel.toml changes the DW node's SQL: every day's report would change.
	toml := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, toml, `dedup_by = ["md5"]`, `dedup_by = []`)
	if r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304"); r.code != 0 || !strings.Contains(r.stderr, "are out of date (dw_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it)); 'fgen apply --from 20210303 --to 20210304' writes them again") {
		t.Errorf("report after a change of the DW node: %+v", r)
	}
	replaceInFile(t, toml, `dedup_by = []`, `dedup_by = ["md5"]`)
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 || !strings.Contains(r.stderr, "nothing to apply") {
		t.Errorf("apply with nothing pending: %+v", r)
	}
	// --format json prints JSON on stdout whatever there is to do; with
	// nothing to do, the 4 jobs up to date.
	for _, args := range [][]string{{"--format", "json"}, {"--format", "json", "--dry-run", "--all"}} {
		r := fgen(t, dir, nil, append([]string{"apply", "--from", "20210303", "--to", "20210304"}, args...)...)
		var v map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &v); r.code != 0 || err != nil || len(v) == 0 {
			t.Errorf("apply %s: exit %d, stdout not a JSON object (%v):\n%s", strings.Join(args, " "), r.code, err, r.stdout)
		}
		if len(args) == 2 && v["up_to_date"] != 4.0 {
			t.Errorf("apply --format json with nothing to do: up_to_date = %v, want 4\n%s", v["up_to_date"], r.stdout)
		}
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304", "--all", "--dry-run"); r.code != 0 || !strings.Contains(r.stderr, "0 jobs to run on 0 of 2 days, 2 up to date. With --all, apply would also run the 4 jobs up to date. Nothing was run.") {
		t.Errorf("apply --all --dry-run: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304", "--all"); r.code != 0 || !strings.Contains(r.stdout, "4 applied") {
		t.Errorf("apply --all: %+v", r)
	}
	// An incomplete apply (20210305 and 20210306 have no ODS partition)
	// writes one JSON document, its jobs and the error it ends with, which
	// names every day to apply again.
	r = fgen(t, dir, nil, "apply", "--from", "20210304", "--to", "20210306", "--all", "--format", "json")
	var v struct {
		Applied int `json:"applied"`
		Skipped int `json:"skipped"`
		Error   struct {
			Message  string `json:"message"`
			ExitCode int    `json:"exit_code"`
		} `json:"error"`
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&v); r.code != 1 || err != nil || dec.More() || v.Applied != 2 || v.Skipped != 4 ||
		!strings.HasPrefix(v.Error.Message, "apply incomplete: 2 applied, 0 failed, 4 skipped") ||
		!strings.HasSuffix(v.Error.Message, "; the days with jobs failed, skipped or not run: 20210305..20210306") || v.Error.ExitCode != 1 {
		t.Errorf("incomplete apply --format json: %+v (%v, more documents: %v)", r, err, dec.More())
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--parallel", "0"); r.code != 1 || !strings.Contains(r.stderr, "--parallel 0") {
		t.Errorf("apply --parallel 0: %+v", r)
	}
	// The local target runs one job at a time: --parallel says it.
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--all", "--parallel", "4"); !strings.Contains(r.stderr, "note: target local runs 1 job at a time; --parallel 4 changes nothing") {
		t.Errorf("apply --parallel 4 on the local target: %+v", r)
	}
}

// Mistakes are caught before the numbers are wrong: a report before any
// apply says what to run, and a stage whose event matches no row of a day
// is a warning in plan, apply and report, with a did-you-mean.
func TestMistakesSayWhatToDo(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "report"); r.code != 1 || !strings.Contains(r.stderr, "has no report table rpt_user_trace_data yet; create and fill it with 'fgen apply --from D1 --to D2', D1 and D2 the first and last days loaded (fgen has noted no load here: 'fgen load FILE', or 'fgen sample --load' for sample data)") {
		t.Errorf("report before apply: %+v", r)
	}
	// The tables made, no day applied: no days to name.
	if r := fgen(t, dir, nil, "apply"); r.code != 0 {
		t.Fatalf("apply of the tables: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--all"); r.code != 0 || r.stderr != "nothing to apply: the tables are in sync (without --bizdate or --from/--to, apply creates and changes the tables only)\n" {
		t.Errorf("apply --all without days: %+v", r)
	}
	if r := fgen(t, dir, nil, "report"); r.code != 0 || r.stderr != "warning: rpt_user_trace_data has no rows; fill it with 'fgen apply --from D1 --to D2', D1 and D2 the first and last days loaded (fgen has noted no load here: 'fgen load FILE', or 'fgen sample --load' for sample data)\n" {
		t.Errorf("report of an empty table: %+v", r)
	}
	if r := fgen(t, dir, nil, "sample", "--users", "200", "--days", "1", "--start", "20210303", "--load"); r.code != 0 {
		t.Fatalf("sample --load: %+v", r)
	}
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `events = ["purchase"]`, `events = ["purchse"]`, 1)), 0o644)
	want := `stage purchase of funnel user_trace: no row of 20210303 has customize_event "purchse"`
	guess := `did you mean "purchase"?`
	for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"apply", "--bizdate", "20210303"}, {"report"}} {
		r := fgen(t, dir, nil, args...)
		if out := r.stdout + r.stderr; !strings.Contains(out, want) || !strings.Contains(out, guess) {
			t.Errorf("%v: no warning of the stage that matches nothing: %+v", args, r)
		}
	}
	// A stage renamed and not yet applied: the report table lacks its
	// columns, which is said as such, not as the query's binder error.
	replaceInFile(t, path, `{ name = "click",    events = ["click"] }`, `{ name = "clicked",    events = ["click"] }`)
	if r := fgen(t, dir, nil, "report"); r.code != 1 || !strings.Contains(r.stderr, "fgen: report table rpt_user_trace_data has no columns clicked, clicked_rate, which funnel user_trace reports: funnel.toml changed after the table was written; 'fgen plan' shows the change and how apply makes it") {
		t.Errorf("report after a stage rename: %+v", r)
	}
	// So is a report partition column renamed.
	replaceInFile(t, path, `{ name = "clicked",    events = ["click"] }`, `{ name = "click",    events = ["click"] }`)
	replaceInFile(t, path, `partition = "dt"
count_type`, `partition = "ds"
count_type`)
	if r := fgen(t, dir, nil, "report"); r.code != 1 || !strings.Contains(r.stderr, "fgen: report table rpt_user_trace_data has no column ds, which funnel user_trace reports") {
		t.Errorf("report after a partition rename: %+v", r)
	}
}

// A cross_midnight day computed before the next day landed is provisional
// in the report, until the next day is applied.
func TestReportMarksProvisionalDays(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/modes.toml")
	if r := fgen(t, dir, nil, "sample", "--users", "200", "--days", "2", "--start", "20210303", "--load"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	// The next day's ODS rows have landed, its DW rows not: the rows are
	// provisional, not out of date (apply of the day alone writes them as
	// they are: plan calls the day up to date).
	r := fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"provisional": true`) || strings.Contains(r.stdout, `"out_of_date": "`) {
		t.Fatalf("report before the next day: %+v", r)
	}
	// The next day's ODS rows have landed, not its DW rows.
	r = fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if want := "rpt_ordered_overnight reads dw_user_trace_data of the next day, which has no partition dt=20210304 yet though 20210304 has landed: the day's numbers are provisional until both days are applied ('fgen apply --from 20210303 --to 20210304')"; !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("plan before the next day is applied: want %q in %+v", want, r)
	}
	// The apply it suggests keeps the plan's -c and --target.
	os.Rename(filepath.Join(dir, "funnel.toml"), filepath.Join(dir, "modes.toml"))
	r = fgen(t, dir, nil, "-c", "modes.toml", "plan", "--bizdate", "20210303", "--target", "local")
	if want := "('fgen -c modes.toml apply --from 20210303 --to 20210304 --target local')"; !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("plan -c modes.toml --target local: want %q in %+v", want, r)
	}
	os.Rename(filepath.Join(dir, "modes.toml"), filepath.Join(dir, "funnel.toml"))
	// A day of the range without rows is named, not silently left out.
	r = fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--from", "20210302", "--to", "20210304")
	if r.code != 0 || !strings.Contains(r.stderr, "warning: rpt_ordered_overnight has no rows for 2 of the 3 days: 20210302, 20210304; the report leaves them out (fill 20210304 with 'fgen apply --bizdate 20210304'; 20210302 has no ods_user_trace_data partition: load it first)") {
		t.Errorf("report of a range with days missing: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--bizdate", "20210303", "--format", "json")
	if r.code != 0 || strings.Contains(r.stdout, `"provisional": true`) {
		t.Errorf("report after the next day: %+v", r)
	}
	// The next day's ODS rows loaded again: both days' rows are out of date,
	// 20210303's through the DW partition of 20210304 it reads.
	if r := fgen(t, dir, nil, "sample", "--users", "100", "--start", "20210304", "--seed", "9", "-o", "again.jsonl"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "again.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--from", "20210303", "--to", "20210304")
	if want := "warning: the rows of rpt_ordered_overnight for 20210303..20210304 are out of date (dw_user_trace_data: ods_user_trace_data/dt=20210304 changed after it was written); 'fgen apply --from 20210303 --to 20210304' writes them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("report after the next day was loaded again: %+v", r)
	}
	// Asked for the first day alone, whose rows read the next day's.
	r = fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--bizdate", "20210303")
	if want := "warning: the rows of rpt_ordered_overnight for 20210303 are out of date (dw_user_trace_data: ods_user_trace_data/dt=20210304 changed after it was written); 'fgen apply --from 20210303 --to 20210304' writes them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "for 20210304") {
		t.Errorf("report of the day before the day loaded again: %+v", r)
	}
	// plan of that day alone cannot run the next day's DW job, and says why
	// the day's numbers will change.
	r = fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if want := "rpt_ordered_overnight reads dw_user_trace_data of the next day, whose ODS rows changed after its partition dt=20210304 was written: the day's numbers change when both days are applied ('fgen apply --from 20210303 --to 20210304')"; !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("plan of the day before the day loaded again: want %q in %+v", want, r)
	}
	// The next day's DW partition written again: 20210303 was computed
	// with an earlier one, so its rows are out of date, not provisional.
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210304", "--all"); r.code != 0 {
		t.Fatalf("apply --all: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--bizdate", "20210303", "--format", "json")
	if r.code != 0 || strings.Contains(r.stdout, `"provisional": true`) || !strings.Contains(r.stdout, `dw_user_trace_data/dt=20210304 changed after it was written"`) {
		t.Errorf("report after the next day's DW was written again: %+v", r)
	}
	// The DW node's SQL changed: a plan and an apply of the day alone say
	// the next day's DW partition, of the SQL before, changes its numbers
	// (report says its rows are out of date), before and after the apply.
	cfg, _ := os.ReadFile(filepath.Join(dir, "funnel.toml"))
	edited := strings.Replace(string(cfg), `drop_empty = ["uid", "customize_event"]`, `drop_empty = ["uid", "customize_event", "device_brand"]`, 1)
	if edited == string(cfg) {
		t.Fatal("modes.toml has no drop_empty to edit")
	}
	os.WriteFile(filepath.Join(dir, "funnel.toml"), []byte(edited), 0o644)
	want := "rpt_ordered_overnight reads dw_user_trace_data of the next day, whose partition dt=20210304 is of SQL that funnel.toml or fgen changed since: the day's numbers may change when both days are applied ('fgen apply --from 20210303 --to 20210304')"
	for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"apply", "--bizdate", "20210303"}, {"plan", "--bizdate", "20210303"}} {
		if r := fgen(t, dir, nil, args...); !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("%s after the DW node's SQL changed: want %q in %+v", strings.Join(args, " "), want, r)
		}
	}
}

// TestProjectDirBesideConfig: without --dir, generate and diff use out/
// beside the config file, wherever fgen runs from, as sqlc resolves paths;
// -o, which named the directory before it meant an output file everywhere,
// still works and says to use --dir.
func TestProjectDirBesideConfig(t *testing.T) {
	dir := project(t)
	if r := fgen(t, t.TempDir(), nil, "generate", "-c", filepath.Join(dir, "funnel.toml")); r.code != 0 {
		t.Fatalf("generate -c elsewhere: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "manifest.json")); err != nil {
		t.Errorf("generate -c DIR/funnel.toml did not write DIR/out: %v", err)
	}
	if r := fgen(t, t.TempDir(), nil, "diff", "-c", filepath.Join(dir, "funnel.toml")); r.code != 0 {
		t.Errorf("diff -c elsewhere: %+v", r)
	}
	r := fgen(t, dir, nil, "generate", "-o", "old")
	if r.code != 0 || !strings.Contains(r.stderr, "is deprecated (-o names an output file); use --dir old") {
		t.Errorf("generate -o: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "old", "manifest.json")); err != nil {
		t.Errorf("generate -o old did not write old/: %v", err)
	}
}

// A day whose upstream is missing skips every job of the day for one reason,
// which apply says once (an hourly day has dozens of jobs).
func TestApplySaysASkippedDayOnce(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/hourly.toml")
	r := fgen(t, dir, nil, "-q", "apply", "--bizdate", "20210303")
	skips := strings.Count(r.stderr, ": skipped: ")
	if r.code == 0 || skips != 1 || !strings.Contains(r.stderr, "[1/1] 20210303 (every job to run): skipped: day 20210303: upstream ") || !strings.Contains(r.stderr, "hours 00-23 missing; load them, then apply again") || !regexp.MustCompile(`apply: [0-9]+ applied, 0 failed, [1-9][0-9]+ skipped`).MatchString(r.stdout) {
		t.Errorf("apply of a day with no upstream hours: exit %d, %d skip lines, want 1\nstdout:\n%s\nstderr:\n%s", r.code, skips, r.stdout, r.stderr)
	}
}

// twoFunnels are funnels f1 (events) and f2 (users) of the stages view and
// buy over the DW columns uid and ev, reported in rpt_f1 and rpt_f2.
var twoFunnels = func() string {
	var b strings.Builder
	for _, f := range [][2]string{{"f1", "events"}, {"f2", "users"}} {
		fmt.Fprintf(&b, `[[funnels]]
name = %[1]q
mode = %[2]q
user_column = "uid"
event_column = "ev"
stages = [ { name = "view", events = ["view"] }, { name = "buy", events = ["buy"] } ]
[funnels.report]
table = "rpt_%[1]s"
`, f[0], f[1])
	}
	return b.String()
}()

// A job skipped because the DW job it reads failed is named, each: two
// report jobs, two lines (they were one, which read as if the other ran).
func TestApplyNamesEachJobSkippedForAFailure(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "funnel.toml"), []byte(`version = 1
[project]
name = "s"
[ods]
name = "ods_e"
partition = "dt"
columns = [ { name = "uid", type = "STRING" }, { name = "ev", type = "STRING" }, { name = "n", type = "BIGINT" } ]
[dw]
name = "dw_e"
partition = "dt"
columns = [ { name = "uid", type = "STRING" }, { name = "ev", type = "STRING" }, { name = "n", type = "INT" } ]
`+twoFunnels), 0o644)
	os.WriteFile(filepath.Join(dir, "e.csv"), []byte("uid,ev,n,dt\na,view,99999999999,20210303\n"), 0o644) // n overflows the DW's INT
	if r := fgen(t, dir, nil, "load", "e.csv"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	r := fgen(t, dir, nil, "apply", "--bizdate", "20210303")
	for _, want := range []string{"20210303 rpt_f1: skipped: dw_e for 20210303 did not apply\n", "20210303 rpt_f2: skipped: dw_e for 20210303 did not apply\n", "1 failed, 2 skipped"} {
		if r.code != 1 || !strings.Contains(r.stderr+r.stdout, want) {
			t.Errorf("apply: want %q in %+v", want, r)
		}
	}
}

// report --all shows the daily funnels, and names the hourly ones it
// leaves out (grain = "hour"), unless -q.
func TestReportAllNamesTheHourlyFunnels(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/hourly.toml")
	want := "note: --all leaves out the funnels that report per hour, which fgen report does not show: hourly_ordered (table rpt_hourly_ordered, partitioned by (dt, hh)), hourly_users (table rpt_hourly_users, partitioned by (dt, hour)); query their tables directly"
	if r := fgen(t, dir, nil, "report", "--all", "--bizdate", "20210303"); !strings.Contains(r.stderr, want) {
		t.Errorf("report --all: stderr %q, want %q", r.stderr, want)
	}
	if r := fgen(t, dir, nil, "-q", "report", "--all", "--bizdate", "20210303"); strings.Contains(r.stderr, "note:") {
		t.Errorf("report -q --all: stderr %q, want no note", r.stderr)
	}
}

// Without --funnel, report shows the first daily funnel, also when an
// hourly one comes first (it said that funnel reports per hour).
func TestReportPicksTheFirstDailyFunnel(t *testing.T) {
	cfg := &models.Config{File: "funnel.toml", Funnels: []models.Funnel{{Name: "h", Grain: models.GrainHour}, {Name: "d"}}}
	fs, err := pickFunnels(cfg, nil, false)
	if err != nil || len(fs) != 1 || fs[0].Name != "d" {
		t.Errorf("pickFunnels = %v, %v; want d", fs, err)
	}
	cfg.Funnels = cfg.Funnels[:1]
	fs, err = pickFunnels(cfg, nil, false)
	if err == nil {
		_, err = dailyFunnels(cfg, fs, false)
	}
	if err == nil || !strings.Contains(err.Error(), "funnel h reports per hour") {
		t.Errorf("only an hourly funnel: %v", err)
	}
}

// sample -o names the file the user gave in its errors, never the hidden
// file it writes first, and a link to a file not there yet creates the
// file where the link points, keeping the link.
func TestSampleOutputFile(t *testing.T) {
	dir := project(t)
	for file, want := range map[string]string{
		"events":     "fgen: events: no file extension; use .jsonl",
		"events.txt": `fgen: events.txt: unknown file extension ".txt"`,
		"none/e.csv": "fgen: cannot write none/e.csv: directory none does not exist; create it first",
	} {
		r := fgen(t, dir, nil, "sample", "--users", "5", "-o", file)
		if r.code != 1 || !strings.HasPrefix(r.stderr, want) || strings.Contains(r.stderr, ".fgen-") {
			t.Errorf("sample -o %s: exit %d, stderr %q; want one that starts %q", file, r.code, r.stderr, want)
		}
	}
	os.Mkdir(filepath.Join(dir, "real"), 0o755)
	os.Symlink(filepath.Join("real", "e.jsonl"), filepath.Join(dir, "e.jsonl"))
	if r := fgen(t, dir, nil, "sample", "--users", "5", "-o", "e.jsonl"); r.code != 0 {
		t.Fatalf("sample -o a link to a new file: %+v", r)
	}
	if info, err := os.Lstat(filepath.Join(dir, "e.jsonl")); err != nil || info.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("e.jsonl is no longer a link: %v, %v", info, err)
	}
	if info, err := os.Stat(filepath.Join(dir, "real", "e.jsonl")); err != nil || info.Size() == 0 {
		t.Errorf("real/e.jsonl: %v, %v; want the events", info, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".fgen-") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// A sample killed before it renamed its file left its staging
	// directory, whose lock nobody holds: the next one removes it.
	dead := filepath.Join(dir, ".fgen-sample-dead")
	os.Mkdir(dead, 0o755)
	os.WriteFile(filepath.Join(dead, ".lock"), nil, 0o644)
	os.WriteFile(filepath.Join(dead, "e.jsonl"), []byte("half written"), 0o644)
	if r := fgen(t, dir, nil, "sample", "--users", "5", "-o", "f.jsonl"); r.code != 0 {
		t.Fatalf("sample -o f.jsonl: %+v", r)
	}
	if _, err := os.Stat(dead); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the dead sample's staging directory is still there: %v", err)
	}
	// Without a funnel.toml, an out/ directory is not a generated project.
	bare := t.TempDir()
	os.Mkdir(filepath.Join(bare, "out"), 0o755)
	if r := fgen(t, bare, nil, "sample", "--users", "5", "-o", filepath.Join("out", "e.jsonl")); r.code != 0 {
		t.Errorf("sample -o out/e.jsonl without a config: %+v", r)
	}
}

// After the first signal, the handler stays a moment (a signal delivered
// twice for one event must not cut the cleanup short), then goes, so that
// a second Ctrl-C ends fgen at once.
func TestRestoreSignals(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan time.Time, 1)
	go restoreSignals(ctx, func() { stopped <- time.Now() }, 100*time.Millisecond)
	select {
	case <-stopped:
		t.Fatal("the handler went before any signal")
	case <-time.After(50 * time.Millisecond):
	}
	start := time.Now()
	cancel()
	if at := <-stopped; at.Sub(start) < 100*time.Millisecond {
		t.Errorf("the handler went %s after the signal, within the grace of 100ms", at.Sub(start))
	}
}

// report warns of the stages of the funnels it reports, not of the others.
func TestReportWarnsOfItsFunnels(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/modes.toml")
	if r := fgen(t, dir, nil, "sample", "--users", "200", "--start", "20210303", "--load"); r.code != 0 {
		t.Fatalf("sample --load: %+v", r)
	}
	// A typo in funnel user_trace's last stage (the others keep purchase).
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "purchase", events = ["purchase"] },`, `{ name = "purchase", events = ["purchse"] },`)
	if r := fgen(t, dir, nil, "-q", "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	want := `stage purchase of funnel user_trace: no row of 20210303 has customize_event "purchse"`
	if r := fgen(t, dir, nil, "report", "--funnel", "user_trace"); !strings.Contains(r.stderr, want) {
		t.Errorf("report --funnel user_trace: no warning of its stage: %+v", r)
	}
	if r := fgen(t, dir, nil, "report", "--funnel", "users_by_device"); r.code != 0 || strings.Contains(r.stderr, "funnel user_trace") {
		t.Errorf("report --funnel users_by_device warns of another funnel: %+v", r)
	}
}

// diff of a directory generated in the other dialect says so, rather than
// printing the difference of the two dialects.
func TestDiffOfTheOtherDialect(t *testing.T) {
	dir := project(t)
	gen := filepath.Join(t.TempDir(), "gen")
	if r := fgen(t, dir, nil, "generate", "-q", "--dialect", "duckdb", "--dir", gen); r.code != 0 {
		t.Fatalf("generate --dialect duckdb: %+v", r)
	}
	r := fgen(t, dir, nil, "diff", "--dir", gen)
	if want := "in sync with funnel.toml in the duckdb dialect, and diff compared it with the maxcompute one: add --dialect duckdb"; r.code != 2 || r.stdout != "" || !strings.Contains(r.stderr, want) {
		t.Errorf("diff --dir of a duckdb project: %+v; want exit 2 and %q", r, want)
	}
	if r := fgen(t, dir, nil, "diff", "--dir", gen, "--dialect", "duckdb"); r.code != 0 {
		t.Errorf("diff --dialect duckdb: %+v", r)
	}
	// generate without --dialect converts it, and says so.
	if r := fgen(t, dir, nil, "generate", "--dir", gen); r.code != 0 || !strings.Contains(r.stderr, "held the project in the duckdb dialect; generate writes it in the maxcompute one (--dialect duckdb keeps the duckdb one)") {
		t.Errorf("generate over a duckdb project: %+v", r)
	}
	if r := fgen(t, dir, nil, "diff", "--dir", gen); r.code != 0 {
		t.Errorf("diff after generate: %+v", r)
	}
}

// The sample's days are business dates a partition can hold, yyyymmdd.
func TestSampleDaysEndBy9999(t *testing.T) {
	dir := project(t)
	r := fgen(t, dir, nil, "sample", "--start", "99991231", "--days", "2", "--users", "10", "-o", "e.jsonl")
	if r.code != 1 || !strings.Contains(r.stderr, "would end after 99991231") {
		t.Errorf("sample past 9999-12-31: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "e.jsonl")); err == nil {
		t.Error("the refused sample wrote its file")
	}
	if r := fgen(t, dir, nil, "sample", "--start", "99991231", "--days", "1", "--users", "10", "-o", "e.jsonl"); r.code != 0 {
		t.Errorf("sample of 99991231: %+v", r)
	}
	if r := fgen(t, dir, nil, "sample", "--start", "2021-03-01", "-o", "f.jsonl"); r.code != 1 || !strings.Contains(r.stderr, `--start: invalid business date "2021-03-01"; write it as yyyymmdd`) {
		t.Errorf("sample --start 2021-03-01: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "--bizdate", "2021033", "e.jsonl"); r.code != 1 || !strings.Contains(r.stderr, `fgen: --bizdate: invalid business date "2021033"; write it as yyyymmdd`) {
		t.Errorf("load --bizdate 2021033: %+v", r)
	}
}

// A load after funnel.toml added an ODS column, before apply added it to
// the table, says to apply first.
func TestLoadAfterNewODSColumnSaysApply(t *testing.T) {
	dir := project(t)
	rows := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse"}` + "\n"
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(rows), 0o644)
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	line := `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },` // the ODS column's
	added := strings.Replace(string(data), line, line+"\n"+`  { name = "country", type = "STRING" },`, 1)
	if added == string(data) {
		t.Fatal("the edit of funnel.toml did not apply")
	}
	os.WriteFile(path, []byte(added), 0o644)
	r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl")
	if r.code != 1 || !strings.Contains(r.stderr, "has no column country, which funnel.toml declares; run 'fgen apply', which appends new ODS columns listed last") {
		t.Fatalf("load before apply added the column: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl"); r.code != 0 {
		t.Errorf("load after apply: %+v", r)
	}
	// A type funnel.toml changed, which apply never changes in the ODS
	// table: the load says so, where DuckDB's reader would fail on a
	// value with a column numbered c5.
	replaceInFile(t, path, `{ name = "status",                  type = "BIGINT"`, `{ name = "status",                  type = "STRING"`)
	r = fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl")
	if r.code != 1 || !strings.Contains(r.stderr, "has other column types than funnel.toml: status is BIGINT there, STRING in funnel.toml; fgen never changes the ODS table's types") {
		t.Errorf("load with a retyped ODS column: %+v", r)
	}
}

// A generate into a new out/ that another generate has just made and locked
// says that one is writing, not that out/ holds files of someone else's.
func TestGenerateIntoALockedNewDirectory(t *testing.T) {
	dir := project(t)
	os.MkdirAll(filepath.Join(dir, "out"), 0o755)
	os.WriteFile(filepath.Join(dir, "out", ".fgen.lock"), []byte("4242\n"), 0o644)
	r := fgen(t, dir, nil, "generate")
	if r.code != 1 || !strings.Contains(r.stderr, "another fgen generate (process 4242) is writing") {
		t.Errorf("generate into a new out/ that another generate holds: %+v", r)
	}
}

// An error of a run a signal stopped says so, not "context canceled".
func TestErrorTextSaysInterrupted(t *testing.T) {
	err := fmt.Errorf("load: %w; nothing was loaded", context.Canceled)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("hangup signal received")) // as signal.NotifyContext's cause reads
	if got, want := errorText(ctx, err), "load: interrupted (hangup signal received); nothing was loaded"; got != want {
		t.Errorf("errorText = %q, want %q", got, want)
	}
	// DuckDB's interrupt, joined to the driver's context error, is said once.
	err = fmt.Errorf("plan local: describe t: %w", errors.Join(context.Canceled, errors.New("INTERRUPT Error: Interrupted!")))
	if got, want := errorText(ctx, err), "plan local: describe t: interrupted (hangup signal received)"; got != want {
		t.Errorf("errorText = %q, want %q", got, want)
	}
	// Cancelled without a cause (a test's context), or another error:
	// as it is.
	plain, stop := context.WithCancel(context.Background())
	stop()
	if got := errorText(plain, err); got != err.Error() {
		t.Errorf("errorText without a signal = %q", got)
	}
	if other := errors.New("disk full"); errorText(ctx, other) != "disk full" {
		t.Errorf("errorText of another error = %q", errorText(ctx, other))
	}
	// DuckDB's word alone, in an error that does not wrap the context's.
	alone := errors.New("read rpt_t: INTERRUPT Error: Interrupted!")
	if got, want := errorText(ctx, alone), "read rpt_t: interrupted (hangup signal received)"; got != want {
		t.Errorf("errorText = %q, want %q", got, want)
	}
}

// A command a signal stopped exits 130 whatever error it returned: one
// that does not wrap context.Canceled too (here funnel.toml's, read after
// the signal).
func TestInterruptedRunExits130(t *testing.T) {
	dir := project(t)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), "\nmode = \"events\"\n", "\nmode = \"evnts\"\n")
	args := []string{"-c", filepath.Join(dir, "funnel.toml"), "plan"}
	getenv := func(string) string { return "" }
	var stderr strings.Builder
	if code := run(context.Background(), args, strings.NewReader(""), io.Discard, &stderr, getenv); code != exitError {
		t.Fatalf("plan of a bad funnel.toml: exit %d, stderr %q", code, stderr.String())
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	if code := run(ctx, args, strings.NewReader(""), io.Discard, io.Discard, getenv); code != exitInterrupted {
		t.Errorf("the same, under a cancelled context: exit %d, want %d", code, exitInterrupted)
	}
}

// A command that finishes what it does though a signal came (report -o
// writing its file, say: the write is whole or none) exits 130 too, and says
// it did all of it; its output is whole, a JSON document alone.
func TestRunFinishedUnderASignalExits130(t *testing.T) {
	dir := project(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	var stdout, stderr strings.Builder
	code := run(ctx, []string{"-c", filepath.Join(dir, "funnel.toml"), "validate", "--format", "json"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	var doc map[string]any
	if err := json.Unmarshal([]byte(stdout.String()), &doc); code != exitInterrupted || err != nil || doc["command"] != "validate" ||
		stderr.String() != "fgen: interrupted (interrupt signal received) as validate finished: it did all it was to do\n" {
		t.Errorf("validate under a signal: exit %d, stdout %q (%v), stderr %q", code, stdout.String(), err, stderr.String())
	}
	// A status its output explains, here changes pending (2), too.
	stdout.Reset()
	stderr.Reset()
	code = run(ctx, []string{"-c", filepath.Join(dir, "funnel.toml"), "diff", "--name-only"}, strings.NewReader(""), &stdout, &stderr, func(string) string { return "" })
	if code != exitInterrupted || !strings.Contains(stdout.String(), "missing") || !strings.HasSuffix(stderr.String(), "fgen: interrupted (interrupt signal received) as diff finished: it did all it was to do\n") {
		t.Errorf("diff of a stale out/ under a signal: exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

// A warehouse of the first fgen, whose notes have no times: a day whose
// ODS rows are loaded again after an upgrade is out of date, its DW note
// (no time) being older than the load's (one).
func TestPlanStaleOverNotesWithoutTimes(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 50, 2)
	execLocal(t, dir, `ALTER TABLE fgen_partitions DROP COLUMN project`, `ALTER TABLE fgen_partitions DROP COLUMN fingerprint`, `ALTER TABLE fgen_partitions DROP COLUMN written_at`)
	if r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304"); r.code != 0 {
		t.Fatalf("plan of the first fgen's warehouse: %+v", r)
	}
	if r := fgen(t, dir, nil, "sample", "--users", "60", "--start", "20210304", "--load", "-q"); r.code != 0 {
		t.Fatalf("sample --load: %+v", r)
	}
	r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304")
	if r.code != 2 || !strings.Contains(r.stdout, "ods_user_trace_data/dt=20210304 changed after it was written") || strings.Contains(r.stdout, "dt=20210303 changed") {
		t.Errorf("plan after the day was loaded again: %+v", r)
	}
}

// generate stops at a signal before it writes: exit 130, out/ as it was.
func TestGenerateInterrupted(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "generate", "-q"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `comment = "cleaned user trace events"`, `comment = "cleaned events"`)
	ddl := filepath.Join(dir, "out", "ddl", "dw_user_trace_data.sql")
	before, _ := os.ReadFile(ddl)
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(errors.New("interrupt signal received"))
	var stderr strings.Builder
	code := run(ctx, []string{"-c", filepath.Join(dir, "funnel.toml"), "generate"}, strings.NewReader(""), io.Discard, &stderr, func(string) string { return "" })
	if want := "fgen: generate: interrupted (interrupt signal received); " + filepath.Join(dir, "out") + " is as it was\n"; code != exitInterrupted || stderr.String() != want {
		t.Errorf("generate interrupted: exit %d, stderr %q; want %d, %q", code, stderr.String(), exitInterrupted, want)
	}
	if after, _ := os.ReadFile(ddl); len(before) == 0 || string(after) != string(before) {
		t.Errorf("generate interrupted changed out/")
	}
}

// A DW column narrower than its ODS column: plan says which days hold
// values it cannot hold, before apply fails on them.
func TestPlanWarnsOfNarrowColumn(t *testing.T) {
	dir := project(t)
	line := `  { name = "customize_event_content", type = "STRING", comment = "event payload" },` // the DW column's
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), line, line+"\n"+`  { name = "bytes", type = "TINYINT" },`)
	// The last two rows the DW node drops (an event of no stage, an empty
	// user), so it never casts their bytes: no warning of them.
	rows := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","bytes":100}
{"md5":"b","uid":"u1","ts":1614700001,"customize_event":"click","bytes":1000}
{"md5":"c","uid":"u1","ts":1614700002,"customize_event":"junk","bytes":2000}
{"md5":"d","uid":"","ts":1614700003,"customize_event":"click","bytes":-5000}
`
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(rows), 0o644)
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, "warning: 1 row of ods_user_trace_data on 20210303 has a bytes beyond TINYINT's -128 to 127 (e.g. 1000), which the DW node cannot cast: widen the DW column bytes (TINYINT, from the ODS BIGINT) at funnel.toml:") {
		t.Errorf("plan: %+v", r)
	}
	// A new ODS column with a narrower DW column: apply is to add it, and
	// there is nothing yet to profile (the query would not bind).
	line = `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },` // the ODS column's
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), line, line+"\n"+`  { name = "n", type = "BIGINT" },`)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `  { name = "bytes", type = "TINYINT" },`, `  { name = "bytes", type = "TINYINT" },`+"\n"+`  { name = "n", type = "SMALLINT" },`)
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, "add column n BIGINT") {
		t.Errorf("plan with a new ODS column and its narrower DW column: %+v", r)
	}
}

// A DW column of VARCHAR(n) from an ODS STRING: plan and apply say which
// days hold longer values (counted in characters, of the rows the DW node
// keeps), which MaxCompute would not hold as written where DuckDB keeps
// them; the job still runs.
func TestPlanWarnsOfShortStringColumn(t *testing.T) {
	dir := project(t)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "device",                  type = "STRING", comment = "device model" },
  { name = "system_type",             type = "STRING", comment = "operating system" },
  { name = "customize_event",         type = "STRING", comment = "event" },`, `{ name = "device",                  type = "VARCHAR(4)", comment = "device model" },
  { name = "system_type",             type = "STRING", comment = "operating system" },
  { name = "customize_event",         type = "STRING", comment = "event" },`)
	// Four characters in eight bytes fit; the dropped rows do not count.
	rows := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","device":"éééé"}
{"md5":"b","uid":"u1","ts":1614700001,"customize_event":"click","device":"Mate 40"}
{"md5":"c","uid":"u1","ts":1614700002,"customize_event":"junk","device":"iPhone 12"}
{"md5":"d","uid":"","ts":1614700003,"customize_event":"click","device":"iPhone 12"}
`
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(rows), 0o644)
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	want := `warning: 1 row of ods_user_trace_data on 20210303 has a device longer than VARCHAR(4)'s 4 characters (e.g. "Mate 40"), which MaxCompute does not hold as written, where the local engine keeps the whole value: widen the DW column device (VARCHAR(4), from the ODS STRING) at funnel.toml:`
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, want) {
		t.Errorf("plan: %+v\nwant %s", r, want)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stderr, "warning: 20210303: "+strings.TrimPrefix(want, "warning: ")) {
		t.Errorf("apply: %+v", r)
	}
}

// fgen sample --load is held to fgen load's rule for an ODS column of
// VARCHAR(n): its own values (here device models up to 12 characters) are
// refused where they do not fit, as MaxCompute would not hold them, and the
// day keeps its rows.
func TestSampleLoadChecksLengths(t *testing.T) {
	dir := project(t)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "device",                  type = "STRING", comment = "device model" },`,
		`{ name = "device",                  type = "VARCHAR(8)", comment = "device model" },`)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","device":"Mate 40"}
{"md5":"b","uid":"u1","ts":1614700001,"customize_event":"click","device":"P40"}
`), 0o644)
	if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	r := fgen(t, dir, nil, "sample", "--users", "50", "--start", "20210303", "--load")
	want := regexp.MustCompile(`^fgen: the sample's values of ods_user_trace_data\.device are longer than its VARCHAR\(8\), which MaxCompute holds to, e\.g\. "[^"]{9,}" \((9|1[0-2]) characters\); declare the column longer \(or STRING\), or write a file with -o and adapt it; nothing was loaded\n$`)
	if r.code != 1 || !want.MatchString(r.stderr) {
		t.Errorf("sample --load: %+v\nwant %s", r, want)
	}
	if r := fgen(t, dir, nil, "load", "--append", "--bizdate", "20210303", "a.jsonl"); r.code != 0 || !strings.Contains(r.stdout, "appended to ods_user_trace_data/dt=20210303: 2 rows before, 4 now") {
		t.Errorf("the day after the refused sample: %+v", r)
	}
}

// A sentinel time (the greatest BIGINT for "unknown") takes no part in the
// ordered funnels: plan says which day has such rows and which funnels skip
// them, and apply counts the day without them, where the sort keys of one
// such row had made every ordered report of the day fail.
func TestOrderedSkipsTimesOutsideTheYears(t *testing.T) {
	dir := projectWith(t, "demo.toml")
	rows := `{"md5":"a","uid":"u1","ts":1614736800,"customize_event":"browse","dt":"20210303"}
{"md5":"b","uid":"u1","ts":1614736860,"customize_event":"click","dt":"20210303"}
{"md5":"c","uid":"u2","ts":9223372036854775807,"customize_event":"browse","dt":"20210303"}
{"md5":"d","uid":"u2","ts":9223372036854775807,"customize_event":"click","dt":"20210303"}
{"md5":"e","uid":"u3","ts":-4611686018427387904,"customize_event":"browse","dt":"20210303"}
`
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(rows), 0o644)
	if r := fgen(t, dir, nil, "load", "a.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	want := "3 rows of ods_user_trace_data on 20210303 have a ts outside the years 0000 to 9999 in epoch seconds (e.g. 9223372036854775807), which the ordered funnels ordered_1h, ordered_overnight, ordered_long skip as rows without a time"
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, "warning: "+want) {
		t.Errorf("plan: %+v\nwant %s", r, want)
	}
	if r := fgen(t, dir, nil, "-q", "apply", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("apply: %+v", r)
	}
	// u1 alone enters and clicks; the events funnel counts every row.
	for funnel, lines := range map[string][]string{
		"ordered_1h": {"\n20210303,all,browse,1,1,", "\n20210303,all,click,2,1,1,1,60,60,"},
		"user_trace": {"\n20210303,browse,1,3,", "\n20210303,click,2,2,"},
	} {
		r := fgen(t, dir, nil, "report", "--funnel", funnel, "--bizdate", "20210303", "--format", "csv")
		for _, line := range lines {
			if r.code != 0 || !strings.Contains(r.stdout, line) {
				t.Errorf("report %s: %+v\nwant a line beginning %q", funnel, r, line[1:])
			}
		}
	}
}

// A DW column retyped narrower than the days' values: apply
// --allow-destructive refuses to recreate the table, whose refill plan
// says will fail, and the DW keeps its rows; --allow-destructive with
// days whose values fit recreates it.
func TestApplyRefusesARecreateThatWouldFail(t *testing.T) {
	dir := project(t)
	rows := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","use_time":100,"dt":"20210303"}
{"md5":"b","uid":"u1","ts":1614786400,"customize_event":"click","use_time":1000,"dt":"20210304"}
`
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(rows), 0o644)
	for _, args := range [][]string{{"load", "a.jsonl"}, {"apply", "--from", "20210303", "--to", "20210304"}} {
		if r := fgen(t, dir, nil, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "TINYINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`)
	for _, args := range [][]string{
		{"apply", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--yes"},
		{"apply", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--yes", "--format", "json"},
		{"apply", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--dry-run"},
	} {
		r := fgen(t, dir, nil, args...)
		if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "dw_user_trace_data is to be recreated, and its job of 20210304 would then fail or be skipped: 1 row of ods_user_trace_data on 20210304 has a use_time beyond TINYINT's -128 to 127 (e.g. 1000)") ||
			!strings.Contains(r.stdout+r.stderr, "; recreating it would drop the rows of the days it holds and write those of 20210304 no more, so nothing was changed") {
			t.Errorf("%v: %+v", args, r)
		}
		if got := rowsByDay(t, dir, "dw_user_trace_data"); got != "20210303:1 20210304:1" {
			t.Errorf("DW rows by day after the refused apply: %s", got)
		}
	}
	// Under --format json, a refused apply writes the plan it refused,
	// with the problems, and the error.
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"apply", "--from", "20210303", "--to", "20210304", "--format", "json"}, exitBlocked},
		{[]string{"apply", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--format", "json"}, exitError},
	} {
		r := fgen(t, dir, nil, tc.args...)
		var doc struct {
			Blocked bool `json:"blocked"`
			Tables  []struct {
				Table    string `json:"table"`
				Problems []struct {
					Code string `json:"code"`
				} `json:"problems"`
			} `json:"tables"`
			Error struct {
				Message  string `json:"message"`
				ExitCode int    `json:"exit_code"`
			} `json:"error"`
		}
		// With --allow-destructive, the recreate is not what blocks it.
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != tc.code || doc.Blocked != (tc.code == exitBlocked) || doc.Error.ExitCode != tc.code || doc.Error.Message == "" ||
			len(doc.Tables) < 2 || doc.Tables[1].Table != "dw_user_trace_data" || len(doc.Tables[1].Problems) != 1 || doc.Tables[1].Problems[0].Code != "column_retyped" {
			t.Errorf("%v: %v, %+v from %+v", tc.args, err, doc, r)
		}
	}
	// So does one it must confirm, without --yes (it wrote the error alone).
	r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--format", "json")
	var doc struct {
		Blocked bool `json:"blocked"`
		Tables  []struct {
			Action string `json:"action"`
		} `json:"tables"`
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || r.code != exitError || doc.Blocked || len(doc.Tables) < 2 || doc.Tables[1].Action != "recreate" || !strings.Contains(doc.Error.Message, "re-run with --yes to confirm") {
		t.Errorf("apply --allow-destructive --format json without --yes: %v, %+v from %+v", err, doc, r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--yes"); r.code != 0 {
		t.Errorf("apply of a day whose values fit: %+v", r)
	}
}

// A report table to be recreated (a stage renamed) whose job of a day
// would be skipped, as the DW job it needs fails on that day's rows: apply
// --allow-destructive refuses it too, and the report keeps its rows.
func TestApplyRefusesARecreateWhoseUpstreamFails(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "TINYINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","use_time":100,"dt":"20210303"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"md5":"b","uid":"u1","ts":1614786400,"customize_event":"click","use_time":1000,"dt":"20210304"}`+"\n"), 0o644)
	for _, args := range [][]string{{"load", "a.jsonl"}, {"apply", "--bizdate", "20210303"}, {"load", "b.jsonl"}} {
		if r := fgen(t, dir, nil, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	replaceInFile(t, path, `{ name = "purchase", events = ["purchase"] },`, `{ name = "buy", events = ["purchase"] },`)
	applyRefused(t, dir, 1, "fgen: rpt_user_trace_data is to be recreated, and its job of 20210304 would then fail or be skipped: 1 row of ods_user_trace_data on 20210304 has a use_time beyond TINYINT's",
		"rpt_user_trace_data", "20210303:1", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--yes")
	// A day the table holds whose ODS partition is missing (funnel.toml
	// now names another ODS table, empty): apply would skip its job after
	// the recreate dropped its rows.
	replaceInFile(t, path, `name = "ods_user_trace_data"`, `name = "ods_new"`)
	applyRefused(t, dir, 1, "fgen: rpt_user_trace_data is to be recreated, and its job of 20210303 would then be skipped: the day's upstream partitions are missing (ods_new/dt=20210303); recreating it would drop what it holds of 20210303 and not write it again, so nothing was changed",
		"rpt_user_trace_data", "20210303:1", "--bizdate", "20210303", "--allow-destructive", "--yes")
}

// applyRefused runs apply with args in the project at dir, which must
// refuse with exit code and say want, and leave table's rows by day as
// rows (rowsByDay).
func applyRefused(t *testing.T, dir string, code int, want, table, rows string, args ...string) {
	t.Helper()
	r := fgen(t, dir, nil, append([]string{"apply"}, args...)...)
	if r.code != code || !strings.Contains(r.stdout+r.stderr, want) {
		t.Errorf("apply %v: want exit %d and %q in %+v", args, code, want, r)
	}
	if got := rowsByDay(t, dir, table); got != rows {
		t.Errorf("%s's rows by day after the refused apply: %s, want %s", table, got, rows)
	}
}

// A table fgen wrote, dropped and made again by hand under its name (a
// finance table, say): fgen's notes are of the old one. Plan lists it
// among fgen's former tables no more, and apply, pointed at it again,
// refuses to drop it even with --allow-destructive.
func TestTableMadeAgainOutsideFgen(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 20, 2)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `table = "rpt_user_trace_data"`, `table = "rpt_renamed"`)
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 {
		t.Fatalf("apply after the rename: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); !strings.Contains(r.stdout, "DROP TABLE rpt_user_trace_data;") {
		t.Fatalf("plan after the rename lists no former table: %+v", r)
	}
	execLocal(t, dir, `DROP TABLE rpt_user_trace_data`, `CREATE TABLE rpt_user_trace_data (owner VARCHAR, amount BIGINT, dt VARCHAR)`,
		`INSERT INTO rpt_user_trace_data VALUES ('finance', 42, '20210303'), ('finance', 43, '20990101')`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "rpt_user_trace_data") {
		t.Errorf("plan with the finance table: %+v", r)
	}
	replaceInFile(t, path, `table = "rpt_renamed"`, `table = "rpt_user_trace_data"`)
	applyRefused(t, dir, 3, "[raw_table] live table rpt_user_trace_data is not the table fgen wrote (dropped and made again outside fgen?): none of its columns is NOT NULL",
		"rpt_user_trace_data", "20210303:1 20990101:1", "--from", "20210303", "--to", "20210304", "--allow-destructive", "--yes")
}

// A partition fgen wrote, deleted outside it (or its rows changed, here on
// every day, as a purge of a bot's rows by hand would): plan writes it
// again, as a missing one, where it used to call it up to date from its
// notes; the table stays fgen's.
func TestPartitionDeletedOutsideFgen(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 20, 2)
	execLocal(t, dir, `DELETE FROM rpt_user_trace_data WHERE dt = '20210304'`, `DELETE FROM dw_user_trace_data WHERE rowid IN (SELECT min(rowid) FROM dw_user_trace_data GROUP BY dt)`)
	r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304")
	if r.code != 2 || !strings.Contains(r.stdout, "rpt_user_trace_data: rpt_user_trace_data/dt=20210304 does not exist") || strings.Count(r.stdout, " is not as fgen wrote it (it holds ") != 2 || strings.Contains(r.stdout, "raw_table") {
		t.Errorf("plan: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if got := rowsByDay(t, dir, "rpt_user_trace_data"); got != "20210303:1 20210304:1" {
		t.Errorf("report rows after: %s", got)
	}
	if r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304"); r.code != 0 {
		t.Errorf("plan after apply: %+v", r)
	}
}

// A DW column added with a type the day's ODS rows do not fit: apply
// refuses the alter, whose column would keep the type (widening it later
// recreates the table), and changes nothing.
func TestApplyRefusesAnAlterItsJobFailsOn(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","bytes":100000,"dt":"20210303"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte(`{"md5":"b","uid":"u1","ts":1614790000,"customize_event":"browse","bytes":1,"dt":"20210304"}`+"\n"), 0o644)
	for _, args := range [][]string{{"load", "a.jsonl"}, {"load", "b.jsonl"}, {"apply", "--from", "20210303", "--to", "20210304"}} {
		if r := fgen(t, dir, nil, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	replaceInFile(t, path, `{ name = "customize_event_content", type = "STRING", comment = "event payload" },
]`, `{ name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "bytes", type = "SMALLINT" },
]`)
	r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--all")
	if r.code != 1 || !strings.Contains(r.stderr, "fgen: dw_user_trace_data is to be altered (add column bytes SMALLINT), and its job of 20210303 would then fail: 1 row of ods_user_trace_data on 20210303 has a bytes beyond SMALLINT's") || !strings.Contains(r.stderr, "a column once added keeps its type (widening it later recreates the table), so nothing was changed") {
		t.Errorf("apply: %+v", r)
	}
	// Nor with no days, which runs no job: the jobs of the days the table
	// holds would fail when they next run (a review found the column
	// added, and every later job of the table failing).
	// Nor with a day whose rows fit: the days the table holds are checked.
	for _, args := range [][]string{{"apply"}, {"apply", "--bizdate", "20210304"}} {
		r := fgen(t, dir, nil, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "fgen: dw_user_trace_data is to be altered (add column bytes SMALLINT), and its job of 20210303 would then fail") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	// Plan says what apply would refuse, of the days given or, with none,
	// of the days the table holds.
	for _, args := range [][]string{{"plan"}, {"plan", "--bizdate", "20210303"}} {
		r := fgen(t, dir, nil, args...)
		if r.code != 2 || !strings.Contains(r.stdout, "add column bytes SMALLINT") || !strings.Contains(r.stderr, "warning: apply would change nothing and exit 1: dw_user_trace_data is to be altered (add column bytes SMALLINT), and its job of 20210303 would then fail") {
			t.Errorf("%v after the refused applies: %+v, want the column still to add, and apply's refusal", args, r)
		}
	}
	// The column of a type that fits: added, and the day written again.
	replaceInFile(t, path, `{ name = "bytes", type = "SMALLINT" },`, `{ name = "bytes", type = "INT" },`)
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply with bytes INT: %+v", r)
	}
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb"), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT CAST(bytes AS VARCHAR) FROM dw_user_trace_data WHERE dt = '20210303'`)
	if err != nil || len(rows.Values) != 1 || rows.Values[0][0] == nil || *rows.Values[0][0] != "100000" {
		t.Errorf("the DW rows after: %v %+v", err, rows)
	}
}

// A brand equal to the other_marker of two funnels that break down by it:
// one warning names both, with their lines, and report --funnel of either
// shows it.
func TestReportWarnsOfAMarkerOfSeveralFunnels(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/modes.toml")
	sampled(t, dir, 20, 1)
	execLocal(t, dir, `UPDATE ods_user_trace_data SET device_brand = 'other' WHERE uid = (SELECT min(uid) FROM ods_user_trace_data WHERE uid <> '')`)
	for _, funnel := range []string{"ordered_1h", "ordered_long"} {
		r := fgen(t, dir, nil, "report", "--funnel", funnel, "--bizdate", "20210303")
		if r.code != 0 || !strings.Contains(r.stderr, `have device_brand "other", the other_marker of funnels ordered_1h, ordered_long: `) || !strings.Contains(r.stderr, `set other_marker at funnel.toml:`) {
			t.Errorf("report --funnel %s: %+v", funnel, r)
		}
	}
	if r := fgen(t, dir, nil, "report", "--funnel", "user_trace", "--bizdate", "20210303"); strings.Contains(r.stderr, "other_marker") {
		t.Errorf("report --funnel user_trace, which has no breakdown: %+v", r)
	}
}

// The partition columns renamed in funnel.toml after a cross-midnight
// funnel's day was applied: report reads the notes of its rows' days
// without counting the rows by the new column, which the table lacks.
func TestReportAfterPartitionRenamed(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/modes.toml")
	sampled(t, dir, 20, 2)
	path := filepath.Join(dir, "funnel.toml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), `partition = "dt"`, `partition = "ds"`)), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := fgen(t, dir, nil, "report", "--funnel", "ordered_overnight", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stdout, "20210303") {
		t.Errorf("report: %+v", r)
	}
}

// The ODS and DW partition column renamed in funnel.toml after a day was
// applied: plan names the live one, and report still reports, without
// checking the ODS rows by the new name.
func TestODSPartitionRenamed(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 20, 1)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, "partition = \"dt\"                 #", "partition = \"ds\"                 #")
	replaceInFile(t, path, "comment = \"cleaned user trace events\"\npartition = \"dt\"", "comment = \"cleaned user trace events\"\npartition = \"ds\"")
	if r := fgen(t, dir, nil, "plan"); r.code != 3 || !strings.Contains(r.stdout, "[partition_changed] the ODS table is partitioned by (dt), funnel.toml says (ds)") || !strings.Contains(r.stdout, `set partition = "dt" under [ods]`) || strings.Contains(r.stdout, "column_dropped") {
		t.Errorf("plan: %+v", r)
	}
	if r := fgen(t, dir, nil, "report"); r.code != 0 || !strings.Contains(r.stdout, "user_trace  20210303") {
		t.Errorf("report: %+v", r)
	}
}

// rowsByDay returns the rows of a table of the local warehouse by day:
// "day:rows ...".
func rowsByDay(t *testing.T, dir, table string) string {
	t.Helper()
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb"), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(context.Background(), `SELECT string_agg(dt || ':' || n, ' ' ORDER BY dt) FROM (SELECT dt, count(*) AS n FROM `+table+` GROUP BY dt)`)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows.Values) != 1 || rows.Values[0][0] == nil {
		return ""
	}
	return *rows.Values[0][0]
}

// A load of a file that is not there, or of no format fgen reads, says so
// before it opens, or creates, the warehouse; a load of no file says what to
// give it.
// load --format json, for a script that loads then applies: one document
// of what it loaded, and a refusal to shrink a partition an error with its
// exit status 3.
func TestLoadJSON(t *testing.T) {
	dir := project(t)
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","dt":"20210303"}`+"\n"+`{"md5":"b","uid":"u2","ts":1614700001,"customize_event":"click","dt":"20210303"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.jsonl"), nil, 0o644)
	r := fgen(t, dir, nil, "load", "--format", "json", "a.jsonl")
	var doc struct {
		Command    string `json:"command"`
		Table      string `json:"table"`
		Rows       int64  `json:"rows"`
		Partitions []struct {
			Day    string `json:"day"`
			Before int64  `json:"rows_before"`
			After  int64  `json:"rows_after"`
		} `json:"partitions"`
		Shrunk  []any `json:"shrunk"`
		Emptied []any `json:"emptied"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); r.code != 0 || err != nil || doc.Command != "load" || doc.Table != "ods_user_trace_data" || doc.Rows != 2 ||
		len(doc.Partitions) != 1 || doc.Partitions[0].Day != "20210303" || doc.Partitions[0].After != 2 || doc.Shrunk == nil || doc.Emptied == nil {
		t.Errorf("load --format json: %v %+v\n%+v", err, doc, r)
	}
	// Its keys are README's.
	readme, _ := os.ReadFile("../../README.md")
	var keys map[string]any
	json.Unmarshal([]byte(r.stdout), &keys)
	for k := range keys {
		if !strings.Contains(string(readme), `"`+k+`"`) {
			t.Errorf("load --format json writes %q, which README.md does not name", k)
		}
	}
	for _, k := range []string{"day", "hour", "rows_before", "rows_after"} {
		if !strings.Contains(r.stdout, `"`+k+`"`) || !strings.Contains(string(readme), `"`+k+`"`) {
			t.Errorf("a partition's key %q: in the output %v, in README.md %v", k, strings.Contains(r.stdout, k), strings.Contains(string(readme), k))
		}
	}
	r = fgen(t, dir, nil, "load", "--format", "json", "--bizdate", "20210303", "empty.jsonl")
	var refused struct {
		Error struct {
			ExitCode int `json:"exit_code"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &refused); r.code != 3 || err != nil || refused.Error.ExitCode != 3 {
		t.Errorf("load --format json that would empty a partition: %v\n%+v", err, r)
	}
	// A bad row is a problem with its file and line, as funnel.toml's are.
	os.WriteFile(filepath.Join(dir, "bad.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","dt":"20210303"}`+"\n"+`{"md5":"b","ts":"soon","dt":"20210303"}`+"\n"), 0o644)
	r = fgen(t, dir, nil, "load", "--format", "json", "bad.jsonl")
	var bad struct {
		Error struct {
			Problems []jsonDiagnostic `json:"problems"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &bad); r.code != 1 || err != nil ||
		!reflect.DeepEqual(bad.Error.Problems, []jsonDiagnostic{{File: "bad.jsonl", Line: 2, Message: `column ts: "soon" is not a valid BIGINT`}}) {
		t.Errorf("load --format json of a bad row: %v %+v\n%+v", err, bad, r)
	}
}

func TestLoadMissingFile(t *testing.T) {
	dir := project(t)
	r := fgen(t, dir, nil, "load", "nope.csv")
	if r.code != 1 || strings.TrimSpace(r.stderr) != "fgen: load: nope.csv: no such file or directory; nothing was loaded" {
		t.Errorf("load nope.csv: %+v", r)
	}
	os.Mkdir(filepath.Join(dir, "exports"), 0o755)
	if r := fgen(t, dir, nil, "load", "exports"); r.code != 1 || strings.TrimSpace(r.stderr) != "fgen: load: exports: a directory; name the files in it (e.g. exports/*.jsonl); nothing was loaded" {
		t.Errorf("load of a directory: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, ".fgen")); err == nil {
		t.Error("load of a missing file created the warehouse")
	}
	if r := fgen(t, dir, nil, "load"); r.code != 1 || !strings.Contains(r.stderr, "name the files to load, e.g. fgen load events.jsonl") {
		t.Errorf("load without files: %+v", r)
	}
	// One file named twice, as overlapping globs do, here once through a
	// link: its rows would load twice.
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(`{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse"}`+"\n"), 0o644)
	os.Symlink("a.jsonl", filepath.Join(dir, "b.jsonl"))
	if r := fgen(t, dir, nil, "load", "a.jsonl", "b.jsonl"); r.code != 1 || strings.TrimSpace(r.stderr) != "fgen: load: b.jsonl: given twice (also as a.jsonl); each file loads once, name it once; nothing was loaded" {
		t.Errorf("load of one file twice: %+v", r)
	}
	// A directory, before anything is said of loading.
	os.Mkdir(filepath.Join(dir, "logs.jsonl"), 0o755)
	if r := fgen(t, dir, nil, "load", "logs.jsonl"); r.code != 1 || strings.TrimSpace(r.stderr) != "fgen: load: logs.jsonl: a directory; name the files in it (e.g. logs.jsonl/*.jsonl); nothing was loaded" {
		t.Errorf("load of a directory: %+v", r)
	}
	// A file of no format fgen reads, before anything is said of loading.
	os.WriteFile(filepath.Join(dir, "small.txt"), []byte("hi\n"), 0o644)
	if r := fgen(t, dir, nil, "load", "small.txt"); r.code != 1 || r.stdout != "" || strings.TrimSpace(r.stderr) != `fgen: load: small.txt: unknown file extension ".txt"; use .jsonl, .ndjson, .json, .csv or .parquet; nothing was loaded` {
		t.Errorf("load of a .txt file: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(dir, ".fgen")); err == nil {
		t.Error("a refused load created the warehouse")
	}
}

// The ODS table fgen creates is the one funnel.toml describes, to load and
// plan alike, whatever the types: DuckDB names INT INTEGER, and a load or
// plan that compared the names refused the table it had made.
func TestODSTypesRoundTrip(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	for _, c := range []struct{ name, from, to string }{
		{"status", "BIGINT", "INT"}, {"bytes", "BIGINT", "SMALLINT"}, {"ip", "STRING", "VARCHAR(64)"}, {"use_time", "BIGINT", "DECIMAL(10,2)"},
	} {
		// The ODS column, listed before the DW one of the same name.
		old := fmt.Sprintf(`{ name = %q,%s type = %q`, c.name, strings.Repeat(" ", 23-len(c.name)), c.from)
		replaceInFile(t, path, old, strings.Replace(old, strconv.Quote(c.from), strconv.Quote(c.to), 1))
	}
	if r := fgen(t, dir, nil, "validate"); r.code != 0 {
		t.Fatalf("validate: %+v", r)
	}
	rows := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","status":200,"bytes":100,"ip":"10.0.0.1","use_time":1.5}` + "\n"
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(rows), 0o644)
	for i := range 2 { // the first creates the table, the second finds it
		if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "a.jsonl"); r.code != 0 {
			t.Fatalf("load %d: %+v", i+1, r)
		}
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, "ODS ods_user_trace_data  (in sync)") {
		t.Errorf("plan: %+v", r)
	}
}

func TestInitQuietAndAtomic(t *testing.T) {
	dir := t.TempDir()
	if r := fgen(t, dir, nil, "init", "-q"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Fatalf("init -q printed: %+v", r)
	}
	if r := fgen(t, dir, nil, "init", "-c", "shop/funnel.toml"); r.code != 1 || !strings.Contains(r.stderr, "directory shop does not exist; create it first") {
		t.Errorf("init into a missing directory: %+v", r)
	}
	// --force over a link replaces the file it names, keeping its mode,
	// and leaves no temporary file behind.
	real := filepath.Join(dir, "real.toml")
	os.WriteFile(real, []byte("# mine\n"), 0o600)
	os.Symlink("real.toml", filepath.Join(dir, "link.toml"))
	if r := fgen(t, dir, nil, "init", "--force", "-c", "link.toml"); r.code != 0 {
		t.Fatalf("init --force over a link: %+v", r)
	}
	if info, err := os.Lstat(filepath.Join(dir, "link.toml")); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Error("init replaced the link itself")
	}
	if info, err := os.Stat(real); err != nil || info.Mode().Perm() != 0o600 || info.Size() < 100 {
		t.Errorf("the linked file: %v, %v", info, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("files left in the directory: %v", entries)
	}
}

// A report table renamed in funnel.toml leaves the old one, with its rows:
// plan names it, as a table the project's jobs wrote that funnel.toml no
// longer defines.
func TestPlanNamesFormerTables(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "sample", "--users", "50", "--days", "1", "--start", "20210303", "--load", "-q"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "rpt_funnel"`)
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, "Tables fgen wrote that funnel.toml no longer defines (fgen leaves them and their rows):\n    rpt_user_trace_data  (drop it when no longer needed: DROP TABLE rpt_user_trace_data;)\n") {
		t.Errorf("plan: %+v", r)
	}
	r = fgen(t, dir, nil, "plan", "--bizdate", "20210303", "--format", "json")
	if !strings.Contains(r.stdout, `"former_tables": [
    "rpt_user_trace_data"
  ]`) {
		t.Errorf("plan --format json: %s", r.stdout)
	}
	// Another fgen project on the same warehouse file has no former tables.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `name = "user_trace"`+"\n", `name = "other_team"`+"\n")
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); strings.Contains(r.stdout, "no longer defines") {
		t.Errorf("plan of another project: %+v", r)
	}
}

// A stage of so many event values that its node is more than DataWorks
// holds is funnel.toml's to change, and validate says so at the funnel, as
// generate does.
func TestNodeTooLargeForDataWorks(t *testing.T) {
	dir := project(t)
	var vals []string
	for i := range 1000 {
		vals = append(vals, fmt.Sprintf("%q", fmt.Sprintf("page_view_product_detail_%04d", i)))
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `events = ["click"]`, `events = ["click", `+strings.Join(vals, ", ")+`]`)
	for _, cmd := range []string{"validate", "generate"} {
		r := fgen(t, dir, nil, cmd)
		if r.code != 1 || !strings.Contains(r.stderr, ": funnels[0].stages: node rpt_user_trace_data would be ") || !strings.Contains(r.stderr, "funnel user_trace has 3 stages, each written in the node's SQL with its counts and rates, and lists 1003 event values, each written there too; give it fewer stages") || strings.Contains(r.stderr, "a bug in fgen") {
			t.Errorf("%s: %+v", cmd, r)
		}
	}
	// A funnel of 32 stages of one event each, with distributions: its
	// stages make the node so large, not its event values (the message
	// said "lists 32 event values", to list fewer).
	dir = projectWith(t, "../../generator/testdata/configs/modes.toml")
	var stages []string
	for i := range 32 {
		stages = append(stages, fmt.Sprintf(`  { name = "s%02d", events = ["e%02d"] },`, i, i))
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `  { name = "purchase", events = ["purchase"] },
]

[funnels.report]
table = "rpt_ordered_long"`, strings.Join(stages, "\n")+`
]

[funnels.report]
table = "rpt_ordered_long"`)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `breakdown_limit = 10
stages = [
  { name = "browse",   events = ["browse"] },
  { name = "click",    events = ["click"] },
`, "breakdown_limit = 10\nstages = [\n")
	r := fgen(t, dir, nil, "validate")
	if r.code != 1 || !strings.Contains(r.stderr, "funnel ordered_long has 32 stages, each written in the node's SQL with its counts and rates and percentiles, a histogram, and lists 32 event values, each written there too; give it fewer stages") {
		t.Errorf("validate of 32 stages: %+v", r)
	}
}

// A breakdown value equal to total_marker writes a second row that reads as
// the total: plan and apply say so before, and report after, with where to
// change the marker, in the wide layout and in the long one (whose rows of a
// stage report gathers into one row per value, so the RPT table alone
// could not tell).
func TestReportWarnsOfMarkerValue(t *testing.T) {
	for _, layout := range []string{"wide", "long"} {
		t.Run(layout, func(t *testing.T) {
			dir := project(t)
			path := filepath.Join(dir, "funnel.toml")
			data, _ := os.ReadFile(path)
			cfg := strings.Replace(string(data), `event_column = "customize_event"`, `event_column = "customize_event"
breakdowns = ["device_brand"]`, 1)
			if layout == "long" { // whose columns are fixed
				cfg = regexp.MustCompile(`(?m)^(count_column|step_rate_column|overall_rate_column) = .*$`).ReplaceAllString(cfg, "")
				cfg = strings.Replace(cfg, "[funnels.report]\n", "[funnels.report]\nlayout = \"long\"\n", 1)
			}
			os.WriteFile(path, []byte(cfg), 0o644)
			rows := `{"md5":"a","uid":"u1","ts":1614700000,"customize_event":"browse","device_brand":"all"}
{"md5":"b","uid":"u2","ts":1614700001,"customize_event":"browse","device_brand":"apple"}
{"md5":"c","uid":"u2","ts":1614700002,"customize_event":"click","device_brand":"apple"}
`
			os.WriteFile(filepath.Join(dir, "e.jsonl"), []byte(rows), 0o644)
			if r := fgen(t, dir, nil, "load", "--bizdate", "20210303", "e.jsonl"); r.code != 0 {
				t.Fatalf("load: %+v", r)
			}
			// Said before apply writes the rows, by plan and apply.
			before := `1 row of ods_user_trace_data on 20210303 has device_brand "all", the total_marker of funnel user_trace: its report rows would read as the day's total; set total_marker at funnel.toml:`
			for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"apply", "--bizdate", "20210303"}} {
				if r := fgen(t, dir, nil, args...); r.code == 1 || !strings.Contains(r.stdout+r.stderr, before) {
					t.Errorf("%v: %+v", args, r)
				}
			}
			if r := fgen(t, dir, nil, "report", "--format", "csv"); r.code != 0 || !strings.Contains(r.stderr, before) {
				t.Errorf("report of a day with a device_brand \"all\": %+v", r)
			}
		})
	}
}

// Comments with a line break or a tab, which funnel.toml allows, create and
// alter the local tables (DuckDB's COMMENT ON takes a literal, not the
// chr(10) concatenation of other literals), and plan then finds them in sync.
func TestCommentsWithControlCharacters(t *testing.T) {
	dir := project(t)
	toml := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, toml, `comment = "raw user trace logs from Log Service"`, `comment = "raw logs\tfrom\nLog Service"`)
	replaceInFile(t, toml, `comment = "daily browse/click/purchase funnel"`, `comment = "line one\nline two"`)
	if r := fgen(t, dir, nil, "apply"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	// A new DW column with such a comment: an ALTER.
	const line = `  { name = "customize_event_content", type = "STRING", comment = "event payload" },`
	replaceInFile(t, toml, line, line+"\n"+`  { name = "ip", type = "STRING", comment = "client\tip\nv4 or v6" },`)
	if r := fgen(t, dir, nil, "apply"); r.code != 0 {
		t.Fatalf("apply of a new column: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "0 to create, 0 to alter, 3 in sync") {
		t.Errorf("plan after apply: %+v", r)
	}
}

// An event column of integer codes: sample's rows of no stage are codes too,
// so that sample --load and apply run on it.
func TestSampleEventCodes(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `{ name = "customize_event",         type = "STRING", comment = "event: browse`, `{ name = "customize_event",         type = "BIGINT", comment = "event: browse`)
	replaceInFile(t, path, `{ name = "customize_event",         type = "STRING", comment = "event" },`, `{ name = "customize_event",         type = "BIGINT", comment = "event" },`)
	for i, e := range []string{"browse", "click", "purchase"} {
		replaceInFile(t, path, `events = ["`+e+`"]`, `events = ["`+strconv.Itoa(i+1)+`"]`)
	}
	if r := fgen(t, dir, nil, "sample", "--users", "300", "--load"); r.code != 0 {
		t.Fatalf("sample --load: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "report", "--format", "csv"); r.code != 0 || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("report: %+v", r)
	}
}

// An ODS column retyped in funnel.toml is named with funnel.toml's type
// names on both sides (STRING, not DuckDB's VARCHAR).
func TestPlanODSRetypedNamesConfigTypes(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "apply"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "ip",                      type = "STRING"`, `{ name = "ip",                      type = "BIGINT"`)
	if r := fgen(t, dir, nil, "plan"); r.code != 3 || !strings.Contains(r.stdout, "ODS column ip is STRING live and BIGINT in funnel.toml") {
		t.Errorf("plan: %+v", r)
	}
}

// The ODS event column retyped in funnel.toml (strings live, integer codes in
// funnel.toml): the checks of the day's rows leave that column out, saying
// so, instead of failing on DuckDB's conversion of "browse"; report reads its
// rows, and a dated plan refuses the retype as plan without a date does.
func TestEventColumnRetypedLive(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 200, 1)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `{ name = "customize_event",         type = "STRING", comment = "event: browse`, `{ name = "customize_event",         type = "BIGINT", comment = "event: browse`)
	replaceInFile(t, path, `{ name = "customize_event",         type = "STRING", comment = "event" },`, `{ name = "customize_event",         type = "BIGINT", comment = "event" },`)
	for i, e := range []string{"browse", "click", "purchase"} {
		replaceInFile(t, path, `events = ["`+e+`"]`, `events = ["`+strconv.Itoa(i+1)+`"]`)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); !strings.Contains(r.stdout, "2 jobs to run on 1 of 1 day, 0 up to date.") {
		t.Errorf("plan of one day: %+v", r)
	}
	const skipped = "warning: the stages' events were not checked against the rows of ods_user_trace_data: column customize_event is STRING live and BIGINT in funnel.toml ('fgen plan' says how to make them agree)"
	if r := fgen(t, dir, nil, "report"); r.code != 0 || !strings.Contains(r.stderr, skipped) {
		t.Errorf("report: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 3 || !strings.Contains(r.stdout, "ODS column customize_event is STRING live and BIGINT in funnel.toml") {
		t.Errorf("plan --bizdate: %+v", r)
	}
}

// The DW table recreated (--allow-destructive) and applied again for one
// day of two: the other day's report rows were computed from DW rows that
// are gone, and report says they are out of date, as plan says its job is
// pending.
func TestReportOutOfDateAfterDWRecreated(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 100, 2)
	// The DW table's use_time retyped: the table is recreated.
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	ods, dw, ok := strings.Cut(string(data), "\n[dw]\n")
	retyped := strings.Replace(dw, `{ name = "use_time",                type = "BIGINT"`, `{ name = "use_time",                type = "DOUBLE"`, 1)
	if !ok || retyped == dw {
		t.Fatal("the edit of funnel.toml did not apply")
	}
	os.WriteFile(path, []byte(ods+"\n[dw]\n"+retyped), 0o644)
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303", "--allow-destructive", "--yes"); r.code != 0 {
		t.Fatalf("apply --allow-destructive: %+v", r)
	}
	r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304")
	if want := "warning: the rows of rpt_user_trace_data for 20210304 are out of date (dw_user_trace_data: dw_user_trace_data/dt=20210304 does not exist); 'fgen apply --bizdate 20210304' writes them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "for 20210303") {
		t.Errorf("report: want %q in %+v", want, r)
	}
}

// A DW table to be altered does not hide that a day's ODS rows were loaded
// again: plan gives both reasons, and report marks that day's rows, not the
// other day's, whose only reason is the table's change (a DW column added
// changes the DW node's SQL, not the report's rows). A comment changed is
// no reason at all.
func TestReportOutOfDateBehindATableChange(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 100, 2)
	if r := fgen(t, dir, nil, "sample", "--users", "100", "--start", "20210303", "--seed", "5", "-o", "again.jsonl"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "again.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `comment = "cleaned user trace events"`, `comment = "cleaned user trace events, deduplicated"`)
	r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304")
	if !strings.Contains(r.stdout, "(alter") || !strings.Contains(r.stdout, "dw_user_trace_data: ods_user_trace_data/dt=20210303 changed after it was written") ||
		!strings.Contains(r.stdout, "= 20210304  up to date") || strings.Contains(r.stdout, "its table is to be altered") {
		t.Errorf("plan with a comment changed: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
]`, `  { name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "ip",                      type = "STRING", comment = "client ip" },
]`)
	r = fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304")
	if !strings.Contains(r.stdout, "its table is to be altered, and ods_user_trace_data/dt=20210303 changed after it was written") ||
		strings.Contains(r.stdout, "dt=20210304 changed") {
		t.Errorf("plan: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304", "--format", "csv")
	if want := "warning: the rows of rpt_user_trace_data for 20210303 are out of date (dw_user_trace_data: ods_user_trace_data/dt=20210303 changed after it was written); 'fgen apply --bizdate 20210303' writes them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "for 20210304") || strings.Contains(r.stderr, "changed its SQL") {
		t.Errorf("report: want %q in %+v", want, r)
	}
	if !strings.Contains(r.stdout, ",false,dw_user_trace_data: ods_user_trace_data/dt=20210303 changed after it was written\n20210304,") || !strings.HasSuffix(r.stdout, ",false,\n") {
		t.Errorf("report --format csv: the out_of_date column in\n%s", r.stdout)
	}
	// With another change of the DW node's SQL in the same edit, which
	// changes its rows, both days' are out of date.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `drop_unknown_events = true`, `drop_unknown_events = false`)
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304")
	if r.code != 0 || !strings.Contains(r.stderr, "for 20210303..20210304 are out of date (dw_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it))") {
		t.Errorf("report after a DW column was added and the DW node changed: %+v", r)
	}
	// A change apply refuses without --allow-destructive comes first.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "DOUBLE", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`)
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304")
	if !strings.Contains(r.stderr, "writes them again, once the table change 'fgen plan' shows blocked is resolved\n") {
		t.Errorf("report with a blocked table change: %+v", r)
	}
}

// A report table whose column comments change with its node's SQL (a
// funnel's mode changed) is altered, and its rows are out of date.
func TestReportOutOfDateWithAReportTableAltered(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 100, 2)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), "\nmode = \"events\"\n", "\nmode = \"users\"\n")
	if r := fgen(t, dir, nil, "plan", "--from", "20210303", "--to", "20210304"); !strings.Contains(r.stdout, "~ RPT rpt_user_trace_data  (alter") || !strings.Contains(r.stdout, "rpt_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it)") {
		t.Errorf("plan: %+v", r)
	}
	r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304")
	if want := "warning: the rows of rpt_user_trace_data for 20210303..20210304 are out of date (rpt_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it))"; r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("report: want %q in %+v", want, r)
	}
}

// Rows out of date on a day whose ODS partition is gone: apply cannot write
// them again, and report says so, on stderr and in the rows it writes.
func TestReportOutOfDateWithoutODS(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 100, 2)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `dedup_by = ["md5"]`, `dedup_by = []`)
	execLocal(t, dir, `DELETE FROM ods_user_trace_data WHERE dt = '20210304'`, `DELETE FROM fgen_partitions WHERE table_name = 'ods_user_trace_data' AND value = '20210304'`)
	r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304", "--format", "csv")
	if want := "warning: the rows of rpt_user_trace_data for 20210304 are out of date (dw_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it)), and apply cannot write them again: their ODS partitions are missing\n"; r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("report: want %q in %+v", want, r)
	}
	if !strings.Contains(r.stdout, ",dw_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it)\n20210304,") ||
		!strings.Contains(r.stdout, ",dw_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it); apply cannot write them again until the day's ODS partition is back\n") {
		t.Errorf("report --format csv: the out_of_date of 20210303 and 20210304 in\n%s", r.stdout)
	}
	// The day's DW partition gone too, past its lifecycle as the ODS one,
	// and funnel.toml as it was: nothing the rows came from changed.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `dedup_by = []`, `dedup_by = ["md5"]`)
	execLocal(t, dir, `DELETE FROM dw_user_trace_data WHERE dt = '20210304'`, `DELETE FROM fgen_partitions WHERE table_name = 'dw_user_trace_data' AND value = '20210304'`)
	if r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304"); r.code != 0 || strings.Contains(r.stderr, "out of date") {
		t.Errorf("report of a day whose ODS and DW partitions expired: %+v", r)
	}
}

// The ODS event column renamed by the sync task: a dated plan and apply
// refuse the drift, as plan without a date does, and the checks of the
// day's rows leave the column out, saying so, instead of failing on
// DuckDB's binder error; report still reads the report's rows. Here fgen
// load fills the ODS table: the fix and apply's error say the way out (a
// new warehouse, loaded again), not a sync task's.
func TestEventColumnRenamedLive(t *testing.T) {
	dir := project(t)
	// A breakdown: the check of its values reads the rows as the DW node
	// cleans them, by the event column too.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `event_column = "customize_event"`, `event_column = "customize_event"
breakdowns = ["device_brand"]`)
	sampled(t, dir, 200, 1)
	execLocal(t, dir, `ALTER TABLE ods_user_trace_data RENAME COLUMN customize_event TO event`)
	const skipped = "warning: the stages' events were not checked against the rows of ods_user_trace_data: the live table has no column customize_event"
	for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"apply", "--bizdate", "20210303"}} {
		r := fgen(t, dir, nil, args...)
		if out := r.stdout + r.stderr; r.code != 3 || !strings.Contains(out, "[column_missing] the ODS table has no column customize_event") || !strings.Contains(out, skipped) ||
			!strings.Contains(out, "the breakdown values and narrowed DW columns were not checked against the rows of ods_user_trace_data: the live table has no column customize_event") || strings.Contains(out, "Binder Error") ||
			!strings.Contains(out, "or, as fgen load fills it here, load your files into a new warehouse") || strings.Contains(out, "sync task") {
			t.Errorf("%s: %+v", args[0], r)
		}
	}
	if r := fgen(t, dir, nil, "report"); r.code != 0 || strings.Contains(r.stderr, "Binder Error") {
		t.Errorf("report: %+v", r)
	}
}

// A new ODS column listed last, which apply appends and no DW column reads
// yet, leaves every check of the day's rows as it was.
func TestNewODSColumnKeepsTheChecks(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `event_column = "customize_event"`, `event_column = "customize_event"
breakdowns = ["device_brand"]`)
	if r := fgen(t, dir, nil, "sample", "--users", "100", "--load"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	// A brand that is the total's marker, which the marker check of the
	// day to apply finds.
	execLocal(t, dir, `UPDATE ods_user_trace_data SET device_brand = 'all' WHERE uid = (SELECT min(uid) FROM ods_user_trace_data WHERE uid <> '' AND customize_event = 'browse')`)
	replaceInFile(t, path, `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },
]`, `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },
  { name = "referrer",                type = "STRING" },
]`)
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, "add column referrer STRING") || strings.Contains(r.stdout+r.stderr, "not checked") ||
		!strings.Contains(r.stdout, `have device_brand "all", the total_marker of funnel user_trace`) {
		t.Errorf("plan with a new ODS column: %+v", r)
	}
}

// report's out-of-date warning gives each reason its own days and an apply
// per run of days, and a comment changed in funnel.toml is no reason.
func TestReportOutOfDateReasons(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 200, 3)
	for _, day := range []string{"20210303", "20210305"} {
		if r := fgen(t, dir, nil, "sample", "--users", "100", "--start", day, "--seed", "5", "-o", day+".jsonl"); r.code != 0 {
			t.Fatalf("sample: %+v", r)
		}
		if r := fgen(t, dir, nil, "load", day+".jsonl"); r.code != 0 {
			t.Fatalf("load: %+v", r)
		}
	}
	r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210305")
	for _, day := range []string{"20210303", "20210305"} {
		if want := "warning: the rows of rpt_user_trace_data for " + day + " are out of date (dw_user_trace_data: ods_user_trace_data/dt=" + day + " changed after it was written); 'fgen apply --bizdate " + day + "' writes them again\n"; !strings.Contains(r.stderr, want) {
			t.Errorf("report after two days were loaded again: want %q in %+v", want, r)
		}
	}
	// The JSON rows carry it: why, for a day out of date, null for one that is not.
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210305", "--format", "json")
	var doc struct {
		Rows []struct {
			Dt        string  `json:"dt"`
			OutOfDate *string `json:"out_of_date"`
		} `json:"rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Rows) != 3 {
		t.Fatalf("report --format json: %v\n%+v", err, r)
	}
	for _, row := range doc.Rows {
		if (row.OutOfDate != nil) != (row.Dt != "20210304") || (row.OutOfDate != nil && *row.OutOfDate != "dw_user_trace_data: ods_user_trace_data/dt="+row.Dt+" changed after it was written") {
			t.Errorf("row of %s: out_of_date %v", row.Dt, row.OutOfDate)
		}
	}
	// So do the formats one saves and passes on, which the warnings do not reach: the CSV
	// rows, and the HTML page's notes and day table; and JSON and HTML name a day asked
	// for that has no rows.
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210306", "--format", "csv")
	// Only a load fills it: apply would skip it.
	if !strings.Contains(r.stderr, "the report leaves it out (20210306 has no ods_user_trace_data partition: load it first)\n") {
		t.Errorf("report of a day without its ODS partition: %+v", r)
	}
	if r.code != 0 || !strings.HasPrefix(r.stdout, "dt,stage,stage_index,count,step_rate,overall_rate,provisional,out_of_date\n") ||
		!strings.Contains(r.stdout, "\n20210303,purchase,3,") || !strings.Contains(r.stdout, ",false,dw_user_trace_data: ods_user_trace_data/dt=20210303 changed after it was written\n20210304,browse,1,") ||
		!strings.Contains(r.stdout, ",false,\n20210305,browse,1,") {
		t.Errorf("report --format csv: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210306", "--format", "json")
	var missing struct {
		Days []string `json:"days_without_rows"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &missing); err != nil || !slices.Equal(missing.Days, []string{"20210306"}) {
		t.Errorf("report --format json of a range with a day without rows: %v, %q\n%+v", err, missing.Days, r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210306", "--to", "20210307", "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &missing); err != nil || !slices.Equal(missing.Days, []string{"20210306", "20210307"}) {
		t.Errorf("report --format json of a range without rows: %v, %q\n%+v", err, missing.Days, r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210306", "--format", "html")
	for _, want := range []string{
		"Out of date: 2021-03-03, 2021-03-05 (dw_user_trace_data: ods_user_trace_data/dt=20210303 changed after it was written; dw_user_trace_data: ods_user_trace_data/dt=20210305 changed after it was written)",
		`2021-03-05 <span class="badge">out of date</span>`,
		"Not in the report: 2021-03-06, which the table has no rows for (apply has not written it; it has no ods_user_trace_data partition: load it first).",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report --format html: no %q in\n%s", want, r.stdout)
		}
	}
	// One reason over days that are not adjacent: an apply for each run.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `dedup_by = ["md5"]`, `dedup_by = []`)
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210304"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210305")
	if want := "for 20210303, 20210305 are out of date (dw_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it)); 'fgen apply --bizdate 20210303' and 'fgen apply --bizdate 20210305' write them again"; !strings.Contains(r.stderr, want) {
		t.Errorf("report of days apart: want %q in %+v", want, r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210305"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `comment = "daily browse/click/purchase funnel"`, `comment = "the daily funnel"`)
	if r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210305"); r.code != 0 || strings.Contains(r.stderr, "out of date") {
		t.Errorf("report after a comment changed: %+v", r)
	}
}

// On the local engine, where fgen load fills the ODS table, fgen sets the
// ODS comments funnel.toml gives, in DuckDB's own statements, and keeps
// those it leaves out; and sample --load takes the seed's columns first
// and more after them.
func TestLocalODSEvolution(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 20, 1)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `comment = "raw user trace logs from Log Service"`, `comment = "raw logs, it's the sync's"`)
	replaceInFile(t, path, `{ name = "md5",                     type = "STRING", comment = "hash of the log record" },`, `{ name = "md5",                     type = "STRING", comment = "record hash" },`)
	replaceInFile(t, path, `{ name = "ip",                      type = "STRING", comment = "client ip" },`, `{ name = "ip",                      type = "STRING" },`)
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, `column md5 comment "hash of the log record" -> "record hash"`) || !strings.Contains(r.stdout, `comment "raw user trace logs from Log Service" -> "raw logs, it's the sync's"`) ||
		strings.Contains(r.stdout, "column ip comment") || !strings.Contains(r.stdout, "note: the table has comments where funnel.toml gives none; fgen keeps them") || !strings.Contains(r.stdout, "= 20210303  up to date") {
		t.Errorf("plan: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stdout, "ODS ods_user_trace_data  (in sync)") {
		t.Errorf("plan after apply: %+v", r)
	}
	// An ODS of the seed's columns and more, a column appended to the
	// table: sample --load fills the seed's and leaves the others NULL,
	// and says so; a file it writes says they load as NULL.
	replaceInFile(t, path, `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },
]`, `  { name = "customize_event_content", type = "STRING", comment = "event payload, e.g. the product" },
  { name = "channel",                 type = "STRING" },
]`)
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	r = fgen(t, dir, nil, "sample", "--users", "20", "--start", "20210304", "--load")
	if r.code != 0 || !strings.Contains(r.stderr, "note: the sample's rows leave channel NULL") {
		t.Fatalf("sample --load: %+v", r)
	}
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb")})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.Query(context.Background(), `SELECT count(*), count(channel), count(uid) FROM ods_user_trace_data WHERE dt = '20210304'`)
	db.Close()
	if err != nil || len(rows.Values) != 1 || *rows.Values[0][0] == "0" || *rows.Values[0][1] != "0" || *rows.Values[0][2] == "0" {
		t.Errorf("the sample's rows: %+v, %v", rows, err)
	}
	if r := fgen(t, dir, nil, "sample", "--users", "5", "-o", "x.csv"); r.code != 0 || !strings.Contains(r.stderr, "note: x.csv has no channel, which 'fgen load' leaves NULL") || strings.Contains(r.stderr, "warning") {
		t.Errorf("sample -o: %+v", r)
	}
}

// Two duckdb targets, none named local: every command without --target
// says to name one, load and sample --load too (they said there was none).
func TestTwoLocalTargetsNoneNamedLocal(t *testing.T) {
	dir := project(t)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), "[targets.local]", "[targets.mine]")
	appendToFile(t, filepath.Join(dir, "funnel.toml"), "\n[targets.archive]\nengine = \"duckdb\"\npath = \"archive.duckdb\"\n")
	for _, args := range [][]string{{"plan"}, {"sample", "--users", "5", "--load"}} {
		if r := fgen(t, dir, nil, args...); r.code != 1 || !strings.Contains(r.stderr, "funnel.toml has 2 local (duckdb) targets and none named local, the one fgen uses when none is named: give --target archive or --target mine") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "archive.duckdb")); err == nil {
		t.Error("a warehouse was made")
	}
}

// sample -o with a config whose ODS columns are not the seed's writes the
// seed's, to adapt, and says so; with the seed's, nothing.
func TestSampleFileForAnotherODS(t *testing.T) {
	dir := projectWith(t, "../../generator/testdata/configs/hourly.toml")
	if r := fgen(t, dir, nil, "sample", "--users", "5", "-o", "x.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "warning: x.jsonl has the seed's ODS columns (md5, uid, ts,") {
		t.Errorf("sample -o with hourly.toml: %+v", r)
	}
	seed := project(t)
	if r := fgen(t, seed, nil, "sample", "--users", "5", "-o", "x.jsonl"); r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Errorf("sample -o with the seed's columns: %+v", r)
	}
	// The seed's columns, partitioned by another name than the file's dt.
	ds := project(t)
	data, _ := os.ReadFile(filepath.Join(ds, "funnel.toml"))
	os.WriteFile(filepath.Join(ds, "funnel.toml"), []byte(strings.ReplaceAll(string(data), `partition = "dt"`, `partition = "ds"`)), 0o644)
	if r := fgen(t, ds, nil, "sample", "--users", "5", "-o", "x.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "warning: x.jsonl gives each row's day in column dt, and ods_user_trace_data is partitioned by ds: rename that column before 'fgen load'") {
		t.Errorf("sample -o with an ODS partitioned by ds: %+v", r)
	}
	// The seed's columns in an hourly ODS: the sample gives no hour, and
	// says that, not that the columns differ.
	replaceInFile(t, filepath.Join(seed, "funnel.toml"), "\n[ods]\n", "\n[ods]\nhour_partition = \"hh\"\n")
	if r := fgen(t, seed, nil, "sample", "--users", "5", "-o", "x.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "warning: x.jsonl has no hour: give each row its hh (00 to 23, as ods_user_trace_data is partitioned by hour) before 'fgen load'") {
		t.Errorf("sample -o with an hourly ODS of the seed's columns: %+v", r)
	}
	if r := fgen(t, seed, nil, "sample", "--users", "5", "--load"); r.code != 1 || !strings.Contains(r.stderr, "fgen sample makes daily rows, with no hour: ods_user_trace_data is partitioned by hour (hour_partition = \"hh\")") || strings.Contains(r.stderr, "Binder Error") {
		t.Errorf("sample --load with an hourly ODS of the seed's columns: %+v", r)
	}
}

// A day applied before its ODS partition went (a lifecycle): plan says it
// is up to date, exit 0, not that its jobs wait.
func TestPlanDayUpToDateWithoutODS(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 50, 1)
	execLocal(t, dir, `DELETE FROM ods_user_trace_data WHERE dt = '20210303'`, `DELETE FROM fgen_partitions WHERE table_name = 'ods_user_trace_data' AND value = '20210303'`)
	r := fgen(t, dir, nil, "plan", "--bizdate", "20210303")
	if r.code != 0 || !strings.Contains(r.stdout, "= 20210303  up to date, though its upstream partition is missing now: ") ||
		!strings.Contains(r.stdout, "0 jobs to run on 0 of 1 day, 1 up to date.") || strings.Contains(r.stdout, "waiting") {
		t.Errorf("plan: %+v", r)
	}
}

// A flag given an empty value, as a script's '--bizdate "$DAY"' whose
// variable is unset gives it, is an error: not an apply of no day that
// exits 0, a report of every day, or a plan of the default target.
func TestEmptyFlagValues(t *testing.T) {
	dir := project(t)
	for _, tc := range []struct {
		flag string // or the message, when it is not a --flag's
		args []string
	}{
		{"--bizdate", []string{"apply", "--bizdate", "", "--yes"}},
		{"--from", []string{"apply", "--from=", "--to", "20210303"}},
		{"--target", []string{"plan", "--target", ""}},
		{"--bizdate", []string{"report", "--bizdate="}},
		{`invalid argument "" for "--funnel" flag: an empty name`, []string{"report", "--funnel", ""}},
		{`invalid argument "," for "--funnel" flag: an empty name`, []string{"report", "--funnel", ","}},
		{`invalid argument "" for "--funnel" flag: an empty name`, []string{"report", "--funnel", "user_trace", "--funnel", ""}},
		{`a file to load is named "" (is the variable that should hold it unset?)`, []string{"load", "a.jsonl", ""}},
		{"is a directory; give the config file, e.g. -c", []string{"-c", ".", "validate"}},
		{"--bizdate", []string{"load", "--bizdate", "", "x.jsonl"}},
		{"--config", []string{"-c", "", "validate"}},
		{"--dir", []string{"generate", "--dir", " "}},
		{"--bizdate", []string{"apply", "--format", "json", "--bizdate", ""}},
	} {
		r := fgen(t, dir, nil, tc.args...)
		want := tc.flag
		if strings.HasPrefix(want, "--") {
			want += " is empty: give it a value, or leave it out (is the variable that should hold it unset?)"
		}
		if r.code != 1 || !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("fgen %q: want %q in %+v", tc.args, want, r)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, ".fgen")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused command made the warehouse: %v", err)
	}
}

// The commands a message suggests run as written where the command that
// suggests them ran: with -c FILE, quoted, when the config is not the
// default one.
func TestSuggestedCommandsKeepTheConfig(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "my proj"), 0o755)
	data, err := os.ReadFile("../../funnel.toml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := "my proj/my funnel.toml"
	if r := fgen(t, dir, nil, "-c", cfg, "validate"); r.code != 1 || !strings.Contains(r.stderr, `run 'fgen -c "my proj/my funnel.toml" init' to write a starter config`) {
		t.Errorf("validate of a missing config: %+v", r)
	}
	if r := fgen(t, dir, nil, "-c", cfg, "sample", "--load"); r.code != 1 || !strings.Contains(r.stderr, `run 'fgen -c "my proj/my funnel.toml" init' to write a starter config`) {
		t.Errorf("sample --load without the config: %+v", r)
	}
	os.WriteFile(filepath.Join(dir, cfg), data, 0o644)
	if r := fgen(t, dir, nil, "-c", cfg, "report"); r.code != 1 || !strings.Contains(r.stderr, `create and fill it with 'fgen -c "my proj/my funnel.toml" apply --from D1 --to D2'`) {
		t.Errorf("report before apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "-c", cfg, "apply"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "-c", cfg, "sample", "--users", "10", "--load"); r.code != 0 {
		t.Fatalf("sample --load: %+v", r)
	}
	if r := fgen(t, dir, nil, "-c", cfg, "report", "--bizdate", "20210303"); !strings.Contains(r.stderr, `has no rows for 20210303; fill it with 'fgen -c "my proj/my funnel.toml" apply --bizdate 20210303'`) {
		t.Errorf("report of a day not applied: %+v", r)
	}
}

// A flag's value that does not parse says so in words, not Go's parser's;
// init -c given a directory says so, not to use --force.
func TestFlagValueMessages(t *testing.T) {
	dir := project(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apply", "--parallel", "abc"}, `fgen: invalid argument "abc" for "--parallel" flag: not a whole number` + "\nRun 'fgen apply --help' for usage\n"},
		{[]string{"sample", "--users", "99999999999999999999"}, `fgen: invalid argument "99999999999999999999" for "--users" flag: out of range` + "\nRun 'fgen sample --help' for usage\n"},
		{[]string{"init", "-c", "."}, "fgen: . is a directory; give the file to write, e.g. -c funnel.toml\n"},
		{[]string{"init", "-c", ".", "--force"}, "fgen: . is a directory; give the file to write, e.g. -c funnel.toml\n"},
	} {
		if r := fgen(t, dir, nil, tc.args...); r.code != 1 || r.stderr != tc.want {
			t.Errorf("fgen %q: %+v\nwant stderr %q", tc.args, r, tc.want)
		}
	}
}

// The README's example of plan --format json, the stable contract, names
// every key the plan writes: a field added to the plan is added to the
// contract's example too.
func TestPlanJSONKeysAreInTheREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "`fgen plan --format json` is a stable contract")
	_, block, ok2 := strings.Cut(after, "```json\n")
	block, _, ok3 := strings.Cut(block, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal("README.md has no plan --format json example after 'is a stable contract'")
	}
	var example any
	if err := json.Unmarshal([]byte(block), &example); err != nil {
		t.Fatalf("README.md's plan example is not JSON: %v", err)
	}
	documented := map[string]bool{}
	jsonKeys(example, "", documented)

	// A plan with every kind of thing in it: days loaded and to write
	// (jobs pending, with why and what they read), and an ODS column
	// retyped, which fgen refuses.
	dir := project(t)
	sampled(t, dir, 20, 1)
	if r := fgen(t, dir, nil, "sample", "--users", "20", "--start", "20210304", "--load"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	written := map[string]bool{}
	plan := func(days ...string) {
		r := fgen(t, dir, nil, append([]string{"plan", "--format", "json"}, days...)...)
		var out any
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("plan: %v: %+v", err, r)
		}
		jsonKeys(out, "", written)
	}
	plan("--from", "20210303", "--to", "20210304")
	// A stage's events edited: the days fgen wrote are behind.
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `{ name = "browse",   events = ["browse"] }`, `{ name = "browse",   events = ["browse", "Browse"] }`)
	plan()
	data, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(data), `{ name = "bytes",                   type = "BIGINT"`, `{ name = "bytes",                   type = "STRING"`, 1)), 0o644)
	plan("--from", "20210303", "--to", "20210304")
	// (A job's read_bytes is a MaxCompute partition's size: a local plan has none.)
	for _, want := range []string{"tables[].problems[].refused", "days[].jobs[].why", "days[].jobs[].reason", "days_behind[].days"} {
		if !written[want] {
			t.Fatalf("the plans lack %s, which this test needs to see", want)
		}
	}
	for k := range written {
		if !documented[k] {
			t.Errorf("plan --format json writes %s, which README.md's contract does not show", k)
		}
	}
}

// jsonKeys adds to keys the path of every object key in v: "a.b", and
// "a[].b" for the objects of an array.
func jsonKeys(v any, prefix string, keys map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			keys[p] = true
			jsonKeys(e, p, keys)
		}
	case []any:
		for _, e := range v {
			jsonKeys(e, prefix+"[]", keys)
		}
	}
}

// A report of days whose rows an earlier definition of the funnel wrote
// leaves them out and says why: here of the long layout, to which a stage
// was added since (a change of no column: apply writes the days it is
// given, and the others keep their rows), where the old third stage's
// count would show as the new one's; the HTML page notes it, and JSON
// lists the days. (A breakdown removed since is the case of the wide
// layout: internal/report tests both.)
func TestReportLeavesOutAnEarlierDefinition(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	long := regexp.MustCompile(`(?m)^(count_type|rate_format|count_column|step_rate_column|overall_rate_column) = .*$`).ReplaceAllString(string(data), "")
	long = strings.Replace(long, "\ntable = \"rpt_user_trace_data\"\n", "\ntable = \"rpt_user_trace_data\"\nlayout = \"long\"\n", 1)
	os.WriteFile(path, []byte(long), 0o644)
	if r := fgen(t, dir, nil, "sample", "--users", "50", "--days", "3", "--load"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210305"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	cart := strings.Replace(long, `  { name = "click",    events = ["click"] },`, `  { name = "click",    events = ["click"] },`+"\n"+`  { name = "cart",     events = ["add_cart"] },`, 1)
	if cart == long {
		t.Fatal("no click stage to add a stage after")
	}
	os.WriteFile(path, []byte(cart), 0o644)
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210304"); r.code != 0 {
		t.Fatalf("apply of the next day: %+v", r)
	}
	r := fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304", "--format", "csv")
	if want := "warning: the rows of rpt_user_trace_data for 20210303 are an earlier definition's of funnel user_trace (20210303: its stage 3 is \"purchase\", funnel.toml's \"cart\"); the report leaves them out: 'fgen apply --bizdate 20210303' writes them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) ||
		strings.Contains(r.stderr, "has no rows") || strings.Contains(r.stdout, "20210303") || !strings.Contains(r.stdout, "20210304,cart,3,") {
		t.Errorf("report: %+v", r)
	}
	// Days of two ranges: not an apply of the span, which would write the
	// day between them again.
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210305", "--format", "csv")
	if want := "warning: the rows of rpt_user_trace_data for 20210303, 20210305 are an earlier definition's of funnel user_trace (20210303: its stage 3 is \"purchase\", funnel.toml's \"cart\"); the report leaves them out: 'fgen apply --bizdate 20210303' and 'fgen apply --bizdate 20210305' write them again\n"; r.code != 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("report of two ranges: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"days_of_another_definition": [`+"\n    {\n      \"dt\": \"20210303\",") || strings.Contains(r.stdout, `"dt": "20210303",`+"\n      \"dims\"") {
		t.Errorf("report --format json: %+v", r)
	}
	r = fgen(t, dir, nil, "report", "--from", "20210303", "--to", "20210304", "-o", "r.html")
	page, _ := os.ReadFile(filepath.Join(dir, "r.html"))
	if r.code != 0 || !strings.Contains(string(page), "Not in the report: ") || !strings.Contains(string(page), "whose rows an earlier definition of the funnel wrote") {
		t.Errorf("report -o r.html: %+v", r)
	}
	// The day alone: no rows but those, which the report says.
	r = fgen(t, dir, nil, "report", "--bizdate", "20210303")
	if r.code != 0 || !strings.Contains(r.stdout, "no rows for funnel user_trace in rpt_user_trace_data but an earlier definition's, left out: 2021-03-03 (") || !strings.Contains(r.stdout, "; 'fgen apply' of that day writes it again") {
		t.Errorf("report of the day alone: %+v", r)
	}
}

// addFunnel adds to the project at dir an events funnel browse -> purchase
// of the shipped columns, named name, reporting to table.
func addFunnel(t *testing.T, dir, name, table string) {
	t.Helper()
	appendToFile(t, filepath.Join(dir, "funnel.toml"), fmt.Sprintf(`
[[funnels]]
name = %q
user_column = "uid"
event_column = "customize_event"
stages = [{ name = "browse", events = ["browse"] }, { name = "purchase", events = ["purchase"] }]
[funnels.report]
table = %q
`, name, table))
}

// A plan of no days plans the tables, but says which days fgen wrote apply
// would write again: after an edit of a stage's events every applied day's
// SQL changed, and 'fgen plan' alone must not read as all in sync. apply of
// no days writes no day, and says which (a cron line without days left
// them behind without a word).
func TestPlanOfNoDaysNamesTheDaysBehind(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 50, 2)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "write again") {
		t.Fatalf("plan after apply: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "browse",   events = ["browse"] }`, `{ name = "browse",   events = ["browse", "Browse"] }`)
	r := fgen(t, dir, nil, "plan")
	if want := "\nDays fgen wrote that apply would write again (a plan of no days plans the tables; 'fgen plan --from 20210303 --to 20210304' lists the jobs):\n" +
		"    dw_user_trace_data  20210303..20210304: its SQL changed since it wrote them (funnel.toml or fgen changed it)\n" +
		"    rpt_user_trace_data  20210303..20210304: its SQL changed since it wrote them (funnel.toml or fgen changed it)\n\n" +
		"Plan: 0 to create, 0 to alter, 3 in sync, 0 blocked; apply would write 2 days that fgen wrote again.\n"; r.code != 0 || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("plan after an edit: %+v", r)
	}
	r = fgen(t, dir, nil, "plan", "--format", "json")
	if !strings.Contains(r.stdout, `"days_behind": [`) || !strings.Contains(r.stdout, `"why": "sql_changed"`) {
		t.Errorf("plan --format json: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply"); r.code != 0 || r.stderr != "nothing to apply: the tables are in sync (without --bizdate or --from/--to, apply creates and changes the tables only)\n"+
		"note: apply would write 2 days that fgen wrote (20210303..20210304) again: 'fgen plan --from 20210303 --to 20210304' lists the jobs and why, 'fgen apply --from 20210303 --to 20210304' writes them\n" {
		t.Errorf("apply of no days: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "write again") {
		t.Errorf("plan after the days were applied again: %+v", r)
	}
	// A funnel added and applied from the second day on: the first day's
	// partition of its table, which fgen never wrote, is not "gone".
	addFunnel(t, dir, "third", "rpt_third")
	if r := fgen(t, dir, nil, "apply", "--bizdate", "20210304", "-q"); r.code != 0 {
		t.Fatalf("apply of the added funnel: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "write again") {
		t.Errorf("plan after a funnel was added: %+v", r)
	}
	// A day's rows deleted outside fgen: its partition is gone.
	execLocal(t, dir, `DELETE FROM rpt_third WHERE dt = '20210304'`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "\n    rpt_third  20210304: their partitions are gone\n") {
		t.Errorf("plan after a day's rows were deleted: %+v", r)
	}
	// Some of a day's DW rows deleted: the partition is not as fgen wrote
	// it, which the plan of no days says as the plan of the day does (it
	// said an input had changed).
	execLocal(t, dir, `DELETE FROM dw_user_trace_data WHERE dt = '20210303' AND customize_event = 'browse'`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "\n    dw_user_trace_data  20210303: their rows were changed outside fgen\n") {
		t.Errorf("plan after some of a day's DW rows were deleted: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210303", "--format", "json"); !strings.Contains(r.stdout, `"why": "changed_outside"`) || !strings.Contains(r.stdout, "dw_user_trace_data/dt=20210303 is not as fgen wrote it (it holds") {
		t.Errorf("plan --bizdate 20210303 --format json: %+v", r)
	}
}

// A plan of no days with a table to alter names the days its node wrote,
// which the change leaves behind: it said so only once apply had made it.
func TestPlanOfNoDaysNamesTheDaysATableChangeLeaves(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 20, 2)
	cfg := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(cfg)
	dw := strings.Index(string(data), "[dw]")
	end := dw + strings.Index(string(data)[dw:], "\n]")
	os.WriteFile(cfg, []byte(string(data)[:end]+"\n  { name = \"ip\", type = \"STRING\" },"+string(data)[end:]), 0o644)
	want := "\nDays fgen wrote that apply would write again (a plan of no days plans the tables; 'fgen plan --from 20210303 --to 20210304' lists the jobs):\n" +
		"    dw_user_trace_data  20210303..20210304: its table changes (see Tables), and apply writes them again after the change\n\n" +
		"Plan: 0 to create, 1 to alter, 2 in sync, 0 blocked; apply would write 2 days that fgen wrote again.\n"
	if r := fgen(t, dir, nil, "plan"); r.code != 2 || !strings.Contains(r.stdout, "add column ip STRING") || !strings.HasSuffix(r.stdout, want) {
		t.Errorf("plan of the added column: %+v\nwant suffix %s", r, want)
	}
	if r := fgen(t, dir, nil, "plan", "--format", "json"); !strings.Contains(r.stdout, `"why": "table"`) {
		t.Errorf("plan --format json: %+v", r)
	}
}

// A table apply recreated (--allow-destructive) for some of its days
// lost the others, and fgen's notes of them: the plan of the recreate
// says apply names them, apply does, and so does a plan of no days after
// it, which called the table in sync.
func TestPlanNamesTheDaysARecreateDropped(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 50, 3)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `count_type = "STRING"`, `count_type = "BIGINT"`)
	if r := fgen(t, dir, nil, "plan", "--bizdate", "20210304"); r.code != 3 || !strings.Contains(r.stdout, "note: recreating it drops the rows of its 3 partitions; apply writes again only the days it is given, and names the others\n") {
		t.Errorf("plan of the recreate: %+v", r)
	}
	behind := "apply would write 2 days that fgen wrote (20210303, 20210305) again: 'fgen plan --from 20210303 --to 20210305' lists the jobs and why, 'fgen apply --bizdate 20210303', 'fgen apply --bizdate 20210305' write them\n"
	// A warning, which a daily run's -q keeps: the rows are gone.
	if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210304", "--allow-destructive", "--yes"); r.code != 0 || r.stderr != "warning: "+behind {
		t.Errorf("apply of the recreate: %+v", r)
	}
	note := "note: " + behind
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "\n    rpt_user_trace_data  20210303, 20210305: their partitions are gone\n") {
		t.Errorf("plan of no days after the recreate: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply"); r.code != 0 || !strings.HasSuffix(r.stderr, note) {
		t.Errorf("apply of no days after the recreate: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--from", "20210303", "--to", "20210305"); r.code != 0 || r.stderr != "" {
		t.Fatalf("apply of the days: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "write again") {
		t.Errorf("plan after the days were written again: %+v", r)
	}
}

// The warning of the days a recreate dropped comes also of an apply that
// then skipped a day (exit 1): the recreate is done.
func TestRecreateWarnsOfDroppedDaysOfAnIncompleteApply(t *testing.T) {
	dir := project(t)
	sampled(t, dir, 20, 3)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `count_type = "STRING"`, `count_type = "BIGINT"`)
	r := fgen(t, dir, nil, "apply", "-q", "--from", "20210304", "--to", "20210306", "--allow-destructive", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "warning: apply would write 1 day that fgen wrote (20210303) again") || !strings.Contains(r.stderr, "ods_user_trace_data/dt=20210306 is missing") {
		t.Errorf("apply of a recreate with a day skipped: %+v", r)
	}
	// The day forgotten as README says: no longer named, as dropped or as
	// a day an apply set out to write.
	execLocal(t, dir, `DELETE FROM fgen_dropped WHERE table_name = 'rpt_user_trace_data'`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "20210303") {
		t.Errorf("plan after the dropped day was forgotten: %+v", r)
	}
}

// Days loaded that apply has not finished: after a load, plan and apply of no
// days (which plan and create the tables only) called the warehouse in
// sync, and report gave an apply of "D1 to D2". They name the days now,
// with the apply of each run of them.
func TestPlanNamesTheDaysLoadedAndNotApplied(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "sample", "--users", "30", "--days", "3", "-o", "events.jsonl"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "load", "-q", "events.jsonl"); r.code != 0 {
		t.Fatalf("load: %+v", r)
	}
	all := "3 days loaded that apply has not finished (20210303..20210305): 'fgen apply --from 20210303 --to 20210305' writes them"
	if r := fgen(t, dir, nil, "apply"); r.code != 0 || !strings.HasSuffix(r.stderr, "note: "+all+"\n") {
		t.Errorf("apply of no days after the load: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.HasSuffix(r.stdout, "\nDays loaded that apply has not finished:\n    "+all+"\n\n"+
		"Plan: 0 to create, 0 to alter, 3 in sync, 0 blocked; 3 days loaded that apply has not finished.\n") {
		t.Errorf("plan of no days after the load: %+v", r)
	}
	if r := fgen(t, dir, nil, "report"); !strings.Contains(r.stderr, "fill it with the days loaded: 'fgen apply --from 20210303 --to 20210305'") {
		t.Errorf("report of the empty table: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210304"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	r := fgen(t, dir, nil, "plan", "--format", "json")
	var doc struct {
		NotApplied []string `json:"days_not_applied"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || !slices.Equal(doc.NotApplied, []string{"20210303", "20210305"}) {
		t.Errorf("plan --format json: days_not_applied %v (%v)\n%s", doc.NotApplied, err, r.stdout)
	}
	if r := fgen(t, dir, nil, "plan"); !strings.Contains(r.stdout, "2 days loaded that apply has not finished (20210303, 20210305): 'fgen apply --bizdate 20210303', 'fgen apply --bizdate 20210305' write them\n") {
		t.Errorf("plan of no days after one day's apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--from", "20210303", "--to", "20210305"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "loaded") {
		t.Errorf("plan after every day was applied: %+v", r)
	}
	// An apply stopped after a day's DW job, before its report job: the
	// report's partition of the day is one an apply set out to write and
	// no job wrote, and the day one apply has not finished.
	execLocal(t, dir, `DELETE FROM rpt_user_trace_data WHERE dt = '20210304'`, `DELETE FROM fgen_partitions WHERE table_name = 'rpt_user_trace_data' AND value = '20210304'`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "1 day loaded that apply has not finished (20210304): 'fgen apply --bizdate 20210304' writes it\n") {
		t.Errorf("plan after an apply stopped part-way: %+v", r)
	}
	// The same of a warehouse an older fgen applied to, which kept no
	// note of what its applies set out to write: the day is from the
	// report's first on.
	execLocal(t, dir, `DROP TABLE fgen_planned`)
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || !strings.Contains(r.stdout, "1 day loaded that apply has not finished (20210304)") {
		t.Errorf("plan of an older fgen's warehouse after an apply stopped part-way: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210304"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	// A funnel added since, its table made: no apply set out to write its
	// days, which are not days apply has not finished.
	addFunnel(t, dir, "later", "rpt_later")
	if r := fgen(t, dir, nil, "apply"); r.code != 0 || strings.Contains(r.stderr, "loaded") {
		t.Errorf("apply that makes the table of a funnel added since: %+v", r)
	}
	if r := fgen(t, dir, nil, "plan"); r.code != 0 || strings.Contains(r.stdout, "loaded") {
		t.Errorf("plan after a funnel was added: %+v", r)
	}
}

// A breakdown removed from funnel.toml, before the apply that recreates
// the report table: the report leaves the days out, and the apply it gives
// is the one that recreates the table (--allow-destructive), which says so.
func TestReportOfABreakdownRemovedSaysToRecreate(t *testing.T) {
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, "\nevent_column = \"customize_event\"\n", "\nevent_column = \"customize_event\"\nbreakdowns = [\"system_type\"]\n")
	if r := fgen(t, dir, nil, "sample", "--users", "50", "--load", "-q"); r.code != 0 {
		t.Fatalf("sample: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	replaceInFile(t, path, "breakdowns = [\"system_type\"]\n", "")
	r := fgen(t, dir, nil, "report", "--bizdate", "20210303", "--format", "csv")
	if want := "; the report leaves them out: 'fgen apply --bizdate 20210303 --allow-destructive' writes them again (it recreates the table first, which drops its other days: 'fgen plan' shows it)\n"; r.code != 0 || !strings.Contains(r.stderr, want) || strings.Count(r.stdout, "\n") != 1 {
		t.Errorf("report: %+v", r)
	}
	// The text report of no other rows says the same apply.
	if r := fgen(t, dir, nil, "report", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stdout, "; 'fgen apply --allow-destructive' of that day writes it again, recreating the table first (which drops its other days)") {
		t.Errorf("report (text): %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "-q", "--bizdate", "20210303", "--allow-destructive", "--yes"); r.code != 0 {
		t.Fatalf("apply --allow-destructive: %+v", r)
	}
	if r := fgen(t, dir, nil, "report", "--bizdate", "20210303", "--format", "csv"); r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "20210303,browse,1,") {
		t.Errorf("report after the apply: %+v", r)
	}
}

// The hint of an apply that did not finish its days: one span, whose
// finished days are up to date; with --all, which runs them too, each run
// of days.
func TestResumeHint(t *testing.T) {
	days := []string{"20210303", "20210304", "20210306"}
	for _, c := range []struct {
		all  bool
		want string
	}{
		{false, "'fgen -c prod.toml apply --from 20210303 --to 20210306 --target mc' finishes the apply"},
		{true, "'fgen -c prod.toml apply --from 20210303 --to 20210304 --all --target mc' and 'fgen -c prod.toml apply --bizdate 20210306 --all --target mc' finish the apply"},
	} {
		opts := &applyOptions{globalOptions: &globalOptions{configPath: "prod.toml"}, targetOptions: targetOptions{target: "mc"}, all: c.all}
		if got := opts.resumeHint(days); got != c.want {
			t.Errorf("all %v: %s\nwant %s", c.all, got, c.want)
		}
	}
}

// load and sample take --odps-config, which earlier fgen listed, and say
// on stderr that it does nothing: stdout holds their JSON alone.
func TestLocalCommandsTakeOdpsConfig(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "sample", "--users", "5", "-o", "e.jsonl", "--odps-config", "x.ini"); r.code != 0 || !strings.HasPrefix(r.stderr, "warning: --odps-config does nothing: sample writes local targets only") {
		t.Fatalf("sample --odps-config: %+v", r)
	}
	r := fgen(t, dir, nil, "load", "e.jsonl", "--odps-config", "x.ini", "--format", "json")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); r.code != 0 || err != nil || !strings.HasPrefix(r.stderr, "warning: --odps-config does nothing: load writes") {
		t.Errorf("load --odps-config --format json: %v: %+v", err, r)
	}
}

// The DW node casts an ODS fraction into an integer column as MaxCompute
// does, truncating towards zero (DuckDB's CAST rounds: 1.6 to 2), so a
// time of 0.6 s past a window's end is not a second later on one engine.
func TestDWCastTruncatesAsMaxCompute(t *testing.T) {
	dir := project(t)
	cfg := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, cfg, `{ name = "ts",                      type = "BIGINT", comment = "event time, epoch seconds" },`, `{ name = "ts", type = "DOUBLE" },`)
	replaceInFile(t, cfg, `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `{ name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "ts", type = "BIGINT" },`)
	rows := `{"md5":"a","uid":"u1","customize_event":"browse","ts":1704103200.6,"dt":"20240101"}
{"md5":"b","uid":"u2","customize_event":"browse","ts":-1.6,"dt":"20240101"}
`
	if err := os.WriteFile(filepath.Join(dir, "e.jsonl"), []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"load", "e.jsonl"}, {"apply", "--bizdate", "20240101"}} {
		if r := fgen(t, dir, nil, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	db, err := duckdb.Open(duckdb.Options{Path: filepath.Join(dir, ".fgen", "local.duckdb"), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Query(context.Background(), `SELECT string_agg(CAST(ts AS VARCHAR), ',' ORDER BY uid) FROM dw_user_trace_data`)
	if err != nil {
		t.Fatal(err)
	}
	if got := *res.Values[0][0]; got != "1704103200,-1" {
		t.Errorf("DW ts = %s, want 1704103200,-1", got)
	}
}
