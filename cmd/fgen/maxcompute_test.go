package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/maxcompute"
	"github.com/fgen-dev/fgen/internal/odpstest"
)

// seedODS is the ODS table as the article's DDL creates it.
func seedODS() odpstest.TableSpec {
	spec := odpstest.TableSpec{Name: "ods_user_trace_data", PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}}
	for _, c := range []string{"md5 STRING", "uid STRING", "ts BIGINT", "ip STRING", "status BIGINT", "bytes BIGINT",
		"device_brand STRING", "device STRING", "system_type STRING", "customize_event STRING", "use_time BIGINT", "customize_event_content STRING"} {
		name, typ, _ := strings.Cut(c, " ")
		spec.Columns = append(spec.Columns, odpstest.Column{Name: name, Type: typ})
	}
	return spec
}

// mcProject is a project dir whose funnel.toml has a target "mc" pointing at
// a fresh double holding the ODS table and its 20210303 partition, and the
// environment with the double's credentials. The project is of the 1.0
// data type edition, which refuses 2.0 types without the settings.
func mcProject(t *testing.T, opts ...odpstest.Option) (string, *odpstest.Server, map[string]string) {
	t.Helper()
	srv := odpstest.New(t, append([]odpstest.Option{odpstest.WithTypeSystem1()}, opts...)...)
	srv.AddTable(seedODS())
	srv.AddPartition("ods_user_trace_data", "dt='20210303'")
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	target := "\n[targets.mc]\nengine = \"maxcompute\"\nendpoint = \"" + srv.Endpoint() + "\"\nproject = \"" + srv.Project() + "\"\npoll_interval = \"100ms\"\ntimeout = \"20s\"\n"
	os.WriteFile(path, append(data, target...), 0o644)
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": srv.AccessID(), "ALIBABA_CLOUD_ACCESS_KEY_SECRET": srv.AccessKey()}
	return dir, srv, env
}

// writes returns the jobs submitted to the double but for queries (plan and
// apply read the day's event values to check the stages against them) and
// fgen's bookkeeping (maxcompute.BooksTable, ProjectsTable, TimesTable).
func writes(srv *odpstest.Server) []odpstest.Job {
	books := func(sql string) bool {
		return slices.ContainsFunc([]string{maxcompute.BooksTable, maxcompute.ProjectsTable, maxcompute.TimesTable}, func(t string) bool {
			return strings.Contains(sql, "`"+t+"`")
		})
	}
	var out []odpstest.Job
	for _, j := range srv.Submitted() {
		if !strings.HasPrefix(j.SQL, "SELECT ") && !books(j.SQL) {
			out = append(out, j)
		}
	}
	return out
}

// oldRecords adds to fgen's bookkeeping of the double, a table of it that
// exists, as many records of each of tables as a query returns, of the
// partition values format gives 0, 1, ...: years of applies, the last at
// oldWrite (and so of partitions written again since).
func oldRecords(srv *odpstest.Server, format string, tables ...string) {
	cell := func(s string) *string { return &s }
	var rows [][]*string
	for i := range odpstest.ResultLimit {
		for _, table := range tables {
			rows = append(rows, []*string{cell(table), cell(fmt.Sprintf(format, i)), cell("f"), cell(strconv.FormatInt(oldWrite.Unix(), 10))})
		}
	}
	srv.AddRows(maxcompute.BooksTable, rows...)
}

// oldWrite is when oldRecords' writes were.
var oldWrite = time.Date(2021, 3, 31, 8, 0, 0, 0, time.UTC)

func noSecret(t *testing.T, srv *odpstest.Server, results ...result) {
	t.Helper()
	for _, r := range results {
		if strings.Contains(r.stdout+r.stderr, srv.AccessKey()) {
			t.Fatalf("the access key secret was printed:\n%s%s", r.stdout, r.stderr)
		}
	}
}

// outStatement is what a file of out/ submits: its one statement, and its
// SET lines as hints.
type outStatement struct {
	sql   string
	hints map[string]string
}

// readOut reads a generated file of out/ as a MaxCompute job runs it: with
// its comment lines dropped, its SET lines as hints, and day in place of
// the business date parameter.
func readOut(t *testing.T, path, day string) outStatement {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("../../out", path))
	if err != nil {
		t.Fatal(err)
	}
	out := outStatement{hints: map[string]string{}}
	var body []string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		switch {
		case len(body) == 0 && strings.HasPrefix(line, "--"):
		case len(body) == 0 && strings.HasPrefix(line, "SET "):
			k, v, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(line, "SET "), ";"), "=")
			out.hints[k] = v
		default:
			body = append(body, line)
		}
	}
	out.sql = strings.Join(body, "\n")
	if day != "" {
		out.sql = strings.ReplaceAll(out.sql, "${bdp.system.bizdate}", day)
	}
	return out
}

func TestMaxComputePlanApply(t *testing.T) {
	dir, srv, env := mcProject(t)

	plan := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if plan.code != 2 {
		t.Fatalf("plan: %+v", plan)
	}
	for _, want := range []string{"  ODS ods_user_trace_data  (in sync)", "+ DW  dw_user_trace_data  (create)", "+ RPT rpt_user_trace_data  (create)", "> 20210303  dw_user_trace_data -> rpt_user_trace_data"} {
		if !strings.Contains(plan.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, plan.stdout)
		}
	}
	if len(writes(srv)) != 0 {
		t.Fatal("plan submitted jobs")
	}

	dry := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--dry-run")
	if dry.code != 0 || !strings.Contains(dry.stdout, "PARTITION (`dt` = '20210303')") || len(writes(srv)) != 0 {
		t.Fatalf("dry run: %+v, %d submitted", dry, len(writes(srv)))
	}
	noYes := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303")
	if noYes.code != 1 || !strings.Contains(noYes.stderr, "--yes") || len(writes(srv)) != 0 {
		t.Fatalf("apply without --yes: %+v", noYes)
	}

	apply := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes")
	if apply.code != 0 {
		t.Fatalf("apply: %+v", apply)
	}
	jobs := writes(srv)
	want := []outStatement{
		readOut(t, "ddl/dw_user_trace_data.sql", ""), readOut(t, "ddl/rpt_user_trace_data.sql", ""),
		readOut(t, "nodes/dw_user_trace_data.sql", "20210303"), readOut(t, "nodes/rpt_user_trace_data.sql", "20210303"),
	}
	if len(jobs) != len(want) {
		t.Fatalf("submitted %d jobs, want %d", len(jobs), len(want))
	}
	for i, j := range jobs {
		if j.SQL != want[i].sql {
			t.Errorf("job %d:\n%s\nwant\n%s", i, j.SQL, want[i].sql)
		}
		if fmt.Sprint(j.Hints) != fmt.Sprint(want[i].hints) || j.Hints["odps.sql.allow.fullscan"] != "" {
			t.Errorf("job %d hints %v, want the file's settings %v", i, j.Hints, want[i].hints)
		}
	}
	if jobs[3].Hints["odps.sql.type.system.odps2"] != "true" {
		t.Errorf("the RPT node runs without the 2.0 type system: %v", jobs[3].Hints)
	}
	if !strings.Contains(apply.stderr, "submitted, instance ") || !strings.Contains(apply.stderr, "logview: ") {
		t.Errorf("apply does not show instance ids and LogView URLs:\n%s", apply.stderr)
	}

	// The tables now exist in the double; planning again shows only the jobs.
	again := fgen(t, dir, env, "plan", "--target", "mc")
	if again.code != 0 || !strings.Contains(again.stdout, "0 to create, 0 to alter, 3 in sync") {
		t.Errorf("plan after apply: %+v", again)
	}
	noSecret(t, srv, plan, dry, noYes, apply, again)
}

// A service (or a proxy before it) whose error repeats what fgen sent it,
// the STS token of a request's headers, or the secret itself: fgen prints
// its messages as they are, and masks the credentials in them, in text
// and JSON.
func TestMaxComputeMasksEchoedCredentials(t *testing.T) {
	const token = "STStokenSECRETabc123"
	dir, srv, env := mcProject(t, odpstest.WithSecurityToken(token))
	env["ALIBABA_CLOUD_SECURITY_TOKEN"] = token
	srv.On("INSERT OVERWRITE TABLE `rpt_user_trace_data`", odpstest.Outcome{Error: "ODPS-0420095: Access Denied - headers were {'Authorization-Sts-Token': '" + token + "'}, secret " + srv.AccessKey()})
	for _, format := range []string{"text", "json"} {
		r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "--all", "--format", format)
		if out := r.stdout + r.stderr; r.code != 1 || strings.Contains(out, token) || !strings.Contains(out, "'Authorization-Sts-Token': '[redacted]'}, secret [redacted]") {
			t.Errorf("apply --format %s: %+v", format, r)
		}
		noSecret(t, srv, r)
	}
}

