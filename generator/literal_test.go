package generator

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// nastyStrings are values that must reach SQL byte for byte.
var nastyStrings = []string{
	"", "plain", "it's", `say "hi"`, `back\slash`, `\'`, "br\nowse", "cl\tick", "cr\rlf",
	"-- not a comment", "a;b", "/* x */", "购买", "🛒 buy", "x\x01y\x7fz", "${x}", "`q`", "'", "''", `\`,
}

// decodeMaxCompute reads a MaxCompute string literal as the service does:
// a backslash escapes \\, \', \", \n, \r, \t, and \ooo (three octal digits,
// 0 to 127); https://www.alibabacloud.com/help/en/maxcompute/user-guide/constants
// and "bad.escape" in
// https://www.alibabacloud.com/help/en/maxcompute/use-cases/rewrite-incompatible-sql-statements.
func decodeMaxCompute(lit string) (string, error) {
	if len(lit) < 2 || lit[0] != '\'' || lit[len(lit)-1] != '\'' {
		return "", fmt.Errorf("not quoted")
	}
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case c == '\'':
			return "", fmt.Errorf("unescaped quote at %d", i)
		case c < 0x20 || c == 0x7f:
			return "", fmt.Errorf("raw control character %#x at %d", c, i)
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", fmt.Errorf("dangling backslash")
		}
		switch e := body[i]; e {
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		default:
			if i+3 > len(body) {
				return "", fmt.Errorf("bad escape \\%c", e)
			}
			n, err := strconv.ParseUint(body[i:i+3], 8, 8)
			if err != nil || n > 127 {
				return "", fmt.Errorf("bad escape \\%s", body[i:i+3])
			}
			b.WriteByte(byte(n))
			i += 2
		}
	}
	return b.String(), nil
}

func TestMaxComputeLiteralsDecodeToTheSameBytes(t *testing.T) {
	for _, s := range nastyStrings {
		lit := MaxCompute.QuoteString(s)
		got, err := decodeMaxCompute(lit)
		if err != nil || got != s {
			t.Errorf("QuoteString(%q) = %s, which reads back as %q (%v)", s, lit, got, err)
		}
	}
}

// A DuckDB literal never spans lines (the template func indent pads every
// line), and quotes nothing but '; DuckDB itself reads it back in the
// tests of internal/e2e (TestNastyLiteralsMatchReference).
func TestDuckDBLiteralsStayOnOneLine(t *testing.T) {
	for _, s := range nastyStrings {
		lit := DuckDB.QuoteString(s)
		if strings.ContainsAny(lit, "\n\r") || strings.ContainsFunc(lit, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			t.Errorf("QuoteString(%q) = %q has a raw control character", s, lit)
		}
	}
	if got := DuckDB.QuoteString("br\nowse"); got != "('br' || chr(10) || 'owse')" {
		t.Errorf("got %s", got)
	}
}

func TestTimeFormats(t *testing.T) {
	for in, want := range map[string][2]string{
		"yyyy-MM-dd HH:mm:ss":        {"%Y-%m-%d %H:%M:%S", "yyyy-mm-dd hh:mi:ss"},
		"yyyy-MM-dd'T'HH:mm:ss.SSS":  {"%Y-%m-%dT%H:%M:%S.%g", "yyyy-mm-ddThh:mi:ss.ff3"},
		"yyyyMMddHHmm":               {"%Y%m%d%H%M", "yyyymmddhhmi"},
		"dd/MM/yyyy HH:mm:ss '100%'": {"%d/%m/%Y %H:%M:%S 100%%", "dd/mm/yyyy hh:mi:ss 100%"},
	} {
		if got := strftime(in); got != want[0] {
			t.Errorf("strftime(%q) = %q, want %q", in, got, want[0])
		}
		if got := odpsTimeFormat(in); got != want[1] {
			t.Errorf("odpsTimeFormat(%q) = %q, want %q", in, got, want[1])
		}
	}
}
