//go:build unix

package ingest

import "syscall"

// cpuTime is the CPU time the process has used, user and system, in
// nanoseconds; 0 where it is not known.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
