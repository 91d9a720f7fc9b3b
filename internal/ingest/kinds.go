package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/bizdate"
	"github.com/fgen-dev/fgen/models"
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
	// reads as 23:59:59 UTC, 8 hours late, in another day's partition),
	// nor be one of the words DuckDB reads as a time (notATime) or in a
	// year MaxCompute's DATETIME does not hold (outOfRange); DuckDB checks
	// the rest.
	kindTimestamp
	// kindDate: a DATE, whose text must not be one of the words DuckDB
	// reads as a date (notATime) nor in a year MaxCompute's DATE does not
	// hold (outOfRange); DuckDB checks the rest.
	kindDate
	// kindDecimal: a DECIMAL(p,s). Its text must be an optional '-',
	// digits and a '.' with digits, with at most p - s digits before the
	// point and no digit but 0 after the s-th decimal: DuckDB would round
	// 1.239 to 1.24 (and take spaces, '+' and exponents).
	kindDecimal
	// kindFloat: a FLOAT or DOUBLE, whose text must not overflow it:
	// DuckDB would read 1e39 into a FLOAT, or 1e400 into a DOUBLE, as
	// infinity. DuckDB checks the rest.
	kindFloat
	// kindBool: a BOOLEAN. In JSON lines, fgen checks its values (CSV's
	// DuckDB checks, and diagnose finds): true, false, 0 or 1, or a string
	// DuckDB's JSON reader takes (jsonBools). The reader would take any
	// other number for true, and refuse "1" without a line.
	kindBool
	// kindBinary: a BLOB (funnel.toml's BINARY), whose value is the bytes
	// of its text as the file writes it: DuckDB's cast of text to BLOB
	// reads \xHH as one byte (and refuses a backslash before anything
	// else), where its JSON reader keeps the text's bytes, so the same text
	// would be other bytes in CSV. Read as VARCHAR, and encoded.
	kindBinary
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
	// for kindDecimal, the digits before the point and after it
	intDigits, scale int
	// for kindFloat, its bits (32 or 64)
	bits int
	// for a STRING time column (Column.Format), its format
	time *timeLayout
	// for a VARCHAR(n) or CHAR(n) as funnel.toml declares it, n: the most
	// characters MaxCompute holds there (DuckDB's VARCHAR has no length)
	maxChars int
}

func newColumn(c Column) column {
	col := column{Column: c, kind: kindOther}
	switch strings.ToUpper(c.Type) {
	case "VARCHAR", "STRING", "TEXT":
		col.kind = kindString
	case "BIGINT", "INT8", "LONG":
		// MaxCompute's BIGINT, which the table stands for, holds -2^63 + 1
		// to 2^63 - 1 (models.IntRange); DuckDB's holds -2^63 too.
		col.kind, col.min, col.max = kindInt, minBigint, 1<<63-1
	case "INTEGER", "INT", "INT4", "SIGNED":
		col.kind, col.min, col.max = kindInt, -1<<31, 1<<31-1
	case "SMALLINT", "INT2", "SHORT":
		col.kind, col.min, col.max = kindInt, -1<<15, 1<<15-1
	case "TINYINT", "INT1":
		col.kind, col.min, col.max = kindInt, -1<<7, 1<<7-1
	case "TIMESTAMP", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP_US":
		col.kind = kindTimestamp
	case "DATE":
		col.kind = kindDate
	case "BLOB", "BINARY", "BYTEA", "VARBINARY", "BYTES":
		col.kind = kindBinary
	case "BOOLEAN", "BOOL", "LOGICAL":
		col.kind = kindBool
	case "FLOAT", "FLOAT4", "REAL":
		col.kind, col.bits = kindFloat, 32
	case "DOUBLE", "FLOAT8":
		col.kind, col.bits = kindFloat, 64
	}
	if strings.HasPrefix(strings.ToUpper(c.Type), "VARCHAR(") {
		col.kind = kindString
	}
	if p, s, ok := decimalType(c.Type); ok {
		col.kind, col.intDigits, col.scale = kindDecimal, p-s, s
	}
	if col.kind == kindInt {
		col.digits = len(strconv.FormatInt(col.max, 10)) - 1
	}
	if n, ok := models.CharLength(c.Declared); ok && col.kind == kindString {
		col.maxChars = n
	}
	return col
}

