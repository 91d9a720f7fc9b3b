package maxcompute_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/internal/maxcompute"
	"github.com/fgen-dev/fgen/internal/odpstest"
)

// fast is a Config for srv with millisecond timings.
func fast(srv *odpstest.Server) maxcompute.Config {
	return maxcompute.Config{
		Endpoint:     srv.Endpoint(),
		Project:      srv.Project(),
		PollInterval: 2 * time.Millisecond,
		HTTPTimeout:  5 * time.Second,
		MaxRetries:   3,
		BaseBackoff:  time.Millisecond,
		MaxBackoff:   5 * time.Millisecond,
	}
}

func newClient(t *testing.T, srv *odpstest.Server, edit ...func(*maxcompute.Config)) *maxcompute.Client {
	t.Helper()
	cfg := fast(srv)
	for _, e := range edit {
		e(&cfg)
	}
	c, err := maxcompute.New(cfg, maxcompute.Credentials{AccessID: srv.AccessID(), AccessKey: srv.AccessKey(), SecurityToken: srv.SecurityToken()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func addEvents(srv *odpstest.Server) {
	srv.AddTable(odpstest.TableSpec{
		Name: "events", Comment: "raw events", Lifecycle: 30,
		Columns: []odpstest.Column{
			{Name: "user_id", Type: "string", Comment: "who"},
			{Name: "amount", Type: "decimal(10, 2)"},
			{Name: "tags", Type: "array<string>"},
		},
		PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING", Comment: "business date"}},
		Created:       eventsCreated,
	})
}

// eventsCreated is when addEvents' table was created.
var eventsCreated = time.Date(2021, 3, 3, 8, 30, 5, 0, time.UTC)

func TestTable(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	got, err := newClient(t, srv).Table(context.Background(), "events")
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	want := &maxcompute.Table{
		Name: "events", Comment: "raw events", Lifecycle: 30,
		Columns: []maxcompute.Column{
			{Name: "user_id", Type: "STRING", Comment: "who"},
			{Name: "amount", Type: "DECIMAL(10,2)"},
			{Name: "tags", Type: "ARRAY<STRING>"},
		},
		PartitionKeys: []maxcompute.Column{{Name: "dt", Type: "STRING", Comment: "business date"}},
	}
	// The service's createTime, in the SDK's location.
	if !got.Created.Equal(eventsCreated) {
		t.Errorf("Table created %v, want %v", got.Created, eventsCreated)
	}
	got.Created = time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Table =\n%+v\nwant\n%+v", got, want)
	}
}

func TestTableWithoutLifecycle(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "t", Columns: []odpstest.Column{{Name: "a", Type: "BIGINT"}}})
	got, err := newClient(t, srv).Table(context.Background(), "t")
	if err != nil || got.Lifecycle != 0 || len(got.PartitionKeys) != 0 {
		t.Errorf("Table = %+v, %v; want lifecycle 0, no partition keys", got, err)
	}
}

func TestTableNotFound(t *testing.T) {
	srv := odpstest.New(t)
	_, err := newClient(t, srv).Table(context.Background(), "missing")
	if !errors.Is(err, maxcompute.ErrTableNotFound) {
		t.Fatalf("Table(missing) = %v, want ErrTableNotFound", err)
	}
	if !strings.Contains(err.Error(), "fgen_test.missing") {
		t.Errorf("error %q does not name the table", err)
	}
	if n := srv.Count(odpstest.OpTable); n != 1 {
		t.Errorf("table requests = %d, want 1 (a 404 is not retried)", n)
	}
}

func TestTableRejectsQualifiedName(t *testing.T) {
	srv := odpstest.New(t)
	if _, err := newClient(t, srv).Table(context.Background(), "p.events"); err == nil {
		t.Error("Table(p.events) succeeded, want an error")
	}
	if srv.Count(odpstest.OpAny) != 0 {
		t.Error("a request was made for an invalid name")
	}
}

