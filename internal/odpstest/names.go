package odpstest

import (
	"slices"
	"strings"
)

// builtins are MaxCompute's built-in functions that the double resolves,
// each with a page in Alibaba Cloud's reference of built-in functions
// (mathematical, string, JSON, date, aggregate, window, complex type and
// other functions;
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/built-in-functions-overview).
// The list need not hold all of that reference: a call of a function it
// lacks fails a test, and the function, once found in the reference, is
// added. The service fails a call of any other
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
	// JSON
	"JSON_ARRAY", "JSON_CONTAINS", "JSON_EXISTS", "JSON_EXPLODE", "JSON_EXTRACT", "JSON_FORMAT",
	"JSON_INSERT", "JSON_LENGTH", "JSON_OBJECT", "JSON_PARSE", "JSON_PRETTY", "JSON_SET",
	"JSON_STRIP_NULLS", "JSON_TYPE", "JSON_UNQUOTE", "JSON_VALID",
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
	"PERCENTILE_APPROX", "STDDEV", "STDDEV_SAMP", "SUM", "VAR_POP", "VAR_SAMP", "VARIANCE",
	"WM_CONCAT",
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
	known := map[string]bool{}      // columns of the tables read, names defined
	tables := map[string]*table{}   // the tables read, by name and alias
	subqueries := map[string]bool{} // the aliases of subqueries
	named := map[int]bool{}         // where the statement names a table
	windows := false                // in a WINDOW clause
	for i, t := range stmt {
		switch {
		case t.is("window"):
			windows = true
		case readsTables(stmt, i):
			for _, ref := range tableRefs(stmt, i+1, t.is("from")) {
				named[ref.at] = true
				tb, ok := s.table(stmt[ref.at].text)
				if !ok {
					continue // a WITH name
				}
				tables[strings.ToLower(stmt[ref.at].text)] = tb
				for _, c := range tb.spec.columns() {
					known[strings.ToLower(c.Name)] = true
				}
				if ref.alias != "" {
					tables[strings.ToLower(ref.alias)] = tb
					known[strings.ToLower(ref.alias)] = true
				}
			}
		case t.is("as") && i+1 < len(stmt):
			switch {
			case !stmt[i+1].punct("("):
				if lateralView(stmt, i) { // LATERAL VIEW f(...) alias AS a, b
					for j := i + 1; j < len(stmt) && isName(stmt[j]); j += 2 {
						known[strings.ToLower(stmt[j].text)] = true
						if j+1 == len(stmt) || !stmt[j+1].punct(",") {
							break
						}
					}
				}
				known[strings.ToLower(stmt[i+1].text)] = true // AS alias
			case stmt[i-1].kind != tkString && (i+2 < len(stmt) && (stmt[i+2].is("select") || stmt[i+2].is("with")) || windows):
				// WITH name AS (SELECT ...), WINDOW name AS (...)
				known[strings.ToLower(stmt[i-1].text)] = true
			default: // SELECT TRANSFORM (...) USING '...' [RESOURCES '...'] AS (a, b)
				for j := i + 2; j < len(stmt) && !stmt[j].punct(")"); j++ {
					known[strings.ToLower(stmt[j].text)] = true
				}
			}
		case t.kind == tkIdent && i > 0 && endsExpression(stmt[i-1]):
			// An alias without AS: `uid` `u`, f(x) `y`, (subquery) `s`.
			known[strings.ToLower(t.text)] = true
			if stmt[i-1].punct(")") {
				subqueries[strings.ToLower(t.text)] = true
			}
		case t.punct("-") && i+1 < len(stmt) && stmt[i+1].punct(">"):
			// A lambda's variables: `x` -> ..., (`p`, `x`) -> ...
			from := i - 1
			if i > 0 && stmt[i-1].punct(")") {
				for from = i - 1; from > 0 && !stmt[from].punct("("); from-- {
				}
			}
			for j := max(from, 0); j < i; j++ {
				known[strings.ToLower(stmt[j].text)] = true
			}
		}
	}
	for i := 0; i < len(stmt); i++ {
		t := stmt[i]
		if t.is("insert") { // its target and partition are not read
			for i < len(stmt) && !stmt[i].is("select") && !stmt[i].is("values") {
				i++
			}
			continue
		}
		if t.kind != tkIdent || named[i] || i > 0 && refersToTable(stmt[i-1]) {
			continue
		}
		if i > 1 && stmt[i-1].punct(".") {
			q := strings.ToLower(stmt[i-2].text)
			if tb, ok := tables[q]; ok && !subqueries[q] && columnIndex(tb.spec.columns(), t.text) < 0 {
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

// endsExpression reports whether t may end an expression, so that a name
// right after it is an alias: a name, a string, a number, ")" or END,
// NULL, TRUE, FALSE (not a keyword before an expression: SELECT `uid`).
func endsExpression(t token) bool {
	switch {
	case t.kind == tkIdent, t.kind == tkString, t.punct(")"):
		return true
	case t.kind == tkWord:
		w := strings.ToUpper(t.text)
		return w[0] >= '0' && w[0] <= '9' || w == "END" || w == "NULL" || w == "TRUE" || w == "FALSE"
	}
	return false
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
