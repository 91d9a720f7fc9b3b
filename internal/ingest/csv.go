package ingest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode/utf8"
)

// checkCSV checks a CSV file (RFC 4180, comma-separated, LF or CRLF line
// ends) with a header row naming the table's columns or the partition
// column (spaces trimmed, case-insensitive, each at most once). An empty
// unquoted field is NULL, "" the empty string; blank lines are skipped (but
// in a file of one column, where such a line is a NULL, as for DuckDB). A
// value must fit its column (valueOK). It stops at the first malformed
// row.
//
// DuckDB's read_csv then reads the same file; what it would take silently
// (a duplicate header, a CR outside quotes, 1.5 in a BIGINT column) is an
// error here, and fgen's errors give the line a record starts on.
// It returns nil if ctx ends first.
func (l *loader) checkCSV(ctx context.Context, fi int, r io.Reader) *scan {
	res := &scan{}
	c := newCSVChecker(l, fi, r)
	if err := c.readHeader(); err != nil {
		if err != io.EOF {
			res.parse = c.rowError(err)
		}
		return res
	}
	res.header = c.header
	c.res = res
	for {
		if res.rows%checkEvery == 0 && ctx.Err() != nil {
			return nil
		}
		err := c.record()
		if err == io.EOF {
			return res
		}
		if errors.Is(err, errBlank) {
			continue
		}
		if err != nil {
			res.parse = c.rowError(err)
			return res
		}
		res.rows++
		res.maxLine = max(res.maxLine, c.recBytes)
		if c.valErr != nil && res.value == nil {
			res.value = &RowError{File: c.file, Line: c.start, Msg: c.valErr.msg}
		}
	}
}

// csvHeader reads the header of a CSV file: the column of each of its
// fields, -1 for the partition column.
func (l *loader) csvHeader(fi int, r io.Reader) ([]int, error) {
	c := newCSVChecker(l, fi, r)
	if err := c.readHeader(); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, c.rowError(err)
	}
	return c.header, nil
}

var errBlank = errors.New("blank line")

type csvChecker struct {
	l    *loader
	fi   int
	file string
	res  *scan
	lr   *lineReader

	header []int    // the column of each field, -1 for the partition column
	acts   []int    // what plainRecord does with each field
	names  []string // while reading the header: its fields

	// the current record
	start     int64 // its first line
	recBytes  int
	badUTF8   bool        // a line of it is not UTF-8
	valErr    *valueError // its first value that does not fit its column
	part      []byte      // its partition value
	plainPart []byte      // plainRecord's: in the line
	partSet   bool
	timeSet   bool   // it has a value in the column of DayFrom
	val       []byte // a quoted field's value, when it spans lines or has ""
}

func newCSVChecker(l *loader, fi int, r io.Reader) *csvChecker {
	return &csvChecker{l: l, fi: fi, file: l.files[fi].path, lr: newLineReader(r, l.files[fi].size)}
}

// rowError is err at the line the current record starts on.
func (c *csvChecker) rowError(err error) *RowError {
	return &RowError{File: c.file, Line: c.start, Msg: rowMsg(err)}
}

// headerHint says why a header's field name is no column, where its text
// says: a file in UTF-16, or with another delimiter than the comma.
func (l *loader) headerHint(name string) string {
	if strings.TrimSpace(name) == "" {
		return "; a field of the header is empty (a comma at its start or end, or two in a row): name the column, or remove that comma from the header and from every row"
	}
	if isUTF16([]byte(name)) {
		return "; the file is UTF-16 text: save it as UTF-8"
	}
	for _, d := range []string{";", "\t", "|"} {
		if fields := strings.Split(name, d); len(fields) > 1 {
			if _, ok := l.lookup([]byte(strings.TrimSpace(fields[0]))); ok {
				return fmt.Sprintf("; the header looks separated by %q: fgen reads CSV separated by commas, so convert the file", d)
			}
		}
	}
	return ""
}

