package bizdate

import "testing"

func TestSpan(t *testing.T) {
	for _, c := range []struct {
		first, last string
		want        int
	}{
		{"20210303", "20210303", 1},
		{"20210228", "20210301", 2},
		{"20200228", "20200301", 3}, // a leap day
		{"20210303", "20310302", 3652},
		{"20210303", "99991231", 2914208}, // beyond what a time.Duration holds
		{"20210304", "20210303", 0},
		{"2021033", "20210303", 0},
	} {
		if got := Span(c.first, c.last); got != c.want {
			t.Errorf("Span(%s, %s) = %d, want %d", c.first, c.last, got, c.want)
		}
		if c.want > 0 && c.want < 5000 {
			if days, _ := Range(c.first, c.last); len(days) != c.want {
				t.Errorf("Range(%s, %s) has %d days, Span says %d", c.first, c.last, len(days), c.want)
			}
		}
	}
}

// A date in the right form but not in the calendar says which part is
// wrong; anything else asks for the form, as does a month out of range
// (20211301 may be yyyyddmm).
func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"20210230":   `invalid business date "20210230": 2021-02 has no day 30`,
		"20210431":   `invalid business date "20210431": 2021-04 has no day 31`,
		"20211301":   `invalid business date "20211301": there is no month 13; write it as yyyymmdd, e.g. 20210303`,
		"20210001":   `invalid business date "20210001": there is no month 00; write it as yyyymmdd, e.g. 20210303`,
		"2021-03-03": `invalid business date "2021-03-03"; write it as yyyymmdd, e.g. 20210303`,
		"00000101":   `invalid business date "00000101": there is no year 0000`,
	} {
		if _, err := Parse(in); err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %s", in, err, want)
		}
	}
	if _, err := Parse("20240229"); err != nil {
		t.Errorf("a leap day: %v", err)
	}
}