func TestPartitionExists(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	srv.AddPartition("events", "dt='20210303'")
	c := newClient(t, srv)
	ctx := context.Background()

	for _, tc := range []struct {
		spec string
		want bool
	}{
		{"dt='20210303'", true},
		{"dt=20210303", true},
		{"dt='20210304'", false},
	} {
		got, err := c.PartitionExists(ctx, "events", tc.spec)
		if err != nil || got != tc.want {
			t.Errorf("PartitionExists(%s) = %v, %v; want %v, nil", tc.spec, got, err, tc.want)
		}
	}
	if _, err := c.PartitionExists(ctx, "nope", "dt='20210303'"); !errors.Is(err, maxcompute.ErrTableNotFound) {
		t.Errorf("PartitionExists on a missing table = %v, want ErrTableNotFound", err)
	}
	for _, bad := range []string{"", "dt", "dt=''", "dt='a/b'", "dt='x'/hh='1'"} {
		if _, err := c.PartitionExists(ctx, "events", bad); err == nil || !strings.Contains(err.Error(), "invalid partition spec") {
			t.Errorf("PartitionExists(%q) = %v, want an invalid partition spec error", bad, err)
		}
	}
}

func TestRunSuccess(t *testing.T) {
	srv := odpstest.New(t)
	c := newClient(t, srv, func(cfg *maxcompute.Config) {
		cfg.Hints = map[string]string{"odps.sql.submit.mode": "script", "odps.task.major.version": "default"}
	})
	var job *maxcompute.Job
	err := c.Run(context.Background(), "SELECT 1;",
		map[string]string{"odps.sql.type.system.odps2": "true", "odps.task.major.version": "flighting"},
		func(j *maxcompute.Job) { job = j })
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	jobs := srv.Submitted()
	if len(jobs) != 1 || job == nil || jobs[0].ID != job.ID || jobs[0].SQL != "SELECT 1;" {
		t.Fatalf("Submitted() = %+v, job = %+v; want the one job", jobs, job)
	}
	want := map[string]string{
		"odps.sql.submit.mode":       "script",
		"odps.task.major.version":    "flighting",
		"odps.sql.type.system.odps2": "true",
	}
	if !reflect.DeepEqual(jobs[0].Hints, want) {
		t.Errorf("hints = %v, want %v", jobs[0].Hints, want)
	}
	if !strings.Contains(job.LogView, job.ID) {
		t.Errorf("LogView = %q, want a link naming %s", job.LogView, job.ID)
	}
	if s, _ := srv.JobStatus(job.ID); s != "Success" {
		t.Errorf("job status = %s, want Success", s)
	}
}

