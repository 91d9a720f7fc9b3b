package reference

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestMain collects garbage at four times the live heap, not twice: the
// tests allocate much short-lived garbage on a small heap (4.3 and 4.3 against 2.4 and 2.3 CPU-s
// with GOGC=100 against 400, two runs each on 2 cores).
func TestMain(m *testing.M) {
	debug.SetGCPercent(400)
	os.Exit(m.Run())
}
