package odpstest

import "strings"

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
		if !wherePredicates(toks, j+1, tb.spec.PartitionKeys) {
			return semanticErr(name, "physical plan generation failed: Table(%s.%s) is full scan with all partitions, please specify partition predicates.", s.project, tb.spec.Name)
		}
	}
	return nil
}

// fullScanHint lets a query read every partition of a table.
const fullScanHint = "odps.sql.allow.fullscan"

// wherePredicates reports whether the WHERE clause of the query whose FROM
// list continues at toks[i] names one of keys: the WHERE at the same level
// of parentheses, up to the clause after it or the end of the query.
func wherePredicates(toks []token, i int, keys []Column) bool {
	depth := 0
	in := false
	for ; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.punct("("):
			depth++
		case t.punct(")"):
			if depth == 0 {
				return false // the query ended
			}
			depth--
		case t.punct(";"):
			return false
		case depth > 0:
			if in && isKey(t, keys) {
				return true
			}
		case t.is("where"):
			in = true
		case in && (t.is("group") || t.is("order") || t.is("union") || t.is("having") || t.is("window") || t.is("limit") || t.is("distribute") || t.is("sort") || t.is("cluster")):
			return false
		case !in && (t.is("union") || t.is("group") || t.is("order")):
			return false // no WHERE
		case in && isKey(t, keys):
			return true
		}
	}
	return false
}

func isKey(t token, keys []Column) bool {
	return (t.kind == tkWord || t.kind == tkIdent) && columnIndex(keys, t.text) >= 0
}