func TestDDLThroughRunIsVisibleToTable(t *testing.T) {
	srv := odpstest.New(t)
	c := newClient(t, srv)
	ctx := context.Background()
	ddl := "CREATE TABLE IF NOT EXISTS `funnel_daily` (`stage` STRING COMMENT 'stage', `users` BIGINT)\n" +
		"PARTITIONED BY (`dt` STRING) LIFECYCLE 90;\n"
	if err := c.Run(ctx, ddl, nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := c.Run(ctx, "INSERT OVERWRITE TABLE `funnel_daily` PARTITION (`dt`='20210303') SELECT 'visit', 1;", nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
	tb, err := c.Table(ctx, "funnel_daily")
	if err != nil || tb.Lifecycle != 90 || len(tb.Columns) != 2 {
		t.Errorf("Table = %+v, %v", tb, err)
	}
	if ok, err := c.PartitionExists(ctx, "funnel_daily", "dt='20210303'"); !ok || err != nil {
		t.Errorf("PartitionExists = %v, %v; want true", ok, err)
	}
}

func TestFailedJobIsSQLErrorAndNotRetried(t *testing.T) {
	srv := odpstest.New(t)
	const text = "ODPS-0130071:[1,8] Semantic analysis exception - column nope cannot be resolved"
	srv.On("nope", odpstest.Outcome{RunningPolls: 2, Error: text})
	var job *maxcompute.Job
	err := newClient(t, srv).Run(context.Background(), "SELECT nope FROM t;", nil, func(j *maxcompute.Job) { job = j })
	var se *maxcompute.SQLError
	if !errors.As(err, &se) {
		t.Fatalf("Run = %v (%T), want *SQLError", err, err)
	}
	if se.InstanceID != job.ID || se.Code != "ODPS-0130071" || se.Status != "FAILED" ||
		se.Message != "[1,8] Semantic analysis exception - column nope cannot be resolved" {
		t.Errorf("SQLError = %+v", se)
	}
	if want := "job " + job.ID + " failed: " + text; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
	if n := srv.Count(odpstest.OpSubmit); n != 1 || len(srv.Submitted()) != 1 {
		t.Errorf("submit requests = %d, jobs = %d; want 1 and 1", n, len(srv.Submitted()))
	}
	if len(srv.Terminated()) != 0 {
		t.Errorf("a failed job was terminated: %v", srv.Terminated())
	}
}

func TestFailedDDLIsSQLError(t *testing.T) {
	srv := odpstest.New(t)
	err := newClient(t, srv).Run(context.Background(), "ALTER TABLE missing SET LIFECYCLE 3;", nil, nil)
	var se *maxcompute.SQLError
	if !errors.As(err, &se) || se.Code != "ODPS-0130131" {
		t.Errorf("Run = %v, want *SQLError with ODPS-0130131", err)
	}
}

func TestCancelledTaskIsSQLError(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("select", odpstest.Outcome{Status: "Cancelled", Result: "ODPS-0110999:Job terminated by user"})
	err := newClient(t, srv).Run(context.Background(), "SELECT 1;", nil, nil)
	var se *maxcompute.SQLError
	if !errors.As(err, &se) || se.Status != "CANCELLED" {
		t.Errorf("Run = %v, want *SQLError with status CANCELLED", err)
	}
}

func TestUnknownStatusIsNotSuccess(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("select", odpstest.Outcome{Status: "Mystery"})
	err := newClient(t, srv).Run(context.Background(), "SELECT 1;", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "not success") {
		t.Errorf("Run = %v, want an error saying the status is not success", err)
	}
}

func TestTransientSubmitIsRetried(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: http.StatusServiceUnavailable, Times: 2})
	if err := newClient(t, srv).Run(context.Background(), "SELECT 1;", nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := srv.Count(odpstest.OpSubmit); n != 3 {
		t.Errorf("submit requests = %d, want 3", n)
	}
	if n := len(srv.Submitted()); n != 1 {
		t.Errorf("jobs = %d, want 1", n)
	}
}

func TestSubmitRetryAfterCreateDoesNotDuplicate(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: http.StatusBadGateway, AfterCreate: true})
	if err := newClient(t, srv).Run(context.Background(), "SELECT 1;", nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n, jobs := srv.Count(odpstest.OpSubmit), len(srv.Submitted()); n != 2 || jobs != 1 {
		t.Errorf("submit requests = %d, jobs = %d; want 2 and 1", n, jobs)
	}
}

func TestTransientPollIsRetried(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTaskStatus, Status: http.StatusInternalServerError, Times: 2})
	if err := newClient(t, srv).Run(context.Background(), "SELECT 1;", nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestConflictIsRetried(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Status: http.StatusConflict, RetryAfter: "0"})
	if _, err := newClient(t, srv).Table(context.Background(), "events"); err != nil {
		t.Fatalf("Table: %v", err)
	}
	reqs := srv.Requests()
	if reqs[0].Status != http.StatusConflict || len(reqs) != 3 { // 409, then Load and its ?extended
		t.Errorf("requests = %+v, want a 409 then two 200s", reqs)
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Status: http.StatusBadRequest, Times: -1,
		Code: "InvalidArgument", Message: "ODPS-0410003:Invalid argument - nope"})
	_, err := newClient(t, srv).Table(context.Background(), "events")
	var ae *maxcompute.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != "InvalidArgument" || ae.RequestID == "" {
		t.Fatalf("Table = %v, want *APIError 400 with code and request id", err)
	}
	if n := srv.Count(odpstest.OpTable); n != 1 {
		t.Errorf("table requests = %d, want 1", n)
	}
}

func TestRetriesGiveUp(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Status: http.StatusServiceUnavailable, Times: -1})
	_, err := newClient(t, srv).Table(context.Background(), "events")
	var ae *maxcompute.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 || !strings.Contains(err.Error(), "gave up after 4 attempts") {
		t.Fatalf("Table = %v, want a 503 *APIError after 4 attempts", err)
	}
	if n := srv.Count(odpstest.OpTable); n != 4 {
		t.Errorf("table requests = %d, want 4 (1 + MaxRetries 3)", n)
	}
}