// readHeader reads the header row into c.header.
func (c *csvChecker) readHeader() error {
	c.names = []string{}
	err := c.record()
	if errors.Is(err, errBlank) {
		return fmt.Errorf("the first line is blank; a CSV file's header is its first line: remove the blank lines above it")
	}
	if err != nil {
		return err
	}
	if line := strings.Join(c.names, ","); len(line) == len("sep=,") && strings.HasPrefix(line, "sep=") {
		// Excel's line naming the separator, which it writes before the
		// header for a region whose separator is not the comma.
		fix := "remove the line"
		if line != "sep=," {
			fix += ", and convert the file: fgen reads CSV separated by commas"
		}
		return fmt.Errorf("the first line is Excel's %q, not a header: %s", line, fix)
	}
	seen := map[int]string{}
	c.acts = nil
	for _, name := range c.names {
		trimmed := strings.TrimSpace(name)
		col, ok := c.l.lookup([]byte(trimmed))
		if !ok {
			return fmt.Errorf("unknown column %q in the header; the table %s has: %s%s", clip(name), c.l.opts.Table, columnNames(c.l.cols), c.l.headerHint(name))
		}
		if first, dup := seen[col]; dup {
			return fmt.Errorf("column %q appears twice in the header (as %q and %q)", trimmed, first, name)
		}
		seen[col] = name
		c.header = append(c.header, col)
		switch {
		case col < 0:
			c.acts = append(c.acts, actPart)
		case c.l.cols[col].checked() || col == c.l.timeCol:
			c.acts = append(c.acts, col)
		default:
			c.acts = append(c.acts, actNone)
		}
	}
	c.names = nil
	return nil
}

// csvPlain marks the bytes an unquoted field copies as they are.
var csvPlain = func() (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	t[','], t['"'], t['\r'], t['\n'] = false, false, false, false
	return t
}()

// next reads the next line of a record.
func (c *csvChecker) next() ([]byte, error) {
	line, err := c.lr.next()
	if err != nil {
		return nil, err
	}
	if c.lr.n == 1 && bytes.HasPrefix(line, utf8BOM) {
		// Excel's "CSV UTF-8" starts the file with a byte-order mark,
		// which DuckDB's read_csv skips: so does the check. A file of
		// the mark alone is as empty as one without it.
		if line = line[len(utf8BOM):]; len(line) == 0 {
			return nil, io.EOF
		}
	}
	c.recBytes += len(line)
	if c.recBytes > maxLine {
		return nil, errTooLong
	}
	return line, nil
}

// record reads the next record, handing each field to c.field, and returns
// io.EOF at the end of the file or errBlank for a blank line.
func (c *csvChecker) record() error {
	c.recBytes, c.badUTF8, c.valErr, c.partSet, c.timeSet = 0, false, nil, false, false
	c.start = c.lr.n + 1
	line, err := c.next()
	if err != nil {
		return err
	}
	if len(trimEOL(line)) == 0 {
		if c.names != nil || len(c.header) != 1 {
			return errBlank
		}
		// In a file of one column a blank line is a NULL, for DuckDB too.
		if err := c.field(0, nil, false); err != nil {
			return err
		}
		return c.l.parts.saw(c.fi, c.start, c.l.opts.Partition, nil, false, c.timeSet)
	}
	if !c.l.general && c.names == nil && c.plainRecord(line) {
		return nil
	}
	c.badUTF8 = !utf8.Valid(line)
	f, i := 0, 0
	for ; ; f++ {
		if i < len(line) && line[i] == '"' {
			// A quoted field: up to a quote not followed by another.
			i++
			from, simple := i, true
			c.val = c.val[:0]
			for {
				j := bytes.IndexByte(line[i:], '"')
				if j < 0 {
					// It goes on on the next line.
					c.val = append(c.val, line[from:]...)
					simple = false
					if line, err = c.next(); err != nil {
						if err == io.EOF {
							return errors.New("unterminated quoted field")
						}
						if errors.Is(err, errTooLong) {
							// In a big file an unterminated quote reaches the
							// limit before the end of the file.
							return fmt.Errorf("a record with a quoted field runs on for more than %d MiB: is the field's closing quote missing? (a quote inside a quoted field is written twice)", maxLine>>20)
						}
						return err
					}
					if !utf8.Valid(line) {
						c.badUTF8 = true
					}
					i, from = 0, 0
					continue
				}
				j += i
				if j+1 < len(line) && line[j+1] == '"' {
					c.val = append(c.val, line[from:j+1]...)
					simple = false
					i, from = j+2, j+2
					continue
				}
				v := line[from:j]
				if !simple {
					c.val = append(c.val, v...)
					v = c.val
				}
				if err := c.field(f, v, true); err != nil {
					return err
				}
				i = j + 1
				break
			}
			if i < len(line) && line[i] == ',' {
				i++
				continue
			}
			if rest := line[i:]; len(rest) > 0 && string(rest) != "\n" && string(rest) != "\r\n" {
				return errors.New("text after a closing quote")
			}
			break
		}
		j := i
		for j < len(line) && csvPlain[line[j]] {
			j++
		}
		if j < len(line) {
			switch line[j] {
			case '"':
				return errors.New("quote in the middle of an unquoted field")
			case '\r':
				if j+1 != len(line)-1 || line[j+1] != '\n' {
					return errors.New("a CR outside quotes that does not end the line; quote the field (or, if the file's lines end with CR alone, as old Mac files do, convert them to LF)")
				}
			}
		}
		if err := c.field(f, line[i:j], j > i); err != nil {
			return err
		}
		if j < len(line) && line[j] == ',' {
			i = j + 1
			continue
		}
		break
	}
	if c.names != nil {
		return nil
	}
	if n := f + 1; n != len(c.header) {
		fields := "fields"
		if n == 1 {
			fields = "field"
		}
		return fmt.Errorf("%d %s, but the header has %d", n, fields, len(c.header))
	}
	return c.l.parts.saw(c.fi, c.start, c.l.opts.Partition, c.part, c.partSet, c.timeSet)
}

