package odpstest_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/options"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"

	"github.com/fgen-dev/fgen/internal/odpstest"
)

// client returns a real SDK client for srv.
func client(t *testing.T, srv *odpstest.Server) *odps.Odps {
	t.Helper()
	o := odps.NewOdps(account.NewAliyunAccount(srv.AccessID(), srv.AccessKey()), srv.Endpoint())
	o.SetDefaultProjectName(srv.Project())
	return o
}

func httpError(t *testing.T, err error) restclient.HttpError {
	t.Helper()
	var he restclient.HttpError
	if !errors.As(err, &he) {
		t.Fatalf("error %v (%T) is not a restclient.HttpError", err, err)
	}
	return he
}

func taskStatus(t *testing.T, ins *odps.Instance) odps.TaskStatus {
	t.Helper()
	tasks, err := ins.GetTasks()
	if err != nil {
		t.Fatalf("GetTasks: %v", err)
	}
	if len(tasks) != 1 {
		t.Fatalf("GetTasks returned %d tasks, want 1", len(tasks))
	}
	return tasks[0].Status
}

func instanceStatus(t *testing.T, ins *odps.Instance) odps.InstanceStatus {
	t.Helper()
	if err := ins.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	return ins.Status()
}

func TestEndpoint(t *testing.T) {
	srv := odpstest.New(t)
	if ep := srv.Endpoint(); !strings.HasPrefix(ep, "http://127.0.0.1:") || !strings.HasSuffix(ep, "/api") {
		t.Errorf("Endpoint() = %q, want http://127.0.0.1:<port>/api", ep)
	}
}

func TestSubmitRecordsSQLAndHintsInOrder(t *testing.T) {
	srv := odpstest.New(t)
	o := client(t, srv)
	first, err := o.ExecSQl("SELECT 1;", map[string]string{"odps.sql.type.system.odps2": "true"})
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	second, err := o.ExecSQl("SELECT 2;")
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	got := srv.Submitted()
	if len(got) != 2 {
		t.Fatalf("Submitted() has %d jobs, want 2", len(got))
	}
	if got[0].ID != first.Id() || got[0].SQL != "SELECT 1;" || got[0].Hints["odps.sql.type.system.odps2"] != "true" {
		t.Errorf("first job = %+v, want id %s, SQL 'SELECT 1;' and the odps2 hint", got[0], first.Id())
	}
	if got[1].ID != second.Id() || got[1].SQL != "SELECT 2;" {
		t.Errorf("second job = %+v, want id %s and SQL 'SELECT 2;'", got[1], second.Id())
	}
}

func TestDefaultJobRunsOncePollThenSucceeds(t *testing.T) {
	srv := odpstest.New(t)
	ins, err := client(t, srv).ExecSQl("SELECT 1;")
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	if s := instanceStatus(t, ins); s != odps.InstanceRunning {
		t.Errorf("instance status before polling = %v, want Running", s)
	}
	if s := taskStatus(t, ins); s != odps.TaskRunning {
		t.Errorf("first task poll = %v, want RUNNING", s)
	}
	if s := taskStatus(t, ins); s != odps.TaskSuccess {
		t.Errorf("second task poll = %v, want SUCCESS", s)
	}
	if s := instanceStatus(t, ins); s != odps.InstanceTerminated {
		t.Errorf("instance status after success = %v, want Terminated", s)
	}
	if ins.IsSync() {
		t.Error("instance looks synchronous to the SDK; Load must not carry <Tasks>")
	}
}

func TestQueryResultAsCSV(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "events", Columns: []odpstest.Column{{Name: "stage", Type: "STRING"}, {Name: "users", Type: "BIGINT"}}, PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	srv.On("from events", odpstest.Outcome{Result: "stage,users\nvisit,10\nbuy,\\N\n"})
	ins, err := client(t, srv).ExecSQl("SELECT stage, users FROM events WHERE dt = '20210303';")
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	if s := taskStatus(t, ins); s != odps.TaskSuccess {
		t.Fatalf("task status = %v, want SUCCESS", s)
	}
	res, err := ins.GetResult()
	if err != nil {
		t.Fatalf("GetResult: %v", err)
	}
	if len(res) != 1 || res[0].Content() != "stage,users\nvisit,10\nbuy,\\N\n" {
		t.Errorf("GetResult = %+v, want the scripted CSV", res)
	}
}

