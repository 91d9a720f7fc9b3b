package odpstest

import (
	"regexp"
	"slices"
	"strings"
)

// matching are the functions whose arguments must have one type in the
// 2.0 type system, where an integer literal is an INT (3) and a BIGINT
// one is written 3L: "Bitwise operators, SHIFTLEFT/SHIFTRIGHT, LEAST,
// NULLIF want matching types: write BIGINT literals with L where they
// meet BIGINT columns" (docs/MAXCOMPUTE.md of the brief).
//
// The shifts are not among them: Alibaba Cloud's reference gives
// "bigint shiftright(bigint <number1>, int <number2>)" and "If number2 is
// not of the INT type, an error is returned"
// (https://www.alibabacloud.com/help/en/maxcompute/user-guide/shiftright;
// shiftleft and shiftrightunsigned read the same), where the brief's
// sentence would have a BIGINT shift. The reference is the service's
// word, so the double follows it: see shifts.
var matching = map[string]bool{"NULLIF": true, "LEAST": true, "GREATEST": true}

// shifts are the functions whose second argument, the number of places,
// is an INT: a BIGINT there (2L, a BIGINT column) is refused. As
// elsewhere here, only a bare literal or column is typed: (1L) or
// CAST(1 AS BIGINT) passes.
var shifts = map[string]bool{"SHIFTLEFT": true, "SHIFTRIGHT": true, "SHIFTRIGHTUNSIGNED": true}

var (
	intLiteral    = regexp.MustCompile(`^[0-9]+$`)
	bigintLiteral = regexp.MustCompile(`(?i)^[0-9]+L$`)
)

// checkLiterals refuses, where the 2.0 type system is on (a project of its
// edition, or odps.sql.type.system.odps2=true), an INT literal that meets
// a BIGINT column of a table the statement reads in one of the matching
// functions or a bitwise operator (&, |, ^): NULLIF(n, 0) of a BIGINT n;
// and a BIGINT literal or column as a shift's number of places.
// The double knows the types of the tables' columns named as they are
// (n, t.n), not those of expressions or of a subquery's columns. Called
// with s.mu held.
func (s *Server) checkLiterals(toks []token, hints map[string]string) error {
	if s.typeSystem1 && !hintIs(hints, "odps.sql.type.system.odps2", "true") {
		return nil // an integer literal is a BIGINT
	}
	bigint := map[string]bool{} // the BIGINT columns of the tables read
	for i := 1; i < len(toks); i++ {
		if !refersToTable(toks[i-1]) {
			continue
		}
		if tb, ok := s.table(toks[i].text); ok {
			for _, c := range tb.spec.columns() {
				if strings.EqualFold(c.Type, "BIGINT") {
					bigint[strings.ToLower(c.Name)] = true
				}
			}
		}
	}
	// kind says what the operand toks[from:to] is: "int" (a literal),
	// "bigint" (a BIGINT literal or column), or "" (anything else).
	kind := func(from, to int) string {
		if to-from == 3 && toks[from+1].punct(".") {
			from += 2 // t.n
		}
		if to-from != 1 {
			return ""
		}
		t := toks[from]
		switch {
		case t.kind == tkWord && intLiteral.MatchString(t.text):
			return "int"
		case t.kind == tkWord && bigintLiteral.MatchString(t.text),
			(t.kind == tkWord || t.kind == tkIdent) && bigint[strings.ToLower(t.text)]:
			return "bigint"
		}
		return ""
	}
	mismatch := func(kinds []string) bool {
		return slices.Contains(kinds, "int") && slices.Contains(kinds, "bigint")
	}
	for i, t := range toks {
		switch {
		case t.kind == tkWord && (matching[strings.ToUpper(t.text)] || shifts[strings.ToUpper(t.text)]):
			end, _, ok := callAt(toks, i)
			if !ok {
				continue
			}
			var kinds []string
			from, depth := i+2, 0
			for j := i + 2; j <= end; j++ {
				switch {
				case toks[j].punct("("):
					depth++
				case toks[j].punct(")") && depth > 0:
					depth--
				case depth == 0 && (toks[j].punct(",") || j == end):
					kinds = append(kinds, kind(from, j))
					from = j + 1
				}
			}
			if shifts[strings.ToUpper(t.text)] {
				if len(kinds) == 2 && kinds[1] == "bigint" {
					return argTypeErr(t, "invalid type BIGINT of argument 2 for function %s: the number of places is an INT (2, not 2L)", strings.ToLower(t.text))
				}
				continue
			}
			if mismatch(kinds) {
				return argTypeErr(t, "in function %s, BIGINT and INT arguments: write the integer literal as a BIGINT (3L)", strings.ToLower(t.text))
			}
		case t.punct("&") || t.punct("|") || t.punct("^"):
			if i > 0 && i+1 < len(toks) && mismatch([]string{kind(i-1, i), kind(i+1, i+2)}) {
				return argTypeErr(t, "operator %s of BIGINT and INT: write the integer literal as a BIGINT (3L)", t.text)
			}
		}
	}
	return nil
}

// argTypeErr is the service's error of an argument of the wrong type.
func argTypeErr(t token, format string, a ...any) error {
	err := semanticErr(t, format, a...).(*sqlError)
	err.code, err.kind = "ODPS-0130121", "Invalid argument type"
	return err
}