func TestMaxComputeFailedJob(t *testing.T) {
	dir, srv, env := mcProject(t)
	srv.On("INSERT OVERWRITE TABLE `rpt_user_trace_data`", odpstest.Outcome{Error: "ODPS-0130071:[12,5] Semantic analysis exception - column n_browse cannot be resolved"})
	r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes")
	if r.code != 1 {
		t.Fatalf("apply: %+v", r)
	}
	if !strings.Contains(r.stderr, "ODPS-0130071") || !strings.Contains(r.stderr, "column n_browse cannot be resolved") {
		t.Errorf("the ODPS error is not shown:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "apply: 3 applied, 1 failed") {
		t.Errorf("summary: %s", r.stdout)
	}
	// A SQL error is not retried.
	n := 0
	for _, j := range writes(srv) {
		if strings.Contains(j.SQL, "INSERT OVERWRITE TABLE `rpt_user_trace_data`") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the failed job was submitted %d times", n)
	}
	noSecret(t, srv, r)
}

func TestMaxComputeMissingPartitionAndCredentials(t *testing.T) {
	dir, srv, env := mcProject(t)
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210304", "--format", "json")
	if r.code != 2 || !strings.Contains(r.stdout, `"upstream_ready": false`) || !strings.Contains(r.stdout, "ods_user_trace_data/dt=20210304") {
		t.Errorf("plan of a day without ODS data: %+v", r)
	}
	a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210304", "--yes")
	if a.code != 1 || !strings.Contains(a.stderr, "upstream partition ods_user_trace_data/dt=20210304 is missing") {
		t.Errorf("apply of a day without ODS data: %+v", a)
	}
	for _, j := range writes(srv) {
		if strings.Contains(j.SQL, "INSERT") {
			t.Errorf("ran a node for a day without upstream data:\n%s", j.SQL)
		}
	}
	none := fgen(t, dir, map[string]string{}, "plan", "--target", "mc")
	if none.code != 1 || !strings.Contains(none.stderr, "ALIBABA_CLOUD_ACCESS_KEY_ID") || !strings.Contains(none.stderr, "--odps-config") {
		t.Errorf("plan without credentials: %+v", none)
	}
	wrong := fgen(t, dir, map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": srv.AccessID(), "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "not-the-secret"}, "plan", "--target", "mc")
	if wrong.code != 1 || strings.Contains(wrong.stderr, "not-the-secret") {
		t.Errorf("plan with a wrong secret: %+v", wrong)
	}
	noSecret(t, srv, r, a, none, wrong)
}

func TestMaxComputeOdpsConfigFile(t *testing.T) {
	dir, srv, _ := mcProject(t)
	ini := filepath.Join(dir, "odps_config.ini")
	os.WriteFile(ini, []byte("[odps]\naccess_id = "+srv.AccessID()+"\naccess_key = "+srv.AccessKey()+"\n"), 0o600)
	r := fgen(t, dir, map[string]string{}, "plan", "--target", "mc", "--odps-config", ini)
	if r.code != 2 {
		t.Errorf("plan with --odps-config: %+v", r)
	}
	// The command an error suggests reads the same ini.
	a := fgen(t, dir, map[string]string{}, "apply", "--target", "mc", "--odps-config", ini, "--bizdate", "20210303")
	if want := "(see the plan with 'fgen plan --bizdate 20210303 --target mc --odps-config " + ini + "')"; a.code != 1 || !strings.Contains(a.stderr, want) {
		t.Errorf("apply with --odps-config without --yes: want %q in %+v", want, a)
	}
	r2 := fgen(t, dir, map[string]string{"FGEN_ODPS_CONFIG": ini}, "plan", "--target", "mc")
	if r2.code != 2 {
		t.Errorf("plan with FGEN_ODPS_CONFIG: %+v", r2)
	}
	// An ini naming another project: fgen uses the target's, and says so.
	os.WriteFile(ini, []byte("[odps]\naccess_id = "+srv.AccessID()+"\naccess_key = "+srv.AccessKey()+"\nproject = prod_finance\nendpoint = https://service.cn-shanghai.maxcompute.aliyun.com/api\n"), 0o600)
	r3 := fgen(t, dir, map[string]string{}, "plan", "--target", "mc", "--odps-config", ini)
	if want := "warning: " + ini + " names project prod_finance and endpoint https://service.cn-shanghai.maxcompute.aliyun.com/api; fgen reads its credentials, hints and http_timeout, and uses target mc's project " + srv.Project() + " at " + srv.Endpoint() + " (funnel.toml)\n"; r3.code != 2 || !strings.Contains(r3.stderr, want) {
		t.Errorf("plan with an ini of another project: want %q in %+v", want, r3)
	}
	if want := "Target mc (maxcompute: project " + srv.Project() + " at " + srv.Endpoint() + ")\n"; !strings.HasPrefix(r3.stdout, want) {
		t.Errorf("plan's header: want %q in %+v", want, r3)
	}
	if strings.Contains(r.stderr, "warning") {
		t.Errorf("plan with an ini naming no project: %+v", r)
	}
	// A path to no file says where it came from.
	missing := filepath.Join(dir, "nosuch.ini")
	r4 := fgen(t, dir, map[string]string{}, "plan", "--target", "mc", "--odps-config", missing)
	if want := "--odps-config names " + missing + ", which does not exist: give the path of an odps config ini"; r4.code != 1 || !strings.Contains(r4.stderr, want) {
		t.Errorf("plan with --odps-config of no file: want %q in %+v", want, r4)
	}
	r5 := fgen(t, dir, map[string]string{"FGEN_ODPS_CONFIG": missing}, "plan", "--target", "mc")
	if want := "$FGEN_ODPS_CONFIG names " + missing + ", which does not exist: give the path of an odps config ini (access_id and access_key under [odps]), or leave it out to read the credentials from ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET"; r5.code != 1 || !strings.Contains(r5.stderr, want) {
		t.Errorf("plan with FGEN_ODPS_CONFIG of no file: want %q in %+v", want, r5)
	}
	// Both given: the flag wins, and leaving it out uses the variable.
	r6 := fgen(t, dir, map[string]string{"FGEN_ODPS_CONFIG": ini}, "plan", "--target", "mc", "--odps-config", missing)
	if want := "or leave it out to use $FGEN_ODPS_CONFIG (" + ini + ")"; r6.code != 1 || !strings.Contains(r6.stderr, want) {
		t.Errorf("plan with both, the flag's of no file: want %q in %+v", want, r6)
	}
	noSecret(t, srv, r, r2, r3)
}

func TestMaxComputeDriftIsBlocked(t *testing.T) {
	dir, srv, env := mcProject(t)
	fgen(t, dir, env, "apply", "--target", "mc", "--yes")
	srv.UpdateTable("dw_user_trace_data", func(s *odpstest.TableSpec) {
		s.Columns[5].Type = "STRING" // use_time was BIGINT
		s.Columns = append(s.Columns, odpstest.Column{Name: "legacy", Type: "STRING"})
	})
	srv.UpdateTable("rpt_user_trace_data", func(s *odpstest.TableSpec) { s.Columns = s.Columns[:4] })
	r := fgen(t, dir, env, "plan", "--target", "mc", "--format", "json")
	if r.code != 3 {
		t.Fatalf("plan: %+v", r)
	}
	for _, want := range []string{`"code": "column_retyped"`, `"code": "column_dropped"`, `"action": "alter"`, "ADD COLUMNS (\\n    `click_rate` STRING"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %s:\n%s", want, r.stdout)
		}
	}
	before := len(writes(srv))
	a := fgen(t, dir, env, "apply", "--target", "mc", "--yes")
	if a.code != 3 || len(writes(srv)) != before || !strings.Contains(a.stderr, "--allow-destructive") {
		t.Errorf("apply of a blocked plan: %+v", a)
	}
}

