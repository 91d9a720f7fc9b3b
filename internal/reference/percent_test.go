package reference

import "testing"

func TestPercent(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	tests := []struct {
		name string
		in   *float64
		want string
	}{
		{"seed example", f(0.34285714), "34.29%"},
		{"twelve of thirty-five", f(12.0 / 35), "34.29%"},
		{"half", f(0.5), "50.0%"},
		{"one", f(1), "100.0%"},
		{"zero", f(0), "0.0%"},
		{"above one", f(3), "300.0%"},
		{"two thirds", f(2.0 / 3), "66.67%"},
		{"one third", f(1.0 / 3), "33.33%"},
		{"float noise", f(0.29), "29.0%"}, // 0.29 * 100 = 28.999999999999996
		{"two decimals kept", f(0.1234), "12.34%"},
		{"one decimal", f(0.125), "12.5%"},
		{"exact tie rounds away from zero", f(1.0 / 32), "3.13%"}, // 3.125, not half-even 3.12
		{"below a tie in binary", f(0.01005), "1.0%"},             // 1.00499999999999989...
		{"tiny", f(1.0 / 30000), "0.0%"},
		{"tiny rounds up", f(1.0 / 15000), "0.01%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Percent(tt.in)
			if got == nil || *got != tt.want {
				t.Errorf("Percent(%v) = %v, want %q", *tt.in, show(got), tt.want)
			}
		})
	}
	if got := Percent(nil); got != nil {
		t.Errorf("Percent(nil) = %q, want nil", *got)
	}
}

func show(s *string) string {
	if s == nil {
		return "nil"
	}
	return `"` + *s + `"`
}

func TestPercentOf(t *testing.T) {
	for _, tt := range []struct {
		num, den int64
		want     string
	}{
		{3, 4000, "0.08%"}, {37, 4000, "0.93%"}, {1, 2, "50.0%"}, {1, 1, "100.0%"}, {0, 5, "0.0%"},
		{12, 35, "34.29%"}, {1, 3, "33.33%"}, {2, 3, "66.67%"}, {1, 32, "3.13%"}, {5, 1, "500.0%"},
	} {
		got := PercentOf(tt.num, tt.den)
		if got == nil || *got != tt.want {
			t.Errorf("PercentOf(%d, %d) = %v, want %s", tt.num, tt.den, got, tt.want)
		}
	}
	if PercentOf(1, 0) != nil {
		t.Error("PercentOf(1, 0) is not nil")
	}
}
