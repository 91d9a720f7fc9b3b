package odpstest

import (
	"slices"
	"strings"
)

// builtins are MaxCompute's built-in functions that the double resolves:
// those of Alibaba Cloud's reference of built-in functions (mathematical,
// string, date, aggregate, window, complex type and other functions;
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/built-in-functions-overview),
// each a page of that reference. The service fails a call of any other
// name (no UDF is registered in the double's project) in semantic
// analysis: "ODPS-0130071:Semantic analysis exception - function or view Y
// cannot be resolved"
// (https://www.alibabacloud.com/help/en/maxcompute/user-guide/common-errors-for-built-in-functions).
var builtins = setOf(
	// mathematical
	"ABS", "ACOS", "ASIN", "ATAN", "BIN", "CBRT", "CEIL", "CONV", "CORR", "COS", "COSH", "COT",
	"DEGREES", "E", "EXP", "FACTORIAL", "FLOOR", "FORMAT_NUMBER", "HEX", "ISNAN", "LN", "LOG",
	"LOG10", "LOG2", "NEGATIVE", "PI", "POSITIVE", "POW", "RADIANS", "RAND", "ROUND",
	"SHIFTLEFT", "SHIFTRIGHT", "SHIFTRIGHTUNSIGNED", "SIGN", "SIN", "SINH", "SQRT", "TAN",
	"TANH", "TRUNC", "UNHEX", "WIDTH_BUCKET",
	// string
	"ASCII", "BASE64", "CHAR_MATCHCOUNT", "CHR", "CONCAT", "CONCAT_WS", "DECODE", "ENCODE",
	"FIND_IN_SET", "FROM_JSON", "GET_JSON_OBJECT", "INITCAP", "INSTR", "IS_ENCODING",
	"JSON_TUPLE", "KEYVALUE", "KEYVALUE_TUPLE", "LENGTH", "LENGTHB", "LOCATE", "LOWER", "LPAD",
	"LTRIM", "MD5", "PARSE_URL", "PARSE_URL_TUPLE", "REGEXP_COUNT", "REGEXP_EXTRACT",
	"REGEXP_EXTRACT_ALL", "REGEXP_INSTR", "REGEXP_REPLACE", "REGEXP_SUBSTR", "REPEAT",
	"REPLACE", "REVERSE", "RPAD", "RTRIM", "SHA", "SHA1", "SHA2", "SOUNDEX", "SPACE", "SPLIT",
	"SPLIT_PART", "SUBSTR", "SUBSTRING", "SUBSTRING_INDEX", "TO_CHAR", "TO_JSON", "TOLOWER",
	"TOUPPER", "TRIM", "UNBASE64", "UPPER", "URL_DECODE", "URL_ENCODE",
	// date
	"ADD_MONTHS", "CURRENT_TIMESTAMP", "DATE_ADD", "DATE_FORMAT", "DATE_SUB", "DATEADD",
	"DATEDIFF", "DATEPART", "DATETRUNC", "DAY", "DAYOFMONTH", "DAYOFWEEK", "DAYOFYEAR",
	"EXTRACT", "FROM_UNIXTIME", "FROM_UTC_TIMESTAMP", "GETDATE", "HOUR", "ISDATE", "LAST_DAY",
	"LASTDAY", "MINUTE", "MONTH", "MONTHS_BETWEEN", "NEXT_DAY", "NOW", "QUARTER", "SECOND",
	"TO_DATE", "TO_MILLIS", "UNIX_TIMESTAMP", "WEEKDAY", "WEEKOFYEAR", "YEAR",
	// aggregate
	"ANY_VALUE", "APPROX_DISTINCT", "ARG_MAX", "ARG_MIN", "AVG", "BITWISE_AND_AGG",
	"BITWISE_OR_AGG", "COLLECT_LIST", "COLLECT_SET", "COUNT", "COUNT_IF", "COVAR_POP",
	"COVAR_SAMP", "HISTOGRAM", "MAP_AGG", "MAP_UNION", "MAP_UNION_SUM", "MAX", "MAX_BY",
	"MEDIAN", "MIN", "MIN_BY", "MULTIMAP_AGG", "NUMERIC_HISTOGRAM", "PERCENTILE",
	"PERCENTILE_APPROX", "STDDEV", "STDDEV_SAMP", "SUM", "VAR_SAMP", "VARIANCE", "WM_CONCAT",
	// window
	"CLUSTER_SAMPLE", "CUME_DIST", "DENSE_RANK", "FIRST_VALUE", "LAG", "LAST_VALUE", "LEAD",
	"NTH_VALUE", "NTILE", "PERCENT_RANK", "RANK", "ROW_NUMBER",
	// complex types
	"ALL_MATCH", "ANY_MATCH", "ARRAY", "ARRAY_CONTAINS", "ARRAY_DISTINCT", "ARRAY_EXCEPT",
	"ARRAY_INTERSECT", "ARRAY_JOIN", "ARRAY_MAX", "ARRAY_MIN", "ARRAY_POSITION",
	"ARRAY_REDUCE", "ARRAY_REMOVE", "ARRAY_SORT", "ARRAY_UNION", "ARRAYS_OVERLAP",
	"ARRAYS_ZIP", "EXPLODE", "FILTER", "INDEX", "INLINE", "MAP", "MAP_CONCAT", "MAP_ENTRIES",
	"MAP_FILTER", "MAP_FROM_ARRAYS", "MAP_FROM_ENTRIES", "MAP_KEYS", "MAP_VALUES",
	"NAMED_STRUCT", "POSEXPLODE", "SEQUENCE", "SIZE", "SLICE", "SORT_ARRAY", "STRUCT",
	"TRANSFORM", "TRANSFORM_KEYS", "TRANSFORM_VALUES", "ZIP_WITH",
	// other
	"BETWEEN", "CAST", "COALESCE", "GREATEST", "GROUPING", "GROUPING_ID", "HASH", "IF", "LEAST",
	"MAX_PT", "NULLIF", "NVL", "ORDINAL", "SAMPLE", "STACK", "STR_TO_MAP", "TRANS_ARRAY",
	"TRANS_COLS", "UUID",
)

