package odpstest

import (
	"slices"
	"strings"
)

// checkReads refuses what the service refuses of the tables a statement
// reads (FROM t, JOIN t, [project.]t):
//
//   - a table that does not exist: "ODPS-0130131 Table not found"; the
//     names a WITH clause defines (name AS (...)) are not tables;
//   - a partitioned table read without a predicate on a partition column
//     in the WHERE clause of the same query: "Reading a partitioned table
//     without a partition predicate fails (ODPS-0130071 ... full scan)"
//     (docs/MAXCOMPUTE.md of the brief; the service's text reads "Table(p.t)
//     is full scan with all partitions, please specify partition
//     predicates"), unless odps.sql.allow.fullscan=true, which fgen never
//     sends. A predicate is the partition column's name in that WHERE
//     clause; the double does not judge whether it prunes.
//
// Statements other than queries and INSERT ... SELECT name tables after
// other keywords and are not checked here. Called with s.mu held.
func (s *Server) checkReads(toks []token, hints map[string]string) error {
	fullscan := hintIs(hints, fullScanHint, "true")
	defined := map[string]bool{} // WITH names
	for i := 0; i+2 < len(toks); i++ {
		if (toks[i].kind == tkWord || toks[i].kind == tkIdent) && toks[i+1].is("as") && toks[i+2].punct("(") {
			defined[strings.ToLower(toks[i].text)] = true
		}
	}
	for i, t := range toks {
		if !(t.is("from") || t.is("join")) || i+1 >= len(toks) {
			continue
		}
		j := i + 1
		name := toks[j]
		if name.kind != tkWord && name.kind != tkIdent {
			continue // a subquery
		}
		if j+2 < len(toks) && toks[j+1].punct(".") {
			j += 2 // project.table
			name = toks[j]
		}
		if defined[strings.ToLower(name.text)] {
			continue
		}
		tb, ok := s.table(name.text)
		if !ok {
			return s.tableNotFoundErr(name)
		}
		if len(tb.spec.PartitionKeys) == 0 || fullscan {
			continue
		}
		names := []string{name.text} // the names of the table in the query
		if k := j + 1; k+1 < len(toks) && toks[k].is("as") {
			names = append(names, toks[k+1].text)
		} else if k < len(toks) && (toks[k].kind == tkIdent || toks[k].kind == tkWord && !clauseWords[strings.ToUpper(toks[k].text)]) {
			names = append(names, toks[k].text)
		}
		if !wherePredicates(toks, j+1, tb.spec.PartitionKeys, names) {
			return semanticErr(name, "physical plan generation failed: Table(%s.%s) is full scan with all partitions, please specify partition predicates.", s.project, tb.spec.Name)
		}
	}
	return nil
}

// fullScanHint lets a query read every partition of a table.
const fullScanHint = "odps.sql.allow.fullscan"

// wherePredicates reports whether the WHERE clause of the query whose FROM
// list continues at toks[i] names one of keys: the WHERE at the same level
// of parentheses, up to the clause after it or the end of the query. A key
// in parentheses counts ((dt = 'a' OR dt = 'b')), but not one of a
// subquery's, which is that query's predicate (a IN (SELECT a FROM t
// WHERE dt = '1') still reads every partition of the outer t), nor one
// qualified by another table's name (a JOIN b ... WHERE a.dt = '1' reads
// every partition of b): a qualified key is the table's when its qualifier
// is one of names, the table's name and alias.
func wherePredicates(toks []token, i int, keys []Column, names []string) bool {
	isKey := func(i int) bool {
		t := toks[i]
		if (t.kind != tkWord && t.kind != tkIdent) || columnIndex(keys, t.text) < 0 {
			return false
		}
		return i < 2 || !toks[i-1].punct(".") || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, toks[i-2].text) })
	}
	var parens []bool // open parentheses, true for a subquery's
	in := false
	for ; i < len(toks); i++ {
		t := toks[i]
		depth := len(parens)
		switch {
		case t.punct("("):
			parens = append(parens, false)
		case t.punct(")"):
			if depth == 0 {
				return false // the query ended
			}
			parens = parens[:depth-1]
		case t.punct(";"):
			return false
		case depth > 0:
			if t.is("select") {
				parens[depth-1] = true
			}
			if in && isKey(i) && !slices.Contains(parens, true) {
				return true
			}
		case t.is("where"):
			in = true
		case in && (t.is("group") || t.is("order") || t.is("union") || t.is("having") || t.is("window") || t.is("limit") || t.is("distribute") || t.is("sort") || t.is("cluster")):
			return false
		case !in && (t.is("union") || t.is("group") || t.is("order")):
			return false // no WHERE
		case in && isKey(i):
			return true
		}
	}
	return false
}

