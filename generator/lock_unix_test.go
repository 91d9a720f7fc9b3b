//go:build unix && !solaris && !aix

package generator

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The lock a Write killed part-way left (its process gone, as this host
// tells) is taken over by the next, which writes. One whose process runs
// (an fgen of before the flock, which went by the file alone), and one a
// process holds, however its text reads, stop Write and Compare; Write
// changes nothing then.
func TestWriteLockOfAProcessGone(t *testing.T) {
	host, _ := os.Hostname()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	gone := cmd.Process.Pid
	out := t.TempDir()
	mustWrite(t, out, projectA())
	lockFile := filepath.Join(out, LockPath)
	// The tree but the lock.
	tree := func() map[string]string {
		m := snapshot(t, out)
		delete(m, LockPath)
		return m
	}
	before := tree()
	running := exec.Command(os.Args[0], "-test.run=^TestHelperSleeps$")
	running.Env = append(os.Environ(), "FGEN_TEST_SLEEP=1")
	if err := running.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		running.Process.Kill()
		running.Wait()
	}()
	os.WriteFile(lockFile, []byte(fmt.Sprintf("%d %s\n", running.Process.Pid, host)), 0o644)
	if _, err := Write(out, projectB()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("another fgen generate (process %d) is writing", running.Process.Pid)) {
		t.Errorf("Write while a running process holds the lock: %v", err)
	}
	sameTree(t, tree(), before)
	// Of this process's id, on another host: held. A file of other text
	// (ending as an flock's) is not fgen's, and stays.
	os.WriteFile(lockFile, []byte(fmt.Sprintf("%d elsewhere\n", os.Getpid())), 0o644)
	if _, err := Write(out, projectB()); err == nil || !strings.Contains(err.Error(), "is writing") {
		t.Errorf("Write over a lock of this process's id on another host: %v", err)
	}
	os.WriteFile(lockFile, []byte("my notes about flock\n"), 0o644)
	if _, err := Write(out, projectB()); err == nil || !strings.Contains(err.Error(), "is not a lock fgen generate wrote") {
		t.Errorf("Write over a file of notes at the lock's path: %v", err)
	}
	if data, _ := os.ReadFile(lockFile); string(data) != "my notes about flock\n" {
		t.Errorf("Write changed a file of notes at the lock's path to %q", data)
	}
	sameTree(t, tree(), before)
	// Left by a Write that ended: empty, of a process gone, of this one
	// (an old lock, its id used again), or one an flock held.
	for _, text := range []string{"", fmt.Sprintf("%d %s\n", gone, host), fmt.Sprintf("%d %s\n", os.Getpid(), host), fmt.Sprintf("%d elsewhere flock\n", gone), fmt.Sprintf("%d  flock\n", gone)} {
		os.WriteFile(lockFile, []byte(text), 0o644)
		// Held, as a running Write holds it: it stops Write and Compare.
		held, err := os.Open(lockFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Flock(int(held.Fd()), syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
		if _, err := Write(out, projectB()); err == nil || !strings.Contains(err.Error(), "is held: another fgen generate") || !strings.HasSuffix(err.Error(), "is writing "+out+"; wait for it to finish, then generate again") {
			t.Errorf("Write while the lock %q is held: %v", text, err)
		}
		if _, err := Compare(out, projectA()); err == nil || !strings.HasSuffix(err.Error(), "then run 'fgen diff' again") {
			t.Errorf("Compare while the lock %q is held: %v", text, err)
		}
		sameTree(t, tree(), before)
		held.Close()
		// Left: Compare compares, and Write takes it over.
		if changes, err := Compare(out, projectA()); err != nil || len(changes) != 0 {
			t.Errorf("Compare with the lock %q left: %v, %v", text, changes, err)
		}
		mustWrite(t, out, projectB())
		sameTree(t, snapshot(t, out), treeOf(projectB()))
		if _, err := os.Lstat(lockFile); err == nil {
			t.Errorf("Write over the lock %q left: the lock stayed", text)
		}
		mustWrite(t, out, projectA())
	}
}

// TestHelperSleeps is a running process for TestWriteLockOfAProcessGone.
func TestHelperSleeps(t *testing.T) {
	if os.Getenv("FGEN_TEST_SLEEP") == "1" {
		time.Sleep(time.Minute)
	}
}

// A Write that cannot write its lock's text (a full disk; here a limit of
// 0 bytes on the files the process writes, in a process of its own)
// changes nothing and leaves no lock file in out/, which a user would
// commit: out/ is as it was.
func TestWriteOfAnUnwritableLock(t *testing.T) {
	if out := os.Getenv("FGEN_TEST_LOCK_OUT"); out != "" {
		signal.Ignore(syscall.SIGXFSZ)
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			t.Fatal(err)
		}
		lim.Cur = 0
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			t.Fatal(err)
		}
		_, err := Write(out, projectB())
		if err == nil || !strings.Contains(err.Error(), LockPath) || !strings.HasSuffix(err.Error(), out+" is unchanged") {
			t.Fatalf("Write under a file size limit of 0: %v; want the lock's error, and that out is unchanged", err)
		}
		return
	}
	out := t.TempDir()
	mustWrite(t, out, projectA())
	before := snapshot(t, out)
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FGEN_TEST_LOCK_OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	sameTree(t, snapshot(t, out), before)
}

// A full disk, which the test cannot fill, is said with what to do; the
// other causes as before.
func TestExplainOfAFullDisk(t *testing.T) {
	err := explain("out", fmt.Errorf("%w; out is unchanged", &os.PathError{Op: "write", Path: "out/" + LockPath, Err: syscall.ENOSPC}))
	if want := "write out/.fgen.lock: no space left on device; out is unchanged; free space on its disk, then generate again"; err.Error() != want || !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("explain = %q, want %q, wrapping ENOSPC", err, want)
	}
}
