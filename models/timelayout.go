package models

import (
	"fmt"
	"strings"
	"time"
)

// goLayoutElems are the Go layout elements (package time) of the pattern
// letters of a Format.
var goLayoutElems = map[string]string{"yyyy": "2006", "MM": "01", "dd": "02", "HH": "15", "mm": "04", "ss": "05"}

// GoLayout returns the layout with which Go's time package writes the
// values of a STRING time column in its Format (yyyy-MM-dd HH:mm:ss 'UTC'
// is "2006-01-02 15:04:05 UTC"); SSS is fractional milliseconds, so it
// must follow a '.' or a ','. A Go layout cannot quote text, so a format
// whose literal text Go would read as a layout element ('Jan', '1', 'PM',
// ...) has none: GoLayout then returns an error. It writes the time's wall
// clock in the time's own location; see Timezone for the column's.
//
// Go's time.Parse with this layout is more lenient than the DW node's
// reading (it takes a one-digit hour, a sign on the year, a fraction the
// format lacks): to check values, read them strictly by FormatParts.
func (t TimeColumn) GoLayout() (string, error) {
	parts, letters, err := FormatParts(t.Format)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, p := range parts {
		switch {
		case !letters[i]:
			b.WriteString(p)
		case p == "SSS":
			if s := b.String(); !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ",") {
				return "", fmt.Errorf("format %q: Go's time package writes SSS only after '.' or ','", t.Format)
			}
			b.WriteString("000")
		default:
			b.WriteString(goLayoutElems[p])
		}
	}
	layout := b.String()
	// The literal text must come out as it is: check on two times whose
	// every field differs.
	for _, at := range []time.Time{
		time.Date(2019, 10, 27, 13, 45, 56, 789e6, time.UTC),
		time.Date(2001, 2, 3, 4, 5, 6, 7e6, time.UTC),
	} {
		if got, want := at.Format(layout), formatParts(parts, letters, at); got != want {
			return "", fmt.Errorf("format %q: Go's time package reads some of its literal text as a layout element (it writes %q where the format means %q)", t.Format, got, want)
		}
	}
	return layout, nil
}

// formatParts writes at in the format of parts, by itself.
func formatParts(parts []string, letters []bool, at time.Time) string {
	var b strings.Builder
	for i, p := range parts {
		if !letters[i] {
			b.WriteString(p)
			continue
		}
		switch p {
		case "yyyy":
			fmt.Fprintf(&b, "%04d", at.Year())
		case "MM":
			fmt.Fprintf(&b, "%02d", int(at.Month()))
		case "dd":
			fmt.Fprintf(&b, "%02d", at.Day())
		case "HH":
			fmt.Fprintf(&b, "%02d", at.Hour())
		case "mm":
			fmt.Fprintf(&b, "%02d", at.Minute())
		case "ss":
			fmt.Fprintf(&b, "%02d", at.Second())
		case "SSS":
			fmt.Fprintf(&b, "%03d", at.Nanosecond()/1e6)
		}
	}
	return b.String()
}
