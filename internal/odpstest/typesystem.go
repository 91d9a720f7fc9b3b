package odpstest

import (
	"strings"
)

// WithTypeSystem1 makes the double's project one of the MaxCompute 1.0 data
// type edition (odps.sql.type.system.odps2=false, odps.sql.decimal.odps2=false,
// the default of projects created before April 2020), which refuses a
// statement that involves a 2.0 type unless the job's settings turn the
// 2.0 type system on for it; see checkTypeSystem. A project of the 2.0
// edition accepts all such statements, with or without the settings.
func WithTypeSystem1() Option {
	return func(s *Server) { s.typeSystem1 = true }
}

// types2 are the type names of the 2.0 type system: a column or CAST of one
// of them needs odps.sql.type.system.odps2=true in a 1.0 project.
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/maxcompute-v2-0-data-type-edition
var types2 = map[string]bool{
	"TINYINT": true, "SMALLINT": true, "INT": true, "FLOAT": true, "VARCHAR": true, "CHAR": true,
	"DATE": true, "TIMESTAMP": true, "TIMESTAMP_NTZ": true, "BINARY": true, "INTERVAL": true,
	"ARRAY": true, "MAP": true, "STRUCT": true, "JSON": true,
}

// functions2 are built-in functions of the 2.0 type system that fgen's SQL
// uses (docs/MAXCOMPUTE.md of the brief: "Functions of the 2.0 type system
// ... need set odps.sql.type.system.odps2=true").
var functions2 = map[string]bool{
	"BITWISE_OR_AGG": true, "BITWISE_AND_AGG": true, "SHIFTRIGHT": true, "SHIFTLEFT": true,
	"ARRAY_REDUCE": true, "ARRAY_SORT": true, "COLLECT_LIST": true, "SORT_ARRAY": true,
}

// checkTypeSystem refuses, in a project of the 1.0 edition, a statement
// that involves a 2.0 type without odps.sql.type.system.odps2=true in its
// settings, and one that involves a DECIMAL(p,s) without
// odps.sql.decimal.odps2=true as well. A statement involves a type when it
// names it (a column definition, a CAST), calls a function of the 2.0 type
// system, or reads or writes a table with a column of that type: Alibaba
// Cloud's documentation of the 2.0 edition says SQL "that involves the new
// data types (CREATE, SELECT, INSERT, ...)" must be preceded by the
// setting, and pyodps issue #76 shows an ALTER TABLE of partitions of a
// table with an INT column refused with "ODPS-0130071 ... INT type is not
// enabled in current mode". The DECIMAL flags:
// https://www.alibabacloud.com/help/en/maxcompute/user-guide/decimal-data-type.
// Called with s.mu held.
func (s *Server) checkTypeSystem(toks []token, hints map[string]string) error {
	if !s.typeSystem1 {
		return nil
	}
	odps2 := hintIs(hints, "odps.sql.type.system.odps2", "true")
	decimal2 := hintIs(hints, "odps.sql.decimal.odps2", "true")
	refuse := func(t token, what string) error {
		return semanticErr(t, "%s is not enabled in current mode (a project of the 1.0 data type edition): set odps.sql.type.system.odps2=true", what)
	}
	refuseDecimal := func(t token, what string) error {
		return semanticErr(t, "%s is not enabled in current mode (a project of the 1.0 data type edition): set odps.sql.type.system.odps2=true and odps.sql.decimal.odps2=true", what)
	}
	for i, t := range toks {
		next := func(p string) bool { return i+1 < len(toks) && toks[i+1].punct(p) }
		switch {
		case t.kind == tkWord && strings.EqualFold(t.text, "DECIMAL") && next("("):
			if !odps2 || !decimal2 {
				return refuseDecimal(t, "type DECIMAL(precision, scale)")
			}
		case t.kind == tkWord && types2[strings.ToUpper(t.text)] && !next("."):
			if !odps2 {
				return refuse(t, strings.ToUpper(t.text)+" type")
			}
		case t.kind == tkWord && functions2[strings.ToUpper(t.text)] && next("("):
			if !odps2 {
				return refuse(t, "function "+strings.ToUpper(t.text))
			}
		case t.kind == tkWord || t.kind == tkIdent:
			if i == 0 || !refersToTable(toks[i-1]) {
				continue
			}
			tb, ok := s.table(t.text)
			if !ok {
				continue
			}
			for _, c := range tb.spec.columns() {
				typ := strings.ToUpper(c.Type)
				base, _, _ := strings.Cut(typ, "(")
				base, _, _ = strings.Cut(base, "<")
				switch {
				case base == "DECIMAL" && strings.Contains(typ, "(") && (!odps2 || !decimal2):
					return refuseDecimal(t, "table "+tb.spec.Name+" has column "+c.Name+" of type "+typ+", which")
				case types2[base] && !odps2:
					return refuse(t, "table "+tb.spec.Name+" has column "+c.Name+" of type "+typ+", which")
				}
			}
		}
	}
	return nil
}

// refersToTable reports whether the token before a name makes the name a
// table's: FROM t, JOIN t, TABLE t (CREATE, ALTER, DROP, INSERT ...
// TABLE), INTO t, LIKE t.
func refersToTable(prev token) bool {
	for _, kw := range []string{"from", "join", "table", "into", "like", "exists"} {
		if prev.is(kw) {
			return true
		}
	}
	return false
}
