package generator

import "strings"

// alignMark is what the template func "al" writes where a column of text
// should line up: before "AS" in select lists, before the type in DDL.
const alignMark = "\x1f"

// align pads every run of consecutive lines that contain alignMark so the
// text after the mark starts in one column, then replaces the mark by a space.
func align(s string) string {
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); {
		if !strings.Contains(lines[i], alignMark) {
			i++
			continue
		}
		j := i
		width := 0
		for j < len(lines) && strings.Contains(lines[j], alignMark) {
			width = max(width, len(strings.SplitN(lines[j], alignMark, 2)[0]))
			j++
		}
		for k := i; k < j; k++ {
			before, after, _ := strings.Cut(lines[k], alignMark)
			lines[k] = before + strings.Repeat(" ", width-len(before)) + " " + after
		}
		i = j
	}
	return strings.Join(lines, "\n")
}
