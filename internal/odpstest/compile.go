package odpstest

import "strings"

// Compile checks what MaxCompute checks of a job's SQL before it runs it,
// for the rules fgen's output must obey. The double fails a job that breaks
// one, as the service does, with the service's kind of error text. Each
// rule and its source:
//
//   - Every statement ends with ';', also a query submitted alone: the
//     grammar's statement rules end in SEMICOLON (OdpsParser.g4 of
//     aliyun/aliyun-odps-java-sdk; pyodps appends one).
//   - An SQL task runs one statement; several need script mode, the
//     setting odps.sql.submit.mode=script
//     (https://www.alibabacloud.com/help/en/maxcompute/user-guide/sql-in-script-mode).
//   - ORDER BY without LIMIT is refused while odps.sql.validate.orderby.limit
//     is on, its default (https://www.alibabacloud.com/help/en/maxcompute/user-guide/select-syntax).
//     ORDER BY inside OVER (...), WITHIN GROUP (...) or a named window's
//     definition (WINDOW w AS (...)) is not a query's.
//   - ALTER TABLE ... SET LIFECYCLE takes a positive number of days
//     (alterTable; https://www.alibabacloud.com/help/en/maxcompute/user-guide/table-operations).
//   - Only "--" comments: block comments are not in the grammar (its lexer
//     has the rule commented out); "/*+ ... */" hints are (tokenize). A
//     "/*" in a string literal is text.
func Compile(sql string, hints map[string]string) error {
	_, err := compile(sql, hints)
	return err
}

// compile is Compile, returning the tokens of sql for the checks that
// follow it (Server.check).
func compile(sql string, hints map[string]string) ([]token, error) {
	toks, err := tokenize(sql)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, parseErr(token{line: 1, col: 1}, "no statement in the SQL task")
	}
	if last := toks[len(toks)-1]; !last.punct(";") {
		width := len([]rune(last.text))
		if last.kind == tkString || last.kind == tkIdent {
			width += 2 // the quotes
		}
		return nil, parseErr(token{line: last.line, col: last.col + width}, "missing ';' at '<EOF>'")
	}
	script := hintIs(hints, "odps.sql.submit.mode", "script")
	n := 0
	for stmt := range statements(toks) {
		n++
		if n > 1 && !script {
			return nil, parseErr(stmt[0], "extraneous input '%s' after ';': an SQL task runs one statement; submit them one by one, or set odps.sql.submit.mode=script", stmt[0].text)
		}
		if err := checkOrderBy(stmt, hints); err != nil {
			return nil, err
		}
	}
	return toks, nil
}

// checkOrderBy refuses an ORDER BY of a query (not of a window) with no
// LIMIT after it at the same level of parentheses.
func checkOrderBy(stmt []token, hints map[string]string) error {
	if hintIs(hints, "odps.sql.validate.orderby.limit", "false") {
		return nil
	}
	type level struct {
		window  bool   // OVER (...), WITHIN GROUP (...), WINDOW w AS (...)
		windows bool   // in the level's WINDOW clause
		orderBy *token // an ORDER BY still waiting for its LIMIT
	}
	levels := []level{{}}
	for i, t := range stmt {
		top := &levels[len(levels)-1]
		switch {
		case t.is("window"):
			top.windows = true
		case t.punct("("):
			window := i > 0 && (stmt[i-1].is("over") || stmt[i-1].is("group") && i > 1 && stmt[i-2].is("within") || stmt[i-1].is("as") && top.windows)
			levels = append(levels, level{window: window})
		case t.punct(")"):
			if top.orderBy != nil {
				return orderByErr(*top.orderBy)
			}
			if len(levels) > 1 {
				levels = levels[:len(levels)-1]
			}
		case t.is("order") && i+1 < len(stmt) && stmt[i+1].is("by") && !top.window:
			top.orderBy = &stmt[i]
		case t.is("limit"):
			top.orderBy = nil
		}
	}
	if o := levels[len(levels)-1].orderBy; o != nil {
		return orderByErr(*o)
	}
	return nil
}

func orderByErr(t token) error {
	return semanticErr(t, "ORDER BY must be used with a LIMIT clause, please set odps.sql.validate.orderby.limit=false to use it.")
}

// hintIs reports whether the job's setting key is want (in any case, as
// MaxCompute reads a flag).
func hintIs(hints map[string]string, key, want string) bool {
	return strings.EqualFold(strings.TrimSpace(hints[key]), want)
}