func TestFailedJobCarriesErrorText(t *testing.T) {
	srv := odpstest.New(t)
	const text = "ODPS-0130071:[1,8] Semantic analysis exception - column nope cannot be resolved"
	srv.On("nope", odpstest.Outcome{RunningPolls: 2, Error: text})
	ins, err := client(t, srv).ExecSQl("SELECT nope FROM t;")
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	for i := 0; i < 2; i++ {
		if s := taskStatus(t, ins); s != odps.TaskRunning {
			t.Fatalf("poll %d = %v, want RUNNING", i+1, s)
		}
	}
	if s := taskStatus(t, ins); s != odps.TaskFailed {
		t.Fatalf("poll 3 = %v, want FAILED", s)
	}
	res, err := ins.GetResult()
	if err != nil {
		t.Fatalf("GetResult: %v", err)
	}
	if res[0].Content() != text {
		t.Errorf("result = %q, want %q", res[0].Content(), text)
	}
}

func TestResponderAndUnknownStatus(t *testing.T) {
	srv := odpstest.New(t, odpstest.WithResponder(func(j odpstest.Job) odpstest.Outcome {
		return odpstest.Outcome{Status: "Mystery"}
	}))
	ins, err := client(t, srv).ExecSQl("SELECT 1;")
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	if s := taskStatus(t, ins); s != odps.TaskStatusUnknown {
		t.Errorf("task status = %v, want TASK_STATUS_UNKNOWN", s)
	}
	if s := instanceStatus(t, ins); s != odps.InstanceTerminated {
		t.Errorf("instance status = %v, want Terminated", s)
	}
}

func TestTerminateStopsRunningJob(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("forever", odpstest.Outcome{Forever: true})
	ins, err := client(t, srv).ExecSQl("SELECT 'forever';")
	if err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	for i := 0; i < 3; i++ {
		if s := taskStatus(t, ins); s != odps.TaskRunning {
			t.Fatalf("poll %d = %v, want RUNNING", i+1, s)
		}
	}
	if err := ins.Terminate(); err != nil {
		t.Fatalf("Terminate: %v", err)
	}
	if got := srv.Terminated(); !slices.Equal(got, []string{ins.Id()}) {
		t.Errorf("Terminated() = %v, want [%s]", got, ins.Id())
	}
	if s := taskStatus(t, ins); s != odps.TaskCancelled {
		t.Errorf("task status after Terminate = %v, want CANCELLED", s)
	}
}

func TestTableLoad(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{
		Name: "events", Comment: "raw events", Lifecycle: 30,
		Columns: []odpstest.Column{
			{Name: "user_id", Type: "STRING", Comment: "who"},
			{Name: "amount", Type: "DECIMAL(10,2)"},
			{Name: "tags", Type: "ARRAY<STRING>"},
		},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING", Comment: "yyyymmdd"}},
	})
	o := client(t, srv)

	ok, err := o.Table("events").Exists()
	if err != nil || !ok {
		t.Fatalf("Exists(events) = %v, %v; want true, nil", ok, err)
	}
	ok, err = o.Table("missing").Exists()
	if err != nil || ok {
		t.Fatalf("Exists(missing) = %v, %v; want false, nil", ok, err)
	}

	tb := o.Table("events")
	if err := tb.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if tb.Comment() != "raw events" || tb.LifeCycle() != 30 {
		t.Errorf("comment, lifecycle = %q, %d; want 'raw events', 30", tb.Comment(), tb.LifeCycle())
	}
	var cols []string
	for _, c := range tb.Schema().Columns {
		cols = append(cols, c.Name+" "+c.Type.Name()+" "+c.Comment)
	}
	want := []string{"user_id STRING who", "amount DECIMAL(10,2) ", "tags ARRAY<STRING> "}
	if !slices.Equal(cols, want) {
		t.Errorf("columns = %q, want %q", cols, want)
	}
	if pk := tb.PartitionColumns(); len(pk) != 1 || pk[0].Name != "dt" || pk[0].Comment != "yyyymmdd" {
		t.Errorf("partition columns = %+v, want dt with comment", pk)
	}
	if srv.Count(odpstest.OpTable) != 5 { // Exists twice (missing stops after one) + Load twice
		t.Errorf("table requests = %d, want 5", srv.Count(odpstest.OpTable))
	}
}

