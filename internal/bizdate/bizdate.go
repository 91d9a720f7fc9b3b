// Package bizdate handles business dates: the days, written yyyymmdd, that
// DataWorks calls ${bdp.system.bizdate} and that name the partitions fgen
// reads and writes.
package bizdate

import (
	"fmt"
	"time"
)

const layout = "20060102"

// Parse checks a business date written yyyymmdd.
func Parse(s string) (time.Time, error) {
	t, err := time.Parse(layout, s)
	if err != nil || len(s) != 8 {
		return time.Time{}, fmt.Errorf("invalid business date %q; write it as yyyymmdd, e.g. 20210303", s)
	}
	return t, nil
}

// Format writes t as a business date.
func Format(t time.Time) string { return t.Format(layout) }

// Range returns every business date from first to last, inclusive.
func Range(first, last string) ([]string, error) {
	a, err := Parse(first)
	if err != nil {
		return nil, err
	}
	b, err := Parse(last)
	if err != nil {
		return nil, err
	}
	if b.Before(a) {
		return nil, fmt.Errorf("the range ends on %s, before it starts on %s", last, first)
	}
	var days []string
	for t := a; !t.After(b); t = t.AddDate(0, 0, 1) {
		days = append(days, Format(t))
	}
	return days, nil
}

// Add returns the business date n days after day (before it when n < 0).
func Add(day string, n int) (string, error) {
	t, err := Parse(day)
	if err != nil {
		return "", err
	}
	return Format(t.AddDate(0, 0, n)), nil
}

// Next returns the business date after day, which must be valid.
func Next(day string) string {
	next, err := Add(day, 1)
	if err != nil {
		panic(fmt.Sprintf("bizdate.Next: %v", err))
	}
	return next
}