func TestNoRetries(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Status: http.StatusServiceUnavailable})
	c := newClient(t, srv, func(cfg *maxcompute.Config) { cfg.MaxRetries = -1 })
	if _, err := c.Table(context.Background(), "events"); err == nil {
		t.Fatal("Table succeeded, want the 503")
	}
	if n := srv.Count(odpstest.OpTable); n != 1 {
		t.Errorf("table requests = %d, want 1", n)
	}
}

func TestCancelTerminatesJob(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("forever", odpstest.Outcome{Forever: true})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var job *maxcompute.Job
	done := make(chan error, 1)
	go func() {
		done <- newClient(t, srv).Run(ctx, "SELECT 'forever';", nil, func(j *maxcompute.Job) { job = j })
	}()
	waitFor(t, func() bool { return srv.Count(odpstest.OpTaskStatus) >= 3 })
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want an error wrapping context.Canceled", err)
	}
	if got := srv.Terminated(); !slices.Equal(got, []string{job.ID}) {
		t.Errorf("Terminated() = %v, want [%s]", got, job.ID)
	}
	if s, _ := srv.JobStatus(job.ID); s != "Cancelled" {
		t.Errorf("job status = %s, want Cancelled", s)
	}
	if !strings.Contains(err.Error(), "terminated") {
		t.Errorf("error %q does not say the job was terminated", err)
	}
}

func TestDeadlineTerminatesJob(t *testing.T) {
	srv := odpstest.New(t)
	srv.On("forever", odpstest.Outcome{Forever: true})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var job *maxcompute.Job
	err := newClient(t, srv).Run(ctx, "SELECT 'forever';", nil, func(j *maxcompute.Job) { job = j })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if got := srv.Terminated(); !slices.Equal(got, []string{job.ID}) {
		t.Errorf("Terminated() = %v, want [%s]", got, job.ID)
	}
}

func TestCancelledContextSubmitsNothing(t *testing.T) {
	srv := odpstest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := newClient(t, srv).Submit(ctx, "SELECT 1;", nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Submit = %v, want context.Canceled", err)
	}
	if n := srv.Count(odpstest.OpAny); n != 0 {
		t.Errorf("requests = %d, want 0", n)
	}
}

func TestWaitByID(t *testing.T) {
	srv := odpstest.New(t)
	c := newClient(t, srv)
	job, err := c.Submit(context.Background(), "SELECT 1;", nil)
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if err := c.Wait(context.Background(), &maxcompute.Job{ID: job.ID}); err != nil {
		t.Errorf("Wait: %v", err)
	}
}

func TestQuery(t *testing.T) {
	srv := odpstest.New(t)
	srv.AddTable(odpstest.TableSpec{Name: "funnel", Columns: []odpstest.Column{{Name: "stage", Type: "STRING"}, {Name: "users", Type: "BIGINT"}, {Name: "note", Type: "STRING"}}, PartitionKeys: []odpstest.Column{{Name: "dt", Type: "STRING"}}})
	srv.On("from funnel", odpstest.Outcome{Result: "stage,users,note\nvisit,10,\"a, b\"\nbuy,\\N,\n"})
	rows, err := newClient(t, srv).Query(context.Background(), "SELECT stage, users, note FROM funnel WHERE dt='20210303';", nil)
	if err != nil {
		t.Fatalf("Query: %v", err)
	}
	want := [][]string{{"stage", "users", "note"}, {"visit", "10", "a, b"}, {"buy", maxcompute.Null, ""}}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %q, want %q", rows, want)
	}
	if !maxcompute.IsNull(rows[2][1]) || maxcompute.IsNull(rows[2][2]) {
		t.Error("IsNull does not tell NULL from an empty string")
	}
}

func TestFullScanHintIsRefused(t *testing.T) {
	srv := odpstest.New(t)
	c := newClient(t, srv)
	for _, key := range []string{"odps.sql.allow.fullscan", "ODPS.SQL.Allow.FullScan"} {
		_, err := c.Submit(context.Background(), "SELECT 1;", map[string]string{key: "true"})
		if err == nil || !strings.Contains(err.Error(), key+"=true is not allowed") {
			t.Errorf("Submit with %s = %v, want the full-scan hint refused", key, err)
		}
	}
	if srv.Count(odpstest.OpAny) != 0 {
		t.Error("a request was made")
	}
}

