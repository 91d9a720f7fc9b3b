package sample

import (
	"io"
	"strconv"
	"unicode/utf8"
)

type jsonlWriter struct {
	lineBuffer
	tf  TimeFormat
	tmp []byte
}

// NewJSONLWriter returns a Writer of JSON Lines: one object per event with
// the keys of Columns and then dt, in that order; a NULL uid is null; ts as
// tf says, a number or a string. Strings are escaped as JSON requires;
// invalid UTF-8 becomes U+FFFD.
func NewJSONLWriter(w io.Writer, tf TimeFormat) Writer {
	return &jsonlWriter{lineBuffer: newLineBuffer(w), tf: tf}
}

func (j *jsonlWriter) Write(e *Event) error {
	b := append(j.buf, `{"md5":`...)
	b = appendJSONString(b, e.MD5)
	b = append(b, `,"uid":`...)
	if e.UIDNull {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, e.UID)
	}
	b = append(b, `,"ts":`...)
	switch j.tf.kind {
	case tsSeconds, tsMillis:
		b = j.tf.appendNumber(b, e)
	default:
		j.tmp = j.tf.appendText(j.tmp[:0], e)
		b = appendJSONString(b, string(j.tmp))
	}
	b = append(b, `,"ip":`...)
	b = appendJSONString(b, e.IP)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, e.Status, 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = append(b, `,"device_brand":`...)
	b = appendJSONString(b, e.DeviceBrand)
	b = append(b, `,"device":`...)
	b = appendJSONString(b, e.Device)
	b = append(b, `,"system_type":`...)
	b = appendJSONString(b, e.SystemType)
	b = append(b, `,"customize_event":`...)
	b = appendJSONString(b, e.CustomizeEvent)
	b = append(b, `,"use_time":`...)
	b = strconv.AppendInt(b, e.UseTime, 10)
	b = append(b, `,"customize_event_content":`...)
	b = appendJSONString(b, e.CustomizeEventContent)
	b = append(b, `,"dt":`...)
	b = appendJSONString(b, e.Dt)
	b = append(b, "}\n"...)
	return j.done(b)
}

func (j *jsonlWriter) Close() error { return j.flush() }

// appendJSONString appends s as a JSON string, byte for byte as
// encoding/json does without HTML escaping: it escapes '"', '\\', control
// characters and U+2028/U+2029 and replaces each invalid UTF-8 byte by U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) && jsonPlain[s[i]] {
		i++
	}
	if i < len(s) {
		return appendJSONEscaped(b, s, i)
	}
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain marks the bytes copied to a JSON string as they are.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendJSONEscaped appends the rest of the JSON string s, whose first i
// bytes are plain.
func appendJSONEscaped(b []byte, s string, i int) []byte {
	start := 0
	for i < len(s) {
		c := s[i]
		if jsonPlain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
