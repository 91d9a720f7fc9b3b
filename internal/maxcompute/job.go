package maxcompute

import (
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/options"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/restclient"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// Job is a submitted SQL job (an ODPS instance).
type Job struct {
	ID      string // instance id
	LogView string // link to the job's log view; empty when it could not be built
}

// Null is how Query returns a SQL NULL: the text \N of MaxCompute's CSV
// results. A STRING holding exactly `\N` reads the same; the CSV cannot tell
// them apart.
const Null = `\N`

// IsNull reports whether a Query cell is a SQL NULL.
func IsNull(cell string) bool { return cell == Null }

// Submit starts one SQL job with cfg.Hints merged under hints (hints win).
// Transient failures are retried under one job Guid, which the service
// deduplicates on, so a retry does not start the job twice (the official
// Java SDK's UniqueIdentifyIDTest, com.aliyun.odps.task in
// aliyun/aliyun-odps-java-sdk, runs "select 1;" and then "select 2;" under
// one id against the service and asserts the second returns the first's
// instance; the Go SDK's fresh "uuid" task property per attempt does not
// change that). Callers add
// odps.sql.type.system.odps2=true themselves; odps.sql.allow.fullscan=true is
// refused. A 409 on submission is retried inside the SDK, which sleeps its
// Retry-After for up to 180s in all; ctx still ends Submit at once, and a
// job the SDK creates after that is terminated.
func (c *Client) Submit(ctx context.Context, sql string, hints map[string]string) (*Job, error) {
	merged := maps.Clone(c.cfg.Hints)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, hints)
	if err := checkHints(merged); err != nil {
		return nil, err
	}
	guid, err := newGUID()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, &NotSubmittedError{fmt.Errorf("submit SQL job: %w", err)}
	}
	// maybe: an attempt whose answer was not the service's own refusal
	// may have made the job (a refusal is never retried, so it ends
	// Submit). A 4xx without the service's error body (a gateway's page)
	// is not its own. Not seen: a 409 the SDK retries within one attempt,
	// which the service answers when it has not taken the job.
	var maybe atomic.Bool
	submit := func() (*odps.Instance, error) {
		opt := options.NewSQLTaskOptions(
			options.WithHints(merged),
			options.WithDefaultSchema(c.cfg.Schema),
			options.WithInstanceOption(options.WithUniqueIdentifyID(guid)),
		)
		ins, err := c.odps.ExecSQlWithOption(sql, opt)
		var he restclient.HttpError
		if !errors.As(err, &he) || !refusal(he.StatusCode) || he.ErrorMessage == nil {
			maybe.Store(true)
		}
		return ins, err
	}
	// A job created after ctx ended is nobody's: stop it.
	orphan := func(ins *odps.Instance, err error) {
		if err == nil && ins != nil {
			err := ins.Terminate()
			if c.cfg.OnOrphan != nil {
				c.cfg.OnOrphan(ins.Id(), err)
			}
		}
	}
	ins, err := retry(ctx, c, "submit SQL job", submit, orphan)
	if err != nil {
		// A refusal's answer came back: its attempt is over.
		if ae := (*APIError)(nil); errors.As(err, &ae) && refusal(ae.StatusCode) && !maybe.Load() {
			return nil, &NotSubmittedError{err}
		}
		return nil, err
	}
	return &Job{ID: ins.Id(), LogView: c.logView(ctx, ins)}, nil
}

// refusal says whether an HTTP status is the service's refusal of a
// request, after which it made nothing: a 4xx other than 408, 409 and 429.
func refusal(status int) bool {
	return status >= 400 && status < 500 &&
		status != http.StatusRequestTimeout && status != http.StatusConflict && status != http.StatusTooManyRequests
}

func newGUID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("job guid: %w", err)
	}
	return "fgen-" + hex.EncodeToString(b), nil
}

// logView builds the job's log view link, best effort: the first call asks
// the service for the console host and region.
func (c *Client) logView(ctx context.Context, ins *odps.Instance) string {
	link, err := call(ctx, func() (string, error) {
		c.lvMu.Lock()
		defer c.lvMu.Unlock()
		if c.lv == nil {
			c.lv = c.odps.LogView()
		}
		return c.lv.GenerateLogView(ins, 24*7)
	}, nil, nil)
	if err != nil {
		return ""
	}
	return withoutUserinfo(link)
}

// Wait polls job every PollInterval until it finishes. It returns nil only
// when every task of the job succeeded; a Failed, Cancelled or Suspended
// task gives an *SQLError; a task status the SDK does not know is not
// success. When ctx ends, or polling fails for good, Wait terminates the
// job and returns an error wrapping the cause (ctx.Err() included).
func (c *Client) Wait(ctx context.Context, job *Job) error {
	for {
		done, err := c.poll(ctx, job.ID)
		switch {
		case ctx.Err() != nil && !done:
			return c.abandon(ctx, job.ID, ended(ctx))
		case err != nil && !done:
			return c.abandon(ctx, job.ID, err)
		case done:
			return err
		}
		if err := c.sleep(ctx, c.cfg.PollInterval); err != nil {
			if ctx.Err() != nil {
				err = ended(ctx)
			}
			return c.abandon(ctx, job.ID, err)
		}
	}
}

// ended is why ctx ended: a *JobTimeoutError where the job timeout did,
// which says so; else ctx.Err().
func ended(ctx context.Context) error {
	var te *JobTimeoutError
	if cause := context.Cause(ctx); errors.As(cause, &te) {
		return cause
	}
	return ctx.Err()
}