func TestWrongSecret(t *testing.T) {
	srv := odpstest.New(t)
	const secret = "definitely-wrong-secret"
	c, err := maxcompute.New(fast(srv), maxcompute.Credentials{AccessID: srv.AccessID(), AccessKey: secret})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	err = c.Run(context.Background(), "SELECT 1;", nil, nil)
	if !errors.Is(err, maxcompute.ErrAccessDenied) {
		t.Fatalf("Run = %v, want ErrAccessDenied", err)
	}
	msg := err.Error()
	for _, want := range []string{"403", "ODPS-0410042", "check the access key id and secret", "request id"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, secret) {
		t.Errorf("error %q contains the secret", msg)
	}
	if n := srv.Count(odpstest.OpSubmit); n != 1 {
		t.Errorf("submit requests = %d, want 1 (403 is not retried)", n)
	}
}

func TestSTSCredentials(t *testing.T) {
	srv := odpstest.New(t, odpstest.WithSecurityToken("sts-token"))
	addEvents(srv)
	if _, err := newClient(t, srv).Table(context.Background(), "events"); err != nil {
		t.Errorf("Table with STS credentials: %v", err)
	}
}

func TestNew(t *testing.T) {
	srv := odpstest.New(t)
	cred := maxcompute.Credentials{AccessID: "id", AccessKey: "key"}
	for _, tc := range []struct {
		name string
		edit func(*maxcompute.Config)
		cred maxcompute.Credentials
		want string
	}{
		{"ok", func(*maxcompute.Config) {}, cred, ""},
		{"trailing slash", func(c *maxcompute.Config) { c.Endpoint += "/" }, cred, ""},
		{"no /api", func(c *maxcompute.Config) { c.Endpoint = "https://service.cn-hangzhou.maxcompute.aliyun.com" }, cred,
			`endpoint "https://service.cn-hangzhou.maxcompute.aliyun.com" must end in /api; e.g. https://service.cn-hangzhou.maxcompute.aliyun.com/api`},
		{"no endpoint", func(c *maxcompute.Config) { c.Endpoint = "" }, cred, "no MaxCompute endpoint given"},
		{"not a url", func(c *maxcompute.Config) { c.Endpoint = "service/api" }, cred, `endpoint "service/api" is not an http(s) URL`},
		{"credentials in the endpoint", func(c *maxcompute.Config) {
			c.Endpoint = "https://LTAIid:Sup3rS3cret@service.cn-hangzhou.maxcompute.aliyun.com/api"
		}, cred,
			`endpoint "https://service.cn-hangzhou.maxcompute.aliyun.com/api" must not carry credentials (user:password@); set ALIBABA_CLOUD_ACCESS_KEY_ID`},
		{"query in the endpoint", func(c *maxcompute.Config) {
			c.Endpoint = "https://service.cn-hangzhou.maxcompute.aliyun.com/api?k=Sup3rS3cret"
		}, cred,
			`endpoint "https://service.cn-hangzhou.maxcompute.aliyun.com/api" must have no query or fragment`},
		{"bad escape", func(c *maxcompute.Config) { c.Endpoint = "https://Sup3rS3cret@host/api%zz" }, cred, `endpoint is not a valid URL`},
		{"no project", func(c *maxcompute.Config) { c.Project = "" }, cred, "no MaxCompute project given"},
		{"negative poll", func(c *maxcompute.Config) { c.PollInterval = -1 }, cred, "poll interval is negative"},
		{"fullscan", func(c *maxcompute.Config) { c.Hints = map[string]string{"odps.sql.allow.fullscan": "true"} }, cred,
			"hint odps.sql.allow.fullscan=true is not allowed"},
		{"no credentials", func(*maxcompute.Config) {}, maxcompute.Credentials{}, maxcompute.ErrNoCredentials.Error()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fast(srv)
			tc.edit(&cfg)
			_, err := maxcompute.New(cfg, tc.cred)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("New = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("New = %v, want an error starting %q", err, tc.want)
			case err != nil && (strings.Contains(err.Error(), "Sup3rS3cret") || strings.Contains(err.Error(), "LTAIid")):
				t.Errorf("New = %v: the message repeats the credentials", err)
			}
		})
	}
}

// waitFor polls cond for up to 5s.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatal("condition not met within 5s")
}

