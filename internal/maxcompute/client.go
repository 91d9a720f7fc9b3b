// Package maxcompute is fgen's small wrapper around the MaxCompute (ODPS) Go
// SDK: table metadata, partition existence, and SQL jobs that honour a
// context.Context.
//
// The SDK takes no context and blocks; every call here runs it on its own
// goroutine, so a cancelled context returns at once (the abandoned HTTP
// request ends within Config.HTTPTimeout). Transient failures are retried
// with capped exponential backoff; SQL failures never are. A job whose
// context ends while Wait watches it is terminated.
//
// Nothing here reads the environment or knows about flags: the CLI builds
// Credentials (CredentialsFromEnv with os.Getenv, or CredentialsFromIni) and
// a Config, and calls New.
package maxcompute

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aliyun/aliyun-odps-go-sdk/odps"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/account"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/options"
	"github.com/aliyun/aliyun-odps-go-sdk/odps/tableschema"

	"github.com/fgen-dev/fgen/internal/warehouse"
)

// Config says where and how to run. Zero durations and MaxRetries take the
// defaults noted.
type Config struct {
	// Endpoint is the service endpoint, ending in /api, e.g.
	// https://service.cn-hangzhou.maxcompute.aliyun.com/api.
	Endpoint string
	Project  string
	// Schema is the schema of a three-tier project; empty for none. Jobs
	// get it as the odps.default.schema hint, metadata calls as curr_schema.
	Schema string
	// Hints go with every job; the hints of a call override them.
	Hints map[string]string
	// PollInterval is the pause between job status polls (default 2s).
	PollInterval time.Duration
	// HTTPTimeout bounds each HTTP request (default 60s): http_timeout of
	// a target in funnel.toml, or of an odps config ini.
	HTTPTimeout time.Duration
	// MaxRetries is how often a transient failure is retried (default 4;
	// negative: never).
	MaxRetries int
	// BaseBackoff is the first retry delay, doubled per retry (default 500ms).
	BaseBackoff time.Duration
	// MaxBackoff caps a retry delay, Retry-After included (default 30s).
	MaxBackoff time.Duration
	// OnRetry, when not nil, hears of each retry before its pause, from
	// the goroutine of the call: concurrent calls call it concurrently.
	OnRetry func(Retry)
	// OnOrphan, when not nil, hears of a job the service created after the
	// context of its Submit ended, and of the error of terminating it
	// (nil: terminated), from a goroutine of its own; and, with id "", of
	// Close's error when the service did not answer in time.
	OnOrphan func(id string, err error)
	// OnWait, when not nil, hears that Close waits, at most limit, for
	// such a job: the service has not yet answered its submission.
	OnWait func(limit time.Duration)
}

// Defaults for zero Config fields.
const (
	DefaultPollInterval = 2 * time.Second
	DefaultHTTPTimeout  = 60 * time.Second
	DefaultMaxRetries   = 4
	DefaultBaseBackoff  = 500 * time.Millisecond
	DefaultMaxBackoff   = 30 * time.Second
)

// fullScanHint may never be turned on: every generated read filters its
// partition column.
const fullScanHint = "odps.sql.allow.fullscan"

// Client runs fgen's MaxCompute calls. It is safe for concurrent use.
type Client struct {
	cfg   Config
	odps  *odps.Odps
	shown string // the endpoint as messages show it
	// secrets are the key and token, which an error page that echoes a
	// request may hold: apiError masks them before it cuts the page.
	secrets []string
	sleep   func(context.Context, time.Duration) error // replaced in tests
	// answered: the endpoint has answered a request (see maxSilentRetries)
	answered atomic.Bool

	lvMu sync.Mutex // the SDK's LogView caches hosts unguarded
	lv   *odps.LogView

	// cleanups counts the calls still running after their context ended
	// whose results are to be cleaned up (a job to terminate): see call.
	cleanups cleanups
}

// Close waits for the cleanups of calls interrupted by their context (a
// job Submit was creating when it was interrupted is terminated once the
// service answers), at most two HTTP timeouts: the request, then the
// termination. It returns an error when some did not finish in time.
func (c *Client) Close() error {
	if c.cleanups.n.Load() > 0 && c.cfg.OnWait != nil {
		c.cfg.OnWait(2 * c.cfg.HTTPTimeout)
	}
	done := make(chan struct{})
	go func() {
		c.cleanups.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-time.After(2 * c.cfg.HTTPTimeout):
		err := fmt.Errorf("a MaxCompute job submitted when fgen was interrupted may still run: no answer from %s within %s; look for running jobs in the console", c.shown, 2*c.cfg.HTTPTimeout)
		if c.cfg.OnOrphan != nil {
			c.cfg.OnOrphan("", err)
		}
		return err
	}
}

