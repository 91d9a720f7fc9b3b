package ingest

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/generator"
)

// kind is what fgen itself checks of a column's values before DuckDB
// converts them.
type kind uint8

const (
	// kindString: VARCHAR. JSON numbers must be integers, which DuckDB
	// keeps as written (it would write 1.50 as 1.5 and 1e3 as 1000.0).
	kindString kind = iota
	// kindInt: an integer type. Its text must be an optional '-' and
	// digits in the type's range: DuckDB would round 1.5 to 2, read 1. as
	// 1 and take spaces, '+', '_', hex and exponents.
	kindInt
	// kindTimestamp: a TIMESTAMP (funnel.toml's DATETIME), whose text
	// must not carry a UTC offset or time zone other than UTC's: DuckDB
	// keeps the wall time and drops the offset ('2021-03-01 23:59:59+08:00'
	// reads as 23:59:59 UTC, 8 hours late, in another day's partition);
	// DuckDB checks the rest.
	kindTimestamp
	// kindOther: any other type, converted and checked by DuckDB.
	kindOther
)

// column is a column of the table with what fgen checks of it.
type column struct {
	Column
	kind kind
	// for kindInt, the type's range, and the most digits of an integer
	// always in it
	min, max int64
	digits   int
	// for a STRING time column (Column.Format), its format
	time *timeLayout
}

func newColumn(c Column) column {
	col := column{Column: c, kind: kindOther}
	switch strings.ToUpper(c.Type) {
	case "VARCHAR", "STRING", "TEXT":
		col.kind = kindString
	case "BIGINT", "INT8", "LONG":
		col.kind, col.min, col.max = kindInt, -1<<63, 1<<63-1
	case "INTEGER", "INT", "INT4", "SIGNED":
		col.kind, col.min, col.max = kindInt, -1<<31, 1<<31-1
	case "SMALLINT", "INT2", "SHORT":
		col.kind, col.min, col.max = kindInt, -1<<15, 1<<15-1
	case "TINYINT", "INT1":
		col.kind, col.min, col.max = kindInt, -1<<7, 1<<7-1
	case "TIMESTAMP", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_US":
		col.kind = kindTimestamp
	}
	if strings.HasPrefix(strings.ToUpper(c.Type), "VARCHAR(") {
		col.kind = kindString
	}
	if col.kind == kindInt {
		col.digits = len(strconv.FormatInt(col.max, 10)) - 1
	}
	return col
}

// intOK reports whether b is an optional '-' and decimal digits, with a
// value in the column's range.
func (c *column) intOK(b []byte) bool {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 {
		return false
	}
	if len(b) <= 18 { // no overflow
		var v int64
		for _, d := range b {
			d -= '0'
			if d > 9 {
				return false
			}
			v = v*10 + int64(d)
		}
		if neg {
			v = -v
		}
		return c.min <= v && v <= c.max
	}
	var v uint64
	for _, d := range b {
		d -= '0'
		if d > 9 {
			return false
		}
		if v > (1<<63)/10 {
			return false
		}
		v = v*10 + uint64(d)
		if v > 1<<63 {
			return false
		}
	}
	if neg {
		return v <= uint64(-c.min)
	}
	return v <= uint64(c.max)
}

// checked reports whether fgen checks the column's values itself
// (valueOK), which a text file's check must hand it.
func (c *column) checked() bool {
	return c.kind == kindInt || c.kind == kindTimestamp || c.time != nil
}

// valueOK reports whether a value v, as a text file writes it, fits the
// column as fgen checks it: an integer column's integer, a time column's
// time in its format; any value of another column.
func (c *column) valueOK(v []byte) bool {
	switch {
	case c.kind == kindInt:
		return c.intOK(v)
	case c.kind == kindTimestamp:
		return zoneOf(v) == nil
	case c.time != nil:
		return c.time.reads(v)
	}
	return true
}

// zoneOf returns the UTC offset or time zone that a timestamp's text v
// ends with ("+08:00", "-05", "Asia/Shanghai"), or nil for none or UTC's
// ("Z", "+00:00", "UTC"), which DuckDB reads right. The zone is what
// follows the time: from the first ':' (a date has none, in any of the
// forms DuckDB reads), its digits, colons and fraction, then spaces. A text
// without a time has no zone; one DuckDB does not read at all it refuses.
func zoneOf(v []byte) []byte {
	i := bytes.IndexByte(v, ':')
	if i < 0 {
		return nil
	}
	j := i + 1
	for j < len(v) && (v[j] >= '0' && v[j] <= '9' || v[j] == ':') {
		j++
	}
	if j < len(v) && v[j] == '.' {
		for j++; j < len(v) && v[j] >= '0' && v[j] <= '9'; j++ {
		}
	}
	zone := bytes.TrimSpace(v[j:])
	if len(zone) == 0 { // the usual time: no zone
		return nil
	}
	for _, utc := range utcZones {
		if bytes.EqualFold(zone, []byte(utc)) {
			return nil
		}
	}
	return zone
}

