// Package chpeer compares fgen's ordered funnel with a peer: ClickHouse's
// windowFunnel, when a ClickHouse server is at hand. docs FUNNELS.md defines
// the ordered funnel as exactly windowFunnel(W)(ts, stage = 1, ...) in its
// default mode with ties ordered by stage; internal/e2e's tests load the
// same rows into fgen's local engine and into ClickHouse and require equal
// counts, and the benchmarks in internal/e2e time both.
//
// ClickHouse 18.16 (Debian 12's clickhouse-server package) orders events of
// equal timestamps by input order and takes only UInt32 or DateTime times, so
// the queries here compare with the time ts' = (ts - base) * 8 + stage and
// the window W * 8 + 7: for a chain of m <= 8 stages, ts'(last) - ts'(first)
// = 8 (ts(last) - ts(first)) + m - 1, which is at most 8 W + 7 exactly when
// ts(last) - ts(first) <= W, and sorting by ts' sorts by (ts, stage).
//
// The package talks to ClickHouse through clickhouse-client, so it needs no
// driver; scripts/clickhouse.sh starts a private server.
package chpeer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// MaxStages is the most stages the ts' encoding supports (the stage fits in
// the 3 bits below the time).
const MaxStages = 7

// Client runs queries on a ClickHouse server with clickhouse-client.
type Client struct {
	Host string
	Port int
}

// FromEnv returns a client for 127.0.0.1 on $FGEN_CLICKHOUSE_PORT (default
// 9000), the server scripts/clickhouse.sh starts.
func FromEnv() (*Client, error) {
	c := &Client{Host: "127.0.0.1", Port: 9000}
	if p := os.Getenv("FGEN_CLICKHOUSE_PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return nil, fmt.Errorf("FGEN_CLICKHOUSE_PORT=%q: want a port number", p)
		}
		c.Port = n
	}
	return c, nil
}

func (c *Client) String() string { return fmt.Sprintf("%s:%d", c.Host, c.Port) }

// Query runs one statement, with input (when not nil) as its data, and
// returns its output: TabSeparated rows for a SELECT.
func (c *Client) Query(ctx context.Context, query string, input io.Reader) (string, error) {
	cmd := exec.CommandContext(ctx, "clickhouse-client", "--host", c.Host, "--port", strconv.Itoa(c.Port), "--query", query)
	cmd.Stdin = input
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("clickhouse-client on %s: %s: %s", c, firstLine(query), msg)
	}
	return out.String(), nil
}

// DropTable drops table if it exists.
func (c *Client) DropTable(ctx context.Context, table string) error {
	_, err := c.Query(ctx, "DROP TABLE IF EXISTS "+ident(table), nil)
	return err
}

// Timed runs a query and returns its output and the query time
// clickhouse-client measures (--time), which leaves out starting the client.
func (c *Client) Timed(ctx context.Context, query string) (string, time.Duration, error) {
	cmd := exec.CommandContext(ctx, "clickhouse-client", "--host", c.Host, "--port", strconv.Itoa(c.Port), "--time", "--query", query)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return "", 0, fmt.Errorf("clickhouse-client on %s: %s: %s", c, firstLine(query), strings.TrimSpace(stderr.String()))
	}
	lines := strings.Fields(stderr.String())
	if len(lines) == 0 {
		return "", 0, fmt.Errorf("clickhouse-client --time printed no time")
	}
	secs, err := strconv.ParseFloat(lines[len(lines)-1], 64)
	if err != nil {
		return "", 0, fmt.Errorf("clickhouse-client --time: %q: %w", stderr.String(), err)
	}
	return out.String(), time.Duration(secs * float64(time.Second)), nil
}

// Version returns the server's version, or an error when none answers.
func (c *Client) Version(ctx context.Context) (string, error) {
	out, err := c.Query(ctx, "SELECT version()", nil)
	return strings.TrimSpace(out), err
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " ..."
	}
	return s
}

// Funnel is what WindowFunnelSQL counts: the rows of a table whose event
// column holds one of each stage's events.
type Funnel struct {
	Table  string     // with columns Partition, User, Event (String) and Time (Int64, epoch seconds)
	Day    string     // the partition value of the day
	Next   string     // cross_midnight: the next day's partition value, whose stage-1 rows do not count; "" otherwise
	Base   int64      // at most every time counted: ts' = (ts - Base) * 8 + stage must fit in a UInt32
	Window int64      // seconds
	Stages [][]string // the event values of each stage, in order

	Partition, User, Event, Time string
}

