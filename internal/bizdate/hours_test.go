package bizdate

import "testing"

func TestValidHour(t *testing.T) {
	for _, h := range Hours {
		if !ValidHour(h) {
			t.Errorf("%s: not valid", h)
		}
	}
	for _, h := range []string{"", "0", "7", "24", "29", "30", "-1", "007", "0a", "１２"} {
		if ValidHour(h) {
			t.Errorf("%q: valid", h)
		}
	}
	if len(Hours) != 24 || Hours[0] != "00" || Hours[23] != "23" {
		t.Errorf("Hours = %v", Hours)
	}
}

func TestHourRanges(t *testing.T) {
	for _, tc := range []struct {
		hours []string
		want  string
	}{
		{nil, ""},
		{[]string{"07"}, "07"},
		{[]string{"07", "13", "14", "15", "16", "17", "18", "19", "20", "21", "22", "23"}, "07, 13-23"},
		{[]string{"00", "01", "03", "05", "06"}, "00-01, 03, 05-06"},
		{Hours, "00-23"},
	} {
		if got := HourRanges(tc.hours); got != tc.want {
			t.Errorf("HourRanges(%v) = %q, want %q", tc.hours, got, tc.want)
		}
	}
}

func TestDayRanges(t *testing.T) {
	for _, tc := range []struct {
		days []string
		want string
	}{
		{nil, ""},
		{[]string{"20210302"}, "20210302"},
		{[]string{"20210302", "20210304"}, "20210302, 20210304"},
		{[]string{"20210228", "20210301", "20210302", "20210310"}, "20210228..20210302, 20210310"},
		{[]string{"20201231", "20210101"}, "20201231..20210101"},
	} {
		if got := DayRanges(tc.days); got != tc.want {
			t.Errorf("DayRanges(%v) = %q, want %q", tc.days, got, tc.want)
		}
	}
}
