//go:build !unix

package ingest

func cpuTime() int64 { return 0 }
