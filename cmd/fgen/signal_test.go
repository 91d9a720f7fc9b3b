//go:build unix

package main

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// SIGHUP stops fgen as Ctrl-C does, but not under nohup, which starts it
// with SIGHUP ignored: asking to be told of it would undo that.
func TestStopSignals(t *testing.T) {
	if os.Getenv("FGEN_TEST_STOP_SIGNALS") == "1" {
		if slices.Contains(stopSignals(), os.Signal(syscall.SIGHUP)) {
			os.Stdout.WriteString("SIGHUP stops\n")
		} else {
			os.Stdout.WriteString("SIGHUP ignored\n")
		}
		return
	}
	for trap, want := range map[string]string{"": "SIGHUP stops", `trap "" HUP;`: "SIGHUP ignored"} {
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
