//go:build !cgo

package main

// openLocal fails: DuckDB needs cgo, and this build has none.
func openLocal(localOptions) (localEngine, error) { return nil, errNoLocalEngine }