func TestTableWithoutLifecycle(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
	tb := client(t, srv).Table("t")
	if err := tb.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	if tb.LifeCycle() != -1 {
		t.Errorf("LifeCycle() = %d, want -1 (none)", tb.LifeCycle())
	}
}

func TestAddTablePanicsOnEmptyType(t *testing.T) {
	srv := odpstest.New(t)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "empty type") {
			t.Errorf("recover() = %v, want a panic about the empty type", r)
		}
	}()
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a"}}})
}

func TestPartitionLoad(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{
		Name:          "events",
		Columns:       []odpstest.Column{{Name: "a", Type: "BIGINT"}},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}},
	})
	srv.AddPartition("events", "dt='20210303'")
	o := client(t, srv)

	p := odps.NewPartition(o, srv.Project(), "", "events", "dt=20210303")
	if err := p.Load(); err != nil {
		t.Errorf("Load(dt=20210303) = %v, want nil", err)
	}
	err := odps.NewPartition(o, srv.Project(), "", "events", "dt=20210304").Load()
	if he := httpError(t, err); he.StatusCode != http.StatusNotFound {
		t.Errorf("Load(dt=20210304) status = %d, want 404", he.StatusCode)
	}
	vals, err := o.Table("events").GetPartitionValues()
	if err != nil || !slices.Equal(vals, []string{"dt=20210303"}) {
		t.Errorf("GetPartitionValues() = %v, %v; want [dt=20210303]", vals, err)
	}
	part, err := o.Table("events").GetPartition("dt=20210303")
	if err != nil || part.Value() != "dt=20210303" {
		t.Errorf("GetPartition() = %v, %v; want dt=20210303", part.Value(), err)
	}
}

func TestWrongSecretIsRejected(t *testing.T) {
	srv := odpstest.New(t)
	o := odps.NewOdps(account.NewAliyunAccount(srv.AccessID(), "not-the-secret"), srv.Endpoint())
	o.SetDefaultProjectName(srv.Project())
	_, err := o.ExecSQl("SELECT 1;")
	he := httpError(t, err)
	if he.StatusCode != http.StatusForbidden || he.ErrorMessage == nil ||
		!strings.Contains(he.ErrorMessage.Message, "ODPS-0410042") || he.RequestId == "" {
		t.Errorf("error = %+v, want 403 with ODPS-0410042 and a request id", he)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Error("error text contains the secret")
	}
	if len(srv.Submitted()) != 0 {
		t.Error("a job was recorded from an unauthenticated request")
	}
}

func TestWrongAccessIDIsRejected(t *testing.T) {
	srv := odpstest.New(t)
	o := odps.NewOdps(account.NewAliyunAccount("someone-else", srv.AccessKey()), srv.Endpoint())
	o.SetDefaultProjectName(srv.Project())
	_, err := o.Table("t").Exists()
	if he := httpError(t, err); he.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403", he.StatusCode)
	}
}

func TestSTSToken(t *testing.T) {
	srv := odpstest.New(t, odpstest.WithCredentials("sts-id", "sts-secret"), odpstest.WithSecurityToken("tok"))
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
	for _, tc := range []struct {
		name string
		acc  account.Account
		ok   bool
	}{
		{"right token", account.NewStsAccount("sts-id", "sts-secret", "tok"), true},
		{"wrong token", account.NewStsAccount("sts-id", "sts-secret", "stale"), false},
		{"no token", account.NewAliyunAccount("sts-id", "sts-secret"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := odps.NewOdps(tc.acc, srv.Endpoint())
			o.SetDefaultProjectName(srv.Project())
			ok, err := o.Table("t").Exists()
			if tc.ok && (err != nil || !ok) {
				t.Errorf("Exists = %v, %v; want true, nil", ok, err)
			}
			if !tc.ok && httpError(t, err).StatusCode != http.StatusForbidden {
				t.Errorf("Exists error = %v, want 403", err)
			}
		})
	}
}

