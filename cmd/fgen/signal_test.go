//go:build unix

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SIGHUP and SIGINT stop fgen as SIGTERM does, but one it was started with
// ignored stays ignored: nohup ignores SIGHUP, and sh ignores SIGINT for a
// command it runs in the background (cmd &).
func TestStopSignals(t *testing.T) {
	if os.Getenv("FGEN_TEST_STOP_SIGNALS") == "1" {
		sigs := stopSignals()
		fmt.Printf("SIGHUP %v SIGINT %v SIGTERM %v\n", slices.Contains(sigs, os.Signal(syscall.SIGHUP)),
			slices.Contains(sigs, os.Interrupt), slices.Contains(sigs, os.Signal(syscall.SIGTERM)))
		return
	}
	// The children start with the signals at their defaults whatever this
	// test was started with (under nohup, say): a signal caught here is
	// reset to its default in a new program.
	caught := make(chan os.Signal, 1)
	signal.Notify(caught, syscall.SIGHUP, os.Interrupt)
	defer signal.Stop(caught)
	for trap, want := range map[string]string{
		"":                 "SIGHUP true SIGINT true SIGTERM true",
		`trap "" HUP;`:     "SIGHUP false SIGINT true SIGTERM true",
		`trap "" INT;`:     "SIGHUP true SIGINT false SIGTERM true",
		`trap "" HUP INT;`: "SIGHUP false SIGINT false SIGTERM true",
	} {
		cmd := exec.Command("sh", "-c", trap+` exec "$0" -test.run '^TestStopSignals$'`, os.Args[0])
		cmd.Env = append(os.Environ(), "FGEN_TEST_STOP_SIGNALS=1")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if !strings.Contains(string(out), want+"\n") {
			t.Errorf("with %q before fgen: %q, want %q", trap, out, want)
		}
	}
}

// A signal stops fgen at once where it waits on a FIFO no one writes or
// reads: the config named by -c, a report's -o. It waited for a second
// signal, which timeout, systemd and docker stop do not send.
func TestSignalStopsAWaitOnAFIFO(t *testing.T) {
	dir := project(t)
	for _, args := range [][]string{
		{"-c", "in.toml", "validate"},
		{"report", "--bizdate", "20210303", "-o", "out.json"},
	} {
		fifo := filepath.Join(dir, map[bool]string{true: "in.toml", false: "out.json"}[args[0] == "-c"])
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		if args[0] != "-c" {
			sampled(t, dir, 5, 1) // a warehouse to report from
		}
		ctx, cancel := context.WithCancelCause(context.Background())
		done := make(chan result, 1)
		go func() { done <- fgenCtx(t, ctx, dir, args...) }()
		waitForFIFOPartner(t)
		cancel(errors.New("terminated signal received"))
		select {
		case r := <-done:
			if r.code != exitInterrupted || !strings.Contains(r.stderr, "interrupted (terminated signal received)") {
				t.Errorf("%v: exit %d: %q", args, r.code, r.stderr)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v: still waiting on the FIFO 10 s after the signal", args)
		}
		// The open fgen left waiting ends, and the FIFO goes.
		if f, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
			f.Close()
		}
		os.Remove(fifo)
	}
}

// waitForFIFOPartner waits until a thread of this process waits in the
// kernel for the other end of a FIFO (Linux's wchan wait_for_partner), at
// most 10 s; elsewhere, where /proc says nothing of it, half a second.
func waitForFIFOPartner(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/proc/self/task"); err != nil {
		time.Sleep(500 * time.Millisecond)
		return
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		tasks, _ := filepath.Glob("/proc/self/task/*/wchan")
		for _, task := range tasks {
			if w, _ := os.ReadFile(task); string(w) == "wait_for_partner" {
				return
			}
		}
	}
	t.Fatal("fgen never waited on the FIFO")
}

// A config read from a FIFO is read once: the note of an out/ that differs
// read it again, and plan waited for a second writer that never came.
func TestFIFOConfigIsReadOnce(t *testing.T) {
	dir := project(t)
	if r := fgen(t, dir, nil, "generate", "-q"); r.code != 0 {
		t.Fatalf("generate: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `{ name = "purchase", events = ["purchase"] }`, `{ name = "purchase", events = ["purchase", "buy"] }`)
	data, err := os.ReadFile(filepath.Join(dir, "funnel.toml"))
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "cfg.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() { // one writer, as a shell's < <(...) is
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Write(data)
			f.Close()
		}
	}()
	done := make(chan result, 1)
	go func() { done <- fgen(t, dir, nil, "-c", "cfg.fifo", "plan") }()
	select {
	case r := <-done:
		if r.code != 2 || !strings.Contains(r.stderr, "note: out is not what this fgen generates from cfg.fifo") {
			t.Errorf("plan -c cfg.fifo: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("plan -c cfg.fifo waited for a second writer")
	}
}