// checkInserts refuses an INSERT ... SELECT whose select list does not
// give one value per column the insert fills: the table's columns, or the
// columns it lists, and a partition column named without a value
// (dynamic). MaxCompute maps the values to the columns by position, not by
// name (docs/MAXCOMPUTE.md of the brief), and refuses a count that
// differs, as Hive does ("Cannot insert into target table because column
// number/types are different"). The double counts the first select list
// after the insert's target up to its FROM or the clause after it; it does
// not count a select list with '*', SELECT TRANSFORM, or the form FROM ...
// INSERT ... SELECT. Called with s.mu held.
func (s *Server) checkInserts(toks []token) error {
	for i := 0; i < len(toks); i++ {
		if !toks[i].is("insert") || i+2 >= len(toks) || !(toks[i+1].is("overwrite") || toks[i+1].is("into")) {
			continue
		}
		j := i + 2
		if toks[j].is("table") {
			j++
		}
		if j+2 < len(toks) && toks[j+1].punct(".") {
			j += 2 // project.table
		}
		if j >= len(toks) {
			return nil
		}
		name := toks[j]
		tb, ok := s.table(name.text)
		if !ok {
			return s.tableNotFoundErr(name)
		}
		want := len(tb.spec.Columns)
		j++
		if j < len(toks) && toks[j].is("partition") && j+1 < len(toks) && toks[j+1].punct("(") {
			// PARTITION (k = 'v', k2): a key without a value takes one from the select list
			end := closing(toks, j+1)
			for k := j + 2; k < end; k++ {
				if (toks[k].kind == tkWord || toks[k].kind == tkIdent) && (toks[k+1].punct(",") || toks[k+1].punct(")")) && !toks[k-1].punct("=") {
					want++
				}
			}
			j = end + 1
		}
		if j < len(toks) && toks[j].punct("(") {
			// a column list: the values fill those columns
			end := closing(toks, j)
			want = 0
			for k := j + 1; k < end; k++ {
				if toks[k].kind == tkWord || toks[k].kind == tkIdent {
					want++
				}
			}
			j = end + 1
		}
		start := i // the statement's first token
		for start > 0 && !toks[start-1].punct(";") {
			start--
		}
		if j >= len(toks) || !toks[j].is("select") || toks[start].is("from") || j+1 < len(toks) && toks[j+1].is("transform") {
			continue // VALUES, and the forms the double does not count
		}
		got, depth := 1, 0
		for k := j + 1; k < len(toks); k++ {
			t := toks[k]
			switch {
			case t.punct("("):
				depth++
			case t.punct(")"):
				depth--
			case depth == 0 && t.punct("*"):
				if toks[k-1].punct(",") || toks[k-1].is("select") || toks[k-1].punct(".") {
					got = -1
				}
			case depth == 0 && t.punct(","):
				got++
			}
			if got < 0 || depth < 0 || depth == 0 && (t.punct(";") || endsSelectList[strings.ToLower(t.text)] && t.kind == tkWord) {
				break
			}
		}
		if got >= 0 && got != want {
			return semanticErr(toks[j], "insert into table %s.%s: the query gives %d values, and the insert fills %d columns (%s)", s.project, tb.spec.Name, got, want, "values go to columns by position")
		}
	}
	return nil
}

// closing returns the index of the ')' that closes toks[open], or the last
// index when none does.
func closing(toks []token, open int) int {
	depth := 0
	for k := open; k < len(toks); k++ {
		switch {
		case toks[k].punct("("):
			depth++
		case toks[k].punct(")"):
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return len(toks) - 1
}

// endsSelectList are the keywords that end a select list at its level.
var endsSelectList = map[string]bool{"from": true, "where": true, "group": true, "having": true, "union": true,
	"lateral": true, "order": true, "limit": true, "distribute": true, "sort": true, "cluster": true, "insert": true}
