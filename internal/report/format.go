package report

import (
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// undefined is how the human formats (table, html) show a NULL rate or timing.
const undefined = "—"

// formatCount writes n in decimal with thousands separators: 1234567 -> "1,234,567".
func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatPercent shows a/b as a percentage with 2 decimals, "34.29%", or undefined when b
// is 0. It rounds the exact ratio once, half away from zero, as the RPT table's percent
// strings do (ROUND(a * 10000 / b) / 100): 23/160, 14.375 %, shows 14.38%, where the
// float64 of 23/160 times 100 is 14.37499... and would show 14.37%.
func formatPercent(a, b int64) string {
	if b == 0 {
		return undefined
	}
	num := new(big.Int).Mul(big.NewInt(a), big.NewInt(10000)) // hundredths of a percent, times b
	den := big.NewInt(b)
	neg := num.Sign()*den.Sign() < 0
	num.Abs(num)
	den.Abs(den)
	// round(num / den) half up, for num, den >= 0: (2 num + den) / (2 den)
	num.Add(num.Lsh(num, 1), den)
	n := num.Quo(num, den.Lsh(den, 1))
	s := n.String()
	if len(s) < 3 {
		s = strings.Repeat("0", 3-len(s)) + s
	}
	s = s[:len(s)-2] + "." + s[len(s)-2:] + "%"
	if neg && n.Sign() != 0 {
		s = "-" + s
	}
	return s
}

// stepPercent and overallPercent are formatPercent of stage k's step and overall
// conversion rates (Rates), from counts: undefined for the first stage.
func stepPercent(counts []int64, k int) string {
	if k == 0 {
		return undefined
	}
	return formatPercent(counts[k], counts[k-1])
}

func overallPercent(counts []int64, k int) string {
	if k == 0 {
		return undefined
	}
	return formatPercent(counts[k], counts[0])
}

// formatSeconds shows a duration in seconds the way people read it: "12s", "12.5s", "4m05s",
// "2h03m", "1d04h"; or undefined.
func formatSeconds(p *float64) string {
	if p == nil {
		return undefined
	}
	s := *p
	switch {
	case math.IsNaN(s) || math.IsInf(s, 0):
		return strconv.FormatFloat(s, 'f', -1, 64)
	case s < 0:
		return "-" + formatSeconds(ptr(-s))
	case s > 0 && math.Round(s*10) < 10:
		// Under a second, as a funnel of milliseconds has them: to the
		// millisecond, the finest time fgen keeps, not 0s.
		return strconv.FormatFloat(math.Round(s*1000)/1000, 'f', -1, 64) + "s"
	case math.Round(s*10) < 600:
		return strconv.FormatFloat(math.Round(s*10)/10, 'f', -1, 64) + "s"
	}
	t := int64(math.Round(s))
	switch {
	case t < 3600:
		return strconv.FormatInt(t/60, 10) + "m" + pad2(t%60) + "s"
	case t < 86400-30:
		m := (t + 30) / 60 // to the nearest minute
		return strconv.FormatInt(m/60, 10) + "h" + pad2(m%60) + "m"
	default:
		h := (t + 1800) / 3600 // to the nearest hour
		return strconv.FormatInt(h/24, 10) + "d" + pad2(h%24) + "h"
	}
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

func ptr(v float64) *float64 { return &v }

// formatDate shows a yyyymmdd dt as yyyy-mm-dd; anything else as it is.
func formatDate(dt string) string {
	if len(dt) != 8 {
		return dt
	}
	for _, c := range dt {
		if c < '0' || c > '9' {
			return dt
		}
	}
	return dt[:4] + "-" + dt[4:6] + "-" + dt[6:]
}

// displayWidth is the number of terminal cells s takes: 2 for East Asian wide runes (stage
// names may well be Chinese), 0 for combining marks, 1 otherwise.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u200b':
		case isWide(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || // Hangul Jamo
		(r >= 0x2e80 && r <= 0xa4cf && r != 0x303f) || // CJK ... Yi
		(r >= 0xac00 && r <= 0xd7a3) || // Hangul syllables
		(r >= 0xf900 && r <= 0xfaff) || // CJK compatibility ideographs
		(r >= 0xfe30 && r <= 0xfe4f) || // CJK compatibility forms
		(r >= 0xff00 && r <= 0xff60) || // fullwidth forms
		(r >= 0xffe0 && r <= 0xffe6) ||
		(r >= 0x1f300 && r <= 0x1f64f) || // pictographs, emoticons
		(r >= 0x1f900 && r <= 0x1f9ff) ||
		(r >= 0x20000 && r <= 0x3fffd))
}

// padRight and padLeft pad s with spaces to width terminal cells.
func padRight(s string, width int) string {
	if d := width - displayWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

func padLeft(s string, width int) string {
	if d := width - displayWidth(s); d > 0 {
		return strings.Repeat(" ", d) + s
	}
	return s
}
