//go:build unix

package generator

import (
	"errors"
	"syscall"
)

// processRunning reports whether process pid runs on this host: signal 0
// checks without sending anything; EPERM is a process of another user.
func processRunning(pid int) bool {
	if pid <= 0 {
		return true // not a process id: say nothing of it
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
