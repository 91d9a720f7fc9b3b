//go:build cgo

// Package bench holds what fgen's benchmarks of its local engine on
// embedded DuckDB share: sample generation, loading files, and the daily DW
// and RPT nodes, against a bare DuckDB "SELECT event, count(*) ... GROUP BY
// event" over the same rows. The benchmarks are internal/e2e's (bench_*_test.go,
// beside the end-to-end tests, so that one test binary links DuckDB for both);
// they run only with -bench (they build databases of up to 10 M events):
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 1h ./internal/e2e
//
// scripts/bench.sh runs the same steps end to end through the fgen binary
// and adds peak memory; the cmd/nodetimes helper it uses times the nodes and
// the bare counts on the database fgen wrote. Results are in BENCHMARKS.md.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/internal/duckdb"
	"github.com/fgen-dev/fgen/internal/ingest"
	"github.com/fgen-dev/fgen/internal/plan"
	"github.com/fgen-dev/fgen/internal/sample"
	"github.com/fgen-dev/fgen/internal/warehouse"
	"github.com/fgen-dev/fgen/models"
	"github.com/fgen-dev/fgen/templates"
)

// EventsPerUser is how many events 'fgen sample' makes per user and day with
// the default noise and the seed's three stages (8,858,818 events for
// 1,000,000 users with seed 1).
const EventsPerUser = 8.858818

// UsersFor returns the --users that give about events events a day.
func UsersFor(events int) int {
	return max(1, int(math.Round(float64(events)/EventsPerUser)))
}

// Nodes are a funnel.toml's DW node and first RPT node for one day, in the
// DuckDB dialect, with the scheduling parameters bound.
type Nodes struct {
	Config  *models.Config
	Project *generator.Project
	Day     string
	DW, RPT *warehouse.Job
	Reports map[string]*warehouse.Job // every RPT node, by funnel name
}

// Render renders cfg for DuckDB and binds day into its nodes: the first DW
// and RPT node, and every RPT node by funnel.
func Render(cfg *models.Config, day string) (*Nodes, error) {
	p, err := generator.Render(cfg, templates.FS(), generator.DuckDB)
	if err != nil {
		return nil, err
	}
	n := &Nodes{Config: cfg, Project: p, Day: day, Reports: map[string]*warehouse.Job{}}
	for i := range p.Nodes {
		node := &p.Nodes[i]
		s, err := p.NodeScript(node, day)
		if err != nil {
			return nil, err
		}
		out, _ := p.Table(node.Name)
		job := &warehouse.Job{Name: node.Name, Kind: "node", Day: day, Partition: out.Partition, Statements: s.Statements}
		if node.Layer == "RPT" {
			n.Reports[node.Funnel] = job
		}
		switch {
		case node.Layer == "DW" && n.DW == nil:
			n.DW = job
		case node.Layer == "RPT" && n.RPT == nil:
			n.RPT = job
		}
	}
	if n.DW == nil || n.RPT == nil {
		return nil, fmt.Errorf("the config has no DW or no RPT node")
	}
	return n, nil
}

// CreateTables creates the project's tables that are missing, as 'fgen
// apply' does.
func (n *Nodes) CreateTables(ctx context.Context, db *duckdb.DB) error {
	p, err := plan.Build(ctx, db, plan.Input{Target: "bench", Config: n.Config, Project: n.Project})
	if err != nil {
		return err
	}
	_, err = plan.Apply(ctx, db, p, plan.ApplyOptions{})
	return err
}

// LoadSample replaces the day's ODS partition with the sample events of
// users users, as 'fgen sample --load' does, and returns the number of events.
func (n *Nodes) LoadSample(ctx context.Context, db *duckdb.DB, users int) (int64, error) {
	ods := n.Config.ODS
	so := n.SampleOptions(users)
	rows, _, _, err := db.ReplacePartitions(ctx, ods.Name, ods.Partition, []string{n.Day}, so.ExpectedRows(), func(conn *sql.Conn) (int64, error) {
		return ingest.AppendSample(ctx, conn, ods.Name, ods.Partition, so)
	}, nil)
	return rows, err
}

// SampleOptions are the options 'fgen sample' makes the events of users
// users on the day with: seed 1, noise, and the first funnel's stages.
func (n *Nodes) SampleOptions(users int) sample.Options {
	return sample.Options{Users: users, Days: 1, Start: n.Day, Seed: 1, Stages: n.Config.Funnels[0].StageEventSets(), Noise: true}
}

// CTAS returns the bare DuckDB statement the DW node is compared with: a
// CREATE TABLE table AS SELECT of the DW columns and the day's rows the DW
// node keeps, in the order the node writes them (its ORDER BY, when it has
// one), without the dedup: the DW node with dedup_by removed, its INSERT
// turned into a CREATE TABLE AS. Where the day has copies of a dedup key,
// the CTAS writes them too (more rows than the node).
func (n *Nodes) CTAS(table string) (string, error) {
	cfg := *n.Config
	cfg.DW.DedupBy = nil
	plain, err := Render(&cfg, n.Day)
	if err != nil {
		return "", err
	}
	for _, st := range plain.DW.Statements {
		head, body, ok := strings.Cut(st, "\n")
		if ok && strings.HasPrefix(head, "INSERT INTO ") {
			return "CREATE TABLE " + generator.DuckDB.QuoteIdent(table) + " AS\n" + strings.TrimSuffix(strings.TrimSpace(body), ";"), nil
		}
	}
	return "", fmt.Errorf("the DW node has no INSERT statement")
}

// BareODS and BareDW are the bare DuckDB queries the nodes are compared with:
// rows per event value in the day's partition of the ODS or the DW table.
func (n *Nodes) BareODS() string { return n.bare(n.Config.ODS.Name, n.Config.ODS.Partition) }

