package plan

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/fgen-dev/fgen/internal/bizdate"
)

var (
	symbols = map[Action]string{Create: "+", Alter: "~", InSync: " ", Blocked: "!", Recreate: "-/+"}
	labels  = map[Action]string{Create: "create", Alter: "alter", InSync: "in sync", Blocked: "BLOCKED", Recreate: "recreate"}
)

// WriteText prints the plan the way terraform does: a symbol per table
// (+ create, ~ alter, ! blocked, -/+ recreate), then the jobs per day.
func WriteText(w io.Writer, p *Plan) {
	fmt.Fprintf(w, "Target %s (%s)\n\nTables:\n", p.Target, p.where(""))
	for _, t := range p.Tables {
		steps := ""
		if t.Job != nil && len(t.Job.Statements) > 1 && t.Action != InSync {
			steps = fmt.Sprintf(", %d statements", len(t.Job.Statements))
		}
		action := p.ActionOf(&t)
		fmt.Fprintf(w, "%3s %-3s %s  (%s%s)\n", symbols[action], t.Layer, t.Table, labels[action], steps)
		for _, c := range t.Changes {
			fmt.Fprintf(w, "        %s\n", c)
		}
		if action == Recreate {
			fmt.Fprintf(w, "        apply drops the table and its rows, and makes it again: it then holds the days apply writes\n")
		}
		for _, pr := range t.Problems {
			if action == Recreate {
				// What forces the recreate; the fixes, which avoid it,
				// are plan's.
				fmt.Fprintf(w, "        [%s] %s\n", pr.Code, pr.Message)
				continue
			}
			fmt.Fprintf(w, "        [%s] %s\n          fix: %s\n", pr.Code, pr.Message, pr.Fix)
		}
		for _, n := range t.Notes {
			fmt.Fprintf(w, "        note: %s\n", n)
		}
	}
	if len(p.Former) > 0 {
		fmt.Fprintf(w, "\nTables fgen wrote that funnel.toml no longer defines (fgen leaves them and their rows):\n")
		for _, t := range p.Former {
			fmt.Fprintf(w, "    %s  (drop it when no longer needed: DROP TABLE %s;)\n", t, t)
		}
	}
	if len(p.Behind) > 0 {
		fmt.Fprintf(w, "\nDays fgen wrote that apply would write again (a plan of no days plans the tables; '%s' lists the jobs):\n", p.planBehindDays())
		for _, b := range p.Behind {
			fmt.Fprintf(w, "    %s  %s: %s\n", b.Name, bizdate.DayRanges(b.Days), behindWhy[b.Why])
		}
	}
	if t := p.notAppliedText(); t != "" {
		fmt.Fprintf(w, "\nDays loaded that apply has not finished:\n    %s\n", t)
	}
	if len(p.Days) > 0 {
		fmt.Fprintf(w, "\nJobs:\n")
		for _, d := range p.Days {
			switch {
			case d.unchecked && !d.Pending():
				fmt.Fprintf(w, "  = %s  up to date when last written; its upstream partition cannot be checked (below)\n", d.Day)
			case d.unchecked: // the warnings below say why
				fmt.Fprintf(w, "  ! %s  its upstream partition cannot be checked (below); its jobs will not run\n", d.Day)
			case !d.UpstreamReady && !d.Pending():
				// Computed before its input went (a lifecycle, an hour
				// deleted): nothing to run, and nothing apply could.
				fmt.Fprintf(w, "  = %s  up to date, though its upstream partition is missing now: %s\n", d.Day, d.MissingText())
			case !d.UpstreamReady:
				fmt.Fprintf(w, "  ! %s  upstream partition missing: %s; its jobs will not run\n", d.Day, d.MissingText())
				continue
			case !d.Pending():
				fmt.Fprintf(w, "  = %s  up to date\n", d.Day)
			default:
				fmt.Fprintf(w, "  > %s  %s\n", d.Day, strings.Join(jobNames(pendingJobs(d.Jobs), ""), " -> "))
				for _, g := range groupJobs(pendingJobs(d.Jobs)) {
					fmt.Fprintf(w, "      %s: %s%s\n", g.name(), g.reason(), readText(g.readBytes()))
				}
			}
			for _, warn := range d.Warnings {
				fmt.Fprintf(w, "      warning: %s\n", warn)
			}
		}
	}
	fmt.Fprintf(w, "\n%s\n", p.Summary())
}

