package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows how long work advances: on a terminal a bar with the
// count, the rate and the time left, above which lines scroll; elsewhere
// (a pipe, a CI log) plain lines; with -q nothing but failures.
type progress struct {
	w     io.Writer
	quiet bool
	bar   *progressbar.ProgressBar // nil unless on a terminal
}

// newProgress starts the progress of total steps of work described by what
// (e.g. "jobs"), on g's stderr.
func (g *globalOptions) newProgress(total int, what string) *progress {
	p := &progress{w: g.stderr, quiet: g.quiet}
	if f, ok := g.stderr.(*os.File); ok && !g.quiet && total > 0 && isTerminal(f) {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(f),
			progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString(what),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionEnableColorCodes(false), // and so NO_COLOR holds
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30),
		)
	}
	return p
}

// Line prints a line of information (not with -q). On a terminal it goes
// above the bar.
func (p *progress) Line(format string, args ...any) {
	if p.quiet {
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
	if p.bar != nil {
		p.bar.Clear()
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.bar != nil {
		p.bar.RenderBlank()
	}
}

// Step counts a step of work done.
func (p *progress) Step() {
	if p.bar != nil {
		p.bar.Add(1)
	}
}

// Done ends the progress, clearing the bar.
func (p *progress) Done() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
