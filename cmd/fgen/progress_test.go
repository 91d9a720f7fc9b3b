package main

import (
	"io"
	"strings"
	"testing"
	"time"
)

// onTTY makes fgen's stderr a terminal, whose bars show at once, for the
// rest of the test.
func onTTY(t *testing.T) {
	term, delay, throttle, tick := onTerminal, barDelay, barThrottle, barTick
	onTerminal, barDelay, barThrottle, barTick = func(io.Writer) bool { return true }, 0, 0, time.Millisecond
	t.Cleanup(func() { onTerminal, barDelay, barThrottle, barTick = term, delay, throttle, tick })
}

// sample, load and apply show a bar on a terminal (with the count, the
// rate, the time left, or a spinner with the time spent), plain lines
// elsewhere, and nothing with -q. (TestMaxComputeReport: report's bar.)
func TestProgress(t *testing.T) {
	dir := project(t)
	pipe := fgen(t, dir, nil, "sample", "--users", "500", "--days", "2", "-o", "e.jsonl")
	if pipe.code != 0 || !strings.Contains(pipe.stderr, "  20210304 done (day 2 of 2)\n") || strings.Contains(pipe.stderr, "users/s") {
		t.Fatalf("sample on a pipe: %+v", pipe)
	}
	if r := fgen(t, dir, nil, "load", "e.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "loading 1 file (") {
		t.Fatalf("load on a pipe: %+v", r)
	}
	// A Parquet file is written after the events are made: a line says so.
	if r := fgen(t, dir, nil, "sample", "--users", "500", "--days", "2", "-o", "e.parquet"); r.code != 0 || !strings.Contains(r.stderr, "  20210304 done (day 2 of 2)\n  writing e.parquet\nwrote ") {
		t.Errorf("sample -o e.parquet on a pipe: %+v", r)
	}
	// One day that takes longer than barDelay: a line as each tenth of
	// its users is done (the sample calls back every 4096 users).
	delay := barDelay
	barDelay = 0
	r := fgen(t, dir, nil, "sample", "--users", "8200", "-o", "one.jsonl")
	if want := "  20210303: 4096 of 8200 users\n  20210303: 8192 of 8200 users\nwrote "; r.code != 0 || !strings.HasPrefix(r.stderr, want) {
		t.Errorf("sample of one day on a pipe: want lines\n%s\n%+v", want, r)
	}
	barDelay = time.Hour
	if r := fgen(t, dir, nil, "sample", "--users", "8200", "-o", "one.jsonl"); r.code != 0 || strings.Contains(r.stderr, " of 8200 users") {
		t.Errorf("sample of one day quicker than barDelay printed lines: %+v", r)
	}
	barDelay = delay

	onTTY(t)
	tty := fgen(t, dir, nil, "sample", "--users", "500", "--days", "2", "-o", "e.jsonl")
	if tty.code != 0 || !strings.Contains(tty.stderr, "/1000, ") || !strings.Contains(tty.stderr, "users/s") || strings.Contains(tty.stderr, "done (day") {
		t.Errorf("sample on a terminal: %+v", tty)
	}
	if r := fgen(t, dir, nil, "load", "e.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "⠋ loading 1 file (") || !strings.Contains(r.stdout, "loaded ") {
		t.Errorf("load on a terminal: %+v", r)
	}
	if r := fgen(t, dir, nil, "sample", "--users", "500", "--days", "2", "-o", "e.parquet"); r.code != 0 || !strings.Contains(r.stderr, "⠋ writing e.parquet") || strings.Contains(r.stderr, "  writing e.parquet\n") {
		t.Errorf("sample -o e.parquet on a terminal: %+v", r)
	}
	if r := fgen(t, dir, nil, "apply", "--from", "20210303", "--to", "20210304", "--yes"); r.code != 0 || !strings.Contains(r.stderr, "jobs/s") {
		t.Errorf("apply on a terminal: %+v", r)
	}
	// A CI runner's terminal, and a dumb one, get the lines of a pipe.
	for _, env := range []map[string]string{{"CI": "true"}, {"TERM": "dumb"}} {
		r := fgen(t, dir, env, "sample", "--users", "500", "--days", "2", "-o", "e.jsonl")
		if r.code != 0 || !strings.Contains(r.stderr, "  20210304 done (day 2 of 2)\n") || strings.Contains(r.stderr, "users/s") {
			t.Errorf("sample on a terminal with %v: %+v", env, r)
		}
	}
	for _, ci := range []string{"false", "0", "FALSE"} {
		if r := fgen(t, dir, map[string]string{"CI": ci}, "sample", "--users", "500", "--days", "2", "-o", "e.jsonl"); r.code != 0 || !strings.Contains(r.stderr, "users/s") {
			t.Errorf("sample on a terminal with CI=%s: %+v", ci, r)
		}
	}
	for _, args := range [][]string{
		{"sample", "-q", "--users", "500", "-o", "e.jsonl"},
		{"load", "-q", "e.jsonl"},
		{"report", "-q", "--bizdate", "20210303"},
	} {
		if r := fgen(t, dir, nil, args...); r.code != 0 || strings.Contains(r.stderr, "%") || strings.Contains(r.stderr, "loading") {
			t.Errorf("fgen %s: %+v", strings.Join(args, " "), r)
		}
	}
	// sample -q says nothing: the file is its result. With --load, which
	// writes the warehouse, it says what it wrote, as load -q does.
	if r := fgen(t, dir, nil, "sample", "-q", "--users", "50", "-o", "f.jsonl"); r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("fgen sample -q: %+v", r)
	}
	if r := fgen(t, dir, nil, "sample", "-q", "--users", "50", "--start", "20210310", "--load"); r.code != 0 || !strings.HasPrefix(r.stdout, "wrote ") || strings.Count(r.stdout, "\n") != 1 || r.stderr != "" {
		t.Errorf("fgen sample -q --load: %+v", r)
	}
}

// A bar's line fits its terminal: a wider one wraps, and each redraw then
// leaves a copy behind. At 80 columns the bar of a million users keeps its
// rate; at 50 it drops the rate and the time left; at any width the line
// fits down to the count's own width.
func TestBarFitsItsTerminal(t *testing.T) {
	onTTY(t)
	cols := terminalColumns
	t.Cleanup(func() { terminalColumns = cols })
	for _, c := range []struct {
		cols     int
		rate     bool
		total    int
		what     string
		minWidth int
	}{
		{0, true, 1000000, "users", 30},
		{200, true, 1000000, "users", 30},
		{80, true, 1000000, "users", 5},
		{80, true, 99999, "jobs", 5},
		{50, false, 1000000, "users", 1},
		{40, false, 1000, "jobs", 1},
		{30, false, 1000000, "users", 0}, // no bar: lines, as on a pipe
		{50, true, -1, "writing /tmp/exports/funnel-samples/2021/events.parquet", 30},
		{20, true, -1, "writing /tmp/exports/funnel-samples/2021/events.parquet", 30}, // no spinner
	} {
		var buf strings.Builder
		terminalColumns = func(io.Writer) int { return c.cols }
		g := &globalOptions{stderr: &buf}
		p := g.newProgress(c.total, c.what)
		for _, n := range []int{1, c.total / 3, c.total / 3} {
			time.Sleep(2 * time.Millisecond)
			p.Add(n)
		}
		p.Done()
		width, rate := barFit(c.cols, c.total, c.what)
		if rate != c.rate || width < c.minWidth || width > 30 {
			t.Errorf("%d columns, %d %s: width %d, rate %v", c.cols, c.total, c.what, width, rate)
		}
		switch {
		case c.total > 0 && rate != strings.Contains(buf.String(), c.what+"/s"):
			t.Errorf("%d columns: rate %v, drawn %q", c.cols, rate, buf.String())
		case (width == 0 || c.total < 0 && spinnerFit(c.cols, c.what) == "") != (buf.Len() == 0):
			t.Errorf("%d columns, %d %s: drawn %q", c.cols, c.total, c.what, buf.String())
		}
		if c.cols == 0 {
			continue
		}
		for _, line := range strings.FieldsFunc(buf.String(), func(r rune) bool { return r == '\r' || r == '\n' }) {
			if n := len([]rune(strings.TrimRight(line, " "))); n >= c.cols {
				t.Errorf("%d columns, %d %s: a line of %d: %q", c.cols, c.total, c.what, n, line)
			}
		}
	}
}
