package generator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fgen-dev/fgen/models"
)

// Dialect is the SQL dialect a project is rendered in.
type Dialect string

const (
	MaxCompute Dialect = "maxcompute"
	DuckDB     Dialect = "duckdb"
)

// Dialects lists the supported dialects.
var Dialects = []Dialect{MaxCompute, DuckDB}

// dialectInfo is everything that differs between dialects outside their
// template files: this table is the one place that knows.
type dialectInfo struct {
	engine      string // the models.Engine* whose SQL this is
	quoteIdent  func(string) string
	quoteString func(string) string
	columnType  func(string) string
	// workflow: the project is scheduled by DataWorks, so Render adds the
	// workflow (FlowSpec) and checks its nodes against DataWorks' rules.
	workflow bool
	// typeSystem2 are the settings of a statement that uses types or
	// functions of MaxCompute's 2.0 type system (BITWISE_OR_AGG,
	// SHIFTRIGHT, ARRAY_REDUCE, INT, ...), or BIGINT literals such as 3L,
	// or that reads or writes a table with a column of such a type;
	// projects created before mid-2020 default to the 1.0 type system.
	// https://www.alibabacloud.com/help/en/maxcompute/user-guide/maxcompute-v2-0-data-type-edition
	// ("SQL statements (CREATE, SELECT, INSERT, ...) that involve the new
	// data types" need the setting).
	typeSystem2 []Setting
	// decimal2 are the settings a statement needs besides typeSystem2 when
	// it involves a DECIMAL(p,s) column.
	// https://www.alibabacloud.com/help/en/maxcompute/user-guide/decimal-data-type
	decimal2 []Setting
	// timezone is the setting of the session time zone, in which the
	// engine reads a time from a STRING (MaxCompute's TO_DATE); "" where
	// the SQL names the zone itself (DuckDB's timezone()).
	timezone string
	// bigint writes an integer literal of type BIGINT.
	bigint func(int64) string
	flags  dialectFlags
}

// dialectFlags are what templates ask of a dialect beyond its syntax:
// which of two ways to compute something the engine does best.
type dialectFlags struct {
	// TouchByWindow: first-touch attribution numbers each user's rows
	// with ROW_NUMBER in a layer below the GROUP BY, rather than taking
	// the least struct in the GROUP BY (see touch.tmpl). MaxCompute
	// documents window functions, not MIN over structs.
	TouchByWindow bool
	// FoldStarts: the ordered fold's state keeps, for each stage, the
	// latest start of a chain that reached it and, with times to convert,
	// the times at its first completion, as fields of their own, and folds
	// the sort keys as they are, rather than packing the numbers into
	// BIGINT words (rpt_ordered.sql.tmpl, ordered_step_starts). DuckDB
	// 2.0's list_reduce takes a state of another type than the list's
	// elements, and its cost is in the expressions a step evaluates, not
	// in the state's fields: over the 4 M keys of 200,000 users the fold
	// took 0.6 of the packed words' CPU time (DuckDB 2.0.0).
	FoldStarts bool
	// FoldLongLists: with FoldStarts, a user's list of more than
	// Fold.LongList keys is folded with whole-list operations
	// (ordered_fold_long) instead of element by element: DuckDB steps
	// list_reduce over all the lists of a chunk at once, so a list that
	// outlasts the others costs a whole step per element (one user with
	// 1 M events took 15 s). The dialect defines the templates of
	// templates.FlaggedContract marked with this flag.
	FoldLongLists bool
	// FoldPacked: with FoldStarts, the starts of a funnel without times to
	// convert are packed into one BIGINT for the users whose times fit it
	// (generator.foldPacked), a step computing one integer instead of a
	// struct. The dialect defines the templates of
	// templates.FlaggedContract marked with this flag.
	FoldPacked bool
}

// Has reports whether the flag named name is set, for the templates of
// templates.FlaggedContract that only dialects with a flag define.
func (f dialectFlags) Has(name string) bool {
	switch name {
	case "TouchByWindow":
		return f.TouchByWindow
	case "FoldStarts":
		return f.FoldStarts
	case "FoldLongLists":
		return f.FoldLongLists
	case "FoldPacked":
		return f.FoldPacked
	}
	panic(fmt.Sprintf("generator: unknown dialect flag %q", name))
}

var dialectTable = map[Dialect]dialectInfo{
	MaxCompute: {engine: models.EngineMaxCompute, quoteIdent: backquote, quoteString: maxComputeString,
		columnType: func(t string) string { return t }, workflow: true,
		typeSystem2: []Setting{{"odps.sql.type.system.odps2", "true"}},
		decimal2:    []Setting{{"odps.sql.decimal.odps2", "true"}},
		// https://www.alibabacloud.com/help/en/maxcompute/user-guide/current-timestamp
		timezone: "odps.sql.timezone",
		// In the 2.0 type system 3 is an INT and 3L a BIGINT; bitwise
		// operators, LEAST, NULLIF and COALESCE want both sides alike.
		bigint: func(n int64) string { return strconv.FormatInt(n, 10) + "L" },
		flags:  dialectFlags{TouchByWindow: true}},
	DuckDB: {engine: models.EngineDuckDB, quoteIdent: doubleQuote, quoteString: duckDBString,
		columnType: duckDBType, bigint: func(n int64) string { return strconv.FormatInt(n, 10) },
		flags: dialectFlags{FoldStarts: true, FoldLongLists: true, FoldPacked: true}},
}

