package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A build without cgo has no DuckDB, and still generates, diffs and plans
// on MaxCompute (here the double), so a CI job that only checks out/ or
// plans production needs no C compiler; a local command says why it cannot
// run.
func TestBuildWithoutCgo(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	bin := filepath.Join(t.TempDir(), "fgen")
	// -trimpath keeps the directory out of the build cache's keys, so a new
	// clone reuses what an earlier one compiled of the packages it did not
	// change (without it every clone compiles all of fgen again here).
	build := exec.Command(gobin, "build", "-trimpath", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build ./cmd/fgen: %v\n%s", err, out)
	}
	list := exec.Command(gobin, "list", "-deps", ".")
	list.Env = build.Env
	deps, err := list.Output()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(deps, []byte("duckdb-go")) {
		t.Error("a build without cgo imports duckdb-go")
	}

	dir, _, env := mcProject(t)
	tmp := t.TempDir()
	nocgo := func(want int, args ...string) string {
		t.Helper()
		c := exec.Command(bin, args...)
		c.Dir = dir
		c.Env = []string{"HOME=" + dir, "TMPDIR=" + tmp}
		for k, v := range env {
			c.Env = append(c.Env, k+"="+v)
		}
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		err := c.Run()
		code := 0
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != want {
			t.Fatalf("fgen %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errb.String())
		}
		return out.String() + errb.String()
	}
	nocgo(0, "generate")
	nocgo(0, "diff")
	os.WriteFile(filepath.Join(dir, "out", "nodes", "dw_user_trace_data.sql"), []byte("-- edited\n"), 0o644)
	nocgo(2, "diff")
	if out := nocgo(2, "plan", "--target", "mc", "--bizdate", "20210303"); !strings.Contains(out, "+ DW  dw_user_trace_data  (create)") {
		t.Errorf("plan on maxcompute:\n%s", out)
	}
	os.WriteFile(filepath.Join(dir, "x.jsonl"), []byte("{}\n"), 0o644) // load checks that its files are there first
	for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"load", "x.jsonl"}, {"demo"}, {"sample", "-o", "x.parquet"}} {
		if out := nocgo(1, args...); !strings.Contains(out, "built without cgo") || !strings.Contains(out, "CGO_ENABLED=1") {
			t.Errorf("fgen %s without cgo:\n%s", strings.Join(args, " "), out)
		}
	}
	// The demo made its temporary directory before it found no engine.
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the failed commands left %s in the temporary directory", left[0].Name())
	}
}