// notCalls are the keywords a "(" may follow that do not make a call:
// x IN (...), OVER (...), name AS (...), VALUES (...), PARTITION (...),
// GROUPING SETS (...), and type names, DECIMAL(38,18).
var notCalls = setOf(
	"ALL", "AND", "AS", "BY", "CASE", "CHAR", "COLUMNS", "CUBE", "DECIMAL", "DISTINCT", "ELSE",
	"EXISTS", "FROM", "GROUP", "HAVING", "IN", "INTO", "IS", "JOIN", "LIKE", "LIMIT", "NOT",
	"ON", "OR", "OVER", "PARTITION", "RLIKE", "ROLLUP", "SELECT", "SETS", "TABLE",
	"TABLESAMPLE", "THEN", "UNION", "USING", "VALUES", "VARCHAR", "WHEN", "WHERE", "WITH",
)

// clauseWords are the keywords that may follow a table or a subquery in a
// FROM clause, so a bare word there is an alias only when it is none of
// them.
var clauseWords = setOf(
	"CLUSTER", "CROSS", "DISTRIBUTE", "FULL", "GROUP", "HAVING", "INNER", "JOIN", "LATERAL",
	"LEFT", "LIMIT", "ON", "ORDER", "OUTER", "RIGHT", "SEMI", "ANTI", "SORT", "TABLESAMPLE",
	"UNION", "WHERE", "WINDOW", "INSERT", "SELECT",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// checkNames refuses, in a query or an INSERT of one, what the service's
// semantic analysis cannot resolve:
//
//   - a call of a function that is not built in (builtins): "function or
//     view 'f' cannot be resolved";
//   - a `backquoted` name that is neither a column of a table the
//     statement reads nor a name the statement defines (an alias, a WITH
//     name): "column c cannot be resolved", the text of Alibaba Cloud's
//     "Rewrite incompatible SQL statements" (ODPS-0130071:[2,45] Semantic
//     analysis exception - column rn cannot be resolved); and `t`.`c` of a
//     table t (or its alias) without the column c.
//
// The double resolves the names written in backquotes, as fgen writes
// every column; it takes a name defined anywhere in the statement to be
// seen everywhere in it, so it refuses a name no part of the statement
// could give, not one given only out of scope. Called with s.mu held.
func (s *Server) checkNames(toks []token) error {
	for stmt := range statements(toks) {
		if !(stmt[0].is("select") || stmt[0].is("insert") || stmt[0].is("with")) {
			continue
		}
		if err := checkCalls(stmt); err != nil {
			return err
		}
		if err := s.checkColumns(stmt); err != nil {
			return err
		}
	}
	return nil
}

// statements yields the statements of toks, without their ';'.
func statements(toks []token) func(yield func([]token) bool) {
	return func(yield func([]token) bool) {
		for len(toks) > 0 {
			end := slices.IndexFunc(toks, func(t token) bool { return t.punct(";") })
			if end < 0 {
				end = len(toks)
			}
			if end > 0 && !yield(toks[:end]) {
				return
			}
			toks = toks[min(end+1, len(toks)):]
		}
	}
}

// checkCalls refuses a call of a function that is not built in.
func checkCalls(stmt []token) error {
	for i, t := range stmt {
		if t.kind != tkWord || i+1 == len(stmt) || !stmt[i+1].punct("(") || notCalls[strings.ToUpper(t.text)] {
			continue
		}
		if i > 0 && (refersToTable(stmt[i-1]) || stmt[i-1].is("as") || stmt[i-1].punct(".")) {
			continue // a table's column list, a type, a qualified name
		}
		if !builtins[strings.ToUpper(t.text)] {
			return semanticErr(t, "function or view '%s' cannot be resolved", t.text)
		}
	}
	return nil
}

// checkColumns refuses a `backquoted` name the statement cannot resolve.
func (s *Server) checkColumns(stmt []token) error {
	known := map[string]bool{}    // columns of the tables read, names defined
	tables := map[string]*table{} // the tables read, by name and alias
	name := func(t token) bool {
		return t.kind == tkIdent || t.kind == tkWord && !clauseWords[strings.ToUpper(t.text)]
	}
	for i, t := range stmt {
		switch {
		case (t.is("from") || t.is("join")) && i+1 < len(stmt):
			j := i + 1
			if j+2 < len(stmt) && stmt[j+1].punct(".") {
				j += 2 // project.table
			}
			tb, ok := s.table(stmt[j].text)
			if !ok || !name(stmt[j]) {
				continue // a subquery, a WITH name
			}
			tables[strings.ToLower(stmt[j].text)] = tb
			for _, c := range slices.Concat(tb.spec.Columns, tb.spec.PartitionKeys) {
				known[strings.ToLower(c.Name)] = true
			}
			if k := j + 1; k < len(stmt) && !stmt[k].is("as") && name(stmt[k]) {
				tables[strings.ToLower(stmt[k].text)] = tb // the alias
				known[strings.ToLower(stmt[k].text)] = true
			} else if k+1 < len(stmt) && stmt[k].is("as") {
				tables[strings.ToLower(stmt[k+1].text)] = tb
			}
		case t.is("as") && i+1 < len(stmt):
			switch {
			case stmt[i+1].punct("(") && i+2 < len(stmt) && (stmt[i+2].is("select") || stmt[i+2].is("with")):
				known[strings.ToLower(stmt[i-1].text)] = true // WITH name AS (...)
			case stmt[i+1].punct("("): // SELECT TRANSFORM (...) USING '...' AS (a, b)
				for j := i + 2; j < len(stmt) && !stmt[j].punct(")"); j++ {
					known[strings.ToLower(stmt[j].text)] = true
				}
			case lateralView(stmt, i): // LATERAL VIEW f(...) alias AS a, b
				for j := i + 1; j < len(stmt) && name(stmt[j]); j += 2 {
					known[strings.ToLower(stmt[j].text)] = true
					if j+1 == len(stmt) || !stmt[j+1].punct(",") {
						break
					}
				}
			default:
				known[strings.ToLower(stmt[i+1].text)] = true
			}
		case t.punct(")") && i+1 < len(stmt) && name(stmt[i+1]):
			known[strings.ToLower(stmt[i+1].text)] = true // (subquery) alias
		}
	}
	from := 0
	if stmt[0].is("insert") { // the target and its partition are not read
		from = slices.IndexFunc(stmt, func(t token) bool { return t.is("select") || t.is("values") })
		if from < 0 {
			return nil
		}
	}
	for i := from; i < len(stmt); i++ {
		t := stmt[i]
		if t.kind != tkIdent || i > 0 && refersToTable(stmt[i-1]) {
			continue
		}
		if i > 1 && stmt[i-1].punct(".") {
			if tb, ok := tables[strings.ToLower(stmt[i-2].text)]; ok && columnIndex(slices.Concat(tb.spec.Columns, tb.spec.PartitionKeys), t.text) < 0 {
				return semanticErr(t, "column %s.%s cannot be resolved", stmt[i-2].text, t.text)
			}
			continue // a column of a subquery, a field of a struct
		}
		if i+1 < len(stmt) && stmt[i+1].punct(".") {
			if _, ok := tables[strings.ToLower(t.text)]; ok {
				continue
			}
		}
		if !known[strings.ToLower(t.text)] {
			return semanticErr(t, "column %s cannot be resolved", t.text)
		}
	}
	return nil
}

// lateralView reports whether the AS at stmt[i] names the columns of a
// LATERAL VIEW: LATERAL VIEW f(...) alias AS a, b.
func lateralView(stmt []token, i int) bool {
	for j := i - 1; j > 0; j-- {
		switch {
		case stmt[j].is("view"):
			return stmt[j-1].is("lateral")
		case stmt[j].is("select") || stmt[j].is("from") || stmt[j].is("as"):
			return false
		}
	}
	return false
}
