package generator

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fgen-dev/fgen/models"
)

// dataworksValue evaluates a scheduling parameter's value as DataWorks does
// for an instance scheduled at cyctime
// (https://www.alibabacloud.com/help/en/dataworks/user-guide/supported-formats-of-scheduling-parameters):
// $bizdate is the day before cyctime's day, yyyymmdd; $[format] is cyctime
// written in format (yyyy, mm, dd, hh24, mi, ss), $[format-N] N days
// earlier and $[format-N/24] N hours earlier. A value of another form is
// an error, so that a parameter fgen starts writing is added here first.
func dataworksValue(value string, cyctime time.Time) (string, error) {
	if value == "$bizdate" {
		return cyctime.AddDate(0, 0, -1).Format("20060102"), nil
	}
	m := bracketRE.FindStringSubmatch(value)
	if m == nil {
		return "", fmt.Errorf("value %q: not $bizdate nor $[format-offset]", value)
	}
	at := cyctime
	if m[2] != "" {
		n, _ := strconv.Atoi(m[3])
		if m[2] == "+" {
			n = -n
		}
		if m[4] != "" {
			at = at.Add(-time.Duration(n) * time.Hour)
		} else {
			at = at.AddDate(0, 0, -n)
		}
	}
	layout := strings.NewReplacer("yyyy", "2006", "mm", "01", "dd", "02", "hh24", "15", "mi", "04", "ss", "05").Replace(m[1])
	if strings.ContainsAny(layout, "abcdefghijklmnopqrstuvwxyz") {
		return "", fmt.Errorf("value %q: unknown letters in the format %q", value, m[1])
	}
	return at.Format(layout), nil
}

var bracketRE = regexp.MustCompile(`^\$\[([a-z0-9]+)(?:([-+])([0-9]+)(/24)?)?\]$`)

func TestDataWorksValue(t *testing.T) {
	at := time.Date(2024, 3, 1, 0, 15, 0, 0, time.UTC)
	for _, tc := range []struct{ value, want string }{
		{"$bizdate", "20240229"},
		{"$[yyyymmdd]", "20240301"},
		{"$[yyyymmdd-1]", "20240229"},
		{"$[yyyymmdd-2]", "20240228"},
		{"$[yyyymmdd-1/24]", "20240229"},
		{"$[hh24-1/24]", "23"},
		{"$[hh24]", "00"},
		{"$[yyyymmddhh24miss]", "20240301001500"},
	} {
		got, err := dataworksValue(tc.value, at)
		if err != nil || got != tc.want {
			t.Errorf("%s at %s = %q, %v; want %q", tc.value, at, got, err, tc.want)
		}
	}
	for _, bad := range []string{"${yyyymmdd}", "$[yyyymmdd-1/12]", "$[yyyy-mm-dd]", "$[week]", "bizdate"} {
		if got, err := dataworksValue(bad, at); err == nil {
			t.Errorf("%s = %q, want an error", bad, got)
		}
	}
}

// dataworksRun is the code of node n as DataWorks runs its instance
// scheduled at cyctime: each ${name} replaced by the value its parameter
// takes then (${bdp.system.bizdate} by the day before cyctime's day).
func dataworksRun(n *readNode, cyctime time.Time) (string, error) {
	var err error
	code := placeholderRE.ReplaceAllStringFunc(n.Code, func(ph string) string {
		name := ph[2 : len(ph)-1]
		if name == "bdp.system.bizdate" {
			return cyctime.AddDate(0, 0, -1).Format("20060102")
		}
		value, ok := n.Assigned(name)
		if !ok {
			err = fmt.Errorf("%s is not assigned", ph)
			return ph
		}
		v, e := dataworksValue(value, cyctime)
		if e != nil {
			err = e
		}
		return v
	})
	return code, err
}

// cronTimes returns when a cron that fires at fixed seconds and minutes
// (every daily cron and hourly_cron of the golden configs) fires on day:
// the hours its hour field names.
func cronTimes(t *testing.T, cron string, day time.Time) []time.Time {
	t.Helper()
	f := strings.Fields(cron)
	sec, err1 := strconv.Atoi(f[0])
	minute, err2 := strconv.Atoi(f[1])
	if len(f) != 6 || err1 != nil || err2 != nil || f[3] != "*" && f[3] != "?" || f[4] != "*" || f[5] != "*" && f[5] != "?" {
		t.Fatalf("cron %q: the test reads fixed seconds and minutes, every day", cron)
	}
	var hours []int
	if h, err := strconv.Atoi(f[2]); err == nil {
		hours = []int{h}
	} else {
		if !map[string]bool{"*": true, "00-23/1": true, "0-23/1": true, "0/1": true, "00/1": true, "*/1": true, "0-23": true, "00-23": true}[f[2]] {
			t.Fatalf("cron %q: hours %q", cron, f[2])
		}
		for h := range 24 {
			hours = append(hours, h)
		}
	}
	var out []time.Time
	for _, h := range hours {
		out = append(out, time.Date(day.Year(), day.Month(), day.Day(), h, minute, sec, 0, time.UTC))
	}
	return out
}