func TestUnexpectedSTSTokenIsRejected(t *testing.T) {
	srv := odpstest.New(t)
	o := odps.NewOdps(account.NewStsAccount(srv.AccessID(), srv.AccessKey(), "leftover"), srv.Endpoint())
	o.SetDefaultProjectName(srv.Project())
	_, err := o.Table("t").Exists()
	if he := httpError(t, err); he.StatusCode != http.StatusForbidden {
		t.Errorf("status = %d, want 403", he.StatusCode)
	}
}

func TestUnknownProject(t *testing.T) {
	srv := odpstest.New(t)
	o := client(t, srv)
	o.SetDefaultProjectName("other")
	_, err := o.ExecSQl("SELECT 1;")
	if he := httpError(t, err); he.StatusCode != http.StatusNotFound || !strings.Contains(he.ErrorMessage.Message, "ODPS-0420111") {
		t.Errorf("error = %v, want 404 project not found", err)
	}
}

func TestTransientFaults(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Status: http.StatusServiceUnavailable, Times: 2})
	o := client(t, srv)
	for i := 0; i < 2; i++ {
		_, err := o.Table("t").Exists()
		if he := httpError(t, err); he.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("attempt %d: status %d, want 503", i+1, he.StatusCode)
		}
	}
	if ok, err := o.Table("t").Exists(); err != nil || !ok {
		t.Errorf("third Exists = %v, %v; want true, nil", ok, err)
	}
}

func TestConflictOnSubmitIsRetriedBySDK(t *testing.T) {
	srv := odpstest.New(t)
	// The SDK itself sleeps Retry-After seconds and retries a 409 on submit.
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: http.StatusConflict, RetryAfter: "0"})
	if _, err := client(t, srv).ExecSQl("SELECT 1;"); err != nil {
		t.Fatalf("ExecSQl: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Status != http.StatusConflict || reqs[1].Status != http.StatusCreated {
		t.Errorf("requests = %+v, want a 409 then a 201", reqs)
	}
	if len(srv.Submitted()) != 1 {
		t.Errorf("Submitted() = %d jobs, want 1", len(srv.Submitted()))
	}
}

func TestGuidDeduplicatesAfterCreateFault(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: http.StatusBadGateway, AfterCreate: true})
	o := client(t, srv)
	opt := options.NewSQLTaskOptions(options.WithInstanceOption(options.WithUniqueIdentifyID("guid-1")))
	if _, err := o.ExecSQlWithOption("SELECT 1;", opt); httpError(t, err).StatusCode != http.StatusBadGateway {
		t.Fatalf("first submit error = %v, want 502", err)
	}
	ins, err := o.ExecSQlWithOption("SELECT 1;", opt)
	if err != nil {
		t.Fatalf("second submit: %v", err)
	}
	jobs := srv.Submitted()
	if len(jobs) != 1 || jobs[0].ID != ins.Id() {
		t.Errorf("Submitted() = %+v, want exactly the job %s", jobs, ins.Id())
	}
}