func TestNetworkTimeoutIsRetried(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Delay: time.Second})
	c := newClient(t, srv, func(cfg *maxcompute.Config) { cfg.HTTPTimeout = 100 * time.Millisecond })
	if _, err := c.Table(context.Background(), "events"); err != nil {
		t.Fatalf("Table: %v", err)
	}
	if n := srv.Count(odpstest.OpTable); n != 3 { // timed out, then Load and ?extended
		t.Errorf("table requests = %d, want 3", n)
	}
}

func TestContextEndsAHangingCall(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Delay: 300 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	// Were the SDK call not interruptible, it would succeed after the delay.
	if _, err := newClient(t, srv).Table(ctx, "events"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Table = %v, want context.DeadlineExceeded", err)
	}
}

func TestSchemaIsSentAsHint(t *testing.T) {
	srv := odpstest.New(t)
	c := newClient(t, srv, func(cfg *maxcompute.Config) { cfg.Schema = "funnel" })
	if err := c.Run(context.Background(), "SELECT 1;", nil, nil); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if got := srv.Submitted()[0].Hints["odps.default.schema"]; got != "funnel" {
		t.Errorf("odps.default.schema = %q, want funnel", got)
	}
}

func TestPollFailingForGoodTerminatesJob(t *testing.T) {
	srv := odpstest.New(t)
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTaskStatus, Status: http.StatusServiceUnavailable, Times: -1})
	var job *maxcompute.Job
	err := newClient(t, srv).Run(context.Background(), "SELECT 1;", nil, func(j *maxcompute.Job) { job = j })
	var ae *maxcompute.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 503 {
		t.Fatalf("Run = %v, want the 503 *APIError", err)
	}
	if got := srv.Terminated(); !slices.Equal(got, []string{job.ID}) {
		t.Errorf("Terminated() = %v, want [%s]", got, job.ID)
	}
}

// TestLogViewWithoutUserinfo: a printed log view link carries no user
// information, neither its own nor in the endpoint it names, whatever the
// SDK or the service put there.
func TestLogViewWithoutUserinfo(t *testing.T) {
	for in, want := range map[string]string{
		"https://maxcompute.console.aliyun.com/cn-hangzhou/job-insights?h=https%3A%2F%2Fservice%2Fapi&i=20240101&p=proj":                    "https://maxcompute.console.aliyun.com/cn-hangzhou/job-insights?h=https%3A%2F%2Fservice%2Fapi&i=20240101&p=proj",
		"https://LTAIid:Sup3rS3cret@maxcompute.console.aliyun.com/cn-hangzhou/job-insights?h=https%3A%2F%2Fservice%2Fapi&i=20240101&p=proj": "https://maxcompute.console.aliyun.com/cn-hangzhou/job-insights?h=https%3A%2F%2Fservice%2Fapi&i=20240101&p=proj",
		"https://logview.aliyun.com/logview?h=https%3A%2F%2FLTAIid%3ASup3rS3cret%40service%2Fapi&i=20240101&p=proj&token=t":                 "https://logview.aliyun.com/logview?h=https%3A%2F%2Fservice%2Fapi&i=20240101&p=proj&token=t",
		"https://x.aliyun.com/%zz": "",
	} {
		if got := maxcompute.WithoutUserinfo(in); got != want {
			t.Errorf("WithoutUserinfo(%q) = %q, want %q", in, got, want)
		}
	}
	srv := odpstest.New(t)
	job, err := newClient(t, srv).Submit(context.Background(), "SELECT 1;", nil)
	if err != nil {
		t.Fatal(err)
	}
	if job.LogView == "" || strings.Contains(job.LogView, "@") {
		t.Errorf("LogView = %q, want a link without user information", job.LogView)
	}
}