func (d Dialect) info() dialectInfo {
	info, ok := dialectTable[d]
	if !ok {
		panic(fmt.Sprintf("generator: unknown dialect %q", string(d)))
	}
	return info
}

// ParseDialect checks a dialect name.
func ParseDialect(s string) (Dialect, error) {
	if _, ok := dialectTable[Dialect(s)]; ok {
		return Dialect(s), nil
	}
	return "", fmt.Errorf("unknown dialect %q; use %q or %q", s, MaxCompute, DuckDB)
}

// DialectOf returns the dialect of the SQL an engine runs.
func DialectOf(engine string) (Dialect, error) {
	for _, d := range Dialects {
		if d.info().engine == engine {
			return d, nil
		}
	}
	return "", fmt.Errorf("no SQL dialect for engine %q", engine)
}

// QuoteIdent quotes an identifier for the dialect.
func (d Dialect) QuoteIdent(name string) string { return d.info().quoteIdent(name) }

// QuoteString writes s as a string literal of the dialect that reads back
// as exactly the bytes of s. The literal never spans lines.
func (d Dialect) QuoteString(s string) string { return d.info().quoteString(s) }

// ColumnType maps a MaxCompute column type to the dialect.
func (d Dialect) ColumnType(t string) string { return d.info().columnType(t) }

// HoldsType reports whether a live column of type live is of funnel.toml's
// type t in the dialect, ignoring case and spaces.
func (d Dialect) HoldsType(live, t string) bool {
	norm := func(s string) string { return strings.ToUpper(strings.ReplaceAll(s, " ", "")) }
	return norm(d.ColumnType(t)) == norm(live)
}

// ConfigType writes a live column type of the dialect as funnel.toml would
// (a MaxCompute type), for messages that tell the user what to write.
func (d Dialect) ConfigType(live string) string {
	live = strings.ToUpper(strings.TrimSpace(live))
	for _, t := range []string{"STRING", "DATETIME", "BINARY", "BIGINT", "INT", "SMALLINT", "TINYINT", "DOUBLE", "FLOAT", "BOOLEAN", "DATE", "TIMESTAMP"} {
		if d.ColumnType(t) == live {
			return t
		}
	}
	return live
}

func backquote(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

func doubleQuote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// maxComputeString writes a MaxCompute string literal, which takes
// backslash escapes: \\, \', \n, \r, \t, and \ooo (three octal digits) for
// any other control character.
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/constants
func maxComputeString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\'':
			b.WriteString(`\'`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// duckDBString writes a DuckDB string literal: ' doubled, nothing else
// escaped. A control character would put raw bytes such as a line break
// into the SQL, so the literal is then a concatenation with chr(n).
func duckDBString(s string) string {
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			if i > start {
				parts = append(parts, "'"+strings.ReplaceAll(s[start:i], "'", "''")+"'")
			}
			parts = append(parts, "chr("+strconv.Itoa(int(c))+")")
			start = i + 1
		}
	}
	if start == 0 {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	if start < len(s) {
		parts = append(parts, "'"+strings.ReplaceAll(s[start:], "'", "''")+"'")
	}
	return "(" + strings.Join(parts, " || ") + ")"
}

func duckDBType(t string) string {
	base, args, _ := strings.Cut(t, "(")
	switch base {
	case "STRING", "VARCHAR", "CHAR":
		return "VARCHAR"
	case "DATETIME":
		return "TIMESTAMP"
	case "BINARY":
		return "BLOB"
	case "INT":
		// DuckDB's name: a table's INT column describes as INTEGER, and
		// plan and load compare the two.
		return "INTEGER"
	case "DECIMAL":
		if args == "" {
			return "DECIMAL(38,18)"
		}
	}
	return t
}

// commentText makes s safe inside a "--" comment of a DataWorks node: one
// line, and no ';' (DataWorks splits statements on it even in comments).
func commentText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, ";", ",")
}

// timeFormat writes a funnel.toml time format (models.FormatParts) in the
// pattern syntax of a dialect's string-to-time function: letters maps each
// pattern letter, quote escapes literal text.
func timeFormat(format string, letters map[string]string, quote func(string) string) string {
	parts, isLetter, err := models.FormatParts(format)
	if err != nil {
		panic(fmt.Sprintf("generator: time format %q passed validation: %v", format, err))
	}
	var b strings.Builder
	for i, p := range parts {
		if isLetter[i] {
			b.WriteString(letters[p])
		} else {
			b.WriteString(quote(p))
		}
	}
	return b.String()
}

// DuckDBTimeFormat writes a time format (models.FormatParts) as the DW node
// of the DuckDB dialect reads it with strptime, for what checks values as
// that node reads them (fgen load).
func DuckDBTimeFormat(format string) string { return strftime(format) }

// strftime writes a time format as DuckDB's strptime reads it.
// https://duckdb.org/docs/sql/functions/dateformat
func strftime(format string) string {
	return timeFormat(format, map[string]string{"yyyy": "%Y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S", "SSS": "%g"},
		func(s string) string { return strings.ReplaceAll(s, "%", "%%") })
}

// odpsTimeFormat writes a time format as MaxCompute's TO_DATE reads it:
// yyyy, mm (month), dd, hh (24-hour), mi, ss, ff3; other characters are
// skipped. https://www.alibabacloud.com/help/en/maxcompute/user-guide/to-date
func odpsTimeFormat(format string) string {
	return timeFormat(format, map[string]string{"yyyy": "yyyy", "MM": "mm", "dd": "dd", "HH": "hh", "mm": "mi", "ss": "ss", "SSS": "ff3"},
		func(s string) string { return s })
}