// WindowFunnelSQL returns a query whose one row holds, per stage k, the
// number of users whose windowFunnel level is at least k.
func WindowFunnelSQL(f Funnel) (string, error) {
	rows, err := rowsSQL(f)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf(`SELECT %s
FROM (
    SELECT windowFunnel(%d)(toUInt32((ts - %d) * 8 + stage), %s) AS level
    %s
    GROUP BY uid
)`, countsList(f), f.Window*8+7, f.Base, condList(f), rows), nil
}

// rowsSQL is the FROM and WHERE of the funnel's rows: uid, ts and stage
// (1-based) of the day's rows of some stage.
func rowsSQL(f Funnel) (string, error) {
	if n := len(f.Stages); n < 1 || n > MaxStages {
		return "", fmt.Errorf("%d stages: the comparison supports 1 to %d", n, MaxStages)
	}
	var stage strings.Builder
	stage.WriteString("multiIf(")
	for k, events := range f.Stages {
		fmt.Fprintf(&stage, "%s IN (%s), %d, ", ident(f.Event), literals(events), k+1)
	}
	stage.WriteString("0)")
	where := fmt.Sprintf("%s = %s", ident(f.Partition), literal(f.Day))
	if f.Next != "" {
		where = fmt.Sprintf("(%s OR (%s = %s AND stage > 1))", where, ident(f.Partition), literal(f.Next))
	}
	return fmt.Sprintf(`FROM (
        SELECT %s AS uid, %s AS ts, %s AS stage, %s
        FROM %s
    )
    WHERE stage > 0 AND %s`, ident(f.User), ident(f.Time), stage.String(), ident(f.Partition), ident(f.Table), where), nil
}

func condList(f Funnel) string {
	var conds []string
	for k := range f.Stages {
		conds = append(conds, fmt.Sprintf("stage = %d", k+1))
	}
	return strings.Join(conds, ", ")
}

func countsList(f Funnel) string {
	var counts []string
	for k := range f.Stages {
		counts = append(counts, fmt.Sprintf("countIf(level >= %d)", k+1))
	}
	return strings.Join(counts, ", ")
}

// Counts runs the query of WindowFunnelSQL and returns the users per stage.
func (c *Client) Counts(ctx context.Context, f Funnel) ([]int64, error) {
	q, err := WindowFunnelSQL(f)
	if err != nil {
		return nil, err
	}
	out, err := c.Query(ctx, q, nil)
	if err != nil {
		return nil, err
	}
	return ParseCounts(out, len(f.Stages))
}

// ParseCounts reads the one row of per-stage counts the windowFunnel queries
// return.
func ParseCounts(out string, stages int) ([]int64, error) {
	fields := strings.Fields(out)
	if len(fields) != stages {
		return nil, fmt.Errorf("windowFunnel: got %q, want %d counts", out, stages)
	}
	counts := make([]int64, len(fields))
	for i, s := range fields {
		var err error
		if counts[i], err = strconv.ParseInt(s, 10, 64); err != nil {
			return nil, fmt.Errorf("windowFunnel: count %q: %w", s, err)
		}
	}
	return counts, nil
}

// Prepare (re)creates table with the funnel's rows already in windowFunnel's
// terms, (uid String, t UInt32, stage UInt8) with t = ts', sorted by (uid, t):
// the layout a ClickHouse user would build for funnels, which leaves the
// query no string comparisons and no arithmetic.
func (c *Client) Prepare(ctx context.Context, f Funnel, table string) error {
	rows, err := rowsSQL(f)
	if err != nil {
		return err
	}
	if err := c.DropTable(ctx, table); err != nil {
		return err
	}
	_, err = c.Query(ctx, fmt.Sprintf("CREATE TABLE %s ENGINE = MergeTree() ORDER BY (uid, t) AS\nSELECT uid, toUInt32((ts - %d) * 8 + stage) AS t, toUInt8(stage) AS stage\n%s",
		ident(table), f.Base, rows), nil)
	return err
}

// PreparedSQL is WindowFunnelSQL over a table made by Prepare.
func PreparedSQL(f Funnel, table string) string {
	return fmt.Sprintf("SELECT %s FROM (SELECT windowFunnel(%d)(t, %s) AS level FROM %s GROUP BY uid)",
		countsList(f), f.Window*8+7, condList(f), ident(table))
}