func TestMaxComputeCancelTerminates(t *testing.T) {
	dir, srv, env := mcProject(t)
	fgen(t, dir, env, "apply", "--target", "mc", "--yes") // create the tables
	srv.On("INSERT OVERWRITE TABLE `dw_user_trace_data`", odpstest.Outcome{Forever: true})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for len(writes(srv)) < 3 {
			time.Sleep(5 * time.Millisecond)
		}
		time.Sleep(50 * time.Millisecond)
		cancel()
	}()
	code, out, errb := applyUntil(t, ctx, dir, env)
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitInterrupted, out.String(), errb.String())
	}
	if len(srv.Terminated()) != 1 {
		t.Errorf("terminated %v, want the running DW job", srv.Terminated())
	}
	if !strings.Contains(errb.String(), "apply incomplete: 0 applied") || !strings.Contains(out.String(), "2 not run") {
		t.Errorf("no partial-apply report:\n%s\n%s", out.String(), errb.String())
	}
	// It says how to finish, with the target it ran on.
	if !strings.HasSuffix(errb.String(), "; 'fgen apply --bizdate 20210303 --target mc' finishes the apply\n") {
		t.Errorf("no apply to finish with:\n%s", errb.String())
	}
	if strings.Contains(errb.String(), "context canceled (context canceled)") {
		t.Errorf("the interrupt is reported twice:\n%s", errb.String())
	}
}

// applyUntil runs 'fgen apply --target mc --bizdate 20210303 --yes' in dir
// until ctx ends, and returns its exit status, stdout and stderr.
func applyUntil(t *testing.T, ctx context.Context, dir string, env map[string]string) (int, *strings.Builder, *strings.Builder) {
	t.Helper()
	wd, _ := os.Getwd()
	os.Chdir(dir)
	defer os.Chdir(wd)
	var out, errb strings.Builder
	code := run(ctx, []string{"apply", "--target", "mc", "--bizdate", "20210303", "--yes"}, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, &out, &errb
}

// A job the service creates after fgen was interrupted (the submission
// was on its way) is terminated before fgen returns: the process exits
// then, and would leave the job running (an INSERT OVERWRITE writing on).
func TestMaxComputeInterruptedSubmitIsTerminated(t *testing.T) {
	dir, srv, env := mcProject(t)
	fgen(t, dir, env, "apply", "--target", "mc", "--yes") // create the tables
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Delay: time.Second, Times: -1})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		// Cancel once the client waits on the held-back submission: no
		// request has come for a while (the double logs each as it
		// arrives, the held one too).
		for n := -1; n != len(srv.Requests()); {
			n = len(srv.Requests())
			time.Sleep(200 * time.Millisecond)
		}
		cancel()
	}()
	code, out, errb := applyUntil(t, ctx, dir, env)
	terminated := srv.Terminated()
	if code != exitInterrupted {
		t.Fatalf("exit %d, want %d\n%s%s", code, exitInterrupted, out.String(), errb.String())
	}
	jobs := srv.Submitted()
	if len(jobs) == 0 {
		t.Fatal("no job was submitted")
	}
	last := jobs[len(jobs)-1].ID
	if !slices.Contains(terminated, last) {
		t.Errorf("when fgen returned, terminated %v; want the job created after the interrupt, %s", terminated, last)
	}
	for _, want := range []string{
		"waiting up to 2m0s for MaxCompute to answer the job submission in flight, to terminate the job it may create; press Ctrl-C again to leave it",
		"terminated MaxCompute job " + last + ", which the service created as fgen was interrupted",
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

func TestMaxComputeReport(t *testing.T) {
	dir, srv, env := mcProject(t)
	if r := fgen(t, dir, env, "report", "--target", "mc", "--bizdate", "20210303"); r.code != 1 || !strings.Contains(r.stderr, "has no report table rpt_user_trace_data yet; create and fill it with 'fgen apply --bizdate 20210303 --target mc'") {
		t.Errorf("report before apply: %+v", r)
	}
	fgen(t, dir, env, "apply", "--target", "mc", "--yes") // the tables
	// The query runs a while, as on MaxCompute: a terminal shows a bar (below).
	srv.On("FROM `rpt_user_trace_data`", odpstest.Outcome{RunningPolls: 3, Result: "browse,click,purchase,browse_rate,click_rate,dt\n1000,343,37,34.3%,10.79%,20210303\n"})
	r := fgen(t, dir, env, "report", "--target", "mc", "--bizdate", "20210303", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"count": 343`) {
		t.Fatalf("report: %+v", r)
	}
	var q string
	for _, j := range srv.Submitted() {
		if strings.Contains(j.SQL, "FROM `rpt_user_trace_data`") {
			q = j.SQL
		}
	}
	if !strings.Contains(q, "WHERE `dt` >= '20210303'\n  AND `dt` <= '20210303';") {
		t.Errorf("report query does not prune partitions:\n%s", q)
	}
	if strings.Contains(q, "ORDER BY") || !strings.HasSuffix(q, ";") {
		t.Errorf("report query sorts, or does not end with ';':\n%s", q)
	}
	if r := fgen(t, dir, env, "report", "--target", "mc"); r.code != 1 || !strings.Contains(r.stderr, "--bizdate") {
		t.Errorf("report without dates: %+v", r)
	}
	// A month's report costs what a day's does: the local target's check of
	// out-of-date rows would probe every partition of the days on MaxCompute.
	before := len(srv.Requests())
	if r := fgen(t, dir, env, "report", "--target", "mc", "--from", "20210301", "--to", "20210330"); r.code != 0 || len(srv.Requests())-before > 20 {
		t.Errorf("a month's report: %d requests, %+v", len(srv.Requests())-before, r)
	}

	// A report that waits on MaxCompute shows a bar on a terminal.
	onTTY(t)
	if r := fgen(t, dir, env, "report", "--target", "mc", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stderr, "funnels   0% |") {
		t.Errorf("report on a terminal: %+v", r)
	}
}

func TestMaxComputeApplyRange(t *testing.T) {
	dir, srv, env := mcProject(t)
	srv.AddPartition("ods_user_trace_data", "dt='20210304'")
	fgen(t, dir, env, "apply", "--target", "mc", "--yes") // tables only
	before := len(writes(srv))
	r := fgen(t, dir, env, "apply", "--target", "mc", "--from", "20210303", "--to", "20210304", "--parallel", "2", "--yes", "--format", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"applied": 4`) {
		t.Fatalf("apply: %+v", r)
	}
	var got []string
	for _, j := range writes(srv)[before:] {
		table := strings.Fields(strings.SplitN(j.SQL, "INSERT OVERWRITE TABLE ", 2)[1])[0]
		day := strings.SplitN(strings.SplitN(j.SQL, "PARTITION (`dt` = '", 2)[1], "'", 2)[0]
		got = append(got, table+"@"+day)
	}
	// DW for every day first (in either order with --parallel 2), then RPT.
	if len(got) != 4 || !strings.Contains(got[0]+got[1], "`dw_user_trace_data`@") || !strings.HasPrefix(got[2], "`rpt_user_trace_data`@") || !strings.HasPrefix(got[3], "`rpt_user_trace_data`@") {
		t.Errorf("submitted %v", got)
	}
	if !strings.Contains(r.stderr, "[1/2] 20210303 dw_user_trace_data: done") || !strings.Contains(r.stderr, "[2/2] 20210304 rpt_user_trace_data: done") {
		t.Errorf("progress:\n%s", r.stderr)
	}
	noSecret(t, srv, r)
}

// The ODS table belongs to its sync task: whatever its drift, plan exits 3
// with a fix, and apply, even with --allow-destructive, submits nothing.
func TestMaxComputeNeverChangesODS(t *testing.T) {
	for _, tt := range []struct {
		name  string
		drift func(*odpstest.TableSpec)
		fix   string
	}{
		{"reordered", func(s *odpstest.TableSpec) { s.Columns[0], s.Columns[1] = s.Columns[1], s.Columns[0] }, "in the live order (uid, md5,"},
		{"retyped", func(s *odpstest.TableSpec) { s.Columns[2].Type = "STRING" }, `set type = \"STRING\" for ts under [ods]`},
		{"extra before others", func(s *odpstest.TableSpec) {
			s.Columns = append([]odpstest.Column{{Name: "region", Type: "STRING"}}, s.Columns...)
		}, `add { name = \"region\", type = \"STRING\" } under [ods]`},
		{"missing", func(s *odpstest.TableSpec) { s.Columns = s.Columns[:len(s.Columns)-1] }, "ADD COLUMNS (`customize_event_content` STRING);), or remove customize_event_content"},
		{"other partition key", func(s *odpstest.TableSpec) { s.PartitionKeys = []odpstest.Column{{Name: "ds", Type: "STRING"}} }, `set partition = \"ds\" under [ods]`},
		{"hourly partitions", func(s *odpstest.TableSpec) {
			s.PartitionKeys = append(s.PartitionKeys, odpstest.Column{Name: "hh", Type: "STRING"})
		}, `set partition = \"dt\" and hour_partition = \"hh\" under [ods]`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, srv, env := mcProject(t)
			srv.UpdateTable("ods_user_trace_data", tt.drift)
			p := fgen(t, dir, env, "plan", "--target", "mc", "--format", "json")
			if p.code != 3 || !strings.Contains(p.stdout, tt.fix) || !strings.Contains(p.stdout, `"refused": true`) {
				t.Errorf("plan: exit %d, want 3 and a fix with %q:\n%s", p.code, tt.fix, p.stdout)
			}
			a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes")
			if a.code != 3 || !strings.Contains(a.stderr, "sync task") {
				t.Errorf("apply --allow-destructive: %+v", a)
			}
			if jobs := writes(srv); len(jobs) != 0 {
				t.Errorf("apply submitted %d jobs, the first:\n%s", len(jobs), jobs[0].SQL)
			}
		})
	}
}