// New checks cfg and cred and returns a Client. It makes no request.
func New(cfg Config, cred Credentials) (*Client, error) {
	if cred.AccessID == "" || cred.AccessKey == "" {
		return nil, ErrNoCredentials
	}
	endpoint, shown, err := checkEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	cfg.Endpoint = endpoint
	if cfg.Project == "" {
		return nil, fmt.Errorf("no MaxCompute project given")
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{
		{"poll interval", cfg.PollInterval}, {"HTTP timeout", cfg.HTTPTimeout},
		{"base backoff", cfg.BaseBackoff}, {"max backoff", cfg.MaxBackoff},
	} {
		if d.d < 0 {
			return nil, fmt.Errorf("%s is negative (%v)", d.name, d.d)
		}
	}
	if err := checkHints(cfg.Hints); err != nil {
		return nil, err
	}
	cfg.Hints = maps.Clone(cfg.Hints)
	cfg.PollInterval = or(cfg.PollInterval, DefaultPollInterval)
	cfg.HTTPTimeout = or(cfg.HTTPTimeout, DefaultHTTPTimeout)
	cfg.BaseBackoff = or(cfg.BaseBackoff, DefaultBaseBackoff)
	cfg.MaxBackoff = or(cfg.MaxBackoff, DefaultMaxBackoff)
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}

	var acc account.Account = account.NewAliyunAccount(cred.AccessID, cred.AccessKey)
	if cred.SecurityToken != "" {
		acc = account.NewStsAccount(cred.AccessID, cred.AccessKey, cred.SecurityToken)
	}
	o := odps.NewOdps(acc, cfg.Endpoint)
	o.SetDefaultProjectName(cfg.Project)
	if cfg.Schema != "" {
		o.SetCurrentSchemaName(cfg.Schema)
	}
	o.SetHttpTimeout(cfg.HTTPTimeout)
	// The job-insight log view needs no token request per job.
	o.Options.LogViewVersion = options.JobInsight
	return &Client{cfg: cfg, odps: o, shown: shown, sleep: sleepCtx, secrets: []string{cred.AccessKey, cred.SecurityToken}}, nil
}