// poll looks at the job once. done means the job has finished; err then
// says how it failed. Each SDK call gets its own Instance: a call abandoned
// on ctx may still be writing to its own.
func (c *Client) poll(ctx context.Context, id string) (done bool, err error) {
	tasks, err := retry(ctx, c, "poll job "+id, c.odps.Instance(id).GetTasks, nil)
	if err != nil {
		return false, err
	}
	running := false
	var unknown []string
	for _, t := range tasks {
		switch t.Status {
		case odps.TaskFailed, odps.TaskCancelled, odps.TaskSuspended:
			return true, c.taskError(ctx, id, t)
		case odps.TaskSuccess:
		case odps.TaskRunning, odps.TaskWaiting:
			running = true
		default:
			unknown = append(unknown, fmt.Sprintf("%s %s", t.Name, t.Status))
		}
	}
	if running {
		return false, nil
	}
	if len(tasks) > 0 && len(unknown) == 0 {
		return true, nil
	}
	// No task yet, or one in a status the SDK does not know: that is only
	// an end if the instance itself has terminated.
	ins := c.odps.Instance(id)
	if err := do(ctx, c, "load job "+id, ins.Load); err != nil {
		return false, err
	}
	if ins.Status() != odps.InstanceTerminated {
		return false, nil
	}
	if len(unknown) == 0 {
		return true, fmt.Errorf("job %s terminated without tasks", id)
	}
	return true, fmt.Errorf("job %s terminated with task status %s, which is not success", id, strings.Join(unknown, ", "))
}

// taskError reads a finished task's result text into an *SQLError.
func (c *Client) taskError(ctx context.Context, id string, t odps.TaskInInstance) error {
	e := &SQLError{InstanceID: id, Task: t.Name, Status: t.Status.String()}
	results, err := c.results(ctx, id)
	if err != nil {
		e.Message = fmt.Sprintf("task %s %s; its error text could not be read: %v", t.Name, t.Status, err)
		return e
	}
	for _, r := range results {
		if r.Name == t.Name || len(results) == 1 {
			e.Code, e.Message = parseTaskError(r.Content())
		}
	}
	if e.Message == "" && e.Code == "" {
		e.Message = fmt.Sprintf("task %s %s without an error text", t.Name, t.Status)
	}
	return e
}

// results reads the result texts of job id's tasks.
func (c *Client) results(ctx context.Context, id string) ([]odps.TaskResult, error) {
	return retry(ctx, c, "read result of job "+id, c.odps.Instance(id).GetResult, nil)
}

// abandon terminates a job Wait stops watching; the returned error wraps cause.
func (c *Client) abandon(ctx context.Context, id string, cause error) error {
	tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cfg.HTTPTimeout)
	defer cancel()
	if err := do(tctx, c, "terminate job "+id, c.odps.Instance(id).Terminate); err != nil {
		return fmt.Errorf("job %s: %w; terminating it failed too: %v", id, cause, err)
	}
	return fmt.Errorf("job %s terminated: %w", id, cause)
}

// Run submits sql, calls onSubmit (when not nil) with the job, and waits for it.
func (c *Client) Run(ctx context.Context, sql string, hints map[string]string, onSubmit func(*Job)) error {
	job, err := c.Submit(ctx, sql, hints)
	if err != nil {
		return err
	}
	if onSubmit != nil {
		onSubmit(job)
	}
	return c.Wait(ctx, job)
}

// ResultLimit is the most rows the service returns of a query's result: the
// limits of MaxCompute SQL (https://help.aliyun.com/knowledge_detail/51823.html)
// put a SELECT's displayed output at 10,000 rows, and the project setting
// READ_TABLE_MAX_ROW can only lower it.
const ResultLimit = 10000

// Query runs a query and returns its result rows, the header row first.
// A NULL cell is Null (`\N`). The service returns at most ResultLimit
// rows this way, silently; larger results need the instance tunnel, which
// this package does not use. So a result of ResultLimit rows, which may
// have been cut there, is an error that wraps warehouse.ErrTruncated.
func (c *Client) Query(ctx context.Context, sql string, hints map[string]string) ([][]string, error) {
	job, err := c.Submit(ctx, sql, hints)
	if err != nil {
		return nil, err
	}
	if err := c.Wait(ctx, job); err != nil {
		return nil, err
	}
	results, err := c.results(ctx, job.ID)
	if err != nil {
		return nil, err
	}
	if len(results) == 0 {
		return nil, fmt.Errorf("job %s returned no result", job.ID)
	}
	rows, err := csv.NewReader(strings.NewReader(results[0].Content())).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("job %s: read CSV result: %w", job.ID, err)
	}
	if len(rows)-1 >= ResultLimit {
		return nil, fmt.Errorf("job %s returned %d rows, the most MaxCompute returns of a query: %w", job.ID, ResultLimit, warehouse.ErrTruncated)
	}
	return rows, nil
}

// withoutUserinfo returns link without user information, its own or that of
// the endpoint it names (parameter h): the link is printed, and whatever the
// SDK or the service put in it, it never carries credentials. A link that
// is not a URL gives "".
func withoutUserinfo(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	u.User = nil
	q := u.Query()
	if h, err := url.Parse(q.Get("h")); err == nil && h.User != nil {
		h.User = nil
		q.Set("h", h.String())
		u.RawQuery = q.Encode()
	}
	return u.String()
}
