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
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/fgen-dev/fgen/models"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), stopSignals()...)
	go restoreSignals(ctx, stop, signalGrace)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// signalGrace is how long after the first signal a second one is the same
// event delivered twice (a shell resends SIGHUP to its jobs; a wrapper may
// forward a Ctrl-C to its process group, which had it already).
const signalGrace = time.Second

// restoreSignals waits for the first signal, which cancels ctx so that fgen
// cleans up (a rollback, a MaxCompute job to terminate), and grace after it
// calls stop: the next signal then ends fgen at once, as without its
// handler ("press Ctrl-C again").
func restoreSignals(ctx context.Context, stop func(), grace time.Duration) {
	<-ctx.Done()
	time.Sleep(grace)
	stop()
}

// run executes fgen with args and returns its exit status. It is main
// without the process: tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	secrets := &redactor{}
	out := &stickyWriter{w: stdout}
	stdout, stderr = secrets.Writer(out), secrets.Writer(stderr)
	g := &globalOptions{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, secrets: secrets}
	root := newRootCmd(g)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	var said *quietError // a status the command's output explains: changes pending (2), blocked (3)
	finished := err == nil || errors.As(err, &said) && (said.code == exitChanges || said.code == exitBlocked)
	if finished && out.err != nil && cmd != nil {
		// What the command printed did not all arrive (a full disk
		// under fgen plan > plan.md): not its status. What it did is
		// done, which a script must know before it runs it again (a
		// load --append would append twice).
		err, finished = &jsonWritten{fmt.Errorf("%s did all it was to do, but its output did not all arrive (%w): check where standard output goes (a full disk?); what it did is done, so do not run it again to see the output", cmd.Name(), out.err)}, false
	}
	if finished && ctx.Err() != nil && cmd != nil {
		// A signal came as the command finished (a write it then made is
		// whole or none, and it made it): what it was to do is done, but
		// a script must still see that it was stopped, as a shell sees a
		// process a signal stopped. Its output, JSON too, is whole.
		err = &jsonWritten{fmt.Errorf("interrupted (%v) as %s finished: it did all it was to do", context.Cause(ctx), cmd.Name())}
	}
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	if code == exitError && ctx.Err() != nil {
		// A signal stopped what ran, whatever error that made (the
		// engine's own word for it, or a failure it caused): as a
		// shell says of a process a signal stopped.
		code = exitInterrupted
	}
	var quiet *quietError
	if errors.As(err, &quiet) {
		return code
	}
	msg := errorText(ctx, err)
	if strings.HasPrefix(msg, "unknown command ") {
		// cobra's, with its "Did you mean this?" when a command is near:
		// the hint the other usage errors end with.
		msg = strings.TrimRight(msg, "\n") + "\nRun 'fgen --help' for usage"
		if flag := misplacedFlag(msg, args); flag != "" {
			// 'fgen --version --format json': cobra takes json for the
			// command; the flag is what is misplaced.
			msg = fmt.Sprintf("unknown flag: %s before a command: a command's flags follow it (fgen COMMAND %s ...)\nRun 'fgen --help' for usage", flag, flag)
		}
	}
	var diags models.Diagnostics
	if errors.As(err, &diags) && msg == diags.Error() {
		// The problems of funnel.toml, a line each as FILE:LINE:COL: path:
		// message, as editors and CI problem matchers read them.
		fmt.Fprintln(stderr, msg)
	} else {
		fmt.Fprintf(stderr, "fgen: %s\n", msg)
	}
	var written *jsonWritten
	if cmd != nil && offersJSON(cmd) && (wantsJSON(cmd) || argsWantJSON(args)) && !toFile(cmd) && !errors.As(err, &written) {
		// The usage hint is for a terminal.
		msg, _, _ = strings.Cut(msg, "\nRun '")
		writeJSONError(stdout, cmd, err, msg, code)
	}
	return code
}

// interruptible returns what f returns, or ctx's error as soon as ctx
// ends: f may block where no context reaches it (opening a FIFO that no
// one writes or reads), and a signal, which ends ctx, must then stop fgen
// at once, not wait for a second one. f goes on in the background, until
// the process exits. Where ctx has ended already, either may come.
func interruptible[T any](ctx context.Context, f func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// stickyWriter writes to w and keeps the first error a write returned,
// after which it writes nothing: commands print with fmt.Fprint*, whose
// errors they do not check one by one, and run checks this one.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	s.err = err
	return n, err
}

// stopSignals are the signals that stop fgen as Ctrl-C does: what runs is
// cancelled, its transaction rolled back and its temporary files removed:
// SIGTERM, SIGINT and SIGHUP (the terminal closed). Of the last two, one
// that fgen was started with ignored stays ignored: nohup ignores SIGHUP,
// and a shell script ignores SIGINT for what it runs in the background
// (cmd &), so that they keep running; asking to be told of the signal
// would undo that.
func stopSignals() []os.Signal {
	sigs := []os.Signal{syscall.SIGTERM}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGHUP} {
		if !signal.Ignored(sig) {
			sigs = append(sigs, sig)
		}
	}
	return sigs
}

// errorText is err's message, with "context canceled" said as what
// cancelled it when that was a signal: "interrupted (hangup signal
// received)".
func errorText(ctx context.Context, err error) string {
	msg := err.Error()
	// A signal's cause reads "hangup signal received"; it also Is
	// context.Canceled, so compare the cause itself.
	if cause := context.Cause(ctx); cause != nil && cause != context.Canceled {
		said := "interrupted (" + cause.Error() + ")"
		if errors.Is(err, context.Canceled) {
			msg = strings.ReplaceAll(msg, context.Canceled.Error(), said)
		}
		// DuckDB's own word for the interrupt: after the driver's, or
		// alone.
		msg = strings.ReplaceAll(msg, "\nINTERRUPT Error: Interrupted!", "")
		msg = strings.ReplaceAll(msg, "INTERRUPT Error: Interrupted!", said)
	}
	return msg
}

// misplacedFlag returns the flag of a command given before any command
// whose value cobra took for the command: --format in 'fgen --version
// --format json', whose error (msg) is 'unknown command "json"'; "" when
// the word is no such value ('fgen --target local plna': a typo).
func misplacedFlag(msg string, args []string) string {
	word, ok := strings.CutPrefix(msg, `unknown command "`)
	word, _, _ = strings.Cut(word, `"`)
	k := slices.Index(args, word)
	if !ok || k < 1 || !strings.HasPrefix(args[k-1], "--") {
		return ""
	}
	name := strings.TrimPrefix(args[k-1], "--")
	for _, c := range newRootCmd(&globalOptions{}).Commands() {
		if f := c.LocalFlags().Lookup(name); f != nil && f.Value.Type() != "bool" {
			return "--" + name
		}
	}
	return ""
}