// field checks the f-th field of the record, v, NULL if not set.
func (c *csvChecker) field(f int, v []byte, set bool) error {
	if c.names != nil {
		c.names = append(c.names, string(v))
		return nil
	}
	if f >= len(c.header) {
		return nil // record reports the count
	}
	col := c.header[f]
	name := c.l.opts.Partition
	if col >= 0 {
		name = c.l.cols[col].Name
	}
	if c.badUTF8 && !utf8.Valid(v) {
		return fmt.Errorf("column %s: %q is not valid UTF-8", name, v)
	}
	if col < 0 {
		c.part, c.partSet = append(c.part[:0], v...), set
		return nil
	}
	if col == c.l.timeCol {
		c.timeSet = set
	}
	if k := &c.l.cols[col]; set && k.checked() && !k.valueOK(v) && c.valErr == nil {
		c.valErr = &valueError{k.notValid(v)}
	}
	return nil
}

// plainRecord checks the record of line the fast way, for the usual line:
// ASCII without quotes or CRs but its end. It reports false, having noted
// nothing, for any other line, which record then checks. It goes through
// the line eight bytes at a time, finding the commas by their bits.
func (c *csvChecker) plainRecord(line []byte) bool {
	body := trimEOL(line)
	c.partSet, c.timeSet = false, false
	acts := c.acts
	f, from := 0, 0
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	if bytes.IndexByte(body, '"') >= 0 || bytes.IndexByte(body, '\r') >= 0 {
		return false
	}
	for ; i+8 <= len(body); i += 8 {
		x := binary.LittleEndian.Uint64(body[i:])
		if x&highs != 0 {
			c.valErr = nil
			return false
		}
		for m := zeroBytes(x ^ (',' * ones)); m != 0; m &= m - 1 {
			end := i + bits.TrailingZeros64(m)>>3
			if f < len(acts) && acts[f] != actNone {
				c.plainField(acts[f], body[from:end])
			}
			f++
			from = end + 1
		}
	}
	for ; i < len(body); i++ {
		switch b := body[i]; {
		case b == '"' || b == '\r' || b >= 0x80:
			c.valErr = nil
			return false
		case b == ',':
			if f < len(acts) && acts[f] != actNone {
				c.plainField(acts[f], body[from:i])
			}
			f++
			from = i + 1
		}
	}
	if f < len(acts) && acts[f] != actNone {
		c.plainField(acts[f], body[from:])
	}
	if f+1 != len(c.header) || c.l.parts.saw(c.fi, c.start, c.l.opts.Partition, c.plainPart, c.partSet, c.timeSet) != nil {
		c.valErr = nil
		return false // record words the error
	}
	return true
}

// What plainRecord does with a field: nothing, note the partition value, or
// check the value of the column of that index (valueOK) and note whether
// the column of DayFrom has one.
const (
	actNone = -2
	actPart = -1
)

func (c *csvChecker) plainField(act int, v []byte) {
	if act == actPart {
		c.plainPart, c.partSet = v, len(v) > 0
		return
	}
	if act == c.l.timeCol {
		c.timeSet = len(v) > 0
	}
	k := &c.l.cols[act]
	if k.kind == kindInt && len(v) > 0 && len(v) <= k.digits && digitsEnd(v, 0) == len(v) {
		return // an integer in range
	}
	if len(v) > 0 && !k.valueOK(v) && c.valErr == nil {
		c.valErr = &valueError{k.notValid(v)}
	}
}

// zeroBytes returns x with the high bit of each zero byte set, and no other.
func zeroBytes(x uint64) uint64 {
	const lows, highs = 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	return ^((x&lows + lows) | x) & highs
}