// A table change of several statements goes as one SQL task each, and a
// failure in the middle says what was applied.
func TestMaxComputeTableChangeStatementByStatement(t *testing.T) {
	dir, srv, env := mcProject(t)
	fgen(t, dir, env, "apply", "--target", "mc", "--yes")
	srv.UpdateTable("dw_user_trace_data", func(s *odpstest.TableSpec) {
		s.Comment, s.Lifecycle = "old comment", 30
		s.Columns = s.Columns[:len(s.Columns)-1]
	})
	p := fgen(t, dir, env, "plan", "--target", "mc")
	if p.code != 2 || !strings.Contains(p.stdout, "DISABLE LIFECYCLE") {
		t.Errorf("plan does not note the lifecycle funnel.toml drops:\n%s", p.stdout)
	}
	srv.On("SET COMMENT", odpstest.Outcome{Error: "ODPS-0130131:Table not found - injected"})
	before := len(writes(srv))
	a := fgen(t, dir, env, "apply", "--target", "mc", "--yes")
	if a.code != 1 || !strings.Contains(a.stderr, "statement 2 of 2") || !strings.Contains(a.stderr, "applied before it:\n    ALTER TABLE `dw_user_trace_data` ADD COLUMNS (") {
		t.Errorf("apply: %+v", a)
	}
	jobs := writes(srv)[before:]
	if len(jobs) != 2 || !strings.HasPrefix(jobs[0].SQL, "ALTER TABLE `dw_user_trace_data` ADD COLUMNS") || !strings.HasPrefix(jobs[1].SQL, "ALTER TABLE `dw_user_trace_data` SET COMMENT") {
		t.Errorf("submitted %d jobs, want the two statements one by one", len(jobs))
	}
	for _, j := range jobs {
		if strings.Contains(j.SQL, "LIFECYCLE") {
			t.Errorf("apply changed the lifecycle:\n%s", j.SQL)
		}
	}
	if !strings.Contains(a.stdout, `1 failed`) {
		t.Errorf("summary: %s", a.stdout)
	}
}

// A recreate that fails between its DROP and its CREATE says the table is
// gone, and how to have it again.
func TestMaxComputeRecreateFailsAfterTheDrop(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		dir, srv, env := mcProject(t)
		if r := fgen(t, dir, env, "apply", "--target", "mc", "--yes", "-q"); r.code != 0 {
			t.Fatalf("apply: %+v", r)
		}
		srv.UpdateTable("dw_user_trace_data", func(s *odpstest.TableSpec) { s.Columns[5].Type = "STRING" })
		srv.On("CREATE TABLE IF NOT EXISTS `dw_user_trace_data`", odpstest.Outcome{Error: "ODPS-0110061:Failed to run ddltask - quota exceeded"})
		a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes", "--format", format)
		want := "quota exceeded; dw_user_trace_data is dropped and not created again: apply it again, which creates it and fills the days it is given"
		out := a.stderr
		if format == "json" {
			out = a.stdout
		}
		if a.code != 1 || !strings.Contains(out, want) || format == "text" && !strings.Contains(a.stderr, "  applied before it:\n    DROP TABLE IF EXISTS `dw_user_trace_data`;\n") {
			t.Errorf("apply --format %s: want %q in %+v", format, want, a)
		}
	}
}

// On MaxCompute, plan knows what is up to date from the partitions'
// metadata and fgen's record of the SQL that wrote each (fgen_partitions).
func TestMaxComputePlanKnowsWhatIsUpToDate(t *testing.T) {
	dir, srv, env := mcProject(t)
	// Years of apply before, fgen's bookkeeping holds more rows of the
	// tables than a query returns (odpstest.ResultLimit), and the service
	// cuts the result before the new ones: the records of the days planned
	// are then read on their own.
	srv.AddTable(odpstest.TableSpec{Name: maxcompute.BooksTable, Columns: []odpstest.Column{
		{Name: "table_name", Type: "STRING"}, {Name: "partition_value", Type: "STRING"}, {Name: "fingerprint", Type: "STRING"}, {Name: "modified", Type: "BIGINT"}}})
	oldRecords(srv, "old%05d", "dw_user_trace_data", "rpt_user_trace_data")
	// Not on a terminal, without --yes: apply says which plan to see, of its days.
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303"); r.code != 1 || !strings.Contains(r.stderr, "re-run with --yes to confirm (see the plan with 'fgen plan --bizdate 20210303 --target mc')") {
		t.Errorf("apply without --yes: %+v", r)
	}
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stdout, "= 20210303  up to date") {
		t.Fatalf("plan after apply: %+v", r)
	}
	// funnel.toml changes the RPT node's file only in its header
	// comments (the funnel's description): no row changes.
	path := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, path, `description = "browse -> click -> purchase, events per day"`, `description = "the article's funnel"`)
	if r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); r.code != 0 || !strings.Contains(r.stdout, "= 20210303  up to date") {
		t.Fatalf("plan after a change of the funnel's description: %+v", r)
	}
	// funnel.toml changes the RPT node's SQL.
	replaceInFile(t, path, "\nmode = \"events\"\n", "\nmode = \"users\"\n")
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303", "--format", "json")
	if r.code != 2 || !strings.Contains(r.stdout, `"why": "sql_changed"`) || strings.Count(r.stdout, `"pending": true`) != 2 {
		t.Fatalf("plan after a change of the RPT SQL: %+v", r)
	}
	// The report table's alter (its columns' comments) applied, the day's
	// job is still to run again.
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply of the tables: %+v", r)
	}
	if r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); r.code != 2 || !strings.Contains(r.stdout, "rpt_user_trace_data: its SQL changed since it was written (funnel.toml or fgen changed it)") {
		t.Fatalf("plan after the report table's alter: %+v", r)
	}
	// A DataWorks run rewrites the partition later: fgen's record no longer
	// says which SQL wrote it, and the timestamps say it is current.
	srv.SetPartitionData("rpt_user_trace_data", "dt='20210303'", time.Now().Add(time.Hour), 4096)
	if r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); r.code != 0 {
		t.Errorf("plan after a DataWorks run: %+v", r)
	}
	// The sync task reloads the day's ODS partition.
	srv.SetPartitionData("ods_user_trace_data", "dt='20210303'", time.Now().Add(2*time.Hour), 1<<30)
	r = fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, "dw_user_trace_data: ods_user_trace_data/dt=20210303 changed after it was written; reads 1.0 GiB") {
		t.Errorf("plan after a reload: %+v", r)
	}
}

