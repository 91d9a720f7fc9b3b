package ingest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/models"
)

// rowPos is a row's place: the index of its file in Options.Files and its
// line (Parquet: row; 0 when it does not matter).
type rowPos struct {
	file int
	line int64
}

func (a rowPos) before(b rowPos) bool {
	return a.file < b.file || (a.file == b.file && a.line < b.line)
}

// partitions notes the partition values of the rows.
type partitions struct {
	opts *Options

	// Without a day: the first row of each value, and the first row without
	// one (with DayFrom: without a time either).
	firstAt   map[string]rowPos
	firstNull *rowPos
	invalid   bool // some value is not a date
	// With DayFrom: the files that have rows without a value but with a
	// time, whose days derivedDays adds.
	derive map[int]bool
	// With a day: the first Parquet row of another day.
	otherDay *RowError
}

// saw notes the partition value v of a row (NULL if not set) that its file
// writes in column name; timed: the row has a value in the column of
// DayFrom. With a day, a value other than the day is an error.
func (p *partitions) saw(fi int, line int64, name string, v []byte, set, timed bool) error {
	if p.opts.Day != "" {
		if set && string(v) != p.opts.Day {
			return errors.New(otherDayMsg(name, string(v), p.opts.Partition, p.opts.Day))
		}
		return nil
	}
	if !set {
		switch {
		case timed && p.opts.DayFrom != nil:
			if p.derive == nil {
				p.derive = map[int]bool{}
			}
			p.derive[fi] = true
		case p.firstNull == nil:
			p.firstNull = &rowPos{fi, line}
		}
		return nil
	}
	if _, ok := p.firstAt[string(v)]; !ok {
		day := string(v)
		p.firstAt[day] = rowPos{fi, line}
		if !validDay(day) {
			p.invalid = true
		}
	}
	return nil
}

func (p *partitions) problem() bool { return p.firstNull != nil || p.invalid || p.otherDay != nil }

// error returns the first row, in file and line order, whose partition
// value is missing or not a date (loads without a day) or, for Parquet rows,
// not the day loaded.
func (p *partitions) error(files []*input) error {
	if p.opts.Day != "" {
		if p.otherDay != nil {
			return p.otherDay
		}
		return nil
	}
	var bad *rowPos
	var val string
	if p.firstNull != nil {
		bad = p.firstNull
	}
	for v, at := range p.firstAt {
		if validDay(v) || (bad != nil && !at.before(*bad)) {
			continue
		}
		bad, val = &at, v
	}
	if bad == nil {
		return nil
	}
	file := files[bad.file].path
	if bad == p.firstNull {
		if d := p.opts.DayFrom; d != nil {
			return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("no %s value, and no %s to take it from; give the partition with --bizdate yyyymmdd, or a %s or %s in every row",
				p.opts.Partition, d.Time.Name, p.opts.Partition, d.Time.Name)}
		}
		if p.opts.HourPartition == "" {
			// The day could come from the time, had a funnel one.
			return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("no %s value; give the partition with --bizdate yyyymmdd, a %s column in every row, or a time_column in a funnel of funnel.toml to take each row's day from", p.opts.Partition, p.opts.Partition)}
		}
		return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("no %s value; give the partition with --bizdate yyyymmdd, or a %s column in every row", p.opts.Partition, p.opts.Partition)}
	}
	if why := bizdate.NoDay(val); why != "" && strings.Trim(val, "0123456789") == "" {
		// Written yyyymmdd, but no day of the calendar (20210230).
		return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("%s %q is no day of the calendar: %s", p.opts.Partition, val, why)}
	}
	return &RowError{File: file, Line: bad.line, Msg: fmt.Sprintf("%s %q is not a date written yyyymmdd", p.opts.Partition, val)}
}

// days returns the partitions the load writes, sorted.
func (p *partitions) days() []string {
	if p.opts.Day != "" {
		return []string{p.opts.Day}
	}
	days := make([]string, 0, len(p.firstAt))
	for v := range p.firstAt {
		days = append(days, v)
	}
	slices.Sort(days)
	return days
}

// derived notes day, the date of the time of some rows of file fi without a
// partition value; an error if it is no date yyyymmdd (a year past 9999).
func (p *partitions) derived(files []*input, fi int, day string) error {
	if v, ok := strings.CutPrefix(day, farTime); ok {
		return &RowError{File: files[fi].path, Msg: p.explainFarTime(v)}
	}
	if !validDay(day) {
		msg := fmt.Sprintf("a row without %s has a %s whose date, %q, is not a date written yyyymmdd",
			p.opts.Partition, p.opts.DayFrom.Time.Name, day)
		if why := bizdate.NoDay(day); why != "" {
			// Written yyyymmdd, of a day no business date is (year 0000).
			msg = fmt.Sprintf("a row without %s has a %s whose date, %q, is no business date: %s; correct the time, or give the row a %s",
				p.opts.Partition, p.opts.DayFrom.Time.Name, day, why, p.opts.Partition)
		}
		if len(day) > 8 && day[0] != '-' {
			// A time of 9999-12-31 whose day in the business day's zone
			// is in the year 10000 (a time past 9999 has none: farTime).
			zone := cmp.Or(p.opts.DayFrom.Zone, "UTC")
			msg = fmt.Sprintf("a row without %s has a %s whose date in %s, %q, is past the year 9999, which no business date is; correct the time, or give the row a %s",
				p.opts.Partition, p.opts.DayFrom.Time.Name, zone, day, p.opts.Partition)
		}
		return &RowError{File: files[fi].path, Msg: msg}
	}
	if _, ok := p.firstAt[day]; !ok {
		p.firstAt[day] = rowPos{fi, 0}
	}
	return nil
}

// explainFarTime explains the epoch time v (its text) of a row without a
// partition value, outside the years 0000 to 9999, and guesses its unit.
func (p *partitions) explainFarTime(v string) string {
	d := p.opts.DayFrom
	unit := models.EpochUnit(d.units())
	when := "past the year 9999"
	if strings.HasPrefix(v, "-") {
		when = "before the year 0000"
	}
	msg := fmt.Sprintf("a row without %s has a %s of %s, %s in epoch %s", p.opts.Partition, d.Time.Name, v, when, unit)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return msg
	}
	// Times of a log from 1970 to 2100 in a finer unit: milliseconds,
	// which a time_column reads, or micro- and nanoseconds, which it does
	// not (a sentinel such as the greatest BIGINT is none of them).
	const hi = 4102444800 // 2100-01-01 00:00:00 UTC
	for _, u := range []struct {
		name   string
		perSec int64
	}{{"milliseconds", 1e3}, {"microseconds", 1e6}, {"nanoseconds", 1e9}} {
		if u.perSec <= d.units() || n/u.perSec > hi {
			continue
		}
		if u.perSec == 1000 {
			return msg + fmt.Sprintf(" (are its times in milliseconds? say so with time_column = { name = \"%s\", unit = \"ms\" } in funnel.toml)", d.Time.Name)
		}
		// fgen reads seconds and milliseconds: divide to milliseconds.
		msg += fmt.Sprintf(" (are its times in %s? divide them by %d to milliseconds", u.name, u.perSec/1000)
		if d.units() == 1 {
			msg += fmt.Sprintf(", and say so with time_column = { name = \"%s\", unit = \"ms\" } in funnel.toml", d.Time.Name)
		}
		return msg + ")"
	}
	return msg
}