// textual reports whether the column holds a value's text as written: a
// string, or a BLOB of its bytes (kindBinary).
func (c *column) textual() bool { return c.kind == kindString || c.kind == kindBinary }

// sqlTooLong is whether the text x has more characters than the column's
// maxChars; false without one. NULL is none.
func (c *column) sqlTooLong(x string) string {
	if c.maxChars == 0 {
		return ""
	}
	return fmt.Sprintf("%s IS NOT NULL AND length(%s) > %d", x, x, c.maxChars)
}

// minBigint is the least BIGINT of MaxCompute's, one more than DuckDB's.
const minBigint = math.MinInt64 + 1

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

// decimalType returns the precision and scale of a DECIMAL or NUMERIC
// type: DuckDB's (18,3) without them, (p,0) with the precision alone.
func decimalType(t string) (p, s int, ok bool) {
	t = strings.ToUpper(strings.ReplaceAll(t, " ", ""))
	base, args, _ := strings.Cut(t, "(")
	if base != "DECIMAL" && base != "NUMERIC" {
		return 0, 0, false
	}
	if args == "" {
		return 18, 3, true
	}
	ps, ss, two := strings.Cut(strings.TrimSuffix(args, ")"), ",")
	p, err := strconv.Atoi(ps)
	if err != nil {
		return 0, 0, false
	}
	if two {
		if s, err = strconv.Atoi(ss); err != nil {
			return 0, 0, false
		}
	}
	return p, s, s <= p
}

// decimalOK reports whether b is a decimal number the column holds as
// written (kindDecimal).
func (c *column) decimalOK(b []byte) bool {
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	whole, frac, _ := bytes.Cut(b, []byte{'.'})
	if len(whole)+len(frac) == 0 || !digits(whole) || !digits(frac) {
		return false
	}
	whole = bytes.TrimLeft(whole, "0")
	for i := c.scale; i < len(frac); i++ {
		if frac[i] != '0' {
			return false
		}
	}
	return len(whole) <= c.intDigits
}

// decimalRounds reports whether b is a decimal number that the column
// would hold only rounded: one with decimals beyond its scale, not all 0.
func (c *column) decimalRounds(b []byte) bool {
	whole, frac, _ := bytes.Cut(bytes.TrimPrefix(b, []byte("-")), []byte{'.'})
	if c.decimalOK(b) || len(frac) <= c.scale {
		return false
	}
	cut := append(append(append([]byte{}, whole...), '.'), frac[:c.scale]...)
	return c.decimalOK(cut) && digits(frac)
}

// sqlDecimalOK is decimalOK in DuckDB's SQL, of the VARCHAR x: NULL, or
// digits the column holds as written.
func (c *column) sqlDecimalOK(x string) string {
	return fmt.Sprintf(`(%s IS NULL OR regexp_full_match(%s, '-?0*[0-9]{0,%d}(\.[0-9]{0,%d}0*)?') AND regexp_full_match(%s, '-?([0-9]+\.?[0-9]*|\.[0-9]+)'))`, x, x, c.intDigits, c.scale, x)
}

// digits reports whether b is decimal digits only (or empty).
func digits(b []byte) bool { return digitsEnd(b, 0) == len(b) }

// floatOK reports whether b is a number the column holds (kindFloat): as
// Go reads one (no spaces, which DuckDB's JSON reader refuses and its CSV
// reader drops), and not a finite number too large for it.
func (c *column) floatOK(b []byte) bool {
	if plainDecimal(b) {
		return true // a plain number of at most 30 bytes overflows neither
	}
	// Underflow (1e-400) is 0, as DuckDB holds it, not an error.
	f, err := strconv.ParseFloat(string(b), c.bits)
	return err == nil || errors.Is(err, strconv.ErrRange) && f == 0
}

// jsonStringOK is valueOK of a JSON string v: of a number column, not text
// DuckDB's JSON reader refuses to read as a number though SQL's cast takes
// it (a leading 0 before a digit, "007"; a '_', "1_000"; a '+').
func (c *column) jsonStringOK(v []byte) bool {
	if c.kind == kindInt || c.kind == kindFloat {
		if len(v) > 1 && v[0] == '0' && v[1] >= '0' && v[1] <= '9' || bytes.IndexByte(v, '_') >= 0 || len(v) > 0 && v[0] == '+' {
			return false
		}
	}
	return c.valueOK(v)
}