// TestMaxComputeTypes2OnProject1 runs plan, apply and report on a project
// of the 1.0 data type edition whose ODS table has an INT and a
// DECIMAL(18,2) column: every statement that involves them (the DW node
// that reads them, the range profile of the INT column the DW narrows to
// SMALLINT, the DDL) must carry the settings that turn the 2.0 types on.
func TestMaxComputeTypes2OnProject1(t *testing.T) {
	dir, srv, env := mcProject(t)
	ods := seedODS()
	for i, c := range ods.Columns {
		switch c.Name {
		case "status":
			ods.Columns[i].Type = "INT"
		case "bytes":
			ods.Columns[i].Type = "DECIMAL(18,2)"
		}
	}
	srv.AddTable(ods)
	srv.AddPartition("ods_user_trace_data", "dt='20210303'")
	config := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, config, `{ name = "status",                  type = "BIGINT"`, `{ name = "status",                  type = "INT"`)
	replaceInFile(t, config, `{ name = "bytes",                   type = "BIGINT"`, `{ name = "bytes",                   type = "DECIMAL(18,2)"`)
	replaceInFile(t, config, `  { name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },`, `  { name = "use_time",                type = "BIGINT", comment = "time spent on the event" },
  { name = "customize_event_content", type = "STRING", comment = "event payload" },
  { name = "status",                  type = "SMALLINT" },
  { name = "bytes",                   type = "DECIMAL(18,2)" },`)

	plan := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if plan.code != 2 || strings.Contains(plan.stdout+plan.stderr, "not enabled") {
		t.Fatalf("plan: %+v", plan)
	}
	profiled := false
	for _, j := range srv.Submitted() {
		if strings.Contains(j.SQL, "`status` < -32768") {
			profiled = true
			if j.Hints["odps.sql.type.system.odps2"] != "true" || j.Hints["odps.sql.decimal.odps2"] != "true" {
				t.Errorf("the range profile of status runs with %v", j.Hints)
			}
		}
	}
	if !profiled {
		t.Error("plan did not profile the range of status")
	}
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if r := fgen(t, dir, env, "report", "--target", "mc", "--bizdate", "20210303"); r.code != 0 {
		t.Fatalf("report: %+v", r)
	}
}

// A remote warehouse is used only when named: with a MaxCompute target
// alone, a command without --target reaches nothing and says to name it.
func TestMaxComputeOnlyWhenNamed(t *testing.T) {
	dir, srv, env := mcProject(t)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), "[targets.local]\nengine = \"duckdb\"\npath = \".fgen/local.duckdb\"\n", "")
	for _, args := range [][]string{{"plan", "--bizdate", "20210303"}, {"apply", "--bizdate", "20210303", "--yes"}, {"report", "--bizdate", "20210303"}} {
		r := fgen(t, dir, env, args...)
		if r.code != 1 || !strings.Contains(r.stderr, "has no local (duckdb) target, which fgen uses when none is named, and uses a remote warehouse only when named: give --target mc") {
			t.Errorf("%v: %+v", args, r)
		}
	}
	// Loads write only to a local target, and say so before asking a
	// remote one for anything, credentials included.
	os.WriteFile(filepath.Join(dir, "e.csv"), nil, 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"load", "e.csv"}, "funnel.toml has no local (duckdb) target; fgen load writes to a local duckdb target"},
		{[]string{"load", "e.csv", "--target", "mc"}, "target mc is maxcompute; fgen load writes to a local duckdb target"},
		{[]string{"sample", "--users", "10", "--load", "--target", "mc"}, "target mc is maxcompute; --load writes to a local duckdb target"},
	} {
		if r := fgen(t, dir, nil, c.args...); r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: %+v", c.args, r)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the warehouse", n)
	}
	if r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); r.code != 2 {
		t.Errorf("plan --target mc: %+v", r)
	}
}

// A MaxCompute endpoint that accepts connections but never answers: plan
// says on stderr that it retries as it does (not with -q), and fails after
// two attempts with an error that names the endpoint and http_timeout,
// never the secret.
func TestMaxComputeSilentEndpoint(t *testing.T) {
	timeout := httpTimeout
	httpTimeout = 50 * time.Millisecond
	t.Cleanup(func() { httpTimeout = timeout })
	endpoint, _ := odpstest.Silent(t)
	dir := project(t)
	path := filepath.Join(dir, "funnel.toml")
	data, _ := os.ReadFile(path)
	target := "\n[targets.silent]\nengine = \"maxcompute\"\nendpoint = \"" + endpoint + "\"\nproject = \"p\"\n"
	os.WriteFile(path, append(data, target...), 0o644)
	const secret = "the-access-key-secret"
	env := map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret}

	fail := "fgen: plan silent: describe ods_user_trace_data: load table ods_user_trace_data: endpoint " + endpoint +
		" did not answer within 50ms (2 attempts); check the endpoint and that this machine can reach it, or, if the service is only slow, raise http_timeout\n"
	retrying := "load table ods_user_trace_data: endpoint " + endpoint + " did not answer within 50ms; retrying in 0.0s (attempt 2 of 2)\n"
	r := fgen(t, dir, env, "plan", "-t", "silent")
	if r.code != 1 || r.stderr != retrying+fail || strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("plan: exit %d, stderr:\n%s\nwant\n%s", r.code, r.stderr, retrying+fail)
	}
	r = fgen(t, dir, env, "plan", "-q", "-t", "silent")
	if r.code != 1 || r.stderr != fail {
		t.Errorf("plan -q: exit %d, stderr:\n%s\nwant\n%s", r.code, r.stderr, fail)
	}
}

// A sync task added an INT column funnel.toml does not list, on a project
// of the 1.0 data type edition: plan's checks of the ODS rows read the
// table with the settings its live columns need, and plan says what to add
// (refused: the DW node, whose settings come from funnel.toml's columns,
// could not read the table). A STRING column appended only gets a note, and
// the day runs.
func TestMaxComputeUnlistedType2Column(t *testing.T) {
	dir, srv, env := mcProject(t)
	ods := seedODS()
	ods.Columns = append(ods.Columns, odpstest.Column{Name: "extra_code", Type: "INT"})
	srv.AddTable(ods)
	srv.AddPartition("ods_user_trace_data", "dt='20210303'")
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if r.code != 3 || strings.Contains(r.stderr, "not enabled") || !strings.Contains(r.stdout, `add { name = "extra_code", type = "INT" } under [ods] in funnel.toml`) {
		t.Errorf("plan: %+v", r)
	}
	// Of a type funnel.toml does not take: refused (exit 3), not a raw error.
	srv.UpdateTable("ods_user_trace_data", func(s *odpstest.TableSpec) { s.Columns[len(s.Columns)-1].Type = "ARRAY<STRING>" })
	r = fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if r.code != 3 || !strings.Contains(r.stdout, "extra_code is ARRAY<STRING>, a type funnel.toml does not take") {
		t.Errorf("plan with an ARRAY column appended: %+v", r)
	}
	srv.UpdateTable("ods_user_trace_data", func(s *odpstest.TableSpec) { s.Columns[len(s.Columns)-1].Type = "STRING" })
	r = fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, `note: the table has columns after funnel.toml's, which no node reads: to describe them, add { name = "extra_code", type = "STRING" } last under [ods]`) {
		t.Errorf("plan with a STRING column appended: %+v", r)
	}
	if a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); a.code != 0 {
		t.Errorf("apply with a STRING column appended: %+v", a)
	}
}

