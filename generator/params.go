package generator

import (
	"fmt"
	"regexp"
	"time"
)

// schedulingParams are the custom scheduling parameters fgen knows: Value is
// what the FlowSpec assigns the parameter of a node whose SQL uses ${name},
// and NextDay says whether it stands for the day after the business date
// rather than the business date itself (BindParams). ${bdp.system.*}
// parameters need no assignment.
var schedulingParams = map[string]struct {
	Value   string
	NextDay bool
}{
	"bizdate":      {"$bizdate", false},   // the business date, yyyymmdd (scheduled day - 1)
	"next_bizdate": {"$[yyyymmdd]", true}, // the day after the business date (the scheduled day)
	// A cross_midnight funnel's day D is final once D+1 has landed, so its
	// node runs one day behind: D is the day before the business date.
	"final_bizdate":      {"$[yyyymmdd-2]", false},
	"final_next_bizdate": {"$[yyyymmdd-1]", true},
}

var paramRE = regexp.MustCompile(`\$\{([A-Za-z0-9_.]+)\}`)

// ParseDay checks a business date written yyyymmdd.
func ParseDay(s string) (time.Time, error) {
	t, err := time.Parse("20060102", s)
	if err != nil || len(s) != 8 {
		return time.Time{}, fmt.Errorf("invalid business date %q; write it as yyyymmdd, e.g. 20210303", s)
	}
	return t, nil
}

// Days returns every business date from first to last inclusive.
func Days(first, last string) ([]string, error) {
	a, err := ParseDay(first)
	if err != nil {
		return nil, err
	}
	b, err := ParseDay(last)
	if err != nil {
		return nil, err
	}
	if b.Before(a) {
		return nil, fmt.Errorf("--to %s is before --from %s", last, first)
	}
	var days []string
	for t := a; !t.After(b); t = t.AddDate(0, 0, 1) {
		days = append(days, t.Format("20060102"))
	}
	return days, nil
}

// NextDay returns the business date after day.
func NextDay(day string) string {
	t, err := ParseDay(day)
	if err != nil {
		panic(err)
	}
	return t.AddDate(0, 0, 1).Format("20060102")
}

// BindParams replaces the scheduling parameters in generated SQL with the
// values they take when the node computes business date day: the day itself
// (${bdp.system.bizdate}, ${bizdate}, ${final_bizdate}) and the day after it
// (${next_bizdate}, ${final_next_bizdate}). Any other placeholder is an error.
func BindParams(sql []byte, day string) (string, error) {
	if _, err := ParseDay(day); err != nil {
		return "", err
	}
	next := NextDay(day)
	var bad string
	out := paramRE.ReplaceAllStringFunc(string(sql), func(m string) string {
		name := m[len("${") : len(m)-len("}")]
		if name == "bdp.system.bizdate" {
			return day
		}
		if p, ok := schedulingParams[name]; ok {
			if p.NextDay {
				return next
			}
			return day
		}
		if bad == "" {
			bad = m
		}
		return m
	})
	if bad != "" {
		return "", fmt.Errorf("unknown scheduling parameter %s", bad)
	}
	return out, nil
}
