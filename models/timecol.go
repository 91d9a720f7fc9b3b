package models

import (
	"fmt"
	"slices"
	"strings"
)

// TimeColumn is a funnel's time column and how to read it: written either
// as the column's name (integer epoch seconds) or as a table:
//
//	time_column = "ts"                                   # BIGINT epoch seconds
//	time_column = { name = "ts", unit = "ms" }           # BIGINT epoch milliseconds
//	time_column = "event_time"                           # DATETIME or TIMESTAMP
//	time_column = { name = "event_time", format = "yyyy-MM-dd HH:mm:ss", timezone = "UTC" }  # STRING
//
// Times are compared at the column's precision (Unit) and reported in
// seconds; see docs/FUNNELS.md, "Times other than epoch seconds".
type TimeColumn struct {
	Name string `toml:"name"`
	// Unit is "s" or "ms" for an integer column; empty otherwise (and "s"
	// for an integer column when not given).
	Unit string `toml:"unit"`
	// Format and Timezone read a STRING column: a pattern of the letters
	// yyyy, MM, dd, HH, mm, ss and SSS (milliseconds), and the IANA zone
	// the times are in.
	Format   string `toml:"format"`
	Timezone string `toml:"timezone"`
}

// Kinds of time column, by the DW column's type (TimeKind).
const (
	TimeEpoch    = "epoch"    // an integer column of seconds or milliseconds
	TimeDatetime = "datetime" // DATETIME or TIMESTAMP, at millisecond precision
	TimeString   = "string"   // a STRING in Format, in Timezone
)

// TimeKind returns how a time column of DW type typ is read.
func TimeKind(typ string) string {
	switch {
	case IsInteger(typ):
		return TimeEpoch
	case IsString(typ):
		return TimeString
	}
	return TimeDatetime
}

// UnitsPerSecond is the precision of a time column of DW type typ: 1000
// when times are in milliseconds (a unit of "ms", a DATETIME or TIMESTAMP,
// a format with SSS), else 1.
func (t TimeColumn) UnitsPerSecond(typ string) int64 {
	switch TimeKind(typ) {
	case TimeEpoch:
		if t.Unit == "ms" {
			return 1000
		}
	case TimeDatetime:
		return 1000
	case TimeString:
		if strings.Contains(t.Format, "SSS") {
			return 1000
		}
	}
	return 1
}

// TimeLetters are the pattern letters a Format takes, longest first.
var TimeLetters = []string{"yyyy", "SSS", "MM", "dd", "HH", "mm", "ss"}

// FormatParts splits a time format into its pattern letters (yyyy, MM, dd,
// HH, mm, ss, SSS) and the literal text between them, in order. Letters
// outside single quotes must be pattern letters ('T' quotes a T); other
// characters are literal.
func FormatParts(format string) (parts []string, letters []bool, err error) {
	literal := func(s string) {
		if n := len(parts); n > 0 && !letters[n-1] {
			parts[n-1] += s
		} else {
			parts, letters = append(parts, s), append(letters, false)
		}
	}
	for i := 0; i < len(format); {
		if format[i] == '\'' {
			end := strings.IndexByte(format[i+1:], '\'')
			if end < 0 {
				return nil, nil, fmt.Errorf("format %q: the quote at %d is not closed", format, i+1)
			}
			literal(format[i+1 : i+1+end])
			i += end + 2
			continue
		}
		matched := false
		for _, l := range TimeLetters {
			if strings.HasPrefix(format[i:], l) {
				parts, letters = append(parts, l), append(letters, true)
				i += len(l)
				matched = true
				break
			}
		}
		if matched {
			continue
		}
		if c := format[i]; c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			return nil, nil, fmt.Errorf("format %q: %q at %d is no pattern fgen reads; use yyyy, MM, dd, HH, mm, ss and SSS, and quote other letters, as in yyyy-MM-dd'T'HH:mm:ss", format, format[i:i+1], i+1)
		}
		literal(format[i : i+1])
		i++
	}
	return parts, letters, nil
}

// StringTimes returns the STRING time columns of the funnels, each once
// (the first funnel's declaration; validation refuses two formats for one
// column), in the order the funnels name them: the columns whose values
// the DW node drops when they do not read in their format.
func (c *Config) StringTimes() []TimeColumn {
	var out []TimeColumn
	seen := map[string]bool{}
	for _, f := range c.Funnels {
		col, ok := c.DW.Column(f.TimeColumn.Name)
		if !ok || TimeKind(col.Type) != TimeString || f.TimeColumn.Format == "" || seen[strings.ToLower(col.Name)] {
			continue
		}
		seen[strings.ToLower(col.Name)] = true
		t := f.TimeColumn
		t.Name = col.Name
		out = append(out, t)
	}
	return out
}

// OrderedEpochTime is an epoch time column (BIGINT seconds or
// milliseconds) that ordered funnels read, and which of them.
type OrderedEpochTime struct {
	Name    string // the DW column's, which the DW node copies from the ODS column so named
	Units   int64  // per second: 1 or 1000
	Funnels []string
}

// OrderedEpochTimes returns the epoch time columns of the ordered funnels,
// by column and unit, in funnel order: the columns whose values outside
// the years 0000 to 9999 (EpochRange) the ordered funnels skip.
func (c *Config) OrderedEpochTimes() []OrderedEpochTime {
	var out []OrderedEpochTime
	for _, f := range c.Funnels {
		col, ok := c.DW.Column(f.TimeColumn.Name)
		if f.Mode != ModeOrdered || !ok || TimeKind(col.Type) != TimeEpoch {
			continue
		}
		units := f.TimeColumn.UnitsPerSecond(col.Type)
		i := slices.IndexFunc(out, func(t OrderedEpochTime) bool { return sameName(t.Name, col.Name) && t.Units == units })
		if i < 0 {
			out = append(out, OrderedEpochTime{Name: col.Name, Units: units})
			i = len(out) - 1
		}
		out[i].Funnels = append(out[i].Funnels, f.Name)
	}
	return out
}

// LoadDayTime returns the time column from which fgen load takes the day of
// a row without a partition value (the date of its time in
// dataworks.timezone): the first funnel's time column that is an ODS column
// holding a time, as that funnel reads it, with the ODS column's name. It
// reports false when there is none (a STRING time needs its format), and
// for an hourly ODS, whose rows must give their day and hour.
func (c *Config) LoadDayTime() (TimeColumn, bool) {
	if c.ODS.Hourly() {
		return TimeColumn{}, false
	}
	for _, f := range c.Funnels {
		col, ok := c.ODS.Column(f.TimeColumn.Name)
		if !ok || f.TimeColumn.Name == "" {
			continue
		}
		if TimeKind(col.Type) == TimeString && f.TimeColumn.Format == "" {
			return TimeColumn{}, false
		}
		t := f.TimeColumn
		t.Name = col.Name
		return t, true
	}
	return TimeColumn{}, false
}
