package models

import (
	"fmt"
	"strconv"
	"strings"
)

// cronField is one field of a Quartz cron expression as DataWorks
// schedules take it: seconds, minutes, hours, day of month, month, day of
// week (http://www.quartz-scheduler.org/documentation/quartz-2.3.0/tutorials/crontrigger.html).
type cronField struct {
	name     string
	min, max int
	names    []string // names for 1.., e.g. JAN for 1
	question bool     // "?" (no specific value) is allowed
}

var cronFields = []cronField{
	{name: "seconds", min: 0, max: 59},
	{name: "minutes", min: 0, max: 59},
	{name: "hours", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31, question: true},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day of week", min: 1, max: 7, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}, question: true},
}

// checkCron checks a Quartz cron expression of exactly six fields, the form
// DataWorks schedules take, e.g. "00 30 02 * * ?": each field a "*", a
// value, a range a-b, a step x/n, or a list of those, within the field's
// range; "?" in exactly one of day of month and day of week.
func checkCron(expr string) error {
	fields := strings.Fields(expr)
	if len(fields) != len(cronFields) {
		return fmt.Errorf("cron %q has %d fields; DataWorks takes a Quartz cron of 6 (seconds minutes hours day-of-month month day-of-week), e.g. \"00 30 02 * * ?\" for 02:30 every day", expr, len(fields))
	}
	for i, f := range fields {
		if err := cronFields[i].check(f); err != nil {
			return fmt.Errorf("cron %q: %s field %q: %v", expr, cronFields[i].name, f, err)
		}
	}
	if (fields[3] == "?") == (fields[5] == "?") {
		return fmt.Errorf("cron %q: give \"?\" in exactly one of day of month and day of week, e.g. \"00 30 02 * * ?\"", expr)
	}
	return nil
}

// checkDailyCron checks the cron of daily nodes: a valid cron (checkCron)
// that fires once every day, at a fixed second, minute and hour: each run
// computes the business day before it, so a day it skips is never
// computed, and a second run of the day computes it again.
func checkDailyCron(expr string) error {
	if err := checkCron(expr); err != nil {
		return err
	}
	f := strings.Fields(expr)
	for i, cf := range cronFields {
		n := len(cf.values(f[i]))
		switch {
		case i < 3 && n != 1:
			return fmt.Errorf("cron %q does not fire once every day: its %s field %q gives %d values, and a second run of a day computes it again; give one, e.g. \"00 30 02 * * ?\" for 02:30 every day", expr, cf.name, f[i], n)
		case i >= 3 && n != cf.max-cf.min+1:
			return fmt.Errorf("cron %q does not fire once every day: its %s field %q skips days, whose business day is then never computed; write * or ?, e.g. \"00 30 02 * * ?\" for 02:30 every day", expr, cf.name, f[i])
		}
	}
	return nil
}

// values returns the values a valid field f matches; "?" matches all.
func (cf cronField) values(f string) map[int]bool {
	out := map[int]bool{}
	if f == "?" {
		f = "*"
	}
	num := func(s string) int {
		for i, name := range cf.names {
			if strings.EqualFold(s, name) {
				return cf.min + i
			}
		}
		n, _ := strconv.Atoi(s)
		return n
	}
	for _, part := range strings.Split(f, ",") {
		base, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			step, _ = strconv.Atoi(stepText)
		}
		lo, hi := cf.min, cf.max
		if base != "*" {
			a, b, isRange := strings.Cut(base, "-")
			lo = num(a)
			switch {
			case isRange:
				hi = num(b)
			case !hasStep:
				hi = lo // a value; with a step, from it to the end
			}
		}
		if hi < lo { // a range over the end, e.g. FRI-MON
			hi += cf.max - cf.min + 1
		}
		for v := lo; v <= hi; v += step {
			out[cf.min+(v-cf.min)%(cf.max-cf.min+1)] = true
		}
	}
	return out
}

// checkHourlyCron checks the cron of hourly nodes: a valid cron (checkCron)
// that fires once in every hour of every day, at a fixed second and minute,
// e.g. "00 10 00-23/1 * * ?" (DataWorks writes an hourly schedule so).
func checkHourlyCron(expr string) error {
	if err := checkCron(expr); err != nil {
		return err
	}
	f := strings.Fields(expr)
	everyHour := map[string]bool{"*": true, "0/1": true, "00/1": true, "*/1": true, "0-23": true, "00-23": true, "0-23/1": true, "00-23/1": true}
	if !isNumber(f[0]) || !isNumber(f[1]) || !everyHour[f[2]] || (f[3] != "*" && f[3] != "?") || f[4] != "*" || (f[5] != "*" && f[5] != "?") {
		return fmt.Errorf("hourly_cron %q does not fire once in every hour: hourly nodes each compute the hour before their run; write the second and the minute as numbers and the hours as 00-23/1, e.g. \"00 10 00-23/1 * * ?\" for 10 minutes past every hour", expr)
	}
	return nil
}

func isNumber(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && !strings.ContainsAny(s, "+-")
}

func (cf cronField) check(f string) error {
	if f == "?" {
		if !cf.question {
			return fmt.Errorf("\"?\" is only for day of month or day of week")
		}
		return nil
	}
	for _, part := range strings.Split(f, ",") {
		base, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || !isNumber(step) || n < 1 || n > cf.max {
				return fmt.Errorf("step %q is not a number from 1 to %d", step, cf.max)
			}
		}
		if base == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(base, "-")
		if err := cf.value(lo); err != nil {
			return err
		}
		if isRange {
			if err := cf.value(hi); err != nil {
				return err
			}
		}
	}
	return nil
}

func (cf cronField) value(s string) error {
	for _, name := range cf.names {
		if strings.EqualFold(s, name) {
			return nil
		}
	}
	// Digits alone: Quartz, which DataWorks' crons are, refuses a sign.
	n, err := strconv.Atoi(s)
	if err != nil || !isNumber(s) || n < cf.min || n > cf.max {
		return fmt.Errorf("%q is not a value from %d to %d", s, cf.min, cf.max)
	}
	return nil
}

// cronTimeOfDay returns the second of the day a valid cron first fires at
// when its seconds and minutes are plain numbers: the least of its hours
// (of a list, a range or a step, their first); ok is false otherwise.
func cronTimeOfDay(expr string) (second int, ok bool) {
	f := strings.Fields(expr)
	if len(f) < 3 || !isNumber(f[0]) || !isNumber(f[1]) {
		return 0, false
	}
	hour := 24
	for _, part := range strings.Split(f[2], ",") {
		first, _, _ := strings.Cut(part, "/")
		first, _, _ = strings.Cut(first, "-")
		if first == "*" {
			first = "0"
		}
		if !isNumber(first) {
			return 0, false
		}
		h, _ := strconv.Atoi(first)
		hour = min(hour, h)
	}
	sec, _ := strconv.Atoi(f[0])
	minute, _ := strconv.Atoi(f[1])
	return hour*3600 + minute*60 + sec, true
}
