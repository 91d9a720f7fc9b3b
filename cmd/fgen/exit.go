package main

import (
	"context"
	"errors"
)

// Exit status, one contract for every command.
const (
	exitOK          = 0   // success, or no changes
	exitError       = 1   // an error, usage errors included
	exitChanges     = 2   // changes pending or out of sync (diff, plan)
	exitBlocked     = 3   // blocked by the destructive-change policy
	exitInterrupted = 130 // interrupted (Ctrl-C, SIGTERM)
)

const exitStatusHelp = `EXIT STATUS
  0    success, or nothing to change
  1    error (bad config, bad usage, failed job)
  2    changes pending: out/ is out of sync (diff), or the warehouse differs (plan)
  3    blocked: a destructive change needs --allow-destructive
  130  interrupted`

// codeError carries an exit status other than 1.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

// quietError sets the exit status without printing anything more: the
// command already said what happened.
type quietError struct{ code int }

func (e *quietError) Error() string { return "exit status" }

func exitCode(err error) int {
	var q *quietError
	if errors.As(err, &q) {
		return q.code
	}
	var c *codeError
	if errors.As(err, &c) {
		return c.code
	}
	if errors.Is(err, context.Canceled) {
		return exitInterrupted
	}
	return exitError
}
