// Package testmain is the TestMain of fgen's test binaries that allocate
// much short-lived garbage on a small heap (the reference, the sample
// generator, loads, configs, the command line and the end-to-end cases).
package testmain

import (
	"os"
	"runtime/debug"
	"testing"
)

// GCPercent is the collector's target for the tests: a cycle when the heap
// has grown to five times what was live after the last one, not twice.
// The packages that use Run spent up to half their CPU in the collector
// and the page faults of its cycles; with 400 instead of 100 (two runs of
// each test binary on 2 cores, user + sys CPU-s): reference 4.3/4.3 ->
// 2.4/2.3, sample 9.3/9.2 -> 6.9/7.2, ingest 8.0/7.0 -> 6.6/6.6, models
// 2.6/2.8 -> 1.9/2.0, cmd/fgen 15.5/15.7 -> 14.4/13.7, and e2e 43.8 ->
// 42.1 (three runs each). internal/duckdb, generator, report and plan
// gained nothing and keep the default.
const GCPercent = 400

// Run sets GCPercent, runs the tests and exits with their code.
func Run(m *testing.M) {
	debug.SetGCPercent(GCPercent)
	os.Exit(m.Run())
}
