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
		if !readsTables(toks, i) {
			continue
		}
		for _, ref := range tableRefs(toks, i+1, t.is("from")) {
			name := toks[ref.at]
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
			if ref.alias != "" {
				names = append(names, ref.alias)
			}
			keys := tb.spec.PartitionKeys
			if !wherePredicates(toks, ref.next, keys, names) && !(prunedByOn(toks, i) && onPredicates(toks, ref.next, keys, names)) {
				return semanticErr(name, "physical plan generation failed: Table(%s.%s) is full scan with all partitions, please specify partition predicates.", s.project, tb.spec.Name)
			}
		}
	}
	return nil
}

// fullScanHint lets a query read every partition of a table.
const fullScanHint = "odps.sql.allow.fullscan"

// keyAt reports whether toks[i] is one of keys, of the table whose names
// (its name and alias) are names: unqualified, or qualified by one of
// names (a JOIN b ... WHERE a.dt = '1' names no key of b).
func keyAt(toks []token, i int, keys []Column, names []string) bool {
	t := toks[i]
	if (t.kind != tkWord && t.kind != tkIdent) || columnIndex(keys, t.text) < 0 {
		return false
	}
	return i < 2 || !toks[i-1].punct(".") || slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, toks[i-2].text) })
}

// readsTables reports whether toks[i] is a FROM or a JOIN that tables
// follow: not the FROM of EXTRACT(YEAR FROM ts) or TRIM(BOTH 'x' FROM s).
func readsTables(toks []token, i int) bool {
	if !(toks[i].is("from") || toks[i].is("join")) || i+1 >= len(toks) {
		return false
	}
	depth := 0
	for k := i - 1; k > 0; k-- {
		switch {
		case toks[k].punct(")"):
			depth++
		case toks[k].punct("(") && depth > 0:
			depth--
		case toks[k].punct("("):
			return !toks[k-1].is("extract") && !toks[k-1].is("trim")
		}
	}
	return true
}

// prunedByOn reports whether the JOIN at toks[i] is one whose right-hand
// table a predicate in its ON clause prunes: not a RIGHT or FULL [OUTER]
// JOIN, which returns every row of that table.
func prunedByOn(toks []token, i int) bool {
	if !toks[i].is("join") {
		return false
	}
	k := i - 1
	if k > 0 && toks[k].is("outer") {
		k--
	}
	return k < 0 || !toks[k].is("right") && !toks[k].is("full")
}

// onPredicates reports whether the ON clause of the JOIN whose table ends
// at toks[i] names one of keys of that table (keyAt): MaxCompute prunes
// the partitions of a JOIN's right-hand table by a predicate in its ON
// clause (Alibaba Cloud, "Check whether partition pruning is effective").
func onPredicates(toks []token, i int, keys []Column, names []string) bool {
	if i >= len(toks) || !toks[i].is("on") {
		return false
	}
	depth := 0
	for i++; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.punct("("):
			depth++
		case t.punct(")"):
			if depth == 0 {
				return false
			}
			depth--
		case t.punct(";"):
			return false
		case depth == 0 && t.kind == tkWord && clauseWords[strings.ToUpper(t.text)]:
			return false // the next JOIN, WHERE, ...
		case keyAt(toks, i, keys, names):
			return true
		}
	}
	return false
}

// wherePredicates reports whether the WHERE clause of the query whose FROM
// list continues at toks[i] names one of keys: the WHERE at the same level
// of parentheses, up to the clause after it or the end of the query. A key
// in parentheses counts ((dt = 'a' OR dt = 'b')), but not one of a
// subquery's, which is that query's predicate (a IN (SELECT a FROM t
// WHERE dt = '1') still reads every partition of the outer t), nor one
// qualified by another table's name (keyAt).
func wherePredicates(toks []token, i int, keys []Column, names []string) bool {
	isKey := func(i int) bool { return keyAt(toks, i, keys, names) }
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

// tableRef is a table a FROM clause or a JOIN names: the index of its name
// (after project.), its alias ("" when it has none), and the index after
// both.
type tableRef struct {
	at    int
	alias string
	next  int
}

// isName reports whether t may be a name (of a table, a column, an alias):
// a `quoted` identifier, or a bare word that is no clause keyword.
func isName(t token) bool {
	return t.kind == tkIdent || t.kind == tkWord && !clauseWords[strings.ToUpper(t.text)]
}

// tableRefs returns the tables named from toks[i], the token after FROM or
// JOIN; of a FROM list (list), also those after its commas (FROM a, b). A
// subquery there is skipped, with its alias.
func tableRefs(toks []token, i int, list bool) []tableRef {
	var refs []tableRef
	for i < len(toks) {
		ref := tableRef{at: i}
		switch {
		case toks[i].punct("("):
			ref.at = -1 // a subquery
			i = closing(toks, i) + 1
		case isName(toks[i]):
			if i+2 < len(toks) && toks[i+1].punct(".") {
				ref.at = i + 2 // project.table
			}
			i = ref.at + 1
		default:
			return refs
		}
		if i+1 < len(toks) && toks[i].is("as") {
			ref.alias, i = toks[i+1].text, i+2
		} else if i < len(toks) && isName(toks[i]) {
			ref.alias, i = toks[i].text, i+1
		}
		ref.next = i
		if ref.at >= 0 {
			refs = append(refs, ref)
		}
		if !list || i >= len(toks) || !toks[i].punct(",") {
			return refs
		}
		i++
	}
	return refs
}