// BareDW: see BareODS.
func (n *Nodes) BareDW() string { return n.bare(n.Config.DW.Name, n.Config.DW.Partition) }

func (n *Nodes) bare(table, partition string) string {
	ev := generator.DuckDB.QuoteIdent(n.Config.Funnels[0].EventColumn)
	return fmt.Sprintf("SELECT %s, count(*) FROM %s WHERE %s = '%s' GROUP BY %s",
		ev, generator.DuckDB.QuoteIdent(table), generator.DuckDB.QuoteIdent(partition), n.Day, ev)
}

// Count runs a query and reads every row; it returns the sum of the second
// column (the rows counted) and how long it took.
func Count(ctx context.Context, db *duckdb.DB, query string) (int64, time.Duration, error) {
	start := time.Now()
	var total int64
	err := db.Update(ctx, func(tx *duckdb.Tx) error {
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var ev any
			var c int64
			if err := rows.Scan(&ev, &c); err != nil {
				return err
			}
			total += c
		}
		return rows.Err()
	})
	if err != nil {
		return 0, 0, err
	}
	return total, time.Since(start), nil
}

// Exec runs a statement on db, in a transaction of its own.
func Exec(ctx context.Context, db *duckdb.DB, query string) error {
	return db.Update(ctx, func(tx *duckdb.Tx) error {
		_, err := tx.Exec(ctx, query)
		return err
	})
}

// QueryRow runs a query of one row on db and scans the row into dest.
func QueryRow(ctx context.Context, db *duckdb.DB, query string, dest ...any) error {
	return db.Update(ctx, func(tx *duckdb.Tx) error { return tx.QueryRow(ctx, query, nil, dest...) })
}

// Run runs a node and returns how long it took.
func Run(ctx context.Context, db *duckdb.DB, job *warehouse.Job) (time.Duration, error) {
	start := time.Now()
	err := db.Run(ctx, job, nil)
	return time.Since(start), err
}

// Stats are the best and the median of repeated timings.
type Stats struct {
	Best, Median time.Duration
	Runs         int
}

// Summarize returns the best and the median of ds.
func Summarize(ds []time.Duration) Stats {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return Stats{}
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return Stats{Best: s[0], Median: med, Runs: len(s)}
}

func (s Stats) String() string {
	return fmt.Sprintf("best %.3fs, median %.3fs of %d", s.Best.Seconds(), s.Median.Seconds(), s.Runs)
}

// OpenLocal opens the local DuckDB target of the funnel.toml at config (its
// default target, which must be local) and renders its nodes for day, as
// the helper commands in cmd/ need.
func OpenLocal(config, day string) (*Nodes, *duckdb.DB, error) {
	cfg, err := models.Load(config)
	if err != nil {
		return nil, nil, err
	}
	_, t, err := cfg.Target("")
	if err != nil {
		return nil, nil, err
	}
	path := t.Path
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(config), path)
	}
	n, err := Render(cfg, day)
	if err != nil {
		return nil, nil, err
	}
	db, err := duckdb.Open(duckdb.Options{Path: path, Threads: t.Threads, MemoryLimit: t.MemoryLimit})
	if err != nil {
		return nil, nil, err
	}
	return n, db, nil
}

// NativeLoad loads file, JSON lines (.jsonl), CSV (.csv, with a header) or
// Parquet (.parquet) with the ODS columns plus the partition column, into
// the day's ODS partition with DuckDB's own reader for the format, as
// 'fgen load --bizdate' is measured against: in one transaction it deletes
// the partition's rows and inserts the file's rows by name, the text formats
// read with the table's column types given. unordered: with
// preserve_insertion_order = false, as fgen load (duckdb.Tx.Unordered). It
// returns the rows inserted.
func (n *Nodes) NativeLoad(ctx context.Context, db *duckdb.DB, file string, unordered bool) (int64, error) {
	src, err := n.NativeSource(file)
	if err != nil {
		return 0, err
	}
	ods := n.Config.ODS
	var rows int64
	err = db.Update(ctx, func(tx *duckdb.Tx) error {
		if unordered {
			if err := tx.Unordered(ctx); err != nil {
				return err
			}
		}
		if err := tx.ClearPartitions(ctx, ods.Name, ods.Partition, []string{n.Day}); err != nil {
			return err
		}
		var err error
		rows, err = tx.Exec(ctx, fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM %s", generator.DuckDB.QuoteIdent(ods.Name), src))
		return err
	})
	return rows, err
}

// NativeSource is the DuckDB table function NativeLoad reads file with.
func (n *Nodes) NativeSource(file string) (string, error) {
	ods := n.Config.ODS
	var cols []string
	for _, c := range ods.Columns {
		cols = append(cols, fmt.Sprintf("%s: '%s'", sqlString(c.Name), generator.DuckDB.ColumnType(c.Type)))
	}
	cols = append(cols, sqlString(ods.Partition)+": 'VARCHAR'")
	columns := "{" + strings.Join(cols, ", ") + "}"
	switch strings.ToLower(filepath.Ext(file)) {
	case ".csv":
		return fmt.Sprintf("read_csv(%s, header = true, columns = %s)", sqlString(file), columns), nil
	case ".jsonl", ".ndjson", ".json":
		return fmt.Sprintf("read_json(%s, format = 'newline_delimited', columns = %s)", sqlString(file), columns), nil
	case ".parquet":
		return fmt.Sprintf("read_parquet(%s)", sqlString(file)), nil
	}
	return "", fmt.Errorf("%s: unknown file type; use .jsonl, .csv or .parquet", file)
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
