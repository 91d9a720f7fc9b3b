package odpstest

import (
	"strings"
	"testing"
)

func TestCompileRejectsWhatMaxComputeRejects(t *testing.T) {
	for _, tc := range []struct {
		name, sql string
		hints     map[string]string
		want      string // in the error; "" for none
	}{
		{"one statement", "-- a comment\nSELECT a FROM t WHERE dt = '20210303';\n", nil, ""},
		{"no semicolon", "SELECT a FROM t WHERE dt = '20210303'", nil, "ODPS-0130161:[1,38] Parse exception - missing ';' at '<EOF>'"},
		{"two statements", "ALTER TABLE t SET COMMENT 'a';\nALTER TABLE t SET LIFECYCLE 3;\n", nil, "ODPS-0130161:[2,1] Parse exception - extraneous input 'ALTER' after ';'"},
		{"two statements in script mode", "ALTER TABLE t SET COMMENT 'a';\nALTER TABLE t SET LIFECYCLE 3;\n", map[string]string{"odps.sql.submit.mode": "script"}, ""},
		{"order by without limit", "SELECT a, dt FROM t WHERE dt >= '1'\nORDER BY dt;", nil, "ODPS-0130071:[2,1] Semantic analysis exception - ORDER BY must be used with a LIMIT clause"},
		{"order by with limit", "SELECT a FROM t WHERE dt = '1' ORDER BY a LIMIT 10;", nil, ""},
		{"order by in a subquery without limit", "SELECT a FROM (SELECT a FROM t WHERE dt = '1' ORDER BY a) x LIMIT 3;", nil, "ORDER BY must be used with a LIMIT clause"},
		{"order by of a window", "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t WHERE dt = '1';", nil, ""},
		{"order by allowed by setting", "SELECT a FROM t WHERE dt = '1' ORDER BY a;", map[string]string{"odps.sql.validate.orderby.limit": "false"}, ""},
		{"block comment", "/* x */ SELECT 1;", nil, "ODPS-0130161:[1,1] Parse exception - invalid token '/', block comments are not supported"},
		{"block comment after a statement", "SELECT a FROM t WHERE dt = '1'; /* x */", nil, "ODPS-0130161:[1,33] Parse exception - invalid token '/'"},
		{"block comment in a literal", "SELECT a FROM t WHERE dt = '1' AND a IN ('/cart/*', '*/');", nil, ""},
		{"hint comment", "SELECT /*+ MAPJOIN(b) */ a FROM t WHERE dt = '1';", nil, ""},
		{"semicolon in a literal", "SELECT 'a;b' FROM t WHERE dt = '1';", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Compile(tc.sql, tc.hints)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one with %q", err, tc.want)
			}
		})
	}
}

func TestSetLifecycleMustBePositive(t *testing.T) {
	s := newBare()
	s.AddTable(events())
	err := s.applySQL("ALTER TABLE `events` SET LIFECYCLE 0;")
	if err == nil || !strings.Contains(err.Error(), "ODPS-0130071:[1,36] Semantic analysis exception - invalid lifecycle 0") {
		t.Errorf("error %v", err)
	}
}
