package models

import (
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

var typeRE = regexp.MustCompile(`^([A-Za-z]+)\s*(\(\s*[0-9]+\s*(,\s*[0-9]+\s*)?\))?$`)

// baseTypes are the MaxCompute column types fgen accepts, and whether each
// needs the 2.0 type system (odps.sql.type.system.odps2=true).
var baseTypes = map[string]bool{
	"BIGINT": false, "DOUBLE": false, "DECIMAL": false, "STRING": false, "DATETIME": false, "BOOLEAN": false,
	"INT": true, "SMALLINT": true, "TINYINT": true, "FLOAT": true, "VARCHAR": true, "CHAR": true,
	"DATE": true, "TIMESTAMP": true, "BINARY": true,
}

// otherSQLTypes are other SQL dialects' names of MaxCompute types, which
// MaxCompute does not take: an unknown type that is one gets its
// MaxCompute name as the fix. INT8, a BIGINT in Postgres and DuckDB and a
// TINYINT in ClickHouse, is not among them (unknownType says so).
var otherSQLTypes = map[string]string{
	"INTEGER": "INT", "INT4": "INT", "INT32": "INT", "INT64": "BIGINT", "LONG": "BIGINT",
	"INT2": "SMALLINT", "INT16": "SMALLINT", "SHORT": "SMALLINT", "BYTE": "TINYINT",
	"UINT8": "SMALLINT", "UINT16": "INT", "UINT32": "BIGINT",
	"TEXT": "STRING", "BOOL": "BOOLEAN", "NUMERIC": "DECIMAL", "NUMBER": "DECIMAL",
	"REAL": "FLOAT", "FLOAT4": "FLOAT", "FLOAT32": "FLOAT", "FLOAT8": "DOUBLE", "FLOAT64": "DOUBLE",
	"BLOB": "BINARY", "BYTEA": "BINARY", "VARBINARY": "BINARY", "BYTES": "BINARY",
}

// unknownType is the error of a type t (base, its name) that is not a
// MaxCompute type, with the one it may mean.
func unknownType(t, base string) error {
	if strings.TrimSpace(t) == "" {
		return fmt.Errorf("a column needs its type; give one, e.g. type = \"STRING\"")
	}
	if mc, ok := otherSQLTypes[strings.ToUpper(base)]; ok {
		return fmt.Errorf("unknown type %q; MaxCompute calls it %s", t, mc)
	}
	if strings.EqualFold(base, "INT8") {
		return fmt.Errorf("unknown type %q; INT8 is an 8-byte BIGINT in Postgres and DuckDB and an 8-bit TINYINT in ClickHouse: write the MaxCompute type you mean", t)
	}
	if s := typeTypo(strings.ToUpper(base)); s != "" {
		return fmt.Errorf("unknown type %q; did you mean %s?", t, s)
	}
	return fmt.Errorf("unknown type %q; use a MaxCompute type such as STRING, BIGINT, DOUBLE, DECIMAL(18,2), DATETIME", t)
}

// typeTypo returns the MaxCompute type that base may be a typo of: a
// MaxCompute type one edit away (of four letters or more) or two (of six
// or more: BIGNIT), or another dialect's name of one one edit away
// (INTEGR); "" for none. Short names are too close to each other (BIT,
// INT) to guess.
func typeTypo(base string) string {
	for _, name := range slices.Sorted(maps.Keys(baseTypes)) {
		if d := EditDistance(base, name); (d == 1 && len(base) >= 4) || (d == 2 && len(base) >= 6) {
			return name
		}
	}
	if len(base) >= 4 {
		for _, name := range slices.Sorted(maps.Keys(otherSQLTypes)) {
			if EditDistance(base, name) == 1 {
				return otherSQLTypes[name]
			}
		}
	}
	return ""
}

// NormalizeType checks a MaxCompute column type and returns it upper-cased
// with parameters tidied, e.g. "decimal(10, 2)" -> "DECIMAL(10,2)".
func NormalizeType(t string) (string, error) {
	m := typeRE.FindStringSubmatch(strings.TrimSpace(t))
	if m == nil {
		base, _, _ := strings.Cut(strings.TrimSpace(t), "(")
		return "", unknownType(t, strings.TrimSpace(base))
	}
	base := strings.ToUpper(m[1])
	if _, ok := baseTypes[base]; !ok {
		return "", unknownType(t, base)
	}
	args := strings.Join(strings.Fields(m[2]), "")
	var nums []int
	for _, a := range strings.FieldsFunc(strings.Trim(args, "()"), func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(a)
		if err != nil {
			n = math.MaxInt // digits only (typeRE), so too large
		}
		nums = append(nums, n)
	}
	// MaxCompute 2.0's limits: VARCHAR(n) 1 to 65535, CHAR(n) 1 to 255,
	// DECIMAL(precision, scale) with precision 1 to 38 and scale at most the
	// precision (and at most 18 unless the project enables
	// odps.sql.decimal2.extended.scale.enable, which fgen cannot see, so
	// that is left to MaxCompute); DuckDB's are as wide.
	switch norm := base + args; base {
	case "VARCHAR", "CHAR":
		if len(nums) != 1 {
			return "", fmt.Errorf("type %s needs a length, e.g. %s(64)", base, base)
		}
		if most := map[string]int{"VARCHAR": 65535, "CHAR": 255}[base]; nums[0] < 1 || nums[0] > most {
			return "", fmt.Errorf("type %s: the length must be 1 to %d", norm, most)
		}
	case "DECIMAL":
		if len(nums) > 0 && (nums[0] < 1 || nums[0] > 38) {
			return "", fmt.Errorf("type %s: the precision must be 1 to 38", norm)
		}
		if len(nums) == 2 && nums[1] > nums[0] {
			return "", fmt.Errorf("type %s: the scale (digits after the point) must be at most the precision", norm)
		}
	default:
		if args != "" {
			return "", fmt.Errorf("type %s takes no parameters", base)
		}
	}
	return base + args, nil
}

// CharLength returns the length n of a VARCHAR(n) or CHAR(n) type, and
// false for any other type.
func CharLength(t string) (int, bool) {
	switch baseType(t) {
	case "VARCHAR", "CHAR":
	default:
		return 0, false
	}
	_, args, _ := strings.Cut(t, "(")
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(args), ")")))
	return n, err == nil
}