// CreateEventsTable (re)creates a MergeTree table for the rows the funnel
// reads, one partition per day: sorted by user and time when sorted is true
// (the layout a ClickHouse user would choose for funnels), else kept in
// insertion order (ORDER BY tuple()), as fgen's DuckDB tables are.
func (c *Client) CreateEventsTable(ctx context.Context, f Funnel, sorted bool) error {
	if err := c.DropTable(ctx, f.Table); err != nil {
		return err
	}
	order := "tuple()"
	if sorted {
		order = fmt.Sprintf("(%s, %s)", ident(f.User), ident(f.Time))
	}
	_, err := c.Query(ctx, fmt.Sprintf("CREATE TABLE %s (%s String, %s String, %s String, %s Int64) ENGINE = MergeTree() PARTITION BY %s ORDER BY %s",
		ident(f.Table), ident(f.Partition), ident(f.User), ident(f.Event), ident(f.Time), ident(f.Partition), order), nil)
	return err
}

// InsertCSV inserts CSV rows (RFC 4180 quoting, no header) in the table's
// column order.
func (c *Client) InsertCSV(ctx context.Context, table string, csv io.Reader) error {
	_, err := c.Query(ctx, "INSERT INTO "+ident(table)+" FORMAT CSV", csv)
	return err
}

// ident quotes a ClickHouse identifier.
func ident(name string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(name) + "`"
}

// literal quotes a ClickHouse string literal.
func literal(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func literals(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = literal(s)
	}
	return strings.Join(out, ", ")
}

// Peer is a ClickHouse server for a test or benchmark.
type Peer struct {
	*Client
	Version string
	stop    func() error // nil when the server was already running
}

// Connect finds a ClickHouse server for a test or benchmark. It uses the one
// that answers on FGEN_CLICKHOUSE_PORT (default 9000); when none does and
// FGEN_CLICKHOUSE=1, it starts a private one in dir on a free port with
// script (scripts/clickhouse.sh), which Close stops. Without a server and
// without FGEN_CLICKHOUSE=1, or with FGEN_CLICKHOUSE=0 (even when a server
// answers), it returns a nil Peer and the reason to skip.
func Connect(ctx context.Context, script, dir string) (*Peer, string, error) {
	if os.Getenv("FGEN_CLICKHOUSE") == "0" {
		return nil, "FGEN_CLICKHOUSE=0", nil
	}
	c, err := FromEnv()
	if err != nil {
		return nil, "", err
	}
	if _, err := exec.LookPath("clickhouse-client"); err != nil {
		if os.Getenv("FGEN_CLICKHOUSE") == "1" {
			return nil, "", fmt.Errorf("FGEN_CLICKHOUSE=1 but clickhouse-client is not on PATH; install it with: apt-get install -y clickhouse-server clickhouse-client")
		}
		return nil, "clickhouse-client is not on PATH: the comparison with ClickHouse's windowFunnel needs ClickHouse (apt-get install -y clickhouse-server clickhouse-client, then FGEN_CLICKHOUSE=1)", nil
	}
	if v, err := c.Version(ctx); err == nil {
		return &Peer{Client: c, Version: v}, "", nil
	}
	if os.Getenv("FGEN_CLICKHOUSE") != "1" {
		return nil, fmt.Sprintf("no ClickHouse server answers on %s: set FGEN_CLICKHOUSE=1 to start one for the test, or start one with scripts/clickhouse.sh start", c), nil
	}
	port, err := freePort()
	if err != nil {
		return nil, "", err
	}
	c = &Client{Host: "127.0.0.1", Port: port}
	env := append(os.Environ(), "FGEN_CLICKHOUSE_PORT="+strconv.Itoa(port), "FGEN_CLICKHOUSE_DIR="+dir)
	run := func(ctx context.Context, arg string) error {
		cmd := exec.CommandContext(ctx, script, arg)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s: %v\n%s", script, arg, err, out)
		}
		return nil
	}
	stop := func() error { return run(context.Background(), "stop") }
	if err := run(ctx, "start"); err != nil {
		stop()
		return nil, "", err
	}
	v, err := c.Version(ctx)
	if err != nil {
		stop()
		return nil, "", err
	}
	return &Peer{Client: c, Version: v, stop: stop}, "", nil
}

// Close stops the server if Connect started it.
func (p *Peer) Close() error {
	if p == nil || p.stop == nil {
		return nil
	}
	return p.stop()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
