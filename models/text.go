package models

import (
	"fmt"
	"strings"
)

// sqlText checks a string that reaches generated SQL: a comment, a
// description, an event value or a breakdown marker.
//
// DataWorks replaces ${...} anywhere in a node's code before it runs it,
// string literals and comments included, so no such string may hold "${":
// a comment would change with the date, and an event value would never
// match.
func (v *validator) sqlText(path, what, s string) bool {
	if strings.Contains(s, "${") {
		v.errorf(path, "%s %q contains \"${\", which DataWorks replaces with a scheduling parameter anywhere in a node's code, string literals and comments included; remove it", what, s)
		return false
	}
	return true
}

// sqlTexts checks the strings of the config that reach generated SQL, the
// names aside (they are identifiers).
func (v *validator) sqlTexts() {
	c := v.c
	tables := []struct {
		path string
		t    *Table
	}{{"ods", &c.ODS}, {"dw", &c.DW.Table}}
	for _, t := range tables {
		v.sqlText(t.path+".comment", "comment", t.t.Comment)
		for i, col := range t.t.Columns {
			v.sqlText(fmt.Sprintf("%s.columns[%d].comment", t.path, i), "comment", col.Comment)
		}
	}
	for i, f := range c.Funnels {
		p := fmt.Sprintf("funnels[%d]", i)
		v.sqlText(p+".description", "description", f.Description)
		for j, s := range f.Stages {
			for k, e := range s.Events {
				v.sqlText(fmt.Sprintf("%s.stages[%d].events[%d]", p, j, k), "event value", e)
			}
		}
		v.sqlText(p+".report.comment", "comment", f.Report.Comment)
		v.sqlText(p+".report.total_marker", "total_marker", f.Report.TotalMarker)
		v.sqlText(p+".report.null_marker", "null_marker", f.Report.NullMarker)
	}
}