func or(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// checkEndpoint returns ep without a trailing slash, and as messages show
// it.
func checkEndpoint(ep string) (endpoint, shown string, err error) {
	const example = "e.g. https://service.cn-hangzhou.maxcompute.aliyun.com/api"
	if ep == "" {
		return "", "", fmt.Errorf("no MaxCompute endpoint given; %s", example)
	}
	// Messages show the endpoint without user information, query and
	// fragment, where credentials may hide.
	u, err := url.Parse(ep)
	if err != nil {
		return "", "", fmt.Errorf("endpoint is not a valid URL; %s", example)
	}
	shown = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
	switch {
	case u.User != nil:
		return "", "", fmt.Errorf("endpoint %q must not carry credentials (user:password@); set %s and %s, or use an odps config ini", shown, EnvAccessKeyID, EnvAccessKeySecret)
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return "", "", fmt.Errorf("endpoint %q is not an http(s) URL; %s", shown, example)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", "", fmt.Errorf("endpoint %q must have no query or fragment; %s", shown, example)
	case !strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/api"):
		return "", "", fmt.Errorf("endpoint %q must end in /api; %s", shown, example)
	}
	return strings.TrimRight(ep, "/"), strings.TrimRight(shown, "/"), nil
}

// checkHints refuses the full-scan hint, however its key is written
// (funnel.toml's validation takes keys case-insensitively too).
func checkHints(h map[string]string) error {
	for k, v := range h {
		if strings.EqualFold(strings.TrimSpace(k), fullScanHint) && !strings.EqualFold(strings.TrimSpace(v), "false") {
			return fmt.Errorf("hint %s=%s is not allowed: filter the partition column instead", k, v)
		}
	}
	return nil
}

// Project returns the project the client works in.
func (c *Client) Project() string { return c.cfg.Project }

// Column is a table or partition column. Its Type is the SDK's canonical
// spelling: upper case, no spaces, e.g. "BIGINT", "DECIMAL(10,2)",
// "ARRAY<STRING>", "MAP<STRING,BIGINT>".
type Column = warehouse.Column

// Table is a table's live metadata. Its Lifecycle is in days, 0 when the
// table has none (the service says -1).
type Table = warehouse.Table

// Table loads a table's metadata. A missing table gives an error wrapping
// ErrTableNotFound. name is a bare table name.
func (c *Client) Table(ctx context.Context, name string) (*Table, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	op := "load table " + name
	t, err := retry(ctx, c, op, func() (*odps.Table, error) {
		t := c.odps.Table(name)
		return t, t.Load()
	}, nil)
	if err != nil {
		return nil, c.notFound(name, err)
	}
	out := &Table{
		Name:          t.Name(),
		Comment:       t.Comment(),
		Lifecycle:     max(int64(t.LifeCycle()), 0),
		Columns:       columns(t.Schema().Columns),
		PartitionKeys: columns(t.PartitionColumns()),
		Created:       t.CreatedTime(),
	}
	if out.Name == "" {
		out.Name = name
	}
	return out, nil
}

// notFound turns a 404 about a table (not the project) into ErrTableNotFound.
func (c *Client) notFound(table string, err error) error {
	var ae *APIError
	if errors.As(err, &ae) && ae.StatusCode == 404 && !strings.Contains(ae.Message, "ODPS-0420111") {
		return fmt.Errorf("table %s.%s: %w (%s)", c.cfg.Project, table, ErrTableNotFound, ae.Message)
	}
	return err
}

func checkName(name string) error {
	if name == "" || strings.ContainsAny(name, "./`'\" \t\n") {
		return fmt.Errorf("invalid table name %q: want a bare name such as funnel_daily", name)
	}
	return nil
}

// PartitionInfo is a partition's metadata.
type PartitionInfo struct {
	Modified time.Time // when its data last changed
	Bytes    int64
}

// Partition loads a table's partition; nil when it does not exist. spec
// names every partition key, as in SQL: "dt='20210303'" or
// "dt='20210303',hh='01'". A missing table gives an error wrapping
// ErrTableNotFound.
func (c *Client) Partition(ctx context.Context, table, spec string) (*PartitionInfo, error) {
	if err := checkName(table); err != nil {
		return nil, err
	}
	value, err := partitionValue(spec)
	if err != nil {
		return nil, err
	}
	op := fmt.Sprintf("load partition (%s) of table %s", spec, table)
	p := odps.NewPartition(c.odps, c.cfg.Project, c.cfg.Schema, table, value)
	err = do(ctx, c, op, p.Load)
	if err == nil {
		return &PartitionInfo{Modified: p.LastModifiedTime(), Bytes: int64(p.Size())}, nil
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 404 {
		return nil, err
	}
	// 404: the partition or the whole table is missing; tell them apart.
	if _, terr := c.Table(ctx, table); terr != nil {
		return nil, terr
	}
	return nil, nil
}

// PartitionExists reports whether a table has a partition; see Partition.
func (c *Client) PartitionExists(ctx context.Context, table, spec string) (bool, error) {
	p, err := c.Partition(ctx, table, spec)
	return p != nil, err
}

// Partitions counts a table's partitions. A missing table gives an error
// wrapping ErrTableNotFound.
func (c *Client) Partitions(ctx context.Context, table string) (int, error) {
	if err := checkName(table); err != nil {
		return 0, err
	}
	n, err := retry(ctx, c, "list the partitions of table "+table, func() (int, error) {
		// The SDK's list follows the service's markers: every page.
		ps, err := c.odps.Table(table).GetPartitions()
		return len(ps), err
	}, nil)
	if err != nil {
		return 0, c.notFound(table, err)
	}
	return n, nil
}

// partitionValue turns "a='1',b='2'" into the SDK's "a=1/b=2".
func partitionValue(spec string) (string, error) {
	bad := fmt.Errorf("invalid partition spec %q: want key='value'[,key='value'...], e.g. dt='20210303'", spec)
	var parts []string
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		if !ok || k == "" || v == "" || strings.ContainsAny(k, "/='\"` ") || strings.ContainsAny(v, "/='\"`,") {
			return "", bad
		}
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "/"), nil
}

func columns(in []tableschema.Column) []Column {
	out := make([]Column, 0, len(in))
	for _, c := range in {
		typ := ""
		if c.Type != nil {
			typ = c.Type.Name()
		}
		out = append(out, Column{Name: c.Name, Type: typ, Comment: c.Comment})
	}
	return out
}