func TestDDLAppliedOnSuccess(t *testing.T) {
	srv := odpstest.New(t)
	o := client(t, srv)
	run := func(sql string) odps.TaskStatus {
		t.Helper()
		ins, err := o.ExecSQl(sql)
		if err != nil {
			t.Fatalf("ExecSQl: %v", err)
		}
		for {
			if s := taskStatus(t, ins); s != odps.TaskRunning {
				return s
			}
		}
	}
	if s := run("CREATE TABLE IF NOT EXISTS `funnel_daily` (\n  `stage` STRING COMMENT 'stage name',\n  `users` BIGINT\n)\nCOMMENT 'daily funnel'\nPARTITIONED BY (`dt` STRING COMMENT 'business date')\nLIFECYCLE 90;\n"); s != odps.TaskSuccess {
		t.Fatalf("CREATE status = %v", s)
	}
	if s := run("ALTER TABLE `funnel_daily` ADD COLUMNS (`rate` DOUBLE COMMENT 'conversion');"); s != odps.TaskSuccess {
		t.Fatalf("ALTER status = %v", s)
	}
	if s := run("INSERT OVERWRITE TABLE `funnel_daily` PARTITION (`dt` = '20210303')\nSELECT 'visit', 1, 0.5;"); s != odps.TaskSuccess {
		t.Fatalf("INSERT status = %v", s)
	}
	tb := o.Table("funnel_daily")
	if err := tb.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	var cols []string
	for _, c := range tb.Schema().Columns {
		cols = append(cols, c.Name+":"+c.Type.Name())
	}
	if want := []string{"stage:STRING", "users:BIGINT", "rate:DOUBLE"}; !slices.Equal(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
	if tb.Comment() != "daily funnel" || tb.LifeCycle() != 90 {
		t.Errorf("comment, lifecycle = %q, %d", tb.Comment(), tb.LifeCycle())
	}
	if err := odps.NewPartition(o, srv.Project(), "", "funnel_daily", "dt=20210303").Load(); err != nil {
		t.Errorf("partition dt=20210303 after INSERT: %v", err)
	}
	if s := run("ALTER TABLE missing SET LIFECYCLE 3;"); s != odps.TaskFailed {
		t.Errorf("ALTER of a missing table = %v, want FAILED", s)
	}
	if got := srv.Submitted(); len(got) != 4 {
		t.Errorf("Submitted() = %d jobs, want 4", len(got))
	}
}

func TestDriftIsVisible(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}, {Name: "b", Type: "STRING"}}})
	srv.UpdateTable("t", func(s *odpstest.TableSpec) {
		s.Columns[0].Type = "STRING"                                           // retyped
		s.Columns = s.Columns[:1]                                              // b missing
		s.Columns = append(s.Columns, odpstest.Column{Name: "x", Type: "INT"}) // extra
	})
	tb := client(t, srv).Table("t")
	if err := tb.Load(); err != nil {
		t.Fatalf("Load: %v", err)
	}
	var cols []string
	for _, c := range tb.Schema().Columns {
		cols = append(cols, c.Name+":"+c.Type.Name())
	}
	if want := []string{"a:STRING", "x:INT"}; !slices.Equal(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
}

func TestDelayFaultTimesOutTheSDK(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Delay: time.Second})
	o := client(t, srv)
	o.SetHttpTimeout(50 * time.Millisecond)
	var ue *url.Error
	if _, err := o.Table("t").Exists(); !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("Exists = %v, want a timeout *url.Error", err)
	}
	if ok, err := o.Table("t").Exists(); err != nil || !ok {
		t.Errorf("second Exists = %v, %v; want true, nil", ok, err)
	}
}

// A request held back by a Delay fault is logged as it arrives, with no
// status until it is answered: a client that gave up on it and retried has
// sent every request the log counts, however late the server notices.
func TestDelayedRequestIsLoggedOnArrival(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.Endpoint()+"/projects/"+srv.Project()+"/tables/t", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if err := account.NewAliyunAccount(srv.AccessID(), srv.AccessKey()).SignRequest(req, srv.Endpoint()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); srv.Count(odpstest.OpTable) == 0; {
		select {
		case err := <-done:
			t.Fatalf("the request ended (%v) before the log held it", err)
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatal("the request held back is not in the log 10s after it was sent")
		}
	}
	if reqs := srv.Requests(); len(reqs) != 1 || reqs[0].Op != odpstest.OpTable || reqs[0].Status != 0 {
		t.Errorf("requests while held = %+v, want the table request with status 0", reqs)
	}
	cancel() // the client gives up; the server lets the request go
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("request = %v, want context.Canceled", err)
	}
}