// Every node of every golden config, as DataWorks schedules and runs it
// from the FlowSpec (its own cron, its parameters evaluated at each
// instance's scheduled time), runs what 'fgen apply' runs for the business
// date (and hour) that instance stands for:
//
//   - a daily node, on the cron of [dataworks], computes the business date
//     before its scheduled day; a cross_midnight report, one day later
//     (the day before that), once that day's next day has landed;
//   - an hourly node, on hourly_cron, computes the hour before its
//     scheduled time: the run at 00:15 computes hour 23 of the day
//     before, so the runs from 01:15 to 00:15 the next day compute the 24
//     hours of one day, each once.
func TestFlowSpecInstancesRunWhatApplyRuns(t *testing.T) {
	variants := map[string]*models.Config{}
	for name, path := range configs(t) {
		variants[name] = loadConfig(t, path)
	}
	variants["shipped/custom"] = flowspecConfig(t, `parameters = "system"`, `parameters = "custom"`)
	hourlySystem := loadConfig(t, "testdata/configs/hourly.toml")
	hourlySystem.DataWorks.Parameters = "system"
	variants["hourly/system"] = hourlySystem
	// The scheduled days: a leap day, and a year's end.
	days := []time.Time{time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	for name, cfg := range variants {
		t.Run(name, func(t *testing.T) {
			p, f := flowspecRender(t, cfg)
			read, problems := dataworksRead(f.Data, cfg.Project.Workspace, cfg.DataWorks.ODSProducer)
			for _, pr := range problems {
				t.Error(pr)
			}
			for i := range p.Nodes {
				n := &p.Nodes[i]
				rn := read[n.Name]
				if rn == nil {
					t.Fatalf("node %s: not read", n.Name)
				}
				wantCron := cfg.DataWorks.Cron
				if n.Hourly {
					wantCron = cfg.DataWorks.HourlyCron
				}
				if rn.Cron != wantCron {
					t.Errorf("node %s: cron %q, want %q", n.Name, rn.Cron, wantCron)
				}
				hours := map[string]int{} // "day/hour" an hourly node computed, and how often
				for _, day := range days {
					for _, at := range cronTimes(t, rn.Cron, day) {
						code, err := dataworksRun(rn, at)
						if err != nil {
							t.Fatalf("node %s at %s: %v", n.Name, at, err)
						}
						var want Script
						var what string
						switch {
						case n.Hourly:
							h := at.Add(-time.Hour)
							what = h.Format("20060102/15")
							hours[what]++
							want, err = p.NodeHourScript(n, h.Format("20060102"), h.Format("15"))
						case n.NextDay:
							what = at.AddDate(0, 0, -2).Format("20060102")
							want, err = p.NodeScript(n, what)
						default:
							what = at.AddDate(0, 0, -1).Format("20060102")
							want, err = p.NodeScript(n, what)
						}
						if err != nil {
							t.Fatal(err)
						}
						for j, st := range want.Statements {
							if !strings.Contains(code, st) {
								t.Errorf("node %s scheduled at %s: its code does not run statement %d of %s:\n%s\n-- the code:\n%s", n.Name, at.Format(time.DateTime), j+1, what, st, code)
								break
							}
						}
					}
				}
				// A daily node that reads an hourly one: DataWorks attaches
				// its instance to the hourly node's instance nearest before
				// its time when the hourly node depends on itself (else to
				// all of the day's, until 23:15: see FlowSpec); that
				// instance and those before it must have computed the
				// business day's 24 hours.
				for _, in := range n.Inputs {
					i := slices.IndexFunc(p.Nodes, func(u Node) bool { return u.Name == in })
					if n.Hourly || i < 0 || !p.Nodes[i].Hourly {
						continue
					}
					up := &p.Nodes[i]
					if !read[up.Name].SelfDependent {
						t.Errorf("node %s reads hourly node %s, which does not depend on itself: the daily instance waits for the day's last hourly run", n.Name, up.Name)
					}
					for _, day := range days {
						at := cronTimes(t, rn.Cron, day)[0]
						var nearest time.Time // the hourly instance it waits for
						for _, h := range cronTimes(t, read[up.Name].Cron, day) {
							if !h.After(at) {
								nearest = h
							}
						}
						// Hour 23 of the business day (at's day before) is the
						// hour the run at 00:MM computes.
						if last := day.Add(-time.Hour); nearest.IsZero() || nearest.Add(-time.Hour).Truncate(time.Hour).Before(last) {
							t.Errorf("node %s at %s waits for %s's run at %v, which has not computed hour 23 of the day before", n.Name, at.Format(time.DateTime), up.Name, nearest)
						}
					}
				}
				// A daily node that reads a daily one waits, for each day
				// it reads, for the instance that computes it: the input's
				// instance of its own cycle (a Normal dependency), which
				// computes the day before its scheduled day, or of the cycle
				// before (CrossCycleDependsOnOtherNode), the day before that.
				// A cross_midnight report reads both.
				for _, in := range n.Inputs {
					i := slices.IndexFunc(p.Nodes, func(u Node) bool { return u.Name == in })
					if n.Hourly || i < 0 || p.Nodes[i].Hourly {
						continue
					}
					out := cfg.Project.Workspace + "." + in
					waits := map[int]bool{1: slices.Contains(rn.Inputs, out), 2: slices.Contains(rn.PreviousCycle, out)}
					reads := []int{1}
					if n.NextDay {
						reads = []int{2, 1}
					}
					for _, back := range reads {
						if !waits[back] {
							t.Errorf("node %s reads the day %s computes %d days before the node's scheduled day, and waits for no instance that computes it", n.Name, in, back)
						}
					}
				}
				if n.Hourly {
					// The runs of the scheduled days compute, once each, the
					// hours from 23 of the day before to 22 of the day.
					for _, day := range days {
						start := day.Add(-time.Hour)
						for h := range 24 {
							if k := start.Add(time.Duration(h) * time.Hour).Format("20060102/15"); hours[k] != 1 {
								t.Errorf("node %s: hour %s computed %d times", n.Name, k, hours[k])
							}
						}
					}
					if len(hours) != 24*len(days) {
						t.Errorf("node %s: %d hours computed, want %d", n.Name, len(hours), 24*len(days))
					}
				}
			}
		})
	}
}
