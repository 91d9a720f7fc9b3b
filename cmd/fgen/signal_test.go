//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"testing"
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