func baseType(t string) string {
	if i := strings.IndexAny(t, "(<"); i >= 0 {
		return strings.TrimSpace(t[:i])
	}
	return t
}

// liveTypes2 are types of the 2.0 type system that funnel.toml does not
// take but a live table may have (a column a sync task added): reading the
// table needs the 2.0 type system all the same.
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/maxcompute-v2-0-data-type-edition
var liveTypes2 = map[string]bool{"TIMESTAMP_NTZ": true, "INTERVAL": true, "ARRAY": true, "MAP": true, "STRUCT": true, "JSON": true}

// NeedsODPS2 reports whether a type needs MaxCompute's 2.0 type system.
func NeedsODPS2(t string) bool {
	base := strings.ToUpper(baseType(t))
	return NeedsDecimal2(t) || baseTypes[base] || liveTypes2[base]
}

// NeedsDecimal2 reports whether a type is the DECIMAL of MaxCompute's 2.0
// type system, DECIMAL(p[,s]), which needs odps.sql.decimal.odps2 as well
// (https://www.alibabacloud.com/help/en/maxcompute/user-guide/decimal-data-type);
// a bare DECIMAL is the 1.0 one.
func NeedsDecimal2(t string) bool {
	return baseType(t) == "DECIMAL" && strings.Contains(t, "(")
}

// IsInteger reports whether a (normalized) type is an integer type: BIGINT,
// INT, SMALLINT or TINYINT.
func IsInteger(t string) bool {
	switch baseType(t) {
	case "BIGINT", "INT", "SMALLINT", "TINYINT":
		return true
	}
	return false
}

// IsFraction reports whether a (normalized) type holds fractions: DOUBLE,
// FLOAT or DECIMAL.
func IsFraction(t string) bool {
	switch baseType(t) {
	case "DOUBLE", "FLOAT", "DECIMAL":
		return true
	}
	return false
}

func isNumeric(t string) bool {
	switch baseType(t) {
	case "DOUBLE", "FLOAT", "DECIMAL":
		return true
	}
	return IsInteger(t)
}

// IsString reports whether a (normalized) type is a string type: STRING,
// VARCHAR(n) or CHAR(n).
func IsString(t string) bool {
	switch baseType(t) {
	case "STRING", "VARCHAR", "CHAR":
		return true
	}
	return false
}

// sameName reports whether two names are one, as MaxCompute and DuckDB match
// them: but for ASCII case. (strings.EqualFold also folds the long s to s and
// the Kelvin sign to k.)
func sameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// Column returns the column of t named name (but for ASCII case).
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if sameName(c.Name, name) {
			return c, true
		}
	}
	return Column{}, false
}

