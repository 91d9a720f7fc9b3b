// Package bizdate handles business dates: the days, written yyyymmdd, that
// DataWorks calls ${bdp.system.bizdate} and that name the partitions fgen
// reads and writes.
package bizdate

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const layout = "20060102"

// Parse checks a business date written yyyymmdd.
func Parse(s string) (time.Time, error) {
	t, why, ok := parse(s)
	switch {
	case why != "":
		return time.Time{}, fmt.Errorf("invalid business date %q: %s", s, why)
	case !ok:
		return time.Time{}, fmt.Errorf("invalid business date %q; write it as yyyymmdd, e.g. 20210303", s)
	}
	return t, nil
}

// NoDay says why s, written yyyymmdd, is no day of the calendar
// ("2021-02 has no day 30"), as Parse says it; "" when s is a business
// date, or not written so.
func NoDay(s string) string {
	_, why, _ := parse(s)
	return why
}

// parse reads s as a business date: ok when it is one, else why not when
// the form is right but the day is not on the calendar.
func parse(s string) (t time.Time, why string, ok bool) {
	t, err := time.Parse(layout, s)
	var pe *time.ParseError
	switch {
	case err != nil && len(s) == 8 && errors.As(err, &pe) && pe.Message == ": day out of range":
		// 20210230: the form is right, the day is not in the month.
		return t, fmt.Sprintf("%s-%s has no day %s", s[:4], s[4:6], s[6:]), false
	case err != nil && len(s) == 8 && errors.As(err, &pe) && pe.Message == ": month out of range":
		return t, fmt.Sprintf("there is no month %s; write it as yyyymmdd, e.g. 20210303", s[4:6]), false
	case err != nil || len(s) != 8:
		return t, "", false
	case t.Year() == 0:
		// MaxCompute's dates start at 0001-01-01.
		return t, "there is no year 0000", false
	}
	return t, "", true
}

// Format writes t as a business date.
func Format(t time.Time) string { return t.Format(layout) }

// Range returns every business date from first to last, inclusive.
func Range(first, last string) ([]string, error) {
	a, err := Parse(first)
	if err != nil {
		return nil, err
	}
	b, err := Parse(last)
	if err != nil {
		return nil, err
	}
	if b.Before(a) {
		return nil, fmt.Errorf("the range ends on %s, before it starts on %s", last, first)
	}
	var days []string
	for t := a; !t.After(b); t = t.AddDate(0, 0, 1) {
		days = append(days, Format(t))
	}
	return days, nil
}

// Span returns how many business dates first..last holds, inclusive: 0 when
// last is before first or either is not a date.
func Span(first, last string) int {
	a, err := Parse(first)
	if err != nil {
		return 0
	}
	b, err := Parse(last)
	if err != nil || b.Before(a) {
		return 0
	}
	return int((b.Unix()-a.Unix())/86400) + 1 // UTC days: no daylight saving, and no time.Duration limit of 292 years
}

// Add returns the business date n days after day (before it when n < 0).
func Add(day string, n int) (string, error) {
	t, err := Parse(day)
	if err != nil {
		return "", err
	}
	return Format(t.AddDate(0, 0, n)), nil
}

// Next returns the business date after day, which must be valid.
func Next(day string) string {
	next, err := Add(day, 1)
	if err != nil {
		panic(fmt.Sprintf("bizdate.Next: %v", err))
	}
	return next
}

// Hours are the hour partitions of a day, "00" to "23", as a DataWorks
// hourly node writes them ($[hh24]).
var Hours = func() []string {
	h := make([]string, 24)
	for i := range h {
		h[i] = fmt.Sprintf("%02d", i)
	}
	return h
}()

// ValidHour reports whether s is an hour partition value: two digits from
// 00 to 23.
func ValidHour(s string) bool {
	return len(s) == 2 && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && (s[0] < '2' || s[1] <= '3')
}

// HourRanges writes hours (sorted values of Hours) as a list of runs:
// "07, 13-23".
func HourRanges(hours []string) string {
	return writeRuns(runs(hours, func(a, b string) bool { return hourIndex(b) == hourIndex(a)+1 }), "-")
}

// DayRanges writes days (sorted valid business dates) as a list of runs:
// "20210302, 20210305..20210310".
func DayRanges(days []string) string {
	return writeRuns(DayRuns(days), "..")
}

// Run is a run of successive values, First to Last (the same for one).
type Run struct{ First, Last string }

// Flags are the flags of a command of the days of run, a run of business
// dates: "--bizdate D" of one, "--from D1 --to D2" of more.
func (r Run) Flags() string {
	if r.First == r.Last {
		return "--bizdate " + r.First
	}
	return "--from " + r.First + " --to " + r.Last
}

// DayRuns returns days (sorted valid business dates) as runs of successive
// dates.
func DayRuns(days []string) []Run {
	return runs(days, func(a, b string) bool { return b == Next(a) })
}

// runs returns sorted values as runs of successive values (b follows a).
func runs(values []string, follows func(a, b string) bool) []Run {
	var out []Run
	for i := 0; i < len(values); {
		j := i
		for j+1 < len(values) && follows(values[j], values[j+1]) {
			j++
		}
		out = append(out, Run{values[i], values[j]})
		i = j + 1
	}
	return out
}

// writeRuns writes runs as a list, a run of several as its first and last
// joined by sep.
func writeRuns(rs []Run, sep string) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.First
		if r.Last != r.First {
			parts[i] += sep + r.Last
		}
	}
	return strings.Join(parts, ", ")
}

func hourIndex(h string) int {
	n, _ := strconv.Atoi(h)
	return n
}
