// Command fgen generates, plans and applies a conversion-funnel SQL project
// for MaxCompute and DataWorks (or a local DuckDB) from funnel.toml.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// run executes fgen with args and returns its exit status. It is main
// without the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	g := &globalOptions{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	var quiet *quietError
	if errors.As(err, &quiet) {
		return code
	}
	fmt.Fprintf(stderr, "fgen: %v\n", err)
	if cmd != nil && wantsJSON(cmd) {
		writeJSONError(stdout, cmd, err, code)
	}
	return code
}

// stopSignals are the signals that stop fgen as Ctrl-C does: what runs is
// cancelled, its transaction rolled back and its temporary files removed.
// SIGHUP (the terminal closed) is one of them, unless fgen was started with
// it ignored (nohup), which must keep it running.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}