// jsonNotValid is notValid of a JSON string v that jsonStringOK refuses:
// of a number that DuckDB's JSON reader refuses for a leading 0, a '+' or
// a '_', with the number to write.
func (c *column) jsonNotValid(v []byte) string {
	fix := strings.TrimLeft(strings.ReplaceAll(strings.TrimPrefix(string(v), "+"), "_", ""), "0")
	if fix == "" || fix[0] == '.' {
		fix = "0" + fix
	}
	if (c.kind == kindInt || c.kind == kindFloat) && c.valueOK([]byte(fix)) {
		return fmt.Sprintf("column %s: %q is not a %s DuckDB's JSON reader takes (it refuses a leading 0, a '+' and a '_' in a number's text); write %q", c.Name, v, c.typeName(), fix)
	}
	return c.notValid(v)
}

// float32Exact reports whether JSON number b, which DuckDB's JSON reader
// reads as a DOUBLE, goes into a FLOAT column as the FLOAT that its text
// is: the DOUBLE rounded again can differ (1.0000000596046448 is 1.0, not
// 1.0000001), or overflow where the text did not.
func float32Exact(b []byte) bool {
	d, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return true // not one DuckDB reads either: floatOK says
	}
	f, err := strconv.ParseFloat(string(b), 32)
	return err != nil || float32(d) == float32(f) && !math.IsInf(float64(float32(d)), 0)
}

// plainDecimal reports whether b is an optional '-', digits, and a '.'
// with digits, of at most 30 bytes: a number that no FLOAT overflows.
func plainDecimal(b []byte) bool {
	if len(b) > 30 {
		return false
	}
	if len(b) > 0 && b[0] == '-' {
		b = b[1:]
	}
	whole, frac, point := bytes.Cut(b, []byte{'.'})
	return len(whole) > 0 && digits(whole) && digits(frac) && (!point || len(frac) > 0)
}

// unscaledDigits is how many digits the integer holding decimal number b
// at the column's scale has: what DuckDB's JSON reader, which reads a
// number with a fraction as a DOUBLE, keeps exactly up to 15.
func (c *column) unscaledDigits(b []byte) int {
	whole, _, _ := bytes.Cut(bytes.TrimPrefix(b, []byte("-")), []byte{'.'})
	return len(bytes.TrimLeft(whole, "0")) + c.scale
}

// tooLarge reports whether b is a number too large for the column.
func (c *column) tooLarge(b []byte) bool {
	f, err := strconv.ParseFloat(string(b), c.bits)
	return errors.Is(err, strconv.ErrRange) && f != 0
}

// checked reports whether fgen checks the column's values itself
// (valueOK), which a text file's check must hand it.
func (c *column) checked() bool {
	return c.kind == kindInt || c.kind == kindTimestamp || c.kind == kindDate || c.kind == kindDecimal || c.kind == kindFloat || c.time != nil
}

// valueOK reports whether a value v, as a text file writes it, fits the
// column as fgen checks it: an integer column's integer, a time column's
// time in its format; any value of another column.
func (c *column) valueOK(v []byte) bool {
	switch {
	case c.kind == kindInt:
		return c.intOK(v)
	case c.kind == kindTimestamp:
		return zoneOf(v) == nil && !notATime(v) && !outOfRange(v)
	case c.kind == kindDate:
		return !notATime(v) && !outOfRange(v) && timeOfDay(v) == nil
	case c.kind == kindDecimal:
		return c.decimalOK(v)
	case c.kind == kindFloat:
		return c.floatOK(v)
	case c.kind == kindBool: // a JSON string (CSV does not check it)
		return oneOf(v, jsonBools)
	case c.time != nil:
		return c.time.reads(v)
	}
	return true
}

// timeOfDay returns the time that a date's text v carries after its date
// ("10:00:00" of "2021-03-03 10:00:00"), or nil for none, or for midnight
// in UTC (only zeros, with no zone or UTC's: what a spreadsheet, pandas and
// JavaScript write of a date), which a DATE drops without loss. The time
// begins after the last of dateTimeSeps before the first ':'; a midnight
// in another zone is another day's time.
func timeOfDay(v []byte) []byte {
	v = bytes.TrimSpace(v)
	i := bytes.IndexByte(v, ':')
	if i < 0 {
		return nil
	}
	start := bytes.LastIndexAny(v[:i], dateTimeSeps) + 1
	if start == 0 {
		return nil // no date before it: no DATE DuckDB reads either
	}
	t := v[start:]
	if zoneOf(v) == nil && len(bytes.Trim(clockOf(t), "0:.")) == 0 {
		return nil
	}
	return t
}