// utcZones are the zones, in upper case, that say UTC: a time with one
// reads right as DuckDB reads it.
var utcZones = []string{"", "Z", "UTC", "UCT", "GMT", "GMT0", "GMT+0", "GMT-0", "UNIVERSAL", "ZULU", "GREENWICH",
	"ETC/UTC", "ETC/UCT", "ETC/GMT", "ETC/GMT0", "ETC/GMT+0", "ETC/GMT-0", "ETC/UNIVERSAL", "ETC/ZULU", "ETC/GREENWICH",
	"+00", "+00:00", "+0000", "+00:00:00", "-00", "-00:00", "-0000", "-00:00:00"}

// sqlZoned is zoneOf in DuckDB's SQL: whether the VARCHAR x has a time
// that ends with a zone other than UTC's ('s': a newline is text too).
func sqlZoned(x string) string {
	return fmt.Sprintf(`(contains(%s, ':') AND upper(regexp_extract(%s, '^[^:]*:[0-9:]*(?:\.[0-9]*)?\s*(.*?)\s*$', 1, 's')) NOT IN (%s))`, x, x, sqlList(utcZones))
}

// inUTC returns the timestamp text v, which ends with a UTC offset, as UTC
// wall time, or "" when Go does not read it.
func inUTC(v string) string {
	for _, layout := range []string{"2006-01-02 15:04:05.999999999Z07:00", "2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999Z0700", "2006-01-02 15:04:05.999999999Z07", "2006-01-02T15:04:05.999999999Z07"} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t.UTC().Format("2006-01-02 15:04:05.999999")
		}
	}
	return ""
}

// notValid is the message for a value v that is not one of the column's
// type, or not a time in its format.
func (c *column) notValid(v []byte) string {
	if c.kind == kindTimestamp {
		if zone := zoneOf(v); zone != nil {
			fix := "write the times in UTC"
			if utc := inUTC(string(v)); utc != "" {
				fix += fmt.Sprintf(" (%q)", utc)
			}
			return fmt.Sprintf("column %s: %q ends with the time zone %q, which DuckDB drops when it reads a %s (it would keep the wall time as UTC); %s, or declare the column STRING and its time_column format and time zone in funnel.toml", c.Name, v, zone, c.typeName(), fix)
		}
	}
	if c.time != nil {
		return fmt.Sprintf("column %s: %q does not read as %q, the time_column format in funnel.toml", c.Name, v, c.time.format)
	}
	return fmt.Sprintf("column %s: %q is not a valid %s", c.Name, v, c.typeName())
}

// validDay reports whether v is a date written yyyymmdd, as DuckDB's
// regexp_full_match(v, '[0-9]{8}') AND try_strptime(v, '%Y%m%d') IS NOT NULL.
func validDay(v string) bool {
	if len(v) != 8 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	_, err := time.Parse("20060102", v)
	return err == nil
}

// otherDayMsg is the error for a row whose partition value v is not day, the
// day loaded into the partition column partition; col is that column's name
// as the file writes it.
func otherDayMsg(col, v, partition, day string) string {
	if !validDay(v) {
		return fmt.Sprintf("%s is %q but the rows are loaded into %s=%s; a %s value is a day written yyyymmdd: correct the row, or leave its %s out", col, v, partition, day, col, col)
	}
	return fmt.Sprintf("%s is %q but the rows are loaded into %s=%s; to load each row into the day its %s names, leave out --bizdate (or load this file with --bizdate %s)", col, v, partition, day, col, v)
}

func columnNames(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// noDayFrom is loader.timeCol of a load without DayFrom: no column.
const noDayFrom = -3

// quote quotes a name for DuckDB.
var quote = generator.DuckDB.QuoteIdent

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlList writes values as the items of a SQL IN list: 'a', 'b'.
func sqlList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = sqlString(v)
	}
	return strings.Join(q, ", ")
}
