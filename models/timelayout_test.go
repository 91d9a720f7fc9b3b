package models

import (
	"strings"
	"testing"
	"time"
)

func TestGoLayout(t *testing.T) {
	at := time.Date(2019, 10, 1, 7, 8, 9, 123456789, time.UTC)
	for _, tc := range []struct {
		format, layout, text, err string
	}{
		{"yyyy-MM-dd HH:mm:ss", "2006-01-02 15:04:05", "2019-10-01 07:08:09", ""},
		{"yyyy-MM-dd HH:mm:ss 'UTC'", "2006-01-02 15:04:05 UTC", "2019-10-01 07:08:09 UTC", ""},
		{"yyyy-MM-dd'T'HH:mm:ss.SSS", "2006-01-02T15:04:05.000", "2019-10-01T07:08:09.123", ""},
		{"dd/MM/yyyy HH:mm:ss,SSS", "02/01/2006 15:04:05,000", "01/10/2019 07:08:09,123", ""},
		{"yyyyMMddHHmmss", "20060102150405", "20191001070809", ""},
		{"yyyyMMddHHmmssSSS", "", "", "writes SSS only after '.' or ','"},
		{"yyyy-MM-dd HH:mm 'Jan'", "", "", `reads some of its literal text as a layout element (it writes "2019-10-27 13:45 Oct"`},
		{"yyyy-MM-dd'0'HH:mm", "", "", "reads some of its literal text as a layout element"},
		{"yyyy-MM-dd 'PM' HH:mm", "", "", "reads some of its literal text as a layout element"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			layout, err := TimeColumn{Format: tc.format}.GoLayout()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("GoLayout() = %q, %v; want an error with %q", layout, err, tc.err)
				}
				return
			}
			if err != nil || layout != tc.layout {
				t.Fatalf("GoLayout() = %q, %v; want %q", layout, err, tc.layout)
			}
			if got := at.Format(layout); got != tc.text {
				t.Errorf("writes %q, want %q", got, tc.text)
			}
		})
	}
}