// dateTimeSeps are what DuckDB takes between a date and its time.
const dateTimeSeps = " \t\n\v\f\rT"

// clockOf is the clock that time t begins with: its digits and colons,
// and a fraction; what follows is its zone (zoneOf).
func clockOf(t []byte) []byte {
	j := 0
	for j < len(t) && (t[j] >= '0' && t[j] <= '9' || t[j] == ':') {
		j++
	}
	if j < len(t) && t[j] == '.' {
		for j++; j < len(t) && t[j] >= '0' && t[j] <= '9'; j++ {
		}
	}
	return t[:j]
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
	zone := bytes.TrimSpace(v[i+len(clockOf(v[i:])):])
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

// jsonBools are the strings DuckDB's JSON reader takes for a BOOLEAN, in
// any case: it refuses "1", "0", "y" and "n".
var jsonBools = []string{"true", "false", "t", "f", "yes", "no"}

// notATime reports whether a timestamp's text v is one of the words DuckDB
// reads as a time (infinity, -infinity, epoch) or has hour 24, which
// DuckDB reads as 00 of the next day: neither is what a log's time means.
func notATime(v []byte) bool {
	v = bytes.TrimSpace(v)
	if oneOf(v, specialTimes) {
		return true
	}
	i := bytes.IndexByte(v, ':')
	return i >= 2 && v[i-2] == '2' && v[i-1] == '4' && (i == 2 || v[i-3] < '0' || v[i-3] > '9')
}

var specialTimes = []string{"infinity", "-infinity", "inf", "-inf", "epoch", "-epoch"}

// outOfRange reports whether the date or time text v has a year outside
// 0000 to 9999, the years of MaxCompute's DATE and DATETIME, which DuckDB
// reads: a '-' before it (-0044-03-15), a larger number before the date's
// first separator (10000-01-01, a separator DuckDB reads: '-', '/', '\\' or
// a space), or BC after it (2021-03-01 (BC); DuckDB drops a bare BC from a
// time, which is no better).
func outOfRange(v []byte) bool {
	v = bytes.TrimSpace(v)
	if len(v) > 1 && v[0] == '-' && v[1] >= '0' && v[1] <= '9' {
		return true
	}
	year, i := 0, 0
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9' && year <= 9999; i++ {
		year = year*10 + int(v[i]-'0')
	}
	for ; i < len(v) && v[i] >= '0' && v[i] <= '9'; i++ {
	}
	if year > 9999 && i < len(v) && (v[i] == '-' || v[i] == '/' || v[i] == '\\' || v[i] == ' ') {
		return true
	}
	for i := 1; i < len(v); i++ {
		if (v[i-1] == 'b' || v[i-1] == 'B') && (v[i] == 'c' || v[i] == 'C') {
			return true
		}
	}
	return false
}

// sqlOutOfRange is outOfRange in DuckDB's SQL, of the VARCHAR x.
func sqlOutOfRange(x string) string {
	return fmt.Sprintf(`regexp_matches(%s, '^[\t\n\v\f\r ]*(-[0-9]|0*[1-9][0-9]{4,}[-/\\ ])|[bB][cC]')`, x)
}

// oneOf reports whether v is one of words, in any case.
func oneOf(v []byte, words []string) bool {
	for _, w := range words {
		if bytes.EqualFold(v, []byte(w)) {
			return true
		}
	}
	return false
}

// isUTF16 reports whether text b, the start of a file, is UTF-16: with its
// byte-order mark, or with the NUL bytes of its ASCII characters (two at
// least), each beside a character, all at even offsets (big-endian) or
// all at odd ones (little-endian). A run of NULs, which a writer that
// stopped leaves, is not.
func isUTF16(b []byte) bool {
	if bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff}) {
		return true
	}
	var even, odd int
	for i, c := range b[:min(len(b), 64)] {
		if c == 0 && i%2 == 0 {
			even++
		} else if c == 0 {
			odd++
		}
	}
	return even+odd >= 2 && (even == 0 || odd == 0)
}