// Summary is a one-line count of what the plan does.
func (p *Plan) Summary() string {
	n := map[Action]int{}
	for _, t := range p.Tables {
		n[p.ActionOf(&t)]++
	}
	jobs, days, current, waiting := 0, 0, 0, 0
	for _, d := range p.Days {
		switch {
		case !d.UpstreamReady && d.Pending():
			waiting++
		case d.Pending():
			days++
			jobs += len(pendingJobs(d.Jobs))
		default:
			current++
		}
	}
	recreate := ""
	if n[Recreate] > 0 {
		recreate = fmt.Sprintf(", %d to recreate", n[Recreate])
	}
	s := fmt.Sprintf("Plan: %d to create, %d to alter%s, %d in sync, %d blocked", n[Create], n[Alter], recreate, n[InSync], n[Blocked])
	if len(p.Days) > 0 {
		jobsWord, daysWord := "jobs", "days"
		if jobs == 1 {
			jobsWord = "job"
		}
		if len(p.Days) == 1 {
			daysWord = "day"
		}
		s += fmt.Sprintf("; %d %s to run on %d of %d %s, %d up to date", jobs, jobsWord, days, len(p.Days), daysWord, current)
		if waiting > 0 {
			s += fmt.Sprintf(", %d waiting for upstream partitions, which apply skips", waiting)
		}
		if b := p.ReadBytes(); b > 0 {
			s += fmt.Sprintf("; they read %s", FormatBytes(b))
		}
	}
	if n := len(p.behindDays()); n > 0 {
		word := "days"
		if n == 1 {
			word = "day"
		}
		s += fmt.Sprintf("; apply would write %d %s that fgen wrote again", n, word)
	}
	if n := len(p.NotApplied); n > 0 {
		word := "days"
		if n == 1 {
			word = "day"
		}
		s += fmt.Sprintf("; %d %s loaded that apply has not finished", n, word)
	}
	return s + "."
}

// ReadBytes is what the pending jobs of ready days read, as far as known.
func (p *Plan) ReadBytes() int64 {
	var n int64
	for _, d := range p.Days {
		if !d.UpstreamReady {
			continue
		}
		for _, j := range pendingJobs(d.Jobs) {
			n += max(j.ReadBytes, 0)
		}
	}
	return n
}

// pendingJobs returns the jobs that are pending.
func pendingJobs(jobs []*Job) []*Job {
	var out []*Job
	for _, j := range jobs {
		if j.Pending {
			out = append(out, j)
		}
	}
	return out
}

// readText says how much a job reads, when known.
func readText(n int64) string {
	if n < 0 {
		return ""
	}
	return "; reads " + FormatBytes(n)
}

// FormatBytes writes a size in bytes with a binary unit, e.g. "1.3 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// where is the target's engine, and where its tables are when the plan
// knows, between quote marks: "maxcompute: project P at ENDPOINT".
func (p *Plan) where(quote string) string {
	if p.Location == "" {
		return p.Engine
	}
	return p.Engine + ": " + quote + p.Location + quote
}

