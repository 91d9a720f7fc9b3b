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