// sqlNotATime is whether the VARCHAR x is not a time the column takes, in
// DuckDB's SQL: notATime or outOfRange, and for a timestamp a zone
// (zoneOf).
func (c *column) sqlNotATime(x string) string {
	cond := sqlSpecialTime(x) + " OR " + sqlOutOfRange(x)
	if c.kind == kindTimestamp {
		cond += " OR " + sqlZoned(x)
	}
	if c.kind == kindDate {
		cond += " OR " + sqlTimeOfDay(x)
	}
	return "(" + cond + ")"
}

// sqlTimeOfDay is whether timeOfDay finds a time in the VARCHAR x, in
// DuckDB's SQL: a clock after a separator (dateTimeSeps) that is not all
// zeros, or a zone not UTC's (sqlZoned).
func sqlTimeOfDay(x string) string {
	const sep, notSep = `[ \t\n\v\f\rT]`, `[^ \t\n\v\f\rT:]`
	return fmt.Sprintf(`(regexp_matches(%s, '%s%s*:') AND (regexp_matches(regexp_extract(%s, '%s(%s*:[0-9:]*(?:\.[0-9]*)?)', 1), '[^0:.]') OR %s))`,
		x, sep, notSep, x, sep, notSep, sqlZoned(x))
}

// sqlSpecialTime is notATime in DuckDB's SQL, of the VARCHAR x.
func sqlSpecialTime(x string) string {
	return fmt.Sprintf(`(lower(%s) IN (%s) OR regexp_matches(%s, '^[^:]*(^|[^0-9:])24:', 's'))`, sqlTrim(x), sqlList(specialTimes), x)
}

// sqlTrim is the VARCHAR x without the ASCII white space around it that
// bytes.TrimSpace removes: space, \t, \n, \v, \f, \r. (DuckDB's escape strings, e'...',
// have no \v, and trim's default is the space alone.)
func sqlTrim(x string) string {
	return fmt.Sprintf(`regexp_replace(%s, '^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$', '', 'g')`, x)
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
	if c.maxChars > 0 {
		if n := utf8.RuneCount(v); n > c.maxChars {
			return fmt.Sprintf("column %s: %q is %d characters long; MaxCompute's %s holds at most %d", c.Name, v, n, c.typeName(), c.maxChars)
		}
	}
	if c.kind == kindTimestamp || c.kind == kindDate {
		if notATime(v) {
			return fmt.Sprintf("column %s: %q is not a time a log writes (DuckDB reads infinity and epoch as times, and hour 24 as 00 of the next day); write the date and time as the event had them", c.Name, v)
		}
		if outOfRange(v) {
			return fmt.Sprintf("column %s: %q is outside the years 0000 to 9999 that MaxCompute's %s holds (DuckDB reads later years and BC); correct the value", c.Name, v, c.typeName())
		}
	}
	if c.kind == kindDate {
		if t := timeOfDay(v); t != nil {
			return fmt.Sprintf("column %s: %q has a time of day, %s, which a DATE does not hold (DuckDB would drop it); declare the column DATETIME in funnel.toml, or write the date alone", c.Name, v, t)
		}
	}
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
		return fmt.Sprintf("column %s: %q does not read as %q, the time_column format in funnel.toml (fix the format if the file's times are all so; else fix or remove the row, which the DW node would drop)", c.Name, v, c.time.format)
	}
	if c.kind == kindDecimal && c.decimalRounds(v) {
		return fmt.Sprintf("column %s: %q has more than %d decimals, and DuckDB would round it to fit the %s; give the column more decimals in funnel.toml, or round the values in the file", c.Name, v, c.scale, c.typeName())
	}
	if c.kind == kindBool {
		return fmt.Sprintf("column %s: %q is not a BOOLEAN; write true or false", c.Name, v)
	}
	if c.kind == kindFloat && c.tooLarge(v) {
		fix := "correct the value"
		if c.bits == 32 {
			fix = "declare the column DOUBLE in funnel.toml, or " + fix
		}
		return fmt.Sprintf("column %s: %q is too large for a %s, which would hold it as infinity; %s", c.Name, v, c.typeName(), fix)
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
	_, err := bizdate.Parse(v) // no year 0000, as --bizdate takes none
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

// clip is the text s of a file, for a message: its first 60 bytes, and
// "..." when it is longer (a file's header may be one line of megabytes).
func clip(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
