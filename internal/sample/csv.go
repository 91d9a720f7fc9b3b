package sample

import (
	"io"
	"strconv"
	"strings"
)

type csvWriter struct {
	lineBuffer
	tf  TimeFormat
	tmp []byte
}

// NewCSVWriter returns a Writer of RFC 4180 CSV: a header row with the names
// of Columns and then dt, then one row per event. Lines end in LF (RFC 4180
// says CRLF; common readers, encoding/csv and DuckDB included, take both).
// A NULL uid is an empty unquoted field; the empty
// string is written quoted, as "". Fields containing a comma, a double quote,
// CR or LF or starting with a space are quoted, with quotes doubled.
//
// encoding/csv reads NULL and "" alike as the empty string; DuckDB keeps them
// apart with allow_quoted_nulls = false, see DuckDBSource.
func NewCSVWriter(w io.Writer, tf TimeFormat) Writer {
	c := &csvWriter{lineBuffer: newLineBuffer(w), tf: tf}
	c.buf = append(c.buf, strings.Join(fileColumns(), ",")...)
	c.buf = append(c.buf, '\n')
	return c
}

func (c *csvWriter) Write(e *Event) error {
	b := appendCSVString(c.buf, e.MD5)
	b = append(b, ',')
	if !e.UIDNull {
		b = appendCSVString(b, e.UID)
	}
	b = append(b, ',')
	switch c.tf.kind {
	case tsSeconds, tsMillis:
		b = c.tf.appendNumber(b, e)
	default:
		c.tmp = c.tf.appendText(c.tmp[:0], e)
		b = appendCSVString(b, string(c.tmp))
	}
	b = append(b, ',')
	b = appendCSVString(b, e.IP)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.Status, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = append(b, ',')
	b = appendCSVString(b, e.DeviceBrand)
	b = append(b, ',')
	b = appendCSVString(b, e.Device)
	b = append(b, ',')
	b = appendCSVString(b, e.SystemType)
	b = append(b, ',')
	b = appendCSVString(b, e.CustomizeEvent)
	b = append(b, ',')
	b = strconv.AppendInt(b, e.UseTime, 10)
	b = append(b, ',')
	b = appendCSVString(b, e.CustomizeEventContent)
	b = append(b, ',')
	b = appendCSVString(b, e.Dt)
	b = append(b, '\n')
	return c.done(b)
}

func (c *csvWriter) Close() error { return c.flush() }

func appendCSVString(b []byte, s string) []byte {
	if !csvNeedsQuotes(s) {
		return append(b, s...)
	}
	b = append(b, '"')
	for {
		i := strings.IndexByte(s, '"')
		if i < 0 {
			break
		}
		b = append(b, s[:i+1]...)
		b = append(b, '"')
		s = s[i+1:]
	}
	b = append(b, s...)
	return append(b, '"')
}

func csvNeedsQuotes(s string) bool {
	if s == "" || s[0] == ' ' || s[0] == '\t' {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			return true
		}
	}
	return false
}
