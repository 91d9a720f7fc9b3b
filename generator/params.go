package generator

import (
	"fmt"
	"regexp"
	"time"
)

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
	var bad string
	out := paramRE.ReplaceAllStringFunc(string(sql), func(m string) string {
		switch m {
		case "${bdp.system.bizdate}", "${bizdate}", "${final_bizdate}":
			return day
		case "${next_bizdate}", "${final_next_bizdate}":
			return NextDay(day)
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
