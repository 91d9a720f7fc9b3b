package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how long work advances: on a terminal a bar with the
// count, the rate and the time left, above which lines scroll; elsewhere
// (a pipe, a CI log) plain lines; with -q nothing but failures.
type progress struct {
	g   *globalOptions           // its stderr and -q
	bar *progressbar.ProgressBar // nil unless on a terminal

	stop, stopped chan struct{} // the bar's ticker, while it runs
}

// onTerminal reports whether w is a terminal, where progress is a bar
// (tests set it).
var onTerminal = func(w io.Writer) bool {
	f := fileOf(w)
	return f != nil && isTerminal(f)
}

// fileOf returns the file w writes to, beneath the redactor every run's
// streams go through (redact.go) and stdout's stickyWriter (main.go); nil
// when w is no file.
func fileOf(w io.Writer) *os.File {
	if rw, ok := w.(redactedWriter); ok {
		w = rw.w
	}
	if sw, ok := w.(*stickyWriter); ok {
		w = sw.w
	}
	f, _ := w.(*os.File)
	return f
}

// plainTerminal reports a terminal that wants plain lines, not a bar
// redrawn in place: a CI runner's pseudo-terminal (CI is set, as GitHub
// Actions, GitLab CI and most others set it; not to false or 0), or
// TERM=dumb.
func plainTerminal(getenv func(string) string) bool {
	if getenv == nil { // a globalOptions of a test
		return false
	}
	ci := strings.ToLower(getenv("CI"))
	return ci != "" && ci != "false" && ci != "0" || getenv("TERM") == "dumb"
}

// barDelay is how long work runs before its bar shows: work that takes less
// leaves no trace on the terminal.
var barDelay = time.Second

// barThrottle is how often a bar is drawn at most.
var barThrottle = 100 * time.Millisecond

// barTick is how often a bar is redrawn, or a spinner turns, between steps.
var barTick = 100 * time.Millisecond

// newProgress starts the progress of total steps of work described by what
// (e.g. "jobs"), on g's stderr. A total below zero is work of unknown size:
// a spinner with the time spent.
func (g *globalOptions) newProgress(total int, what string) *progress {
	p := &progress{g: g}
	if g.quiet || total == 0 || !onTerminal(g.stderr) || plainTerminal(g.getenv) {
		return p
	}
	cols := terminalColumns(g.stderr)
	width, rate := barFit(cols, total, what)
	if total < 0 {
		what = spinnerFit(cols, what)
	}
	if width == 0 || what == "" {
		return p // no room for a bar or a spinner: lines, as on a pipe
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(&delayed{w: g.stderr, from: time.Now().Add(barDelay)}),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(barThrottle),
		progressbar.OptionEnableColorCodes(false), // and so NO_COLOR holds
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(width),
	}
	if total > 0 {
		opts = append(opts, progressbar.OptionShowCount())
		if rate {
			opts = append(opts,
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString(what),
				progressbar.OptionSetPredictTime(true))
		} else {
			opts = append(opts, progressbar.OptionSetPredictTime(false))
		}
	} else {
		opts = append(opts, progressbar.OptionSpinnerType(14), progressbar.OptionSetSpinnerChangeInterval(100*time.Millisecond))
		total = -1
	}
	p.bar = progressbar.NewOptions(total, opts...)
	p.bar.RenderBlank() // at once, should barDelay be over (tests)
	p.tick(total < 0)
	g.errMu.Lock()
	g.shown = p
	g.errMu.Unlock()
	return p
}

// terminalColumns returns the width of the terminal w writes to, 0 when
// it cannot tell (tests set it).
var terminalColumns = func(w io.Writer) int {
	f := fileOf(w)
	if f == nil {
		return 0
	}
	cols, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0
	}
	return cols
}

