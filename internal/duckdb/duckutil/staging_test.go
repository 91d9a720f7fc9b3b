//go:build unix

package duckutil

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// RemoveStale removes fgen's staging directories that no process holds, and
// those of older fgens idle for an hour; nothing else.
func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	mk := func(name string, age time.Duration) string {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(path, 0o755); err != nil {
			t.Fatal(err)
		}
		part := filepath.Join(path, "part-000000.csv")
		os.WriteFile(part, []byte("x\n"), 0o644)
		old := time.Now().Add(-age)
		os.Chtimes(part, old, old)
		os.Chtimes(path, old, old)
		return path
	}
	mk(".fgen-load-old", 2*time.Hour)      // an older fgen's, idle: stale
	mk(".fgen-sample-new", time.Minute)    // an older fgen's, at work: kept
	mk(".fgen-unknown-1", 2*time.Hour)     // not fgen's staging: kept
	mk("data", 2*time.Hour)                // kept
	unlocked := mk(".fgen-sample-dead", 0) // a lock nobody holds: stale
	os.WriteFile(filepath.Join(unlocked, lockName), nil, 0o600)
	build := mk(".fgen-build-dead", 0) // a new warehouse's, killed: stale
	os.WriteFile(filepath.Join(build, lockName), nil, 0o600)
	live, release, err := MakeStagingDir(dir, SamplePrefix) // this process's: kept
	if err != nil {
		t.Fatal(err)
	}
	RemoveStale(dir)
	want := []string{".fgen-sample-new", ".fgen-unknown-1", filepath.Base(live), "data"}
	slices.Sort(want)
	if got := names(t, dir); !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(live); !os.IsNotExist(err) {
		t.Errorf("release left %s: %v", live, err)
	}
}

// A process killed with SIGKILL while it stages leaves its directory, which
// the next MakeStagingDir removes.
func TestStagingAfterKill(t *testing.T) {
	if dir := os.Getenv("FGEN_STAGING_CHILD"); dir != "" {
		path, _, err := MakeStagingDir(dir, SamplePrefix)
		if err != nil {
			os.Exit(2)
		}
		os.WriteFile(filepath.Join(path, "part-000000.csv"), []byte("x\n"), 0o644)
		os.Stdout.WriteString(path + "\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestStagingAfterKill$")
	cmd.Env = append(os.Environ(), "FGEN_STAGING_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, _ := out.Read(buf)
	path := strings.TrimSpace(string(buf[:n]))
	if !strings.HasPrefix(filepath.Base(path), SamplePrefix) {
		cmd.Process.Kill()
		t.Fatalf("child staged in %q", path)
	}
	RemoveStale(dir) // the child is alive: kept
	if _, err := os.Stat(path); err != nil {
		t.Errorf("removed a live process's staging: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	mine, release, err := MakeStagingDir(dir, SamplePrefix)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	if got := names(t, dir); !slices.Equal(got, []string{filepath.Base(mine)}) {
		t.Errorf("after the kill: %v, want only %s", got, filepath.Base(mine))
	}
}
