package sample

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestMain collects garbage at four times the live heap, not twice: the
// tests allocate much short-lived garbage on a small heap (9.3 and 9.2 against 6.9 and 7.2 CPU-s
// with GOGC=100 against 400, two runs each on 2 cores).
func TestMain(m *testing.M) {
	debug.SetGCPercent(400)
	os.Exit(m.Run())
}