// WriteMarkdown prints the plan as a pull-request comment: a summary table
// and the SQL in collapsible blocks.
func WriteMarkdown(w io.Writer, p *Plan) {
	fmt.Fprintf(w, "### fgen plan: target `%s` (%s)\n\n%s\n\n", p.Target, p.where("`"), p.Summary())
	fmt.Fprintf(w, "| | layer | table | action | details |\n|---|---|---|---|---|\n")
	for _, t := range p.Tables {
		details := strings.Join(t.Changes, "; ")
		for _, pr := range t.Problems {
			if details != "" {
				details += "; "
			}
			details += fmt.Sprintf("**%s**: %s (fix: %s)", pr.Code, pr.Message, pr.Fix)
		}
		action := p.ActionOf(&t)
		fmt.Fprintf(w, "| %s | %s | `%s` | %s | %s |\n", strings.TrimSpace(symbols[action]), t.Layer, t.Table, action, mdCell(details))
	}
	if len(p.Former) > 0 {
		fmt.Fprintf(w, "\nTables fgen wrote that funnel.toml no longer defines, which fgen leaves with their rows: `%s`.\n", strings.Join(p.Former, "`, `"))
	}
	if len(p.Behind) > 0 {
		fmt.Fprintf(w, "\nDays fgen wrote that apply would write again (`%s` lists the jobs):\n\n", p.planBehindDays())
		for _, b := range p.Behind {
			fmt.Fprintf(w, "- `%s` %s: %s\n", b.Name, bizdate.DayRanges(b.Days), behindWhy[b.Why])
		}
	}
	if t := p.notAppliedText(); t != "" {
		fmt.Fprintf(w, "\nDays loaded that apply has not finished: %s.\n", t)
	}
	for _, t := range p.Tables {
		if t.SQL == "" {
			continue
		}
		writeSQLDetails(w, string(p.ActionOf(&t)), t.Table, t.SQL)
	}
	if len(p.Days) > 0 {
		fmt.Fprintf(w, "\n| day | upstream | jobs |\n|---|---|---|\n")
		for _, d := range p.Days {
			up := "ready"
			if !d.UpstreamReady {
				up = "missing: " + d.MissingText()
			}
			if len(d.Warnings) > 0 {
				up += "; " + mdCell(strings.Join(d.Warnings, "; "))
			}
			jobs := "up to date"
			if d.Pending() {
				jobs = strings.Join(jobNames(pendingJobs(d.Jobs), "`"), " → ")
			}
			fmt.Fprintf(w, "| %s | %s | %s |\n", d.Day, up, jobs)
		}
		for _, d := range p.Days {
			for _, j := range pendingJobs(d.Jobs) {
				writeSQLDetails(w, d.Day, j.Name, j.Text())
			}
		}
	}
}

// jobNames returns the names of jobs, each between two quotes; the jobs of
// an hourly node's hours once, with the hours: "dw_events (hours 00-23)".
func jobNames(jobs []*Job, quote string) []string {
	var names []string
	for _, g := range groupJobs(jobs) {
		name := quote + g[0].Name + quote
		if g[0].Hour != "" {
			name += " (" + g.hours() + ")"
		}
		names = append(names, name)
	}
	return names
}

// jobGroup is one daily job, or the jobs of consecutive hours of one
// hourly node pending for the same reason.
type jobGroup []*Job

// groupJobs groups consecutive jobs of one hourly node pending for the same
// reason (Why, and DataWhy beside a table's change), so that 24 hours read
// as one line.
func groupJobs(jobs []*Job) []jobGroup {
	var out []jobGroup
	for _, j := range jobs {
		if n := len(out); n > 0 && j.Hour != "" {
			last := out[n-1]
			if last[0].Hour != "" && last[0].Name == j.Name && last[0].Why == j.Why && last[0].DataWhy == j.DataWhy {
				out[n-1] = append(last, j)
				continue
			}
		}
		out = append(out, jobGroup{j})
	}
	return out
}

// hours says which hours the group's jobs compute: "hour 07", "hours 00-23".
func (g jobGroup) hours() string {
	hs := make([]string, len(g))
	for i, j := range g {
		hs[i] = j.Hour
	}
	if len(hs) == 1 {
		return "hour " + hs[0]
	}
	return "hours " + bizdate.HourRanges(hs)
}

// name is the node of the group, with its hours for an hourly node.
func (g jobGroup) name() string {
	if g[0].Hour == "" {
		return g[0].Name
	}
	return g[0].Name + " " + g.hours()
}

// reason says why the group's jobs are pending: the reason they all give
// ("its table is to be created"), or the first one's and how many more
// hours share its kind of reason (each its own partition).
func (g jobGroup) reason() string {
	if !slices.ContainsFunc(g, func(j *Job) bool { return j.Reason != g[0].Reason }) {
		return g[0].Reason
	}
	if len(g) == 2 {
		return g[0].Reason + "; likewise for the other hour"
	}
	return fmt.Sprintf("%s; likewise for the %d other hours", g[0].Reason, len(g)-1)
}

// readBytes is what the group's jobs read, -1 when unknown.
func (g jobGroup) readBytes() int64 {
	var n int64
	for _, j := range g {
		if j.ReadBytes < 0 {
			return -1
		}
		n += j.ReadBytes
	}
	return n
}