// On MaxCompute too, plan names the tables fgen wrote that funnel.toml no
// longer defines, from its bookkeeping.
func TestMaxComputePlanNamesFormerTables(t *testing.T) {
	dir, _, env := mcProject(t)
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "rpt_funnel"`)
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if r.code != 2 || !strings.Contains(r.stdout, "\n    rpt_user_trace_data  (drop it when no longer needed: DROP TABLE rpt_user_trace_data;)\n") || strings.Contains(r.stdout, "    dw_user_trace_data  (drop it") {
		t.Errorf("plan: %+v", r)
	}
	// Another fgen project in the same MaxCompute project: the tables the
	// first one wrote are not its former tables.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `name = "user_trace"`+"\n", `name = "other_team"`+"\n")
	r = fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if strings.Contains(r.stdout, "    rpt_user_trace_data  (drop it") {
		t.Errorf("plan of another project: %+v", r)
	}
}

// fgen drops on MaxCompute only a table it created or wrote: one it did
// not, which holds partitions (a finance table under a mistyped report name,
// or one made by a DataWorks deployment of out/), is refused as raw rows,
// even with --allow-destructive; one fgen created is recreated, whoever
// wrote its partitions since, and the plan says how many it drops.
func TestMaxComputeDropsOnlyItsOwnTables(t *testing.T) {
	t.Run("a table fgen did not make", func(t *testing.T) {
		dir, srv, env := mcProject(t)
		srv.AddTable(odpstest.TableSpec{Name: "rpt_user_trace_data", Comment: "finance: daily revenue",
			Columns:       []odpstest.Column{{Name: "account", Type: "STRING"}, {Name: "amount", Type: "DOUBLE"}},
			PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
		srv.AddPartition("rpt_user_trace_data", "dt='20200101'")
		p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
		if p.code != 3 || !strings.Contains(p.stdout, "[raw_table] fgen did not create live table rpt_user_trace_data and has no note of writing any of its partitions") ||
			strings.Contains(p.stdout, "recomputed from") {
			t.Errorf("plan: %+v", p)
		}
		a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes")
		if a.code != 3 || len(writes(srv)) != 0 {
			t.Errorf("apply --allow-destructive: %+v, %d jobs", a, len(writes(srv)))
		}
		if spec, _ := srv.Table("rpt_user_trace_data"); spec.Comment != "finance: daily revenue" || len(srv.Partitions("rpt_user_trace_data")) != 1 {
			t.Errorf("the finance table after apply: %+v, partitions %v", spec, srv.Partitions("rpt_user_trace_data"))
		}
	})
	t.Run("a table that is not partitioned", func(t *testing.T) {
		dir, srv, env := mcProject(t)
		srv.AddTable(odpstest.TableSpec{Name: "rpt_user_trace_data", Columns: []odpstest.Column{{Name: "x", Type: "STRING"}}})
		p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
		if p.code != 3 || !strings.Contains(p.stdout, "[raw_table] live table rpt_user_trace_data is not partitioned, as every table fgen makes is") {
			t.Errorf("plan: %+v", p)
		}
		if a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes"); a.code != 3 || len(writes(srv)) != 0 {
			t.Errorf("apply --allow-destructive: %+v, %d jobs", a, len(writes(srv)))
		}
	})
	t.Run("a table fgen wrote", func(t *testing.T) {
		// Made by hand, and written by fgen apply since: fgen's rows.
		dir, srv, env := mcProject(t)
		srv.AddTable(odpstest.TableSpec{Name: "rpt_user_trace_data", Columns: []odpstest.Column{{Name: "legacy", Type: "STRING"}},
			PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}, Created: oldWrite.AddDate(0, -1, 0)})
		srv.AddPartition("rpt_user_trace_data", "dt='20210302'")
		srv.AddTable(odpstest.TableSpec{Name: maxcompute.BooksTable, Columns: []odpstest.Column{
			{Name: "table_name", Type: "STRING"}, {Name: "partition_value", Type: "STRING"}, {Name: "fingerprint", Type: "STRING"}, {Name: "modified", Type: "BIGINT"}}})
		oldRecords(srv, "202103%02d", "rpt_user_trace_data")
		p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
		if p.code != 3 || strings.Contains(p.stdout, "raw_table") || !strings.Contains(p.stdout, "recreating it drops the rows of its 1 partition") {
			t.Errorf("plan: %+v", p)
		}
		// Not on a terminal, without --yes: the refusal says it recreates,
		// and names the dry run of the same days and jobs.
		a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--all", "--allow-destructive")
		if want := "apply changes a remote warehouse and drops and recreates tables (--allow-destructive); re-run with --yes to confirm (see the plan with 'fgen apply --bizdate 20210303 --all --allow-destructive --dry-run --target mc')"; a.code != 1 || !strings.Contains(a.stderr, want) {
			t.Errorf("apply --allow-destructive without --yes: want %q in %+v", want, a)
		}
	})
	t.Run("a table fgen wrote, made again since", func(t *testing.T) {
		// Made by a DataWorks deployment of out/ (fgen has no note of
		// creating it) and written by fgen apply.
		dir, srv, env := mcProject(t)
		if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
			t.Fatalf("apply: %+v", r)
		}
		srv.DropTable(maxcompute.ProjectsTable)
		srv.DropTable(maxcompute.TimesTable)
		dropFirstColumn(srv, "rpt_user_trace_data")
		planRecreatesOwn(t, dir, env, "plan of the table fgen wrote")
		// Dropped, and an hour later a finance table made under the name.
		addFinance(srv, time.Now().Add(time.Hour))
		p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
		if want := "[raw_table] live table rpt_user_trace_data is not the table fgen wrote (dropped and made again outside fgen?): fgen did not create it, and it was created at "; p.code != 3 || !strings.Contains(p.stdout, want) {
			t.Errorf("plan: %+v\nwant %q", p, want)
		}
		financeKept(t, dir, srv, env)
	})
	t.Run("a table fgen made", func(t *testing.T) {
		dir, srv, env := mcProject(t)
		if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
			t.Fatalf("apply: %+v", r)
		}
		// Who wrote a table matters to a recreate alone: a plan with
		// nothing to recreate lists no table's partitions.
		before := len(srv.Requests())
		if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); p.code != 0 {
			t.Errorf("plan after apply: %+v", p)
		}
		for _, r := range srv.Requests()[before:] {
			if strings.Contains(r.Query, "partitions") {
				t.Errorf("plan with nothing to recreate listed partitions: %s?%s", r.Path, r.Query)
			}
		}
		// Days DataWorks wrote, which fgen has no note of.
		srv.AddPartition("rpt_user_trace_data", "dt='20210301'")
		srv.AddPartition("rpt_user_trace_data", "dt='20210302'")
		srv.UpdateTable("rpt_user_trace_data", func(s *odpstest.TableSpec) { s.Columns = s.Columns[1:] })
		p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
		if p.code != 3 || strings.Contains(p.stdout, "raw_table") || !strings.Contains(p.stdout, "recreating it drops the rows of its 3 partitions") {
			t.Errorf("plan: %+v", p)
		}
		// fgen_tables says so: the plan of the tables alone reads no record
		// of partitions (a query, seconds on MaxCompute).
		submitted := len(srv.Submitted())
		if p := fgen(t, dir, env, "plan", "--target", "mc"); p.code != 3 {
			t.Errorf("plan of the tables: %+v", p)
		}
		for _, j := range srv.Submitted()[submitted:] {
			if strings.Contains(j.SQL, "`"+maxcompute.BooksTable+"`") {
				t.Errorf("plan of the tables read %s: %s", maxcompute.BooksTable, j.SQL)
			}
		}
		n := len(writes(srv))
		if a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes", "-q"); a.code != 0 || len(writes(srv)) <= n || !strings.HasPrefix(writes(srv)[n].SQL, "DROP TABLE IF EXISTS `rpt_user_trace_data`") {
			t.Errorf("apply --allow-destructive: %+v", a)
		}
	})
}

// planRecreatesOwn requires plan to recreate the report table as fgen's
// (after a change only a recreate undoes), dropping its 1 partition.
func planRecreatesOwn(t *testing.T, dir string, env map[string]string, what string) {
	t.Helper()
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); p.code != 3 || strings.Contains(p.stdout, "raw_table") || !strings.Contains(p.stdout, "recreating it drops the rows of its 1 partition") {
		t.Errorf("%s: %+v", what, p)
	}
}

// addFinance makes a finance table under the report's name, with a
// partition, created at created (zero: now by the double's clock): a table
// fgen must not drop.
func addFinance(srv *odpstest.Server, created time.Time) {
	srv.AddTable(odpstest.TableSpec{Name: "rpt_user_trace_data", Comment: "finance: daily revenue",
		Columns:       []odpstest.Column{{Name: "account", Type: "STRING"}, {Name: "amount", Type: "DOUBLE"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}, Created: created})
	srv.AddPartition("rpt_user_trace_data", "dt='20200101'")
}

// financeKept requires apply --allow-destructive to refuse, and to leave
// addFinance's table as it was.
func financeKept(t *testing.T, dir string, srv *odpstest.Server, env map[string]string) {
	t.Helper()
	n := len(writes(srv))
	if a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes"); a.code != 3 || len(writes(srv)) != n {
		t.Errorf("apply --allow-destructive: %+v, %d jobs", a, len(writes(srv))-n)
	}
	if spec, _ := srv.Table("rpt_user_trace_data"); spec.Comment != "finance: daily revenue" || len(srv.Partitions("rpt_user_trace_data")) != 1 {
		t.Errorf("the finance table after apply: %+v, partitions %v", spec, srv.Partitions("rpt_user_trace_data"))
	}
}

// appliedAt is mcProject applied for 20210303 on a double whose clock, at
// (epoch seconds), stood two hours ago then: a test moves it on to make
// tables again later.
func appliedAt(t *testing.T) (dir string, srv *odpstest.Server, env map[string]string, at *atomic.Int64) {
	t.Helper()
	at = new(atomic.Int64)
	at.Store(time.Now().Add(-2 * time.Hour).Unix())
	dir, srv, env = mcProject(t, odpstest.WithClock(func() time.Time { return time.Unix(at.Load(), 0) }))
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	return dir, srv, env, at
}

// dropFirstColumn drifts table: a change only a recreate undoes.
func dropFirstColumn(srv *odpstest.Server, table string) {
	srv.UpdateTable(table, func(s *odpstest.TableSpec) { s.Columns = s.Columns[1:] })
}

// A table fgen created, dropped and made again outside fgen under its name
// (a finance table, say), is not fgen's: its createTime is none fgen noted
// (maxcompute.TimesTable). apply refuses to drop it, even with
// --allow-destructive, and plan names it no former table of the project.
// A table fgen made again itself is fgen's.
func TestMaxComputeTableMadeAgainOutsideFgen(t *testing.T) {
	dir, srv, env, at := appliedAt(t)
	drift := func() { dropFirstColumn(srv, "rpt_user_trace_data") }
	// An hour later, fgen makes the table again itself.
	at.Add(3600)
	drift()
	if a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes", "-q"); a.code != 0 {
		t.Fatalf("apply --allow-destructive: %+v", a)
	}
	drift()
	planRecreatesOwn(t, dir, env, "plan after fgen made the table again")
	// An hour later, someone drops it and makes a table of their own.
	at.Add(3600)
	addFinance(srv, time.Time{})
	p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	want := "[raw_table] live table rpt_user_trace_data is not the table fgen wrote (dropped and made again outside fgen?): it was created at " + time.Unix(at.Load(), 0).Format("2006-01-02 15:04:05 MST") +
		", after fgen last created a table under its name (at " + time.Unix(at.Load()-3600, 0).Format("2006-01-02 15:04:05 MST") + ", fgen_table_times)" +
		" and fgen apply last wrote a partition under its name (at " + time.Unix(at.Load()-3600, 0).Format("2006-01-02 15:04:05 MST") + ", fgen_partitions)"
	// Should fgen have made it after all, the fix says how to note it.
	claim := fmt.Sprintf("note it instead: %s INSERT INTO TABLE `fgen_table_times` VALUES ('rpt_user_trace_data', 'user_trace', %d); %s INSERT INTO TABLE `fgen_tables` VALUES ('rpt_user_trace_data', 'user_trace');", createTimesSQL, at.Load(), createProjectsSQL)
	if p.code != 3 || !strings.Contains(p.stdout, want) || !strings.Contains(p.stdout, claim) {
		t.Errorf("plan: %+v\nwant %q\nand %q", p, want, claim)
	}
	financeKept(t, dir, srv, env)
	// Once funnel.toml names another report table, not a former table of
	// the project to drop.
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "rpt_funnel"`)
	former := "\n    rpt_user_trace_data  (drop it when no longer needed"
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); strings.Contains(p.stdout, former) {
		t.Errorf("plan names the finance table a former table: %+v", p)
	}
	// A creation noted without its time (an fgen from before TimesTable,
	// or the project's note run by hand again) does not make it fgen's:
	// the name has noted times, and the table's is none of them.
	name, project := "rpt_user_trace_data", "user_trace"
	srv.AddRows(maxcompute.ProjectsTable, []*string{&name, &project})
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); strings.Contains(p.stdout, former) {
		t.Errorf("plan after a creation noted without its time: %+v", p)
	}
}

