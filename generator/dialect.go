package generator

import (
	"fmt"
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

// ParseDialect checks a dialect name.
func ParseDialect(s string) (Dialect, error) {
	for _, d := range Dialects {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("unknown dialect %q; use %q or %q", s, MaxCompute, DuckDB)
}

// QuoteIdent quotes an identifier for the dialect.
func (d Dialect) QuoteIdent(name string) string {
	if d == DuckDB {
		return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
	}
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// QuoteString writes s as a string literal of the dialect.
func (d Dialect) QuoteString(s string) string {
	if d == DuckDB {
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	// MaxCompute string literals take backslash escapes.
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return "'" + r.Replace(s) + "'"
}

// ColumnType maps a MaxCompute column type to the dialect.
func (d Dialect) ColumnType(t string) string {
	if d != DuckDB {
		return t
	}
	base, args, _ := strings.Cut(t, "(")
	switch base {
	case "STRING", "VARCHAR", "CHAR":
		return "VARCHAR"
	case "DATETIME":
		return "TIMESTAMP"
	case "BINARY":
		return "BLOB"
	case "DECIMAL":
		if args == "" {
			return "DECIMAL(38,18)"
		}
	}
	return t
}

// Param returns the business-date placeholder the generated SQL uses for a
// parameter style ("system" or "custom").
func Param(style string) string {
	if style == "custom" {
		return "${bizdate}"
	}
	return "${bdp.system.bizdate}"
}

// commentText makes s safe inside a "--" comment of a DataWorks node: one
// line, and no ';' (DataWorks splits statements on it even in comments).
func commentText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, ";", ",")
}

// needsODPS2 reports whether any column type needs the 2.0 type system.
func needsODPS2(cols []models.Column) bool {
	for _, c := range cols {
		if models.NeedsODPS2(c.Type) {
			return true
		}
	}
	return false
}