// barFit returns the width of the bar of total steps of what, at most 30,
// and whether the line has room for the rate and the time left, so that
// the whole line fits a terminal of cols columns (0: unknown); a width of
// 0 when even the shortest line does not fit. A line wider than its
// terminal wraps, and each redraw then leaves a copy of it behind. The
// line of a counted bar reads
//
//	users  70% |█████████         | (708608/1000000, 24744 users/s) [21s:8s]
func barFit(cols, total int, what string) (width int, rate bool) {
	const most, least = 30, 5
	if cols <= 0 || total < 0 {
		return most, true
	}
	digits := len(strconv.Itoa(total))
	// what, " 100% |", "| (", the count, ")", " [", two times, "]", and
	// a column the cursor may take
	rest := len(what) + 7 + 3 + 2*digits + 1 + 1 + 2 + 2*len("99h59m59s") + 1 + 1 + 1
	rateText := len(", ") + len("9999999 ") + len(what) + len("/s")
	if width := cols - rest - rateText; width >= least {
		return min(width, most), true
	}
	if width := cols - rest + len("99h59m59s") + 1; width >= 3 {
		return min(width, most), false
	}
	return 0, false
}

// spinnerFit returns what, the text of a spinner, shortened from its
// start to fit a terminal of cols columns (0: unknown) beside the spinner
// and the time spent ("⠋ writing …/2021/events.parquet  [11s]"); "" when
// too little of it would show.
func spinnerFit(cols int, what string) string {
	room := cols - len("⠋ ") - len("  [99h59m59s]") - 1
	r := []rune(what)
	switch {
	case cols <= 0 || len(r) <= room:
		return what
	case room < 12:
		return ""
	}
	return "…" + string(r[len(r)-room+1:])
}

// tick draws the bar as time passes, also between steps (and so once
// barDelay is over), and turns a spinner.
func (p *progress) tick(spin bool) {
	n := 0 // a counted bar redraws; a spinner turns
	if spin {
		n = 1
	}
	p.stop = make(chan struct{})
	p.stopped = make(chan struct{})
	go func() {
		defer close(p.stopped)
		t := time.NewTicker(barTick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.bar.Add(n)
			}
		}
	}()
}

// delayed drops what is written to w before the time from.
type delayed struct {
	w    io.Writer
	from time.Time
}

func (d *delayed) Write(b []byte) (int, error) {
	if time.Now().Before(d.from) {
		return len(b), nil
	}
	return d.w.Write(b)
}

// Line prints a line of information (not with -q). On a terminal it goes
// above the bar.
func (p *progress) Line(format string, args ...any) {
	if p.g.quiet {
		return
	}
	p.print(format, args...)
}

// Problem prints a line about something that went wrong, also with -q.
func (p *progress) Problem(format string, args ...any) { p.print(format, args...) }

// Detail prints a line a terminal's bar stands for (a step done); a pipe,
// which shows no bar, gets it.
func (p *progress) Detail(format string, args ...any) {
	if p.bar == nil {
		p.Line(format, args...)
	}
}

func (p *progress) print(format string, args ...any) {
	p.g.errMu.Lock()
	defer p.g.errMu.Unlock()
	p.printLocked(format, args...)
}

// printLocked is print with g.errMu held.
func (p *progress) printLocked(format string, args ...any) {
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.g.stderr, format+"\n", args...)
	if p.bar != nil {
		p.bar.RenderBlank()
	}
}

// Step counts a step of work done.
func (p *progress) Step() { p.Add(1) }

// Add counts n steps of work done.
func (p *progress) Add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// Done ends the progress, clearing the bar.
func (p *progress) Done() {
	p.g.errMu.Lock()
	if p.g.shown == p {
		p.g.shown = nil
	}
	p.g.errMu.Unlock()
	if p.stop != nil {
		close(p.stop)
		<-p.stopped
		p.stop = nil
	}
	if p.bar != nil {
		p.bar.Finish()
	}
}

// warn prints "warning: " and a line on stderr, also with -q, as notice
// prints it. It is safe for concurrent use.
func (g *globalOptions) warn(format string, args ...any) {
	g.printLine("warning: "+format, args...)
}

// notice prints a line on stderr about what fgen does of its own accord,
// such as retrying a request (not with -q); on a terminal, above the bar
// of the progress shown, if any. It is safe for concurrent use.
func (g *globalOptions) notice(format string, args ...any) {
	if !g.quiet {
		g.printLine(format, args...)
	}
}

// printLine prints a line on stderr, above the progress bar shown, if any.
func (g *globalOptions) printLine(format string, args ...any) {
	g.errMu.Lock()
	defer g.errMu.Unlock()
	if g.shown != nil {
		g.shown.printLocked(format, args...)
		return
	}
	fmt.Fprintf(g.stderr, format+"\n", args...)
}