// A table fgen created, made again since outside fgen (a DataWorks
// deployment of out/), and written by fgen apply after that, holds rows
// fgen derived: fgen recreates it.
func TestMaxComputeTableMadeAgainThenWrittenByFgen(t *testing.T) {
	dir, srv, env, at := appliedAt(t)
	at.Add(3600)
	spec, _ := srv.Table("rpt_user_trace_data")
	spec.Created = time.Time{} // now, by the double's clock
	srv.AddTable(spec)
	at.Add(60)
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	dropFirstColumn(srv, "rpt_user_trace_data")
	planRecreatesOwn(t, dir, env, "plan")
}

// A recreate whose CREATE's answer is lost after the service made the
// table (a task status the SDK does not know) notes the table, and says
// so, not that the table is dropped; the table is fgen's.
func TestMaxComputeRecreateAnswerLost(t *testing.T) {
	dir, srv, env, at := appliedAt(t)
	at.Add(3600)
	dropFirstColumn(srv, "rpt_user_trace_data")
	srv.On("CREATE TABLE IF NOT EXISTS `rpt_user_trace_data`", odpstest.Outcome{Status: "Mystery"})
	a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes", "-q")
	if out := a.stdout + a.stderr; a.code == 0 || !strings.Contains(out, "the service made the table all the same, and fgen noted it") || strings.Contains(out, "dropped and not created again") {
		t.Errorf("apply: %+v", a)
	}
	srv.AddPartition("rpt_user_trace_data", "dt='20210302'")
	dropFirstColumn(srv, "rpt_user_trace_data")
	planRecreatesOwn(t, dir, env, "plan")
}

// A table fgen made whose createTime it failed to note is taken for one
// made outside fgen, and apply says so, with the statement that notes it;
// once noted by hand, the table is fgen's again.
func TestMaxComputeCreationNotNoted(t *testing.T) {
	dir, srv, env, at := appliedAt(t)
	at.Add(3600)
	drift := func() { dropFirstColumn(srv, "rpt_user_trace_data") }
	drift()
	srv.On("INSERT INTO TABLE `"+maxcompute.TimesTable+"`", odpstest.Outcome{Error: "ODPS-0130013:Authorization exception - no privilege"})
	a := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--allow-destructive", "--yes")
	hand := fmt.Sprintf("%s INSERT INTO TABLE `%s` VALUES ('rpt_user_trace_data', 'user_trace', %d); %s INSERT INTO TABLE `%s` VALUES ('rpt_user_trace_data', 'user_trace');", createTimesSQL, maxcompute.TimesTable, at.Load(), createProjectsSQL, maxcompute.ProjectsTable)
	if a.code == 0 || !strings.Contains(a.stdout+a.stderr, "the table is made, but noting it failed") || !strings.Contains(a.stdout+a.stderr, "note it by running "+hand) {
		t.Errorf("apply whose note failed: %+v\nwant %s", a, hand)
	}
	// A day DataWorks wrote since, and a change that recreates the table.
	srv.AddPartition("rpt_user_trace_data", "dt='20210302'")
	drift()
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); p.code != 3 || !strings.Contains(p.stdout, "[raw_table] live table rpt_user_trace_data is not the table fgen wrote") {
		t.Errorf("plan before the note: %+v", p)
	}
	// Noted by hand, as apply said.
	name, project, created := "rpt_user_trace_data", "user_trace", strconv.FormatInt(at.Load(), 10)
	srv.AddRows(maxcompute.TimesTable, []*string{&name, &project, &created})
	srv.AddRows(maxcompute.ProjectsTable, []*string{&name, &project})
	planRecreatesOwn(t, dir, env, "plan after the note")
}

// A table another fgen project made under a former table's name, after the
// former one was dropped, is not the first project's former table.
func TestMaxComputeFormerTableMadeByAnotherProject(t *testing.T) {
	dir, srv, env, at := appliedAt(t)
	// The other project: the same funnel.toml, the same double.
	other := t.TempDir()
	data, _ := os.ReadFile(filepath.Join(dir, "funnel.toml"))
	os.WriteFile(filepath.Join(other, "funnel.toml"), []byte(strings.Replace(string(data), `name = "user_trace"`+"\n", `name = "other_team"`+"\n", 1)), 0o644)
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), `table = "rpt_user_trace_data"`, `table = "rpt_funnel"`)
	former := "\n    rpt_user_trace_data  (drop it when no longer needed"
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); !strings.Contains(p.stdout, former) {
		t.Fatalf("plan after the rename: %+v", p)
	}
	// Dropped as plan advised; an hour later the other project makes a
	// table under the name.
	srv.DropTable("rpt_user_trace_data")
	at.Add(3600)
	if r := fgen(t, other, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply of the other project: %+v", r)
	}
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); strings.Contains(p.stdout, former) {
		t.Errorf("plan names the other project's table: %+v", p)
	}
}

// fgen's notes of created tables are read grouped: a project whose tables
// were created 10,000 times (a CI that makes them on every run), more rows
// than a query returns, still plans.
func TestMaxComputeManyCreations(t *testing.T) {
	dir, srv, env := mcProject(t)
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	var projects, times [][]*string
	for i := range odpstest.ResultLimit {
		name, project, created := fmt.Sprintf("ci_%03d", i%200), "user_trace", strconv.Itoa(1600000000+i)
		projects = append(projects, []*string{&name, &project})
		times = append(times, []*string{&name, &project, &created})
	}
	srv.AddRows(maxcompute.ProjectsTable, projects...)
	srv.AddRows(maxcompute.TimesTable, times...)
	if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); p.code != 0 {
		t.Errorf("plan: %+v", p)
	}
}