// columnNames are the valid names of t's columns, for messages.
func (t *Table) columnNames() []string {
	var names []string
	for _, c := range t.Columns {
		if isColumn(c.Name) {
			names = append(names, c.Name)
		}
	}
	return names
}

// columnList lists the valid names of t's columns, for messages.
func (t *Table) columnList() string { return strings.Join(t.columnNames(), ", ") }

// didYouMean is "; did you mean X?" of the column X of t whose name is near
// name (a typo), or "".
func (t *Table) didYouMean(name string) string {
	if c := closest(name, t.columnNames()); c != "" {
		return fmt.Sprintf("; did you mean %q?", c)
	}
	return ""
}

// IntRange returns the least and the greatest value of an integer type,
// and false for a type that is not one.
func IntRange(t string) (lo, hi int64, ok bool) {
	switch baseType(t) {
	case "TINYINT":
		return math.MinInt8, math.MaxInt8, true
	case "SMALLINT":
		return math.MinInt16, math.MaxInt16, true
	case "INT":
		return math.MinInt32, math.MaxInt32, true
	case "BIGINT":
		// MaxCompute's BIGINT is -2^63+1 to 2^63-1 (its data types, 1.0 and
		// 2.0 editions): -2^63 is no BIGINT literal there.
		return math.MinInt64 + 1, math.MaxInt64, true
	}
	return 0, 0, false
}

// EpochRange returns the least and the greatest epoch time, in units per
// second (1 or 1000), of the times MaxCompute's DATETIME holds: 0000-01-01
// 00:00:00 to 9999-12-31 23:59:59 UTC, and the last unit of that second.
func EpochRange(units int64) (lo, hi int64) {
	return -62167219200 * units, 253402300800*units - 1
}

// EpochUnit names the unit of epoch times of units per second (1 or 1000):
// "seconds" or "milliseconds".
func EpochUnit(units int64) string {
	if units == 1000 {
		return "milliseconds"
	}
	return "seconds"
}

// NarrowColumn is a DW column of an integer type that holds fewer values
// than its ODS column's (BIGINT into SMALLINT, say): the DW node casts
// every value, and one beyond the DW type's range (Lo..Hi) fails it. Of
// CharColumns, it is a VARCHAR(n) or CHAR(n) that holds shorter strings
// than its ODS column's: Lo is 0 and Hi n.
type NarrowColumn struct {
	Name     string // the DW column's
	ODSType  string
	Type     string // the DW column's
	Lo, Hi   int64  // the DW type's range
	Position Position
}

// CharColumns returns the DW columns of a VARCHAR(n) or CHAR(n) type whose
// ODS column holds longer strings (a STRING, or a longer VARCHAR or CHAR),
// in DW order. MaxCompute holds at most n characters in such a column; the
// local engine's VARCHAR holds any, so a longer value reads differently on
// the two targets.
func (c *Config) CharColumns() []NarrowColumn {
	var out []NarrowColumn
	for i, col := range c.DW.Columns {
		src, ok := c.ODS.Column(col.Name)
		if !ok || !IsString(src.Type) {
			continue
		}
		n, short := CharLength(col.Type)
		if m, bounded := CharLength(src.Type); !short || bounded && m <= n {
			continue
		}
		out = append(out, NarrowColumn{Name: col.Name, ODSType: src.Type, Type: col.Type, Hi: int64(n),
			Position: c.Pos(fmt.Sprintf("dw.columns[%d].type", i))})
	}
	return out
}

// NarrowColumns returns the DW columns of integer types narrower than
// their ODS columns', in DW order.
func (c *Config) NarrowColumns() []NarrowColumn {
	var out []NarrowColumn
	for i, col := range c.DW.Columns {
		src, ok := c.ODS.Column(col.Name)
		if !ok {
			continue
		}
		lo, hi, isInt := IntRange(col.Type)
		srcLo, srcHi, srcInt := IntRange(src.Type)
		if !isInt || !srcInt || (srcLo >= lo && srcHi <= hi) {
			continue
		}
		out = append(out, NarrowColumn{Name: col.Name, ODSType: src.Type, Type: col.Type, Lo: lo, Hi: hi,
			Position: c.Pos(fmt.Sprintf("dw.columns[%d].type", i))})
	}
	return out
}