// An endpoint that never answers costs two attempts, not 1 + MaxRetries,
// each told to OnRetry as it happens; the error names the endpoint and the
// setting to raise.
func TestSilentEndpointIsRetriedOnce(t *testing.T) {
	endpoint, accepted := odpstest.Silent(t)
	var retries []maxcompute.Retry
	c, err := maxcompute.New(maxcompute.Config{
		Endpoint: endpoint, Project: "p", HTTPTimeout: 50 * time.Millisecond, MaxRetries: 4,
		BaseBackoff: time.Millisecond, MaxBackoff: time.Millisecond,
		OnRetry: func(r maxcompute.Retry) { retries = append(retries, r) },
	}, maxcompute.Credentials{AccessID: "id", AccessKey: "secret-key"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Table(context.Background(), "events")
	var te *maxcompute.TimeoutError
	if !errors.As(err, &te) || te.Attempts != 2 || te.Timeout != 50*time.Millisecond || te.Endpoint != endpoint {
		t.Fatalf("Table = %#v, want a *TimeoutError after 2 attempts", err)
	}
	want := "load table events: endpoint " + endpoint + " did not answer within 50ms (2 attempts); check the endpoint and that this machine can reach it, or, if the service is only slow, raise http_timeout"
	if err.Error() != want {
		t.Errorf("error:\n%s\nwant\n%s", err, want)
	}
	if len(retries) != 1 || retries[0].String() != "load table events: endpoint "+endpoint+" did not answer within 50ms; retrying in 0.0s (attempt 2 of 2)" {
		t.Errorf("retries = %v", retries)
	}
	waitFor(t, func() bool { return accepted() == 2 })
}

// Once the endpoint has answered, a timeout is retried MaxRetries times.
func TestTimeoutAfterAnAnswerIsRetriedFully(t *testing.T) {
	srv := odpstest.New(t)
	addEvents(srv)
	var retries []string
	c := newClient(t, srv, func(cfg *maxcompute.Config) {
		cfg.HTTPTimeout = 50 * time.Millisecond
		cfg.OnRetry = func(r maxcompute.Retry) { retries = append(retries, r.String()) }
	})
	if _, err := c.Table(context.Background(), "events"); err != nil {
		t.Fatal(err)
	}
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpTable, Delay: time.Second, Times: -1})
	_, err := c.Table(context.Background(), "events")
	var te *maxcompute.TimeoutError
	if !errors.As(err, &te) || te.Attempts != 4 {
		t.Fatalf("Table = %v, want a *TimeoutError after 4 attempts (1 + MaxRetries 3)", err)
	}
	if len(retries) != 3 || !strings.HasSuffix(retries[2], "(attempt 4 of 4)") {
		t.Errorf("retries = %q", retries)
	}
}

// Submit says when it made no job: its context ended before it, or the
// service refused it outright; not when an earlier attempt's answer was
// lost (a 503), which may have made it.
func TestSubmitNotSubmitted(t *testing.T) {
	srv := odpstest.New(t)
	c := newClient(t, srv)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ns *maxcompute.NotSubmittedError
	if _, err := c.Submit(ctx, "SELECT 1;", nil); !errors.As(err, &ns) {
		t.Errorf("cancelled: %v, want NotSubmittedError", err)
	}
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: 403})
	if _, err := c.Submit(context.Background(), "SELECT 1;", nil); !errors.As(err, &ns) {
		t.Errorf("refused: %v, want NotSubmittedError", err)
	}
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: 503})
	srv.InjectFault(odpstest.Fault{Op: odpstest.OpSubmit, Status: 403})
	if _, err := c.Submit(context.Background(), "SELECT 1;", nil); err == nil || errors.As(err, &ns) {
		t.Errorf("a 503, then refused: %v, want an error that may have made the job", err)
	}
}

// A page not of the service (a proxy's 403) that echoes the request's
// headers shows no part of the STS token or key: the message cuts such a
// page at 200 bytes, which would leave a token's head that fgen's output
// masking, which masks whole secrets, no longer finds.
func TestErrorPageShowsNoPartOfASecret(t *testing.T) {
	token := "CAIS+Eo/" + strings.Repeat("t0k3n", 60) + "=="
	key := "Sup3rS3cret+Key/0123456789="
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "<html><body>denied by proxy for key %s; request headers: %v</body></html>", key, r.Header)
	}))
	defer proxy.Close()
	c, err := maxcompute.New(maxcompute.Config{Endpoint: proxy.URL + "/api", Project: "p", HTTPTimeout: 5 * time.Second, MaxRetries: -1},
		maxcompute.Credentials{AccessID: "id", AccessKey: key, SecurityToken: token})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Table(context.Background(), "events")
	if err == nil || !strings.Contains(err.Error(), "denied by proxy") || !strings.Contains(err.Error(), "[redacted]") {
		t.Fatalf("Table through the proxy: %v, want its page with the token masked", err)
	}
	if strings.Contains(err.Error(), token[:12]) || strings.Contains(err.Error(), key[:12]) {
		t.Errorf("the error shows part of a secret: %v", err)
	}
}
