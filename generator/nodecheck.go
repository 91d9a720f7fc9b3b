package generator

import (
	"bytes"
	"fmt"
	"strings"
)

// Limits DataWorks puts on the code of one ODPS SQL node.
const (
	MaxNodeBytes      = 128 * 1024
	MaxNodeStatements = 200
)

// NodeProblem is one violation of the DataWorks node-code rules.
type NodeProblem struct {
	Line int // 1-based; 0 when the problem is the node as a whole
	Msg  string
}

// NodeCheckError lists every rule a node's code breaks, in order.
type NodeCheckError struct {
	Node     string
	Problems []NodeProblem
}

func (e *NodeCheckError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		if p.Line > 0 {
			fmt.Fprintf(&b, "node %s: line %d: %s", e.Node, p.Line, p.Msg)
		} else {
			fmt.Fprintf(&b, "node %s: %s", e.Node, p.Msg)
		}
	}
	return b.String()
}

// CheckNode checks that sql is code DataWorks runs as an ODPS SQL node as
// written: only "--" comments, no ';' inside a comment, no comment after a
// statement's ';' on the same line, no comment after a SET (or USE)
// statement, every statement ending with ';' and a newline, at most 128 KB
// and 200 statements. String literals ('...' and "..." with backslash
// escapes) and `quoted identifiers` are understood, so ';', "--" and "/*"
// inside them are fine. The error, if any, is a *NodeCheckError.
func CheckNode(name string, sql []byte) error {
	c := nodeChecker{sql: sql, line: 1}
	if len(sql) > MaxNodeBytes {
		c.problem(0, "%d bytes, more than the %d (128 KB) DataWorks allows in a node; split it", len(sql), MaxNodeBytes)
	}
	c.scan()
	if c.statements > MaxNodeStatements {
		c.problem(0, "%d statements, more than the %d DataWorks allows in a node; split it", c.statements, MaxNodeStatements)
	}
	if len(c.problems) > 0 {
		return &NodeCheckError{Node: name, Problems: c.problems}
	}
	return nil
}

type nodeChecker struct {
	sql      []byte
	i        int
	line     int
	problems []NodeProblem

	statements int
	open       bool   // inside a statement: code seen since the last ';'
	openLine   int    // where the open statement starts
	semiLine   int    // line of the last ';', 0 before the first
	setLine    int    // line of the last SET/USE statement while no other statement followed it, else 0
	setWord    string // "SET" or "USE"
}

func (c *nodeChecker) problem(line int, format string, args ...any) {
	c.problems = append(c.problems, NodeProblem{Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *nodeChecker) scan() {
	for c.i < len(c.sql) {
		ch := c.sql[c.i]
		switch {
		case ch == '\n':
			c.line++
			c.i++
		case ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f' || ch == '\v':
			c.i++
		case ch == '-' && c.peek(1) == '-':
			c.comment()
		case ch == '/' && c.peek(1) == '*':
			c.blockComment()
		case ch == '\'' || ch == '"' || ch == '`':
			c.code()
			c.quoted(ch)
		case ch == ';':
			if !c.open {
				c.problem(c.line, "';' without a statement before it; remove it")
			} else {
				c.statements++
				c.open = false
			}
			c.semiLine = c.line
			c.i++
			rest := c.i
			for rest < len(c.sql) && (c.sql[rest] == ' ' || c.sql[rest] == '\t' || c.sql[rest] == '\r') {
				rest++
			}
			if rest == len(c.sql) {
				c.problem(c.line, "the last statement's ';' is not followed by a newline; end the code with \";\\n\"")
			}
		default:
			c.code()
			c.word()
		}
	}
	if c.open {
		c.problem(c.openLine, "statement does not end with ';'; end every statement with ';' and a newline")
	}
}

func (c *nodeChecker) peek(n int) byte {
	if c.i+n < len(c.sql) {
		return c.sql[c.i+n]
	}
	return 0
}

// code notes code (not a comment, not white space) at c.i: the start of a
// statement when none is open.
func (c *nodeChecker) code() {
	if c.open {
		return
	}
	c.open = true
	c.openLine = c.line
	if c.line == c.semiLine {
		c.problem(c.line, "statement starts on the line of the previous statement's ';'; end each statement with ';' and a newline")
	}
	// A statement's first word says whether it is a SET or USE statement.
	end := c.i
	for end < len(c.sql) && isWordByte(c.sql[end]) {
		end++
	}
	switch w := strings.ToUpper(string(c.sql[c.i:end])); w {
	case "SET", "USE":
		c.setLine, c.setWord = c.line, w
	default:
		c.setLine = 0
	}
}

// word skips a run of code bytes that cannot start a comment, a literal or
// end a statement.
func (c *nodeChecker) word() {
	c.i++
	for c.i < len(c.sql) {
		switch c.sql[c.i] {
		case '\n', ' ', '\t', '\r', '\f', '\v', '-', '/', '\'', '"', '`', ';':
			return
		}
		c.i++
	}
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// comment checks a "--" comment, which runs to the end of the line.
func (c *nodeChecker) comment() {
	end := bytes.IndexByte(c.sql[c.i:], '\n')
	if end < 0 {
		end = len(c.sql)
	} else {
		end += c.i
	}
	text := c.sql[c.i:end]
	switch {
	case c.line == c.semiLine:
		c.problem(c.line, "comment after a statement on the same line; put the comment on a line of its own, above the next statement")
	case c.setLine != 0 && c.open:
		c.problem(c.line, "comment in the %s statement of line %d; DataWorks allows no comment in or after SET and USE statements, put it above them", c.setWord, c.setLine)
	case c.setLine != 0:
		c.problem(c.line, "comment after the %s statement of line %d; DataWorks allows no comment after SET and USE statements, put it above them", c.setWord, c.setLine)
	}
	if bytes.IndexByte(text, ';') >= 0 {
		c.problem(c.line, "';' in a comment; DataWorks splits statements on it even there, write ',' instead")
	}
	c.i = end
}

// blockComment reports a /* */ comment and skips it.
func (c *nodeChecker) blockComment() {
	c.problem(c.line, "/* */ comment; DataWorks node code allows only -- comments")
	end := bytes.Index(c.sql[c.i+2:], []byte("*/"))
	stop := len(c.sql)
	if end >= 0 {
		stop = c.i + 2 + end + 2
	}
	c.line += bytes.Count(c.sql[c.i:stop], []byte("\n"))
	c.i = stop
}

// quoted skips a string literal ('...' or "...", with backslash escapes) or
// a quoted identifier (`...`, where “ is a backquote).
func (c *nodeChecker) quoted(q byte) {
	start := c.line
	c.i++
	for c.i < len(c.sql) {
		ch := c.sql[c.i]
		switch {
		case ch == '\\' && q != '`' && c.i+1 < len(c.sql):
			if c.sql[c.i+1] == '\n' {
				c.line++
			}
			c.i += 2
			continue
		case ch == '\n':
			c.line++
		case ch == q:
			c.i++
			return
		}
		c.i++
	}
	what := "string literal"
	if q == '`' {
		what = "quoted identifier"
	}
	c.problem(start, "%s %c... is not closed", what, q)
	c.open = false // the rest of the code is in it: nothing more to say
}
