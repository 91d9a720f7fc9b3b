package duckdb

import (
	"bufio"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// readJSONL reads one flat JSON object per line. Keys are column names
// (case-insensitive); a missing key or null is NULL; scalars are kept as
// their text and converted to the column type after staging.
func readJSONL(r io.Reader, file string, opts LoadOptions, index map[string]int, emit func(int64, []driver.Value) error) error {
	br := r.(*bufio.Reader)
	vals := make([]driver.Value, len(opts.Columns)+1) // + the partition value
	seen := make([]bool, len(opts.Columns))
	var line int64
	for {
		raw, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A long line: collect it whole.
			buf := append([]byte(nil), raw...)
			for err == bufio.ErrBufferFull {
				raw, err = br.ReadSlice('\n')
				buf = append(buf, raw...)
			}
			raw = buf
		}
		if len(raw) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF {
			return err
		}
		line++
		text := strings.TrimSpace(string(raw))
		if text != "" {
			for i := range vals {
				vals[i] = nil
			}
			for i := range seen {
				seen[i] = false
			}
			if perr := parseObject(text, opts, index, vals, seen); perr != nil {
				return &RowError{File: file, Line: line, Msg: perr.Error()}
			}
			if eerr := emit(line, vals); eerr != nil {
				return eerr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

type jsonScanner struct {
	s string
	i int
}

func (p *jsonScanner) ws() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\r' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *jsonScanner) errorf(format string, args ...any) error {
	return fmt.Errorf("malformed JSON at column %d: %s", p.i+1, fmt.Sprintf(format, args...))
}

func parseObject(text string, opts LoadOptions, index map[string]int, vals []driver.Value, seen []bool) error {
	p := &jsonScanner{s: text}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return p.errorf("expected an object '{'")
	}
	p.i++
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return p.end()
	}
	for {
		p.ws()
		key, err := p.str()
		if err != nil {
			return err
		}
		p.ws()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return p.errorf("expected ':' after key %q", key)
		}
		p.i++
		p.ws()
		v, err := p.scalar(key)
		if err != nil {
			return err
		}
		col, ok := index[strings.ToLower(key)]
		switch {
		case ok && seen[col]:
			return fmt.Errorf("key %q appears twice", key)
		case ok:
			seen[col] = true
			vals[col] = v
		case strings.EqualFold(key, opts.Partition):
			s, _ := v.(string)
			if opts.Day != "" && v != nil && s != opts.Day {
				return fmt.Errorf("%s is %q but the rows are loaded into %s=%s; load them with --bizdate %s", key, s, opts.Partition, opts.Day, s)
			}
			vals[len(vals)-1] = v
		default:
			return fmt.Errorf("unknown column %q; the table %s has: %s", key, opts.Table, columnNames(opts.Columns))
		}
		p.ws()
		if p.i >= len(p.s) {
			return p.errorf("unexpected end of line; expected ',' or '}'")
		}
		if p.s[p.i] == ',' {
			p.i++
			continue
		}
		if p.s[p.i] == '}' {
			p.i++
			return p.end()
		}
		return p.errorf("expected ',' or '}'")
	}
}

func (p *jsonScanner) end() error {
	p.ws()
	if p.i != len(p.s) {
		return p.errorf("unexpected text after the object")
	}
	return nil
}

// scalar reads a value: a string, number, true, false or null.
func (p *jsonScanner) scalar(key string) (driver.Value, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("missing value for %q", key)
	}
	switch c := p.s[p.i]; {
	case c == '"':
		return p.str()
	case c == '{' || c == '[':
		return nil, fmt.Errorf("column %s: nested objects and arrays are not supported", key)
	case c == 'n':
		return nil, p.word("null")
	case c == 't':
		return "true", p.word("true")
	case c == 'f':
		return "false", p.word("false")
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.i
		for p.i < len(p.s) && strings.IndexByte("+-0123456789.eE", p.s[p.i]) >= 0 {
			p.i++
		}
		num := p.s[start:p.i]
		if _, err := strconv.ParseFloat(num, 64); err != nil {
			return nil, p.errorf("bad number %q", num)
		}
		return num, nil
	default:
		return nil, p.errorf("unexpected character %q", c)
	}
}

func (p *jsonScanner) word(w string) error {
	if !strings.HasPrefix(p.s[p.i:], w) {
		return p.errorf("unexpected text")
	}
	p.i += len(w)
	return nil
}