// writeSQLDetails writes sql as a collapsible block headed by what (an
// action or a day) and the table or node name.
func writeSQLDetails(w io.Writer, what, name, sql string) {
	fmt.Fprintf(w, "\n<details><summary>%s <code>%s</code></summary>\n\n```sql\n%s\n```\n\n</details>\n", what, name, strings.TrimRight(sql, "\n"))
}

func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// JSON is the plan as its JSON form shows it (fgen plan --format json adds
// format_version and command):
//
// A table's lists are always there, [] when empty, and its sql, "" for
// none; so are a day's.
//
//	{"target": "...", "engine": "duckdb|maxcompute", "location": "...", "has_changes": bool, "blocked": bool,
//	 "read_bytes": n,
//	 "tables": [{"table", "layer", "action": "create|alter|in_sync|blocked|recreate",
//	             "changes": [...], "problems": [{"code", "column", "message", "fix", "refused"}],
//	             "notes": [...], "sql"}],
//	 "former_tables": [...],
//	 "days_behind": [{"name", "why": "missing|sql_changed|stale_input|changed_outside", "days": [...]}],
//	 "days_not_applied": [...],
//	 "days": [{"day", "pending", "upstream_ready", "missing_partitions": [...], "warnings": [...],
//	           "jobs": [{"name", "kind", "day", "hour", "pending", "why", "reason", "read_bytes", "sql"}]}]}
//
// "hour" (00 to 23) is set on the jobs of hourly nodes, one per hour of the
// day; "missing_partitions" then lists each missing hour partition of an
// hourly ODS table, as "table/dt=day/hh=hour". "blocked" says apply refuses
// the plan; of an apply given --allow-destructive (AllowDestructive), only
// for a change fgen never makes, and the tables it recreates are "recreate".
func (p *Plan) JSON() any {
	type job struct {
		Name      string `json:"name"`
		Kind      string `json:"kind"`
		Day       string `json:"day"`
		Hour      string `json:"hour,omitempty"`
		Pending   bool   `json:"pending"`
		Why       string `json:"why,omitempty"`
		Reason    string `json:"reason,omitempty"`
		ReadBytes *int64 `json:"read_bytes,omitempty"`
		SQL       string `json:"sql"`
	}
	type day struct {
		Day           string   `json:"day"`
		Pending       bool     `json:"pending"`
		UpstreamReady bool     `json:"upstream_ready"`
		Missing       []string `json:"missing_partitions"`
		Warnings      []string `json:"warnings"`
		Jobs          []job    `json:"jobs"`
	}
	out := struct {
		Target     string        `json:"target"`
		Engine     string        `json:"engine"`
		Location   string        `json:"location"`
		HasChanges bool          `json:"has_changes"`
		Blocked    bool          `json:"blocked"`
		ReadBytes  int64         `json:"read_bytes"`
		Tables     []TableChange `json:"tables"`
		Former     []string      `json:"former_tables"`
		Behind     []Behind      `json:"days_behind"`
		NotApplied []string      `json:"days_not_applied"`
		Days       []day         `json:"days"`
	}{p.Target, p.Engine, p.Location, p.HasChanges(), p.blocksApply(), p.ReadBytes(), []TableChange{}, nonNil(p.Former), nonNil(p.Behind), nonNil(p.NotApplied), []day{}}
	// Every key is there, [] or "" when empty: a script iterates without
	// guarding against null.
	for _, t := range p.Tables {
		t.Action = p.ActionOf(&t)
		t.Changes, t.Notes = nonNil(t.Changes), nonNil(t.Notes)
		t.Problems = nonNil(t.Problems)
		out.Tables = append(out.Tables, t)
	}
	for _, d := range p.Days {
		jd := day{Day: d.Day, Pending: d.Pending(), UpstreamReady: d.UpstreamReady, Missing: nonNil(d.Missing), Warnings: nonNil(d.Warnings), Jobs: []job{}}
		for _, j := range d.Jobs {
			jj := job{Name: j.Name, Kind: j.Kind, Day: j.Day, Hour: j.Hour, Pending: j.Pending, Why: j.Why, Reason: j.Reason, SQL: j.Text()}
			if j.ReadBytes >= 0 {
				jj.ReadBytes = &j.ReadBytes
			}
			jd.Jobs = append(jd.Jobs, jj)
		}
		out.Days = append(out.Days, jd)
	}
	return out
}

// nonNil returns s, or an empty slice for nil, so that JSON shows [] and not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
