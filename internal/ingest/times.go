package ingest

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/fgen-dev/fgen/generator"
	"github.com/fgen-dev/fgen/models"
)

// timeLayout is the format of a STRING time column (funnel.toml's
// time_column), for checking its values before they are loaded: the DW
// node reads them with DuckDB's try_strptime (MaxCompute's TO_DATE) and
// drops the rows whose time does not read, so fgen load refuses them.
//
// The check is strict where strptime is lenient: every pattern letter is
// exactly its number of digits (yyyy four, SSS three, the others two), the
// literal text is as written, and the date and time exist (years 0001 to
// 9999, February 29 only in leap years, hours to 23, seconds to 59). A
// value that passes reads in DuckDB's strptime too (TestTimeLayoutAgrees).
type timeLayout struct {
	format  string
	parts   []string
	letters []bool
}

func newTimeLayout(format string) (*timeLayout, error) {
	parts, letters, err := models.FormatParts(format)
	if err != nil {
		return nil, err
	}
	return &timeLayout{format: format, parts: parts, letters: letters}, nil
}

// reads reports whether v is a time in the format.
func (t *timeLayout) reads(v []byte) bool {
	year, month, day, hour, minute, second := 1, 1, 1, 0, 0, 0
	i := 0
	for k, p := range t.parts {
		if !t.letters[k] {
			if !bytes.HasPrefix(v[i:], []byte(p)) {
				return false
			}
			i += len(p)
			continue
		}
		n := len(p) // digits: yyyy 4, SSS 3, the others 2
		if i+n > len(v) {
			return false
		}
		x := 0
		for _, c := range v[i : i+n] {
			if c < '0' || c > '9' {
				return false
			}
			x = x*10 + int(c-'0')
		}
		i += n
		switch p {
		case "yyyy":
			year = x
		case "MM":
			month = x
		case "dd":
			day = x
		case "HH":
			hour = x
		case "mm":
			minute = x
		case "ss":
			second = x
		}
	}
	return i == len(v) && year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month) &&
		hour <= 23 && minute <= 59 && second <= 59
}

// daysIn is the number of days of the month: time.Date normalizes day 0
// of the next month to the month's last day.
func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// sqlReads is the DuckDB condition that the VARCHAR x reads as reads says:
// the digits and text by a regular expression, the date and time by
// try_strptime in the format, as the DW node reads it.
func (t *timeLayout) sqlReads(x string) string {
	var re strings.Builder
	for k, p := range t.parts {
		switch {
		case !t.letters[k]:
			re.WriteString(regexp.QuoteMeta(p))
		case p == "yyyy":
			re.WriteString("(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})")
		default:
			fmt.Fprintf(&re, "[0-9]{%d}", len(p))
		}
	}
	return fmt.Sprintf("(regexp_full_match(%s, %s) AND try_strptime(%s, %s) IS NOT NULL)",
		x, sqlString(re.String()), x, sqlString(generator.DuckDBTimeFormat(t.format)))
}
