package odpstest_test

import (
	"strings"
	"testing"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"

	"github.com/fgen-dev/fgen/internal/odpstest"
)

func TestTypeSystem1RefusesTypes2WithoutSettings(t *testing.T) {
	odps2 := map[string]string{"odps.sql.type.system.odps2": "true"}
	both := map[string]string{"odps.sql.type.system.odps2": "true", "odps.sql.decimal.odps2": "true"}
	for _, c := range []struct {
		name   string
		sql    string
		hints  map[string]string
		refuse string // "" to succeed
	}{
		{"1.0 types", "CREATE TABLE n (x BIGINT, y STRING, z DATETIME, d DECIMAL);", nil, ""},
		{"INT column", "CREATE TABLE n (x INT);", nil, "INT type is not enabled"},
		{"INT column, odps2", "CREATE TABLE n (x INT);", odps2, ""},
		{"DECIMAL(p,s), odps2 only", "CREATE TABLE n (x DECIMAL(18,2));", odps2, "odps.sql.decimal.odps2=true"},
		{"DECIMAL(p,s), both", "CREATE TABLE n (x DECIMAL(18,2));", both, ""},
		{"CAST to INT", "SELECT CAST(x AS INT) AS y FROM a WHERE dt = '1';", nil, "INT type is not enabled"},
		{"2.0 function", "SELECT SHIFTRIGHT(x, 1) AS y FROM a WHERE dt = '1';", nil, "function SHIFTRIGHT"},
		{"reading a table with an INT column", "SELECT `x` FROM `b` WHERE dt = '1';", nil, "table b has column x of type INT"},
		{"reading it, odps2", "SELECT `x` FROM `b` WHERE dt = '1';", odps2, ""},
		{"a partition of a table with DECIMAL(p,s)", "ALTER TABLE c ADD IF NOT EXISTS PARTITION (dt='1');", odps2, "table c has column x of type DECIMAL(18,2)"},
		{"a column named like a type", "SELECT `date` FROM a WHERE dt = '1';", nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := odpstest.New(t, odpstest.WithTypeSystem1())
			for _, spec := range []string{"a BIGINT", "b INT", "c DECIMAL(18,2)"} {
				name, typ, _ := strings.Cut(spec, " ")
				cols := []odpstest.Column{{Name: "x", Type: typ}}
				if name == "a" {
					cols = append(cols, odpstest.Column{Name: "date", Type: "STRING"})
				}
				srv.AddTable(odpstest.TableSpec{Name: name, Columns: cols, PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
			}
			ins, err := client(t, srv).ExecSQl(c.sql, c.hints)
			if err != nil {
				t.Fatal(err)
			}
			status := finalStatus(t, ins)
			switch {
			case c.refuse == "" && status != odps.TaskSuccess:
				t.Errorf("refused: %s", result(t, ins))
			case c.refuse != "" && (status != odps.TaskFailed || !strings.Contains(result(t, ins), c.refuse)):
				t.Errorf("got %v, %s; want an error with %q", status, result(t, ins), c.refuse)
			}
		})
	}
	// A project of the 2.0 edition takes them all.
	ins, err := client(t, odpstest.New(t)).ExecSQl("CREATE TABLE b (x INT, y DECIMAL(18,2));")
	if err != nil || finalStatus(t, ins) != odps.TaskSuccess {
		t.Errorf("a 2.0 project refused a 2.0 type: %v", err)
	}
}

// finalStatus polls the task of ins until it is no longer running.
func finalStatus(t *testing.T, ins *odps.Instance) odps.TaskStatus {
	t.Helper()
	for range 10 {
		if s := taskStatus(t, ins); s != odps.TaskRunning {
			return s
		}
	}
	t.Fatal("the job still runs after 10 polls")
	return odps.TaskRunning
}

func result(t *testing.T, ins *odps.Instance) string {
	t.Helper()
	res, err := ins.GetResult()
	if err != nil || len(res) == 0 {
		t.Fatalf("GetResult: %v", err)
	}
	return res[0].Content()
}

// The double refuses a read of a table it does not hold, and of a
// partitioned table without a partition predicate (a full scan), as the
// service does.
func TestChecksOfReads(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "ods", Columns: []odpstest.Column{{Name: "uid", Type: "STRING"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	srv.AddTable(odpstest.TableSpec{Name: "books", Columns: []odpstest.Column{{Name: "k", Type: "STRING"}}})
	checkSQL(t, srv, []sqlCase{
		{"SELECT uid FROM ods WHERE dt = '1';", ""},
		{"SELECT uid FROM `ods` WHERE `dt` >= '1' AND `dt` <= '2' GROUP BY uid;", ""},
		{"SELECT k FROM books;", ""},
		{"SELECT uid FROM ods;", "is full scan with all partitions"},
		{"SELECT uid FROM ods WHERE uid = 'a';", "is full scan with all partitions"},
		{"SELECT uid FROM ods GROUP BY uid HAVING dt = '1';", "is full scan with all partitions"},
		{"SELECT uid FROM (SELECT uid FROM ods WHERE dt = '1') x WHERE uid <> '';", ""},
		{"SELECT uid FROM (SELECT uid, dt FROM ods) x WHERE dt = '1';", "is full scan with all partitions"},
		{"WITH x AS (SELECT uid FROM ods WHERE dt = '1') SELECT uid FROM x;", ""},
		{"SELECT a.uid FROM ods a JOIN ods b ON a.uid = b.uid WHERE a.dt = '1' AND b.dt = '1';", ""},
		{"SELECT uid FROM nope WHERE dt = '1';", "Table not found - table fgen_test.nope cannot be resolved"},
		{"INSERT OVERWRITE TABLE books SELECT uid FROM ods;", "is full scan with all partitions"},
		{"SELECT uid FROM ods WHERE (dt = '1' OR dt = '2');", ""},
		{"SELECT uid FROM ods WHERE dt IN ('1', '2');", ""},
		// The subquery's predicate is its own read's: the outer read of
		// ods scans every partition.
		{"SELECT uid FROM ods WHERE uid IN (SELECT uid FROM ods WHERE dt = '1');", "is full scan with all partitions"},
		{"SELECT uid FROM ods WHERE dt = '1' AND uid IN (SELECT uid FROM ods WHERE dt = '2');", ""},
	})
	if err := srv.Check("SELECT uid FROM ods;", map[string]string{"odps.sql.allow.fullscan": "true"}); err != nil {
		t.Errorf("a full scan allowed: %v", err)
	}
}

// The double refuses an INSERT ... SELECT whose values do not fill the
// table's columns one for one, as the service does.
func TestChecksOfInserts(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "ods", Columns: []odpstest.Column{{Name: "uid", Type: "STRING"}, {Name: "ev", Type: "STRING"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	srv.AddTable(odpstest.TableSpec{Name: "rpt", Columns: []odpstest.Column{{Name: "ev", Type: "STRING"}, {Name: "n", Type: "BIGINT"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}, {Name: "hh", Type: "STRING"}}})
	checkSQL(t, srv, []sqlCase{
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT ev, COUNT(*) FROM ods WHERE dt = '1' GROUP BY ev;", ""},
		{"INSERT OVERWRITE TABLE `rpt` PARTITION (`dt` = '1', `hh` = '00') SELECT CASE WHEN ev = 'a' THEN 'x' ELSE ev END AS ev, COALESCE(SUM(IF(uid = '', 1, 0)), 0L) AS n FROM (SELECT uid, ev FROM ods WHERE dt = '1') x GROUP BY ev;", ""},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh) SELECT ev, COUNT(*), '00' FROM ods WHERE dt = '1' GROUP BY ev;", ""},
		{"INSERT INTO TABLE rpt PARTITION (dt = '1', hh = '00') (ev) SELECT ev FROM ods WHERE dt = '1';", ""},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT * FROM (SELECT ev, 1L AS n FROM ods WHERE dt = '1') x;", ""},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT COUNT(*) FROM ods WHERE dt = '1';", "the query gives 1 values, and the insert fills 2 columns"},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT ev, COUNT(*), '1' FROM ods WHERE dt = '1' GROUP BY ev;", "the query gives 3 values, and the insert fills 2 columns"},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh) SELECT ev, COUNT(*) FROM ods WHERE dt = '1' GROUP BY ev;", "the query gives 2 values, and the insert fills 3 columns"},
		{"INSERT OVERWRITE TABLE nope PARTITION (dt = '1') SELECT ev FROM ods WHERE dt = '1';", "Table not found"},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT 'a', 1L UNION ALL SELECT ev, 2L FROM ods WHERE dt = '1';", ""},
		{"FROM ods INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT ev, COUNT(*) WHERE dt = '1' GROUP BY ev, uid;", ""},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT TRANSFORM(ev, uid) USING 'cat' AS (ev, n) FROM ods WHERE dt = '1';", ""},
		{"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1', hh = '00') SELECT ev AS window, COUNT(*) FROM ods WHERE dt = '1' GROUP BY ev;", ""},
	})
}

// sqlCase is a statement and what the double's Check refuses of it ("" for
// nothing).
type sqlCase struct{ sql, refuse string }

func checkSQL(t *testing.T, srv *odpstest.Server, cases []sqlCase) {
	t.Helper()
	for _, c := range cases {
		err := srv.Check(c.sql, nil)
		switch {
		case c.refuse == "" && err != nil:
			t.Errorf("%s: refused: %v", c.sql, err)
		case c.refuse != "" && (err == nil || !strings.Contains(err.Error(), c.refuse)):
			t.Errorf("%s: %v, want an error with %q", c.sql, err, c.refuse)
		}
	}
}

// In a script, each INSERT is counted by its own statement's form.
func TestChecksOfInsertsInAScript(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "ods", Columns: []odpstest.Column{{Name: "uid", Type: "STRING"}, {Name: "ev", Type: "STRING"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	srv.AddTable(odpstest.TableSpec{Name: "rpt", Columns: []odpstest.Column{{Name: "ev", Type: "STRING"}, {Name: "n", Type: "BIGINT"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	script := "FROM ods INSERT OVERWRITE TABLE rpt PARTITION (dt = '1') SELECT ev, COUNT(*) WHERE dt = '1' GROUP BY ev;\n" +
		"INSERT OVERWRITE TABLE rpt PARTITION (dt = '1') SELECT ev FROM ods WHERE dt = '1';"
	if err := srv.Check(script, map[string]string{"odps.sql.submit.mode": "script"}); err == nil || !strings.Contains(err.Error(), "the query gives 1 values, and the insert fills 2 columns") {
		t.Errorf("a script whose second INSERT gives too few values: %v", err)
	}
}

// The double refuses a window function nested in another or in an
// aggregate, and one at the same level of a query as an aggregate, as
// docs/MAXCOMPUTE.md says the service does; a level of its own, a
// subquery, may hold either.
func TestChecksOfWindows(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "STRING"}, {Name: "b", Type: "BIGINT"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	checkSQL(t, srv, []sqlCase{
		{"SELECT a, SUM(b) FROM t WHERE dt = '1' GROUP BY a;", ""},
		{"SELECT a, ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) FROM t WHERE dt = '1';", ""},
		{"SELECT a, SUM(b) OVER (PARTITION BY a) FROM t WHERE dt = '1';", ""},
		{"SELECT a, RANK() OVER (ORDER BY s) FROM (SELECT a, SUM(b) AS s FROM t WHERE dt = '1' GROUP BY a) x;", ""},
		{"SELECT a, COUNT(*) OVER () FROM t WHERE dt = '1' AND b IN (SELECT MAX(b) FROM t WHERE dt = '1');", ""},
		{"SELECT a, SUM(b), ROW_NUMBER() OVER (ORDER BY a) FROM t WHERE dt = '1' GROUP BY a;", "window function ROW_NUMBER and aggregate SUM at one level of a query"},
		{"SELECT a, RANK() OVER (ORDER BY SUM(b)) FROM t WHERE dt = '1' GROUP BY a;", "aggregate SUM cannot be nested in window function RANK"},
		{"SELECT SUM(ROW_NUMBER() OVER (ORDER BY a)) FROM t WHERE dt = '1';", "window function ROW_NUMBER cannot be nested in aggregate SUM"},
		{"SELECT a, LAG(b) OVER (ORDER BY CAST(a AS BIGINT), ROW_NUMBER() OVER (ORDER BY b)) FROM t WHERE dt = '1';", "window function ROW_NUMBER cannot be nested in window function LAG"},
	})
}

// Where the 2.0 type system is on, the double refuses an INT literal that
// meets a BIGINT column in NULLIF, LEAST, GREATEST or a bitwise operator,
// as docs/MAXCOMPUTE.md says the service does; a BIGINT literal (3L) is
// what matches. A shift's number of places is an INT, as Alibaba Cloud's
// reference of SHIFTLEFT and SHIFTRIGHT says: 2, not 2L. In a 1.0 project
// without the setting an integer literal is a BIGINT.
func TestChecksOfLiterals(t *testing.T) {
	table := odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "STRING"}, {Name: "b", Type: "BIGINT"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}}
	srv := odpstest.New(t)
	srv.AddTable(table)
	checkSQL(t, srv, []sqlCase{
		{"SELECT NULLIF(b, 0) FROM t WHERE dt = '1';", "ODPS-0130121:[1,8] Invalid argument type - in function nullif, BIGINT and INT arguments"},
		{"SELECT NULLIF(t.b, 0) FROM t WHERE dt = '1';", "in function nullif, BIGINT and INT arguments"},
		{"SELECT LEAST(`b`, 3601, 7L) FROM t WHERE dt = '1';", "in function least, BIGINT and INT arguments"},
		{"SELECT b & 3 FROM t WHERE dt = '1';", "operator & of BIGINT and INT"},
		{"SELECT NULLIF(b, 0L), LEAST(b, 3601L), b & 3L, SHIFTRIGHT(b, 2), SHIFTLEFT(b, 2) FROM t WHERE dt = '1';", ""},
		{"SELECT SHIFTRIGHT(b, 2L) FROM t WHERE dt = '1';", "ODPS-0130121:[1,8] Invalid argument type - invalid type BIGINT of argument 2 for function shiftright"},
		{"SELECT SHIFTLEFT(`b`, t.b) FROM t WHERE dt = '1';", "invalid type BIGINT of argument 2 for function shiftleft"},
		{"SELECT NULLIF(a, 'x') FROM t WHERE dt = '1';", ""},
	})
	old := odpstest.New(t, odpstest.WithTypeSystem1())
	old.AddTable(table)
	if err := old.Check("SELECT NULLIF(b, 0) FROM t WHERE dt = '1';", nil); err != nil {
		t.Errorf("NULLIF(b, 0) in a 1.0 project: %v", err)
	}
	if err := old.Check("SELECT NULLIF(b, 0) FROM t WHERE dt = '1';", map[string]string{"odps.sql.type.system.odps2": "true"}); err == nil {
		t.Error("NULLIF(b, 0) in a 1.0 project with the 2.0 type system on: accepted")
	}
}

// The double resolves what the service's semantic analysis resolves: a
// function that is not built in, a `backquoted` name that is no column of
// a table read and no name the statement defines, and a column a table
// qualifies that it does not have are refused (ODPS-0130071 ... cannot be
// resolved). Each table a JOIN reads needs its own partition predicate.
func TestNamesAreResolved(t *testing.T) {
	srv := odpstest.New(t)
	for _, name := range []string{"ev", "ev2"} {
		srv.AddTable(odpstest.TableSpec{Name: name, Columns: []odpstest.Column{{Name: "uid", Type: "STRING"}, {Name: "ts", Type: "BIGINT"}},
			PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	}
	checkSQL(t, srv, []sqlCase{
		{"SELECT NO_SUCH_FUNCTION(`uid`) FROM `ev` WHERE `dt` = '1';", "ODPS-0130071:[1,8] Semantic analysis exception - function or view 'NO_SUCH_FUNCTION' cannot be resolved"},
		{"SELECT `no_such_column` FROM `ev` WHERE `dt` = '1';", "ODPS-0130071:[1,8] Semantic analysis exception - column no_such_column cannot be resolved"},
		{"SELECT `e`.`nope` FROM `ev` `e` WHERE `dt` = '1';", "column e.nope cannot be resolved"},
		{"SELECT `n` FROM (SELECT `uid` AS `m` FROM `ev` WHERE `dt` = '1') `x`;", "column n cannot be resolved"},
		{"INSERT OVERWRITE TABLE `ev2` PARTITION (`dt` = '1') SELECT `uid`, `md5` FROM `ev` WHERE `dt` = '1';", "column md5 cannot be resolved"},
		{"SELECT `x`.`uid`, `n` FROM (SELECT `uid`, COUNT(*) AS `n` FROM `ev` WHERE `dt` = '1' GROUP BY `uid`) `x` ORDER BY `n` LIMIT 3;", ""},
		{"WITH `d` AS (SELECT `uid`, `ts` FROM `ev` WHERE `dt` = '1') SELECT `d`.`uid`, `e`.`ts` FROM `d` JOIN `ev2` `e` ON `d`.`uid` = `e`.`uid` WHERE `e`.`dt` = '1';", ""},
		{"SELECT `uid`, `k` FROM `ev` LATERAL VIEW EXPLODE(ARRAY(1L, 2L)) `s` AS `k` WHERE `dt` = '1';", ""},
		{"SELECT ARRAY_REDUCE(COLLECT_LIST(`ts`), NAMED_STRUCT('e', 0L), (p, x) -> NAMED_STRUCT('e', p.e + x), p -> p).e AS `f` FROM `ev` WHERE `dt` = '1' GROUP BY `uid`;", ""},
		{"SELECT CAST(`ts` AS DECIMAL(38,18)) FROM `ev` WHERE `dt` = '1';", ""},
		{"SELECT a.`uid` FROM `ev` a JOIN `ev2` b ON a.`uid` = b.`uid` WHERE a.`dt` = '1';", "Table(" + srv.Project() + ".ev2) is full scan"},
		{"SELECT a.`uid` FROM `ev` a JOIN `ev2` AS b ON a.`uid` = b.`uid` WHERE a.`dt` = '1' AND b.`dt` = '1';", ""},
		// A JOIN's right-hand table is pruned by its ON clause too.
		{"SELECT a.`uid` FROM `ev` a JOIN `ev2` b ON a.`uid` = b.`uid` AND b.`dt` = '1' WHERE a.`dt` = '1';", ""},
		{"SELECT a.`uid` FROM `ev` a LEFT SEMI JOIN `ev2` b ON a.`uid` = b.`uid` AND b.`dt` = '1' WHERE a.`dt` = '1';", ""},
		{"SELECT a.`uid` FROM `ev` a JOIN `ev2` b ON a.`uid` = b.`uid` AND a.`dt` = '1' WHERE a.`dt` = '1';", "Table(" + srv.Project() + ".ev2) is full scan"},
		// A comma join reads each table.
		{"SELECT `a`.`uid` FROM `ev` `a`, `ev2` `b` WHERE `a`.`uid` = `b`.`uid` AND `a`.`dt` = '1' AND `b`.`dt` = '1';", ""},
		{"SELECT `a`.`uid` FROM `ev` `a`, `ev2` `b` WHERE `a`.`uid` = `b`.`uid` AND `a`.`dt` = '1';", "Table(" + srv.Project() + ".ev2) is full scan"},
		{"SELECT `b`.`nope` FROM `ev` `a`, `ev2` `b` WHERE `a`.`dt` = '1' AND `b`.`dt` = '1';", "column b.nope cannot be resolved"},
		// Aliases without AS, of a WINDOW, of a lambda's variables; a
		// subquery's alias that an inner table's alias repeats.
		{"SELECT `uid` `u`, `ts` + 1L `t2`, 'x' `c`, CASE WHEN `ts` > 0 THEN 1 END `p` FROM `ev` WHERE `dt` = '1' ORDER BY `u`, `t2`, `c`, `p` LIMIT 1;", ""},
		{"SELECT COUNT(*) OVER `w` AS `n` FROM `ev` WHERE `dt` = '1' WINDOW `w` AS (PARTITION BY `uid`);", ""},
		{"SELECT TRANSFORM(ARRAY(1L, 2L), `x` -> `x` + 1L), ARRAY_REDUCE(ARRAY(1L), 0L, (`p`, `x`) -> `p` + `x`, `r` -> `r`) FROM `ev` WHERE `dt` = '1';", ""},
		{"SELECT `e`.`n` FROM (SELECT `uid`, COUNT(*) AS `n` FROM `ev` `e` WHERE `e`.`dt` = '1' GROUP BY `uid`) `e`;", ""},
		{"WITH `d` AS (SELECT `uid` FROM `ev` WHERE `dt` = '1') INSERT OVERWRITE TABLE `ev2` PARTITION (`dt` = '1') SELECT `uid`, 0L FROM `d`;", ""},
		{"SELECT VAR_POP(`ts`), JSON_EXTRACT(JSON_PARSE('{}'), '$.a') FROM `ev` WHERE `dt` = '1';", ""},
		// Not the ON clause of a RIGHT or FULL JOIN, which returns every
		// row of its right-hand table.
		{"SELECT a.`uid` FROM `ev` a RIGHT OUTER JOIN `ev2` b ON a.`uid` = b.`uid` AND b.`dt` = '1' WHERE a.`dt` = '1';", "Table(" + srv.Project() + ".ev2) is full scan"},
		{"SELECT a.`uid` FROM `ev` a FULL JOIN `ev2` b ON a.`uid` = b.`uid` AND b.`dt` = '1' WHERE a.`dt` = '1';", "Table(" + srv.Project() + ".ev2) is full scan"},
		// A named window's ORDER BY, TRANSFORM's RESOURCES, and the FROM
		// of EXTRACT, which names no table.
		{"SELECT `uid`, SUM(`ts`) OVER `w` `s` FROM `ev` WHERE `dt` = '1' WINDOW `w` AS (PARTITION BY `uid` ORDER BY `ts` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);", ""},
		{"SELECT TRANSFORM(`uid`, `ts`) USING 'python t.py' RESOURCES 't.py' AS (`a`, `b`) FROM `ev` WHERE `dt` = '1';", ""},
		{"SELECT EXTRACT(YEAR FROM GETDATE()), `uid` FROM `ev` WHERE `dt` = '1';", ""},
	})
}