// The last month of the calendar: the records of 99991215 on, read when a
// table's are too many to read whole, end with the calendar, and plan still
// finds the day's SQL, and so a change of it.
func TestMaxComputeRecordsAtTheEndOfTime(t *testing.T) {
	dir, srv, env := mcProject(t)
	srv.AddPartition("ods_user_trace_data", "dt='99991215'")
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "99991215", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	oldRecords(srv, "1%07d", "dw_user_trace_data", "rpt_user_trace_data")
	replaceInFile(t, filepath.Join(dir, "funnel.toml"), "\nmode = \"events\"\n", "\nmode = \"users\"\n")
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "99991215", "--format", "json")
	if r.code != 2 || !strings.Contains(r.stdout, `"why": "sql_changed"`) {
		t.Errorf("plan after a change of the RPT SQL: %+v", r)
	}
}

// Days applied in parallel on a project whose bookkeeping an earlier fgen
// began: every job records its partition, and the table keeps the columns
// every fgen writes.
func TestMaxComputeParallelApplyOnEarlierBooks(t *testing.T) {
	dir, srv, env := mcProject(t)
	for _, d := range []string{"20210304", "20210305", "20210306", "20210307"} {
		srv.AddPartition("ods_user_trace_data", "dt='"+d+"'")
	}
	srv.AddTable(odpstest.TableSpec{Name: maxcompute.BooksTable, Columns: []odpstest.Column{
		{Name: "table_name", Type: "STRING"}, {Name: "partition_value", Type: "STRING"}, {Name: "fingerprint", Type: "STRING"}, {Name: "modified", Type: "BIGINT"}}})
	old := "x"
	srv.AddRows(maxcompute.BooksTable, []*string{&old, &old, &old, &old})
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--from", "20210303", "--to", "20210307", "--parallel", "4", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	if spec, _ := srv.Table(maxcompute.BooksTable); len(spec.Columns) != 4 {
		t.Errorf("%s has columns %v, want the four every fgen writes", maxcompute.BooksTable, spec.Columns)
	}
}

// The sync task's ODS table under the name funnel.toml now gives its DW
// table, with every column the DW table declares: fgen has no note of
// making or writing it, and it is not what out/'s DDL makes, so apply
// neither changes it nor runs the DW node into it (which would overwrite
// the day's raw rows with cleaned ones), even where the change is in
// place; the refusal gives the notes that make a table a DataWorks
// deployment of out/ made fgen's.
func TestMaxComputeRefusesToWriteTheSyncTasksTable(t *testing.T) {
	for _, tc := range []struct {
		name       string
		partitions int
		why        string
	}{
		{"with partitions", 1, "[raw_table] fgen did not create live table ods_user_trace_data and has no note of writing any of its partitions"},
		{"before its first partition", 0, "[raw_table] fgen did not make live table ods_user_trace_data, which has no partitions yet, and has no note of writing it: it is not fgen's to drop or change"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, srv, env := mcProject(t)
			if tc.partitions == 0 {
				srv.AddTable(seedODS()) // anew, without the partition
			}
			v2 := seedODS()
			v2.Name = "ods_v2"
			srv.AddTable(v2)
			srv.AddPartition("ods_v2", "dt='20210303'")
			path := filepath.Join(dir, "funnel.toml")
			data, _ := os.ReadFile(path)
			cfg := string(data)
			odsCols := cfg[strings.Index(cfg, "columns = [\n  { name = \"md5\""):]
			odsCols = odsCols[:strings.Index(odsCols, "]\n")+2]
			dwStart := strings.Index(cfg, "[dw]\n")
			dwCols := cfg[dwStart+strings.Index(cfg[dwStart:], "columns = ["):]
			dwCols = dwCols[:strings.Index(dwCols, "]\n")+2]
			cfg = strings.Replace(cfg, dwCols, odsCols, 1)
			cfg = strings.Replace(cfg, "name = \"ods_user_trace_data\"", "name = \"ods_v2\"", 1)
			cfg = strings.Replace(cfg, "name = \"dw_user_trace_data\"", "name = \"ods_user_trace_data\"", 1)
			os.WriteFile(path, []byte(cfg), 0o644)

			p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
			if p.code != 3 || !strings.Contains(p.stdout, tc.why) || !strings.Contains(p.stdout, "and it differs from the table out/'s DDL makes (column md5 comment") {
				t.Errorf("plan: want %q in %+v", tc.why, p)
			}
			_, claim, ok := strings.Cut(p.stdout, "note it as fgen's instead: ")
			if claim, _, _ = strings.Cut(claim, "\n"); !ok || !strings.HasPrefix(claim, createTimesSQL+" INSERT INTO TABLE `"+maxcompute.TimesTable+"` VALUES ('ods_user_trace_data', 'user_trace', ") {
				t.Errorf("plan's fix: %q in %+v", claim, p)
			}
			for _, args := range [][]string{{"--yes"}, {"--yes", "--allow-destructive"}} {
				a := fgen(t, dir, env, append([]string{"apply", "--target", "mc", "--bizdate", "20210303"}, args...)...)
				if a.code != 3 || len(writes(srv)) != 0 {
					t.Errorf("apply %v: %+v; jobs %v", args, a, writes(srv))
				}
			}
			if spec, _ := srv.Table("ods_user_trace_data"); spec.Comment != "" || len(spec.Columns) != 12 || len(srv.Partitions("ods_user_trace_data")) != tc.partitions {
				t.Errorf("the sync task's table after apply: %+v, partitions %v", spec, srv.Partitions("ods_user_trace_data"))
			}
			// Were it a table a DataWorks deployment of out/ made, the
			// fix's statements, run as written in a project where no fgen
			// noted a table yet, make it fgen's: plan then alters it.
			runStatements(t, srv, claim)
			if p := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); p.code != 2 || strings.Contains(p.stdout, "raw_table") || !strings.Contains(p.stdout, "~ DW  ods_user_trace_data  (alter") {
				t.Errorf("plan after the claim: %+v", p)
			}
		})
	}
}

// The statements fgen runs to make its notes of the tables it created.
const (
	createTimesSQL    = "CREATE TABLE IF NOT EXISTS `fgen_table_times` (table_name STRING, project STRING, create_time BIGINT) COMMENT 'fgen: when each table fgen created was created (its createTime), and by which fgen project';"
	createProjectsSQL = "CREATE TABLE IF NOT EXISTS `fgen_tables` (table_name STRING, project STRING) COMMENT 'fgen: the fgen project that created each table';"
)

// runStatements runs the statements of text (each ending with ';', one
// after another, as a user pastes them) on the double, through the SDK.
func runStatements(t *testing.T, srv *odpstest.Server, text string) {
	t.Helper()
	c, err := maxcompute.New(maxcompute.Config{Endpoint: srv.Endpoint(), Project: srv.Project(), PollInterval: 2 * time.Millisecond, HTTPTimeout: 5 * time.Second},
		maxcompute.Credentials{AccessID: srv.AccessID(), AccessKey: srv.AccessKey()})
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range strings.SplitAfter(text, "; ") {
		if stmt = strings.TrimSpace(stmt); stmt != "" {
			if err := c.Run(context.Background(), stmt, nil, nil); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
	}
}

// A table another fgen project made: plan of a recreate says whose rows it
// drops.
func TestMaxComputePlanNamesAnotherProjectsTable(t *testing.T) {
	dir, _, env := mcProject(t)
	if r := fgen(t, dir, env, "apply", "--target", "mc", "--bizdate", "20210303", "--yes", "-q"); r.code != 0 {
		t.Fatalf("apply: %+v", r)
	}
	cfg := filepath.Join(dir, "funnel.toml")
	replaceInFile(t, cfg, `name = "user_trace"`+"\n", `name = "other_team"`+"\n")
	replaceInFile(t, cfg, `{ name = "purchase",`, `{ name = "pay",`)
	r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303")
	if want := "another fgen project, user_trace, made it: the rows a recreate drops are that project's"; r.code != 3 || !strings.Contains(r.stdout, want) {
		t.Errorf("plan: want %q in %+v", want, r)
	}
	// Its own project's plan says nothing of another.
	replaceInFile(t, cfg, `name = "other_team"`+"\n", `name = "user_trace"`+"\n")
	if r := fgen(t, dir, env, "plan", "--target", "mc", "--bizdate", "20210303"); r.code != 3 || strings.Contains(r.stdout, "another fgen project") {
		t.Errorf("plan of the project that made it: %+v", r)
	}
}