func (p *jsonScanner) str() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", p.errorf("expected a string")
	}
	p.i++
	start := p.i
	// Fast path: no escapes.
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '"' {
			s := p.s[start:p.i]
			p.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("control character in string")
		}
		p.i++
	}
	var b strings.Builder
	b.WriteString(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if p.i+1 >= len(p.s) {
				return "", p.errorf("unterminated escape")
			}
			e := p.s[p.i+1]
			p.i += 2
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r, err := p.hex4()
				if err != nil {
					return "", err
				}
				if utf16.IsSurrogate(r) && strings.HasPrefix(p.s[p.i:], `\u`) {
					p.i += 2
					r2, err := p.hex4()
					if err != nil {
						return "", err
					}
					r = utf16.DecodeRune(r, r2)
				}
				b.WriteRune(r)
			default:
				return "", p.errorf("bad escape \\%c", e)
			}
		case c < 0x20:
			return "", p.errorf("control character in string")
		default:
			_, size := utf8.DecodeRuneInString(p.s[p.i:])
			b.WriteString(p.s[p.i : p.i+size])
			p.i += size
		}
	}
	return "", p.errorf("unterminated string")
}

func (p *jsonScanner) hex4() (rune, error) {
	if p.i+4 > len(p.s) {
		return 0, p.errorf("bad \\u escape")
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, p.errorf("bad \\u escape")
	}
	p.i += 4
	return rune(n), nil
}

// readCSV reads RFC 4180 CSV with a header row naming columns. An empty
// unquoted field is NULL; a quoted empty field ("") is the empty string.
func readCSV(r io.Reader, file string, opts LoadOptions, index map[string]int, emit func(int64, []driver.Value) error) error {
	cr := &csvReader{r: r.(*bufio.Reader)}
	header, _, err := cr.record()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return &RowError{File: file, Line: cr.line, Msg: err.Error()}
	}
	colOf := make([]int, len(header))
	for i, h := range header {
		name := ""
		if h != nil {
			name = *h
		}
		c, ok := index[strings.ToLower(strings.TrimSpace(name))]
		switch {
		case ok:
			colOf[i] = c
		case strings.EqualFold(name, opts.Partition):
			colOf[i] = -1
		default:
			return &RowError{File: file, Line: 1, Msg: fmt.Sprintf("unknown column %q in the header; the table %s has: %s", name, opts.Table, columnNames(opts.Columns))}
		}
	}
	vals := make([]driver.Value, len(opts.Columns)+1) // + the partition value
	for {
		fields, start, err := cr.record()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return &RowError{File: file, Line: start, Msg: err.Error()}
		}
		if len(fields) == 1 && fields[0] == nil {
			continue // blank line
		}
		if len(fields) != len(header) {
			return &RowError{File: file, Line: start, Msg: fmt.Sprintf("%d fields, but the header has %d", len(fields), len(header))}
		}
		for i := range vals {
			vals[i] = nil
		}
		for i, f := range fields {
			switch c := colOf[i]; {
			case c >= 0 && f != nil:
				vals[c] = *f
			case c < 0 && f != nil && opts.Day != "" && *f != opts.Day:
				return &RowError{File: file, Line: start, Msg: fmt.Sprintf("%s is %q but the rows are loaded into %s=%s; load them with --bizdate %s", opts.Partition, *f, opts.Partition, opts.Day, *f)}
			case c < 0 && f != nil:
				vals[len(vals)-1] = *f
			}
		}
		if err := emit(start, vals); err != nil {
			return err
		}
	}
}

type csvReader struct {
	r    *bufio.Reader
	line int64 // lines consumed
	buf  []byte
}

// record reads one record; nil fields are unquoted empty ones (NULL). It
// returns the line the record starts on.
func (c *csvReader) record() ([]*string, int64, error) {
	start := c.line + 1
	var fields []*string
	c.buf = c.buf[:0]
	quoted, inQuotes, any := false, false, false
	flush := func() {
		if !any && !quoted {
			fields = append(fields, nil)
		} else {
			s := string(c.buf)
			fields = append(fields, &s)
		}
		c.buf, quoted, any = c.buf[:0], false, false
	}
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			if inQuotes {
				return nil, start, fmt.Errorf("unterminated quoted field")
			}
			if len(fields) == 0 && !any && !quoted {
				return nil, start, io.EOF
			}
			c.line++
			flush()
			return fields, start, nil
		}
		if err != nil {
			return nil, start, err
		}
		switch {
		case inQuotes:
			if b == '"' {
				next, err := c.r.Peek(1)
				if err == nil && next[0] == '"' {
					c.r.ReadByte()
					c.buf = append(c.buf, '"')
				} else {
					inQuotes = false
				}
			} else {
				if b == '\n' {
					c.line++
				}
				c.buf = append(c.buf, b)
			}
		case b == '"':
			if any {
				return nil, start, fmt.Errorf("quote in the middle of an unquoted field")
			}
			inQuotes, quoted = true, true
		case b == ',':
			flush()
		case b == '\r':
			// part of \r\n
		case b == '\n':
			c.line++
			flush()
			return fields, start, nil
		default:
			if quoted {
				return nil, start, fmt.Errorf("text after a closing quote")
			}
			any = true
			c.buf = append(c.buf, b)
		}
	}
}
